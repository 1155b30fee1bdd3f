//! Customer lifetime value in the report: the BG/NBD and Gamma-Gamma
//! models of `crm clv fit`, fitted on the period's own summaries, and the
//! predictions of `crm clv predict` (P(alive), expected purchases and spend
//! over the horizon, discounted CLV as lifetimes' `customer_lifetime_value`).
//!
//! Choices, documented because the report makes them for the user:
//! * the clock is the summaries' unit (days by default); a month is
//!   365.25 / 12 days;
//! * Gamma-Gamma is fitted on repeat customers with positive mean repeat
//!   spend (the model needs positive amounts); the others get the model's
//!   population mean spend, and how many were left out is reported;
//! * a fit that fails (too few customers, no convergence) does not fail the
//!   report: its section says why and no CLV table is written. When only
//!   the spend model fails, the purchase model still answers who is alive
//!   and the report shows it (P(alive) chart and the BG/NBD parameters).

use crm_core::clv::FitOptions;
use crm_core::records::summary::Summaries;
use serde::Serialize;

use crate::clv_command::{
    ModelArg, ModelFile, Predictions, RepeatFit, fit_repeat, fit_spend, p_alive, predict,
};

/// The fitted models and every customer's figures.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LifetimeValue {
    /// The models (BG/NBD and Gamma-Gamma).
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
    Full(LifetimeValue),
    /// The purchase model only: the spend model failed for the reason given.
    PurchasesOnly {
        /// The fitted purchase model.
        repeat: RepeatFit,
        /// Each customer's P(alive), in the summaries' order.
        p_alive: Vec<f64>,
        /// Why there is no spend model (and so no CLV).
        why: String,
    },
    /// Neither: the purchase model failed for the reason given.
    Unavailable(String),
}

/// Fits and predicts.
pub fn estimate(s: &Summaries, months: u32, discount_rate: f64) -> Estimate {
    let options = FitOptions::default();
    let repeat = match fit_repeat(s, ModelArg::BgNbd, &options) {
        Ok(r) => r,
        Err(f) => return Estimate::Unavailable(f.message.into()),
    };
    let (spend, spend_fit_excluded) = match fit_spend(s, &options) {
        Ok(x) => x,
        Err(f) => {
            return Estimate::PurchasesOnly {
                p_alive: p_alive(&repeat, s),
                repeat,
                why: f.message.into(),
            };
        }
    };
    let models = ModelFile {
        unit: s.unit,
        repeat,
        spend,
        spend_fit_excluded,
    };
    match predict(&models, s, months, discount_rate) {
        Ok(predictions) => Estimate::Full(LifetimeValue {
            models,
            months,
            discount_rate,
            predictions,
        }),
        Err(f) => Estimate::Unavailable(f.message.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clv_command::RepeatFit;
    use chrono::NaiveDate;
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
        let Estimate::Full(v) = estimate(&out.summaries, 12, 0.01) else {
            return Err("no CLV".into());
        };
        let RepeatFit::BgNbd(f) = &v.models.repeat else {
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
        Ok(())
    }
}
