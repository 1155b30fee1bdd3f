//! `crm clv fit` and `crm clv predict`: BTYD models on the command line.
//!
//! `fit` summarises the transactions at `--as-of`, fits a repeat-purchase
//! model (BG/NBD by default, MBG/NBD or Pareto/NBD) and the Gamma-Gamma
//! spend model, and writes both, with the clock they were fitted on, to a
//! JSON model file. `predict` summarises (other) transactions at their own
//! `--as-of` on the same clock and writes each customer's P(alive),
//! expected purchases and spend over the horizon, and discounted CLV.

use std::path::Path;

use clap::ValueEnum;
use crm_core::clv::bg_nbd::{self, BetaGeo};
use crm_core::clv::gamma_gamma::{self, GammaGamma, SpendData};
use crm_core::clv::mbg_nbd::{self, ModifiedBetaGeo};
use crm_core::clv::pareto_nbd::{self, ParetoNbd};
use crm_core::clv::value::{Discounting, customer_lifetime_value};
use crm_core::clv::{FitOptions, Fitted, Parameters, RepeatData, RepeatModel};
use crm_core::records::summary::{Summaries, Unit};
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::failure::{Failure, domain};
use crate::table::{Table, floats, ids};

/// The repeat-purchase models `crm clv fit` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[allow(
    clippy::enum_variant_names,
    reason = "the models' own names all end in NBD"
)]
pub enum ModelArg {
    /// BG/NBD (Fader, Hardie & Lee 2005).
    BgNbd,
    /// MBG/NBD: customers without a repeat purchase may have left too.
    MbgNbd,
    /// Pareto/NBD: dropout at any time.
    ParetoNbd,
}

/// A fitted repeat-purchase model, tagged with its kind.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "model", rename_all = "snake_case")]
#[allow(
    clippy::enum_variant_names,
    reason = "the models' own names all end in NBD"
)]
pub enum RepeatFit {
    /// BG/NBD.
    BgNbd(Fitted<BetaGeo>),
    /// MBG/NBD.
    MbgNbd(Fitted<ModifiedBetaGeo>),
    /// Pareto/NBD.
    ParetoNbd(Fitted<ParetoNbd>),
}

/// The model file: what `fit` writes and `predict` reads.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ModelFile {
    /// The clock of recency and age the models were fitted on.
    pub unit: Unit,
    /// Purchases.
    pub repeat: RepeatFit,
    /// Spend per purchase.
    pub spend: Fitted<GammaGamma>,
    /// Customers left out of the spend fit (no repeat purchase or a mean
    /// repeat spend of zero or less).
    pub spend_fit_excluded: usize,
}

struct Columns {
    x: Vec<f64>,
    monetary: Vec<f64>,
}

fn columns(s: &Summaries) -> Columns {
    Columns {
        x: s.frequency.iter().map(|v| *v as f64).collect(),
        monetary: s
            .monetary_value
            .iter()
            .map(|v| v.to_f64().unwrap_or(0.0))
            .collect(),
    }
}

/// Fits the chosen repeat model and Gamma-Gamma on the summaries.
pub fn fit(s: &Summaries, model: ModelArg, options: &FitOptions) -> Result<ModelFile, Failure> {
    let repeat = fit_repeat(s, model, options)?;
    let (spend, spend_fit_excluded) = fit_spend(s, options)?;
    Ok(ModelFile {
        unit: s.unit,
        repeat,
        spend,
        spend_fit_excluded,
    })
}

/// Fits the repeat-purchase model alone.
pub fn fit_repeat(
    s: &Summaries,
    model: ModelArg,
    options: &FitOptions,
) -> Result<RepeatFit, Failure> {
    let c = columns(s);
    let data = RepeatData::new(&c.x, &s.recency, &s.age, None).map_err(domain("CLV input"))?;
    Ok(match model {
        ModelArg::BgNbd => {
            RepeatFit::BgNbd(bg_nbd::fit(&data, options).map_err(domain("BG/NBD fit"))?)
        }
        ModelArg::MbgNbd => {
            RepeatFit::MbgNbd(mbg_nbd::fit(&data, options).map_err(domain("MBG/NBD fit"))?)
        }
        ModelArg::ParetoNbd => {
            RepeatFit::ParetoNbd(pareto_nbd::fit(&data, options).map_err(domain("Pareto/NBD fit"))?)
        }
    })
}

/// Fits Gamma-Gamma on the repeat customers with a positive mean repeat
/// spend; returns the fit and how many customers were left out.
pub fn fit_spend(
    s: &Summaries,
    options: &FitOptions,
) -> Result<(Fitted<GammaGamma>, usize), Failure> {
    let c = columns(s);
    let (sx, sm): (Vec<f64>, Vec<f64>) =
        c.x.iter()
            .zip(&c.monetary)
            .filter(|(x, m)| **x > 0.0 && **m > 0.0)
            .map(|(x, m)| (*x, *m))
            .unzip();
    let spend_data = SpendData::new(&sx, &sm, None).map_err(domain("Gamma-Gamma input"))?;
    let spend = gamma_gamma::fit(&spend_data, options).map_err(domain("Gamma-Gamma fit"))?;
    Ok((spend, c.x.len() - sx.len()))
}

/// Each customer's P(alive) under a fitted repeat model.
pub fn p_alive(repeat: &RepeatFit, s: &Summaries) -> Vec<f64> {
    fn each<M: RepeatModel>(m: &M, s: &Summaries) -> Vec<f64> {
        (0..s.frequency.len())
            .map(|i| m.p_alive(s.frequency[i] as f64, s.recency[i], s.age[i]))
            .collect()
    }
    match repeat {
        RepeatFit::BgNbd(f) => each(&f.params, s),
        RepeatFit::MbgNbd(f) => each(&f.params, s),
        RepeatFit::ParetoNbd(f) => each(&f.params, s),
    }
}

/// Reads a model file.
pub fn read(path: &Path) -> Result<ModelFile, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::input(format!("{}: {e}", path.display())).file(path.display().to_string())
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Failure::input(format!("{}: not a crm model file: {e}", path.display()))
            .file(path.display().to_string())
    })
}

/// Each customer's predictions over the horizon, in the summaries' order.
#[derive(Debug, Clone, Default)]
pub struct Predictions {
    /// P(alive) now.
    pub p_alive: Vec<f64>,
    /// Expected purchases over the horizon.
    pub expected_purchases: Vec<f64>,
    /// Expected spend per purchase (the spend model's mean for customers
    /// without a positive repeat spend).
    pub expected_spend: Vec<f64>,
    /// Discounted CLV over the horizon.
    pub clv: Vec<f64>,
}

impl Predictions {
    /// One row per customer.
    pub fn table(&self, s: &Summaries) -> Table {
        let col = |v: &[f64]| floats(v.iter().map(|x| Some(*x)));
        let mut t = Table::default();
        t.push("customer_id", ids(&s.customers))
            .push("p_alive", col(&self.p_alive))
            .push("expected_purchases", col(&self.expected_purchases))
            .push("expected_spend", col(&self.expected_spend))
            .push("clv", col(&self.clv));
        t
    }

    /// The JSON form: one object per customer, with the horizon.
    pub fn json<'a>(
        &'a self,
        s: &'a Summaries,
        months: u32,
        discount_rate: f64,
    ) -> PredictionsJson<'a> {
        let customers = (0..s.customers.len().min(self.clv.len()))
            .map(|i| CustomerPrediction {
                customer: &s.customers[i],
                p_alive: self.p_alive[i],
                expected_purchases: self.expected_purchases[i],
                expected_spend: self.expected_spend[i],
                clv: self.clv[i],
            })
            .collect();
        PredictionsJson {
            unit: s.unit,
            months,
            discount_rate,
            customers,
        }
    }
}

/// `crm clv predict`'s JSON output.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PredictionsJson<'a> {
    /// The clock of recency and age.
    pub unit: Unit,
    /// Months of the horizon.
    pub months: u32,
    /// Monthly discount rate.
    pub discount_rate: f64,
    /// One entry per customer, in customer order.
    pub customers: Vec<CustomerPrediction<'a>>,
}

/// One customer's predictions.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CustomerPrediction<'a> {
    /// The customer.
    pub customer: &'a crm_core::records::customer::CustomerId,
    /// P(alive) now.
    pub p_alive: f64,
    /// Expected purchases over the horizon.
    pub expected_purchases: f64,
    /// Expected spend per purchase.
    pub expected_spend: f64,
    /// Discounted CLV over the horizon.
    pub clv: f64,
}

/// Predictions for each customer of `s` over `months`.
pub fn predict(
    m: &ModelFile,
    s: &Summaries,
    months: u32,
    discount_rate: f64,
) -> Result<Predictions, Failure> {
    if m.unit != s.unit {
        return Err(Failure::usage(format!(
            "the model was fitted in {:?}s but --unit gives {:?}s: use the same unit",
            m.unit, s.unit
        )));
    }
    match &m.repeat {
        RepeatFit::BgNbd(f) => predict_with(&f.params, &m.spend.params, s, months, discount_rate),
        RepeatFit::MbgNbd(f) => predict_with(&f.params, &m.spend.params, s, months, discount_rate),
        RepeatFit::ParetoNbd(f) => {
            predict_with(&f.params, &m.spend.params, s, months, discount_rate)
        }
    }
}

fn predict_with<M: RepeatModel + Parameters>(
    model: &M,
    spend: &GammaGamma,
    s: &Summaries,
    months: u32,
    discount_rate: f64,
) -> Result<Predictions, Failure> {
    let c = columns(s);
    // A month is 365.25 / 12 days (or that / 7 weeks).
    let month = match s.unit {
        Unit::Day => 365.25 / 12.0,
        Unit::Week => 365.25 / 12.0 / 7.0,
    };
    let horizon = f64::from(months) * month;
    let mean = spend.mean_spend();
    let expected_spend: Vec<f64> =
        c.x.iter()
            .zip(&c.monetary)
            .map(|(x, m)| {
                if *x > 0.0 && *m > 0.0 {
                    spend.conditional_expected_spend(*x, *m)
                } else {
                    mean
                }
            })
            .collect();
    let discounting = Discounting {
        periods: months,
        period_length: month,
        discount_rate,
    };
    let clv = customer_lifetime_value(
        model,
        &discounting,
        &c.x,
        &s.recency,
        &s.age,
        &expected_spend,
    )
    .map_err(domain("CLV"))?;
    let n = c.x.len();
    let p_alive = (0..n)
        .map(|i| model.p_alive(c.x[i], s.recency[i], s.age[i]))
        .collect();
    let expected_purchases = (0..n)
        .map(|i| model.conditional_expected_purchases(horizon, c.x[i], s.recency[i], s.age[i]))
        .collect();
    Ok(Predictions {
        p_alive,
        expected_purchases,
        expected_spend,
        clv,
    })
}
