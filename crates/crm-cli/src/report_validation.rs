//! The report's model choice and holdout validation: the period is split
//! at a calibration end (`--calibration-end`, or crm-core's
//! `clv::holdout_validation::default_calibration_end`, the middle of the
//! observation), every repeat model is fitted on the calibration part and
//! the one with the lowest holdout error is chosen
//! (`clv::holdout_validation::HoldoutValidation`). The report then fits
//! that model on the whole period for its CLV section. Without a holdout
//! (`--no-validation`, too short an observation, or no model that
//! converged on the calibration part), the model of the lowest BIC on the
//! whole period is used, and the report says so.
//!
//! Written beside `report.md`: `model_comparison.csv`,
//! `holdout_forecast.csv`, `holdout_scores.csv`, `holdout_deciles.csv`,
//! `holdout_groups.csv`, `tracking.csv` (crm-io's tables of those names)
//! and the charts `tracking.png` and `holdout_groups.png`
//! ([`crate::validation_charts`]).

use std::fmt::Write as _;
use std::path::Path;

use chrono::NaiveDate;
use crm_core::clv::FitOptions;
use crm_core::clv::choice::{Choice, ModelComparisonRow};
use crm_core::clv::holdout_groups::{DEFAULT_MAX_FREQUENCY, Grouping, HoldoutGroups};
use crm_core::clv::holdout_validation::{HoldoutValidation, default_calibration_end};
use crm_core::clv::repeat_choice::RepeatModelChoice;
use crm_core::clv::tracking::{DEFAULT_PERIOD_DAYS, TrackingCurve};
use crm_core::clv::validation::HoldoutScores;
use crm_core::records::summary::Summaries;
use crm_core::vocabulary::Vocabulary;
use crm_io::tables::{MoneyType, validation};
use serde::Serialize;

use crate::failure::Failure;
use crate::source::Source;
use crate::table::WriteTable;
use crate::validation_charts;

/// The validation's part of `result.json`: the figures, not the
/// per-customer forecast (that is `holdout_forecast.csv`).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ValidationJson<'a> {
    /// The last day of the calibration.
    pub calibration_end: NaiveDate,
    /// The last day of the holdout (the analysis date).
    pub observation_end: NaiveDate,
    /// The clock of the models.
    pub unit: crm_core::records::summary::Unit,
    /// The holdout's length on that clock.
    pub duration_holdout: f64,
    /// Every repeat model fitted on the calibration customers.
    pub comparison: &'a [ModelComparisonRow],
    /// The model chosen and the models passed over.
    pub choice: &'a Choice,
    /// The chosen model's holdout scores.
    pub scores: &'a HoldoutScores,
    /// The chosen model's tracking curve.
    pub tracking: &'a TrackingCurve,
    /// The chosen model's conditional expectations by calibration group.
    pub groups: &'a HoldoutGroups,
}

/// The validation of one report, or why there is none.
pub struct Validation {
    /// The validation, when it ran.
    pub run: Option<HoldoutValidation>,
    /// Why it did not, otherwise.
    pub unavailable: Option<String>,
}

impl Validation {
    /// The repeat model the report's CLV section fits: the one the holdout
    /// chose, or the lowest BIC without a holdout.
    pub fn model(&self) -> RepeatModelChoice {
        self.run.as_ref().map_or(RepeatModelChoice::Auto, |v| {
            RepeatModelChoice::Model(v.choice.kind)
        })
    }

    /// The JSON part.
    pub fn json(&self) -> Option<ValidationJson<'_>> {
        self.run.as_ref().map(|v| ValidationJson {
            calibration_end: v.forecast.calibration_end,
            observation_end: v.forecast.observation_end,
            unit: v.forecast.unit,
            duration_holdout: v.forecast.duration_holdout,
            comparison: &v.comparison.rows,
            choice: &v.choice,
            scores: &v.forecast.scores,
            tracking: &v.tracking,
            groups: &v.groups,
        })
    }
}

/// Splits the input at the calibration end, validates, and writes the
/// tables and charts into `dir`. A validation that cannot run is not a
/// failure of the report: [`Validation::unavailable`] says why, and so
/// does a warning on stderr.
///
/// # Errors
///
/// Only the writing of the tables and charts.
pub fn run(
    source: &Source,
    s: &Summaries,
    calibration_end: Option<NaiveDate>,
    enabled: bool,
    dir: &Path,
    quiet: bool,
) -> Result<Validation, Failure> {
    let outcome = if enabled {
        validate(source, s, calibration_end, quiet)
    } else {
        Err("--no-validation was given".to_owned())
    };
    let (split, v) = match outcome {
        Ok(pair) => pair,
        Err(why) => {
            if enabled {
                eprintln!(
                    "warning: the report has no holdout validation (the model is chosen by BIC): {why}"
                );
            }
            return Ok(Validation {
                run: None,
                unavailable: Some(why),
            });
        }
    };
    validation::model_comparison(&v.comparison).write(&dir.join("model_comparison.csv"))?;
    validation::holdout_forecast(&split, &v.forecast, MoneyType::Decimal128)
        .write(&dir.join("holdout_forecast.csv"))?;
    validation::holdout_scores(&v.forecast.scores).write(&dir.join("holdout_scores.csv"))?;
    validation::holdout_deciles(&v.forecast.scores).write(&dir.join("holdout_deciles.csv"))?;
    validation::holdout_groups(&v.groups).write(&dir.join("holdout_groups.csv"))?;
    validation::tracking(&v.tracking).write(&dir.join("tracking.csv"))?;
    let unit = v.forecast.unit.name();
    validation_charts::tracking(&v.tracking, "week", dir)?;
    let holdout = format!("{:.0} {unit}s", v.forecast.duration_holdout);
    validation_charts::holdout_groups(&v.groups, &holdout, dir)?;
    Ok(Validation {
        run: Some(v),
        unavailable: None,
    })
}

fn validate(
    source: &Source,
    s: &Summaries,
    calibration_end: Option<NaiveDate>,
    quiet: bool,
) -> Result<
    (
        crm_core::records::summary::CalibrationHoldout,
        HoldoutValidation,
    ),
    String,
> {
    let cut = match calibration_end {
        Some(d) => d,
        None => {
            let first = s.first_purchase.iter().min().copied();
            first
                .and_then(|f| default_calibration_end(f, s.as_of))
                .ok_or_else(|| {
                    "the observation is too short to split into a calibration and a holdout period"
                        .to_owned()
                })?
        }
    };
    let split = source
        .split(cut, quiet)
        .map_err(|f| f.message.to_string())?;
    let v = HoldoutValidation::run(
        &split,
        &FitOptions::default(),
        DEFAULT_PERIOD_DAYS,
        DEFAULT_MAX_FREQUENCY,
    )
    .map_err(|e| format!("calibration to {cut}: {e}"))?;
    Ok((split, v))
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "–".to_owned(), |v| format!("{v:.digits$}"))
}

/// The report's section: the comparison, the choice and why, the scores,
/// the tracking chart and the groups by frequency.
pub fn section(
    md: &mut String,
    v: Option<&ValidationJson<'_>>,
    unavailable: Option<&str>,
    bic_reason: Option<&str>,
) {
    let _ = writeln!(md, "\n## Model choice and holdout validation\n");
    let Some(v) = v else {
        let _ = writeln!(
            md,
            "No holdout validation: {}. The repeat model is the lowest BIC on the whole period{}.\n",
            unavailable.unwrap_or("not run"),
            bic_reason.map_or_else(String::new, |r| format!(" ({r})"))
        );
        return;
    };
    let _ = writeln!(
        md,
        "Calibration to {}, holdout of {} days to {} ({:.1} {}s on the models' clock). Every repeat model fitted on the calibration customers, its predictions of the holdout scored:\n",
        v.calibration_end,
        (v.observation_end - v.calibration_end).num_days(),
        v.observation_end,
        v.duration_holdout,
        v.unit.name()
    );
    let _ = writeln!(
        md,
        "| model | converged | log-likelihood | AIC | BIC | holdout MAE | holdout RMSE |\n|---|---|---:|---:|---:|---:|---:|"
    );
    for r in v.comparison {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.kind.label(),
            if r.converged { "yes" } else { "no" },
            opt(r.log_likelihood, 1),
            opt(r.aic, 1),
            opt(r.bic, 1),
            opt(r.holdout_mae, 4),
            opt(r.holdout_rmse, 4)
        );
    }
    let s = v.scores;
    let _ = writeln!(
        md,
        "\nChosen: **{}**, the lowest holdout mean absolute error{}. Its holdout: MAE {:.4}, RMSE {:.4} purchases a customer; {:.1} purchases predicted against {:.0} made ({}); correlation {}; Gini of predicted value against holdout spend {}. Table `model_comparison.csv`; per customer `holdout_forecast.csv`; deciles `holdout_deciles.csv`.\n",
        v.choice.kind.label(),
        if v.choice.skipped.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = v
                .choice
                .skipped
                .iter()
                .map(|k| format!("{} ({})", k.kind.label(), k.reason.name().replace('_', " ")))
                .collect();
            format!(" (passed over: {})", names.join(", "))
        },
        s.mae,
        s.rmse,
        s.predicted_total,
        s.actual_total,
        s.aggregate_relative_error.map_or_else(
            || "no purchase to compare".to_owned(),
            |e| format!("{:+.1} %", e * 100.0)
        ),
        opt(s.correlation, 3),
        opt(s.gini, 3)
    );
    let _ = writeln!(
        md,
        "![Tracking: cumulative repeat purchases, actual and expected](tracking.png)\n\n![Holdout purchases by calibration frequency](holdout_groups.png)\n"
    );
    let _ = writeln!(
        md,
        "| repeat purchases in calibration | customers | mean holdout purchases | predicted |\n|---|---:|---:|---:|"
    );
    for g in v
        .groups
        .groups
        .iter()
        .filter(|g| g.grouping == Grouping::Frequency)
    {
        let plus = if g.and_more { "+" } else { "" };
        let _ = writeln!(
            md,
            "| {}{plus} | {} | {:.3} | {:.3} |",
            g.group, g.customers, g.actual_purchases, g.predicted_purchases
        );
    }
    let _ = writeln!(md);
}
