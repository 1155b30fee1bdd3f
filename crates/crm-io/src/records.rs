//! The relationship records beside the transactions: the customer base
//! (one span per row), complaints, referrals and survey answers, read from
//! Arrow columns by name, the same way for every front end.
//!
//! The `crm` command reads them from CSV or Parquet files
//! ([`RecordTable::read_file`]), the Python package from the caller's Arrow
//! tables ([`RecordTable::from_columns`]); both then call the readers of
//! this module, so a column has one name, one set of accepted types and one
//! error rule whichever door the records came through.
//!
//! | reader | columns (optional in brackets) |
//! |---|---|
//! | [`customer_base`] | `customer`, `since`, [`until`], [`tier`], [`segment`] |
//! | [`complaints`] | `customer`, `opened`, [`channel`], [`first_response`], [`resolved`], [`outcome`] |
//! | [`referrals`] | `referrer`, `time`, [`referred`] |
//! | [`answers`] | `customer`, `time`, `scale` (`csat`, `nps`, `ces`), `score` |
//!
//! A role is read from the column of its own name unless
//! [`RecordTable::with_columns`] maps it to another. Types accepted:
//!
//! - customer ids: integers or text ([`IdKind`] says how to match the
//!   transactions' ids: a text id read for integer transactions must be an
//!   integer);
//! - days (`since`, `until`): Arrow dates, timestamps (their day) or
//!   `YYYY-MM-DD` text;
//! - times: Arrow timestamps (a zone-less one is UTC), dates (midnight UTC)
//!   or ISO 8601 / RFC 3339 text (`2024-03-10T10:00:00Z`, a bare day);
//! - names (`tier`, `scale`): crm-core's vocabulary; other text as given;
//! - `score`: a whole number (integers, whole floats or text).
//!
//! A null (an empty CSV cell) in an optional column is "not known"; a
//! complaint without a channel is counted under `unknown`. Every bad value
//! is an error ([`RecordError`]) naming the source, the **1-based data row**
//! (the first row after the header is row 1), the column and the rule; the
//! first one in row order is reported, and no row is ever dropped, so the
//! records read are exactly the rows of the table. A cell's content is never
//! echoed (it may be personal data).
//!
//! ```
//! use crm_io::records::{RecordTable, IdKind, referrals};
//! let csv = "referrer,time,referred\n7,2024-03-01,\n8,2024-03-02T10:00:00+02:00,9\n";
//! let t = RecordTable::from_csv("referrals.csv", csv.as_bytes())?.with_ids(IdKind::Int);
//! let r = referrals(&t)?;
//! assert_eq!(r.len(), 2);
//! assert_eq!(r[1].time.to_rfc3339(), "2024-03-02T08:00:00+00:00");
//! assert_eq!(r[1].referred, Some(9.into()));
//! # Ok::<(), crm_io::records::RecordError>(())
//! ```

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use arrow::array::{ArrayRef, RecordBatch, StringArray};
use arrow::compute::concat;
use arrow::datatypes::Schema;
use crm_core::error::{Diagnostic, ErrorClass};
use crm_core::records::customer::CustomerId;
use crm_core::relationship::complaint::Complaint;
use crm_core::relationship::customer_base::CustomerSpan;
use crm_core::relationship::period_metrics::Referral;
use crm_core::relationship::survey::{SurveyAnswer, SurveyScale};
use crm_core::value::tier::Tier;
use crm_core::vocabulary::{UnknownName, Vocabulary};

mod columns;
#[cfg(test)]
mod tests;

use columns::Cells;

/// How customer ids are read, so that a customer matches the transactions.
///
/// ```
/// use crm_io::records::IdKind;
/// use crm_core::CustomerId;
/// assert_eq!(IdKind::of(&[CustomerId::Int(1)]), IdKind::Int);
/// assert_eq!(IdKind::of(&[]), IdKind::Text);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdKind {
    /// As the column holds them: integer columns give integer ids, text
    /// columns text ids (the Python package: the caller's types decide).
    #[default]
    AsGiven,
    /// 64-bit integers; text must be an integer (`0001` is 1).
    Int,
    /// Text; an integer column's ids are written in decimal.
    Text,
}

impl IdKind {
    /// The kind of the ids in `customers` (text when there are none), as
    /// the transactions' summaries hold them.
    pub fn of(customers: &[CustomerId]) -> IdKind {
        match customers.first() {
            Some(CustomerId::Int(_)) => IdKind::Int,
            _ => IdKind::Text,
        }
    }
}

/// A record table: named Arrow columns of equal length, the name of its
/// source (a file, or what the caller called the table) for messages, the
/// role → column mapping and how ids are read.
///
/// ```
/// use std::sync::Arc;
/// use arrow::array::{ArrayRef, Int64Array, StringArray};
/// use crm_io::records::{RecordTable, answers};
/// let t = RecordTable::from_columns("answers", vec![
///     ("who".to_owned(), Arc::new(Int64Array::from(vec![1])) as ArrayRef),
///     ("time".to_owned(), Arc::new(StringArray::from(vec!["2024-03-01"])) as ArrayRef),
///     ("scale".to_owned(), Arc::new(StringArray::from(vec!["nps"])) as ArrayRef),
///     ("score".to_owned(), Arc::new(Int64Array::from(vec![9])) as ArrayRef),
/// ])?.with_columns(&[("customer".to_owned(), "who".to_owned())].into());
/// assert_eq!(answers(&t)?[0].score, 9);
/// # Ok::<(), crm_io::records::RecordError>(())
/// ```
#[derive(Debug, Clone)]
pub struct RecordTable {
    source: String,
    names: Vec<String>,
    columns: Vec<ArrayRef>,
    rows: usize,
    roles: HashMap<String, String>,
    ids: IdKind,
}

impl RecordTable {
    /// A table from named columns, which must have one length.
    ///
    /// # Errors
    ///
    /// [`RecordError::Length`] when two columns differ in length.
    pub fn from_columns(
        source: impl Into<String>,
        columns: Vec<(String, ArrayRef)>,
    ) -> Result<RecordTable, RecordError> {
        let source = source.into();
        let rows = columns.first().map_or(0, |(_, c)| c.len());
        if let Some((name, c)) = columns.iter().find(|(_, c)| c.len() != rows) {
            return Err(RecordError::Length {
                source_name: source,
                column: name.clone(),
                rows: c.len(),
                first: columns.first().map(|(n, _)| n.clone()).unwrap_or_default(),
                first_rows: rows,
            });
        }
        let (names, columns) = columns.into_iter().unzip();
        Ok(RecordTable {
            source,
            names,
            columns,
            rows,
            roles: HashMap::new(),
            ids: IdKind::AsGiven,
        })
    }

    /// A table from record batches of one schema (a Parquet file, an Arrow
    /// stream): each column's chunks are joined.
    ///
    /// # Errors
    ///
    /// [`RecordError::Read`] when the batches do not match the schema.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow::array::{ArrayRef, Int64Array, RecordBatch};
    /// use crm_io::records::RecordTable;
    /// let b = RecordBatch::try_from_iter([("customer", Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef)]).unwrap();
    /// let t = RecordTable::from_batches("base", &b.schema(), &[b.clone(), b])?;
    /// assert_eq!(t.num_rows(), 4);
    /// # Ok::<(), crm_io::records::RecordError>(())
    /// ```
    pub fn from_batches(
        source: impl Into<String>,
        schema: &Schema,
        batches: &[RecordBatch],
    ) -> Result<RecordTable, RecordError> {
        let source = source.into();
        let mut columns = Vec::with_capacity(schema.fields().len());
        for (i, field) in schema.fields().iter().enumerate() {
            let parts: Vec<&dyn arrow::array::Array> = batches
                .iter()
                .filter_map(|b| b.columns().get(i))
                .map(|c| c.as_ref())
                .collect();
            let column = if parts.is_empty() {
                arrow::array::new_empty_array(field.data_type())
            } else {
                concat(&parts).map_err(|e| RecordError::read(&source, None, e))?
            };
            columns.push((field.name().clone(), column));
        }
        RecordTable::from_columns(source, columns)
    }

    /// A CSV text with a header row: every column is text, each cell
    /// trimmed, an empty cell null; a column is found by its header name
    /// (any order, extra columns ignored).
    ///
    /// # Errors
    ///
    /// [`RecordError::Read`] for a malformed record (a row with another
    /// number of fields than the header, invalid UTF-8), naming its row.
    ///
    /// ```
    /// use crm_io::records::RecordTable;
    /// let t = RecordTable::from_csv("base.csv", " customer , since\n1, 2024-01-01\n".as_bytes())?;
    /// assert_eq!((t.num_rows(), t.names()), (1, &["customer".to_owned(), "since".to_owned()][..]));
    /// # Ok::<(), crm_io::records::RecordError>(())
    /// ```
    pub fn from_csv(
        source: impl Into<String>,
        reader: impl std::io::Read,
    ) -> Result<RecordTable, RecordError> {
        let source = source.into();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(reader);
        let header = reader
            .headers()
            .map_err(|e| RecordError::read(&source, None, e))?
            .clone();
        let mut cells: Vec<Vec<Option<String>>> = vec![Vec::new(); header.len()];
        let mut record = csv::StringRecord::new();
        let mut row = 0_u64;
        loop {
            let more = reader
                .read_record(&mut record)
                .map_err(|e| RecordError::read(&source, Some(row + 1), e))?;
            if !more {
                break;
            }
            row += 1;
            for (i, column) in cells.iter_mut().enumerate() {
                column.push(record.get(i).filter(|v| !v.is_empty()).map(str::to_owned));
            }
        }
        let columns = header
            .iter()
            .zip(cells)
            .map(|(name, c)| {
                (
                    name.to_owned(),
                    std::sync::Arc::new(StringArray::from(c)) as ArrayRef,
                )
            })
            .collect();
        RecordTable::from_columns(source, columns)
    }

    /// A file: Parquet when its extension is `.parquet` or `.pq` (any
    /// case), CSV with a header otherwise. The source is the path.
    ///
    /// # Errors
    ///
    /// [`RecordError::Read`] when the file cannot be opened or decoded.
    ///
    /// ```
    /// let e = crm_io::records::RecordTable::read_file(std::path::Path::new("no/such.csv")).unwrap_err();
    /// assert!(e.to_string().starts_with("no/such.csv: "));
    /// ```
    pub fn read_file(path: &Path) -> Result<RecordTable, RecordError> {
        let source = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| RecordError::read(&source, None, e))?;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            #[cfg(feature = "parquet")]
            Some("parquet" | "pq") => {
                // The transaction reader's checks and decoder guard: a
                // damaged file is an error naming it, never a panic.
                let (schema, batches) = crate::parquet_input::read_all_batches(file, &source)
                    .map_err(|e| RecordError::read(&source, None, e))?;
                RecordTable::from_batches(source, &schema, &batches)
            }
            _ => RecordTable::from_csv(source, std::io::BufReader::new(file)),
        }
    }

    /// Reads `role` from the column `roles[role]` (a role not in the map
    /// keeps its own name).
    #[must_use]
    pub fn with_columns(mut self, roles: &HashMap<String, String>) -> RecordTable {
        self.roles = roles.clone();
        self
    }

    /// Reads customer ids as `ids` says.
    #[must_use]
    pub fn with_ids(mut self, ids: IdKind) -> RecordTable {
        self.ids = ids;
        self
    }

    /// The number of data rows.
    pub fn num_rows(&self) -> usize {
        self.rows
    }

    /// The column names, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The source, as messages name it.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The column name of `role`.
    fn column_name<'a>(&'a self, role: &'a str) -> &'a str {
        self.roles.get(role).map_or(role, String::as_str)
    }

    /// The column of `role`, if present.
    fn optional(&self, role: &'static str) -> Option<(&str, &ArrayRef)> {
        let name = self.column_name(role);
        let i = self.names.iter().position(|n| n == name)?;
        self.columns.get(i).map(|c| (name, c))
    }

    /// The column of `role`, which must be present.
    fn required(&self, role: &'static str) -> Result<(&str, &ArrayRef), RecordError> {
        self.optional(role).ok_or_else(|| RecordError::Missing {
            source_name: self.source.clone(),
            column: self.column_name(role).to_owned(),
            role,
            available: self.names.clone(),
        })
    }
}

/// A record table that cannot be read. Each variant names the source; a
/// row is a 1-based data row; no message quotes a cell.
///
/// ```
/// use crm_core::error::Diagnostic;
/// use crm_io::records::RecordError;
/// let e = RecordError::Value { source_name: "c.csv".into(), row: 2, column: "opened".into(), rule: "time_value", problem: "value is not a time" };
/// assert_eq!(e.to_string(), "c.csv row 2, column `opened`: value is not a time");
/// assert_eq!((e.rule(), e.row(), e.field()), ("time_value", Some(2), Some("opened")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The source cannot be opened or decoded (a malformed CSV record).
    #[error("{source_name}{}: {message}", row.map(|r| format!(" row {r}")).unwrap_or_default())]
    Read {
        /// The source.
        source_name: String,
        /// The row, when one is at fault.
        row: Option<u64>,
        /// What the reader said.
        message: String,
    },
    /// A required column is not in the table.
    #[error("{source_name}: column `{column}` ({role}) is not in the table (its columns: {})", available.join(", "))]
    Missing {
        /// The source.
        source_name: String,
        /// The column looked for.
        column: String,
        /// Its role.
        role: &'static str,
        /// The columns there are.
        available: Vec<String>,
    },
    /// A column of a type that cannot hold its role's values.
    #[error("{source_name}: column `{column}` ({role}) has type {found}; expected {expected}")]
    Type {
        /// The source.
        source_name: String,
        /// The column.
        column: String,
        /// Its role.
        role: &'static str,
        /// Its Arrow type.
        found: String,
        /// What the role takes.
        expected: &'static str,
    },
    /// Two columns of different lengths.
    #[error(
        "{source_name}: column `{column}` has {rows} rows but `{first}` has {first_rows}: the rule is one row per record"
    )]
    Length {
        /// The source.
        source_name: String,
        /// The column.
        column: String,
        /// Its length.
        rows: usize,
        /// The first column.
        first: String,
        /// Its length.
        first_rows: usize,
    },
    /// A value that breaks its column's rule.
    #[error("{source_name} row {row}, column `{column}`: {problem}")]
    Value {
        /// The source.
        source_name: String,
        /// The 1-based data row.
        row: u64,
        /// The column.
        column: String,
        /// The rule (snake_case id).
        rule: &'static str,
        /// What is wrong, in words.
        problem: &'static str,
    },
    /// A name outside crm-core's vocabulary (the allowed names are listed,
    /// the cell is not).
    #[error("{source_name} row {row}, column `{column}`: {error}")]
    Name {
        /// The source.
        source_name: String,
        /// The 1-based data row.
        row: u64,
        /// The column.
        column: String,
        /// crm-core's error.
        error: UnknownName,
    },
}

impl RecordError {
    fn read(source: &str, row: Option<u64>, e: impl fmt::Display) -> RecordError {
        RecordError::Read {
            source_name: source.to_owned(),
            row,
            message: e.to_string(),
        }
    }

    /// The source the error names (a file, or the caller's table).
    ///
    /// ```
    /// let e = crm_io::records::RecordError::Read { source_name: "b.csv".into(), row: None, message: "x".into() };
    /// assert_eq!(e.source_name(), "b.csv");
    /// ```
    pub fn source_name(&self) -> &str {
        match self {
            RecordError::Read { source_name, .. }
            | RecordError::Missing { source_name, .. }
            | RecordError::Type { source_name, .. }
            | RecordError::Length { source_name, .. }
            | RecordError::Value { source_name, .. }
            | RecordError::Name { source_name, .. } => source_name,
        }
    }
}

/// ```
/// use crm_core::error::{Diagnostic, ErrorClass};
/// let e = crm_io::records::RecordError::Missing { source_name: "r.csv".into(), column: "referrer".into(), role: "referrer", available: vec!["who".into()] };
/// assert_eq!((e.rule(), e.field(), e.class()), ("column_present", Some("referrer"), ErrorClass::Column));
/// ```
impl Diagnostic for RecordError {
    fn rule(&self) -> &'static str {
        match self {
            RecordError::Read { .. } => "readable",
            RecordError::Missing { .. } => "column_present",
            RecordError::Type { .. } => "column_type",
            RecordError::Length { .. } => "equal_length",
            RecordError::Value { rule, .. } => rule,
            RecordError::Name { error, .. } => error.rule(),
        }
    }
    fn row(&self) -> Option<u64> {
        match self {
            RecordError::Read { row, .. } => *row,
            RecordError::Value { row, .. } | RecordError::Name { row, .. } => Some(*row),
            _ => None,
        }
    }
    fn field(&self) -> Option<&str> {
        match self {
            RecordError::Read { .. } => None,
            RecordError::Missing { column, .. }
            | RecordError::Type { column, .. }
            | RecordError::Length { column, .. }
            | RecordError::Value { column, .. }
            | RecordError::Name { column, .. } => Some(column),
        }
    }
    fn class(&self) -> ErrorClass {
        match self {
            RecordError::Missing { .. } | RecordError::Length { .. } => ErrorClass::Column,
            RecordError::Type { .. } => ErrorClass::Type,
            RecordError::Read { .. } | RecordError::Value { .. } | RecordError::Name { .. } => {
                ErrorClass::Value
            }
        }
    }
}

/// The customer base: one [`CustomerSpan`] per row, in row order (the
/// caller builds the `CustomerBase`, whose errors name the same rows).
///
/// # Errors
///
/// A missing `customer` or `since` column, a column of the wrong type, a
/// missing id or `since`, a value that is not a day, an unknown tier.
///
/// ```
/// use crm_io::records::{RecordTable, IdKind, customer_base};
/// let t = RecordTable::from_csv("base.csv", "customer,since,until,tier\n1,2024-01-01,,major\n".as_bytes())?;
/// let spans = customer_base(&t.with_ids(IdKind::Int))?;
/// assert_eq!((spans[0].until, spans[0].tier.map(|t| t.to_string())), (None, Some("major".into())));
/// # Ok::<(), crm_io::records::RecordError>(())
/// ```
pub fn customer_base(table: &RecordTable) -> Result<Vec<CustomerSpan>, RecordError> {
    let c = Cells::new(table);
    let customer = c.ids("customer", true)?;
    let since = c.days("since", true)?;
    let until = c.days("until", false)?;
    let tier = c.texts("tier", false)?;
    let segment = c.texts("segment", false)?;
    let mut out = Vec::with_capacity(table.num_rows());
    for row in 0..table.num_rows() {
        let mut span = CustomerSpan::new(customer.need(row)?, since.need(row)?, until.get(row)?);
        span.tier = tier
            .get(row)?
            .map(|t| <Tier as Vocabulary>::from_name(&t).map_err(|e| tier.unknown(row, e)))
            .transpose()?;
        span.segment = segment.get(row)?;
        out.push(span);
    }
    Ok(out)
}

/// Complaints, one per row, in row order.
///
/// # Errors
///
/// A missing `customer` or `opened` column or value, a column of the
/// wrong type, a value that is not a time. (A response or resolution
/// before the opening is crm-core's rule, checked where complaints are
/// counted.)
///
/// ```
/// use crm_io::records::{RecordTable, complaints};
/// let t = RecordTable::from_csv("c.csv", "customer,opened\nC-1,2024-03-01T09:00:00Z\n".as_bytes())?;
/// let c = complaints(&t)?;
/// assert_eq!((c[0].channel.as_str(), c[0].resolved), ("unknown", None));
/// # Ok::<(), crm_io::records::RecordError>(())
/// ```
pub fn complaints(table: &RecordTable) -> Result<Vec<Complaint>, RecordError> {
    let c = Cells::new(table);
    let customer = c.ids("customer", true)?;
    let opened = c.times("opened", true)?;
    let channel = c.texts("channel", false)?;
    let first_response = c.times("first_response", false)?;
    let resolved = c.times("resolved", false)?;
    let outcome = c.texts("outcome", false)?;
    let mut out = Vec::with_capacity(table.num_rows());
    for row in 0..table.num_rows() {
        let customer = customer.need(row)?;
        let opened = opened.need(row)?;
        let channel = channel.get(row)?;
        let mut complaint = Complaint::new(
            customer,
            channel.as_deref().unwrap_or(UNKNOWN_CHANNEL),
            opened,
        );
        complaint.first_response = first_response.get(row)?;
        complaint.resolved = resolved.get(row)?;
        complaint.outcome = outcome.get(row)?;
        out.push(complaint);
    }
    Ok(out)
}

/// The channel of a complaint recorded without one.
pub const UNKNOWN_CHANNEL: &str = "unknown";

/// Referral events, one per row, in row order.
///
/// # Errors
///
/// A missing `referrer` or `time` column or value, a column of the wrong
/// type, a value that is not a time or not an id.
///
/// See the [module example](self).
pub fn referrals(table: &RecordTable) -> Result<Vec<Referral>, RecordError> {
    let c = Cells::new(table);
    let referrer = c.ids("referrer", true)?;
    let time = c.times("time", true)?;
    let referred = c.ids("referred", false)?;
    let mut out = Vec::with_capacity(table.num_rows());
    for row in 0..table.num_rows() {
        out.push(Referral {
            referrer: referrer.need(row)?,
            referred: referred.get(row)?,
            time: time.need(row)?,
        });
    }
    Ok(out)
}

/// Survey answers, one per row, in row order.
///
/// # Errors
///
/// A missing column or value, a column of the wrong type, an unknown
/// scale, a score that is not a whole number or beyond any scale (the
/// range of each scale is crm-core's rule, checked where answers are
/// counted).
///
/// ```
/// use crm_io::records::{RecordTable, answers};
/// let t = RecordTable::from_csv("a.csv", "customer,time,scale,score\n1,2024-03-01,csat,4\n".as_bytes())?;
/// assert_eq!(answers(&t)?[0].scale.to_string(), "csat");
/// # Ok::<(), crm_io::records::RecordError>(())
/// ```
pub fn answers(table: &RecordTable) -> Result<Vec<SurveyAnswer>, RecordError> {
    let c = Cells::new(table);
    let customer = c.ids("customer", true)?;
    let time = c.times("time", true)?;
    let scale = c.texts("scale", true)?;
    let score = c.whole("score", true)?;
    let mut out = Vec::with_capacity(table.num_rows());
    for row in 0..table.num_rows() {
        let customer = customer.need(row)?;
        let time = time.need(row)?;
        let scale = <SurveyScale as Vocabulary>::from_name(&scale.need(row)?)
            .map_err(|e| scale.unknown(row, e))?;
        let score = u8::try_from(score.need(row)?)
            .map_err(|_| score.value(row, "score_on_scale", "score is outside every scale"))?;
        out.push(SurveyAnswer {
            customer,
            time,
            scale,
            score,
        });
    }
    Ok(out)
}
