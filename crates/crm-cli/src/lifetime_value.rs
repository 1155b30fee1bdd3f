//! Customer lifetime value in the report: a BG/NBD model of purchases and a
//! Gamma-Gamma model of spend, fitted on the period's own summaries, give
//! each customer's probability of being alive, expected purchases over the
//! horizon, expected spend per purchase and discounted CLV (as lifetimes'
//! `customer_lifetime_value`: monthly discounting over `months`).
//!
//! Choices, documented because the report makes them for the user:
//! * the clock is the summaries' unit (days by default); a month is
//!   30.4375 days (365.25 / 12) or 4.348 weeks;
//! * Gamma-Gamma is fitted on repeat customers with positive mean repeat
//!   spend (the model needs positive amounts); the others get the model's
//!   population mean spend, and how many were left out is reported;
//! * a fit that fails (too few customers, no convergence) does not fail the
//!   report: its section says why and no CLV column is written.

use crm_core::clv::bg_nbd::{self, BetaGeo};
use crm_core::clv::gamma_gamma::{self, GammaGamma, SpendData};
use crm_core::clv::value::{Discounting, customer_lifetime_value};
use crm_core::clv::{FitOptions, Fitted, RepeatData, RepeatModel};
use crm_core::summary::{Summaries, Unit};
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use crate::table::{Table, floats, ids};

/// Days in a month on average.
const DAYS_PER_MONTH: f64 = 365.25 / 12.0;

/// The fitted models and every customer's figures.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LifetimeValue {
    /// The purchase model.
    pub purchases: Fitted<BetaGeo>,
    /// The spend model.
    pub spend: Fitted<GammaGamma>,
    /// Customers left out of the spend fit (no repeat purchase, or a mean
    /// repeat spend of zero or less).
    pub spend_fit_excluded: usize,
    /// Months of the horizon, and the monthly discount rate.
    pub months: u32,
    /// Monthly discount rate.
    pub discount_rate: f64,
    /// Per customer, in the summaries' order.
    #[serde(skip)]
    pub p_alive: Vec<f64>,
    /// Expected purchases over the horizon.
    #[serde(skip)]
    pub expected_purchases: Vec<f64>,
    /// Expected spend per purchase.
    #[serde(skip)]
    pub expected_spend: Vec<f64>,
    /// Discounted CLV over the horizon.
    #[serde(skip)]
    pub clv: Vec<f64>,
}

/// Fits and predicts; `Err` carries the reason for the report.
pub fn estimate(s: &Summaries, months: u32, discount_rate: f64) -> Result<LifetimeValue, String> {
    let x: Vec<f64> = s.frequency.iter().map(|v| *v as f64).collect();
    let m: Vec<f64> = s.monetary_value.iter().map(|v| v.to_f64().unwrap_or(0.0)).collect();
    let data = RepeatData::new(&x, &s.recency, &s.age, None).map_err(|e| e.to_string())?;
    let options = FitOptions::default();
    let purchases = bg_nbd::fit(&data, &options).map_err(|e| format!("BG/NBD: {e}"))?;
    let (sx, sm): (Vec<f64>, Vec<f64>) = x.iter().zip(&m).filter(|(x, m)| **x > 0.0 && **m > 0.0).map(|(x, m)| (*x, *m)).unzip();
    let spend_data = SpendData::new(&sx, &sm, None).map_err(|e| format!("Gamma-Gamma: {e}"))?;
    let spend = gamma_gamma::fit(&spend_data, &options).map_err(|e| format!("Gamma-Gamma: {e}"))?;
    let mean = spend.params.mean_spend();
    let expected_spend: Vec<f64> =
        x.iter().zip(&m).map(|(x, m)| if *x > 0.0 && *m > 0.0 { spend.params.conditional_expected_spend(*x, *m) } else { mean }).collect();
    let month = match s.unit {
        Unit::Day => DAYS_PER_MONTH,
        Unit::Week => DAYS_PER_MONTH / 7.0,
    };
    let discounting = Discounting { periods: months, period_length: month, discount_rate };
    let clv = customer_lifetime_value(&purchases.params, &discounting, &x, &s.recency, &s.age, &expected_spend)
        .map_err(|e| format!("CLV: {e}"))?;
    let horizon = f64::from(months) * month;
    let p = &purchases.params;
    let p_alive = (0..x.len()).map(|i| p.p_alive(x[i], s.recency[i], s.age[i])).collect();
    let expected_purchases = (0..x.len()).map(|i| p.conditional_expected_purchases(horizon, x[i], s.recency[i], s.age[i])).collect();
    Ok(LifetimeValue {
        spend_fit_excluded: x.len() - sx.len(),
        purchases,
        spend,
        months,
        discount_rate,
        p_alive,
        expected_purchases,
        expected_spend,
        clv,
    })
}

/// One row per customer: P(alive), expected purchases, spend and CLV.
pub fn table(s: &Summaries, v: &LifetimeValue) -> Table {
    let col = |v: &[f64]| floats(v.iter().map(|x| Some(*x)));
    let mut t = Table::default();
    t.push("customer_id", ids(&s.customers))
        .push("p_alive", col(&v.p_alive))
        .push("expected_purchases", col(&v.expected_purchases))
        .push("expected_spend", col(&v.expected_spend))
        .push("clv", col(&v.clv));
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use crm_core::summary::SummaryConfig;
    use crm_io::{CsvOptions, summarize_csv};

    #[test]
    fn cdnow_in_weeks_gives_the_published_bg_nbd_fit_and_sane_values() -> Result<(), Box<dyn std::error::Error>> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/data/CDNOW_sample.txt");
        let config = SummaryConfig::new(NaiveDate::from_ymd_opt(1997, 9, 30).ok_or("date")?).with_unit(Unit::Week);
        let out = summarize_csv(path, &CsvOptions::cdnow(), &CsvOptions::cdnow_mapping(), &crm_io::utc(), config)?;
        // The calibration period of Fader, Hardie & Lee (2005): r = 0.243,
        // alpha = 4.414, a = 0.793, b = 2.426.
        let v = estimate(&out.summaries, 12, 0.01)?;
        let p = v.purchases.params;
        for (got, want) in [(p.r, 0.243), (p.alpha, 4.414), (p.a, 0.793), (p.b, 2.426)] {
            assert!((got - want).abs() < 1e-3, "{got} vs {want}");
        }
        assert!(v.p_alive.iter().all(|p| (0.0..=1.0).contains(p)));
        assert!(v.clv.iter().all(|c| c.is_finite() && *c >= 0.0));
        assert_eq!(v.clv.len(), 2357);
        Ok(())
    }
}
