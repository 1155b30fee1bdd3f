//! `crm`: crm-engine's main job on files.
//!
//! ```sh
//! crm report --input examples/data/CDNOW_sample.txt --format cdnow --as-of 1998-06-30 --out report/
//! crm summarize --input tx.parquet --as-of 2024-12-31 --output summaries.csv
//! crm classify --input tx.csv --as-of 2024-12-31 --output tiers.parquet
//! crm rfm --input tx.csv --as-of 2024-12-31 --output rfm.json
//! ```
//!
//! Every subcommand reads transactions (CSV or Parquet), summarises them
//! per customer at an explicit analysis date, and writes its result as CSV,
//! Parquet (by the output's extension) or JSON (the serde form of the
//! result, the contract for embedding products). Exit codes: 0 success,
//! 1 internal error, 2 usage error, 3 bad input; never a panic trace.
//!
//! A front end, it only parses arguments, calls crm-io and crm-core, writes
//! the tables crm-io builds and maps errors to exit codes: no rule, default,
//! name list or table layout lives here (`docs/DESIGN.md` in the repository;
//! the rules are `docs/DOMAIN.md`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use crm_core::clv::predicted_tiers::PredictedValue;
use crm_core::records::summary::{Summaries, SummaryOutput};
use crm_core::value::assignment::{AssignmentConfig, Assignments, assign};
use crm_core::value::behaviour::BehaviourSignals;
use crm_core::value::rfm::{Monetary, RfmMetrics, RfmResult, SegmentTable, score};
use crm_core::value::tier::{Cutoffs, TierBasis, TierConfig};
use crm_io::tables::{self as io_tables, MoneyType};
use rust_decimal::Decimal;

mod charts;
mod clv_command;
mod failure;
mod lifetime_value;
mod loyalty;
mod records;
mod report;
mod report_predicted;
mod report_validation;
mod review;
mod schema;
mod source;
mod table;
mod tables;
mod validate_command;
mod validation_charts;
mod vocabulary;

use failure::{Failure, domain};
use source::Source;
use table::{OutFormat, WriteTable, write_json};

/// crm-engine: customer value tiers, RFM and reconciliation from
/// transaction files.
#[derive(Debug, Parser)]
#[command(name = "crm", version, about, long_about = None)]
struct Cli {
    /// Print errors as one JSON object on stderr (file, row, column, rule).
    #[arg(long, global = true)]
    json_errors: bool,
    /// Print nothing but errors.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Per-customer summaries (first/last purchase, occasions, spend, the
    /// BTYD triple) and the reconciliation of every input row.
    Summarize {
        #[command(flatten)]
        source: Source,
        /// Output file: .csv, .parquet or .json; `-` for CSV on stdout.
        #[arg(long, short, default_value = "-")]
        output: PathBuf,
    },
    /// Value tiers with their treatments and the evidence behind each.
    Classify {
        #[command(flatten)]
        source: Source,
        #[command(flatten)]
        tiers: TierArgs,
        /// Output file: .csv, .parquet or .json; `-` for CSV on stdout.
        #[arg(long, short, default_value = "-")]
        output: PathBuf,
    },
    /// RFM scores (1..5, 5 best) and named segments.
    Rfm {
        #[command(flatten)]
        source: Source,
        /// Monetary measure (default: crm-core's).
        #[arg(long, value_parser = vocabulary::names::<Monetary>(), default_value_t = Monetary::default())]
        monetary: Monetary,
        /// Output file: .csv, .parquet or .json; `-` for CSV on stdout.
        #[arg(long, short, default_value = "-")]
        output: PathBuf,
    },
    /// Tier moves between two adjacent periods of the same file: promoted,
    /// demoted, unchanged, new and lost customers with the figures behind
    /// each move. Membership comes from the customer base (--customer-base,
    /// or the inactivity rule --inactive-days): a customer without a
    /// purchase in a period is still a customer, measured inactive; "lost"
    /// and "new" mean leaving and joining the base (--membership presence:
    /// the old rule, no purchase = lost). The current period is the day after `--previous-as-of`
    /// to `--as-of`; the previous one ends at `--previous-as-of` (and starts
    /// at `--since`, or with the data).
    Review {
        #[command(flatten)]
        source: Source,
        #[command(flatten)]
        tiers: TierArgs,
        /// The last day of the previous period (YYYY-MM-DD).
        #[arg(long)]
        previous_as_of: chrono::NaiveDate,
        #[command(flatten)]
        membership: review::ReviewArgs,
        /// Output file: .csv, .parquet or .json; `-` for CSV on stdout.
        #[arg(long, short, default_value = "-")]
        output: PathBuf,
    },
    /// Loyalty and relationship metrics over a period: retention, churn,
    /// growth, repeat purchase, and (from their files) referrals,
    /// complaints and survey scores. Output: .json (everything), or a
    /// metric,value table as .csv/.parquet (`-` for CSV on stdout).
    Metrics {
        #[command(flatten)]
        source: Source,
        #[command(flatten)]
        tiers: TierArgs,
        #[command(flatten)]
        loyalty: loyalty::LoyaltyArgs,
        /// Output file: .csv, .parquet or .json; `-` for CSV on stdout.
        #[arg(long, short, default_value = "-")]
        output: PathBuf,
    },
    /// Customer lifetime value models: fit on one period, predict on any.
    #[command(subcommand)]
    Clv(ClvCommand),
    /// JSON Schemas of every input and result type (all, or one by name).
    Schema {
        /// A type name, e.g. SummaryOutput; without it, all of them.
        name: Option<String>,
    },
    /// The main job: summaries, tiers with treatments, RFM segments and the
    /// reconciliation, as tables and a readable `report.md` in a directory.
    Report {
        #[command(flatten)]
        source: Source,
        #[command(flatten)]
        tiers: TierArgs,
        #[command(flatten)]
        loyalty: loyalty::LoyaltyArgs,
        /// The directory to write (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// CLV horizon in months.
        #[arg(long, default_value_t = 12)]
        clv_months: u32,
        /// Monthly discount rate of the CLV.
        #[arg(long, default_value_t = 0.01)]
        discount_rate: f64,
        /// The last day of the calibration period of the holdout
        /// validation that chooses the repeat model (YYYY-MM-DD); by
        /// default the middle day between the first purchase and --as-of.
        #[arg(long)]
        calibration_end: Option<chrono::NaiveDate>,
        /// No holdout validation: the repeat model is the lowest BIC on the
        /// whole period (one read of the input fewer).
        #[arg(long)]
        no_validation: bool,
        /// Add intervals at this level (0.9 for 90 %) to the CLV section:
        /// each customer's in `clv_intervals.csv`, the totals' in the
        /// report. They cost about 14 times the predictions (35 s more on
        /// 1M customers), so they are asked for.
        #[arg(long)]
        level: Option<f64>,
    },
}

#[derive(Debug, Subcommand)]
enum ClvCommand {
    /// Fits a repeat-purchase model (BG/NBD, MBG/NBD or Pareto/NBD) and the
    /// Gamma-Gamma spend model; writes them to a JSON model file.
    Fit {
        #[command(flatten)]
        source: Source,
        /// The repeat-purchase model, or `auto`: fit every one and keep the
        /// lowest holdout error with --calibration-end, else the lowest BIC
        /// (the reason is printed on stderr).
        #[arg(long, default_value = "bg_nbd", value_parser = clv_command::parse_model_choice)]
        model: crm_core::clv::repeat_choice::RepeatModelChoice,
        /// With --model auto: choose on a holdout, every repeat model fitted
        /// on the transactions up to this day (YYYY-MM-DD) and scored on the
        /// rest up to --as-of; the chosen one is then fitted on the whole
        /// period.
        #[arg(long)]
        calibration_end: Option<chrono::NaiveDate>,
        /// L2 penalty on the parameters (0: plain maximum likelihood).
        #[arg(long, default_value_t = 0.0)]
        l2: f64,
        /// The model file to write (.json).
        #[arg(long, short)]
        output: PathBuf,
    },
    /// P(alive), expected purchases and spend over the horizon, and
    /// discounted CLV for every customer, from a model file.
    Predict {
        #[command(flatten)]
        source: Source,
        /// The model file `crm clv fit` wrote.
        #[arg(long)]
        model_file: PathBuf,
        /// Horizon in months.
        #[arg(long, default_value_t = 12)]
        months: u32,
        /// Monthly discount rate.
        #[arg(long, default_value_t = 0.01)]
        discount_rate: f64,
        /// Add intervals at this level (0.9 for 90 %) from the fits'
        /// covariances: the `clv_intervals` table (each prediction with its
        /// lower and upper end), and the totals on stderr and in JSON.
        #[arg(long)]
        level: Option<f64>,
        /// Output file: .csv, .parquet or .json; `-` for CSV on stdout.
        #[arg(long, short, default_value = "-")]
        output: PathBuf,
    },
    /// Value tiers on predicted value: every customer tiered by discounted
    /// CLV (or expected purchases) over the horizon from a model file, with
    /// the tier cut-offs of `crm classify`; `--moves` writes who moves up
    /// and who down from the tiers on past spend.
    Tiers {
        #[command(flatten)]
        source: Source,
        /// The model file `crm clv fit` wrote.
        #[arg(long)]
        model_file: PathBuf,
        /// Horizon in months.
        #[arg(long, default_value_t = 12)]
        months: u32,
        /// Monthly discount rate.
        #[arg(long, default_value_t = 0.01)]
        discount_rate: f64,
        /// The prediction that ranks the customers.
        #[arg(long, value_parser = vocabulary::names::<PredictedValue>(), default_value_t = PredictedValue::default())]
        by: PredictedValue,
        #[command(flatten)]
        tiers: TierArgs,
        /// Where to write the moves from past to predicted tiers (the
        /// `crm review` layout: promoted, demoted, unchanged).
        #[arg(long)]
        moves: Option<PathBuf>,
        /// Output file: .csv, .parquet or .json; `-` for CSV on stdout.
        #[arg(long, short, default_value = "-")]
        output: PathBuf,
    },
    /// Pareto/NBD's probabilities of 0, 1, …, --max-purchases purchases (and
    /// of more) over the horizon for every customer, from a Pareto/NBD model
    /// file: one row per customer and count.
    Probabilities {
        #[command(flatten)]
        source: Source,
        /// The model file `crm clv fit --model pareto_nbd` wrote.
        #[arg(long)]
        model_file: PathBuf,
        /// Horizon in months.
        #[arg(long, default_value_t = 12)]
        months: u32,
        /// The largest count with its own row (at most 200); the next row
        /// holds the probability of more.
        #[arg(long, default_value_t = 10)]
        max_purchases: u32,
        /// Output file: .csv, .parquet or .json; `-` for CSV on stdout.
        #[arg(long, short, default_value = "-")]
        output: PathBuf,
    },
    /// Fits on a calibration period and scores the predictions against the
    /// holdout period after it (MAE, RMSE, aggregate error, correlation,
    /// Gini and Lorenz curve, deciles).
    Validate(validate_command::ValidateArgs),
}

/// How customers are ranked into tiers.
#[derive(Debug, Clone, clap::Args)]
struct TierArgs {
    /// Cumulative share by value (docs/DOMAIN.md default) or by customer count
    /// (Pareto 20/80).
    #[arg(long, value_parser = vocabulary::names::<TierBasis>(), default_value_t = TierConfig::default().basis)]
    basis: TierBasis,
    /// Where the most-valuable tier ends (share, 0..1; default: the
    /// basis's, 0.2 by value, 0.05 by count).
    #[arg(long)]
    most_valuable: Option<Decimal>,
    /// Where the major tier ends (cumulative share, 0..1; default: the
    /// basis's, 0.5 by value, 0.2 by count).
    #[arg(long)]
    major: Option<Decimal>,
}

impl TierArgs {
    /// The basis's default cut-offs (crm-core), with either one replaced
    /// when given.
    fn config(&self) -> Result<AssignmentConfig, Failure> {
        let mut tiers = TierConfig::default_for(self.basis);
        if self.most_valuable.is_some() || self.major.is_some() {
            tiers.cutoffs = Cutoffs::new(
                self.most_valuable.unwrap_or(tiers.cutoffs.first()),
                self.major.unwrap_or(tiers.cutoffs.second()),
            )
            .map_err(|e| Failure::usage(format!("--most-valuable/--major: {e}")))?;
        }
        Ok(AssignmentConfig {
            tiers,
            ..AssignmentConfig::default()
        })
    }
}

fn main() -> ExitCode {
    // A decoder panic on a damaged file is caught in crm-io and reported as
    // bad input (exit 3): the default hook must not print a stack trace for
    // it. The binary owns the process, so the hook is set here.
    crm_io::damaged::quiet_guarded_panics();
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            f.report(cli.json_errors);
            ExitCode::from(f.kind.exit_code())
        }
    }
}

fn run(cli: &Cli) -> Result<(), Failure> {
    let quiet = cli.quiet;
    match &cli.command {
        Command::Summarize { source, output } => {
            let out = source.summarize(quiet)?;
            match OutFormat::of(output)? {
                OutFormat::Json => write_json(&out, output)?,
                _ => io_tables::summaries::summaries(&out.summaries, MoneyType::Decimal128)
                    .write(output)?,
            }
            note(cli, source, &out, output);
        }
        Command::Classify {
            source,
            tiers,
            output,
        } => {
            let out = source.summarize(quiet)?;
            let a = assignments(&out.summaries, &tiers.config()?)?;
            match OutFormat::of(output)? {
                OutFormat::Json => write_json(&a.report(), output)?,
                _ => tables::tiers(&a)?.write(output)?,
            }
            note(cli, source, &out, output);
        }
        Command::Rfm {
            source,
            monetary,
            output,
        } => {
            let out = source.summarize(quiet)?;
            let (m, r) = rfm_of(&out.summaries, *monetary)?;
            match OutFormat::of(output)? {
                OutFormat::Json => write_json(&r, output)?,
                _ => io_tables::rfm::rfm(&out.summaries.customers, &m, &r, MoneyType::Decimal128)
                    .write(output)?,
            }
            note(cli, source, &out, output);
        }
        Command::Review {
            source,
            tiers,
            previous_as_of,
            membership,
            output,
        } => {
            let r = review::run(source, &tiers.config()?, *previous_as_of, membership, quiet)?;
            match OutFormat::of(output)? {
                OutFormat::Json => write_json(&r, output)?,
                _ => io_tables::review::moves(&r, MoneyType::Decimal128).write(output)?,
            }
            if !cli.quiet && output != std::path::Path::new("-") {
                let c = &r.counts;
                eprintln!(
                    "{} -> {}: {} promoted, {} demoted, {} unchanged, {} new, {} lost -> {}",
                    r.previous,
                    r.current,
                    c.promoted,
                    c.demoted,
                    c.unchanged,
                    c.new,
                    c.lost,
                    output.display()
                );
            }
        }
        Command::Metrics {
            source,
            tiers,
            loyalty: args,
            output,
        } => {
            let prepared = loyalty::prepare(source, args, quiet)?;
            let out = source.summarize(quiet)?;
            let a = assignments(&out.summaries, &tiers.config()?)?;
            let r = loyalty::finish(prepared, source, args, &a)?;
            match OutFormat::of(output)? {
                OutFormat::Json => write_json(&r, output)?,
                _ => io_tables::metrics::metrics(&r.metrics, loyalty::given(&r))?.write(output)?,
            }
            note(cli, source, &out, output);
        }
        Command::Clv(ClvCommand::Fit {
            source,
            model,
            calibration_end,
            l2,
            output,
        }) => {
            if !(l2.is_finite() && *l2 >= 0.0) {
                return Err(Failure::usage("--l2 must be a finite number >= 0"));
            }
            let options = crm_core::clv::FitOptions {
                l2_penalty: *l2,
                ..Default::default()
            };
            let (model, holdout_why) = match calibration_end {
                None => (*model, None),
                Some(cut) => clv_command::choose_on_holdout(source, *model, *cut, &options, quiet)?,
            };
            let out = source.summarize(quiet)?;
            let (m, why) = clv_command::fit(&out.summaries, model, &options)?;
            let why = holdout_why.or(why);
            if let Some(why) = why.filter(|_| !cli.quiet) {
                eprintln!("model choice: {why}");
            }
            for w in clv_command::warnings(&m.repeat)
                .into_iter()
                .chain(clv_command::warnings(&m.spend))
            {
                eprintln!("{w}");
            }
            write_json(&m, output)?;
            note(cli, source, &out, output);
        }
        Command::Clv(ClvCommand::Predict {
            source,
            model_file,
            months,
            discount_rate,
            level,
            output,
        }) => {
            let horizon = horizon(*months, *discount_rate)?;
            let m = clv_command::read(model_file)?;
            let out = source.summarize(quiet)?;
            let s = &out.summaries;
            let iv = match level {
                Some(l) => Some(clv_command::prediction_intervals(&m, s, &horizon, *l)?),
                None => None,
            };
            let p = match &iv {
                Some(iv) => iv.predictions.clone(),
                None => clv_command::predict(&m, s, &horizon)?,
            };
            match (OutFormat::of(output)?, &iv) {
                (OutFormat::Json, _) => write_json(
                    &clv_command::PredictionsJson::new(&p, s, &horizon, iv.as_ref()),
                    output,
                )?,
                (_, Some(iv)) => clv_command::intervals_table(s, iv)?.write(output)?,
                (_, None) => clv_command::table(s, &p)?.write(output)?,
            }
            if let (Some(iv), false) = (&iv, quiet) {
                eprintln!("{}", clv_command::totals_line(iv, *months));
            }
            note(cli, source, &out, output);
        }
        Command::Clv(ClvCommand::Tiers {
            source,
            model_file,
            months,
            discount_rate,
            by,
            tiers,
            moves,
            output,
        }) => {
            let horizon = horizon(*months, *discount_rate)?;
            let m = clv_command::read(model_file)?;
            let out = source.summarize(quiet)?;
            let config = tiers.config()?;
            let past = assignments(&out.summaries, &config)?;
            let p = clv_command::predict(&m, &out.summaries, &horizon)?;
            let t = clv_command::predicted_tiers(&past, &p, *by, &config)?;
            match OutFormat::of(output)? {
                OutFormat::Json => write_json(&t.assignments.report(), output)?,
                _ => tables::tiers(&t.assignments)?.write(output)?,
            }
            if let Some(path) = moves {
                match OutFormat::of(path)? {
                    OutFormat::Json => write_json(&t.review, path)?,
                    _ => io_tables::review::moves(&t.review, MoneyType::Decimal128).write(path)?,
                }
            }
            note(cli, source, &out, output);
        }
        Command::Clv(ClvCommand::Probabilities {
            source,
            model_file,
            months,
            max_purchases,
            output,
        }) => {
            let m = clv_command::read(model_file)?;
            let out = source.summarize(quiet)?;
            let p =
                clv_command::purchase_probabilities(&m, &out.summaries, *months, *max_purchases)?;
            match OutFormat::of(output)? {
                OutFormat::Json => write_json(
                    &clv_command::PurchaseProbabilitiesJson::new(&p, &out.summaries, *months),
                    output,
                )?,
                _ => clv_command::probabilities_table(&out.summaries, &p)?.write(output)?,
            }
            note(cli, source, &out, output);
        }
        Command::Clv(ClvCommand::Validate(args)) => validate_command::run(args, quiet)?,
        Command::Schema { name } => table::print_line(&schema::text(name.as_deref())?)?,
        Command::Report {
            source,
            tiers,
            loyalty,
            out,
            clv_months,
            discount_rate,
            calibration_end,
            no_validation,
            level,
        } => {
            let clv = horizon(*clv_months, *discount_rate)?;
            let intervals = match level {
                None => None,
                Some(l) => Some(
                    crm_core::clv::intervals::Level::new(*l)
                        .map_err(|e| Failure::usage(format!("--level: {e}")))?,
                ),
            };
            let options = report::ReportOptions {
                calibration_end: *calibration_end,
                validation: !no_validation,
                intervals,
            };
            let (path, brief) =
                report::run(source, &tiers.config()?, loyalty, clv, &options, out, quiet)?;
            if !cli.quiet {
                table::print_line(&brief)?;
                table::print_line(&format!(
                    "report written to {} (tables, charts and result.json beside it)",
                    path.display()
                ))?;
            }
        }
    }
    Ok(())
}

/// Tiers on total spend; behaviour signals from the margin column when the
/// input has one (without it nobody is flagged).
fn assignments(s: &Summaries, config: &AssignmentConfig) -> Result<Assignments, Failure> {
    let signals: Option<Vec<BehaviourSignals>> =
        (s.margin.len() == s.len() && s.margin.iter().any(Option::is_some)).then(|| {
            s.margin
                .iter()
                .map(|m| BehaviourSignals {
                    margin: *m,
                    ..BehaviourSignals::default()
                })
                .collect()
        });
    assign(&s.customers, &s.total_spend, signals.as_deref(), config).map_err(domain("value tiers"))
}

/// The CLV horizon of `--months` (or `--clv-months`) and `--discount-rate`.
fn horizon(months: u32, discount_rate: f64) -> Result<crm_core::clv::horizon::Horizon, Failure> {
    if !(discount_rate.is_finite() && discount_rate >= 0.0) {
        return Err(Failure::usage(
            "--discount-rate must be a finite number >= 0",
        ));
    }
    Ok(crm_core::clv::horizon::Horizon {
        months,
        monthly_discount_rate: discount_rate,
    })
}

/// The RFM metrics of the summaries and their scores.
fn rfm_of(s: &Summaries, monetary: Monetary) -> Result<(RfmMetrics, RfmResult), Failure> {
    let metrics = RfmMetrics::of_summaries(s, monetary);
    let r = score(&metrics.input(), None, &SegmentTable::standard()).map_err(domain("RFM"))?;
    Ok((metrics, r))
}

/// One line on stderr: what was read and where the result went.
fn note(cli: &Cli, source: &Source, out: &SummaryOutput, output: &std::path::Path) {
    if cli.quiet || output == std::path::Path::new("-") {
        return;
    }
    eprintln!(
        "{}: {}; {} customers -> {}",
        source.name(),
        report::rows_line(&out.reconciliation),
        out.summaries.len(),
        output.display()
    );
}
