//! A holdout validation end to end, as `crm report` runs it: every repeat
//! model fitted on the calibration part of a [`CalibrationHoldout`] split,
//! the one with the lowest holdout error chosen ([`choice::choose`]), and
//! that model's [`HoldoutForecast`] with its scores, its [`TrackingCurve`]
//! and its [`HoldoutGroups`].
//!
//! Where the caller names no cut, [`default_calibration_end`] halves the
//! observation: the calibration runs from the first purchase to the middle
//! day, the holdout from the next day to the observation end. On CDNOW
//! (first purchases from 1997-01-01, observed to 1998-06-30) that is
//! Fader, Hardie & Lee's own cut, 1997-09-30: 39 weeks and 39 weeks.
//!
//! ```
//! use chrono::NaiveDate;
//! use crm_core::clv::holdout_validation::default_calibration_end;
//! let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
//! assert_eq!(default_calibration_end(day(1997, 1, 1), day(1998, 6, 30)), Some(day(1997, 9, 30)));
//! assert_eq!(default_calibration_end(day(2024, 5, 1), day(2024, 5, 2)), None); // nothing to halve
//! ```

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::choice::{self, Choice, HoldoutPurchases, ModelComparison};
use super::holdout::HoldoutForecast;
use super::holdout_groups::HoldoutGroups;
use super::model_file::ClvColumns;
use super::repeat_choice::ChosenRepeat;
use super::tracking::TrackingCurve;
use super::{ClvError, FitOptions};
use crate::records::summary::CalibrationHoldout;

/// The middle day of the observation from `first_purchase` to
/// `observation_end`, rounded down: the default cut. `None` when fewer
/// than two days follow the first purchase (no calibration and holdout of
/// a day each).
///
/// See the [module docs](self).
pub fn default_calibration_end(
    first_purchase: NaiveDate,
    observation_end: NaiveDate,
) -> Option<NaiveDate> {
    let span = (observation_end - first_purchase).num_days();
    if span < 2 {
        return None;
    }
    first_purchase.checked_add_signed(chrono::TimeDelta::days(span / 2))
}

/// A holdout validation (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct HoldoutValidation {
    /// Every repeat model on the calibration customers, with its
    /// log-likelihood, AIC, BIC and holdout errors.
    pub comparison: ModelComparison,
    /// The model chosen, by the lowest holdout mean absolute error.
    pub choice: Choice,
    /// Why, in one sentence, with every model's figure.
    pub reason: String,
    /// The chosen model's predictions of the holdout and their scores.
    pub forecast: HoldoutForecast,
    /// The chosen model's tracking curve.
    pub tracking: TrackingCurve,
    /// The chosen model's conditional expectations by calibration group.
    pub groups: HoldoutGroups,
}

impl HoldoutValidation {
    /// Runs the validation on `split`: the tracking curve in periods of
    /// `period_days`, the frequency groups up to `max_frequency` and more.
    ///
    /// # Errors
    ///
    /// The fits' errors ([`choice::compare`]); [`ClvError::NoModelConverged`]
    /// when no repeat model converged; those of [`HoldoutForecast::of_fit`],
    /// [`TrackingCurve::of_split`] and [`HoldoutGroups::of_forecast`].
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::clv::FitOptions;
    /// use crm_core::clv::choice::ChoiceCriterion;
    /// use crm_core::clv::holdout_validation::HoldoutValidation;
    /// use crm_core::records::summary::{Amounts, CalibrationHoldoutAccumulator, ColumnBatch, Keys, SummaryConfig};
    /// use crm_core::records::transaction::day_number;
    ///
    /// let d = |m, day| day_number(NaiveDate::from_ymd_opt(2024, m, day).unwrap());
    /// let config = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap());
    /// let mut acc = CalibrationHoldoutAccumulator::new(config, NaiveDate::from_ymd_opt(2024, 6, 30).unwrap())?;
    /// let (mut keys, mut days, mut amounts) = (vec![], vec![], vec![]);
    /// for c in 0..80_i64 {
    ///     for k in 0..=(c % 5) {
    ///         keys.push(c);
    ///         days.push(d(1 + (k as u32 * 2 + c as u32) % 12, 1 + (c as u32 % 27)));
    ///         amounts.push(5.0 + (c % 3) as f64 + k as f64);
    ///     }
    /// }
    /// acc.add_batch(&ColumnBatch::new(1, Keys::Int(&keys), &days, Amounts::Float(&amounts)))?;
    /// let split = acc.finish()?;
    /// match HoldoutValidation::run(&split, &FitOptions::default(), 7, 7) {
    ///     Ok(v) => {
    ///         assert_eq!(v.choice.criterion, ChoiceCriterion::HoldoutMae);
    ///         assert_eq!(v.forecast.model.repeat.model.kind(), v.choice.kind);
    ///         assert!(v.reason.contains("holdout"));
    ///     }
    ///     // Eighty made-up customers may pin no model's parameters.
    ///     Err(e) => assert!(e.to_string().contains("converge")),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run(
        split: &CalibrationHoldout,
        options: &FitOptions,
        period_days: u32,
        max_frequency: u64,
    ) -> Result<HoldoutValidation, ClvError> {
        let columns = ClvColumns::from_summaries(&split.calibration);
        let actual: Vec<f64> = split.frequency_holdout.iter().map(|&f| f as f64).collect();
        let holdout = HoldoutPurchases {
            duration: split.duration_holdout,
            actual: &actual,
        };
        let cols: [&[f64]; 3] = [&columns.x, &columns.t_x, &columns.age];
        let comparison = choice::compare(&cols, None, options, Some(&holdout))?;
        let chosen = choice::choose(&comparison)?;
        let fit = comparison.chosen_fit(&chosen)?;
        let forecast = HoldoutForecast::of_fit(split, fit.clone(), options)?;
        let tracking = TrackingCurve::of_split(split, &fit.model.model(), period_days)?;
        let groups = HoldoutGroups::of_forecast(split, &forecast, max_frequency)?;
        let chosen_repeat = ChosenRepeat {
            fit,
            comparison: Some(comparison),
            choice: Some(chosen),
        };
        let reason = chosen_repeat.reason().unwrap_or_default();
        let (Some(comparison), Some(choice)) = (chosen_repeat.comparison, chosen_repeat.choice)
        else {
            return Err(ClvError::InvalidArgument {
                name: "model".into(),
                rule: "internal: the comparison was lost".into(),
            });
        };
        Ok(HoldoutValidation {
            comparison,
            choice,
            reason,
            forecast,
            tracking,
            groups,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clv::choice::ChoiceCriterion;
    use crate::clv::holdout::tests::cdnow_split;
    use crate::clv::registry::ModelKind;
    use crate::vocabulary::Vocabulary;

    #[test]
    fn cdnow_chooses_the_lowest_holdout_error_and_validates_that_model() {
        let split = cdnow_split();
        let v = HoldoutValidation::run(&split, &FitOptions::default(), 7, 7).unwrap();
        assert_eq!(v.choice.criterion, ChoiceCriterion::HoldoutMae);
        // The lowest MAE by a plain scan of the rows, not by `choose`.
        let best = v
            .comparison
            .rows
            .iter()
            .filter(|r| r.converged)
            .min_by(|a, b| a.holdout_mae.unwrap().total_cmp(&b.holdout_mae.unwrap()))
            .unwrap();
        assert_eq!(v.choice.kind, best.kind);
        assert_eq!(v.comparison.rows.len(), ModelKind::REPEAT.len());
        // The forecast is the one `HoldoutForecast::fit` makes for that model,
        // and its MAE the comparison's.
        let direct = HoldoutForecast::fit(&split, best.kind, &FitOptions::default()).unwrap();
        assert_eq!(v.forecast, direct);
        let mae = best.holdout_mae.unwrap();
        assert!((v.forecast.scores.mae - mae).abs() <= 1e-12 * mae);
        assert_eq!(v.tracking.periods.len(), 78);
        assert_eq!(v.groups.max_frequency, 7);
        assert!(v.reason.starts_with(best.kind.name()), "{}", v.reason);
        assert!(v.reason.contains("holdout mean absolute error"));
    }

    #[test]
    fn the_default_cut_halves_the_observation() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(
            default_calibration_end(day(2024, 1, 1), day(2024, 1, 3)),
            Some(day(2024, 1, 2))
        );
        assert_eq!(
            default_calibration_end(day(2024, 1, 1), day(2024, 1, 4)),
            Some(day(2024, 1, 2))
        );
        assert_eq!(
            default_calibration_end(day(2024, 1, 3), day(2024, 1, 1)),
            None
        );
        assert!(default_calibration_end(NaiveDate::MIN, NaiveDate::MAX).is_some());
    }
}
