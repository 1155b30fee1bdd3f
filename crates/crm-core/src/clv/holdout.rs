//! The holdout forecast: a repeat-purchase model and Gamma-Gamma fitted on
//! the calibration part of a [`CalibrationHoldout`] split, each customer's
//! predicted holdout purchases and value next to the actual ones, and their
//! [`HoldoutScores`] (what `crm clv validate` writes).
//!
//! For each calibration customer, over the holdout's length `t`
//! (`duration_holdout`, on the summaries' clock):
//!
//! - `predicted_purchases` = the model's conditional expected purchases in
//!   `(T_cal, T_cal + t]` given `(frequency_cal, recency_cal, T_cal)`;
//!   customers first seen on the cut date (`T_cal = 0`, outside the fit
//!   set) are predicted as new customers, as [`super::model_file`] does;
//! - `expected_spend` = Gamma-Gamma's conditional mean spend per occasion
//!   ([`super::fit_set::expected_spend`]: the population mean outside the
//!   spend fit set);
//! - `predicted_value` = `predicted_purchases × expected_spend`, undiscounted;
//! - the actual figures are the split's `frequency_holdout` (occasions) and
//!   `total_spend_holdout` (net spend), so predicted and actual value count
//!   the same occasions.
//!
//! ```
//! use chrono::NaiveDate;
//! use crm_core::clv::holdout::HoldoutForecast;
//! use crm_core::clv::registry::ModelKind;
//! use crm_core::clv::FitOptions;
//! use crm_core::records::summary::{Amounts, CalibrationHoldoutAccumulator, ColumnBatch, Keys, SummaryConfig, Unit};
//! use crm_core::records::transaction::day_number;
//!
//! let d = |y, m, day| day_number(NaiveDate::from_ymd_opt(y, m, day).unwrap());
//! let config = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap()).with_unit(Unit::Week);
//! let mut acc = CalibrationHoldoutAccumulator::new(config, NaiveDate::from_ymd_opt(2024, 6, 30).unwrap())?;
//! let (mut keys, mut days, mut amounts) = (vec![], vec![], vec![]);
//! for c in 0..60_i64 {
//!     for k in 0..(c % 5) {
//!         keys.push(c);
//!         days.push(d(2024, 1 + (k as u32 * 2 + c as u32) % 12, 1 + (c as u32 % 27)));
//!         amounts.push(10.0 + (c % 7) as f64 + k as f64);
//!     }
//! }
//! acc.add_batch(&ColumnBatch::new(1, Keys::Int(&keys), &days, Amounts::Float(&amounts)))?;
//! let split = acc.finish()?;
//! let f = HoldoutForecast::fit(&split, ModelKind::BgNbd, &FitOptions::default())?;
//! assert_eq!(f.predicted_purchases.len(), split.calibration.len());
//! assert!(f.scores.rmse >= f.scores.mae);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use super::model_file::{self, ClvColumns, ModelFile};
use super::registry::{ModelFit, ModelKind};
use super::validation::{HoldoutColumns, HoldoutScores};
use super::{ClvError, FitOptions};
use crate::records::customer::CustomerId;
use crate::records::summary::{CalibrationHoldout, Unit};

/// A holdout forecast and its scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct HoldoutForecast {
    /// The clock of recency, T and the holdout's length.
    pub unit: Unit,
    /// The cut: the last day of the calibration.
    pub calibration_end: NaiveDate,
    /// The last day of the holdout.
    pub observation_end: NaiveDate,
    /// The holdout's length on the clock.
    pub duration_holdout: f64,
    /// The models fitted on the calibration part (a model file, analysis
    /// date the cut).
    pub model: ModelFile,
    /// The calibration customers, sorted by id.
    pub customers: Vec<CustomerId>,
    /// Purchases (occasions) in the holdout, the actual figure.
    pub actual_purchases: Vec<u64>,
    /// Expected holdout purchases per calibration customer, in the split's
    /// customer order.
    pub predicted_purchases: Vec<f64>,
    /// Expected spend per holdout purchase.
    pub expected_spend: Vec<f64>,
    /// `predicted_purchases × expected_spend`.
    pub predicted_value: Vec<f64>,
    /// The holdout's net spend (the nearest `f64`), the actual value.
    pub actual_value: Vec<f64>,
    /// The scores of these predictions against the holdout.
    pub scores: HoldoutScores,
}

impl HoldoutForecast {
    /// Fits `kind` (one of [`ModelKind::REPEAT`]) and Gamma-Gamma on the
    /// calibration summaries, predicts the holdout and scores it.
    ///
    /// # Errors
    ///
    /// The fits' and predictions' errors ([`ClvError`]);
    /// [`ClvError::InvalidArgument`] when `kind` is not a repeat model;
    /// [`ClvError::NoData`] for a split without customers.
    ///
    /// # Example
    ///
    /// See the [module docs](self).
    pub fn fit(
        split: &CalibrationHoldout,
        kind: ModelKind,
        options: &FitOptions,
    ) -> Result<HoldoutForecast, ClvError> {
        let columns = ClvColumns::from_summaries(&split.calibration);
        let repeat = model_file::fit_repeat(kind, &columns, options)?;
        HoldoutForecast::of_fit(split, repeat, options)
    }

    /// The forecast of a repeat model already fitted on the split's
    /// calibration summaries, with Gamma-Gamma fitted here:
    /// what [`HoldoutForecast::fit`] does after its repeat fit, for a
    /// caller that fitted every model to choose one
    /// ([`super::holdout_validation`]).
    ///
    /// # Errors
    ///
    /// As [`HoldoutForecast::fit`].
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use crm_core::clv::holdout::HoldoutForecast;
    /// use crm_core::clv::model_file::{fit_repeat, ClvColumns};
    /// use crm_core::clv::registry::ModelKind;
    /// use crm_core::clv::FitOptions;
    /// use crm_core::records::summary::{Amounts, CalibrationHoldoutAccumulator, ColumnBatch, Keys, SummaryConfig};
    /// use crm_core::records::transaction::day_number;
    ///
    /// let d = |m, day| day_number(NaiveDate::from_ymd_opt(2024, m, day).unwrap());
    /// let config = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap());
    /// let mut acc = CalibrationHoldoutAccumulator::new(config, NaiveDate::from_ymd_opt(2024, 6, 30).unwrap())?;
    /// let (mut keys, mut days, mut amounts) = (vec![], vec![], vec![]);
    /// for c in 0..50_i64 {
    ///     for k in 0..=(c % 4) {
    ///         keys.push(c);
    ///         days.push(d(1 + (k as u32 * 3 + c as u32) % 12, 1 + (c as u32 % 27)));
    ///         amounts.push(5.0 + (c % 3) as f64 + k as f64);
    ///     }
    /// }
    /// acc.add_batch(&ColumnBatch::new(1, Keys::Int(&keys), &days, Amounts::Float(&amounts)))?;
    /// let split = acc.finish()?;
    /// let options = FitOptions::default();
    /// let columns = ClvColumns::from_summaries(&split.calibration);
    /// let repeat = fit_repeat(ModelKind::BgNbd, &columns, &options)?;
    /// let f = HoldoutForecast::of_fit(&split, repeat, &options)?;
    /// assert_eq!(f, HoldoutForecast::fit(&split, ModelKind::BgNbd, &options)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn of_fit(
        split: &CalibrationHoldout,
        repeat: ModelFit,
        options: &FitOptions,
    ) -> Result<HoldoutForecast, ClvError> {
        let cal = &split.calibration;
        let columns = ClvColumns::from_summaries(cal);
        let spend = model_file::fit_spend(&columns, options)?;
        let (r, s) = (repeat.model.model(), spend.model.model());
        let t = split.duration_holdout;
        let predicted_purchases =
            r.conditional_expected_purchases(t, &columns.x, &columns.t_x, &columns.age)?;
        let expected_spend = s.expected_spend(&columns.x, &columns.monetary_value)?;
        let mut predicted_value = Vec::with_capacity(predicted_purchases.len());
        for (i, (p, e)) in predicted_purchases.iter().zip(&expected_spend).enumerate() {
            let v = p * e;
            if !v.is_finite() {
                return Err(ClvError::NotFinite {
                    what: "predicted_value".into(),
                    row: i + 1,
                });
            }
            predicted_value.push(v);
        }
        let actual_value: Vec<f64> = split
            .total_spend_holdout
            .iter()
            .map(|d| d.to_f64().unwrap_or(f64::NAN))
            .collect();
        let actual_purchases: Vec<f64> =
            split.frequency_holdout.iter().map(|&f| f as f64).collect();
        let scores = HoldoutScores::of(&HoldoutColumns {
            customers: &cal.customers,
            predicted_purchases: &predicted_purchases,
            actual_purchases: &actual_purchases,
            predicted_value: &predicted_value,
            actual_value: &actual_value,
        })?;
        let model = ModelFile::new(cal.unit, Some(cal.as_of), repeat, spend).map_err(|e| {
            ClvError::InvalidArgument {
                name: "model".into(),
                rule: e.to_string(),
            }
        })?;
        Ok(HoldoutForecast {
            unit: cal.unit,
            calibration_end: cal.as_of,
            observation_end: split.observation_end,
            duration_holdout: t,
            model,
            customers: cal.customers.clone(),
            actual_purchases: split.frequency_holdout.clone(),
            predicted_purchases,
            expected_spend,
            predicted_value,
            actual_value,
            scores,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::clv::RepeatModel;
    use crate::clv::bg_nbd::BetaGeo;
    use crate::clv::registry::Model;

    /// The bundled CDNOW sample split at 1997-09-30, observed to 1998-06-30, in weeks.
    pub(crate) fn cdnow_split() -> CalibrationHoldout {
        use crate::records::summary::{
            Amounts, CalibrationHoldoutAccumulator, ColumnBatch, Keys, SummaryConfig,
        };
        use crate::records::transaction::day_number;
        let text = include_str!("../../../../examples/data/CDNOW_sample.txt");
        let (mut keys, mut days, mut amounts) = (vec![], vec![], vec![]);
        for line in text.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            keys.push(f[1].parse::<i64>().unwrap());
            days.push(day_number(
                NaiveDate::parse_from_str(f[2], "%Y%m%d").unwrap(),
            ));
            amounts.push(f[4].parse::<f64>().unwrap());
        }
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let config = SummaryConfig::new(day(1998, 6, 30)).with_unit(Unit::Week);
        let mut acc = CalibrationHoldoutAccumulator::new(config, day(1997, 9, 30)).unwrap();
        acc.add_batch(&ColumnBatch::new(
            1,
            Keys::Int(&keys),
            &days,
            Amounts::Float(&amounts),
        ))
        .unwrap();
        acc.finish().unwrap()
    }

    #[test]
    fn predictions_are_the_models_conditional_expectations_over_the_holdout() {
        // CDNOW sample split 39 + 39 weeks: per-customer predictions equal
        // the BG/NBD formula at the fitted parameters, and the scores those
        // of the columns.
        let split = cdnow_split();
        let f = HoldoutForecast::fit(&split, ModelKind::BgNbd, &FitOptions::default()).unwrap();
        let Model::BgNbd(p) = f.model.repeat.model.model() else {
            panic!("BG/NBD")
        };
        let p: BetaGeo = p;
        let i = split
            .calibration
            .frequency
            .iter()
            .position(|&x| x > 3)
            .unwrap();
        let c = &split.calibration;
        let direct = p.conditional_expected_purchases(
            split.duration_holdout,
            c.frequency[i] as f64,
            c.recency[i],
            c.age[i],
        );
        assert_eq!(f.predicted_purchases[i], direct);
        assert_eq!(f.predicted_value[i], direct * f.expected_spend[i]);
        assert_eq!(f.scores.customers as usize, c.len());
        assert_eq!(
            f.scores.actual_total,
            split.frequency_holdout.iter().sum::<u64>() as f64
        );
        assert_eq!(
            f.observation_end,
            NaiveDate::from_ymd_opt(1998, 6, 30).unwrap()
        );
    }
}
