//! `crm clv fit`, `crm clv predict` and `crm clv probabilities`: BTYD models
//! on the command line.
//!
//! `fit` summarises the transactions at `--as-of`, fits a repeat-purchase
//! model (BG/NBD by default, MBG/NBD or Pareto/NBD) and the Gamma-Gamma
//! spend model, and writes both, with the clock they were fitted on, to the
//! versioned model file of `crm_core::clv::model_file`. `predict` summarises
//! (other) transactions at their own `--as-of` on the same clock and writes
//! each customer's P(alive), expected purchases and spend over the horizon,
//! and discounted CLV, as the `clv_predictions` table of crm-io. The model
//! names, the fit sets, the month length and the file format are crm-core's.

use std::path::Path;

use crm_core::clv::horizon::Horizon;
use crm_core::clv::intervals::{Bounds, Interval, Level, PredictionIntervals};
use crm_core::clv::model_file::{self, ClvColumns, ModelFile, Predictions};
use crm_core::clv::pareto_nbd_pmf::PurchaseProbabilities;
use crm_core::clv::predicted_tiers::{PredictedTiers, PredictedValue};
use crm_core::clv::registry::{ModelFit, ModelKind};
use crm_core::clv::repeat_choice::{self, RepeatModelChoice};
use crm_core::clv::{ClvError, FitOptions};
use crm_core::records::summary::{Summaries, Unit};
use crm_core::vocabulary::Vocabulary;
use serde::Serialize;

use crate::failure::Failure;
use crate::table::Table;

/// Parses `--model`: one of the repeat-purchase models of the registry.
pub fn parse_repeat_model(name: &str) -> Result<ModelKind, String> {
    let names = || {
        ModelKind::REPEAT
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match name.parse::<ModelKind>() {
        Ok(k) if k.is_repeat() => Ok(k),
        _ => Err(format!("expected one of {}", names())),
    }
}

/// Parses `--model` of `crm clv fit`: `auto` or a repeat-purchase model
/// (crm-core's names and message).
pub fn parse_model_choice(name: &str) -> Result<RepeatModelChoice, String> {
    name.parse::<RepeatModelChoice>().map_err(|e| match e {
        ClvError::InvalidArgument { rule, .. } => rule,
        other => other.to_string(),
    })
}

/// A CLV error of a step, as bad input with crm-core's rule and row (or a
/// usage error for a clock mismatch or a horizon beyond the limit, which are
/// about the flags).
fn clv_failure(what: &'static str) -> impl Fn(ClvError) -> Failure {
    move |e| match &e {
        ClvError::InvalidArgument { name, .. } if name == "unit" => Failure::usage(format!(
            "{what}: {e}; use the --unit the model was fitted with"
        )),
        ClvError::HorizonTooLong { .. } => Failure {
            kind: crate::failure::Kind::Usage,
            ..Failure::diagnosed(what, &e)
        },
        _ => Failure::diagnosed(what, &e),
    }
}

/// Names the customer of a failure that names a row of `s` (crm-core's CLV
/// errors count rows; the command knows the ids).
fn with_customer(mut f: Failure, s: &Summaries) -> Failure {
    if f.customer.is_none()
        && let Some(c) = f
            .row
            .and_then(|r| usize::try_from(r).ok())
            .and_then(|r| r.checked_sub(1))
            .and_then(|i| s.customers.get(i))
    {
        f.customer = Some(c.to_string().into_boxed_str());
    }
    f
}

/// The warnings of a fit, one line each for stderr.
pub fn warnings(fit: &ModelFit) -> Vec<String> {
    fit.warnings
        .iter()
        .map(|w| {
            format!(
                "warning: {} {} ({})",
                fit.model.kind().label(),
                w.text(),
                w.name()
            )
        })
        .collect()
}

/// Fits the named or automatically chosen repeat model and Gamma-Gamma on
/// the summaries; with `auto`, also the sentence saying why that model.
pub fn fit(
    s: &Summaries,
    model: RepeatModelChoice,
    options: &FitOptions,
) -> Result<(ModelFile, Option<String>), Failure> {
    let columns = ClvColumns::from_summaries(s);
    let (repeat, why) = repeat_on(&columns, model, options)?;
    let spend = spend_on(&columns, options)?;
    let file = ModelFile::new(s.unit, Some(s.as_of), repeat, spend)
        .map_err(|e| Failure::internal(e.to_string()))?;
    Ok((file, why))
}

/// `crm clv fit --model auto --calibration-end DATE`: the repeat model of
/// the lowest holdout error on the split at `cut` (crm-core's
/// `clv::holdout_validation`), and why. Where no model converges on the
/// calibration part, `auto` stays (the lowest BIC on the whole period)
/// and a warning says so.
///
/// # Errors
///
/// A usage error unless `model` is `auto`; the split's read errors.
pub fn choose_on_holdout(
    source: &crate::source::Source,
    model: RepeatModelChoice,
    cut: chrono::NaiveDate,
    options: &FitOptions,
    quiet: bool,
) -> Result<(RepeatModelChoice, Option<String>), Failure> {
    if model != RepeatModelChoice::Auto {
        return Err(Failure::usage(
            "--calibration-end chooses the repeat model on a holdout: it needs --model auto",
        ));
    }
    let split = source.split(cut, quiet)?;
    match crm_core::clv::holdout_validation::HoldoutValidation::run(
        &split,
        options,
        crm_core::clv::tracking::DEFAULT_PERIOD_DAYS,
        crm_core::clv::holdout_groups::DEFAULT_MAX_FREQUENCY,
    ) {
        Ok(v) => Ok((
            RepeatModelChoice::Model(v.choice.kind),
            Some(format!("{} (calibration to {cut})", v.reason)),
        )),
        Err(e) => {
            eprintln!(
                "warning: no model could be chosen on the holdout (the lowest BIC is used): {e}"
            );
            Ok((RepeatModelChoice::Auto, None))
        }
    }
}

/// Fits the named or automatically chosen repeat model alone; with `auto`,
/// also the sentence saying why that model.
pub fn fit_repeat_by(
    s: &Summaries,
    model: RepeatModelChoice,
    options: &FitOptions,
) -> Result<(ModelFit, Option<String>), Failure> {
    repeat_on(&ClvColumns::from_summaries(s), model, options)
}

fn repeat_on(
    columns: &ClvColumns,
    model: RepeatModelChoice,
    options: &FitOptions,
) -> Result<(ModelFit, Option<String>), Failure> {
    let chosen = repeat_choice::fit_repeat_by(model, columns, options).map_err(clv_failure(
        match model {
            RepeatModelChoice::Model(k) => k.label(),
            RepeatModelChoice::Auto => "model choice",
        },
    ))?;
    let why = chosen.reason();
    Ok((chosen.fit, why))
}

/// Fits Gamma-Gamma on its fit set.
pub fn fit_spend(s: &Summaries, options: &FitOptions) -> Result<ModelFit, Failure> {
    spend_on(&ClvColumns::from_summaries(s), options)
}

/// Gamma-Gamma on columns already taken from the summaries.
fn spend_on(columns: &ClvColumns, options: &FitOptions) -> Result<ModelFit, Failure> {
    model_file::fit_spend(columns, options).map_err(clv_failure(ModelKind::GammaGamma.label()))
}

/// Each customer's P(alive) under a fitted repeat model.
pub fn p_alive(repeat: &ModelFit, s: &Summaries) -> Result<Vec<f64>, Failure> {
    model_file::p_alive(repeat, &ClvColumns::from_summaries(s))
        .map_err(|e| with_customer(clv_failure("P(alive)")(e), s))
}

/// Reads a model file.
pub fn read(path: &Path) -> Result<ModelFile, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::input(format!("{}: {e}", path.display())).file(path.display().to_string())
    })?;
    ModelFile::from_json(&text).map_err(|e| {
        Failure::input(format!("{}: {e}", path.display())).file(path.display().to_string())
    })
}

/// Predictions for each customer of `s` over `horizon`.
pub fn predict(m: &ModelFile, s: &Summaries, horizon: &Horizon) -> Result<Predictions, Failure> {
    m.predict(&ClvColumns::from_summaries(s), horizon)
        .map_err(|e| with_customer(clv_failure("CLV")(e), s))
}

/// The tiers on `by` of the predictions `p` (one per customer of `past`),
/// and the moves from `past` (crm-core's `clv::predicted_tiers`).
pub fn predicted_tiers(
    past: &crm_core::value::assignment::Assignments,
    p: &Predictions,
    by: PredictedValue,
    config: &crm_core::value::assignment::AssignmentConfig,
) -> Result<PredictedTiers, Failure> {
    PredictedTiers::of(past, p, by, config).map_err(|e| Failure::diagnosed("predicted tiers", &e))
}

/// Every customer's P(0 … `max_purchases` purchases, and more) over
/// `months` months, from a Pareto/NBD model file. A model file of another
/// repeat model, or a `max_purchases` beyond crm-core's limit, is a usage
/// error: both are about the flags.
pub fn purchase_probabilities(
    m: &ModelFile,
    s: &Summaries,
    months: u32,
    max_purchases: u32,
) -> Result<PurchaseProbabilities, Failure> {
    m.purchase_probabilities(&ClvColumns::from_summaries(s), months, max_purchases)
        .map_err(|e| match &e {
            ClvError::InvalidArgument { name, .. } if name == "model" => Failure::usage(format!(
                "purchase probabilities: {e}; they are Pareto/NBD's: fit with `crm clv fit --model pareto_nbd`"
            )),
            ClvError::InvalidArgument { name, .. } if name == "max_purchases" => {
                Failure::usage(format!("--max-purchases: {e}"))
            }
            _ => with_customer(clv_failure("purchase probabilities")(e), s),
        })
}

/// The `purchase_probabilities` table of crm-io, for the CSV/Parquet writer.
pub fn probabilities_table(s: &Summaries, p: &PurchaseProbabilities) -> Result<Table, Failure> {
    from_io(crm_io::tables::clv::purchase_probabilities(&s.customers, p))
}

/// `crm clv probabilities`' JSON output.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PurchaseProbabilitiesJson<'a> {
    /// The clock of recency and age.
    pub unit: Unit,
    /// Months of the horizon.
    pub months: u32,
    /// The largest count with its own probability.
    pub max_purchases: u32,
    /// One entry per customer, in customer order.
    pub customers: Vec<CustomerProbabilities<'a>>,
}

/// One customer's purchase probabilities.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CustomerProbabilities<'a> {
    /// The customer.
    pub customer: &'a crm_core::records::customer::CustomerId,
    /// P(exactly n purchases) for n = 0 … max_purchases, then P(more).
    pub probabilities: &'a [f64],
}

impl<'a> PurchaseProbabilitiesJson<'a> {
    /// The JSON form of the probabilities of `s`.
    pub fn new(
        p: &'a PurchaseProbabilities,
        s: &'a Summaries,
        months: u32,
    ) -> PurchaseProbabilitiesJson<'a> {
        PurchaseProbabilitiesJson {
            unit: s.unit,
            months,
            max_purchases: p.max_purchases,
            customers: s
                .customers
                .iter()
                .take(p.customers())
                .enumerate()
                .map(|(i, customer)| CustomerProbabilities {
                    customer,
                    probabilities: p.customer(i),
                })
                .collect(),
        }
    }
}

/// Every customer's predictions with their intervals at `level`, and the
/// totals (crm-core's delta method on the model file's covariances).
pub fn prediction_intervals(
    m: &ModelFile,
    s: &Summaries,
    horizon: &Horizon,
    level: f64,
) -> Result<PredictionIntervals, Failure> {
    let level = Level::new(level).map_err(|e| Failure::usage(format!("--level: {e}")))?;
    m.prediction_intervals(&ClvColumns::from_summaries(s), horizon, level)
        .map_err(|e| match &e {
            ClvError::InvalidArgument { name, .. } if name == "covariance" => {
                Failure::usage(format!("--level: {e}"))
            }
            _ => with_customer(clv_failure("CLV intervals")(e), s),
        })
}

/// The `clv_intervals` table of crm-io, for the CSV/Parquet writer.
pub fn intervals_table(s: &Summaries, iv: &PredictionIntervals) -> Result<Table, Failure> {
    from_io(crm_io::tables::clv::intervals(&s.customers, iv))
}

/// The totals' line for stderr.
pub fn totals_line(iv: &PredictionIntervals, months: u32) -> String {
    let (p, c) = (&iv.total_expected_purchases, &iv.total_clv);
    format!(
        "over {months} months: {:.1} expected purchases ({:.0} % interval {:.1} to {:.1}), CLV {:.2} ({:.2} to {:.2})",
        p.estimate,
        100.0 * iv.level.value(),
        p.lower,
        p.upper,
        c.estimate,
        c.lower,
        c.upper
    )
}

/// The `clv_predictions` table of crm-io, for the CSV/Parquet writer.
pub fn table(s: &Summaries, p: &Predictions) -> Result<Table, Failure> {
    from_io(crm_io::tables::clv::predictions(&s.customers, p))
}

fn from_io(t: crm_io::tables::Table) -> Result<Table, Failure> {
    let batch = t.batch().map_err(|e| Failure::internal(e.to_string()))?;
    let mut t = Table::default();
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        t.push(field.name(), column.clone());
    }
    Ok(t)
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
    /// With `--level`: the level of every interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<f64>,
    /// With `--level`: the customers' expected purchases and CLV summed,
    /// with their intervals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totals: Option<Totals>,
    /// One entry per customer, in customer order.
    pub customers: Vec<CustomerPrediction<'a>>,
}

/// The totals over the customers, with their intervals.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Totals {
    /// Expected purchases over the horizon, summed.
    pub expected_purchases: Interval,
    /// CLV summed.
    pub clv: Interval,
}

/// One customer's intervals: `[lower, upper]` of each prediction.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CustomerIntervals {
    /// P(alive).
    pub p_alive: [f64; 2],
    /// Expected purchases.
    pub expected_purchases: [f64; 2],
    /// Expected spend per purchase.
    pub expected_spend: [f64; 2],
    /// CLV.
    pub clv: [f64; 2],
}

impl<'a> PredictionsJson<'a> {
    /// The JSON form of the predictions of `s`, with their intervals when
    /// given (`iv.predictions` are then `p`).
    pub fn new(
        p: &Predictions,
        s: &'a Summaries,
        horizon: &Horizon,
        iv: Option<&PredictionIntervals>,
    ) -> PredictionsJson<'a> {
        let at = |v: &[f64], i: usize| v.get(i).copied().unwrap_or(f64::NAN);
        let ends = |b: &Bounds, i: usize| [at(&b.lower, i), at(&b.upper, i)];
        PredictionsJson {
            unit: s.unit,
            months: horizon.months,
            discount_rate: horizon.monthly_discount_rate,
            level: iv.map(|iv| iv.level.value()),
            totals: iv.map(|iv| Totals {
                expected_purchases: iv.total_expected_purchases,
                clv: iv.total_clv,
            }),
            customers: s
                .customers
                .iter()
                .enumerate()
                .map(|(i, customer)| CustomerPrediction {
                    customer,
                    p_alive: at(&p.p_alive, i),
                    expected_purchases: at(&p.expected_purchases, i),
                    expected_spend: at(&p.expected_spend, i),
                    clv: at(&p.clv, i),
                    intervals: iv.map(|iv| CustomerIntervals {
                        p_alive: ends(&iv.p_alive, i),
                        expected_purchases: ends(&iv.expected_purchases, i),
                        expected_spend: ends(&iv.expected_spend, i),
                        clv: ends(&iv.clv, i),
                    }),
                })
                .collect(),
        }
    }
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
    /// With `--level`: the ends of each prediction's interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intervals: Option<CustomerIntervals>,
}
