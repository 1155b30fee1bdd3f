//! Amount-like columns (amount, quantity, margin) of an Arrow transaction
//! table brought to what crm-core reads: exact decimals, integers and
//! float64 in place, float32/float16 by the shortest representation, wide
//! decimals and text converted per row with rejections recorded by row.

use std::collections::BTreeMap;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Decimal128Type, Float64Type, Int64Type};
use arrow::error::ArrowError;
use crm_core::records::reconciliation::{Column, RejectReason};
use crm_core::records::summary::{Amounts, Validity};
use rust_decimal::Decimal;

use super::{plain, validity};
use crate::columns::{decimal_of_i256, widen_f16, widen_f32};
use crate::parse::parse_decimal;
use crate::{ColumnRef, IoError};

/// An amount-like column ready for crm-core.
pub(super) enum AmountPrep {
    /// Decimal128, Float64 or Int64, read in place.
    Arrow(ArrayRef),
    /// Text parsed per row (the array kept for its nulls).
    Parsed(ArrayRef, Vec<Decimal>),
}

impl AmountPrep {
    pub(super) fn amounts(&self) -> (Amounts<'_>, Option<Validity<'_>>) {
        match self {
            AmountPrep::Arrow(a) => {
                let v = validity(a.as_ref());
                let col = match a.data_type() {
                    DataType::Decimal128(_, s) => Amounts::Scaled {
                        mantissas: a.as_primitive::<Decimal128Type>().values(),
                        scale: u32::try_from(*s).unwrap_or(0),
                    },
                    DataType::Float64 => Amounts::Float(a.as_primitive::<Float64Type>().values()),
                    _ => Amounts::Scaled64 {
                        mantissas: a.as_primitive::<Int64Type>().values(),
                        scale: 0,
                    },
                };
                (col, v)
            }
            AmountPrep::Parsed(a, values) => (Amounts::Decimal(values), validity(a.as_ref())),
        }
    }
}

pub(super) fn amount_prep(
    a: &ArrayRef,
    r: &ColumnRef,
    column: Column,
    pre: &mut BTreeMap<usize, (Column, RejectReason)>,
    source: &str,
) -> Result<AmountPrep, IoError> {
    let err = |e: ArrowError| IoError::column(source, r, format!("cannot be converted: {e}"));
    let a = plain(a).map_err(err)?;
    Ok(match a.data_type() {
        DataType::Decimal128(_, s) if *s >= 0 => AmountPrep::Arrow(a),
        DataType::Float64 | DataType::Int64 => AmountPrep::Arrow(a),
        // One float rule with `classify`: the shortest representation
        // (crate::columns), not the binary value, for float32 and float16.
        DataType::Float32 => {
            let f = a.as_primitive::<arrow::datatypes::Float32Type>();
            let wide: arrow::array::Float64Array = f.unary(widen_f32);
            AmountPrep::Arrow(std::sync::Arc::new(wide))
        }
        DataType::Float16 => {
            let f = a.as_primitive::<arrow::datatypes::Float16Type>();
            let wide: arrow::array::Float64Array = f.unary(widen_f16);
            AmountPrep::Arrow(std::sync::Arc::new(wide))
        }
        DataType::Decimal32(_, _) | DataType::Decimal64(_, _) => {
            // Always fits decimal128 exactly.
            let (p, s) = match a.data_type() {
                DataType::Decimal32(p, s) | DataType::Decimal64(p, s) => (*p, *s),
                _ => (38, 0),
            };
            let wide = cast(&a, &DataType::Decimal128(p.min(38), s)).map_err(err)?;
            return amount_prep(&wide, r, column, pre, source);
        }
        DataType::Decimal256(_, s) => {
            // Read per value: one that does not fit Decimal is out of range
            // (the row is rejected), never a null or a rounded value.
            let s = *s;
            let d = a.as_primitive::<arrow::datatypes::Decimal256Type>();
            let mut values = Vec::with_capacity(d.len());
            for i in 0..d.len() {
                if d.is_null(i) {
                    values.push(Decimal::ZERO);
                    continue;
                }
                values.push(match decimal_of_i256(d.value(i), s) {
                    Some(v) => v,
                    None => {
                        let e = pre.entry(i).or_insert((column, RejectReason::OutOfRange));
                        if column < e.0 {
                            *e = (column, RejectReason::OutOfRange);
                        }
                        Decimal::ZERO
                    }
                });
            }
            AmountPrep::Parsed(a, values)
        }
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32 => AmountPrep::Arrow(cast(&a, &DataType::Int64).map_err(err)?),
        DataType::UInt64 | DataType::Decimal128(_, _) => {
            AmountPrep::Arrow(cast(&a, &DataType::Decimal128(38, 0)).map_err(err)?)
        }
        DataType::Utf8 | DataType::LargeUtf8 => {
            let s = cast(&a, &DataType::Utf8).map_err(err)?;
            let mut values = Vec::with_capacity(s.len());
            for (i, t) in s.as_string::<i32>().iter().enumerate() {
                values.push(match t.map(parse_decimal) {
                    Some(Ok(d)) => d,
                    Some(Err(reason)) => {
                        let e = pre.entry(i).or_insert((column, reason));
                        if column < e.0 {
                            *e = (column, reason);
                        }
                        Decimal::ZERO
                    }
                    None => Decimal::ZERO,
                });
            }
            AmountPrep::Parsed(a, values)
        }
        dt => {
            return Err(IoError::column(
                source,
                r,
                format!("has type {dt}, expected a number or text"),
            ));
        }
    })
}
