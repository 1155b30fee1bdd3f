//! Exact arithmetic: values as integer keys at one decimal scale, sums in
//! 128 bits and cut-off comparisons in 256 bits.

use rust_decimal::Decimal;

use super::config::TierError;

/// A cut-off as an exact fraction `numerator / 10^scale`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fraction {
    numerator: u128,
    denominator: u128,
}

impl Fraction {
    pub(super) fn of(cutoff: Decimal) -> Fraction {
        // Valid cut-offs are in (0, 1]: the mantissa is positive and the
        // scale at most 28, so both fit u128.
        Fraction {
            numerator: cutoff.mantissa().unsigned_abs(),
            denominator: 10_u128.pow(cutoff.scale()),
        }
    }

    /// Is `before / total` strictly below this fraction? Exact, in 256 bits.
    pub(super) fn exceeds(&self, before: u128, total: u128) -> bool {
        wide_mul(before, self.denominator) < wide_mul(self.numerator, total)
    }
}

/// Full 256-bit product of two u128, as (high, low) words: compared
/// lexicographically it orders the products exactly.
pub(super) fn wide_mul(a: u128, b: u128) -> (u128, u128) {
    const MASK: u128 = u64::MAX as u128;
    let (a_hi, a_lo) = (a >> 64, a & MASK);
    let (b_hi, b_lo) = (b >> 64, b & MASK);
    let lo_lo = a_lo * b_lo;
    let hi_lo = a_hi * b_lo;
    let lo_hi = a_lo * b_hi;
    let hi_hi = a_hi * b_hi;
    let cross = (lo_lo >> 64) + (hi_lo & MASK) + (lo_hi & MASK);
    let low = (cross << 64) | (lo_lo & MASK);
    let high = hi_hi + (hi_lo >> 64) + (lo_hi >> 64) + (cross >> 64);
    (high, low)
}

pub(super) const POW10: [u128; 29] = {
    let mut t = [1_u128; 29];
    let mut i = 1;
    while i < 29 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// A positive value's sort key at the common `scale`: `value × 10^scale`.
pub(super) fn key_of(value: Decimal, scale: u32) -> Option<u128> {
    let value = value.normalize_scale_at_most(scale);
    let shift = scale.checked_sub(value.scale())?;
    value
        .mantissa()
        .unsigned_abs()
        .checked_mul(*POW10.get(shift as usize)?)
}

pub(super) fn key_to_decimal(key: u128, scale: u32) -> Option<Decimal> {
    let mut key = key;
    let mut scale = scale;
    // Drop trailing zeros until the mantissa fits Decimal's 96 bits.
    while key >> 96 != 0 && scale > 0 && key.is_multiple_of(10) {
        key /= 10;
        scale -= 1;
    }
    Decimal::try_from_i128_with_scale(i128::try_from(key).ok()?, scale).ok()
}

pub(super) fn ratio(part: Decimal, total: Decimal) -> Option<Decimal> {
    part.checked_div(total)
}

pub(super) fn ratio_u128(part: u128, total: u128) -> Option<Decimal> {
    if total == 0 {
        return None;
    }
    if part == total {
        return Some(Decimal::ONE);
    }
    // Reduce both until they fit Decimal, keeping the ratio up to rounding
    // far below the 28th digit.
    let (mut p, mut t) = (part, total);
    while t >> 95 != 0 {
        p >>= 1;
        t >>= 1;
    }
    let p = Decimal::from_i128_with_scale(i128::try_from(p).ok()?, 0);
    let t = Decimal::from_i128_with_scale(i128::try_from(t).ok()?, 0);
    p.checked_div(t).map(|d| d.normalize())
}

/// `part / total` as the nearest `f64` when both are below 2^53 (one
/// rounding), else the quotient of the two nearest doubles; NaN when the
/// total is zero (no evidence is then asked for).
pub(super) fn ratio_f64(part: u128, total: u128) -> f64 {
    if part == total {
        return 1.0;
    }
    part as f64 / total as f64
}

/// The keys of the positive values, in the narrowest width that holds them.
pub(super) enum Sorted {
    Narrow(Vec<u64>),
    Wide(Vec<u128>),
}

/// Positive values as exact integer keys at one common scale, ready to sort.
pub(super) struct SortKeys {
    pub(super) sorted: Sorted,
    pub(super) scale: u32,
    pub(super) total: u128,
    pub(super) positive: u64,
    /// Where an overflow of the total's conversion would be reported.
    pub(super) total_row: usize,
}

impl SortKeys {
    pub(super) fn build(values: &[Decimal]) -> Result<SortKeys, TierError> {
        let max_scale = |normalized: bool| {
            values
                .iter()
                .filter(|v| is_positive(v))
                .map(|v| {
                    if normalized {
                        v.normalize().scale()
                    } else {
                        v.scale()
                    }
                })
                .max()
                .unwrap_or(0)
        };
        let scale = max_scale(false);
        if let Some(keys) = Self::narrow(values, scale) {
            return Ok(keys);
        }
        match Self::wide(values, scale) {
            Ok(keys) => Ok(keys),
            // Trailing zeros may inflate the common scale (1.000000 next to
            // 1e20): retry with each value's smallest exact scale.
            Err(_) => Self::wide(values, max_scale(true)),
        }
    }

    /// One pass straight into 64-bit keys; `None` as soon as a key does not
    /// fit, and the wide path takes over.
    pub(super) fn narrow(values: &[Decimal], scale: u32) -> Option<SortKeys> {
        let mut keys: Vec<u64> = Vec::with_capacity(values.len());
        let mut total: u128 = 0;
        for v in values.iter().filter(|v| is_positive(v)) {
            let key = u64::try_from(key_of(*v, scale)?).ok()?;
            total += u128::from(key); // at most 2^32 keys of 2^64: fits
            keys.push(key);
        }
        let positive = keys.len() as u64;
        Some(SortKeys {
            sorted: Sorted::Narrow(keys),
            scale,
            total,
            positive,
            total_row: values.len(),
        })
    }

    pub(super) fn wide(values: &[Decimal], scale: u32) -> Result<SortKeys, TierError> {
        let mut keys = Vec::with_capacity(values.len());
        let mut total: u128 = 0;
        for (i, v) in values.iter().enumerate() {
            if !is_positive(v) {
                continue;
            }
            let key = key_of(*v, scale).ok_or(TierError::Overflow { row: i + 1 })?;
            total = total
                .checked_add(key)
                .ok_or(TierError::Overflow { row: i + 1 })?;
            keys.push(key);
        }
        let positive = keys.len() as u64;
        Ok(SortKeys {
            sorted: Sorted::Wide(keys),
            scale,
            total,
            positive,
            total_row: values.len(),
        })
    }
}

pub(super) fn is_positive(v: &Decimal) -> bool {
    v.is_sign_positive() && !v.is_zero()
}

trait ScaleAtMost {
    fn normalize_scale_at_most(self, scale: u32) -> Decimal;
}

impl ScaleAtMost for Decimal {
    /// A value whose own scale exceeds the common scale carries only trailing
    /// zeros beyond it (the common scale came from normalised values).
    fn normalize_scale_at_most(self, scale: u32) -> Decimal {
        if self.scale() > scale {
            self.normalize()
        } else {
            self
        }
    }
}
