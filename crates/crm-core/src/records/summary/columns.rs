//! Column batches: borrowed columns of transactions (keys, days, amounts, flags, validity) as the accumulator reads them.

#[allow(unused_imports)]
use super::*;

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
    pub(super) bits: &'a [u8],
    pub(super) offset: usize,
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
pub(super) fn valid(v: &Option<Validity<'_>>, i: usize) -> bool {
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

    pub(super) fn slice(&self, start: usize, end: usize) -> Self {
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
    pub(super) fn text(&self, i: usize) -> Option<&[u8]> {
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

    pub(super) fn slice(&self, start: usize, end: usize) -> Self {
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
    pub(super) fn get(&self, i: usize, scale: u32) -> Result<Mantissa, RejectReason> {
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
pub(super) fn rescale(m: i128, from: u32, to: u32) -> Result<Mantissa, RejectReason> {
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
pub(super) fn float_mantissa(v: f64, scale: u32) -> Result<Mantissa, RejectReason> {
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

    pub(super) fn slice(&self, start: usize, end: usize) -> Self {
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
    pub(super) fn get(&self, i: usize) -> Option<bool> {
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
    pub(super) fn row(&self, i: usize) -> u64 {
        match self.row_numbers.and_then(|r| r.get(i)) {
            Some(r) => *r,
            None => self.first_row.saturating_add(i as u64),
        }
    }
}
