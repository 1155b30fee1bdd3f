//! The one-pass accumulator: validating, indexing and adding batches.

#[allow(unused_imports)]
use super::*;

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
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "PartialRepr")]
pub struct SummaryAccumulator {
    pub(super) config: SummaryConfig,
    pub(super) as_of_day: i32,
    pub(super) start_day: i32,
    pub(super) index: CustomerIndex,
    pub(super) cells: Vec<Cell>,
    pub(super) extra: Vec<Extra>,
    /// Whether `extra` is kept (once an optional column was seen).
    pub(super) track_extra: bool,
    /// Unsorted keys since the last compaction.
    pub(super) pending: Vec<u64>,
    /// Sorted, de-duplicated keys.
    pub(super) occasions: OccasionRun,
    /// Used rows not yet added to `cells` (see [`Stage`]).
    pub(super) stage: Stage,
    /// The buffer a flush collects the staged rows' days in.
    pub(super) staged_days: Vec<u64>,
    pub(super) tally: Tally,
}

/// The serialised form of a [`SummaryAccumulator`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub(super) struct PartialRepr {
    pub(super) config: SummaryConfig,
    pub(super) ids: Vec<CustomerId>,
    pub(super) cells: Vec<Cell>,
    pub(super) extra: Vec<Extra>,
    pub(super) occasions: Vec<u64>,
    pub(super) tally: Tally,
}

impl TryFrom<SummaryAccumulator> for PartialRepr {
    type Error = SummaryError;

    fn try_from(mut a: SummaryAccumulator) -> Result<Self, SummaryError> {
        a.flush()?;
        a.compact();
        Ok(PartialRepr {
            config: a.config,
            ids: a.index.ids,
            cells: a.cells,
            extra: a.extra,
            occasions: a.occasions.iter().collect(),
            tally: a.tally,
        })
    }
}

/// Serialises as [`PartialRepr`], after adding the staged rows (which
/// fails only if a customer's figures overflow).
impl Serialize for SummaryAccumulator {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PartialRepr::try_from(self.clone())
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for SummaryAccumulator {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SummaryAccumulator".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        PartialRepr::json_schema(generator)
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
            stage: Stage::default(),
            staged_days: Vec::new(),
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
    pub(super) fn rejected(
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

    pub(super) fn check_len(
        &self,
        column: Column,
        expected: usize,
        found: usize,
    ) -> Result<(), SummaryError> {
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
            // Pass 3: stage the used rows, or add them at once while there
            // are few customers (and an amount too wide to stage); the
            // optional columns' figures are added at once (they are rare
            // and kept apart). Adding at once reads a record a few rows
            // ahead, so that cache misses overlap.
            let stage = self.cells.len() >= STAGE_FROM_CUSTOMERS;
            for (j, &ix) in idx.iter().enumerate() {
                if !stage
                    && let Some(ahead) = idx
                        .get(j + LOOKAHEAD)
                        .and_then(|a| self.cells.get(*a as usize))
                {
                    std::hint::black_box(ahead.first_day);
                }
                let (Some(&day), Some(&amount)) = (sel_days.get(j), sel_amounts.get(j)) else {
                    continue;
                };
                if ix == u32::MAX {
                    continue;
                }
                self.tally
                    .used(amount)
                    .map_err(|_| SummaryError::TotalsOverflow)?;
                let staged = stage && self.stage.push(ix, day, amount);
                if !(staged || self.add_to_cell(ix as usize, day, amount)) {
                    return Err(self.overflow(ix as usize));
                }
                if let Some((q, m, f)) = sel_extra.get(j)
                    && !self.add_extra(ix as usize, *q, *m, *f)
                {
                    return Err(self.overflow(ix as usize));
                }
            }
            if self.stage.len() >= self.stage_threshold() {
                self.flush()?;
            }
            if self.pending.len() >= self.compact_threshold() {
                self.compact();
            }
            start = end;
        }
        Ok(())
    }

    /// Staged rows that trigger a flush: at least [`MIN_STAGE`], and a
    /// quarter of the customers and of the occasion run's keys, so that
    /// the stage (about 36 bytes a row while it is sorted) stays well
    /// below the records' 64 bytes a customer, and merging into the run
    /// (a pass over it per flush) stays near-linear overall.
    fn stage_threshold(&self) -> usize {
        MIN_STAGE
            .max(self.cells.len() / 4)
            .max(self.occasions.len() / 4)
    }

    /// Adds the staged rows to their customers' records (see the module
    /// docs) and merges their days into the occasion run.
    ///
    /// # Errors
    ///
    /// [`SummaryError::CustomerOverflow`] when a customer's count or sum
    /// overflows; the accumulator then holds part of the stage.
    pub(super) fn flush(&mut self) -> Result<(), SummaryError> {
        if self.stage.len() == 0 {
            return Ok(());
        }
        let mut days = std::mem::take(&mut self.staged_days);
        let result = self.drain_stage(&mut days);
        self.occasions.merge_sorted(&days);
        days.clear();
        self.staged_days = days;
        result
    }

    /// Adds the staged rows to their customers' records and appends their
    /// distinct occasion keys, in ascending order, to `days`.
    pub(super) fn drain_stage(&mut self, days: &mut Vec<u64>) -> Result<(), SummaryError> {
        let (cells, ids) = (&mut self.cells, &self.index.ids);
        self.stage.drain(
            cells.len(),
            days,
            |ix, partial| match cells.get_mut(ix).map(|c| merge_cell(c, partial)) {
                Some(true) => Ok(()),
                _ => Err(customer_overflow(ids, ix)),
            },
            |ix| customer_overflow(ids, ix),
        )
    }

    /// Pending keys that trigger a compaction: at least [`MIN_PENDING`],
    /// and an eighth of the sorted run's keys, so that merging stays
    /// near-linear overall while the pending buffer (8 bytes a key, plus as
    /// much again to sort it) stays near the run's size (about 2 bytes a
    /// key).
    pub(super) fn compact_threshold(&self) -> usize {
        MIN_PENDING.max(self.occasions.len() / 8)
    }

    pub(super) fn ensure_extra(&mut self) {
        self.track_extra = true;
        if self.extra.len() < self.cells.len() {
            self.extra.resize(self.cells.len(), Extra::default());
        }
    }

    #[cold]
    pub(super) fn overflow(&self, ix: usize) -> SummaryError {
        customer_overflow(&self.index.ids, ix)
    }

    /// Adds one used row to customer `ix`; false on overflow.
    #[inline]
    pub(super) fn add_to_cell(&mut self, ix: usize, day: i32, amount: Mantissa) -> bool {
        let Some(c) = self.cells.get_mut(ix) else {
            return false;
        };
        match c.add(day, amount) {
            Some(true) => self.pending.push(key(ix as u32, day)),
            Some(false) => {}
            None => return false,
        }
        true
    }

    pub(super) fn add_extra(
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
    pub(super) fn compact(&mut self) {
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
}

/// The error of a count or sum of customer `ix` that overflows.
#[cold]
fn customer_overflow(ids: &[CustomerId], ix: usize) -> SummaryError {
    match ids.get(ix) {
        Some(id) => SummaryError::CustomerOverflow {
            customer: id.clone(),
        },
        None => SummaryError::TotalsOverflow,
    }
}
