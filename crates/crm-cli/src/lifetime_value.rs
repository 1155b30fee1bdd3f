//! Customer lifetime value in the report: the repeat model chosen by the
//! holdout validation ([`crate::report_validation`]; without one, the
//! lowest BIC) and Gamma-Gamma, as `crm clv fit` fits them on the period's
//! own summaries, and the
//! predictions of `crm clv predict` (P(alive), expected purchases and spend
//! over the horizon, discounted CLV as lifetimes' `customer_lifetime_value`).
//!
//! Choices, documented because the report makes them for the user (all of
//! them crm-core's, `crm_core::clv::{fit_set, horizon}`):
//! * the clock is the summaries' unit (days by default); a month is
//!   365.25 / 12 days;
//! * Gamma-Gamma is fitted on repeat customers with positive mean repeat
//!   spend (the model needs positive amounts); the others get the model's
//!   population mean spend, and how many were left out is reported, by
//!   reason; customers first seen on the analysis date (`T = 0`) are left
//!   out of the purchase fit and predicted as new customers;
//! * a fit that fails (too few customers, no convergence) or predictions
//!   that cannot be made (a Gamma-Gamma fit with q <= 1 has no population
//!   mean spend) do not fail the report: its section says why, so does a
//!   warning on stderr (even with `--quiet`), and no CLV table is written. When only
//!   the spend model fails, the purchase model still answers who is alive
//!   and the report shows it (P(alive) chart and the BG/NBD parameters).

use crm_core::clv::FitOptions;
use crm_core::clv::horizon::Horizon;
use crm_core::clv::model_file::{ModelFile, Predictions};
use crm_core::clv::registry::ModelFit;
use crm_core::clv::repeat_choice::RepeatModelChoice;
use crm_core::records::summary::Summaries;
use serde::Serialize;

use crate::clv_command::{fit_repeat_by, fit_spend, p_alive, predict};

/// The fitted models and every customer's figures.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LifetimeValue {
    /// The models (BG/NBD and Gamma-Gamma), as in a model file.
    pub models: ModelFile,
    /// Months of the horizon.
    pub months: u32,
    /// Monthly discount rate.
    pub discount_rate: f64,
    /// Per customer, in the summaries' order.
    #[serde(skip)]
    #[schemars(skip)]
    pub predictions: Predictions,
}

/// What the report could estimate.
pub enum Estimate {
    /// Both models: CLV per customer.
    Full(Box<LifetimeValue>),
    /// The purchase model only: the spend model failed for the reason given.
    PurchasesOnly {
        /// The fitted purchase model.
        repeat: Box<ModelFit>,
        /// Each customer's P(alive), in the summaries' order.
        p_alive: Vec<f64>,
        /// Why there is no spend model (and so no CLV).
        why: String,
    },
    /// Neither: the purchase model failed for the reason given.
    Unavailable(String),
}

/// Fits the repeat model `choice` names (or, for `auto`, the lowest BIC:
/// its reason is returned beside the estimate) and Gamma-Gamma, and
/// predicts.
pub fn estimate(
    s: &Summaries,
    horizon: &Horizon,
    choice: RepeatModelChoice,
) -> (Estimate, Option<String>) {
    let options = FitOptions::default();
    let (repeat, why) = match fit_repeat_by(s, choice, &options) {
        Ok(r) => r,
        Err(f) => return (Estimate::Unavailable(f.message.into()), None),
    };
    (finish(s, horizon, repeat, &options), why)
}

fn finish(s: &Summaries, horizon: &Horizon, repeat: ModelFit, options: &FitOptions) -> Estimate {
    let spend = match fit_spend(s, options) {
        Ok(x) => x,
        Err(f) => {
            return match p_alive(&repeat, s) {
                Ok(p_alive) => Estimate::PurchasesOnly {
                    p_alive,
                    repeat: Box::new(repeat),
                    why: f.message.into(),
                },
                Err(g) => Estimate::Unavailable(g.message.into()),
            };
        }
    };
    let models = match ModelFile::new(s.unit, Some(s.as_of), repeat, spend) {
        Ok(m) => m,
        Err(e) => return Estimate::Unavailable(e.to_string()),
    };
    match predict(&models, s, horizon) {
        Ok(predictions) => Estimate::Full(Box::new(LifetimeValue {
            models,
            months: horizon.months,
            discount_rate: horizon.monthly_discount_rate,
            predictions,
        })),
        // The spend model may leave some customers' spend undefined (q <= 1):
        // the purchase model still says who is alive.
        Err(f) => match p_alive(&models.repeat, s) {
            Ok(p_alive) => Estimate::PurchasesOnly {
                p_alive,
                repeat: Box::new(models.repeat),
                why: f.message.into(),
            },
            Err(_) => Estimate::Unavailable(f.message.into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use crm_core::clv::registry::FittedModel;
    use crm_core::records::summary::{SummaryConfig, Unit};
    use crm_io::{CsvOptions, summarize_csv};

    #[test]
    fn cdnow_in_weeks_gives_the_published_bg_nbd_fit_and_sane_values()
    -> Result<(), Box<dyn std::error::Error>> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/data/CDNOW_sample.txt"
        );
        let config = SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 9, 30).ok_or("date")?)
            .with_unit(Unit::Week);
        let out = summarize_csv(
            path,
            &CsvOptions::cdnow(),
            &CsvOptions::cdnow_mapping(),
            &crm_io::utc(),
            config,
        )?;
        // The calibration period of Fader, Hardie & Lee (2005): r = 0.243,
        // alpha = 4.414, a = 0.793, b = 2.426.
        let horizon = Horizon {
            months: 12,
            monthly_discount_rate: 0.01,
        };
        let (Estimate::Full(v), None) = estimate(
            &out.summaries,
            &horizon,
            RepeatModelChoice::Model(crm_core::clv::registry::ModelKind::BgNbd),
        ) else {
            return Err("no CLV".into());
        };
        let FittedModel::BgNbd(f) = &v.models.repeat.model else {
            return Err("not BG/NBD".into());
        };
        let p = f.params;
        for (got, want) in [(p.r, 0.243), (p.alpha, 4.414), (p.a, 0.793), (p.b, 2.426)] {
            assert!((got - want).abs() < 1e-3, "{got} vs {want}");
        }
        let pr = &v.predictions;
        assert!(pr.p_alive.iter().all(|p| (0.0..=1.0).contains(p)));
        assert!(pr.clv.iter().all(|c| c.is_finite() && *c >= 0.0));
        assert_eq!(pr.clv.len(), 2357);
        let spend = &v.models.spend.fit_set;
        assert_eq!(spend.used + spend.total_excluded(), 2357.0);
        Ok(())
    }
}
