//! `crm clv validate`: a calibration / holdout validation on the command
//! line. Splits the transactions at `--calibration-end` (observed to
//! `--as-of`), fits the repeat-purchase model (BG/NBD by default) and
//! Gamma-Gamma on the calibration part, and writes each customer's
//! predicted holdout purchases and value next to the actual ones (crm-io's
//! `holdout_forecast` table, or with `.json` the serde form of crm-core's
//! `HoldoutForecast`, schema `crm schema ClvHoldoutForecast`) and the
//! scores (`--scores`, `--deciles`, `--lorenz`: crm-io's `holdout_scores`,
//! `holdout_deciles`, `holdout_lorenz` tables), the tracking curve
//! (`--tracking`) and the conditional expectations by calibration
//! frequency, recency and time since the last purchase (`--groups`). The
//! split, the predictions, the scores, the curve and the groups are
//! crm-core's (`records::summary::CalibrationHoldout`, `clv::holdout`,
//! `clv::validation`, `clv::tracking`, `clv::holdout_groups`).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;
use crm_core::clv::FitOptions;
use crm_core::clv::holdout::HoldoutForecast;
use crm_core::clv::holdout_groups::{DEFAULT_MAX_FREQUENCY, HoldoutGroups};
use crm_core::clv::registry::ModelKind;
use crm_core::clv::tracking::TrackingCurve;
use crm_io::tables::{MoneyType, validation};

use crate::failure::{Failure, domain};
use crate::source::Source;
use crate::table::{OutFormat, WriteTable, write_json};

/// The options of `crm clv validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    source: Source,
    /// The last day of the calibration period (YYYY-MM-DD); the holdout
    /// runs from the next day to --as-of.
    #[arg(long)]
    calibration_end: NaiveDate,
    /// The repeat-purchase model.
    #[arg(long, default_value = "bg_nbd", value_parser = crate::clv_command::parse_repeat_model)]
    model: ModelKind,
    /// Per-customer forecast: .csv, .parquet or .json; `-` for CSV on stdout.
    #[arg(long, short, default_value = "-")]
    output: PathBuf,
    /// The scores (one row): .csv, .parquet or .json (the `scores` of the
    /// JSON output).
    #[arg(long)]
    scores: Option<PathBuf>,
    /// The decile calibration table: .csv, .parquet or .json.
    #[arg(long)]
    deciles: Option<PathBuf>,
    /// The Lorenz curve of predicted value: .csv, .parquet or .json.
    #[arg(long)]
    lorenz: Option<PathBuf>,
    /// The tracking curve (the calibration customers' repeat purchases per
    /// period, actual and expected, across calibration and holdout):
    /// .csv, .parquet or .json (schema `crm schema ClvTrackingCurve`).
    #[arg(long)]
    tracking: Option<PathBuf>,
    /// The tracking curve's period in days (periods end on the
    /// calibration end).
    #[arg(long, default_value_t = crm_core::clv::tracking::DEFAULT_PERIOD_DAYS)]
    period_days: u32,
    /// The conditional expectations by calibration group: mean holdout
    /// purchases, actual and predicted, by calibration frequency, recency
    /// and time since the last purchase: .csv, .parquet or .json (schema
    /// `crm schema ClvHoldoutGroups`).
    #[arg(long)]
    groups: Option<PathBuf>,
    /// The frequency of the last, open frequency group ("7+").
    #[arg(long, default_value_t = DEFAULT_MAX_FREQUENCY)]
    max_frequency: u64,
}

/// Runs `crm clv validate`.
pub fn run(args: &ValidateArgs, quiet: bool) -> Result<(), Failure> {
    let split = args.source.split(args.calibration_end, quiet)?;
    let f = HoldoutForecast::fit(&split, args.model, &FitOptions::default())
        .map_err(domain(args.model.label()))?;
    // Before anything is written, so that a refused curve writes nothing.
    let curve = match &args.tracking {
        Some(_) => Some(
            TrackingCurve::of_split(&split, &f.model.repeat.model.model(), args.period_days)
                .map_err(domain("tracking"))?,
        ),
        None => None,
    };
    let groups = match &args.groups {
        Some(_) => Some(
            HoldoutGroups::of_forecast(&split, &f, args.max_frequency)
                .map_err(domain("holdout_groups"))?,
        ),
        None => None,
    };
    match OutFormat::of(&args.output)? {
        OutFormat::Json => write_json(&f, &args.output)?,
        _ => validation::holdout_forecast(&split, &f, MoneyType::Decimal128).write(&args.output)?,
    }
    let s = &f.scores;
    if let Some(p) = &args.scores {
        match OutFormat::of(p)? {
            OutFormat::Json => write_json(s, p)?,
            _ => validation::holdout_scores(s).write(p)?,
        }
    }
    if let Some(p) = &args.deciles {
        match OutFormat::of(p)? {
            OutFormat::Json => write_json(&s.deciles, p)?,
            _ => validation::holdout_deciles(s).write(p)?,
        }
    }
    if let Some(p) = &args.lorenz {
        match OutFormat::of(p)? {
            OutFormat::Json => write_json(&s.lorenz, p)?,
            _ => validation::holdout_lorenz(s).write(p)?,
        }
    }
    if let (Some(p), Some(curve)) = (&args.tracking, &curve) {
        match OutFormat::of(p)? {
            OutFormat::Json => write_json(curve, p)?,
            _ => validation::tracking(curve).write(p)?,
        }
    }
    if let (Some(p), Some(groups)) = (&args.groups, &groups) {
        match OutFormat::of(p)? {
            OutFormat::Json => write_json(groups, p)?,
            _ => validation::holdout_groups(groups).write(p)?,
        }
    }
    if !quiet && args.output != std::path::Path::new("-") {
        let opt = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.3}"));
        eprintln!(
            "{} on {} customers, holdout {:.1} {}s: MAE {:.3}, RMSE {:.3}, predicted {:.1} vs actual {:.0} purchases, correlation {}, Gini {} -> {}",
            args.model.label(),
            s.customers,
            f.duration_holdout,
            crm_core::vocabulary::Vocabulary::name(f.unit),
            s.mae,
            s.rmse,
            s.predicted_total,
            s.actual_total,
            opt(s.correlation),
            opt(s.gini),
            args.output.display()
        );
    }
    Ok(())
}
