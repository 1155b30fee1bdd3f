//! The relationship files beside the transactions: the customer base,
//! complaints, referrals and survey answers, each a CSV file with a header
//! row or a Parquet file (by its `.parquet`/`.pq` extension), read by
//! column name (any column order, extra columns ignored).
//!
//! | file | columns (optional in brackets) |
//! |---|---|
//! | `--customer-base` | `customer`, `since`, [`until`], [`tier`], [`segment`] |
//! | `--complaints` | `customer`, `opened`, [`channel`], [`first_response`], [`resolved`], [`outcome`] |
//! | `--referrals` | `referrer`, `time`, [`referred`] |
//! | `--answers` | `customer`, `time`, `scale` (`csat`, `nps`, `ces`), `score` |
//!
//! The reading and every rule are crm-io's ([`crm_io::records`], the
//! readers the Python package uses too); this module opens the file, reads
//! customer ids as the transactions' ids were read ([`IdKind`]), and turns
//! a [`RecordError`] into a failure naming the file, the 1-based data row,
//! the column and the rule.

use std::path::Path;

use crm_core::relationship::complaint::Complaint;
use crm_core::relationship::customer_base::CustomerSpan;
use crm_core::relationship::period_metrics::Referral;
use crm_core::relationship::survey::SurveyAnswer;
pub use crm_io::records::IdKind;
use crm_io::records::{self as io, RecordError, RecordTable};

use crate::failure::Failure;

/// A reader's error as bad input naming its file.
fn failure(e: RecordError) -> Failure {
    let file = e.source_name().to_owned();
    Failure::diagnosed("", &e).file(file)
}

fn read<T>(
    path: &Path,
    ids: IdKind,
    reader: fn(&RecordTable) -> Result<Vec<T>, RecordError>,
) -> Result<Vec<T>, Failure> {
    let table = RecordTable::read_file(path).map_err(failure)?;
    reader(&table.with_ids(ids)).map_err(failure)
}

/// The customer base: one span per row.
pub fn customers(path: &Path, ids: IdKind) -> Result<Vec<CustomerSpan>, Failure> {
    read(path, ids, io::customer_base)
}

/// Complaints, one per row.
pub fn complaints(path: &Path, ids: IdKind) -> Result<Vec<Complaint>, Failure> {
    read(path, ids, io::complaints)
}

/// Referral events, one per row.
pub fn referrals(path: &Path, ids: IdKind) -> Result<Vec<Referral>, Failure> {
    read(path, ids, io::referrals)
}

/// Survey answers, one per row.
pub fn answers(path: &Path, ids: IdKind) -> Result<Vec<SurveyAnswer>, Failure> {
    read(path, ids, io::answers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::Kind;

    #[test]
    fn a_reader_error_names_the_file_row_column_and_rule_without_the_cell() {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(
            f.path(),
            "customer,time,scale,score\n1,2024-03-01,csat,4\n2,2024-03-01,csat,secret-text\n",
        )
        .unwrap();
        let e = answers(f.path(), IdKind::Int).unwrap_err();
        let file = f.path().display().to_string();
        assert_eq!(
            (
                e.kind,
                e.file.as_deref(),
                e.row,
                e.column.as_deref(),
                e.rule
            ),
            (
                Kind::BadInput,
                Some(file.as_str()),
                Some(2),
                Some("score"),
                Some("whole_number")
            )
        );
        assert!(
            e.message.starts_with(&format!("{file} row 2")),
            "{}",
            e.message
        );
        assert!(!e.message.contains("secret-text"), "{}", e.message);
    }
}
