//! The relationship records beside the transactions: the customer base,
//! complaints, referrals and survey answers, each a small CSV file with a
//! header row, read by column name (any column order, extra columns
//! ignored).
//!
//! | file | columns (optional in brackets) |
//! |---|---|
//! | `--customer-base` | `customer`, `since`, [`until`], [`tier`], [`segment`] |
//! | `--complaints` | `customer`, `channel`, `opened`, [`first_response`], [`resolved`], [`outcome`] |
//! | `--referrals` | `referrer`, `time`, [`referred`] |
//! | `--answers` | `customer`, `time`, `scale` (`csat`, `nps`, `ces`), `score` |
//!
//! Days are `YYYY-MM-DD`; times are RFC 3339 (`2024-03-10T10:00:00Z`) or a
//! bare day (midnight UTC). An empty optional cell is "not known". Customer
//! ids are read as the transactions' ids were (integers or text), so that
//! the same customer matches in both. Every error names the file, the
//! 1-based data row, the column and the rule; a cell's content is never
//! echoed (it may be personal data), only the customer id.

use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use crm_core::records::customer::CustomerId;
use crm_core::relationship::complaint::Complaint;
use crm_core::relationship::customer_base::CustomerSpan;
use crm_core::relationship::period_metrics::Referral;
use crm_core::relationship::survey::{SurveyAnswer, SurveyScale};
use crm_core::value::tier::Tier;
use crm_core::vocabulary::{UnknownName, Vocabulary};

use crate::failure::Failure;

/// How customer ids are read: as the transactions' summaries hold them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// 64-bit integers.
    Int,
    /// Text, exactly as written.
    Text,
}

impl IdKind {
    /// The kind of the ids in `customers` (text when there are none).
    pub fn of(customers: &[CustomerId]) -> IdKind {
        match customers.first() {
            Some(CustomerId::Int(_)) => IdKind::Int,
            _ => IdKind::Text,
        }
    }
}

/// One open file: its name, header and the positions of its columns.
struct Records {
    name: String,
    reader: csv::Reader<std::fs::File>,
    header: csv::StringRecord,
    ids: IdKind,
}

/// One data row and where it is, for error messages.
struct Row<'a> {
    file: &'a Records,
    number: u64,
    record: csv::StringRecord,
}

impl Records {
    fn open(path: &Path, ids: IdKind) -> Result<Records, Failure> {
        let name = path.display().to_string();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_path(path)
            .map_err(|e| Failure::input(format!("{name}: {e}")).file(name.clone()))?;
        let header = reader
            .headers()
            .map_err(|e| Failure::input(format!("{name}: {e}")).file(name.clone()))?
            .clone();
        Ok(Records {
            name,
            reader,
            header,
            ids,
        })
    }

    fn column(&self, column: &str) -> Option<usize> {
        self.header.iter().position(|h| h == column)
    }

    /// Fails unless every required column is in the header.
    fn require(&self, columns: &[&str]) -> Result<(), Failure> {
        match columns.iter().find(|c| self.column(c).is_none()) {
            None => Ok(()),
            Some(c) => Err(Failure {
                column: Some((*c).to_owned()),
                rule: Some("is missing"),
                ..Failure::input(format!(
                    "{}: column `{c}` is missing (header: {})",
                    self.name,
                    self.header.iter().collect::<Vec<_>>().join(",")
                ))
                .file(self.name.clone())
            }),
        }
    }

    /// Every data row, in file order; a malformed row stops the read.
    fn rows(
        &mut self,
        mut each: impl FnMut(&Row<'_>) -> Result<(), Failure>,
    ) -> Result<u64, Failure> {
        let mut number = 0;
        let mut record = csv::StringRecord::new();
        loop {
            let more = self.reader.read_record(&mut record).map_err(|e| Failure {
                row: Some(number + 1),
                ..Failure::input(format!("{} row {}: {e}", self.name, number + 1))
                    .file(self.name.clone())
            })?;
            if !more {
                return Ok(number);
            }
            number += 1;
            let row = Row {
                file: self,
                number,
                record: std::mem::take(&mut record),
            };
            each(&row)?;
            record = row.record;
        }
    }
}

impl Row<'_> {
    fn fail(&self, column: &str, rule: &'static str) -> Failure {
        let file = &self.file.name;
        Failure {
            row: Some(self.number),
            column: Some(column.to_owned()),
            rule: Some(rule),
            ..Failure::input(format!(
                "{file} row {}: column `{column}` breaks the rule: {rule}",
                self.number
            ))
            .file(file.clone())
        }
    }

    /// A name not in crm-core's vocabulary: the rule and the allowed names
    /// are crm-core's (the cell itself is not repeated).
    fn unknown(&self, column: &str, e: &UnknownName) -> Failure {
        let file = &self.file.name;
        Failure {
            row: Some(self.number),
            column: Some(column.to_owned()),
            ..Failure::diagnosed(&format!("{file} row {}, column `{column}`", self.number), e)
                .file(file.clone())
        }
    }

    /// The cell, empty when missing or blank.
    fn cell(&self, column: &str) -> &str {
        self.file
            .column(column)
            .and_then(|i| self.record.get(i))
            .unwrap_or("")
    }

    fn required(&self, column: &str) -> Result<&str, Failure> {
        let v = self.cell(column);
        if v.is_empty() {
            Err(self.fail(column, "a value is required"))
        } else {
            Ok(v)
        }
    }

    fn customer(&self, column: &str) -> Result<CustomerId, Failure> {
        let v = self.required(column)?;
        match self.file.ids {
            IdKind::Text => Ok(CustomerId::Str(v.to_owned())),
            IdKind::Int => v
                .parse::<i64>()
                .map(CustomerId::Int)
                .map_err(|_| self.fail(column, "an integer id, as in the transactions")),
        }
    }

    fn optional_customer(&self, column: &str) -> Result<Option<CustomerId>, Failure> {
        if self.cell(column).is_empty() {
            Ok(None)
        } else {
            self.customer(column).map(Some)
        }
    }

    fn day(&self, column: &str) -> Result<NaiveDate, Failure> {
        NaiveDate::parse_from_str(self.required(column)?, "%Y-%m-%d")
            .map_err(|_| self.fail(column, "a date YYYY-MM-DD"))
    }

    fn optional_day(&self, column: &str) -> Result<Option<NaiveDate>, Failure> {
        if self.cell(column).is_empty() {
            Ok(None)
        } else {
            self.day(column).map(Some)
        }
    }

    fn time(&self, column: &str) -> Result<DateTime<Utc>, Failure> {
        let v = self.required(column)?;
        DateTime::parse_from_rfc3339(v)
            .map(|t| t.with_timezone(&Utc))
            .or_else(|_| {
                NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map(|d| d.and_time(NaiveTime::MIN).and_utc())
            })
            .map_err(|_| {
                self.fail(
                    column,
                    "an RFC 3339 time (2024-03-10T10:00:00Z) or a date YYYY-MM-DD",
                )
            })
    }

    fn optional_time(&self, column: &str) -> Result<Option<DateTime<Utc>>, Failure> {
        if self.cell(column).is_empty() {
            Ok(None)
        } else {
            self.time(column).map(Some)
        }
    }

    fn optional_text(&self, column: &str) -> Option<String> {
        Some(self.cell(column))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }
}

/// The customer base: one span per row.
pub fn customers(path: &Path, ids: IdKind) -> Result<Vec<CustomerSpan>, Failure> {
    let mut f = Records::open(path, ids)?;
    f.require(&["customer", "since"])?;
    let mut spans = Vec::new();
    f.rows(|r| {
        let mut span = CustomerSpan::new(
            r.customer("customer")?,
            r.day("since")?,
            r.optional_day("until")?,
        );
        if let Some(t) = r.optional_text("tier") {
            span.tier =
                Some(<Tier as Vocabulary>::from_name(&t).map_err(|e| r.unknown("tier", &e))?);
        }
        span.segment = r.optional_text("segment");
        spans.push(span);
        Ok(())
    })?;
    Ok(spans)
}

/// Complaints, one per row.
pub fn complaints(path: &Path, ids: IdKind) -> Result<Vec<Complaint>, Failure> {
    let mut f = Records::open(path, ids)?;
    f.require(&["customer", "channel", "opened"])?;
    let mut out = Vec::new();
    f.rows(|r| {
        let mut c = Complaint::new(
            r.customer("customer")?,
            r.required("channel")?,
            r.time("opened")?,
        );
        c.first_response = r.optional_time("first_response")?;
        c.resolved = r.optional_time("resolved")?;
        c.outcome = r.optional_text("outcome");
        out.push(c);
        Ok(())
    })?;
    Ok(out)
}

/// Referral events, one per row.
pub fn referrals(path: &Path, ids: IdKind) -> Result<Vec<Referral>, Failure> {
    let mut f = Records::open(path, ids)?;
    f.require(&["referrer", "time"])?;
    let mut out = Vec::new();
    f.rows(|r| {
        out.push(Referral {
            referrer: r.customer("referrer")?,
            referred: r.optional_customer("referred")?,
            time: r.time("time")?,
        });
        Ok(())
    })?;
    Ok(out)
}

/// Survey answers, one per row.
pub fn answers(path: &Path, ids: IdKind) -> Result<Vec<SurveyAnswer>, Failure> {
    let mut f = Records::open(path, ids)?;
    f.require(&["customer", "time", "scale", "score"])?;
    let mut out = Vec::new();
    f.rows(|r| {
        let scale = r
            .required("scale")?
            .parse::<SurveyScale>()
            .map_err(|e| r.unknown("scale", &e))?;
        let score = r
            .required("score")?
            .parse::<u8>()
            .map_err(|_| r.fail("score", "a whole number on the scale"))?;
        out.push(SurveyAnswer {
            customer: r.customer("customer")?,
            time: r.time("time")?,
            scale,
            score,
        });
        Ok(())
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::Kind;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn columns_are_found_by_name_in_any_order() {
        let f = file("time,referrer,extra\n2024-03-01,7,x\n2024-03-02T10:00:00+02:00,8,y\n");
        let r = referrals(f.path(), IdKind::Int).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].referrer, CustomerId::Int(7));
        assert_eq!(r[1].time.to_rfc3339(), "2024-03-02T08:00:00+00:00");
    }

    #[test]
    fn errors_name_file_row_column_and_rule_without_the_cell() {
        let f =
            file("customer,time,scale,score\n1,2024-03-01,csat,4\n2,2024-03-01,csat,secret-text\n");
        let e = answers(f.path(), IdKind::Int).unwrap_err();
        assert_eq!(
            (e.kind, e.row, e.column.as_deref()),
            (Kind::BadInput, Some(2), Some("score"))
        );
        assert!(!e.message.contains("secret-text"), "{}", e.message);
        let f = file("customer,since\nabc,2024-01-01\n");
        assert_eq!(
            customers(f.path(), IdKind::Int).unwrap_err().rule,
            Some("an integer id, as in the transactions")
        );
        assert_eq!(
            customers(f.path(), IdKind::Text).unwrap()[0].customer,
            CustomerId::Str("abc".into())
        );
    }

    #[test]
    fn an_unknown_name_lists_the_core_names_without_the_cell() {
        let f = file("customer,time,scale,score\n1,2024-03-01,stars-secret,4\n");
        let e = answers(f.path(), IdKind::Int).unwrap_err();
        assert_eq!(
            (e.row, e.column.as_deref(), e.rule),
            (Some(1), Some("scale"), Some("known_name"))
        );
        assert!(
            e.message.contains("csat, nps, ces") && !e.message.contains("secret"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_missing_column_is_named() {
        let f = file("customer,channel\n1,phone\n");
        let e = complaints(f.path(), IdKind::Int).unwrap_err();
        assert_eq!(
            (e.column.as_deref(), e.rule),
            (Some("opened"), Some("is missing"))
        );
    }
}
