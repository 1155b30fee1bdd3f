//! The tracking curve: a cohort's repeat purchases period by period, actual
//! against what a fitted repeat-purchase model expects, across the
//! calibration and the holdout (Fader, Hardie & Lee 2005, figures 2 and 4:
//! CDNOW's weekly and cumulative repeat transactions).
//!
//! The cohort is the calibration customers of a [`CalibrationHoldout`]
//! split. A customer who first bought on day `b` is expected to have made
//! `E[X(t)]` repeat purchases by the end of day `b + t` (the model's
//! [`RepeatModel::expected_purchases`] of a new customer, `t` on the
//! summaries' clock, measured as `T` is: days after the first purchase, or
//! those days / 7). The expected cumulative curve at the end of day `e` is
//! the sum over the cohort,
//!
//! `expected_cumulative(e) = Σ_b n_b · E[X(e − b)]` over first-purchase
//! days `b ≤ e`, with `n_b` customers first buying on day `b`,
//!
//! the same sum lifetimes' `expected_cumulative_transactions` takes over
//! the cohorts of one first-purchase day. The actual curve counts the
//! cohort's repeat occasions (every occasion after a customer's first, the
//! split's [`CalibrationHoldout::repeat_occasions`]).
//!
//! Periods are `period_days` long and aligned on the cut: one period ends
//! on the calibration end, earlier ones every `period_days` before it back
//! to the cohort's first purchase, later ones every `period_days` after it;
//! the last ends on the observation end (and may be shorter). The
//! calibration / holdout boundary therefore falls between two periods.
//!
//! ```
//! use chrono::NaiveDate;
//! use crm_core::clv::RepeatModel;
//! use crm_core::clv::bg_nbd::BetaGeo;
//! use crm_core::clv::tracking::{TrackingCurve, TrackingInput};
//! use crm_core::records::summary::{DayOccasions, Unit};
//!
//! let day = |m, d| NaiveDate::from_ymd_opt(2024, m, d).unwrap();
//! let first_purchase = [day(1, 1), day(1, 1), day(1, 8)];
//! let repeat_occasions = [DayOccasions { day: day(1, 20), occasions: 2 }];
//! let input = TrackingInput {
//!     first_purchase: &first_purchase,
//!     repeat_occasions: &repeat_occasions,
//!     calibration_end: day(1, 28),
//!     observation_end: day(2, 11),
//!     unit: Unit::Week,
//! };
//! let model = BetaGeo { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
//! let curve = TrackingCurve::new(&model, &input, 7)?;
//! assert_eq!(curve.periods.len(), 6);             // 4 weeks of calibration, 2 of holdout
//! assert_eq!(curve.periods[3].last_day, day(1, 28));
//! assert!(!curve.periods[3].holdout && curve.periods[4].holdout);
//! assert_eq!(curve.periods[2].actual, 2);
//! assert_eq!(curve.periods[5].actual_cumulative, 2);
//! // At the cut, two customers are 27 days old and one 20 days.
//! let cut = 2.0 * model.expected_purchases(27.0 / 7.0) + model.expected_purchases(20.0 / 7.0);
//! assert!((curve.periods[3].expected_cumulative - cut).abs() < 1e-12);
//! # Ok::<(), crm_core::clv::ClvError>(())
//! ```

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::registry::Model;
use super::{ClvError, RepeatModel};
use crate::records::summary::{CalibrationHoldout, DayOccasions, Unit};
use crate::records::transaction::{date_of_day, day_number};

/// The most cohorts × periods a curve sums (seconds of work at most): a
/// cohort per first-purchase day, so ten years of daily cohorts tracked by
/// the week (3,650 × 520) stay well inside it, and an input spanning
/// millennia is refused rather than left to run for hours.
pub const MAX_COHORT_PERIODS: u64 = 20_000_000;

/// The most distinct customer ages (in days) a curve evaluates the model
/// at: each costs up to microseconds (a numerical integral for some
/// models), and a curve needs at most one per day of its span, so this
/// allows 270 years between the first purchase and the observation end.
pub const MAX_AGES: u64 = 100_000;

/// The tracking curve's period unless told otherwise: a week, as the
/// published CDNOW curves.
pub const DEFAULT_PERIOD_DAYS: u32 = 7;

/// What a tracking curve is built from: the cohort's first purchases and
/// repeat occasions, and the split's dates.
#[derive(Debug, Clone, Copy)]
pub struct TrackingInput<'a> {
    /// Each cohort customer's first purchase (the split's
    /// `first_purchase` of the calibration summaries).
    pub first_purchase: &'a [NaiveDate],
    /// The cohort's repeat occasions per day, in any order.
    pub repeat_occasions: &'a [DayOccasions],
    /// The cut.
    pub calibration_end: NaiveDate,
    /// The last day of the holdout.
    pub observation_end: NaiveDate,
    /// The clock the model was fitted on.
    pub unit: Unit,
}

/// One period of the tracking curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct TrackingPeriod {
    /// 1, 2, …
    pub period: u32,
    /// The period's first day.
    pub first_day: NaiveDate,
    /// The period's last day.
    pub last_day: NaiveDate,
    /// Whether the period is in the holdout (after the cut).
    pub holdout: bool,
    /// The cohort's repeat occasions in the period.
    pub actual: u64,
    /// … up to the period's end.
    pub actual_cumulative: u64,
    /// The repeat purchases the model expects in the period.
    pub expected: f64,
    /// … up to the period's end.
    pub expected_cumulative: f64,
}

/// The tracking curve of a cohort (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct TrackingCurve {
    /// The clock of the model.
    pub unit: Unit,
    /// The periods' length in days.
    pub period_days: u32,
    /// The cut.
    pub calibration_end: NaiveDate,
    /// The last day of the holdout.
    pub observation_end: NaiveDate,
    /// Customers in the cohort.
    pub customers: u64,
    /// The periods, in order.
    pub periods: Vec<TrackingPeriod>,
}

/// Repeat occasions whose sum does not fit a `u64`.
fn too_many() -> ClvError {
    argument(
        "repeat_occasions",
        "the repeat occasions sum to more than 2^64 - 1 (rule tracking_dates)".into(),
    )
}

fn argument(name: &str, rule: String) -> ClvError {
    ClvError::InvalidArgument {
        name: name.into(),
        rule,
    }
}

impl TrackingCurve {
    /// The curve of `input`'s cohort under `model`, in periods of
    /// `period_days` days.
    ///
    /// # Errors
    ///
    /// [`ClvError::NoData`] for an empty cohort; [`ClvError::InvalidArgument`]
    /// for `period_days` = 0 (rule `tracking_period`), a calibration end
    /// not before the observation end, a first purchase after it, or a
    /// repeat occasion outside (first purchase, observation end] or
    /// occasions summing past `u64` (rule `tracking_dates`), more than [`MAX_COHORT_PERIODS`]
    /// cohorts × periods or a span of more than [`MAX_AGES`] days (rule
    /// `tracking_size`), or an expectation that is
    /// not finite under the model's parameters.
    ///
    /// # Example
    ///
    /// See the [module docs](self).
    pub fn new(
        model: &dyn RepeatModel,
        input: &TrackingInput<'_>,
        period_days: u32,
    ) -> Result<TrackingCurve, ClvError> {
        if period_days == 0 {
            return Err(argument(
                "period_days",
                "a period is at least one day long (rule tracking_period)".into(),
            ));
        }
        let cut = day_number(input.calibration_end);
        let end = day_number(input.observation_end);
        let dates = |what: &str| {
            argument(
                what,
                "must fall on or before the observation end, and the calibration end before it (rule tracking_dates)".into(),
            )
        };
        if cut >= end {
            return Err(dates("calibration_end"));
        }
        let mut cohorts = BTreeMap::<i32, u64>::new();
        for d in input.first_purchase {
            *cohorts.entry(day_number(*d)).or_default() += 1;
        }
        let (Some((&first, _)), Some((&last_birth, _))) =
            (cohorts.first_key_value(), cohorts.last_key_value())
        else {
            return Err(ClvError::NoData {
                reason: "the tracking curve needs at least one cohort customer".into(),
            });
        };
        if last_birth > end {
            return Err(dates("first_purchase"));
        }
        let ends = period_ends(first.min(cut), cut, end, i64::from(period_days));
        let work = (cohorts.len() as u64).saturating_mul(ends.len() as u64);
        let span = u64::try_from(i64::from(end) - i64::from(first) + 1).unwrap_or(u64::MAX);
        if work.min(span) > MAX_AGES {
            return Err(argument(
                "first_purchase",
                format!(
                    "the cohort's first purchase is {span} days before the observation end, more than the {MAX_AGES} days a tracking curve evaluates the model at (rule tracking_size)"
                ),
            ));
        }
        if work > MAX_COHORT_PERIODS {
            return Err(argument(
                "period_days",
                format!(
                    "{} cohorts × {} periods is more than the {MAX_COHORT_PERIODS} a tracking curve sums; take longer periods (rule tracking_size)",
                    cohorts.len(),
                    ends.len()
                ),
            ));
        }
        let mut actual = vec![0_u64; ends.len()];
        for o in input.repeat_occasions {
            let d = day_number(o.day);
            // A repeat occasion comes after a first purchase and by the
            // observation end; one outside would land in a period it is
            // not in.
            if d <= first || d > end {
                return Err(argument(
                    "repeat_occasions",
                    "a repeat occasion falls after the cohort's first purchase and on or before the observation end (rule tracking_dates)".into(),
                ));
            }
            let k = ends.partition_point(|&e| e < d);
            if let Some(a) = actual.get_mut(k) {
                *a = a.checked_add(o.occasions).ok_or_else(too_many)?;
            }
        }
        let mut expected_at = LagCache::new(model, input.unit);
        let mut periods = Vec::with_capacity(ends.len());
        let (mut before_actual, mut before_expected) = (0_u64, 0.0_f64);
        // The first period starts on its aligned day, or on the cohort's
        // first purchase when that is later.
        let aligned = ends.first().map_or(i64::from(first), |&e| {
            i64::from(e) - i64::from(period_days) + 1
        });
        let mut first_day = i32::try_from(aligned.max(i64::from(first))).unwrap_or(first);
        for (k, &e) in ends.iter().enumerate() {
            let mut cumulative = 0.0;
            for (&b, &n) in cohorts.range(..e) {
                cumulative += n as f64 * expected_at.get(e - b)?;
            }
            let a = actual.get(k).copied().unwrap_or(0);
            let actual_cumulative = before_actual.checked_add(a).ok_or_else(too_many)?;
            let day = |d: i32| date_of_day(d).ok_or_else(|| dates("observation_end"));
            periods.push(TrackingPeriod {
                period: u32::try_from(k + 1).unwrap_or(u32::MAX),
                first_day: day(first_day)?,
                last_day: day(e)?,
                holdout: e > cut,
                actual: a,
                actual_cumulative,
                expected: cumulative - before_expected,
                expected_cumulative: cumulative,
            });
            (before_actual, before_expected) = (actual_cumulative, cumulative);
            first_day = e + 1;
        }
        Ok(TrackingCurve {
            unit: input.unit,
            period_days,
            calibration_end: input.calibration_end,
            observation_end: input.observation_end,
            customers: input.first_purchase.len() as u64,
            periods,
        })
    }

    /// The curve of a split's calibration customers under a fitted repeat
    /// model (fitted on the split's calibration part, on its clock).
    ///
    /// # Errors
    ///
    /// [`ClvError::InvalidArgument`] when `model` is not a repeat model
    /// (BG/NBD, MBG/NBD, Pareto/NBD); those of [`TrackingCurve::new`].
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::clv::registry::{Model, ModelKind};
    /// use crm_core::clv::tracking::TrackingCurve;
    /// use crm_core::records::summary::{Amounts, CalibrationHoldoutAccumulator, ColumnBatch, Keys, SummaryConfig};
    /// use crm_core::records::transaction::day_number;
    ///
    /// let d = |m, day| day_number(NaiveDate::from_ymd_opt(2024, m, day).unwrap());
    /// let config = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 6, 30).unwrap());
    /// let mut acc = CalibrationHoldoutAccumulator::new(config, NaiveDate::from_ymd_opt(2024, 3, 31).unwrap())?;
    /// let days = [d(1, 5), d(2, 5), d(4, 1), d(5, 2)];
    /// acc.add_batch(&ColumnBatch::new(1, Keys::Int(&[1, 1, 1, 2]), &days, Amounts::Float(&[1.0, 2.0, 3.0, 4.0])))?;
    /// let split = acc.finish()?;
    /// let model = Model::from_values(ModelKind::BgNbd, &[0.243, 4.414, 0.793, 2.426])?;
    /// let curve = TrackingCurve::of_split(&split, &model, 30)?;
    /// assert_eq!(curve.customers, 1);                 // customer 2 first bought in the holdout
    /// assert_eq!(curve.periods.last().map(|p| p.actual_cumulative), Some(2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn of_split(
        split: &CalibrationHoldout,
        model: &Model,
        period_days: u32,
    ) -> Result<TrackingCurve, ClvError> {
        let repeat = repeat_model(model)?;
        let input = TrackingInput {
            first_purchase: &split.calibration.first_purchase,
            repeat_occasions: &split.repeat_occasions,
            calibration_end: split.calibration.as_of,
            observation_end: split.observation_end,
            unit: split.calibration.unit,
        };
        TrackingCurve::new(repeat, &input, period_days)
    }
}

/// The repeat-purchase model of `model`, the one a tracking curve needs.
///
/// # Errors
///
/// [`ClvError::InvalidArgument`] (rule `tracking_model`) when `model` is
/// not BG/NBD, MBG/NBD or Pareto/NBD.
///
/// ```
/// use crm_core::clv::registry::{Model, ModelKind};
/// use crm_core::clv::tracking::repeat_model;
/// let gg = Model::from_values(ModelKind::GammaGamma, &[6.0, 4.0, 16.0])?;
/// assert!(repeat_model(&gg).is_err());
/// # Ok::<(), crm_core::clv::ClvError>(())
/// ```
pub fn repeat_model(model: &Model) -> Result<&dyn RepeatModel, ClvError> {
    model.repeat().ok_or_else(|| {
        argument(
            "model",
            format!(
                "{} does not predict repeat purchases of a new customer; the tracking curve needs BG/NBD, MBG/NBD or Pareto/NBD (rule tracking_model)",
                model.kind().label()
            ),
        )
    })
}

/// The last day of every period: one on `cut`, earlier ones every `step`
/// days back while they reach past `from`, later ones every `step` days on,
/// the last one `end`.
fn period_ends(from: i32, cut: i32, end: i32, step: i64) -> Vec<i32> {
    let (from, cut, end) = (i64::from(from), i64::from(cut), i64::from(end));
    let before = (cut - from) / step;
    let mut ends: Vec<i64> = (0..=before).rev().map(|k| cut - k * step).collect();
    let mut e = cut;
    while e < end {
        e = (e + step).min(end);
        ends.push(e);
    }
    ends.into_iter()
        .filter_map(|e| i32::try_from(e).ok())
        .collect()
}

/// `E[X(lag days)]` by lag, each computed once.
struct LagCache<'a> {
    model: &'a dyn RepeatModel,
    unit: Unit,
    values: hashbrown::HashMap<i32, f64>,
}

impl<'a> LagCache<'a> {
    fn new(model: &'a dyn RepeatModel, unit: Unit) -> Self {
        LagCache {
            model,
            unit,
            values: hashbrown::HashMap::new(),
        }
    }

    fn get(&mut self, lag: i32) -> Result<f64, ClvError> {
        if let Some(v) = self.values.get(&lag) {
            return Ok(*v);
        }
        let v = super::data::finite_at(
            "t",
            self.model
                .expected_purchases(self.unit.of_days(i64::from(lag))),
        )?;
        self.values.insert(lag, v);
        Ok(v)
    }
}

#[cfg(test)]
mod tests;
