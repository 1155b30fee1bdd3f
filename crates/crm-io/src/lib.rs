//! # crm-io: transactions from files and Arrow into crm-core summaries
//!
//! crm-core holds the rules and takes plain columns; this crate reads the
//! columns: Arrow record batches ([`arrow_input`]), Parquet files
//! ([`parquet_input`]) and CSV files ([`csv_input`], including the
//! whitespace-separated CDNOW format), **batch by batch**, feeding each batch
//! to a crm-core accumulator. Memory grows with the customers (and their
//! purchase occasions), not with the transactions: a 100-million-row file
//! never sits in memory at once.
//!
//! Each reader takes a [`ColumnMapping`] (which input column is the customer
//! id, the date, the amount, and optionally quantity, margin and discount
//! flag, by name or position), a [`CalendarConfig`] (the time zone in which
//! timestamps become calendar days) and a [`SummaryConfig`]. Every call
//! returns the reconciliation of crm-core: rows read, used, skipped and
//! rejected, with row numbers and reasons; in strict mode the first rejected
//! row is an [`IoError::Rejected`] naming the source, row, column and rule.
//!
//! ## Treatment of bad input
//!
//! | input | treatment |
//! |---|---|
//! | null / empty customer id, date or amount | row rejected: `value is missing` |
//! | NaN or infinite amount | row rejected: `value is NaN or infinite` |
//! | text that is not a date / number / integer id / flag | row rejected: `value is not a date` (…) |
//! | amount with more decimals than the scale | row rejected (never rounded) |
//! | date outside chrono's range, id beyond `i64` | row rejected: `value is out of range` |
//! | date after `as_of`, before the window start | row skipped and reported |
//! | null quantity, margin or flag | not recorded; the row is used |
//! | malformed CSV record (too few fields) | missing fields are missing values |
//! | a column absent from the header / schema | [`IoError::Column`], nothing read |
//! | a column of a type that cannot hold its values (e.g. a boolean amount) | [`IoError::Column`], nothing read |
//! | an unreadable file | [`IoError::Read`] |
//! | a damaged Parquet file or Arrow IPC stream (truncated, corrupted, lengths beyond the buffer) | [`IoError::Damaged`] (rule `well_formed`) |
//!
//! None of these panics, and messages never quote a value: a row number and
//! a column name locate it without leaking personal data.
//!
//! ## Features
//!
//! `arrow` (Arrow input) and `parquet` (Parquet files) are on by default;
//! without them the crate reads CSV with crm-core alone (the fuzz target
//! builds it that way).
//!
//! ## Python bindings
//!
//! [`summarize_arrays`] takes Arrow arrays chosen by the caller (from a
//! pyarrow table, say) and returns the summaries and the reconciliation;
//! [`ArrowReader`] does the same batch by batch, and works with any
//! [`Sink`] (a summary or a calibration / holdout split).
//!
//! ## Where this crate sits
//!
//! Files and Arrow tables come in here, rules run in crm-core, and results
//! go back out as Arrow tables through [`tables`], the one layout every front
//! end writes (golden layouts in `crates/crm-io/schemas`). `docs/DESIGN.md`
//! in the repository draws the whole data flow; `docs/DOMAIN.md` holds the
//! rules.
//!
//! # Example
//!
//! ```
//! use chrono::NaiveDate;
//! use crm_core::records::summary::{SummaryConfig, Unit};
//! use crm_core::records::transaction::CalendarConfig;
//! use crm_io::{csv_input::{summarize_csv_reader, CsvOptions}, ColumnMapping};
//!
//! let data = "customer,date,amount\n1,1997-01-01,29.33\n1,1997-01-18,29.73\n2,1997-01-01,oops\n";
//! let config = SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 9, 30).unwrap()).with_unit(Unit::Week);
//! let out = summarize_csv_reader(data.as_bytes(), "inline.csv", &CsvOptions::default(),
//!                                &ColumnMapping::default(), &CalendarConfig::default(), config)?;
//! assert_eq!(out.summaries.len(), 1);
//! assert_eq!(out.reconciliation.rows_rejected, 1);
//! assert_eq!(out.reconciliation.rejections[0].to_string(), "row 3, column `amount`: value is not a decimal number");
//! # Ok::<(), crm_io::IoError>(())
//! ```
#![deny(missing_docs)]

use std::fmt;

use crm_core::records::reconciliation::{Column, RejectReason, Rejection};
use crm_core::records::summary::{
    CalibrationHoldoutAccumulator, ColumnBatch, ColumnNames, SummaryAccumulator, SummaryConfig,
    SummaryError,
};
use crm_core::records::transaction::CalendarConfig;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[cfg(feature = "arrow")]
pub mod arrow_input;
pub mod columns;
pub mod csv_input;
#[cfg(feature = "arrow")]
pub mod damaged;
mod diagnostic;
#[cfg(feature = "arrow")]
pub mod ipc;
#[cfg(feature = "parquet")]
pub mod parquet_input;
mod parse;
#[cfg(feature = "arrow")]
pub mod records;
#[cfg(feature = "arrow")]
pub mod tables;

#[cfg(feature = "arrow")]
pub use arrow_input::{
    ArrowReader, TransactionArrays, split_arrays, summarize_arrays, summarize_record_batches,
};
pub use csv_input::{CsvOptions, IdType, summarize_csv, summarize_csv_reader};
#[cfg(feature = "parquet")]
pub use parquet_input::summarize_parquet;

/// A column chosen by header name or by 0-based position.
///
/// # Example
///
/// ```
/// use crm_io::ColumnRef;
/// assert_eq!(ColumnRef::from("amount").to_string(), "amount");
/// assert_eq!(ColumnRef::Index(3).to_string(), "column 3");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ColumnRef {
    /// By name.
    Name(String),
    /// By 0-based position.
    Index(usize),
}

impl fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnRef::Name(n) => f.write_str(n),
            ColumnRef::Index(i) => write!(f, "column {i}"),
        }
    }
}

impl From<&str> for ColumnRef {
    fn from(s: &str) -> Self {
        ColumnRef::Name(s.to_owned())
    }
}

impl From<usize> for ColumnRef {
    fn from(i: usize) -> Self {
        ColumnRef::Index(i)
    }
}

/// Which input columns hold the transaction fields.
///
/// # Example
///
/// ```
/// use crm_io::{ColumnMapping, ColumnRef};
/// let m = ColumnMapping::new("cust_id", "order_ts", "net_amount").with_quantity("units");
/// assert_eq!(m.customer, ColumnRef::from("cust_id"));
/// assert_eq!(m.names().amount, "net_amount");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMapping {
    /// Customer id (integer or text).
    pub customer: ColumnRef,
    /// Date or timestamp.
    pub date: ColumnRef,
    /// Amount; negative for returns.
    pub amount: ColumnRef,
    /// Optional quantity.
    pub quantity: Option<ColumnRef>,
    /// Optional margin.
    pub margin: Option<ColumnRef>,
    /// Optional discount flag.
    pub discount: Option<ColumnRef>,
}

impl Default for ColumnMapping {
    fn default() -> Self {
        ColumnMapping::new("customer", "date", "amount")
    }
}

impl ColumnMapping {
    /// The three required columns.
    ///
    /// # Example
    ///
    /// See [`ColumnMapping`].
    pub fn new(
        customer: impl Into<ColumnRef>,
        date: impl Into<ColumnRef>,
        amount: impl Into<ColumnRef>,
    ) -> Self {
        ColumnMapping {
            customer: customer.into(),
            date: date.into(),
            amount: amount.into(),
            quantity: None,
            margin: None,
            discount: None,
        }
    }

    /// With a quantity column.
    ///
    /// # Example
    ///
    /// See [`ColumnMapping`].
    pub fn with_quantity(mut self, c: impl Into<ColumnRef>) -> Self {
        self.quantity = Some(c.into());
        self
    }

    /// With a margin column.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_io::ColumnMapping;
    /// assert!(ColumnMapping::default().with_margin("m").margin.is_some());
    /// ```
    pub fn with_margin(mut self, c: impl Into<ColumnRef>) -> Self {
        self.margin = Some(c.into());
        self
    }

    /// With a discount-flag column.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_io::ColumnMapping;
    /// assert!(ColumnMapping::default().with_discount("promo").discount.is_some());
    /// ```
    pub fn with_discount(mut self, c: impl Into<ColumnRef>) -> Self {
        self.discount = Some(c.into());
        self
    }

    /// The column names crm-core uses in messages.
    ///
    /// # Example
    ///
    /// See [`ColumnMapping`].
    pub fn names(&self) -> ColumnNames {
        let name = |c: &Option<ColumnRef>, d: Column| {
            c.as_ref()
                .map_or(d.default_name().to_owned(), |c| c.to_string())
        };
        ColumnNames {
            customer: self.customer.to_string(),
            date: self.date.to_string(),
            amount: self.amount.to_string(),
            quantity: name(&self.quantity, Column::Quantity),
            margin: name(&self.margin, Column::Margin),
            discount: name(&self.discount, Column::Discount),
        }
    }

    /// The mapped columns with their role, required ones first.
    #[cfg(feature = "parquet")]
    pub(crate) fn columns(&self) -> Vec<(Column, &ColumnRef)> {
        let mut v = vec![
            (Column::Customer, &self.customer),
            (Column::Date, &self.date),
            (Column::Amount, &self.amount),
        ];
        for (c, r) in [
            (Column::Quantity, &self.quantity),
            (Column::Margin, &self.margin),
            (Column::Discount, &self.discount),
        ] {
            if let Some(r) = r {
                v.push((c, r));
            }
        }
        v
    }
}

/// What went wrong reading transactions. Each variant names the source
/// (a file path, or the label the caller gave a stream).
///
/// # Example
///
/// ```
/// use crm_io::IoError;
/// let e = IoError::Column { source_name: "tx.parquet".into(), column: "amount".into(), rule: "has type Boolean, expected a number".into() };
/// assert_eq!(e.to_string(), "tx.parquet: column `amount` has type Boolean, expected a number");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum IoError {
    /// The source cannot be opened or read.
    #[error("{source_name}: {message}")]
    Read {
        /// The source.
        source_name: String,
        /// What the reader said.
        message: String,
    },
    /// A mapped column is absent or of a type that cannot hold its values.
    #[error("{source_name}: column `{column}` {rule}")]
    Column {
        /// The source.
        source_name: String,
        /// The column.
        column: String,
        /// What is wrong.
        rule: String,
    },
    /// Strict mode: the first rejected row.
    #[error("{source_name}: strict mode: {rejection}")]
    Rejected {
        /// The source.
        source_name: String,
        /// The row, column and rule.
        rejection: Rejection,
    },
    /// The source is damaged: its bytes break the structure of its format
    /// (a truncated or corrupted file, a length beyond the buffer), found
    /// by validation or by a decoder that failed on it
    /// ([`damaged`](crate::damaged)).
    #[error("{source_name}: damaged {format} data: {detail}")]
    Damaged {
        /// The source.
        source_name: String,
        /// The format the bytes were read as (`Parquet`, `Arrow IPC`).
        format: String,
        /// What is broken (never a value of the file).
        detail: String,
    },
    /// The summary itself failed (overflow, bad configuration).
    #[error("{source_name}: {error}")]
    Summary {
        /// The source.
        source_name: String,
        /// The error.
        error: SummaryError,
    },
}

impl IoError {
    /// A summary error of the source `source_name` (a strict rejection
    /// becomes [`IoError::Rejected`]), for callers that finish an
    /// accumulator a reader filled.
    ///
    /// ```
    /// use crm_core::records::summary::SummaryError;
    /// let e = crm_io::IoError::from_summary("tx.csv", SummaryError::TotalsOverflow);
    /// assert_eq!(e.source_name(), "tx.csv");
    /// ```
    pub fn from_summary(source_name: &str, error: SummaryError) -> Self {
        match error {
            SummaryError::Rejected(rejection) => IoError::Rejected {
                source_name: source_name.to_owned(),
                rejection,
            },
            error => IoError::Summary {
                source_name: source_name.to_owned(),
                error,
            },
        }
    }

    /// The source the error is about (a file path, or a caller's label).
    ///
    /// # Example
    ///
    /// ```
    /// let e = crm_io::IoError::Read { source_name: "tx.csv".into(), message: "gone".into() };
    /// assert_eq!(e.source_name(), "tx.csv");
    /// ```
    pub fn source_name(&self) -> &str {
        match self {
            IoError::Read { source_name, .. }
            | IoError::Column { source_name, .. }
            | IoError::Rejected { source_name, .. }
            | IoError::Damaged { source_name, .. }
            | IoError::Summary { source_name, .. } => source_name,
        }
    }

    #[cfg(feature = "arrow")]
    pub(crate) fn damaged(source_name: &str, format: &str, detail: impl fmt::Display) -> Self {
        IoError::Damaged {
            source_name: source_name.to_owned(),
            format: format.to_owned(),
            detail: detail.to_string(),
        }
    }

    pub(crate) fn read(source_name: &str, message: impl fmt::Display) -> Self {
        IoError::Read {
            source_name: source_name.to_owned(),
            message: message.to_string(),
        }
    }

    pub(crate) fn column(source_name: &str, column: &ColumnRef, rule: impl Into<String>) -> Self {
        IoError::Column {
            source_name: source_name.to_owned(),
            column: column.to_string(),
            rule: rule.into(),
        }
    }
}

/// Where readers put the transactions: a crm-core accumulator.
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::summary::{SummaryAccumulator, SummaryConfig};
/// use crm_io::Sink;
/// use crm_core::records::reconciliation::{Column, RejectReason};
/// let mut acc = SummaryAccumulator::new(SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()))?;
/// Sink::reject(&mut acc, 1, Column::Record, RejectReason::Malformed, None)?;
/// assert_eq!(acc.rows_read(), 1);
/// # Ok::<(), crm_core::records::summary::SummaryError>(())
/// ```
pub trait Sink {
    /// Adds one batch of columns.
    ///
    /// # Errors
    ///
    /// As [`SummaryAccumulator::add_batch`].
    fn add_batch(&mut self, batch: &ColumnBatch<'_>) -> Result<(), SummaryError>;
    /// Records a row that could not be turned into columns.
    ///
    /// # Errors
    ///
    /// As [`SummaryAccumulator::reject`].
    fn reject(
        &mut self,
        row: u64,
        column: Column,
        reason: RejectReason,
        amount: Option<Decimal>,
    ) -> Result<(), SummaryError>;
}

impl Sink for SummaryAccumulator {
    fn add_batch(&mut self, batch: &ColumnBatch<'_>) -> Result<(), SummaryError> {
        SummaryAccumulator::add_batch(self, batch)
    }
    fn reject(
        &mut self,
        row: u64,
        column: Column,
        reason: RejectReason,
        amount: Option<Decimal>,
    ) -> Result<(), SummaryError> {
        SummaryAccumulator::reject(self, row, column, reason, amount)
    }
}

impl Sink for CalibrationHoldoutAccumulator {
    fn add_batch(&mut self, batch: &ColumnBatch<'_>) -> Result<(), SummaryError> {
        CalibrationHoldoutAccumulator::add_batch(self, batch)
    }
    fn reject(
        &mut self,
        row: u64,
        column: Column,
        reason: RejectReason,
        amount: Option<Decimal>,
    ) -> Result<(), SummaryError> {
        CalibrationHoldoutAccumulator::reject(self, row, column, reason, amount)
    }
}

/// `config` with the column names of `mapping`, for messages.
pub(crate) fn named(config: SummaryConfig, mapping: &ColumnMapping) -> SummaryConfig {
    config.with_names(mapping.names())
}

/// Builds a summary accumulator named after `mapping`.
pub(crate) fn accumulator(
    source_name: &str,
    config: SummaryConfig,
    mapping: &ColumnMapping,
) -> Result<SummaryAccumulator, IoError> {
    SummaryAccumulator::new(named(config, mapping))
        .map_err(|e| IoError::from_summary(source_name, e))
}

/// A calibration / holdout accumulator named after `mapping` (the split of
/// `lifetimes`' `calibration_and_holdout_data`): `config.as_of` is the
/// observation end, `calibration_end` the cut. Feed it to any reader
/// ([`csv_input::read_csv_into`], [`parquet_input::read_parquet_into`],
/// [`ArrowReader`]).
///
/// # Errors
///
/// [`IoError::Summary`] as [`CalibrationHoldoutAccumulator::new`].
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::summary::SummaryConfig;
/// use crm_io::{calibration_accumulator, ColumnMapping};
/// let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
/// let m = ColumnMapping::default();
/// assert!(calibration_accumulator("x", SummaryConfig::new(d(6, 30)), &m, d(3, 31)).is_ok());
/// assert!(calibration_accumulator("x", SummaryConfig::new(d(3, 31)), &m, d(6, 30)).is_err());
/// ```
pub fn calibration_accumulator(
    source_name: &str,
    config: SummaryConfig,
    mapping: &ColumnMapping,
    calibration_end: chrono::NaiveDate,
) -> Result<CalibrationHoldoutAccumulator, IoError> {
    CalibrationHoldoutAccumulator::new(named(config, mapping), calibration_end)
        .map_err(|e| IoError::from_summary(source_name, e))
}

/// The calendar every reader defaults to: UTC.
///
/// # Example
///
/// ```
/// assert_eq!(crm_io::utc().zone, chrono_tz::UTC);
/// ```
pub fn utc() -> CalendarConfig {
    CalendarConfig::default()
}
