//! The set of purchase occasions, (customer index, day) pairs, kept sorted
//! and delta-encoded.
//!
//! Counting distinct days per customer over unsorted input needs the set of
//! days seen. Held as plain 64-bit keys it costs 8 bytes per occasion, as
//! much as a third of the raw input; most neighbouring keys differ by a few
//! days of the same customer, so the sorted run is stored as LEB128 varints
//! of the differences instead, about 2 bytes per occasion.
//!
//! Encoding of each key after the previous one (`prev`):
//!
//! * same customer: `varint(day − prev.day) << 1` (the difference is ≥ 1,
//!   keys being distinct and sorted);
//! * another customer: `varint((index − prev.index) << 1 | 1)`, then
//!   `varint(zigzag(day − anchor))`, where `anchor` is a fixed day (the
//!   analysis date), so a customer's first day costs 2–3 bytes.
//!
//! The first key is encoded as "another customer" after a virtual customer
//! index of zero. New keys arrive unsorted in a pending buffer; a
//! compaction radix-sorts them and merges them into a new run.

use super::{key, key_day, key_index};

/// Sorted, distinct occasion keys, delta-encoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct OccasionRun {
    bytes: Vec<u8>,
    len: usize,
    anchor: i32,
}

impl OccasionRun {
    /// An empty run whose days are encoded relative to `anchor`.
    pub(super) fn new(anchor: i32) -> Self {
        OccasionRun {
            bytes: Vec::new(),
            len: 0,
            anchor,
        }
    }

    /// The number of keys.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The keys in ascending order.
    pub(super) fn iter(&self) -> RunIter<'_> {
        RunIter {
            bytes: &self.bytes,
            pos: 0,
            index: 0,
            day: 0,
            anchor: self.anchor,
        }
    }

    /// Merges sorted, distinct `keys` into the run (keys already in it are
    /// kept once).
    pub(super) fn merge_sorted(&mut self, keys: &[u64]) {
        if keys.is_empty() {
            return;
        }
        let mut out = Encoder::with_capacity(self.anchor, self.bytes.len() + keys.len() * 3);
        self.union(keys, |k| out.push(k));
        *self = out.finish();
    }

    /// Calls `f` with every key of the run and of the sorted, distinct
    /// `keys`, in ascending order, a key in both once.
    fn union(&self, keys: &[u64], mut f: impl FnMut(u64)) {
        let mut old = self.iter().peekable();
        let mut new = keys.iter().copied().peekable();
        loop {
            let next = match (old.peek().copied(), new.peek().copied()) {
                (Some(a), Some(b)) if a < b => old.next(),
                (Some(a), Some(b)) if a == b => {
                    new.next();
                    old.next()
                }
                (Some(_), Some(_)) | (None, Some(_)) => new.next(),
                (Some(_), None) => old.next(),
                (None, None) => break,
            };
            if let Some(k) = next {
                f(k);
            }
        }
    }

    /// Distinct days per customer index, for `customers` customers, of the
    /// run and the sorted, distinct `keys` together (without building their
    /// merged run).
    pub(super) fn counts_with(&self, keys: &[u64], customers: usize) -> Vec<u32> {
        let mut counts = vec![0_u32; customers];
        let mut count = |k: u64| {
            if let Some(c) = counts.get_mut(key_index(k)) {
                *c = c.saturating_add(1);
            }
        };
        if keys.is_empty() {
            self.iter().for_each(&mut count);
        } else {
            self.union(keys, &mut count);
        }
        counts
    }
}

/// Writes keys in ascending order.
struct Encoder {
    run: OccasionRun,
    prev: Option<(usize, i32)>,
}

impl Encoder {
    fn with_capacity(anchor: i32, bytes: usize) -> Self {
        Encoder {
            run: OccasionRun {
                bytes: Vec::with_capacity(bytes),
                len: 0,
                anchor,
            },
            prev: None,
        }
    }

    /// Appends `k`, which must be greater than the previous key.
    fn push(&mut self, k: u64) {
        let (index, day) = (key_index(k), key_day(k));
        let bytes = &mut self.run.bytes;
        match self.prev {
            Some((pi, pd)) if pi == index => {
                write_varint(bytes, ((i64::from(day) - i64::from(pd)) as u64) << 1)
            }
            prev => {
                let delta = (index - prev.map_or(0, |p| p.0)) as u64;
                write_varint(bytes, (delta << 1) | 1);
                write_varint(bytes, zigzag(i64::from(day) - i64::from(self.run.anchor)));
            }
        }
        self.prev = Some((index, day));
        self.run.len += 1;
    }

    fn finish(mut self) -> OccasionRun {
        self.run.bytes.shrink_to_fit();
        self.run
    }
}

/// Reads a run's keys in order.
pub(super) struct RunIter<'a> {
    bytes: &'a [u8],
    pos: usize,
    index: u64,
    day: i64,
    anchor: i32,
}

impl RunIter<'_> {
    fn varint(&mut self) -> Option<u64> {
        let mut v = 0_u64;
        let mut shift = 0;
        loop {
            let b = *self.bytes.get(self.pos)?;
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
            shift += 7;
            if shift >= 64 {
                return None;
            }
        }
    }
}

impl Iterator for RunIter<'_> {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        let head = self.varint()?;
        if head & 1 == 1 {
            self.index += head >> 1;
            self.day = i64::from(self.anchor) + unzigzag(self.varint()?);
        } else {
            self.day += (head >> 1) as i64;
        }
        Some(key(self.index as u32, self.day as i32))
    }
}

#[inline]
fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[inline]
fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

#[inline]
fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run_of(anchor: i32, keys: &[u64]) -> OccasionRun {
        let mut sorted = keys.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let mut run = OccasionRun::new(anchor);
        run.merge_sorted(&sorted);
        run
    }

    #[test]
    fn neighbouring_days_of_one_customer_take_one_byte_each() {
        let run = run_of(100, &[key(0, 90), key(0, 91), key(0, 95)]);
        // First key: head 1 byte + zigzag(−10) 1 byte; the others 1 byte each.
        assert_eq!(run.bytes.len(), 4);
        assert_eq!(
            run.iter().collect::<Vec<_>>(),
            vec![key(0, 90), key(0, 91), key(0, 95)]
        );
    }

    #[test]
    fn extreme_days_and_indices_round_trip() {
        let keys = [
            key(0, i32::MIN),
            key(0, i32::MAX),
            key(u32::MAX - 1, i32::MIN),
            key(u32::MAX - 1, 0),
        ];
        let run = run_of(0, &keys);
        assert_eq!(run.iter().collect::<Vec<_>>(), keys.to_vec());
        assert_eq!(run.counts_with(&[], 2), vec![2, 0]);
        assert_eq!(run.counts_with(&[key(0, 5), key(1, 7)], 2), vec![3, 1]);
    }

    proptest! {
        #[test]
        fn merged_run_is_the_sorted_distinct_union(
            a in prop::collection::vec((0_u32..50, -2000_i32..2000), 0..200),
            b in prop::collection::vec((0_u32..50, -2000_i32..2000), 0..200),
            anchor in -5000_i32..5000,
        ) {
            let ka: Vec<u64> = a.iter().map(|(i, d)| key(*i, *d)).collect();
            let kb: Vec<u64> = b.iter().map(|(i, d)| key(*i, *d)).collect();
            let mut run = run_of(anchor, &ka);
            let mut sb = kb.clone();
            sb.sort_unstable();
            sb.dedup();
            run.merge_sorted(&sb);
            let mut expected: Vec<u64> = ka.iter().chain(&kb).copied().collect();
            expected.sort_unstable();
            expected.dedup();
            prop_assert_eq!(run.len(), expected.len());
            prop_assert_eq!(run.iter().collect::<Vec<_>>(), expected);
        }
    }
}
