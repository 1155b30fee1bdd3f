//! One Arrow column as the values a role needs: the number rules shared by
//! every reader (the transaction readers of this crate and the Python
//! door), and [`ColumnError`], the typed error of a column that cannot be
//! read, in crm-core's error language ([`Diagnostic`]).
//!
//! **Floats become decimals by their shortest round-trip representation**
//! (the digits Python's `repr` shows): `0.1` is `0.1`, not
//! `0.1000000000000000055511151231257827`. A `float32` is read the same way
//! at its own precision: `1234567.1f32` is `1234567.1`, not its binary value
//! `1234567.125`. Why: a float column of money holds amounts that were typed
//! or computed as decimals and stored in binary; the shortest representation
//! is the one decimal that reads back as the same float, so it is the value
//! the producer meant, while the binary expansion's extra digits are an
//! artefact of the storage. `summarize` (through [`widen_f32`]) and
//! `classify` (through [`decimal_from_f32`]) follow this one rule, and so
//! does a `float16` (`widen_f16`, `decimal_from_f16`): `0.1f16` is `0.1`,
//! not `0.0999755859375`.

use std::str::FromStr;

use crm_core::error::{Diagnostic, ErrorClass};
use crm_core::records::customer::CustomerId;
use rust_decimal::Decimal;

/// Why a float has no Decimal.
///
/// ```
/// use crm_io::columns::{decimal_from_f64, FloatProblem};
/// assert_eq!(decimal_from_f64(f64::NAN), Err(FloatProblem::NotFinite));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatProblem {
    /// NaN or an infinity.
    NotFinite,
    /// Beyond Decimal's range (|x| >= 2^96) or below its resolution (1e-28).
    OutOfRange,
}

const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];
const TWO_POW_53: f64 = 9_007_199_254_740_992.0;

/// The decimal of `x`'s shortest round-trip representation.
///
/// Fast path (nearly every money amount): the smallest scale `s <= 15` with
/// `m = round(|x| · 10^s) < 2^53` and `m / 10^s == |x|`. Both `m` and `10^s`
/// are exact doubles, so the division is correctly rounded and the test says
/// exactly that the decimal `m·10^-s` reads back as `x`; the smallest such
/// scale is the shortest representation. Anything else goes through `ryu`.
///
/// # Errors
///
/// [`FloatProblem`] for NaN, infinities and values outside Decimal's range.
///
/// ```
/// use crm_io::columns::decimal_from_f64;
/// assert_eq!(decimal_from_f64(0.1).map(|d| d.to_string()), Ok("0.1".to_owned()));
/// ```
pub fn decimal_from_f64(x: f64) -> Result<Decimal, FloatProblem> {
    if !x.is_finite() {
        return Err(FloatProblem::NotFinite);
    }
    if x == 0.0 {
        return Ok(Decimal::ZERO);
    }
    let ax = x.abs();
    for (s, p) in POW10.iter().enumerate() {
        let y = ax * p;
        if y >= TWO_POW_53 {
            break;
        }
        let m = y.round();
        if m / p == ax {
            let m = m as i64;
            return Ok(Decimal::new(if x < 0.0 { -m } else { m }, s as u32));
        }
    }
    decimal_from_f64_slow(x)
}

/// The reference conversion: format with `ryu` (shortest round-trip), parse.
///
/// # Errors
///
/// As [`decimal_from_f64`].
///
/// ```
/// use crm_io::columns::{decimal_from_f64, decimal_from_f64_slow};
/// assert_eq!(decimal_from_f64_slow(19.99), decimal_from_f64(19.99));
/// ```
pub fn decimal_from_f64_slow(x: f64) -> Result<Decimal, FloatProblem> {
    if !x.is_finite() {
        return Err(FloatProblem::NotFinite);
    }
    parse_shortest(ryu::Buffer::new().format_finite(x), x != 0.0)
}

/// The shortest representation of the `f32` itself: `0.1f32` is `0.1`
/// (widening to `f64` first would give `0.10000000149011612`).
///
/// # Errors
///
/// As [`decimal_from_f64`].
///
/// ```
/// use crm_io::columns::decimal_from_f32;
/// assert_eq!(decimal_from_f32(1234567.1).map(|d| d.to_string()), Ok("1234567.1".to_owned()));
/// ```
pub fn decimal_from_f32(x: f32) -> Result<Decimal, FloatProblem> {
    if !x.is_finite() {
        return Err(FloatProblem::NotFinite);
    }
    parse_shortest(ryu::Buffer::new().format_finite(x), x != 0.0)
}

/// An `f32` as the `f64` nearest its shortest representation, so that an
/// `f64` reader (which rounds to its scale) sees the decimal the `f32`
/// stands for: `1234567.1f32` becomes `1234567.1`, not `1234567.125`.
/// NaN and infinities stay what they are.
///
/// ```
/// use crm_io::columns::widen_f32;
/// assert_eq!(widen_f32(1234567.1), 1234567.1_f64);
/// assert_eq!(widen_f32(0.1), 0.1_f64);
/// assert!(widen_f32(f32::NAN).is_nan());
/// ```
pub fn widen_f32(x: f32) -> f64 {
    if !x.is_finite() {
        return f64::from(x);
    }
    ryu::Buffer::new()
        .format_finite(x)
        .parse::<f64>()
        .unwrap_or(f64::from(x))
}

/// Arrow's `float16` value type.
#[cfg(feature = "arrow")]
pub type Half = <arrow::datatypes::Float16Type as arrow::datatypes::ArrowPrimitiveType>::Native;

/// The shortest decimal text that reads back as the same finite `float16`
/// (at most 5 significant digits; `ryu` has no `float16`). Each candidate
/// is `x` correctly rounded to that many digits, read back through `f64`
/// (exact for these short decimals' nearest `float16`).
#[cfg(feature = "arrow")]
fn shortest_f16(x: Half) -> String {
    let v = x.to_f64();
    for digits in 1..=5 {
        let text = format!("{:.*e}", digits - 1, v);
        if text.parse::<f64>().is_ok_and(|p| Half::from_f64(p) == x) {
            return text;
        }
    }
    format!("{v:e}")
}

/// The shortest representation of the `float16` itself: `0.1f16` is `0.1`
/// (its binary value is `0.0999755859375`), the `float32` rule of
/// [`decimal_from_f32`] at half precision.
///
/// # Errors
///
/// As [`decimal_from_f64`].
///
/// ```
/// use crm_io::columns::{decimal_from_f16, Half};
/// assert_eq!(decimal_from_f16(Half::from_f64(0.1)).map(|d| d.to_string()), Ok("0.1".to_owned()));
/// ```
#[cfg(feature = "arrow")]
pub fn decimal_from_f16(x: Half) -> Result<Decimal, FloatProblem> {
    if !x.is_finite() {
        return Err(FloatProblem::NotFinite);
    }
    parse_shortest(&shortest_f16(x), x != Half::ZERO)
}

/// A `float16` as the `f64` nearest its shortest representation (the
/// [`widen_f32`] rule): `0.1f16` becomes `0.1_f64`. NaN and infinities stay
/// what they are.
///
/// ```
/// use crm_io::columns::{widen_f16, Half};
/// assert_eq!(widen_f16(Half::from_f64(0.1)), 0.1_f64);
/// ```
#[cfg(feature = "arrow")]
pub fn widen_f16(x: Half) -> f64 {
    if !x.is_finite() {
        return x.to_f64();
    }
    shortest_f16(x).parse::<f64>().unwrap_or(x.to_f64())
}

/// Parses `ryu`'s shortest round-trip text; a non-zero float that parses to
/// zero lies below Decimal's resolution.
fn parse_shortest(text: &str, nonzero: bool) -> Result<Decimal, FloatProblem> {
    let parsed = if text.contains('e') || text.contains('E') {
        Decimal::from_scientific(text)
    } else {
        Decimal::from_str(text)
    };
    match parsed {
        Ok(d) if d.is_zero() && nonzero => Err(FloatProblem::OutOfRange),
        Ok(d) => Ok(d.normalize()),
        Err(_) => Err(FloatProblem::OutOfRange),
    }
}

/// A `decimal256` value (`mantissa` at `scale`) as a Decimal, when it fits
/// (96-bit mantissa, at most 28 places after removing trailing zeros).
///
/// ```
/// use arrow::datatypes::i256;
/// use crm_io::columns::decimal_of_i256;
/// assert_eq!(decimal_of_i256(i256::from_i128(1250), 2).map(|d| d.to_string()), Some("12.50".to_owned()));
/// assert_eq!(decimal_of_i256(i256::MAX, 0), None);
/// ```
#[cfg(feature = "arrow")]
pub fn decimal_of_i256(mantissa: arrow::datatypes::i256, scale: i8) -> Option<Decimal> {
    let m = mantissa.to_i128()?;
    decimal_of_i128(m, scale)
}

/// A `decimal128` value (`mantissa` at `scale`, which may be negative) as a
/// Decimal, when it fits.
///
/// ```
/// use crm_io::columns::decimal_of_i128;
/// assert_eq!(decimal_of_i128(12, -2).map(|d| d.to_string()), Some("1200".to_owned()));
/// assert_eq!(decimal_of_i128(i128::MAX, 0), None);
/// ```
pub fn decimal_of_i128(mut m: i128, scale: i8) -> Option<Decimal> {
    if scale >= 0 {
        // Trailing zeros beyond what Decimal holds change nothing: drop them.
        const MAX_MANTISSA: u128 = (1 << 96) - 1;
        let mut s = u32::from(scale.unsigned_abs());
        while (s > 28 || m.unsigned_abs() > MAX_MANTISSA) && s > 0 && m % 10 == 0 {
            m /= 10;
            s -= 1;
        }
        Decimal::try_from_i128_with_scale(m, s).ok()
    } else {
        10_i128
            .checked_pow(u32::from(scale.unsigned_abs()))
            .and_then(|p| m.checked_mul(p))
            .and_then(|m| Decimal::try_from_i128_with_scale(m, 0).ok())
    }
}

/// What is wrong with one value of a column.
///
/// ```
/// use crm_io::columns::ValueProblem;
/// assert_eq!(ValueProblem::Missing.rule(), "not_null");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueProblem {
    /// Null where the role needs a value.
    Missing,
    /// NaN or an infinity.
    NotFinite,
    /// Outside the range the role holds (Decimal's, an id's, a date's).
    OutOfRange,
    /// Not a whole number of at least 0 (a count, a rank).
    NotNonNegativeInteger,
    /// Not a time (a text the reader could not read as one).
    NotATime,
}

impl ValueProblem {
    /// The rule id.
    ///
    /// ```
    /// use crm_io::columns::ValueProblem;
    /// assert_eq!(ValueProblem::OutOfRange.rule(), "in_range");
    /// ```
    pub fn rule(self) -> &'static str {
        match self {
            ValueProblem::Missing => "not_null",
            ValueProblem::NotFinite => "finite",
            ValueProblem::OutOfRange => "in_range",
            ValueProblem::NotNonNegativeInteger => "non_negative_integer",
            ValueProblem::NotATime => "time_value",
        }
    }

    fn text(self) -> &'static str {
        match self {
            ValueProblem::Missing => "value is missing (null)",
            ValueProblem::NotFinite => "value is NaN or infinite",
            ValueProblem::OutOfRange => {
                "value is out of range (Decimal: |x| < 7.9e28, at most 28 decimal places; ids: \
                 at most 2^63 - 1)"
            }
            ValueProblem::NotNonNegativeInteger => "value is not a non-negative integer",
            ValueProblem::NotATime => "value is not a time (a timestamp, date or ISO 8601 text)",
        }
    }
}

/// A column that cannot be read as its role needs. Messages name the
/// column, the role and the 1-based data row, never a value.
///
/// ```
/// use crm_core::error::{Diagnostic, ErrorClass};
/// use crm_io::columns::{ColumnError, ValueProblem};
/// let e = ColumnError::Value { column: "amount".into(), row: 3, problem: ValueProblem::NotFinite };
/// assert_eq!(e.to_string(), "row 3, column `amount`: value is NaN or infinite");
/// assert_eq!((e.rule(), e.row(), e.field(), e.class()), ("finite", Some(3), Some("amount"), ErrorClass::Value));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ColumnError {
    /// The named column is not in the table.
    #[error(
        "column `{column}` ({role}) not found; the table has {available}; name the column with the `{role}=` keyword"
    )]
    Missing {
        /// The column.
        column: String,
        /// Its role in the call.
        role: String,
        /// The columns the table has (or how many).
        available: String,
    },
    /// Columns of one call with different lengths.
    #[error(
        "column `{column}` has {found} rows but `{first}` has {expected}: every column must have one row per record"
    )]
    Length {
        /// The column.
        column: String,
        /// Its rows.
        found: usize,
        /// The first column.
        first: String,
        /// The first column's rows.
        expected: usize,
    },
    /// A column of a type the role cannot hold.
    #[error("column `{column}` ({role}) has type {found}; expected {expected}")]
    Type {
        /// The column.
        column: String,
        /// Its role.
        role: String,
        /// Its Arrow type.
        found: String,
        /// What the role takes.
        expected: String,
    },
    /// One value of the column breaks its rule.
    #[error("row {row}, column `{column}`: {}", problem.text())]
    Value {
        /// The column.
        column: String,
        /// The 1-based data row.
        row: u64,
        /// What is wrong.
        problem: ValueProblem,
    },
    /// A column the front end cannot hand over as Arrow at all (a Python
    /// column of mixed objects, a duration): caught before any role is
    /// read, so the message names what the column holds, not a role.
    #[error("column `{column}` holds {found}; expected {expected}")]
    Unreadable {
        /// The column.
        column: String,
        /// What it holds (a type, never a value).
        found: String,
        /// What would be read.
        expected: String,
    },
    /// A result column that does not fit the schema declared for it (to
    /// Spark, say): missing, or castable only by losing data.
    #[error(
        "column `{column}` does not fit the declared type {expected}{}: the rule is that a result has its declared schema",
        found.as_deref().map(|f| format!(" (it has type {f} and would lose data)")).unwrap_or_else(|| " (it is missing)".to_owned())
    )]
    Declared {
        /// The column.
        column: String,
        /// Its type, or `None` when it is missing.
        found: Option<String>,
        /// The declared type.
        expected: String,
    },
    /// A customer on more than one row of a table that has one row per
    /// customer, found where only the id and the count are known (a
    /// distributed check, before any row is read in order).
    #[error(
        "column `{column}`: customer {customer} appears {count} times: the rule is one row per customer"
    )]
    Repeated {
        /// The customer column.
        column: String,
        /// The customer id (an id is the one input value an error may show).
        customer: CustomerId,
        /// Its rows.
        count: u64,
    },
}

impl ColumnError {
    /// The error of a column `column` (for `role`) that a table with
    /// columns `names` does not have: the message lists up to 20 of them
    /// (a table's own names, which help the caller spot a typo), or gives
    /// their count.
    ///
    /// ```
    /// use crm_io::columns::ColumnError;
    /// let e = ColumnError::missing("amount", "amount", &["id", "date"]);
    /// assert!(e.to_string().contains("the table has `id`, `date`"));
    /// ```
    pub fn missing(column: &str, role: &str, names: &[impl AsRef<str>]) -> ColumnError {
        let available = if names.len() <= 20 {
            names
                .iter()
                .map(|n| format!("`{}`", n.as_ref()))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            format!("{} columns", names.len())
        };
        ColumnError::Missing {
            column: column.to_owned(),
            role: role.to_owned(),
            available,
        }
    }

    /// The error of the value at 0-based `index`: data row `index + 1`.
    ///
    /// ```
    /// use crm_io::columns::{ColumnError, ValueProblem};
    /// let e = ColumnError::at_index("x", 0, ValueProblem::Missing);
    /// assert!(matches!(e, ColumnError::Value { row: 1, .. }));
    /// ```
    pub fn at_index(column: &str, index: usize, problem: ValueProblem) -> ColumnError {
        ColumnError::Value {
            column: column.to_owned(),
            row: index as u64 + 1,
            problem,
        }
    }
}

impl Diagnostic for ColumnError {
    fn rule(&self) -> &'static str {
        match self {
            ColumnError::Missing { .. } => "column_present",
            ColumnError::Length { .. } => "equal_length",
            ColumnError::Type { .. } => "column_type",
            ColumnError::Value { problem, .. } => problem.rule(),
            ColumnError::Unreadable { .. } => "column_type",
            ColumnError::Declared { .. } => "declared_schema",
            ColumnError::Repeated { .. } => "one_row_per_customer",
        }
    }
    fn row(&self) -> Option<u64> {
        match self {
            ColumnError::Value { row, .. } => Some(*row),
            _ => None,
        }
    }
    fn customer(&self) -> Option<&CustomerId> {
        match self {
            ColumnError::Repeated { customer, .. } => Some(customer),
            _ => None,
        }
    }
    fn field(&self) -> Option<&str> {
        match self {
            ColumnError::Missing { column, .. }
            | ColumnError::Length { column, .. }
            | ColumnError::Type { column, .. }
            | ColumnError::Value { column, .. }
            | ColumnError::Unreadable { column, .. }
            | ColumnError::Declared { column, .. }
            | ColumnError::Repeated { column, .. } => Some(column),
        }
    }
    fn class(&self) -> ErrorClass {
        match self {
            ColumnError::Missing { .. } | ColumnError::Length { .. } => ErrorClass::Column,
            ColumnError::Type { .. } | ColumnError::Unreadable { .. } => ErrorClass::Type,
            ColumnError::Value { .. } | ColumnError::Declared { .. } => ErrorClass::Value,
            ColumnError::Repeated { .. } => ErrorClass::Duplicate,
        }
    }
}

#[cfg(test)]
mod tests;
