//! The calibration / holdout split (lifetimes' calibration_and_holdout_data).

#[allow(unused_imports)]
use super::*;

/// A calibration / holdout split, as `lifetimes`'
/// `calibration_and_holdout_data`: the calibration summaries at the cut
/// date, and for each calibration customer the occasions and mean occasion
/// spend in the holdout period (cut, observation end].
///
/// Holdout spend is per *occasion* (a calendar day with purchases), as the
/// calibration's `monetary_value` and the Gamma-Gamma model are, so that a
/// predicted holdout value (expected occasions × expected spend per
/// occasion) and the actual one (`total_spend_holdout`) are on one footing.
/// `lifetimes`' `monetary_value_holdout` is the mean per transaction row:
/// it is `total_spend_holdout / transactions_holdout`, and equals
/// `monetary_value_holdout` for every customer with one row per holdout day.
///
/// # Example
///
/// See [`CalibrationHoldoutAccumulator`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct CalibrationHoldout {
    /// Summaries at the calibration end (the cut date).
    pub calibration: Summaries,
    /// Occasions in the holdout period, per calibration customer.
    pub frequency_holdout: Vec<u64>,
    /// Mean net spend per holdout occasion (0 without one).
    pub monetary_value_holdout: Vec<Decimal>,
    /// Transaction rows in the holdout period, per calibration customer.
    pub transactions_holdout: Vec<u64>,
    /// Net spend in the holdout period, per calibration customer.
    pub total_spend_holdout: Vec<Decimal>,
    /// Length of the holdout period in the unit.
    pub duration_holdout: f64,
    /// The last day of the holdout period (the observation end).
    pub observation_end: NaiveDate,
    /// What happened to every input row over the whole observation:
    /// used = used in calibration or holdout, skipped = after the
    /// observation end or before the window start.
    pub reconciliation: Reconciliation,
    /// The calibration customers' repeat occasions per calendar day, over
    /// calibration and holdout, in day order (days without one left out):
    /// every occasion but a customer's first in the calibration, and every
    /// holdout occasion. The actual side of the tracking curve
    /// (`clv::tracking`); the counts sum to the sum of `frequency_cal` and
    /// `frequency_holdout`.
    #[serde(default)]
    pub repeat_occasions: Vec<DayOccasions>,
}

/// Occasions on one calendar day, summed over customers.
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::summary::DayOccasions;
/// let d = DayOccasions { day: NaiveDate::from_ymd_opt(2024, 4, 1).unwrap(), occasions: 3 };
/// assert_eq!(serde_json::to_string(&d).unwrap(), r#"{"day":"2024-04-01","occasions":3}"#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct DayOccasions {
    /// The day.
    pub day: NaiveDate,
    /// Occasions on it.
    pub occasions: u64,
}

/// Accumulates a calibration / holdout split in one pass. Customers whose
/// first occasion falls in the holdout period are not in the result (as in
/// `lifetimes`).
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::summary::{Amounts, CalibrationHoldoutAccumulator, ColumnBatch, Keys, SummaryConfig};
/// use crm_core::records::transaction::day_number;
///
/// let d = |m, day| day_number(NaiveDate::from_ymd_opt(2024, m, day).unwrap());
/// let config = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 6, 30).unwrap());
/// let mut acc = CalibrationHoldoutAccumulator::new(config, NaiveDate::from_ymd_opt(2024, 3, 31).unwrap())?;
/// let days = [d(1, 5), d(2, 5), d(4, 1), d(4, 1), d(5, 1), d(5, 2)];
/// acc.add_batch(&ColumnBatch::new(1, Keys::Int(&[1, 1, 1, 1, 1, 2]), &days, Amounts::Float(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])))?;
/// let out = acc.finish()?;
/// assert_eq!(out.calibration.len(), 1);            // customer 2 starts in the holdout
/// assert_eq!(out.calibration.frequency, vec![1]);
/// assert_eq!(out.frequency_holdout, vec![2]);       // 1 April and 1 May
/// assert_eq!(out.monetary_value_holdout[0].to_string(), "6");   // (3 + 4 + 5) / 2
/// assert_eq!(out.transactions_holdout, vec![3]);
/// assert_eq!(out.total_spend_holdout[0].to_string(), "12");
/// assert_eq!(out.duration_holdout, 91.0);
/// assert!(out.reconciliation.is_balanced());
/// # Ok::<(), crm_core::records::summary::SummaryError>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct CalibrationHoldoutAccumulator {
    pub(super) calibration: SummaryAccumulator,
    pub(super) holdout: SummaryAccumulator,
}

impl CalibrationHoldoutAccumulator {
    /// A split at `calibration_end`; `config.as_of` is the observation end.
    ///
    /// # Errors
    ///
    /// [`SummaryError::CalibrationEnd`] unless window start ≤ calibration
    /// end < observation end; the errors of [`SummaryAccumulator::new`].
    ///
    /// # Example
    ///
    /// See [`CalibrationHoldoutAccumulator`].
    pub fn new(config: SummaryConfig, calibration_end: NaiveDate) -> Result<Self, SummaryError> {
        let bad = SummaryError::CalibrationEnd {
            calibration_end,
            observation_end: config.as_of,
        };
        if calibration_end >= config.as_of
            || config.window_start.is_some_and(|s| s > calibration_end)
        {
            return Err(bad);
        }
        let holdout_start = calibration_end.checked_add_days(Days::new(1)).ok_or(bad)?;
        let calibration = SummaryAccumulator::new(SummaryConfig {
            as_of: calibration_end,
            ..config.clone()
        })?;
        let holdout = SummaryAccumulator::new(SummaryConfig {
            window_start: Some(holdout_start),
            ..config
        })?;
        Ok(CalibrationHoldoutAccumulator {
            calibration,
            holdout,
        })
    }

    /// Adds one batch.
    ///
    /// # Errors
    ///
    /// As [`SummaryAccumulator::add_batch`].
    ///
    /// # Example
    ///
    /// See [`CalibrationHoldoutAccumulator`].
    pub fn add_batch(&mut self, batch: &ColumnBatch<'_>) -> Result<(), SummaryError> {
        self.calibration.add_batch(batch)?;
        self.holdout.add_batch(batch)
    }

    /// Records a row the caller could not turn into columns.
    ///
    /// # Errors
    ///
    /// As [`SummaryAccumulator::reject`].
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::reconciliation::{Column, RejectReason};
    /// use crm_core::records::summary::{CalibrationHoldoutAccumulator, SummaryConfig};
    /// let mut acc = CalibrationHoldoutAccumulator::new(
    ///     SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 6, 30).unwrap()),
    ///     NaiveDate::from_ymd_opt(2024, 3, 31).unwrap(),
    /// )?;
    /// acc.reject(1, Column::Record, RejectReason::Malformed, None)?;
    /// assert_eq!(acc.finish()?.reconciliation.rows_rejected, 1);
    /// # Ok::<(), crm_core::records::summary::SummaryError>(())
    /// ```
    pub fn reject(
        &mut self,
        row: u64,
        column: Column,
        reason: RejectReason,
        amount: Option<Decimal>,
    ) -> Result<(), SummaryError> {
        self.calibration.reject(row, column, reason, amount)?;
        self.holdout.reject(row, column, reason, amount)
    }

    /// Merges another split made with the same settings.
    ///
    /// # Errors
    ///
    /// As [`SummaryAccumulator::merge`].
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::records::summary::{CalibrationHoldoutAccumulator, SummaryConfig};
    /// let c = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 6, 30).unwrap());
    /// let cut = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
    /// let mut a = CalibrationHoldoutAccumulator::new(c.clone(), cut)?;
    /// a.merge(CalibrationHoldoutAccumulator::new(c, cut)?)?;
    /// # Ok::<(), crm_core::records::summary::SummaryError>(())
    /// ```
    pub fn merge(&mut self, other: CalibrationHoldoutAccumulator) -> Result<(), SummaryError> {
        self.calibration.merge(other.calibration)?;
        self.holdout.merge(other.holdout)
    }

    /// The split.
    ///
    /// # Errors
    ///
    /// As [`SummaryAccumulator::finish`].
    ///
    /// # Example
    ///
    /// See [`CalibrationHoldoutAccumulator`].
    pub fn finish(mut self) -> Result<CalibrationHoldout, SummaryError> {
        let unit = self.calibration.config.unit;
        let observation_end = self.holdout.config.as_of;
        let duration = i64::from(self.holdout.as_of_day) - i64::from(self.calibration.as_of_day);
        let mut by_day = self.calibration.occasions_by_day(|_| true, true)?;
        let cal = self.calibration.finish()?;
        // Only the holdout occasions of calibration customers count.
        // (Staged rows may add customers: the index is read after them.)
        self.holdout.flush()?;
        let customers = &cal.summaries.customers;
        let known: Vec<bool> = (self.holdout.index.ids.iter())
            .map(|id| customers.binary_search(id).is_ok())
            .collect();
        let known = |ix: usize| known.get(ix).copied().unwrap_or(false);
        for (day, n) in self.holdout.occasions_by_day(known, false)? {
            *by_day.entry(day).or_insert(0) += n;
        }
        let repeat_occasions = by_day
            .into_iter()
            .map(|(day, occasions)| {
                date_of_day(day)
                    .map(|day| DayOccasions { day, occasions })
                    .ok_or(SummaryError::TotalsOverflow)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let hold = self.holdout.finish()?;
        let mut frequency_holdout = Vec::with_capacity(cal.summaries.len());
        let mut monetary_value_holdout = Vec::with_capacity(cal.summaries.len());
        let mut transactions_holdout = Vec::with_capacity(cal.summaries.len());
        let mut total_spend_holdout = Vec::with_capacity(cal.summaries.len());
        // Both are sorted by id: merge-join.
        let mut j = 0;
        for id in &cal.summaries.customers {
            while hold.summaries.customers.get(j).is_some_and(|h| h < id) {
                j += 1;
            }
            let (f, m, rows, total) = match hold.summaries.customers.get(j) {
                Some(h) if h == id => {
                    let occ = hold.summaries.occasions.get(j).copied().unwrap_or(0);
                    let rows = hold.summaries.transactions.get(j).copied().unwrap_or(0);
                    let total = hold
                        .summaries
                        .total_spend
                        .get(j)
                        .copied()
                        .unwrap_or_default();
                    let mean = if occ == 0 {
                        Decimal::ZERO
                    } else {
                        total.checked_div(Decimal::from(occ)).unwrap_or_default()
                    };
                    (occ, mean, rows, total)
                }
                _ => (0, Decimal::ZERO, 0, Decimal::ZERO),
            };
            frequency_holdout.push(f);
            monetary_value_holdout.push(m);
            transactions_holdout.push(rows);
            total_spend_holdout.push(total);
        }
        let (c, h) = (&cal.reconciliation, &hold.reconciliation);
        let reconciliation = Reconciliation {
            rows_used: c.rows_used + h.rows_used,
            amount_used: c.amount_used + h.amount_used,
            rows_skipped_after_as_of: h.rows_skipped_after_as_of,
            amount_skipped_after_as_of: h.amount_skipped_after_as_of,
            rows_skipped_before_window: c.rows_skipped_before_window,
            amount_skipped_before_window: c.amount_skipped_before_window,
            ..c.clone()
        };
        Ok(CalibrationHoldout {
            calibration: cal.summaries,
            frequency_holdout,
            monetary_value_holdout,
            transactions_holdout,
            total_spend_holdout,
            duration_holdout: unit.of_days(duration),
            observation_end,
            reconciliation,
            repeat_occasions,
        })
    }
}
