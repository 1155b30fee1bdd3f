//! Results as Arrow tables: the one layout every front end writes.
//!
//! The `crm` command (CSV, Parquet), the Python package (Arrow PyCapsule
//! tables for pyarrow, polars and pandas) and the Spark integration all turn
//! crm-core results into Arrow here, so a column has one name and one type
//! whichever door the user came through. The golden schema files under
//! `crates/crm-io/schemas/` hold those layouts, and the tests of both the
//! CLI and the Python package check their output against them.
//!
//! Money is exact by default: a `Decimal` column is Arrow
//! `Decimal128(38, s)`, `s` being the largest scale in the column (so no
//! digit is ever dropped). [`MoneyType::Float64`] gives `float64` instead,
//! for notebooks, converted from the decimal directly (never through text).
//!
//! ```
//! use crm_io::tables::{Table, MoneyType, money, counts};
//! use rust_decimal_macros::dec;
//!
//! let mut t = Table::default();
//! t.push("spend", money(MoneyType::Decimal128, [Some(dec!(1.25)), None]))
//!     .push("occasions", counts([3, 0]));
//! let batch = t.batch()?;
//! assert_eq!(batch.num_rows(), 2);
//! assert_eq!(batch.schema().field(0).data_type(), &arrow::datatypes::DataType::Decimal128(38, 2));
//! # Ok::<(), crm_io::IoError>(())
//! ```

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, Date32Array, Decimal128Array, Float64Array, Int64Array, RecordBatch, StringArray,
    UInt8Array,
};
use arrow::buffer::NullBuffer;
use arrow::datatypes::{Field, Schema, SchemaRef};
use chrono::NaiveDate;
use crm_core::CustomerId;
use crm_core::records::transaction::day_number;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::IoError;

pub mod clv;
pub mod metrics;
pub mod review;
pub mod rfm;
pub mod summaries;
pub mod tiers;
pub mod validation;
#[cfg(feature = "parquet")]
pub mod write;

/// How money columns are typed in a result table.
///
/// ```
/// use crm_io::tables::MoneyType;
/// assert_eq!("float64".parse::<MoneyType>(), Ok(MoneyType::Float64));
/// assert_eq!(MoneyType::default().as_str(), "decimal128");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoneyType {
    /// Exact: Arrow `Decimal128(38, s)`, `s` the largest scale in the column.
    #[default]
    Decimal128,
    /// Binary floating point (`float64`), the nearest double to each decimal.
    Float64,
}

impl MoneyType {
    /// Every money type, in the order the docs list them.
    pub const ALL: [MoneyType; 2] = [MoneyType::Decimal128, MoneyType::Float64];

    /// The name used on the command line, in Python and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            MoneyType::Decimal128 => "decimal128",
            MoneyType::Float64 => "float64",
        }
    }
}

impl fmt::Display for MoneyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A money type name that is not one of [`MoneyType::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("money type must be one of decimal128, float64")]
pub struct UnknownMoneyType;

impl FromStr for MoneyType {
    type Err = UnknownMoneyType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MoneyType::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or(UnknownMoneyType)
    }
}

/// Named columns of equal length, in output order.
///
/// ```
/// use crm_io::tables::{Table, texts};
/// let mut t = Table::default();
/// t.push("tier", texts(["major"]));
/// assert_eq!(t.names(), vec!["tier"]);
/// ```
#[derive(Debug, Default, Clone)]
pub struct Table {
    columns: Vec<(String, ArrayRef)>,
}

impl Table {
    /// Appends a column.
    pub fn push(&mut self, name: &str, column: ArrayRef) -> &mut Self {
        self.columns.push((name.to_owned(), column));
        self
    }

    /// The column names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The schema: every field nullable, so that the layout does not depend
    /// on whether this particular input had a null.
    pub fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(
            self.columns
                .iter()
                .map(|(n, c)| Field::new(n, c.data_type().clone(), true))
                .collect::<Vec<_>>(),
        ))
    }

    /// The columns as one record batch.
    pub fn batch(&self) -> Result<RecordBatch, IoError> {
        RecordBatch::try_new(
            self.schema(),
            self.columns.iter().map(|(_, c)| c.clone()).collect(),
        )
        .map_err(|e| IoError::read("result table", e))
    }
}

/// Customer ids: `int64` when all are integers, else `utf8`.
///
/// ```
/// use crm_io::tables::ids;
/// use crm_core::CustomerId;
/// assert_eq!(ids(&[CustomerId::from(7)]).data_type(), &arrow::datatypes::DataType::Int64);
/// ```
pub fn ids(ids: &[CustomerId]) -> ArrayRef {
    if ids.iter().all(|i| matches!(i, CustomerId::Int(_))) {
        Arc::new(Int64Array::from_iter_values(ids.iter().map(|i| match i {
            CustomerId::Int(k) => *k,
            _ => 0,
        })))
    } else {
        Arc::new(StringArray::from_iter_values(
            ids.iter().map(ToString::to_string),
        ))
    }
}

/// Money (nulls where `None`), typed by `money`.
///
/// ```
/// use crm_io::tables::{money, MoneyType};
/// use rust_decimal_macros::dec;
/// let c = money(MoneyType::Float64, [Some(dec!(0.1))]);
/// assert_eq!(c.data_type(), &arrow::datatypes::DataType::Float64);
/// ```
pub fn money<I>(money: MoneyType, values: I) -> ArrayRef
where
    I: IntoIterator<Item = Option<Decimal>> + Clone,
{
    match money {
        MoneyType::Decimal128 => decimals(values),
        MoneyType::Float64 => floats(values.into_iter().map(|v| v.map(nearest_f64))),
    }
}

/// `d` as an `f64`: the nearest double when `d` is an amount (a mantissa of
/// at most 53 bits at a scale of at most 22, which covers every amount in
/// cents below 90 trillion), as both the mantissa and the power of ten are
/// exact doubles and one IEEE division rounds correctly; within two units
/// in the last place of it otherwise (a wider mantissa is rounded first, a
/// scale beyond 22 divides twice). A few nanoseconds a value, no string.
///
/// ```
/// use crm_io::tables::nearest_f64;
/// use rust_decimal_macros::dec;
/// assert_eq!(nearest_f64(dec!(0.1)), 0.1);
/// assert_eq!(nearest_f64(dec!(-1234567.125)), -1234567.125);
/// ```
pub fn nearest_f64(d: Decimal) -> f64 {
    // i128 -> f64 rounds to nearest; a 96-bit mantissa never overflows.
    let mantissa = d.mantissa() as f64;
    let scale = d.scale() as usize;
    match (
        POW10_F64.get(scale),
        POW10_F64.get(scale.saturating_sub(22)),
    ) {
        (Some(p), _) => mantissa / p,
        (None, Some(rest)) => mantissa / POW10_F64[22] / rest,
        // A Decimal's scale is at most 28: unreachable.
        (None, None) => d.to_f64().unwrap_or(f64::NAN),
    }
}

/// The powers of ten that are exact doubles: 10^0 ..= 10^22.
const POW10_F64: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `n` nulls of money type `money`: a money column with no known value, of
/// the type [`money`] gives a column of nulls. The value buffer is a zeroed
/// allocation the operating system maps lazily, so ten million nulls cost
/// the validity bits, not 160 MB (see [`null_floats`]).
///
/// ```
/// use arrow::array::Array;
/// use crm_io::tables::{money, null_money, MoneyType};
/// for m in [MoneyType::Decimal128, MoneyType::Float64] {
///     let nulls = null_money(m, 3);
///     assert_eq!(nulls.null_count(), 3);
///     assert_eq!(nulls.data_type(), money(m, [None; 3]).data_type());
/// }
/// ```
pub fn null_money(money_type: MoneyType, n: usize) -> ArrayRef {
    match money_type {
        MoneyType::Float64 => null_floats(n),
        MoneyType::Decimal128 => {
            let array = Decimal128Array::new(vec![0_i128; n].into(), Some(NullBuffer::new_null(n)));
            match array.clone().with_precision_and_scale(38, 0) {
                Ok(a) => Arc::new(a),
                Err(_) => Arc::new(array),
            }
        }
    }
}

/// `n` null `float64` values. The value buffer comes from `vec![0.0; n]`,
/// which the allocator takes zeroed from the operating system (`calloc`):
/// its pages stay unmapped until written, and a result table never writes
/// them. Arrow's own null constructor zeroes a 64-byte-aligned buffer by
/// hand, which touches every page.
///
/// ```
/// use arrow::array::Array;
/// assert_eq!(crm_io::tables::null_floats(4).null_count(), 4);
/// ```
pub fn null_floats(n: usize) -> ArrayRef {
    Arc::new(Float64Array::new(
        vec![0.0_f64; n].into(),
        Some(NullBuffer::new_null(n)),
    ))
}

/// Exact decimals, `Decimal128(38, s)` (nulls where `None`).
///
/// `s` is the largest scale among the values (trailing zeros ignored), so
/// no digit is dropped, with one limit: every value must still be a
/// `rust_decimal::Decimal` at scale `s` (a 96-bit mantissa), so that the
/// table reads back into the engine. A column that mixes large amounts
/// with 28-digit fractions (a mean of 1/3) gets the largest scale its
/// largest value allows, and the long fractions are rounded to it (they
/// keep 28 significant digits or so; never a digit of an amount).
///
/// ```
/// use crm_io::tables::decimals;
/// use rust_decimal_macros::dec;
/// let c = decimals([Some(dec!(1.5)), Some(dec!(2.250))]);
/// assert_eq!(c.data_type(), &arrow::datatypes::DataType::Decimal128(38, 2));
/// ```
pub fn decimals<I: IntoIterator<Item = Option<Decimal>> + Clone>(values: I) -> ArrayRef {
    // The scale a value needs is its normalised scale (trailing zeros
    // ignored); normalising only the values whose stored scale exceeds the
    // largest found so far gives the same maximum. The scale a value still
    // fits at falls as its magnitude grows, so the limit of the column is the
    // limit of its largest magnitude: one rescale, not one per value.
    let mut wanted = 0_u32;
    let mut largest: Option<Decimal> = None;
    // Exponents bounding magnitudes cheaply: |d| < 2^(bits - 3·scale) (as
    // 10^scale >= 2^(3·scale)) and the largest so far is at least
    // 2^(bits - 1 - 4·scale) (as 10^scale <= 2^(4·scale)). A value whose
    // upper bound does not exceed that lower bound cannot be larger, and
    // skips the exact comparison.
    let mut largest_at_least = i64::MIN;
    for d in values.clone().into_iter().flatten() {
        if d.scale() > wanted {
            wanted = wanted.max(d.normalize().scale());
        }
        let bits = 128 - i64::from(d.mantissa().unsigned_abs().leading_zeros());
        let scale = i64::from(d.scale());
        if bits - 3 * scale <= largest_at_least {
            continue;
        }
        if largest.is_none_or(|m| d.abs() > m) {
            largest = Some(d.abs());
            if bits > 0 {
                largest_at_least = largest_at_least.max(bits - 1 - 4 * scale);
            }
        }
    }
    let allowed = largest.map_or(28, |m| {
        // rescale keeps the largest scale <= 28 at which the value fits.
        let mut widest = m.normalize();
        widest.rescale(28);
        widest.scale()
    });
    let scale = wanted.min(allowed);
    let array: Decimal128Array = values
        .into_iter()
        .map(|v| v.map(|d| mantissa_at(d, scale)))
        .collect();
    // A rust_decimal mantissa has at most 29 digits: it always fits 38.
    match array.clone().with_precision_and_scale(38, scale as i8) {
        Ok(a) => Arc::new(a),
        Err(_) => Arc::new(array),
    }
}

/// The mantissa of `d` at `scale`: exact when `d` has no more digits after
/// the point than `scale` (a multiplication by a power of ten, which cannot
/// overflow because `scale` is at most the widest scale of the column's
/// largest magnitude), else rounded half to even to `scale` digits.
fn mantissa_at(d: Decimal, scale: u32) -> i128 {
    let have = d.scale();
    if have <= scale {
        let up = scale - have;
        if let Some(m) = 10_i128
            .checked_pow(up)
            .and_then(|p| d.mantissa().checked_mul(p))
        {
            return m;
        }
    }
    let mut r = d.normalize().round_dp(scale);
    r.rescale(scale);
    r.mantissa()
}

/// Calendar days (`date32`).
///
/// ```
/// use crm_io::tables::dates;
/// let d = chrono::NaiveDate::from_ymd_opt(1970, 1, 2).unwrap();
/// assert_eq!(dates(&[d]).len(), 1);
/// ```
pub fn dates(values: &[NaiveDate]) -> ArrayRef {
    Arc::new(Date32Array::from_iter_values(
        values.iter().map(|d| day_number(*d)),
    ))
}

/// Counts (`int64`). Signed although a count is never negative: Spark and
/// most SQL engines have no unsigned 64-bit type, and every count of rows
/// or customers fits (a count beyond `i64::MAX`, impossible in practice,
/// would be written `i64::MAX`).
///
/// ```
/// let c = crm_io::tables::counts([1, 2]);
/// assert_eq!(c.data_type(), &arrow::datatypes::DataType::Int64);
/// ```
pub fn counts(values: impl IntoIterator<Item = u64>) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(
        values
            .into_iter()
            .map(|v| i64::try_from(v).unwrap_or(i64::MAX)),
    ))
}

/// Counts that may be absent (`int64` as [`counts`], nulls where `None`).
///
/// ```
/// assert_eq!(crm_io::tables::optional_counts([Some(1), None]).null_count(), 1);
/// ```
pub fn optional_counts(values: impl IntoIterator<Item = Option<u64>>) -> ArrayRef {
    Arc::new(
        values
            .into_iter()
            .map(|v| v.map(|v| i64::try_from(v).unwrap_or(i64::MAX)))
            .collect::<Int64Array>(),
    )
}

/// Signed whole numbers (`int64`), such as days that may be negative.
///
/// ```
/// assert_eq!(crm_io::tables::integers([-1, 2]).len(), 2);
/// ```
pub fn integers(values: impl IntoIterator<Item = i64>) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(values))
}

/// Scores on a small scale, such as RFM's 1..5 (`uint8`).
///
/// ```
/// assert_eq!(crm_io::tables::scores([5, 1]).data_type(), &arrow::datatypes::DataType::UInt8);
/// ```
pub fn scores(values: impl IntoIterator<Item = u8>) -> ArrayRef {
    Arc::new(UInt8Array::from_iter_values(values))
}

/// Text that may be absent (`utf8`, nulls where `None`).
///
/// ```
/// assert_eq!(crm_io::tables::optional_texts([Some("major"), None]).null_count(), 1);
/// ```
pub fn optional_texts<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(values.into_iter().collect::<StringArray>())
}

/// Floating-point figures (`float64`, nulls where `None`).
///
/// ```
/// assert_eq!(crm_io::tables::floats([Some(0.5), None]).null_count(), 1);
/// ```
pub fn floats(values: impl IntoIterator<Item = Option<f64>>) -> ArrayRef {
    Arc::new(values.into_iter().collect::<Float64Array>())
}

/// Text (`utf8`).
///
/// ```
/// assert_eq!(crm_io::tables::texts(["a", "b"]).len(), 2);
/// ```
pub fn texts<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

/// The layout of a result table as the canonical text of its golden schema
/// file (`crates/crm-io/schemas/<table>.json`): one line per column, its
/// name and Arrow type. A decimal's scale follows the data (the largest
/// scale present, so no digit is dropped), so it is written `*`.
///
/// Both front ends' tests compare what they produce with these files, so a
/// column renamed or retyped in one place and not the other fails a test.
///
/// ```
/// use crm_io::tables::{layout, counts, Table};
/// let mut t = Table::default();
/// t.push("occasions", counts([1]));
/// assert_eq!(layout("example", &t.schema()), "{\"table\": \"example\", \"columns\": [\n  {\"name\": \"occasions\", \"type\": \"Int64\"}\n]}\n");
/// ```
pub fn layout(table: &str, schema: &Schema) -> String {
    let columns: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| {
            let ty = match f.data_type() {
                arrow::datatypes::DataType::Decimal128(p, _) => format!("Decimal128({p}, *)"),
                other => other.to_string(),
            };
            format!("  {{\"name\": \"{}\", \"type\": \"{}\"}}", f.name(), ty)
        })
        .collect();
    format!(
        "{{\"table\": \"{table}\", \"columns\": [\n{}\n]}}\n",
        columns.join(",\n")
    )
}

/// The golden layout of `table`, as committed under `crates/crm-io/schemas/`,
/// or `None` for a table without one. Front ends' tests compare
/// [`layout`] of their output with it.
///
/// ```
/// assert!(crm_io::tables::golden_layout("no such table").is_none());
/// ```
pub fn golden_layout(table: &str) -> Option<&'static str> {
    GOLDEN
        .iter()
        .find(|(t, _)| *t == table)
        .map(|(_, text)| *text)
}

/// The committed golden layouts: (table, file text). Add a line per table.
pub const GOLDEN: &[(&str, &str)] = &[
    ("summaries", include_str!("../schemas/summaries.json")),
    (
        "calibration_holdout",
        include_str!("../schemas/calibration_holdout.json"),
    ),
    ("rfm", include_str!("../schemas/rfm.json")),
    ("review", include_str!("../schemas/review.json")),
    ("metrics", include_str!("../schemas/metrics.json")),
    (
        clv::PREDICTIONS,
        include_str!("../schemas/clv_predictions.json"),
    ),
    ("tiers", include_str!("../schemas/tiers.json")),
    (
        "holdout_forecast",
        include_str!("../schemas/holdout_forecast.json"),
    ),
    (
        "holdout_scores",
        include_str!("../schemas/holdout_scores.json"),
    ),
    (
        "holdout_deciles",
        include_str!("../schemas/holdout_deciles.json"),
    ),
    (
        "holdout_lorenz",
        include_str!("../schemas/holdout_lorenz.json"),
    ),
    (
        "repeat_occasions",
        include_str!("../schemas/repeat_occasions.json"),
    ),
    ("tracking", include_str!("../schemas/tracking.json")),
    (
        "holdout_groups",
        include_str!("../schemas/holdout_groups.json"),
    ),
    (
        "model_comparison",
        include_str!("../schemas/model_comparison.json"),
    ),
    (
        clv::INTERVALS,
        include_str!("../schemas/clv_intervals.json"),
    ),
    (
        clv::PURCHASE_PROBABILITIES,
        include_str!("../schemas/purchase_probabilities.json"),
    ),
];

#[cfg(test)]
mod golden_tests;

#[cfg(test)]
mod money_tests {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::{decimals, nearest_f64};
    use arrow::array::{Array, AsArray};
    use arrow::datatypes::Decimal128Type;

    proptest! {
        /// Amounts (mantissa within 53 bits, scale within 22) convert to the
        /// double the standard library's correctly rounded parse of their
        /// digits gives; other values are within two units in the last place
        /// of it.
        #[test]
        fn nearest_f64_is_the_correctly_rounded_double_for_amounts(
            mantissa in any::<i64>(),
            wide in any::<i128>(),
            scale in 0_u32..=28,
        ) {
            for m in [i128::from(mantissa), wide >> 32, i128::from(mantissa >> 11)] {
                let Ok(d) = Decimal::try_from_i128_with_scale(m, scale) else { continue };
                let parsed: f64 = d.to_string().parse().unwrap();
                let got = nearest_f64(d);
                if m.unsigned_abs() <= 1 << 53 && scale <= 22 {
                    prop_assert_eq!(got, parsed, "{}", d);
                } else {
                    prop_assert!((got - parsed).abs() <= 2.0 * parsed.abs() * f64::EPSILON, "{}", d);
                }
            }
        }

        /// The skipped comparisons never change the column's scale: it is the
        /// scale a full scan of every value's magnitude gives.
        #[test]
        fn decimal_column_scale_is_that_of_a_full_scan(
            raw in prop::collection::vec((any::<i64>(), 0_u32..=28, any::<bool>()), 1..40),
        ) {
            let values: Vec<Option<Decimal>> = raw
                .iter()
                .map(|&(m, s, wide)| {
                    let m = if wide { i128::from(m) << 30 } else { i128::from(m >> (s * 2)) };
                    Decimal::try_from_i128_with_scale(m, s).ok()
                })
                .collect();
            let wanted = values.iter().flatten().map(|d| d.normalize().scale()).max().unwrap_or(0);
            let largest = values.iter().flatten().map(|d| d.abs()).max();
            let allowed = largest.map_or(28, |m| {
                let mut w = m.normalize();
                w.rescale(28);
                w.scale()
            });
            let column = decimals(values.clone());
            let c = column.as_primitive::<Decimal128Type>();
            prop_assert_eq!(u32::try_from(c.scale()).unwrap(), wanted.min(allowed));
            prop_assert_eq!(c.null_count(), values.iter().filter(|v| v.is_none()).count());
        }
    }
}
