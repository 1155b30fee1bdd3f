//! Used rows staged between passes: sorted by customer, then folded one
//! customer at a time.
//!
//! Adding each row to its customer's record as it arrives reads the
//! record from main memory once the customers outnumber the cache (half a
//! million customers hold 32 MB of records), and records every day seen in
//! a buffer of occasion keys that has to be sorted again and again. The
//! stage instead keeps the used rows, 20 bytes each, until there are a
//! quarter as many as customers (at least a million); then a counting sort by
//! customer index puts each customer's rows together, each customer's rows
//! are sorted by day (a handful, in cache) and folded into one partial
//! record and its distinct days, and the records are updated in index
//! order, a stream the processor prefetches. The distinct days come out
//! sorted by (customer, day), so they merge into the occasion run without
//! a sort. Records hold sums and extremes, so neither the input order nor
//! the moment of a flush changes them.

use super::{Cell, Mantissa, key};

/// The used rows waiting to be added, and the buffers their sort reuses.
#[derive(Debug, Clone, Default)]
pub(super) struct Stage {
    /// Customer index of each row.
    customers: Vec<u32>,
    /// Day and amount (a mantissa that fits 64 bits) of each row.
    rows: Vec<(i32, i64)>,
    /// The rows sorted by customer.
    sorted: Vec<(i32, i64)>,
    /// Per customer, where its sorted rows end.
    ends: Vec<usize>,
}

impl Stage {
    /// Rows staged.
    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Stages a row; `false` (and nothing staged) when the amount does not
    /// fit 64 bits, which the caller then adds directly.
    #[inline]
    pub(super) fn push(&mut self, customer: u32, day: i32, amount: Mantissa) -> bool {
        let Ok(a) = i64::try_from(amount) else {
            return false;
        };
        self.customers.push(customer);
        self.rows.push((day, a));
        true
    }

    /// Sorts the rows by customer and calls `add(index, partial record)`
    /// for each customer with rows, in ascending index order, after
    /// appending the customer's distinct occasion keys to `days` (so that
    /// `days` grows in ascending key order). Stops at the first `Err`.
    /// Empties the stage (its buffers are kept for the next flush).
    pub(super) fn drain<E>(
        &mut self,
        customers: usize,
        days: &mut Vec<u64>,
        mut add: impl FnMut(usize, &Cell) -> Result<(), E>,
        overflow: impl Fn(usize) -> E,
    ) -> Result<(), E> {
        if self.rows.is_empty() {
            return Ok(());
        }
        self.sort(customers);
        let mut begin = 0;
        let mut result = Ok(());
        for (ix, &end) in self.ends.iter().enumerate() {
            let Some(rows) = self.sorted.get_mut(begin..end) else {
                break;
            };
            begin = end;
            if rows.is_empty() {
                continue;
            }
            match fold(ix, rows, days) {
                Some(cell) => {
                    if let Err(e) = add(ix, &cell) {
                        result = Err(e);
                        break;
                    }
                }
                None => {
                    result = Err(overflow(ix));
                    break;
                }
            }
        }
        self.customers.clear();
        self.rows.clear();
        result
    }

    /// Counting sort of the rows by customer index (stable).
    fn sort(&mut self, customers: usize) {
        self.ends.clear();
        self.ends.resize(customers, 0);
        for &c in &self.customers {
            if let Some(n) = self.ends.get_mut(c as usize) {
                *n += 1;
            }
        }
        // Exclusive prefix sums: `ends[c]` becomes where `c`'s rows begin,
        // then the scatter moves it to where they end.
        let mut sum = 0;
        for e in &mut self.ends {
            let n = *e;
            *e = sum;
            sum += n;
        }
        self.sorted.clear();
        self.sorted.resize(sum, (0, 0));
        for (&c, &row) in self.customers.iter().zip(&self.rows) {
            let Some(at) = self.ends.get_mut(c as usize) else {
                continue;
            };
            if let Some(slot) = self.sorted.get_mut(*at) {
                *slot = row;
            }
            *at += 1;
        }
    }
}

/// One customer's staged rows as a partial record, its distinct days
/// appended to `days` as occasion keys in ascending order; `None` when a
/// count or sum overflows.
fn fold(ix: usize, rows: &mut [(i32, i64)], days: &mut Vec<u64>) -> Option<Cell> {
    rows.sort_unstable_by_key(|r| r.0);
    let ix = u32::try_from(ix).ok()?;
    let mut cell = Cell::default();
    let mut previous = None;
    for &(day, amount) in rows.iter() {
        cell.add(day, Mantissa::from(amount))?;
        if previous != Some(day) {
            days.push(key(ix, day));
            previous = Some(day);
        }
    }
    Some(cell)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::summary::{key_day, key_index};

    #[test]
    fn rows_fold_per_customer_in_index_order_with_their_distinct_days() {
        let mut s = Stage::default();
        for (c, d, a) in [(2, 5, 100), (0, 7, -30), (2, 3, 40), (2, 5, 1), (0, 7, 10)] {
            assert!(s.push(c, d, a));
        }
        assert!(!s.push(1, 1, Mantissa::from(i64::MAX) + 1));
        let mut days = Vec::new();
        let mut seen = Vec::new();
        let r: Result<(), ()> = s.drain(
            3,
            &mut days,
            |ix, c| {
                seen.push((ix, *c));
                Ok(())
            },
            |_| (),
        );
        assert_eq!(r, Ok(()));
        assert_eq!(s.len(), 0);
        let pairs: Vec<_> = days.iter().map(|k| (key_index(*k), key_day(*k))).collect();
        assert_eq!(pairs, vec![(0, 7), (2, 3), (2, 5)]);
        let (ix0, c0) = seen[0];
        assert_eq!(
            (ix0, c0.first_day, c0.last_day, c0.transactions),
            (0, 7, 7, 2)
        );
        assert_eq!(
            (c0.total, c0.first_day_spend, c0.returns, c0.returns_amount),
            (-20, -20, 1, -30)
        );
        let (ix2, c2) = seen[1];
        assert_eq!(
            (ix2, c2.first_day, c2.last_day, c2.transactions),
            (2, 3, 5, 3)
        );
        assert_eq!((c2.total, c2.first_day_spend, c2.returns), (141, 40, 0));
        assert_eq!(seen.len(), 2);
    }
}
