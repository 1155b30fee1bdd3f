//! Arrow columns to crm-core's types and back.
//!
//! Numbers become [`Decimal`]s here, column by column, without Python
//! objects, by crm-io's rules (`crm_io::columns`): a float (`float32` at its
//! own precision) becomes the decimal of its *shortest round-trip
//! representation*, the digits Python's `repr` shows: `0.1` is `0.1`, not
//! `0.1000000000000000055511151231257827`. Integers are exact; decimals
//! (32 to 256 bits) keep their scale, and one that does not fit Decimal is
//! out of range. NaN, infinities and nulls are errors naming the row and the
//! column; every error is crm-io's [`ColumnError`], so the glue names no
//! rule.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, Int64Array, StringArray, StringBuilder,
};
use arrow::compute::cast;
use arrow::datatypes::{
    DataType, Decimal128Type, Decimal256Type, Float16Type, Float32Type, Float64Type, Int8Type,
    Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use crm_core::CustomerId;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::error::{Error, Result};

use crm_io::columns::{ColumnError, ValueProblem, decimal_of_i128, decimal_of_i256};
pub use crm_io::columns::{
    FloatProblem, decimal_from_f16, decimal_from_f32, decimal_from_f64, decimal_from_f64_slow,
};

/// A decimal as the nearest double, for value columns: a value that came in
/// as a float goes out as the same float.
///
/// Mantissas below 2^53 with scale <= 22 divide exactly-represented numbers
/// once (correctly rounded); anything else parses the decimal text, which is
/// correctly rounded too.
pub fn f64_of(d: Decimal) -> f64 {
    const P: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let m = d.mantissa();
    let s = d.scale() as usize;
    if m.unsigned_abs() < (1_u128 << 53) && s < P.len() {
        return m as f64 / P[s];
    }
    d.to_string()
        .parse()
        .unwrap_or_else(|_| d.to_f64().unwrap_or(f64::NAN))
}

/// A derived ratio (share, cumulative share) as a double, within one unit in
/// the last place.
pub fn f64_ratio(d: Decimal) -> f64 {
    // mantissa (exact up to 2^53, else correctly rounded) / 10^scale (exact
    // up to 10^22): at most two roundings, far below any share's meaning.
    const P: [f64; 29] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28,
    ];
    match P.get(d.scale() as usize) {
        Some(p) => d.mantissa() as f64 / p,
        None => d.to_f64().unwrap_or(f64::NAN),
    }
}

/// The error of the value at 0-based `row` of `column`.
pub fn value_error(what: &str, column: &str, row: usize, problem: ValueProblem) -> Error {
    Error::core(what, &ColumnError::at_index(column, row, problem))
}

/// A column of a type its role cannot hold.
pub fn dtype_error(what: &str, column: &str, role: &str, dt: &DataType, expected: &str) -> Error {
    Error::core(
        what,
        &ColumnError::Type {
            column: column.to_owned(),
            role: role.to_owned(),
            found: dt.to_string(),
            expected: expected.to_owned(),
        },
    )
}

/// How a numeric column treats nulls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nulls {
    /// A null is an error naming the row.
    Reject,
    /// A null is `None` (an unknown figure).
    Keep,
}

const NUMERIC: &str = "a numeric type (float, integer or decimal128)";

/// A numeric column as decimals (see the module docs). With
/// [`Nulls::Reject`] every element is `Some`.
pub fn decimals(
    what: &str,
    column: &str,
    role: &str,
    array: &ArrayRef,
    nulls: Nulls,
) -> Result<Vec<Option<Decimal>>> {
    let len = array.len();
    let null_at = |row: usize| -> Result<Option<Decimal>> {
        match nulls {
            Nulls::Keep => Ok(None),
            Nulls::Reject => Err(value_error(what, column, row, ValueProblem::Missing)),
        }
    };
    macro_rules! ints {
        ($t:ty) => {{
            let a = array.as_primitive::<$t>();
            let mut out = Vec::with_capacity(len);
            for row in 0..len {
                if a.is_null(row) {
                    out.push(null_at(row)?);
                } else {
                    out.push(Some(Decimal::from(a.value(row))));
                }
            }
            Ok(out)
        }};
    }
    let float_error = |problem: FloatProblem, row: usize| match problem {
        FloatProblem::NotFinite => value_error(what, column, row, ValueProblem::NotFinite),
        FloatProblem::OutOfRange => value_error(what, column, row, ValueProblem::OutOfRange),
    };
    macro_rules! floats {
        ($t:ty, $convert:expr) => {{
            let a = array.as_primitive::<$t>();
            let mut out = Vec::with_capacity(len);
            for row in 0..len {
                if a.is_null(row) {
                    out.push(null_at(row)?);
                    continue;
                }
                match $convert(a.value(row)) {
                    Ok(d) => out.push(Some(d)),
                    Err(problem) => return Err(float_error(problem, row)),
                }
            }
            Ok(out)
        }};
    }
    match array.data_type() {
        DataType::Float64 => floats!(Float64Type, decimal_from_f64),
        DataType::Float32 => floats!(Float32Type, decimal_from_f32),
        DataType::Float16 => floats!(Float16Type, decimal_from_f16),
        DataType::Int8 => ints!(Int8Type),
        DataType::Int16 => ints!(Int16Type),
        DataType::Int32 => ints!(Int32Type),
        DataType::Int64 => ints!(Int64Type),
        DataType::UInt8 => ints!(UInt8Type),
        DataType::UInt16 => ints!(UInt16Type),
        DataType::UInt32 => ints!(UInt32Type),
        DataType::UInt64 => ints!(UInt64Type),
        DataType::Decimal128(_, scale) => {
            let scale = *scale;
            let a = array.as_primitive::<Decimal128Type>();
            let mut out = Vec::with_capacity(len);
            for row in 0..len {
                if a.is_null(row) {
                    out.push(null_at(row)?);
                    continue;
                }
                match decimal_of_i128(a.value(row), scale) {
                    Some(d) => out.push(Some(d)),
                    None => return Err(value_error(what, column, row, ValueProblem::OutOfRange)),
                }
            }
            Ok(out)
        }
        DataType::Decimal256(_, scale) => {
            // Per value, never through a cast: a value that does not fit
            // Decimal is out of range (not a null, nor an unknown signal).
            let scale = *scale;
            let a = array.as_primitive::<Decimal256Type>();
            let mut out = Vec::with_capacity(len);
            for row in 0..len {
                if a.is_null(row) {
                    out.push(null_at(row)?);
                    continue;
                }
                match decimal_of_i256(a.value(row), scale) {
                    Some(d) => out.push(Some(d)),
                    None => return Err(value_error(what, column, row, ValueProblem::OutOfRange)),
                }
            }
            Ok(out)
        }
        DataType::Null => {
            let mut out = Vec::with_capacity(len);
            for row in 0..len {
                out.push(null_at(row)?);
            }
            Ok(out)
        }
        DataType::Dictionary(_, _) | DataType::Decimal32(_, _) | DataType::Decimal64(_, _) => {
            // Decimal32/64 always fit decimal128 exactly.
            let target = match array.data_type() {
                DataType::Dictionary(_, v) => v.as_ref().clone(),
                DataType::Decimal32(p, s) | DataType::Decimal64(p, s) => {
                    DataType::Decimal128((*p).min(38), *s)
                }
                _ => DataType::Float64,
            };
            match cast(array, &target) {
                Ok(plain) if !matches!(plain.data_type(), DataType::Dictionary(_, _)) => {
                    decimals(what, column, role, &plain, nulls)
                }
                _ => Err(dtype_error(what, column, role, array.data_type(), NUMERIC)),
            }
        }
        other => Err(dtype_error(what, column, role, other, NUMERIC)),
    }
}

/// A numeric column that must not hold nulls.
pub fn required_decimals(
    what: &str,
    column: &str,
    role: &str,
    array: &ArrayRef,
) -> Result<Vec<Decimal>> {
    Ok(decimals(what, column, role, array, Nulls::Reject)?
        .into_iter()
        .flatten()
        .collect())
}

/// Customer ids: integers or strings, never null.
#[derive(Debug)]
pub struct Ids {
    /// The ids for crm-core.
    pub ids: Vec<CustomerId>,
    /// The same column for output: `int64` or `utf8`.
    pub array: ArrayRef,
}

const ID_TYPES: &str = "integers or strings";

/// Reads a customer id column.
pub fn customer_ids(what: &str, column: &str, array: &ArrayRef) -> Result<Ids> {
    let role = "customer";
    let missing = |row: usize| value_error(what, column, row, ValueProblem::Missing);
    let dt = array.data_type().clone();
    match &dt {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => {
            if let DataType::UInt64 = dt {
                let a = array.as_primitive::<UInt64Type>();
                if let Some(row) =
                    (0..a.len()).find(|&r| a.is_valid(r) && a.value(r) > i64::MAX as u64)
                {
                    return Err(value_error(what, column, row, ValueProblem::OutOfRange));
                }
            }
            let ints = cast(array, &DataType::Int64)
                .map_err(|_| dtype_error(what, column, role, &dt, ID_TYPES))?;
            let a = ints.as_primitive::<Int64Type>();
            if let Some(row) = (0..a.len()).find(|&r| a.is_null(r)) {
                return Err(missing(row));
            }
            let ids = a.values().iter().map(|&v| CustomerId::Int(v)).collect();
            let array: ArrayRef = Arc::new(Int64Array::new(a.values().clone(), None));
            Ok(Ids { ids, array })
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(_, _) => {
            let strings = if matches!(dt, DataType::Utf8) {
                array.clone()
            } else {
                cast(array, &DataType::Utf8)
                    .map_err(|_| dtype_error(what, column, role, &dt, ID_TYPES))?
            };
            if !matches!(strings.data_type(), DataType::Utf8) {
                return Err(dtype_error(what, column, role, &dt, ID_TYPES));
            }
            let a = strings.as_string::<i32>();
            if let Some(row) = (0..a.len()).find(|&r| a.is_null(r)) {
                return Err(missing(row));
            }
            let ids = a
                .iter()
                .map(|s| CustomerId::Str(s.unwrap_or_default().to_owned()))
                .collect();
            Ok(Ids {
                ids,
                array: strings,
            })
        }
        DataType::Float16 | DataType::Float32 | DataType::Float64 => Err(dtype_error(
            what,
            column,
            role,
            &dt,
            "integers or strings (a float id column usually means an integer column with missing values: drop \
             them or cast the column to int64)",
        )),
        other => Err(dtype_error(what, column, role, other, ID_TYPES)),
    }
}

/// Customer ids of crm-core back to one Arrow column: `int64` when every id
/// is an integer, else `utf8` (integers written in decimal).
pub fn ids_array(ids: &[CustomerId]) -> ArrayRef {
    if ids.iter().all(|c| matches!(c, CustomerId::Int(_))) {
        let values: Vec<i64> = ids
            .iter()
            .map(|c| if let CustomerId::Int(v) = c { *v } else { 0 })
            .collect();
        Arc::new(Int64Array::from(values))
    } else {
        let mut b = StringBuilder::with_capacity(ids.len(), ids.len() * 8);
        for c in ids {
            match c {
                CustomerId::Str(s) => b.append_value(s),
                CustomerId::Int(v) => b.append_value(v.to_string()),
            }
        }
        Arc::new(b.finish())
    }
}

/// A text column (tiers and other names), dictionary-encoded or not.
pub fn strings(what: &str, column: &str, role: &str, array: &ArrayRef) -> Result<StringArray> {
    let dt = array.data_type().clone();
    let plain = match dt {
        DataType::Utf8 => array.clone(),
        DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(_, _) => {
            cast(array, &DataType::Utf8)
                .map_err(|_| dtype_error(what, column, role, &dt, "strings"))?
        }
        ref other => return Err(dtype_error(what, column, role, other, "strings")),
    };
    if !matches!(plain.data_type(), DataType::Utf8) {
        return Err(dtype_error(what, column, role, &dt, "strings"));
    }
    Ok(plain.as_string::<i32>().clone())
}

/// An optional non-negative integer column (ranks).
pub fn optional_u64(
    what: &str,
    column: &str,
    role: &str,
    array: &ArrayRef,
) -> Result<Vec<Option<u64>>> {
    let dt = array.data_type().clone();
    let ints = match dt {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Null => cast(array, &DataType::Int64)
            .map_err(|_| dtype_error(what, column, role, &dt, "integers"))?,
        DataType::Float32 | DataType::Float64 => {
            // pandas turns a nullable integer column into floats with NaN.
            let f = cast(array, &DataType::Float64)
                .map_err(|_| dtype_error(what, column, role, &dt, "integers"))?;
            let f: &Float64Array = f.as_primitive::<Float64Type>();
            let mut out = Vec::with_capacity(f.len());
            for (row, v) in f.iter().enumerate() {
                match v {
                    None => out.push(None),
                    Some(x) if x.is_nan() => out.push(None),
                    Some(x) if x >= 0.0 && x.fract() == 0.0 && x < 1.8e19 => {
                        out.push(Some(x as u64))
                    }
                    Some(_) => {
                        return Err(value_error(
                            what,
                            column,
                            row,
                            ValueProblem::NotNonNegativeInteger,
                        ));
                    }
                }
            }
            return Ok(out);
        }
        ref other => return Err(dtype_error(what, column, role, other, "integers")),
    };
    let a = ints.as_primitive::<Int64Type>();
    let mut out = Vec::with_capacity(a.len());
    for (row, v) in a.iter().enumerate() {
        match v {
            None => out.push(None),
            Some(x) => out.push(Some(u64::try_from(x).map_err(|_| {
                value_error(what, column, row, ValueProblem::NotNonNegativeInteger)
            })?)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic stream of doubles: money-like amounts and raw bit
    /// patterns.
    fn samples() -> Vec<f64> {
        let mut out = vec![
            0.1,
            0.2,
            0.3,
            1.0 / 3.0,
            2.0 / 3.0,
            1e15,
            1e16,
            123456789.123,
            9007199254740993.0,
            1e-7,
            5e-324,
        ];
        let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..50_000 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let cents = (s % 10_000_000_000) as i64;
            out.push(cents as f64 / 100.0);
            out.push((s % 1_000_000) as f64 / 1000.0);
            out.push(f64::from_bits(s >> 2)); // positive, any exponent
            out.push((s as f64) * 1e-12);
        }
        out
    }

    #[test]
    fn fast_path_equals_shortest_round_trip() {
        for x in samples() {
            for x in [x, -x] {
                let fast = decimal_from_f64(x);
                let slow = decimal_from_f64_slow(x);
                match (fast, slow) {
                    (Ok(a), Ok(b)) => assert_eq!(a.normalize(), b.normalize(), "{x:?}"),
                    (a, b) => assert_eq!(a, b, "{x:?}"),
                }
                if let Ok(d) = fast
                    && d.scale() <= 15
                    && d.mantissa().unsigned_abs() < (1 << 53)
                {
                    assert_eq!(f64_of(d), x, "{x:?} round trip");
                }
            }
        }
    }

    #[test]
    fn familiar_values() {
        assert_eq!(decimal_from_f64(0.1), Ok(Decimal::new(1, 1)));
        assert_eq!(decimal_from_f64(19.99), Ok(Decimal::new(1999, 2)));
        assert_eq!(decimal_from_f64(-2.5), Ok(Decimal::new(-25, 1)));
        assert_eq!(
            decimal_from_f64(1e20).map(|d| d.to_string()),
            Ok("100000000000000000000".to_owned())
        );
        assert_eq!(decimal_from_f64(f64::NAN), Err(FloatProblem::NotFinite));
        assert_eq!(
            decimal_from_f64(f64::INFINITY),
            Err(FloatProblem::NotFinite)
        );
        assert_eq!(decimal_from_f64(1e30), Err(FloatProblem::OutOfRange));
        assert_eq!(decimal_from_f64(1e-30), Err(FloatProblem::OutOfRange));
    }
}
