//! Merging partial accumulators and turning one into summaries.

#[allow(unused_imports)]
use super::*;

impl SummaryAccumulator {
    /// Merges another partial summary made with the same `as_of`, window
    /// start and amount scale into this one. The result equals the
    /// accumulator of both inputs together.
    ///
    /// # Errors
    ///
    /// [`SummaryError::Incompatible`], [`SummaryError::CustomerOverflow`],
    /// [`SummaryError::TotalsOverflow`].
    ///
    /// # Example
    ///
    /// See [`SummaryAccumulator`].
    pub fn merge(&mut self, other: SummaryAccumulator) -> Result<(), SummaryError> {
        let incompatible = |s: &str| {
            Err(SummaryError::Incompatible {
                setting: s.to_owned(),
            })
        };
        if other.config.as_of != self.config.as_of {
            return incompatible("analysis date");
        }
        if other.config.window_start != self.config.window_start {
            return incompatible("window start");
        }
        if other.config.amount_scale != self.config.amount_scale {
            return incompatible("amount scale");
        }
        let mut other = other;
        self.flush()?;
        other.flush()?;
        other.compact();
        if other.track_extra {
            self.ensure_extra();
        }
        let mut map = Vec::with_capacity(other.index.ids.len());
        for (oix, id) in other.index.ids.iter().enumerate() {
            let Some((idx, is_new)) = self.index.id(id) else {
                return Err(SummaryError::TotalsOverflow);
            };
            let ix = idx as usize;
            if is_new {
                self.cells.push(Cell::default());
                if self.track_extra {
                    self.extra.push(Extra::default());
                }
            }
            map.push(idx);
            let (Some(c), Some(o)) = (self.cells.get_mut(ix), other.cells.get(oix)) else {
                return Err(SummaryError::TotalsOverflow);
            };
            if !merge_cell(c, o) {
                return Err(self.overflow(ix));
            }
            if let (Some(e), Some(o)) = (self.extra.get_mut(ix), other.extra.get(oix)) {
                let (Some(q), Some(m)) = (
                    e.quantity.checked_add(o.quantity),
                    e.margin.checked_add(o.margin),
                ) else {
                    return Err(self.overflow(ix));
                };
                e.quantity = q;
                e.margin = m;
                e.quantity_rows += o.quantity_rows;
                e.margin_rows += o.margin_rows;
                e.flag_rows += o.flag_rows;
                e.discounted += o.discounted;
            }
        }
        for k in other.occasions.iter() {
            if let Some(idx) = map.get(key_index(k)) {
                self.pending.push(key(*idx, key_day(k)));
                if self.pending.len() >= self.compact_threshold() {
                    self.compact();
                }
            }
        }
        self.tally
            .merge(other.tally, self.config.max_listed_rejections)
            .map_err(|_| SummaryError::TotalsOverflow)?;
        if self.pending.len() >= self.compact_threshold() {
            self.compact();
        }
        Ok(())
    }

    /// The summaries and the reconciliation.
    ///
    /// # Errors
    ///
    /// [`SummaryError::CustomerOverflow`] when a figure does not fit a
    /// [`Decimal`]; [`SummaryError::TotalsOverflow`].
    ///
    /// # Example
    ///
    /// See the [module docs](self).
    pub fn finish(mut self) -> Result<SummaryOutput, SummaryError> {
        // The last staged rows' days are counted with the run, not merged
        // into it.
        let mut days = std::mem::take(&mut self.staged_days);
        self.drain_stage(&mut days)?;
        self.compact();
        let n = self.cells.len();
        let mut occasions = self.occasions.counts_with(&days, n);
        drop(days);
        // Free what the output does not need before building it.
        self.occasions = OccasionRun::default();
        self.pending = Vec::new();
        self.stage = Stage::default();
        // Output order: by customer id, whatever the input order.
        let order = self.index.output_order();
        let mut ids = std::mem::take(&mut self.index.ids);
        self.index = CustomerIndex::default();
        let track = self.track_extra;
        permute_in_place(order, |a, b| {
            self.cells.swap(a, b);
            ids.swap(a, b);
            occasions.swap(a, b);
            if track {
                self.extra.swap(a, b);
            }
        });
        let scale = self.config.amount_scale;
        let mut s = Summaries::with_capacity(&self.config, n);
        if !track {
            (
                s.quantity,
                s.margin,
                s.discounted_transactions,
                s.discount_share,
            ) = Default::default();
        }
        // From the back, so that the records' memory can be given back
        // while the output grows.
        while let Some(c) = self.cells.pop() {
            let ix = self.cells.len();
            let extra = if track { self.extra.pop() } else { None };
            let occ = occasions.get(ix).copied().map_or(0, u64::from);
            if let Err(()) = self.push_row(&mut s, &c, occ, extra, scale) {
                return Err(SummaryError::CustomerOverflow {
                    customer: ids.get(ix).cloned().unwrap_or(CustomerId::Int(0)),
                });
            }
            if ix.is_multiple_of(FREE_EVERY) {
                self.cells.shrink_to_fit();
                self.extra.shrink_to_fit();
            }
        }
        s.reverse_rows();
        s.customers = ids;
        let reconciliation = self
            .tally
            .report(scale, self.config.max_listed_rejections)
            .ok_or(SummaryError::TotalsOverflow)?;
        Ok(SummaryOutput {
            summaries: s,
            reconciliation,
        })
    }

    /// The occasions per calendar day of the customers `keep` accepts (by
    /// customer index), without each customer's first occasion when
    /// `skip_first` (so: repeat occasions). Merges the staged and pending
    /// days into the run first, which [`finish`](Self::finish) would do
    /// anyway; the figures it then gives are unchanged.
    pub(super) fn occasions_by_day(
        &mut self,
        keep: impl Fn(usize) -> bool,
        skip_first: bool,
    ) -> Result<BTreeMap<i32, u64>, SummaryError> {
        self.flush()?;
        self.compact();
        let mut by_day = BTreeMap::new();
        let mut previous = None;
        for k in self.occasions.iter() {
            let ix = key_index(k);
            let first = previous != Some(ix);
            previous = Some(ix);
            if !(skip_first && first) && keep(ix) {
                *by_day.entry(key_day(k)).or_insert(0_u64) += 1;
            }
        }
        Ok(by_day)
    }

    /// Appends one customer's output row; `Err` when a figure does not fit
    /// a [`Decimal`] or a date.
    pub(super) fn push_row(
        &self,
        s: &mut Summaries,
        c: &Cell,
        occ: u64,
        extra: Option<Extra>,
        scale: u32,
    ) -> Result<(), ()> {
        let dec = |m: Mantissa| to_decimal(m, scale).ok_or(());
        let x = occ.saturating_sub(1);
        let transactions = u64::from(c.transactions);
        let unit = self.config.unit;
        s.first_purchase.push(date_of_day(c.first_day).ok_or(())?);
        s.last_purchase.push(date_of_day(c.last_day).ok_or(())?);
        s.occasions.push(occ);
        s.transactions.push(transactions);
        s.total_spend.push(dec(c.total)?);
        s.mean_spend
            .push(div(c.total, scale, transactions).ok_or(())?);
        s.returns.push(u64::from(c.returns));
        s.returns_amount.push(dec(c.returns_amount)?);
        s.frequency.push(x);
        s.recency
            .push(unit.of_days(i64::from(c.last_day) - i64::from(c.first_day)));
        s.age
            .push(unit.of_days(i64::from(self.as_of_day) - i64::from(c.first_day)));
        let repeat = c.total.checked_sub(c.first_day_spend).ok_or(())?;
        s.monetary_value.push(if x == 0 {
            Decimal::ZERO
        } else {
            div(repeat, scale, x).ok_or(())?
        });
        if let Some(e) = extra {
            s.quantity.push(if e.quantity_rows > 0 {
                Some(dec(e.quantity)?)
            } else {
                None
            });
            s.margin.push(if e.margin_rows > 0 {
                Some(dec(e.margin)?)
            } else {
                None
            });
            s.discounted_transactions.push(e.discounted);
            s.discount_share
                .push((e.flag_rows > 0).then(|| e.discounted as f64 / e.flag_rows as f64));
        }
        Ok(())
    }
}

/// Rearranges parallel vectors so that position `p` holds what was at
/// `order[p]`, by following the permutation's cycles with `swap`: no second
/// copy of the vectors. `order` must be a permutation of `0..order.len()`;
/// entries out of range end their cycle.
pub(super) fn permute_in_place(mut order: Vec<u32>, mut swap: impl FnMut(usize, usize)) {
    let n = order.len();
    for p in 0..n {
        let mut q = p;
        while let Some(slot) = order.get_mut(q) {
            let src = *slot as usize;
            *slot = q as u32;
            if src == p || src == q || src >= n {
                break;
            }
            swap(q, src);
            q = src;
        }
    }
}

pub(super) fn opt_amount(
    col: &Option<(Amounts<'_>, Option<Validity<'_>>)>,
    i: usize,
    scale: u32,
) -> Result<Option<Mantissa>, RejectReason> {
    match col {
        Some((a, v)) if valid(v, i) => a.get(i, scale).map(Some),
        _ => Ok(None),
    }
}

pub(super) fn merge_cell(c: &mut Cell, o: &Cell) -> bool {
    if o.transactions == 0 {
        return true;
    }
    if o.first_day < c.first_day {
        c.first_day = o.first_day;
        c.first_day_spend = o.first_day_spend;
    } else if o.first_day == c.first_day {
        match c.first_day_spend.checked_add(o.first_day_spend) {
            Some(s) => c.first_day_spend = s,
            None => return false,
        }
    }
    c.last_day = c.last_day.max(o.last_day);
    let (Some(t), Some(n), Some(r), Some(rn)) = (
        c.total.checked_add(o.total),
        c.transactions.checked_add(o.transactions),
        c.returns_amount.checked_add(o.returns_amount),
        c.returns.checked_add(o.returns),
    ) else {
        return false;
    };
    c.total = t;
    c.transactions = n;
    c.returns_amount = r;
    c.returns = rn;
    true
}

pub(super) fn to_decimal(m: Mantissa, scale: u32) -> Option<Decimal> {
    Decimal::try_from_i128_with_scale(m, scale)
        .ok()
        .map(|d| d.normalize())
}

/// `m` (at `scale`) divided by `n`, exactly when it divides.
pub(super) fn div(m: Mantissa, scale: u32, n: u64) -> Option<Decimal> {
    if n == 0 {
        return Some(Decimal::ZERO);
    }
    let n128 = i128::from(n);
    if m % n128 == 0 {
        return to_decimal(m / n128, scale);
    }
    to_decimal(m, scale)?.checked_div(Decimal::from(n))
}
