//! Per-customer summaries: from transaction columns to the figures every
//! other part of the engine uses.
//!
//! A [`SummaryAccumulator`] reads transactions column by column
//! ([`ColumnBatch`]: customer keys, day numbers, amounts, optional quantity,
//! margin and discount flag, each with an optional Arrow-style validity
//! bitmap) and keeps one small record per customer. It is a **partial
//! summary**: two accumulators built over any split of the input
//! [merge](SummaryAccumulator::merge) into exactly the accumulator of the
//! whole input, and it serialises, so partial summaries can be computed on
//! many machines and combined. [`SummaryAccumulator::finish`] turns it into
//! [`Summaries`] (one row per customer, sorted by customer id) and a
//! [`Reconciliation`].
//!
//! ## Definitions
//!
//! At the analysis date `as_of` (always explicit: the engine never reads the
//! clock), over the transactions dated `window_start ..= as_of`:
//!
//! * an **occasion** is a calendar day with at least one transaction of the
//!   customer (DOMAIN.md section 5). As in `lifetimes`, *every* transaction
//!   counts, returns included: a day with only a return is an occasion. Days
//!   are calendar days of the analysis zone ([`crate::records::transaction`]).
//! * **frequency** `x` = occasions − 1 (repeat occasions);
//! * **recency** `t_x` = last occasion − first occasion, and **age** `T` =
//!   `as_of` − first occasion, in the chosen [`Unit`]: days, or weeks as
//!   days / 7 (a fraction, not a count of calendar weeks: occasions stay
//!   calendar days whatever the unit);
//! * **monetary value** = mean net spend of the repeat occasions: the spend
//!   of all occasions but the first, divided by `x` (0 when `x` = 0), which
//!   is what `lifetimes.utils.summary_data_from_transaction_data` computes;
//! * **total spend** is the net sum of amounts (returns subtract), **mean
//!   spend** is total spend per transaction, **returns** count the rows with
//!   a negative amount and sum their amounts; **margin** and **quantity** sum
//!   the rows that carry them (`None` when none does); the **discount share**
//!   is the share of flagged-discounted rows among the rows with a flag.
//!
//! ### Window start
//!
//! A window start truncates the observation on the left: rows dated before
//! it are skipped (and reported), and a customer's first occasion is the
//! first one *in the window*. Use it to summarise a period; use the
//! [calibration / holdout split](CalibrationHoldoutAccumulator) to compare
//! two adjacent periods.
//!
//! ### Exact money
//!
//! Amounts are accumulated as `i128` mantissas at a fixed scale
//! ([`SummaryConfig::amount_scale`], default 6 decimal places). A decimal
//! amount with more decimal places than that is rejected, never rounded;
//! floating-point amounts (NaN and infinities rejected) are rounded to the
//! scale, since a float holds no more precision than that anyway. Amounts
//! whose mantissa exceeds 2^96 are rejected as out of range, and a sum that
//! would overflow is an error, never a wrap or a panic. Because all sums
//! are exact integers, the result does not depend on the input order or
//! the split into batches.
//!
//! ### How occasions are counted
//!
//! Distinct days per customer need the set of days, which an unsorted input
//! only gives at the end. The accumulator appends one 64-bit key
//! (customer index, day) per row whose day is neither the customer's current
//! first nor last day (so time-sorted input appends about one key per
//! occasion), and periodically radix-sorts and de-duplicates the keys into a
//! sorted, delta-encoded run of about 2 bytes per occasion. Memory therefore
//! grows with customers and their occasions, not with transactions.
//!
//! ### Memory
//!
//! Besides the input, a run holds per customer a 64-byte record, its id and
//! an index slot, plus the occasion run; [`finish`](SummaryAccumulator::finish)
//! puts the records into output order in place and converts them from the
//! back, freeing them as the output columns fill, so records and output are
//! never both whole in memory. The optional columns (quantity, margin,
//! discount) cost nothing when the input has none of them: their output
//! columns are then empty.
//!
//! ### Speed
//!
//! A batch is processed in chunks of 16k rows, in passes that each do one
//! thing: validate and reconcile every row; map customer ids to dense
//! indices (integer ids that are dense enough use a plain table, others a
//! hash map); then update each customer's 64-byte record, touching the
//! record a few rows ahead so that cache misses overlap. With a million
//! customers the run is bound by memory latency, and these passes let the
//! processor overlap the misses of consecutive rows.
//!
//! # Example
//!
//! ```
//! use chrono::NaiveDate;
//! use crm_core::records::summary::{Amounts, ColumnBatch, Keys, SummaryAccumulator, SummaryConfig, Unit};
//! use crm_core::records::transaction::day_number;
//!
//! let d = |m, day| day_number(NaiveDate::from_ymd_opt(1997, m, day).unwrap());
//! let ids = [1_i64, 1, 1, 2];
//! let days = [d(1, 1), d(1, 18), d(8, 2), d(1, 1)];
//! let cents = [2933_i64, 2973, 1496, 6334];
//!
//! let config = SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 9, 30).unwrap()).with_unit(Unit::Week);
//! let mut acc = SummaryAccumulator::new(config)?;
//! acc.add_batch(&ColumnBatch::new(1, Keys::Int(&ids), &days, Amounts::Scaled64 { mantissas: &cents, scale: 2 }))?;
//! let out = acc.finish()?;
//! let s = out.summaries.get(0).unwrap();
//! assert_eq!(s.frequency, 2);
//! assert_eq!(format!("{:.2}", s.recency), "30.43");
//! assert_eq!(s.monetary_value.to_string(), "22.345"); // (29.73 + 14.96) / 2
//! assert!(out.reconciliation.is_balanced());
//! # Ok::<(), crm_core::records::summary::SummaryError>(())
//! ```

use chrono::{Days, NaiveDate};
use hashbrown::HashMap;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::records::customer::CustomerId;
use crate::records::reconciliation::{
    Column, MAX_LISTED_REJECTIONS, Mantissa, Reconciliation, RejectReason, Rejection, Tally,
};
use crate::records::transaction::{
    CalendarConfig, DayConverter, Transaction, date_of_day, day_number, max_day, min_day,
};

/// Decimal places kept by default.
pub const DEFAULT_AMOUNT_SCALE: u32 = 6;

/// The most decimal places an accumulator can keep.
pub const MAX_AMOUNT_SCALE: u32 = 18;

/// The largest amount mantissa accepted (Decimal's 96-bit limit).
const MAX_MANTISSA: i128 = (1_i128 << 96) - 1;

/// Keys buffered before a compaction, at least (8 MiB).
const MIN_PENDING: usize = 1 << 20;

/// Output rows converted between two releases of the records' memory.
const FREE_EVERY: usize = 1 << 16;

/// Rows validated, indexed and added per pass.
const CHUNK: usize = 1 << 14;

/// How many rows ahead a customer's figures are touched (measured: 24
/// beats 8 by a third on a 1M-customer input).
const LOOKAHEAD: usize = 24;

/// Powers of ten up to 10^36.
const POW10: [i128; 37] = {
    let mut p = [1_i128; 37];
    let mut i = 1;
    while i < 37 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// The time unit of recency and age.
///
/// # Example
///
/// ```
/// use crm_core::records::summary::Unit;
/// assert_eq!(Unit::Week.of_days(14), 2.0);
/// assert_eq!(Unit::Day.of_days(14), 14.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub enum Unit {
    /// Days.
    #[default]
    Day,
    /// Weeks, as days / 7.
    Week,
}

impl Unit {
    /// A number of days in this unit.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::summary::Unit;
    /// assert_eq!(Unit::Week.of_days(7), 1.0);
    /// ```
    pub fn of_days(self, days: i64) -> f64 {
        match self {
            Unit::Day => days as f64,
            Unit::Week => days as f64 / 7.0,
        }
    }
}

/// The names of the input columns, used in rejections and errors.
///
/// # Example
///
/// ```
/// use crm_core::records::reconciliation::Column;
/// use crm_core::records::summary::ColumnNames;
/// let n = ColumnNames { amount: "dollars".into(), ..ColumnNames::default() };
/// assert_eq!(n.name(Column::Amount), "dollars");
/// assert_eq!(n.name(Column::Date), "date");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct ColumnNames {
    /// Customer id column.
    pub customer: String,
    /// Date or timestamp column.
    pub date: String,
    /// Amount column.
    pub amount: String,
    /// Quantity column.
    pub quantity: String,
    /// Margin column.
    pub margin: String,
    /// Discount flag column.
    pub discount: String,
}

impl Default for ColumnNames {
    fn default() -> Self {
        ColumnNames {
            customer: Column::Customer.default_name().into(),
            date: Column::Date.default_name().into(),
            amount: Column::Amount.default_name().into(),
            quantity: Column::Quantity.default_name().into(),
            margin: Column::Margin.default_name().into(),
            discount: Column::Discount.default_name().into(),
        }
    }
}

impl ColumnNames {
    /// The name of `column`.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::reconciliation::Column;
    /// use crm_core::records::summary::ColumnNames;
    /// assert_eq!(ColumnNames::default().name(Column::Record), "(record)");
    /// ```
    pub fn name(&self, column: Column) -> &str {
        match column {
            Column::Customer => &self.customer,
            Column::Date => &self.date,
            Column::Amount => &self.amount,
            Column::Quantity => &self.quantity,
            Column::Margin => &self.margin,
            Column::Discount => &self.discount,
            Column::Record => Column::Record.default_name(),
        }
    }
}

/// How to summarise.
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::summary::{SummaryConfig, Unit};
/// let c = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap())
///     .with_window_start(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap())
///     .with_unit(Unit::Week)
///     .strict();
/// assert!(c.strict);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct SummaryConfig {
    /// The analysis date: rows dated after it are skipped.
    pub as_of: NaiveDate,
    /// The first day observed: rows dated before it are skipped.
    pub window_start: Option<NaiveDate>,
    /// The unit of recency and age.
    pub unit: Unit,
    /// Decimal places kept for amounts (0..=18).
    pub amount_scale: u32,
    /// Whether the first rejected row stops the run with an error.
    pub strict: bool,
    /// How many rejected rows are listed individually.
    pub max_listed_rejections: usize,
    /// Column names for messages.
    pub names: ColumnNames,
}

impl SummaryConfig {
    /// Days as the unit, no window start, lenient, default scale and names.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::SummaryConfig;
    /// let c = SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 9, 30).unwrap());
    /// assert_eq!(c.amount_scale, 6);
    /// ```
    pub fn new(as_of: NaiveDate) -> Self {
        SummaryConfig {
            as_of,
            window_start: None,
            unit: Unit::Day,
            amount_scale: DEFAULT_AMOUNT_SCALE,
            strict: false,
            max_listed_rejections: MAX_LISTED_REJECTIONS,
            names: ColumnNames::default(),
        }
    }

    /// With a window start.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::SummaryConfig;
    /// let start = NaiveDate::from_ymd_opt(1997, 1, 1).unwrap();
    /// let c = SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 9, 30).unwrap()).with_window_start(start);
    /// assert_eq!(c.window_start, Some(start));
    /// ```
    pub fn with_window_start(mut self, start: NaiveDate) -> Self {
        self.window_start = Some(start);
        self
    }

    /// With a unit.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::{SummaryConfig, Unit};
    /// let c = SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 9, 30).unwrap()).with_unit(Unit::Week);
    /// assert_eq!(c.unit, Unit::Week);
    /// ```
    pub fn with_unit(mut self, unit: Unit) -> Self {
        self.unit = unit;
        self
    }

    /// With column names.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::{ColumnNames, SummaryConfig};
    /// let names = ColumnNames { customer: "cust".into(), ..ColumnNames::default() };
    /// let c = SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 9, 30).unwrap()).with_names(names);
    /// assert_eq!(c.names.customer, "cust");
    /// ```
    pub fn with_names(mut self, names: ColumnNames) -> Self {
        self.names = names;
        self
    }

    /// In strict mode.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::SummaryConfig;
    /// assert!(SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 9, 30).unwrap()).strict().strict);
    /// ```
    pub fn strict(mut self) -> Self {
        self.strict = true;
        self
    }

    fn check(&self) -> Result<(), SummaryError> {
        if self.amount_scale > MAX_AMOUNT_SCALE {
            return Err(SummaryError::InvalidScale {
                scale: self.amount_scale,
            });
        }
        if let Some(start) = self.window_start
            && start > self.as_of
        {
            return Err(SummaryError::WindowAfterAsOf {
                window_start: start,
                as_of: self.as_of,
            });
        }
        Ok(())
    }
}

/// What went wrong while summarising.
///
/// # Example
///
/// ```
/// use crm_core::records::reconciliation::{RejectReason, Rejection};
/// use crm_core::records::summary::SummaryError;
/// let e = SummaryError::Rejected(Rejection { row: 4, column: "date".into(), reason: RejectReason::Missing });
/// assert_eq!(e.to_string(), "strict mode: row 4, column `date`: value is missing");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub enum SummaryError {
    /// Strict mode: the first rejected row.
    #[error("strict mode: {0}")]
    Rejected(Rejection),
    /// A customer's sums left the accumulator's range.
    #[error(
        "sums of customer {customer} exceed the accumulator's range (2^96 at the chosen scale, 2^32 transactions)"
    )]
    CustomerOverflow {
        /// The customer.
        customer: CustomerId,
    },
    /// The run's reconciliation totals left the accumulator's range.
    #[error("reconciliation totals exceed the accumulator's range")]
    TotalsOverflow,
    /// A column of a batch has a different length than the customer column.
    #[error("column `{column}` has {found} rows, expected {expected}")]
    ColumnLength {
        /// The column name.
        column: String,
        /// The customer column's length.
        expected: usize,
        /// This column's length.
        found: usize,
    },
    /// The amount scale is beyond [`MAX_AMOUNT_SCALE`].
    #[error("amount scale {scale} exceeds the maximum of 18 decimal places")]
    InvalidScale {
        /// The scale asked for.
        scale: u32,
    },
    /// The window starts after the analysis date.
    #[error("window start {window_start} is after the analysis date {as_of}")]
    WindowAfterAsOf {
        /// The window start.
        window_start: NaiveDate,
        /// The analysis date.
        as_of: NaiveDate,
    },
    /// The calibration end is outside the observation window.
    #[error(
        "calibration end {calibration_end} must lie in the window and before the observation end {observation_end}"
    )]
    CalibrationEnd {
        /// The calibration end.
        calibration_end: NaiveDate,
        /// The observation end.
        observation_end: NaiveDate,
    },
    /// Two partial summaries made with different settings cannot merge.
    #[error("cannot merge partial summaries made with a different {setting}")]
    Incompatible {
        /// The setting that differs.
        setting: String,
    },
    /// A serialised partial summary is inconsistent.
    #[error("corrupt partial summary: {0}")]
    Corrupt(String),
}

/// An Arrow-style validity bitmap: bit `offset + i` (least significant bit
/// first) set means row `i` has a value. Rows beyond the bitmap count as
/// missing.
///
/// # Example
///
/// ```
/// use crm_core::records::summary::Validity;
/// let bits = [0b0000_0101_u8];
/// let v = Validity::new(&bits, 0);
/// assert!(v.is_valid(0) && !v.is_valid(1) && v.is_valid(2));
/// assert!(!Validity::new(&bits, 1).is_valid(0));
/// assert!(!v.is_valid(100));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity<'a> {
    bits: &'a [u8],
    offset: usize,
}

impl<'a> Validity<'a> {
    /// A bitmap starting at bit `offset` of `bits`.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::summary::Validity;
    /// let _ = Validity::new(&[0xff], 3);
    /// ```
    pub fn new(bits: &'a [u8], offset: usize) -> Self {
        Validity { bits, offset }
    }

    /// Whether row `i` has a value.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::summary::Validity;
    /// assert!(Validity::new(&[0b10], 0).is_valid(1));
    /// ```
    #[inline]
    pub fn is_valid(&self, i: usize) -> bool {
        let bit = self.offset.saturating_add(i);
        self.bits
            .get(bit >> 3)
            .is_some_and(|b| (b >> (bit & 7)) & 1 == 1)
    }
}

#[inline]
fn valid(v: &Option<Validity<'_>>, i: usize) -> bool {
    v.as_ref().is_none_or(|v| v.is_valid(i))
}

/// A column of customer keys.
///
/// # Example
///
/// ```
/// use crm_core::records::summary::Keys;
/// assert_eq!(Keys::Int(&[1, 2, 3]).len(), 3);
/// assert_eq!(Keys::Utf8 { offsets: &[0, 1, 3], data: b"abc" }.len(), 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys<'a> {
    /// Integer ids.
    Int(&'a [i64]),
    /// Text ids.
    Text(&'a [&'a str]),
    /// Text ids in Arrow `Utf8` layout: row `i` is
    /// `data[offsets[i]..offsets[i + 1]]`.
    Utf8 {
        /// `len + 1` offsets.
        offsets: &'a [i32],
        /// The bytes.
        data: &'a [u8],
    },
    /// Text ids in Arrow `LargeUtf8` layout.
    LargeUtf8 {
        /// `len + 1` offsets.
        offsets: &'a [i64],
        /// The bytes.
        data: &'a [u8],
    },
}

impl Keys<'_> {
    /// The number of rows.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::summary::Keys;
    /// assert!(Keys::Text(&[]).is_empty());
    /// ```
    pub fn len(&self) -> usize {
        match self {
            Keys::Int(v) => v.len(),
            Keys::Text(v) => v.len(),
            Keys::Utf8 { offsets, .. } => offsets.len().saturating_sub(1),
            Keys::LargeUtf8 { offsets, .. } => offsets.len().saturating_sub(1),
        }
    }

    /// Whether there are no rows.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::summary::Keys;
    /// assert!(!Keys::Int(&[1]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn slice(&self, start: usize, end: usize) -> Self {
        match *self {
            Keys::Int(v) => Keys::Int(v.get(start..end).unwrap_or(&[])),
            Keys::Text(v) => Keys::Text(v.get(start..end).unwrap_or(&[])),
            Keys::Utf8 { offsets, data } => Keys::Utf8 {
                offsets: offsets.get(start..=end).unwrap_or(&[]),
                data,
            },
            Keys::LargeUtf8 { offsets, data } => Keys::LargeUtf8 {
                offsets: offsets.get(start..=end).unwrap_or(&[]),
                data,
            },
        }
    }

    /// The bytes of text row `i` (None for integer keys or bad offsets).
    #[inline]
    fn text(&self, i: usize) -> Option<&[u8]> {
        match self {
            Keys::Int(_) => None,
            Keys::Text(v) => v.get(i).map(|s| s.as_bytes()),
            Keys::Utf8 { offsets, data } => {
                let a = usize::try_from(*offsets.get(i)?).ok()?;
                let b = usize::try_from(*offsets.get(i + 1)?).ok()?;
                data.get(a..b)
            }
            Keys::LargeUtf8 { offsets, data } => {
                let a = usize::try_from(*offsets.get(i)?).ok()?;
                let b = usize::try_from(*offsets.get(i + 1)?).ok()?;
                data.get(a..b)
            }
        }
    }
}

/// A column of amounts (or quantities, margins).
///
/// # Example
///
/// ```
/// use crm_core::records::summary::Amounts;
/// assert_eq!(Amounts::Float(&[1.5, 2.0]).len(), 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Amounts<'a> {
    /// Exact decimals as `i128` mantissas at `scale` (Arrow `Decimal128`).
    Scaled {
        /// The mantissas.
        mantissas: &'a [i128],
        /// Their scale (decimal places).
        scale: u32,
    },
    /// Exact decimals as `i64` mantissas at `scale` (integer columns: scale 0).
    Scaled64 {
        /// The mantissas.
        mantissas: &'a [i64],
        /// Their scale (decimal places).
        scale: u32,
    },
    /// Floating-point amounts, rounded to the accumulator's scale.
    Float(&'a [f64]),
    /// Decimals.
    Decimal(&'a [Decimal]),
}

impl Amounts<'_> {
    /// The number of rows.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::summary::Amounts;
    /// assert!(Amounts::Scaled64 { mantissas: &[], scale: 0 }.is_empty());
    /// ```
    pub fn len(&self) -> usize {
        match self {
            Amounts::Scaled { mantissas, .. } => mantissas.len(),
            Amounts::Scaled64 { mantissas, .. } => mantissas.len(),
            Amounts::Float(v) => v.len(),
            Amounts::Decimal(v) => v.len(),
        }
    }

    /// Whether there are no rows.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::summary::Amounts;
    /// assert!(!Amounts::Float(&[1.0]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn slice(&self, start: usize, end: usize) -> Self {
        match *self {
            Amounts::Scaled { mantissas, scale } => Amounts::Scaled {
                mantissas: mantissas.get(start..end).unwrap_or(&[]),
                scale,
            },
            Amounts::Scaled64 { mantissas, scale } => Amounts::Scaled64 {
                mantissas: mantissas.get(start..end).unwrap_or(&[]),
                scale,
            },
            Amounts::Float(v) => Amounts::Float(v.get(start..end).unwrap_or(&[])),
            Amounts::Decimal(v) => Amounts::Decimal(v.get(start..end).unwrap_or(&[])),
        }
    }

    /// Row `i` as a decimal, when it is one (finite, in range).
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::summary::Amounts;
    /// use rust_decimal_macros::dec;
    /// assert_eq!(Amounts::Scaled64 { mantissas: &[2933], scale: 2 }.decimal(0), Some(dec!(29.33)));
    /// assert_eq!(Amounts::Float(&[f64::NAN]).decimal(0), None);
    /// ```
    pub fn decimal(&self, i: usize) -> Option<Decimal> {
        match self {
            Amounts::Scaled { mantissas, scale } => {
                Decimal::try_from_i128_with_scale(*mantissas.get(i)?, *scale).ok()
            }
            Amounts::Scaled64 { mantissas, scale } => {
                Decimal::try_from_i128_with_scale(i128::from(*mantissas.get(i)?), *scale).ok()
            }
            Amounts::Float(v) => Decimal::from_f64_retain(*v.get(i)?),
            Amounts::Decimal(v) => v.get(i).copied(),
        }
    }

    /// Row `i` as a mantissa at `scale`.
    #[inline]
    fn get(&self, i: usize, scale: u32) -> Result<Mantissa, RejectReason> {
        match self {
            Amounts::Scaled {
                mantissas,
                scale: s,
            } => rescale(*mantissas.get(i).ok_or(RejectReason::Missing)?, *s, scale),
            Amounts::Scaled64 {
                mantissas,
                scale: s,
            } => rescale(
                i128::from(*mantissas.get(i).ok_or(RejectReason::Missing)?),
                *s,
                scale,
            ),
            Amounts::Float(v) => float_mantissa(*v.get(i).ok_or(RejectReason::Missing)?, scale),
            Amounts::Decimal(v) => {
                let d = v.get(i).ok_or(RejectReason::Missing)?;
                rescale(d.mantissa(), d.scale(), scale)
            }
        }
    }
}

/// `m` at scale `from` as a mantissa at scale `to`, exactly.
#[inline]
fn rescale(m: i128, from: u32, to: u32) -> Result<Mantissa, RejectReason> {
    let out = if from == to {
        m
    } else if from < to {
        let f = POW10
            .get((to - from) as usize)
            .ok_or(RejectReason::OutOfRange)?;
        m.checked_mul(*f).ok_or(RejectReason::OutOfRange)?
    } else {
        let f = POW10.get((from - to) as usize).copied().unwrap_or(0);
        if f == 0 {
            // More than 36 extra places: exact only for zero.
            if m == 0 {
                0
            } else {
                return Err(RejectReason::TooManyDecimals { max: to });
            }
        } else if m % f == 0 {
            m / f
        } else {
            return Err(RejectReason::TooManyDecimals { max: to });
        }
    };
    if out.unsigned_abs() > MAX_MANTISSA as u128 {
        return Err(RejectReason::OutOfRange);
    }
    Ok(out)
}

#[inline]
fn float_mantissa(v: f64, scale: u32) -> Result<Mantissa, RejectReason> {
    if !v.is_finite() {
        return Err(RejectReason::NotFinite);
    }
    let scaled = (v * 10f64.powi(scale as i32)).round();
    if scaled.abs() >= MAX_MANTISSA as f64 {
        return Err(RejectReason::OutOfRange);
    }
    Ok(scaled as i128)
}

/// A column of flags.
///
/// # Example
///
/// ```
/// use crm_core::records::summary::Flags;
/// assert_eq!(Flags::Bool(&[true, false]).len(), 2);
/// assert_eq!(Flags::Bits { bits: &[0b01], offset: 0, len: 2 }.len(), 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flags<'a> {
    /// One bool per row.
    Bool(&'a [bool]),
    /// Arrow boolean layout.
    Bits {
        /// The bits.
        bits: &'a [u8],
        /// The first bit.
        offset: usize,
        /// The number of rows.
        len: usize,
    },
}

impl Flags<'_> {
    /// The number of rows.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::summary::Flags;
    /// assert!(Flags::Bool(&[]).is_empty());
    /// ```
    pub fn len(&self) -> usize {
        match self {
            Flags::Bool(v) => v.len(),
            Flags::Bits { len, .. } => *len,
        }
    }

    /// Whether there are no rows.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::summary::Flags;
    /// assert!(!Flags::Bool(&[true]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn slice(&self, start: usize, end: usize) -> Self {
        match *self {
            Flags::Bool(v) => Flags::Bool(v.get(start..end).unwrap_or(&[])),
            Flags::Bits { bits, offset, .. } => Flags::Bits {
                bits,
                offset: offset.saturating_add(start),
                len: end.saturating_sub(start),
            },
        }
    }

    #[inline]
    fn get(&self, i: usize) -> Option<bool> {
        match self {
            Flags::Bool(v) => v.get(i).copied(),
            Flags::Bits { bits, offset, len } => {
                (i < *len).then(|| Validity::new(bits, *offset).is_valid(i))
            }
        }
    }
}

/// One batch of transaction columns, all of the same length.
///
/// # Example
///
/// ```
/// use crm_core::records::summary::{Amounts, ColumnBatch, Keys};
/// let b = ColumnBatch::new(1, Keys::Int(&[7]), &[10_000], Amounts::Float(&[9.99]));
/// assert_eq!(b.first_row, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnBatch<'a> {
    /// The row number of the first row (1-based, for reconciliation).
    pub first_row: u64,
    /// Explicit row numbers, when the rows are not consecutive.
    pub row_numbers: Option<&'a [u64]>,
    /// Customer ids.
    pub customers: Keys<'a>,
    /// Which customer ids are present.
    pub customers_validity: Option<Validity<'a>>,
    /// Days since 1970-01-01 in the analysis zone ([`crate::records::transaction`]).
    pub days: &'a [i32],
    /// Which days are present.
    pub days_validity: Option<Validity<'a>>,
    /// Amounts.
    pub amounts: Amounts<'a>,
    /// Which amounts are present.
    pub amounts_validity: Option<Validity<'a>>,
    /// Optional quantities (a missing value is "not recorded").
    pub quantities: Option<(Amounts<'a>, Option<Validity<'a>>)>,
    /// Optional margins (a missing value is "not recorded").
    pub margins: Option<(Amounts<'a>, Option<Validity<'a>>)>,
    /// Optional discount flags (a missing value is "not recorded").
    pub discounted: Option<(Flags<'a>, Option<Validity<'a>>)>,
}

impl<'a> ColumnBatch<'a> {
    /// A batch of the three required columns, all values present.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::summary::{Amounts, ColumnBatch, Keys};
    /// let b = ColumnBatch::new(1, Keys::Text(&["a"]), &[0], Amounts::Float(&[1.0]));
    /// assert!(b.quantities.is_none());
    /// ```
    pub fn new(first_row: u64, customers: Keys<'a>, days: &'a [i32], amounts: Amounts<'a>) -> Self {
        ColumnBatch {
            first_row,
            row_numbers: None,
            customers,
            customers_validity: None,
            days,
            days_validity: None,
            amounts,
            amounts_validity: None,
            quantities: None,
            margins: None,
            discounted: None,
        }
    }

    /// Rows `start..start + len` of this batch (clamped to the batch),
    /// numbered as in the whole batch.
    ///
    /// # Example
    ///
    /// ```
    /// use crm_core::records::summary::{Amounts, ColumnBatch, Keys};
    /// let days = [1, 2, 3];
    /// let b = ColumnBatch::new(10, Keys::Utf8 { offsets: &[0, 1, 2, 3], data: b"abc" }, &days, Amounts::Float(&[1.0, 2.0, 3.0]));
    /// let s = b.slice(1, 5);
    /// assert_eq!((s.first_row, s.customers.len(), s.days), (11, 2, &days[1..]));
    /// ```
    pub fn slice(&self, start: usize, len: usize) -> ColumnBatch<'a> {
        let n = self.customers.len();
        let start = start.min(n);
        let end = start.saturating_add(len).min(n);
        let v = |v: Option<Validity<'a>>| {
            v.map(|v| Validity {
                bits: v.bits,
                offset: v.offset.saturating_add(start),
            })
        };
        let a = |a: Amounts<'a>| a.slice(start, end);
        ColumnBatch {
            first_row: self.first_row.saturating_add(start as u64),
            row_numbers: self.row_numbers.map(|r| r.get(start..end).unwrap_or(&[])),
            customers: self.customers.slice(start, end),
            customers_validity: v(self.customers_validity),
            days: self.days.get(start..end).unwrap_or(&[]),
            days_validity: v(self.days_validity),
            amounts: a(self.amounts),
            amounts_validity: v(self.amounts_validity),
            quantities: self.quantities.map(|(q, qv)| (a(q), v(qv))),
            margins: self.margins.map(|(m, mv)| (a(m), v(mv))),
            discounted: self.discounted.map(|(f, fv)| (f.slice(start, end), v(fv))),
        }
    }

    #[inline]
    fn row(&self, i: usize) -> u64 {
        match self.row_numbers.and_then(|r| r.get(i)) {
            Some(r) => *r,
            None => self.first_row.saturating_add(i as u64),
        }
    }
}

/// Per-customer running figures, 64 bytes.
///
/// Aligned to 16, not to a cache line: a vector of over-aligned values
/// cannot shrink in place (the allocator copies it), and `finish` shrinks
/// the records as it converts them. The rarely used `returns_amount` comes
/// last, so a record that straddles two lines mostly touches one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[repr(C, align(16))]
struct Cell {
    first_day: i32,
    last_day: i32,
    transactions: u32,
    returns: u32,
    total: Mantissa,
    first_day_spend: Mantissa,
    returns_amount: Mantissa,
}

impl Default for Cell {
    fn default() -> Self {
        Cell {
            first_day: i32::MAX,
            last_day: i32::MIN,
            transactions: 0,
            returns: 0,
            total: 0,
            first_day_spend: 0,
            returns_amount: 0,
        }
    }
}

/// Per-customer figures of the optional columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
struct Extra {
    quantity: Mantissa,
    margin: Mantissa,
    quantity_rows: u64,
    margin_rows: u64,
    flag_rows: u64,
    discounted: u64,
}

/// Customer id to dense index.
///
/// Integer ids in `0..direct.len()` are looked up in a plain table (most
/// order systems number customers densely); the table grows while it stays
/// within a few slots per customer, and other integer ids go to a hash map.
#[derive(Debug, Clone, Default)]
struct CustomerIndex {
    /// Slot `k`: index + 1 of integer id `k`, or 0.
    direct: Vec<u32>,
    ints: HashMap<i64, u32>,
    texts: HashMap<Box<[u8]>, u32>,
    ids: Vec<CustomerId>,
}

/// Direct-table slots allowed per customer, and always.
const DIRECT_PER_CUSTOMER: usize = 4;
const DIRECT_MIN: usize = 1 << 20;

impl CustomerIndex {
    fn next(&self) -> Option<u32> {
        u32::try_from(self.ids.len())
            .ok()
            .filter(|n| *n < u32::MAX - 1)
    }

    /// Index of integer id `k`, and whether it is new.
    #[inline]
    fn int(&mut self, k: i64) -> Option<(u32, bool)> {
        if let Ok(u) = usize::try_from(k) {
            if u >= self.direct.len() {
                self.grow_direct(u);
            }
            if let Some(slot) = self.direct.get(u).copied() {
                if slot != 0 {
                    return Some((slot - 1, false));
                }
                let i = self.next()?;
                if let Some(s) = self.direct.get_mut(u) {
                    *s = i + 1;
                }
                self.ids.push(CustomerId::Int(k));
                return Some((i, true));
            }
        }
        if let Some(i) = self.ints.get(&k) {
            return Some((*i, false));
        }
        let i = self.next()?;
        self.ints.insert(k, i);
        self.ids.push(CustomerId::Int(k));
        Some((i, true))
    }

    /// Grows the direct table to cover `u` if that keeps it within bounds,
    /// moving the hash map's ids it now covers.
    #[cold]
    fn grow_direct(&mut self, u: usize) {
        let limit = DIRECT_MIN.max(
            self.ids
                .len()
                .saturating_add(1)
                .saturating_mul(DIRECT_PER_CUSTOMER),
        );
        if u >= limit {
            return;
        }
        let new_len = u
            .saturating_add(1)
            .max(self.direct.len().saturating_mul(2))
            .max(1024)
            .min(limit);
        let old_len = self.direct.len();
        self.direct.resize(new_len, 0);
        if !self.ints.is_empty() {
            let direct = &mut self.direct;
            self.ints.retain(|k, i| match usize::try_from(*k) {
                Ok(u) if u >= old_len && u < new_len => {
                    if let Some(s) = direct.get_mut(u) {
                        *s = *i + 1;
                    }
                    false
                }
                _ => true,
            });
        }
    }

    /// Index of text id `k`, whether it is new; `Err` for invalid UTF-8.
    #[inline]
    fn text(&mut self, k: &[u8]) -> Result<Option<(u32, bool)>, RejectReason> {
        if let Some(i) = self.texts.get(k) {
            return Ok(Some((*i, false)));
        }
        let s = std::str::from_utf8(k).map_err(|_| RejectReason::InvalidUtf8)?;
        let Some(i) = self.next() else {
            return Ok(None);
        };
        self.texts.insert(k.into(), i);
        self.ids.push(CustomerId::Str(s.to_owned()));
        Ok(Some((i, true)))
    }

    /// The customer indices in output order: by id. Integer ids need no
    /// sort when the direct table holds them (it is in id order); the few
    /// in the hash map are negative or beyond the table and sort apart.
    fn output_order(&self) -> Vec<u32> {
        let mut order: Vec<u32> = Vec::with_capacity(self.ids.len());
        if !self.texts.is_empty() {
            order.extend(0..self.ids.len() as u32);
            order
                .sort_unstable_by(|a, b| self.ids.get(*a as usize).cmp(&self.ids.get(*b as usize)));
            return order;
        }
        let mut outside: Vec<(i64, u32)> = self.ints.iter().map(|(k, i)| (*k, *i)).collect();
        radsort::sort_by_key(&mut outside, |p| p.0);
        let negative = outside.partition_point(|p| p.0 < 0);
        let (below, above) = outside.split_at(negative);
        order.extend(below.iter().map(|p| p.1));
        order.extend(self.direct.iter().filter(|s| **s != 0).map(|s| s - 1));
        order.extend(above.iter().map(|p| p.1));
        order
    }

    fn id(&mut self, id: &CustomerId) -> Option<(u32, bool)> {
        match id {
            CustomerId::Int(k) => self.int(*k),
            CustomerId::Str(s) => self.text(s.as_bytes()).ok().flatten(),
        }
    }
}

/// The occasion key of (customer index, day): sorts by customer, then day.
#[inline]
fn key(idx: u32, day: i32) -> u64 {
    (u64::from(idx) << 32) | u64::from((day as u32) ^ 0x8000_0000)
}

#[inline]
fn key_index(k: u64) -> usize {
    (k >> 32) as usize
}

#[inline]
fn key_day(k: u64) -> i32 {
    ((k as u32) ^ 0x8000_0000) as i32
}

/// The mergeable partial summary: feed it column batches, merge it with
/// others, finish it into [`Summaries`]. See the [module docs](self).
///
/// It serialises as its configuration, the customer ids, their running
/// figures and the sorted occasion keys.
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::summary::{Amounts, ColumnBatch, Keys, SummaryAccumulator, SummaryConfig};
///
/// let config = SummaryConfig::new(NaiveDate::from_ymd_opt(1970, 2, 1).unwrap());
/// let (mut left, mut right) = (SummaryAccumulator::new(config.clone())?, SummaryAccumulator::new(config)?);
/// left.add_batch(&ColumnBatch::new(1, Keys::Int(&[1, 2]), &[3, 4], Amounts::Float(&[10.0, 5.0])))?;
/// right.add_batch(&ColumnBatch::new(3, Keys::Int(&[1]), &[9], Amounts::Float(&[2.5])))?;
/// left.merge(right)?;
/// let out = left.finish()?;
/// assert_eq!(out.summaries.len(), 2);
/// assert_eq!(out.summaries.frequency, vec![1, 0]);
/// assert_eq!(out.reconciliation.rows_used, 3);
/// # Ok::<(), crm_core::records::summary::SummaryError>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(into = "PartialRepr", try_from = "PartialRepr")]
pub struct SummaryAccumulator {
    config: SummaryConfig,
    as_of_day: i32,
    start_day: i32,
    index: CustomerIndex,
    cells: Vec<Cell>,
    extra: Vec<Extra>,
    /// Whether `extra` is kept (once an optional column was seen).
    track_extra: bool,
    /// Unsorted keys since the last compaction.
    pending: Vec<u64>,
    /// Sorted, de-duplicated keys.
    occasions: OccasionRun,
    tally: Tally,
}

/// The serialised form of a [`SummaryAccumulator`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
struct PartialRepr {
    config: SummaryConfig,
    ids: Vec<CustomerId>,
    cells: Vec<Cell>,
    extra: Vec<Extra>,
    occasions: Vec<u64>,
    tally: Tally,
}

impl From<SummaryAccumulator> for PartialRepr {
    fn from(mut a: SummaryAccumulator) -> Self {
        a.compact();
        PartialRepr {
            config: a.config,
            ids: a.index.ids,
            cells: a.cells,
            extra: a.extra,
            occasions: a.occasions.iter().collect(),
            tally: a.tally,
        }
    }
}

impl TryFrom<PartialRepr> for SummaryAccumulator {
    type Error = SummaryError;

    fn try_from(r: PartialRepr) -> Result<Self, SummaryError> {
        let corrupt = |what: &str| SummaryError::Corrupt(what.to_owned());
        let mut acc = SummaryAccumulator::new(r.config)?;
        if r.cells.len() != r.ids.len() || (!r.extra.is_empty() && r.extra.len() != r.ids.len()) {
            return Err(corrupt("column lengths differ"));
        }
        for id in &r.ids {
            match acc.index.id(id) {
                Some((_, true)) => {}
                _ => return Err(corrupt("duplicate or invalid customer id")),
            }
        }
        if r.occasions.iter().any(|k| key_index(*k) >= r.ids.len()) {
            return Err(corrupt("occasion of an unknown customer"));
        }
        acc.cells = r.cells;
        acc.track_extra = !r.extra.is_empty();
        acc.extra = r.extra;
        acc.pending = r.occasions;
        acc.tally = r.tally;
        acc.compact();
        Ok(acc)
    }
}

impl SummaryAccumulator {
    /// An empty accumulator.
    ///
    /// # Errors
    ///
    /// [`SummaryError::InvalidScale`], [`SummaryError::WindowAfterAsOf`].
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::{SummaryAccumulator, SummaryConfig};
    /// let acc = SummaryAccumulator::new(SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 9, 30).unwrap()))?;
    /// assert_eq!(acc.customers(), 0);
    /// # Ok::<(), crm_core::records::summary::SummaryError>(())
    /// ```
    pub fn new(config: SummaryConfig) -> Result<Self, SummaryError> {
        config.check()?;
        let as_of_day = day_number(config.as_of);
        Ok(SummaryAccumulator {
            as_of_day,
            start_day: config.window_start.map_or(i32::MIN, day_number),
            config,
            index: CustomerIndex::default(),
            cells: Vec::new(),
            extra: Vec::new(),
            track_extra: false,
            pending: Vec::new(),
            occasions: OccasionRun::new(as_of_day),
            tally: Tally::default(),
        })
    }

    /// The configuration.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::{SummaryAccumulator, SummaryConfig};
    /// let c = SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 9, 30).unwrap());
    /// assert_eq!(SummaryAccumulator::new(c.clone())?.config(), &c);
    /// # Ok::<(), crm_core::records::summary::SummaryError>(())
    /// ```
    pub fn config(&self) -> &SummaryConfig {
        &self.config
    }

    /// The number of customers seen so far.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::{Amounts, ColumnBatch, Keys, SummaryAccumulator, SummaryConfig};
    /// let mut acc = SummaryAccumulator::new(SummaryConfig::new(NaiveDate::from_ymd_opt(1971, 1, 1).unwrap()))?;
    /// acc.add_batch(&ColumnBatch::new(1, Keys::Int(&[5, 5, 6]), &[1, 2, 3], Amounts::Float(&[1.0, 1.0, 1.0])))?;
    /// assert_eq!(acc.customers(), 2);
    /// # Ok::<(), crm_core::records::summary::SummaryError>(())
    /// ```
    pub fn customers(&self) -> usize {
        self.index.ids.len()
    }

    /// Rows read so far.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::{SummaryAccumulator, SummaryConfig};
    /// let acc = SummaryAccumulator::new(SummaryConfig::new(NaiveDate::from_ymd_opt(1971, 1, 1).unwrap()))?;
    /// assert_eq!(acc.rows_read(), 0);
    /// # Ok::<(), crm_core::records::summary::SummaryError>(())
    /// ```
    pub fn rows_read(&self) -> u64 {
        self.tally.rows_read
    }

    /// Records a row the caller could not turn into columns (a CSV field
    /// that does not parse, a malformed record). `amount` is the row's amount
    /// when it could be read. In strict mode this returns the rejection as
    /// an error.
    ///
    /// # Errors
    ///
    /// [`SummaryError::Rejected`] in strict mode; [`SummaryError::TotalsOverflow`].
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::reconciliation::{Column, Expected, RejectReason};
    /// use crm_core::records::summary::{SummaryAccumulator, SummaryConfig};
    /// let mut acc = SummaryAccumulator::new(SummaryConfig::new(NaiveDate::from_ymd_opt(1971, 1, 1).unwrap()))?;
    /// acc.reject(3, Column::Date, RejectReason::Unparseable(Expected::Date), None)?;
    /// let r = acc.finish()?.reconciliation;
    /// assert_eq!((r.rows_read, r.rows_rejected), (1, 1));
    /// assert_eq!(r.rejections[0].to_string(), "row 3, column `date`: value is not a date");
    /// # Ok::<(), crm_core::records::summary::SummaryError>(())
    /// ```
    pub fn reject(
        &mut self,
        row: u64,
        column: Column,
        reason: RejectReason,
        amount: Option<Decimal>,
    ) -> Result<(), SummaryError> {
        // The amount of a rejected row only enters the reconciliation: it is
        // rounded to the accumulator's scale (a float's binary expansion
        // would otherwise have too many places).
        let scale = self.config.amount_scale;
        let m = amount.and_then(|d| {
            let d = d.round_dp(scale);
            rescale(d.mantissa(), d.scale(), scale).ok()
        });
        self.tally
            .read(m)
            .map_err(|_| SummaryError::TotalsOverflow)?;
        self.rejected(row, column, reason, m)
    }

    #[cold]
    fn rejected(
        &mut self,
        row: u64,
        column: Column,
        reason: RejectReason,
        amount: Option<Mantissa>,
    ) -> Result<(), SummaryError> {
        let rejection = Rejection {
            row,
            column: self.config.names.name(column).to_owned(),
            reason,
        };
        if self.config.strict {
            return Err(SummaryError::Rejected(rejection));
        }
        self.tally
            .rejected(rejection, amount, self.config.max_listed_rejections)
            .map_err(|_| SummaryError::TotalsOverflow)
    }

    fn check_len(&self, column: Column, expected: usize, found: usize) -> Result<(), SummaryError> {
        if expected == found {
            Ok(())
        } else {
            Err(SummaryError::ColumnLength {
                column: self.config.names.name(column).to_owned(),
                expected,
                found,
            })
        }
    }

    /// Adds one batch of columns.
    ///
    /// Each row is validated (customer, date, amount, then the optional
    /// columns; see [`crate::records::reconciliation`]), then skipped if dated outside
    /// the window, else added to its customer.
    ///
    /// # Errors
    ///
    /// [`SummaryError::ColumnLength`] (nothing is added),
    /// [`SummaryError::Rejected`] in strict mode, [`SummaryError::CustomerOverflow`],
    /// [`SummaryError::TotalsOverflow`]. After an error other than
    /// `ColumnLength` the accumulator holds part of the batch: discard it.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::{Amounts, ColumnBatch, Keys, SummaryAccumulator, SummaryConfig};
    /// let mut acc = SummaryAccumulator::new(SummaryConfig::new(NaiveDate::from_ymd_opt(1970, 1, 11).unwrap()))?;
    /// // Day 20 is after as_of (day 10): skipped. NaN: rejected.
    /// acc.add_batch(&ColumnBatch::new(1, Keys::Int(&[1, 1, 2]), &[5, 20, 5], Amounts::Float(&[3.0, 4.0, f64::NAN])))?;
    /// let r = acc.finish()?.reconciliation;
    /// assert_eq!((r.rows_used, r.rows_skipped_after_as_of, r.rows_rejected), (1, 1, 1));
    /// # Ok::<(), crm_core::records::summary::SummaryError>(())
    /// ```
    pub fn add_batch(&mut self, batch: &ColumnBatch<'_>) -> Result<(), SummaryError> {
        let n = batch.customers.len();
        self.check_len(Column::Date, n, batch.days.len())?;
        self.check_len(Column::Amount, n, batch.amounts.len())?;
        if let Some((q, _)) = &batch.quantities {
            self.check_len(Column::Quantity, n, q.len())?;
        }
        if let Some((m, _)) = &batch.margins {
            self.check_len(Column::Margin, n, m.len())?;
        }
        if let Some((f, _)) = &batch.discounted {
            self.check_len(Column::Discount, n, f.len())?;
        }
        if let Some(r) = batch.row_numbers {
            self.check_len(Column::Record, n, r.len())?;
        }
        let has_extra =
            batch.quantities.is_some() || batch.margins.is_some() || batch.discounted.is_some();
        if has_extra {
            self.ensure_extra();
        }
        let scale = self.config.amount_scale;
        let (lo, hi) = (self.start_day, self.as_of_day);
        let (dmin, dmax) = (min_day(), max_day());
        // Text ids are checked for UTF-8 when first seen; strict mode checks
        // every row up front so that the first rejected row is reported.
        let check_text = self.config.strict && !matches!(batch.customers, Keys::Int(_));
        let mut sel: Vec<usize> = Vec::with_capacity(CHUNK.min(n));
        let mut sel_days: Vec<i32> = Vec::with_capacity(CHUNK.min(n));
        let mut sel_amounts: Vec<Mantissa> = Vec::with_capacity(CHUNK.min(n));
        let mut sel_extra: Vec<(Option<Mantissa>, Option<Mantissa>, Option<bool>)> = Vec::new();
        let mut idx: Vec<u32> = Vec::with_capacity(CHUNK.min(n));
        let mut start = 0;
        while start < n {
            let end = start.saturating_add(CHUNK).min(n);
            sel.clear();
            sel_days.clear();
            sel_amounts.clear();
            sel_extra.clear();
            // Pass 1: validate, reconcile, and select the rows to use.
            for i in start..end {
                let amount = if valid(&batch.amounts_validity, i) {
                    batch.amounts.get(i, scale)
                } else {
                    Err(RejectReason::Missing)
                };
                self.tally
                    .read(amount.ok())
                    .map_err(|_| SummaryError::TotalsOverflow)?;
                // Customer id.
                if !valid(&batch.customers_validity, i) {
                    self.rejected(
                        batch.row(i),
                        Column::Customer,
                        RejectReason::Missing,
                        amount.ok(),
                    )?;
                    continue;
                }
                if let Some(t) = batch.customers.text(i) {
                    if t.is_empty() {
                        self.rejected(
                            batch.row(i),
                            Column::Customer,
                            RejectReason::Missing,
                            amount.ok(),
                        )?;
                        continue;
                    }
                    if check_text && std::str::from_utf8(t).is_err() {
                        self.rejected(
                            batch.row(i),
                            Column::Customer,
                            RejectReason::InvalidUtf8,
                            amount.ok(),
                        )?;
                        continue;
                    }
                } else if !matches!(batch.customers, Keys::Int(_)) {
                    self.rejected(
                        batch.row(i),
                        Column::Customer,
                        RejectReason::Missing,
                        amount.ok(),
                    )?;
                    continue;
                }
                // Date.
                let day = match batch.days.get(i) {
                    Some(d) if valid(&batch.days_validity, i) => *d,
                    _ => {
                        self.rejected(
                            batch.row(i),
                            Column::Date,
                            RejectReason::Missing,
                            amount.ok(),
                        )?;
                        continue;
                    }
                };
                if day < dmin || day > dmax {
                    self.rejected(
                        batch.row(i),
                        Column::Date,
                        RejectReason::OutOfRange,
                        amount.ok(),
                    )?;
                    continue;
                }
                // Amount.
                let amount = match amount {
                    Ok(a) => a,
                    Err(reason) => {
                        self.rejected(batch.row(i), Column::Amount, reason, None)?;
                        continue;
                    }
                };
                // Optional columns.
                if has_extra {
                    let quantity = match opt_amount(&batch.quantities, i, scale) {
                        Ok(q) => q,
                        Err(reason) => {
                            self.rejected(batch.row(i), Column::Quantity, reason, Some(amount))?;
                            continue;
                        }
                    };
                    let margin = match opt_amount(&batch.margins, i, scale) {
                        Ok(m) => m,
                        Err(reason) => {
                            self.rejected(batch.row(i), Column::Margin, reason, Some(amount))?;
                            continue;
                        }
                    };
                    let flag = match &batch.discounted {
                        Some((f, v)) if valid(v, i) => f.get(i),
                        _ => None,
                    };
                    if day <= hi && day >= lo {
                        sel_extra.push((quantity, margin, flag));
                    }
                }
                // Window.
                if day > hi {
                    self.tally
                        .after(amount)
                        .map_err(|_| SummaryError::TotalsOverflow)?;
                    continue;
                }
                if day < lo {
                    self.tally
                        .before(amount)
                        .map_err(|_| SummaryError::TotalsOverflow)?;
                    continue;
                }
                sel.push(i);
                sel_days.push(day);
                sel_amounts.push(amount);
            }
            // Pass 2: customer indices (independent lookups the CPU overlaps).
            idx.clear();
            for (j, &i) in sel.iter().enumerate() {
                let found = match batch.customers {
                    Keys::Int(v) => match v.get(i) {
                        Some(k) => Ok(self.index.int(*k)),
                        None => Err(RejectReason::Missing),
                    },
                    _ => match batch.customers.text(i) {
                        Some(t) => self.index.text(t),
                        None => Err(RejectReason::Missing),
                    },
                };
                match found {
                    Ok(Some((x, is_new))) => {
                        if is_new {
                            self.cells.push(Cell::default());
                            if self.track_extra {
                                self.extra.push(Extra::default());
                            }
                        }
                        idx.push(x);
                    }
                    Ok(None) => return Err(SummaryError::TotalsOverflow),
                    Err(reason) => {
                        let amount = sel_amounts.get(j).copied();
                        self.rejected(batch.row(i), Column::Customer, reason, amount)?;
                        idx.push(u32::MAX);
                    }
                }
            }
            // Pass 3: the customers' figures; the cell a few rows ahead is
            // read early so that its cache miss overlaps this row's work
            // (a prefetch without `unsafe`).
            for j in 0..idx.len() {
                if let Some(ahead) = idx
                    .get(j + LOOKAHEAD)
                    .and_then(|a| self.cells.get(*a as usize))
                {
                    std::hint::black_box(ahead.first_day);
                }
                let (Some(&ix), Some(&day), Some(&amount)) =
                    (idx.get(j), sel_days.get(j), sel_amounts.get(j))
                else {
                    continue;
                };
                if ix == u32::MAX {
                    continue;
                }
                self.tally
                    .used(amount)
                    .map_err(|_| SummaryError::TotalsOverflow)?;
                let ix = ix as usize;
                if !self.add_to_cell(ix, day, amount) {
                    return Err(self.overflow(ix));
                }
                if let Some((q, m, f)) = sel_extra.get(j)
                    && !self.add_extra(ix, *q, *m, *f)
                {
                    return Err(self.overflow(ix));
                }
            }
            if self.pending.len() >= self.compact_threshold() {
                self.compact();
            }
            start = end;
        }
        Ok(())
    }

    /// Pending keys that trigger a compaction: at least [`MIN_PENDING`],
    /// and an eighth of the sorted run's keys, so that merging stays
    /// near-linear overall while the pending buffer (8 bytes a key, plus as
    /// much again to sort it) stays near the run's size (about 2 bytes a
    /// key).
    fn compact_threshold(&self) -> usize {
        MIN_PENDING.max(self.occasions.len() / 8)
    }

    fn ensure_extra(&mut self) {
        self.track_extra = true;
        if self.extra.len() < self.cells.len() {
            self.extra.resize(self.cells.len(), Extra::default());
        }
    }

    #[cold]
    fn overflow(&self, ix: usize) -> SummaryError {
        match self.index.ids.get(ix) {
            Some(id) => SummaryError::CustomerOverflow {
                customer: id.clone(),
            },
            None => SummaryError::TotalsOverflow,
        }
    }

    /// Adds one used row to customer `ix`; false on overflow.
    #[inline]
    fn add_to_cell(&mut self, ix: usize, day: i32, amount: Mantissa) -> bool {
        let Some(c) = self.cells.get_mut(ix) else {
            return false;
        };
        let new_day = day != c.first_day && day != c.last_day;
        if day < c.first_day {
            c.first_day = day;
            c.first_day_spend = amount;
        } else if day == c.first_day {
            match c.first_day_spend.checked_add(amount) {
                Some(s) => c.first_day_spend = s,
                None => return false,
            }
        }
        if day > c.last_day {
            c.last_day = day;
        }
        let (Some(t), Some(n)) = (c.total.checked_add(amount), c.transactions.checked_add(1))
        else {
            return false;
        };
        c.total = t;
        c.transactions = n;
        if amount < 0 {
            let (Some(r), Some(n)) = (
                c.returns_amount.checked_add(amount),
                c.returns.checked_add(1),
            ) else {
                return false;
            };
            c.returns_amount = r;
            c.returns = n;
        }
        if new_day {
            self.pending.push(key(ix as u32, day));
        }
        true
    }

    fn add_extra(
        &mut self,
        ix: usize,
        quantity: Option<Mantissa>,
        margin: Option<Mantissa>,
        flag: Option<bool>,
    ) -> bool {
        let Some(e) = self.extra.get_mut(ix) else {
            return false;
        };
        if let Some(q) = quantity {
            let Some(s) = e.quantity.checked_add(q) else {
                return false;
            };
            e.quantity = s;
            e.quantity_rows += 1;
        }
        if let Some(m) = margin {
            let Some(s) = e.margin.checked_add(m) else {
                return false;
            };
            e.margin = s;
            e.margin_rows += 1;
        }
        if let Some(f) = flag {
            e.flag_rows += 1;
            e.discounted += u64::from(f);
        }
        true
    }

    /// Sorts and de-duplicates the pending keys into the sorted run.
    fn compact(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        radsort::sort(&mut self.pending);
        self.pending.dedup();
        self.occasions.merge_sorted(&self.pending);
        self.pending.clear();
        if self.pending.capacity() > MIN_PENDING * 2 {
            self.pending.shrink_to(MIN_PENDING);
        }
    }

    /// Merges another partial summary made with the same `as_of`, window
    /// start and amount scale into this one. The result equals the
    /// accumulator of both inputs together.
    ///
    /// # Errors
    ///
    /// [`SummaryError::Incompatible`], [`SummaryError::CustomerOverflow`],
    /// [`SummaryError::TotalsOverflow`].
    ///
    /// # Example
    ///
    /// See [`SummaryAccumulator`].
    pub fn merge(&mut self, other: SummaryAccumulator) -> Result<(), SummaryError> {
        let incompatible = |s: &str| {
            Err(SummaryError::Incompatible {
                setting: s.to_owned(),
            })
        };
        if other.config.as_of != self.config.as_of {
            return incompatible("analysis date");
        }
        if other.config.window_start != self.config.window_start {
            return incompatible("window start");
        }
        if other.config.amount_scale != self.config.amount_scale {
            return incompatible("amount scale");
        }
        let mut other = other;
        other.compact();
        if other.track_extra {
            self.ensure_extra();
        }
        let mut map = Vec::with_capacity(other.index.ids.len());
        for (oix, id) in other.index.ids.iter().enumerate() {
            let Some((idx, is_new)) = self.index.id(id) else {
                return Err(SummaryError::TotalsOverflow);
            };
            let ix = idx as usize;
            if is_new {
                self.cells.push(Cell::default());
                if self.track_extra {
                    self.extra.push(Extra::default());
                }
            }
            map.push(idx);
            let (Some(c), Some(o)) = (self.cells.get_mut(ix), other.cells.get(oix)) else {
                return Err(SummaryError::TotalsOverflow);
            };
            if !merge_cell(c, o) {
                return Err(self.overflow(ix));
            }
            if let (Some(e), Some(o)) = (self.extra.get_mut(ix), other.extra.get(oix)) {
                let (Some(q), Some(m)) = (
                    e.quantity.checked_add(o.quantity),
                    e.margin.checked_add(o.margin),
                ) else {
                    return Err(self.overflow(ix));
                };
                e.quantity = q;
                e.margin = m;
                e.quantity_rows += o.quantity_rows;
                e.margin_rows += o.margin_rows;
                e.flag_rows += o.flag_rows;
                e.discounted += o.discounted;
            }
        }
        for k in other.occasions.iter() {
            if let Some(idx) = map.get(key_index(k)) {
                self.pending.push(key(*idx, key_day(k)));
                if self.pending.len() >= self.compact_threshold() {
                    self.compact();
                }
            }
        }
        self.tally
            .merge(other.tally, self.config.max_listed_rejections)
            .map_err(|_| SummaryError::TotalsOverflow)?;
        if self.pending.len() >= self.compact_threshold() {
            self.compact();
        }
        Ok(())
    }

    /// The summaries and the reconciliation.
    ///
    /// # Errors
    ///
    /// [`SummaryError::CustomerOverflow`] when a figure does not fit a
    /// [`Decimal`]; [`SummaryError::TotalsOverflow`].
    ///
    /// # Example
    ///
    /// See the [module docs](self).
    pub fn finish(mut self) -> Result<SummaryOutput, SummaryError> {
        self.compact();
        let n = self.cells.len();
        let mut occasions = self.occasions.counts(n);
        // Free what the output does not need before building it.
        self.occasions = OccasionRun::default();
        self.pending = Vec::new();
        // Output order: by customer id, whatever the input order.
        let order = self.index.output_order();
        let mut ids = std::mem::take(&mut self.index.ids);
        self.index = CustomerIndex::default();
        let track = self.track_extra;
        permute_in_place(order, |a, b| {
            self.cells.swap(a, b);
            ids.swap(a, b);
            occasions.swap(a, b);
            if track {
                self.extra.swap(a, b);
            }
        });
        let scale = self.config.amount_scale;
        let mut s = Summaries::with_capacity(&self.config, n);
        if !track {
            (
                s.quantity,
                s.margin,
                s.discounted_transactions,
                s.discount_share,
            ) = Default::default();
        }
        // From the back, so that the records' memory can be given back
        // while the output grows.
        while let Some(c) = self.cells.pop() {
            let ix = self.cells.len();
            let extra = if track { self.extra.pop() } else { None };
            let occ = occasions.get(ix).copied().map_or(0, u64::from);
            if let Err(()) = self.push_row(&mut s, &c, occ, extra, scale) {
                return Err(SummaryError::CustomerOverflow {
                    customer: ids.get(ix).cloned().unwrap_or(CustomerId::Int(0)),
                });
            }
            if ix.is_multiple_of(FREE_EVERY) {
                self.cells.shrink_to_fit();
                self.extra.shrink_to_fit();
            }
        }
        s.reverse_rows();
        s.customers = ids;
        let reconciliation = self
            .tally
            .report(scale, self.config.max_listed_rejections)
            .ok_or(SummaryError::TotalsOverflow)?;
        Ok(SummaryOutput {
            summaries: s,
            reconciliation,
        })
    }

    /// Appends one customer's output row; `Err` when a figure does not fit
    /// a [`Decimal`] or a date.
    fn push_row(
        &self,
        s: &mut Summaries,
        c: &Cell,
        occ: u64,
        extra: Option<Extra>,
        scale: u32,
    ) -> Result<(), ()> {
        let dec = |m: Mantissa| to_decimal(m, scale).ok_or(());
        let x = occ.saturating_sub(1);
        let transactions = u64::from(c.transactions);
        let unit = self.config.unit;
        s.first_purchase.push(date_of_day(c.first_day).ok_or(())?);
        s.last_purchase.push(date_of_day(c.last_day).ok_or(())?);
        s.occasions.push(occ);
        s.transactions.push(transactions);
        s.total_spend.push(dec(c.total)?);
        s.mean_spend
            .push(div(c.total, scale, transactions).ok_or(())?);
        s.returns.push(u64::from(c.returns));
        s.returns_amount.push(dec(c.returns_amount)?);
        s.frequency.push(x);
        s.recency
            .push(unit.of_days(i64::from(c.last_day) - i64::from(c.first_day)));
        s.age
            .push(unit.of_days(i64::from(self.as_of_day) - i64::from(c.first_day)));
        let repeat = c.total.checked_sub(c.first_day_spend).ok_or(())?;
        s.monetary_value.push(if x == 0 {
            Decimal::ZERO
        } else {
            div(repeat, scale, x).ok_or(())?
        });
        if let Some(e) = extra {
            s.quantity.push(if e.quantity_rows > 0 {
                Some(dec(e.quantity)?)
            } else {
                None
            });
            s.margin.push(if e.margin_rows > 0 {
                Some(dec(e.margin)?)
            } else {
                None
            });
            s.discounted_transactions.push(e.discounted);
            s.discount_share
                .push((e.flag_rows > 0).then(|| e.discounted as f64 / e.flag_rows as f64));
        }
        Ok(())
    }
}

/// Rearranges parallel vectors so that position `p` holds what was at
/// `order[p]`, by following the permutation's cycles with `swap`: no second
/// copy of the vectors. `order` must be a permutation of `0..order.len()`;
/// entries out of range end their cycle.
fn permute_in_place(mut order: Vec<u32>, mut swap: impl FnMut(usize, usize)) {
    let n = order.len();
    for p in 0..n {
        let mut q = p;
        while let Some(slot) = order.get_mut(q) {
            let src = *slot as usize;
            *slot = q as u32;
            if src == p || src == q || src >= n {
                break;
            }
            swap(q, src);
            q = src;
        }
    }
}

fn opt_amount(
    col: &Option<(Amounts<'_>, Option<Validity<'_>>)>,
    i: usize,
    scale: u32,
) -> Result<Option<Mantissa>, RejectReason> {
    match col {
        Some((a, v)) if valid(v, i) => a.get(i, scale).map(Some),
        _ => Ok(None),
    }
}

fn merge_cell(c: &mut Cell, o: &Cell) -> bool {
    if o.transactions == 0 {
        return true;
    }
    if o.first_day < c.first_day {
        c.first_day = o.first_day;
        c.first_day_spend = o.first_day_spend;
    } else if o.first_day == c.first_day {
        match c.first_day_spend.checked_add(o.first_day_spend) {
            Some(s) => c.first_day_spend = s,
            None => return false,
        }
    }
    c.last_day = c.last_day.max(o.last_day);
    let (Some(t), Some(n), Some(r), Some(rn)) = (
        c.total.checked_add(o.total),
        c.transactions.checked_add(o.transactions),
        c.returns_amount.checked_add(o.returns_amount),
        c.returns.checked_add(o.returns),
    ) else {
        return false;
    };
    c.total = t;
    c.transactions = n;
    c.returns_amount = r;
    c.returns = rn;
    true
}

fn to_decimal(m: Mantissa, scale: u32) -> Option<Decimal> {
    Decimal::try_from_i128_with_scale(m, scale)
        .ok()
        .map(|d| d.normalize())
}

/// `m` (at `scale`) divided by `n`, exactly when it divides.
fn div(m: Mantissa, scale: u32, n: u64) -> Option<Decimal> {
    if n == 0 {
        return Some(Decimal::ZERO);
    }
    let n128 = i128::from(n);
    if m % n128 == 0 {
        return to_decimal(m / n128, scale);
    }
    to_decimal(m, scale)?.checked_div(Decimal::from(n))
}

/// One customer's summary.
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::summary::{summarize_transactions, SummaryConfig};
/// use crm_core::records::transaction::{CalendarConfig, Transaction, TxTime};
/// use rust_decimal_macros::dec;
///
/// let day = |d| TxTime::Date(NaiveDate::from_ymd_opt(2024, 1, d).unwrap());
/// let txs = vec![Transaction::new(9_i64, day(1), dec!(10)), Transaction::new(9_i64, day(4), dec!(-2))];
/// let cfg = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap());
/// let out = summarize_transactions(&txs, &cfg, &CalendarConfig::default())?;
/// let s = out.summaries.get(0).unwrap();
/// assert_eq!((s.occasions, s.returns, s.total_spend), (2, 1, dec!(8)));
/// assert_eq!((s.recency, s.age), (3.0, 30.0));
/// # Ok::<(), crm_core::records::summary::SummaryError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct CustomerSummary {
    /// The customer.
    pub customer: CustomerId,
    /// Day of the first transaction in the window.
    pub first_purchase: NaiveDate,
    /// Day of the last transaction in the window.
    pub last_purchase: NaiveDate,
    /// Distinct days with a transaction.
    pub occasions: u64,
    /// Transactions (rows).
    pub transactions: u64,
    /// Net spend.
    pub total_spend: Decimal,
    /// Net spend per transaction.
    pub mean_spend: Decimal,
    /// Rows with a negative amount.
    pub returns: u64,
    /// Their sum (zero or negative).
    pub returns_amount: Decimal,
    /// Summed quantity, when recorded.
    pub quantity: Option<Decimal>,
    /// Summed margin, when recorded.
    pub margin: Option<Decimal>,
    /// Rows flagged as discounted.
    pub discounted_transactions: u64,
    /// Discounted rows / rows with a flag, when any row has a flag.
    pub discount_share: Option<f64>,
    /// BTYD `x`: repeat occasions.
    pub frequency: u64,
    /// BTYD `t_x`: last − first occasion, in the unit.
    pub recency: f64,
    /// BTYD `T`: as_of − first occasion, in the unit.
    pub age: f64,
    /// Mean net spend of the repeat occasions (0 without repeats).
    pub monetary_value: Decimal,
}

/// Per-customer summaries, one column per figure, rows sorted by customer
/// id (integer ids before text ids).
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::summary::{Summaries, SummaryConfig};
/// let s = Summaries::with_capacity(&SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap()), 0);
/// assert!(s.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Summaries {
    /// The analysis date.
    pub as_of: NaiveDate,
    /// The window start.
    pub window_start: Option<NaiveDate>,
    /// The unit of recency and age.
    pub unit: Unit,
    /// See [`CustomerSummary::customer`].
    pub customers: Vec<CustomerId>,
    /// See [`CustomerSummary::first_purchase`].
    pub first_purchase: Vec<NaiveDate>,
    /// See [`CustomerSummary::last_purchase`].
    pub last_purchase: Vec<NaiveDate>,
    /// See [`CustomerSummary::occasions`].
    pub occasions: Vec<u64>,
    /// See [`CustomerSummary::transactions`].
    pub transactions: Vec<u64>,
    /// See [`CustomerSummary::total_spend`].
    pub total_spend: Vec<Decimal>,
    /// See [`CustomerSummary::mean_spend`].
    pub mean_spend: Vec<Decimal>,
    /// See [`CustomerSummary::returns`].
    pub returns: Vec<u64>,
    /// See [`CustomerSummary::returns_amount`].
    pub returns_amount: Vec<Decimal>,
    /// See [`CustomerSummary::quantity`]; empty when the input had none
    /// of the optional columns (quantity, margin, discount flag), so that
    /// they cost no memory then.
    pub quantity: Vec<Option<Decimal>>,
    /// See [`CustomerSummary::margin`]; empty like `quantity`.
    pub margin: Vec<Option<Decimal>>,
    /// See [`CustomerSummary::discounted_transactions`]; empty like
    /// `quantity` (read as 0 each).
    pub discounted_transactions: Vec<u64>,
    /// See [`CustomerSummary::discount_share`]; empty like `quantity`.
    pub discount_share: Vec<Option<f64>>,
    /// See [`CustomerSummary::frequency`].
    pub frequency: Vec<u64>,
    /// See [`CustomerSummary::recency`].
    pub recency: Vec<f64>,
    /// See [`CustomerSummary::age`].
    pub age: Vec<f64>,
    /// See [`CustomerSummary::monetary_value`].
    pub monetary_value: Vec<Decimal>,
}

impl Summaries {
    /// Empty columns for `config`, with room for `n` customers.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::{Summaries, SummaryConfig, Unit};
    /// let c = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap()).with_unit(Unit::Week);
    /// assert_eq!(Summaries::with_capacity(&c, 10).unit, Unit::Week);
    /// ```
    pub fn with_capacity(config: &SummaryConfig, n: usize) -> Self {
        Summaries {
            as_of: config.as_of,
            window_start: config.window_start,
            unit: config.unit,
            customers: Vec::with_capacity(n),
            first_purchase: Vec::with_capacity(n),
            last_purchase: Vec::with_capacity(n),
            occasions: Vec::with_capacity(n),
            transactions: Vec::with_capacity(n),
            total_spend: Vec::with_capacity(n),
            mean_spend: Vec::with_capacity(n),
            returns: Vec::with_capacity(n),
            returns_amount: Vec::with_capacity(n),
            quantity: Vec::with_capacity(n),
            margin: Vec::with_capacity(n),
            discounted_transactions: Vec::with_capacity(n),
            discount_share: Vec::with_capacity(n),
            frequency: Vec::with_capacity(n),
            recency: Vec::with_capacity(n),
            age: Vec::with_capacity(n),
            monetary_value: Vec::with_capacity(n),
        }
    }

    /// The number of customers.
    ///
    /// # Example
    ///
    /// See [`summarize_transactions`].
    pub fn len(&self) -> usize {
        self.customers.len()
    }

    /// Whether there are no customers.
    ///
    /// # Example
    ///
    /// See [`Summaries::with_capacity`].
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
    }

    /// The position of `customer`, if summarised.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::{summarize_transactions, SummaryConfig};
    /// use crm_core::records::transaction::{CalendarConfig, Transaction, TxTime};
    /// use crm_core::CustomerId;
    /// use rust_decimal_macros::dec;
    /// let t = TxTime::Date(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
    /// let txs = vec![Transaction::new("b", t, dec!(1)), Transaction::new("a", t, dec!(1))];
    /// let out = summarize_transactions(&txs, &SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()), &CalendarConfig::default())?;
    /// assert_eq!(out.summaries.position(&CustomerId::from("b")), Some(1));
    /// # Ok::<(), crm_core::records::summary::SummaryError>(())
    /// ```
    pub fn position(&self, customer: &CustomerId) -> Option<usize> {
        self.customers.binary_search(customer).ok()
    }

    /// Row `i` as one struct.
    ///
    /// # Example
    ///
    /// See [`CustomerSummary`].
    pub fn get(&self, i: usize) -> Option<CustomerSummary> {
        Some(CustomerSummary {
            customer: self.customers.get(i)?.clone(),
            first_purchase: *self.first_purchase.get(i)?,
            last_purchase: *self.last_purchase.get(i)?,
            occasions: *self.occasions.get(i)?,
            transactions: *self.transactions.get(i)?,
            total_spend: *self.total_spend.get(i)?,
            mean_spend: *self.mean_spend.get(i)?,
            returns: *self.returns.get(i)?,
            returns_amount: *self.returns_amount.get(i)?,
            quantity: self.quantity.get(i).copied().flatten(),
            margin: self.margin.get(i).copied().flatten(),
            discounted_transactions: self.discounted_transactions.get(i).copied().unwrap_or(0),
            discount_share: self.discount_share.get(i).copied().flatten(),
            frequency: *self.frequency.get(i)?,
            recency: *self.recency.get(i)?,
            age: *self.age.get(i)?,
            monetary_value: *self.monetary_value.get(i)?,
        })
    }

    /// Reverses the order of the rows (the columns that have them).
    fn reverse_rows(&mut self) {
        self.customers.reverse();
        self.first_purchase.reverse();
        self.last_purchase.reverse();
        self.occasions.reverse();
        self.transactions.reverse();
        self.total_spend.reverse();
        self.mean_spend.reverse();
        self.returns.reverse();
        self.returns_amount.reverse();
        self.quantity.reverse();
        self.margin.reverse();
        self.discounted_transactions.reverse();
        self.discount_share.reverse();
        self.frequency.reverse();
        self.recency.reverse();
        self.age.reverse();
        self.monetary_value.reverse();
    }

    /// All rows as structs, in order.
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::{Summaries, SummaryConfig};
    /// let s = Summaries::with_capacity(&SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap()), 0);
    /// assert_eq!(s.iter().count(), 0);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = CustomerSummary> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// Summaries with their reconciliation.
///
/// # Example
///
/// See [`SummaryAccumulator::finish`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct SummaryOutput {
    /// One row per customer.
    pub summaries: Summaries,
    /// What happened to every input row.
    pub reconciliation: Reconciliation,
}

/// Builds the columns of a slice of [`Transaction`]s (row numbers 1..) in
/// `calendar` and summarises them. Convenient for small inputs and tests;
/// large inputs go through [`SummaryAccumulator::add_batch`].
///
/// # Errors
///
/// As [`SummaryAccumulator::add_batch`] and [`SummaryAccumulator::finish`].
///
/// # Example
///
/// See [`CustomerSummary`].
pub fn summarize_transactions(
    transactions: &[Transaction],
    config: &SummaryConfig,
    calendar: &CalendarConfig,
) -> Result<SummaryOutput, SummaryError> {
    let mut acc = SummaryAccumulator::new(config.clone())?;
    add_transactions(&mut acc, transactions, 1, calendar)?;
    acc.finish()
}

/// Adds a slice of [`Transaction`]s, numbered from `first_row`, to an
/// accumulator (through the same columnar path as every other input).
///
/// # Errors
///
/// As [`SummaryAccumulator::add_batch`].
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::summary::{add_transactions, SummaryAccumulator, SummaryConfig};
/// use crm_core::records::transaction::{CalendarConfig, Transaction, TxTime};
/// use rust_decimal_macros::dec;
/// let t = TxTime::Date(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
/// let mut acc = SummaryAccumulator::new(SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()))?;
/// add_transactions(&mut acc, &[Transaction::new(1_i64, t, dec!(5))], 1, &CalendarConfig::default())?;
/// assert_eq!(acc.rows_read(), 1);
/// # Ok::<(), crm_core::records::summary::SummaryError>(())
/// ```
pub fn add_transactions(
    acc: &mut SummaryAccumulator,
    transactions: &[Transaction],
    first_row: u64,
    calendar: &CalendarConfig,
) -> Result<(), SummaryError> {
    let mut conv = DayConverter::new(*calendar);
    // A key column has one type: integer and text ids go in two batches;
    // explicit row numbers keep the reconciliation in input order.
    for text in [false, true] {
        let sel: Vec<(u64, &Transaction)> = transactions
            .iter()
            .enumerate()
            .filter(|(_, t)| matches!(t.customer, CustomerId::Str(_)) == text)
            .map(|(i, t)| (first_row.saturating_add(i as u64), t))
            .collect();
        if sel.is_empty() {
            continue;
        }
        let rows: Vec<u64> = sel.iter().map(|(r, _)| *r).collect();
        let ints: Vec<i64> = sel
            .iter()
            .map(|(_, t)| {
                if let CustomerId::Int(k) = t.customer {
                    k
                } else {
                    0
                }
            })
            .collect();
        let texts: Vec<&str> = sel
            .iter()
            .map(|(_, t)| {
                if let CustomerId::Str(s) = &t.customer {
                    s.as_str()
                } else {
                    ""
                }
            })
            .collect();
        let days: Vec<i32> = sel
            .iter()
            .map(|(_, t)| conv.day_of(&t.time).unwrap_or(i32::MIN))
            .collect();
        let amounts: Vec<Decimal> = sel.iter().map(|(_, t)| t.amount).collect();
        let qty: Vec<Decimal> = sel
            .iter()
            .map(|(_, t)| t.quantity.unwrap_or_default())
            .collect();
        let mar: Vec<Decimal> = sel
            .iter()
            .map(|(_, t)| t.margin.unwrap_or_default())
            .collect();
        let flags: Vec<bool> = sel
            .iter()
            .map(|(_, t)| t.discounted.unwrap_or(false))
            .collect();
        let qv = pack(
            &sel.iter()
                .map(|(_, t)| t.quantity.is_some())
                .collect::<Vec<_>>(),
        );
        let mv = pack(
            &sel.iter()
                .map(|(_, t)| t.margin.is_some())
                .collect::<Vec<_>>(),
        );
        let fv = pack(
            &sel.iter()
                .map(|(_, t)| t.discounted.is_some())
                .collect::<Vec<_>>(),
        );
        let keys = if text {
            Keys::Text(&texts)
        } else {
            Keys::Int(&ints)
        };
        let mut batch = ColumnBatch::new(first_row, keys, &days, Amounts::Decimal(&amounts));
        batch.row_numbers = Some(&rows);
        batch.quantities = Some((Amounts::Decimal(&qty), Some(Validity::new(&qv, 0))));
        batch.margins = Some((Amounts::Decimal(&mar), Some(Validity::new(&mv, 0))));
        batch.discounted = Some((Flags::Bool(&flags), Some(Validity::new(&fv, 0))));
        acc.add_batch(&batch)?;
    }
    Ok(())
}

/// Packs bools into an Arrow-style bitmap.
///
/// # Example
///
/// ```
/// use crm_core::records::summary::{pack, Validity};
/// let bits = pack(&[true, false, true]);
/// assert_eq!(bits, vec![0b101]);
/// assert!(Validity::new(&bits, 0).is_valid(2));
/// ```
pub fn pack(flags: &[bool]) -> Vec<u8> {
    let mut out = vec![0_u8; flags.len().div_ceil(8)];
    for (i, f) in flags.iter().enumerate() {
        if *f && let Some(b) = out.get_mut(i >> 3) {
            *b |= 1 << (i & 7);
        }
    }
    out
}

/// A calibration / holdout split, as `lifetimes`'
/// `calibration_and_holdout_data`: the calibration summaries at the cut
/// date, and for each calibration customer the occasions and mean occasion
/// spend in the holdout period (cut, observation end].
///
/// # Example
///
/// See [`CalibrationHoldoutAccumulator`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct CalibrationHoldout {
    /// Summaries at the calibration end (the cut date).
    pub calibration: Summaries,
    /// Occasions in the holdout period, per calibration customer.
    pub frequency_holdout: Vec<u64>,
    /// Mean net spend per holdout occasion (0 without one).
    pub monetary_value_holdout: Vec<Decimal>,
    /// Length of the holdout period in the unit.
    pub duration_holdout: f64,
    /// What happened to every input row over the whole observation:
    /// used = used in calibration or holdout, skipped = after the
    /// observation end or before the window start.
    pub reconciliation: Reconciliation,
}

/// Accumulates a calibration / holdout split in one pass. Customers whose
/// first occasion falls in the holdout period are not in the result (as in
/// `lifetimes`).
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::summary::{Amounts, CalibrationHoldoutAccumulator, ColumnBatch, Keys, SummaryConfig};
/// use crm_core::records::transaction::day_number;
///
/// let d = |m, day| day_number(NaiveDate::from_ymd_opt(2024, m, day).unwrap());
/// let config = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 6, 30).unwrap());
/// let mut acc = CalibrationHoldoutAccumulator::new(config, NaiveDate::from_ymd_opt(2024, 3, 31).unwrap())?;
/// let days = [d(1, 5), d(2, 5), d(4, 1), d(4, 1), d(5, 1), d(5, 2)];
/// acc.add_batch(&ColumnBatch::new(1, Keys::Int(&[1, 1, 1, 1, 1, 2]), &days, Amounts::Float(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])))?;
/// let out = acc.finish()?;
/// assert_eq!(out.calibration.len(), 1);            // customer 2 starts in the holdout
/// assert_eq!(out.calibration.frequency, vec![1]);
/// assert_eq!(out.frequency_holdout, vec![2]);       // 1 April and 1 May
/// assert_eq!(out.monetary_value_holdout[0].to_string(), "6");   // (3 + 4 + 5) / 2
/// assert_eq!(out.duration_holdout, 91.0);
/// assert!(out.reconciliation.is_balanced());
/// # Ok::<(), crm_core::records::summary::SummaryError>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct CalibrationHoldoutAccumulator {
    calibration: SummaryAccumulator,
    holdout: SummaryAccumulator,
}

impl CalibrationHoldoutAccumulator {
    /// A split at `calibration_end`; `config.as_of` is the observation end.
    ///
    /// # Errors
    ///
    /// [`SummaryError::CalibrationEnd`] unless window start ≤ calibration
    /// end < observation end; the errors of [`SummaryAccumulator::new`].
    ///
    /// # Example
    ///
    /// See [`CalibrationHoldoutAccumulator`].
    pub fn new(config: SummaryConfig, calibration_end: NaiveDate) -> Result<Self, SummaryError> {
        let bad = SummaryError::CalibrationEnd {
            calibration_end,
            observation_end: config.as_of,
        };
        if calibration_end >= config.as_of
            || config.window_start.is_some_and(|s| s > calibration_end)
        {
            return Err(bad);
        }
        let holdout_start = calibration_end.checked_add_days(Days::new(1)).ok_or(bad)?;
        let calibration = SummaryAccumulator::new(SummaryConfig {
            as_of: calibration_end,
            ..config.clone()
        })?;
        let holdout = SummaryAccumulator::new(SummaryConfig {
            window_start: Some(holdout_start),
            ..config
        })?;
        Ok(CalibrationHoldoutAccumulator {
            calibration,
            holdout,
        })
    }

    /// Adds one batch.
    ///
    /// # Errors
    ///
    /// As [`SummaryAccumulator::add_batch`].
    ///
    /// # Example
    ///
    /// See [`CalibrationHoldoutAccumulator`].
    pub fn add_batch(&mut self, batch: &ColumnBatch<'_>) -> Result<(), SummaryError> {
        self.calibration.add_batch(batch)?;
        self.holdout.add_batch(batch)
    }

    /// Records a row the caller could not turn into columns.
    ///
    /// # Errors
    ///
    /// As [`SummaryAccumulator::reject`].
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::reconciliation::{Column, RejectReason};
    /// use crm_core::records::summary::{CalibrationHoldoutAccumulator, SummaryConfig};
    /// let mut acc = CalibrationHoldoutAccumulator::new(
    ///     SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 6, 30).unwrap()),
    ///     NaiveDate::from_ymd_opt(2024, 3, 31).unwrap(),
    /// )?;
    /// acc.reject(1, Column::Record, RejectReason::Malformed, None)?;
    /// assert_eq!(acc.finish()?.reconciliation.rows_rejected, 1);
    /// # Ok::<(), crm_core::records::summary::SummaryError>(())
    /// ```
    pub fn reject(
        &mut self,
        row: u64,
        column: Column,
        reason: RejectReason,
        amount: Option<Decimal>,
    ) -> Result<(), SummaryError> {
        self.calibration.reject(row, column, reason, amount)?;
        self.holdout.reject(row, column, reason, amount)
    }

    /// Merges another split made with the same settings.
    ///
    /// # Errors
    ///
    /// As [`SummaryAccumulator::merge`].
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::{CalibrationHoldoutAccumulator, SummaryConfig};
    /// let c = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 6, 30).unwrap());
    /// let cut = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
    /// let mut a = CalibrationHoldoutAccumulator::new(c.clone(), cut)?;
    /// a.merge(CalibrationHoldoutAccumulator::new(c, cut)?)?;
    /// # Ok::<(), crm_core::records::summary::SummaryError>(())
    /// ```
    pub fn merge(&mut self, other: CalibrationHoldoutAccumulator) -> Result<(), SummaryError> {
        self.calibration.merge(other.calibration)?;
        self.holdout.merge(other.holdout)
    }

    /// The split.
    ///
    /// # Errors
    ///
    /// As [`SummaryAccumulator::finish`].
    ///
    /// # Example
    ///
    /// See [`CalibrationHoldoutAccumulator`].
    pub fn finish(self) -> Result<CalibrationHoldout, SummaryError> {
        let unit = self.calibration.config.unit;
        let duration = i64::from(self.holdout.as_of_day) - i64::from(self.calibration.as_of_day);
        let cal = self.calibration.finish()?;
        let hold = self.holdout.finish()?;
        let mut frequency_holdout = Vec::with_capacity(cal.summaries.len());
        let mut monetary_value_holdout = Vec::with_capacity(cal.summaries.len());
        // Both are sorted by id: merge-join.
        let mut j = 0;
        for id in &cal.summaries.customers {
            while hold.summaries.customers.get(j).is_some_and(|h| h < id) {
                j += 1;
            }
            let (f, m) = match hold.summaries.customers.get(j) {
                Some(h) if h == id => {
                    let occ = hold.summaries.occasions.get(j).copied().unwrap_or(0);
                    let total = hold
                        .summaries
                        .total_spend
                        .get(j)
                        .copied()
                        .unwrap_or_default();
                    let mean = if occ == 0 {
                        Decimal::ZERO
                    } else {
                        total.checked_div(Decimal::from(occ)).unwrap_or_default()
                    };
                    (occ, mean)
                }
                _ => (0, Decimal::ZERO),
            };
            frequency_holdout.push(f);
            monetary_value_holdout.push(m);
        }
        let (c, h) = (&cal.reconciliation, &hold.reconciliation);
        let reconciliation = Reconciliation {
            rows_used: c.rows_used + h.rows_used,
            amount_used: c.amount_used + h.amount_used,
            rows_skipped_after_as_of: h.rows_skipped_after_as_of,
            amount_skipped_after_as_of: h.amount_skipped_after_as_of,
            rows_skipped_before_window: c.rows_skipped_before_window,
            amount_skipped_before_window: c.amount_skipped_before_window,
            ..c.clone()
        };
        Ok(CalibrationHoldout {
            calibration: cal.summaries,
            frequency_holdout,
            monetary_value_holdout,
            duration_holdout: unit.of_days(duration),
            reconciliation,
        })
    }
}

mod occasions;
use occasions::OccasionRun;

#[cfg(test)]
mod tests;
