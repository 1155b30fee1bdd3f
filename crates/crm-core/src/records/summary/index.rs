//! Per-customer running figures and the customer index (integer and text ids to dense slots).

#[allow(unused_imports)]
use super::*;

/// Per-customer running figures, 64 bytes.
///
/// Aligned to 16, not to a cache line: a vector of over-aligned values
/// cannot shrink in place (the allocator copies it), and `finish` shrinks
/// the records as it converts them. The rarely used `returns_amount` comes
/// last, so a record that straddles two lines mostly touches one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[repr(C, align(16))]
pub(super) struct Cell {
    pub(super) first_day: i32,
    pub(super) last_day: i32,
    pub(super) transactions: u32,
    pub(super) returns: u32,
    pub(super) total: Mantissa,
    pub(super) first_day_spend: Mantissa,
    pub(super) returns_amount: Mantissa,
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

impl Cell {
    /// Adds one used row: the one definition of how a row changes a
    /// record. `Some(true)` when `day` is neither the record's first nor
    /// its last day (so possibly a new occasion, whose key the caller
    /// keeps), `None` when a count or sum overflows.
    #[inline]
    pub(super) fn add(&mut self, day: i32, amount: Mantissa) -> Option<bool> {
        let new_day = day != self.first_day && day != self.last_day;
        if day < self.first_day {
            self.first_day = day;
            self.first_day_spend = amount;
        } else if day == self.first_day {
            self.first_day_spend = self.first_day_spend.checked_add(amount)?;
        }
        if day > self.last_day {
            self.last_day = day;
        }
        self.total = self.total.checked_add(amount)?;
        self.transactions = self.transactions.checked_add(1)?;
        if amount < 0 {
            self.returns_amount = self.returns_amount.checked_add(amount)?;
            self.returns = self.returns.checked_add(1)?;
        }
        Some(new_day)
    }
}

/// Per-customer figures of the optional columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub(super) struct Extra {
    pub(super) quantity: Mantissa,
    pub(super) margin: Mantissa,
    pub(super) quantity_rows: u64,
    pub(super) margin_rows: u64,
    pub(super) flag_rows: u64,
    pub(super) discounted: u64,
}

/// Customer id to dense index.
///
/// Integer ids in `0..direct.len()` are looked up in a plain table (most
/// order systems number customers densely); the table grows while it stays
/// within a few slots per customer, and other integer ids go to a hash map.
#[derive(Debug, Clone, Default)]
pub(super) struct CustomerIndex {
    /// Slot `k`: index + 1 of integer id `k`, or 0.
    pub(super) direct: Vec<u32>,
    pub(super) ints: HashMap<i64, u32>,
    pub(super) texts: HashMap<Box<[u8]>, u32>,
    pub(super) ids: Vec<CustomerId>,
}

/// Direct-table slots allowed per customer, and always.
pub(super) const DIRECT_PER_CUSTOMER: usize = 4;
pub(super) const DIRECT_MIN: usize = 1 << 20;

impl CustomerIndex {
    pub(super) fn next(&self) -> Option<u32> {
        u32::try_from(self.ids.len())
            .ok()
            .filter(|n| *n < u32::MAX - 1)
    }

    /// Index of integer id `k`, and whether it is new.
    #[inline]
    pub(super) fn int(&mut self, k: i64) -> Option<(u32, bool)> {
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
    pub(super) fn grow_direct(&mut self, u: usize) {
        let limit = DIRECT_MIN.max(
            self.ids
                .len()
                .saturating_add(1)
                .saturating_mul(DIRECT_PER_CUSTOMER),
        );
        if u >= limit {
            return;
        }
        let old_len = self.direct.len();
        let new_len = u
            .saturating_add(1)
            .max(old_len.saturating_mul(2))
            .max(1024)
            .min(limit);
        // Growing moves the hashed ids the table now covers, a pass over
        // the hash map: grow by half at least, or ids arriving in
        // ascending order would pass over it again and again.
        if !self.ints.is_empty() && new_len < old_len.saturating_add(old_len / 2) {
            return;
        }
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
    pub(super) fn text(&mut self, k: &[u8]) -> Result<Option<(u32, bool)>, RejectReason> {
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
    pub(super) fn output_order(&self) -> Vec<u32> {
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

    pub(super) fn id(&mut self, id: &CustomerId) -> Option<(u32, bool)> {
        match id {
            CustomerId::Int(k) => self.int(*k),
            CustomerId::Str(s) => self.text(s.as_bytes()).ok().flatten(),
        }
    }
}

/// The occasion key of (customer index, day): sorts by customer, then day.
#[inline]
pub(super) fn key(idx: u32, day: i32) -> u64 {
    (u64::from(idx) << 32) | u64::from((day as u32) ^ 0x8000_0000)
}

#[inline]
pub(super) fn key_index(k: u64) -> usize {
    (k >> 32) as usize
}

#[inline]
pub(super) fn key_day(k: u64) -> i32 {
    ((k as u32) ^ 0x8000_0000) as i32
}
