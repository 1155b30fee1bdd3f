//! Where the transactions come from: a CSV or Parquet file, its column
//! names, and the analysis settings every subcommand shares.
//!
//! Defaults follow crm-io's: columns `customer`, `date`, `amount`; a file
//! ending in `.parquet` or `.pq` is Parquet, anything else CSV with a header.
//! `--format cdnow` reads the CDNOW sample layout (no header, whitespace
//! separated, customer in the second column, dollars in the fifth).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use crm_core::records::summary::{CalibrationHoldout, SummaryConfig, SummaryOutput, Unit};
use crm_core::records::transaction::CalendarConfig;
use crm_io::csv_input::read_csv_into;
use crm_io::parquet_input::{DEFAULT_BATCH_ROWS, read_parquet_into};
use crm_io::{
    ColumnMapping, CsvOptions, IdType, IoError, calibration_accumulator, summarize_csv_reader,
    summarize_parquet,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::failure::Failure;

/// The file layouts the command reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// From the file name: `.parquet`/`.pq` is Parquet, else CSV.
    Auto,
    /// Delimited text with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// The CDNOW sample layout (whitespace separated, no header).
    Cdnow,
}

/// Options naming the input file, its columns and the analysis period.
#[derive(Debug, Clone, Args)]
pub struct Source {
    /// The transactions file (CSV or Parquet).
    #[arg(long, short)]
    pub input: PathBuf,
    /// The file layout.
    #[arg(long, value_enum, default_value_t = Format::Auto)]
    pub format: Format,
    /// The analysis date (YYYY-MM-DD): rows after it are skipped and
    /// reported, never used. Required: the engine never reads the clock.
    #[arg(long)]
    pub as_of: NaiveDate,
    /// The first day of the period (YYYY-MM-DD); earlier rows are skipped
    /// and reported.
    #[arg(long)]
    pub since: Option<NaiveDate>,
    /// Unit of recency and age (default: crm-core's).
    #[arg(long, value_parser = crate::vocabulary::names::<Unit>(), default_value_t = Unit::default())]
    pub unit: Unit,
    /// Customer id column.
    #[arg(long, default_value = "customer")]
    pub customer: String,
    /// Date or timestamp column.
    #[arg(long, default_value = "date")]
    pub date: String,
    /// Amount column (negative = return).
    #[arg(long, default_value = "amount")]
    pub amount: String,
    /// Optional quantity column.
    #[arg(long)]
    pub quantity: Option<String>,
    /// Optional gross-margin column (flags unprofitable customers).
    #[arg(long)]
    pub margin: Option<String>,
    /// Optional discount-flag column.
    #[arg(long)]
    pub discount: Option<String>,
    /// CSV field delimiter (one character; `\t` for tab).
    #[arg(long, default_value = ",")]
    pub delimiter: String,
    /// Read CSV customer ids as integers (default: text, exactly as written).
    #[arg(long)]
    pub int_ids: bool,
    /// Time zone (IANA name) in which timestamps become calendar days.
    #[arg(long, default_value = "UTC")]
    pub tz: String,
    /// Fail on the first rejected row instead of reporting it.
    #[arg(long)]
    pub strict: bool,
}

impl Source {
    /// The summary configuration these options describe.
    pub fn config(&self) -> SummaryConfig {
        let mut c = SummaryConfig::new(self.as_of).with_unit(self.unit);
        if let Some(s) = self.since {
            c = c.with_window_start(s);
        }
        if self.strict {
            c = c.strict();
        }
        c
    }

    fn calendar(&self) -> Result<CalendarConfig, Failure> {
        let zone = self.tz.parse::<chrono_tz::Tz>().map_err(|_| {
            Failure::usage(format!(
                "--tz {:?} is not an IANA time zone name (e.g. Europe/Berlin)",
                self.tz
            ))
        })?;
        Ok(CalendarConfig::in_zone(zone))
    }

    fn mapping(&self) -> ColumnMapping {
        let mut m = ColumnMapping::new(
            self.customer.as_str(),
            self.date.as_str(),
            self.amount.as_str(),
        );
        m.quantity = self.quantity.as_deref().map(Into::into);
        m.margin = self.margin.as_deref().map(Into::into);
        m.discount = self.discount.as_deref().map(Into::into);
        m
    }

    fn csv_options(&self) -> Result<CsvOptions, Failure> {
        let delimiter = match self.delimiter.as_str() {
            "\\t" | "\t" | "tab" => b'\t',
            d if d.len() == 1 => d.as_bytes().first().copied().unwrap_or(b','),
            d => {
                return Err(Failure::usage(format!(
                    "--delimiter {d:?} must be one character"
                )));
            }
        };
        let id_type = if self.int_ids {
            IdType::Int
        } else {
            IdType::Text
        };
        Ok(CsvOptions {
            delimiter,
            id_type,
            ..CsvOptions::default()
        })
    }

    fn format(&self) -> Format {
        match self.format {
            Format::Auto if is_parquet(&self.input) => Format::Parquet,
            Format::Auto => Format::Csv,
            f => f,
        }
    }

    /// The name used for the input in messages and reports.
    pub fn name(&self) -> String {
        self.input.display().to_string()
    }

    /// The CSV options and column mapping (the CDNOW layout's for `--format cdnow`).
    fn csv_layout(&self) -> Result<(CsvOptions, ColumnMapping), Failure> {
        if self.format() == Format::Cdnow {
            let mut mapping = CsvOptions::cdnow_mapping();
            mapping.margin = self.margin.as_deref().map(Into::into);
            Ok((CsvOptions::cdnow(), mapping))
        } else {
            Ok((self.csv_options()?, self.mapping()))
        }
    }

    fn open(&self) -> Result<std::fs::File, Failure> {
        let name = self.name();
        std::fs::File::open(&self.input)
            .map_err(|e| Failure::input(format!("{name}: {e}")).file(name.clone()))
    }

    /// Reads the file into a calibration / holdout split at
    /// `calibration_end` (`--as-of` is the observation end).
    pub fn split(
        &self,
        calibration_end: NaiveDate,
        quiet: bool,
    ) -> Result<CalibrationHoldout, Failure> {
        let calendar = self.calendar()?;
        let name = self.name();
        let bar = progress(&self.input, quiet);
        let config = self.config();
        let strict = config.strict;
        let acc = match self.format() {
            Format::Parquet => {
                let mapping = self.mapping();
                let acc = calibration_accumulator(&name, config, &mapping, calibration_end)?;
                read_parquet_into(&self.input, &mapping, &calendar, DEFAULT_BATCH_ROWS, acc)?.0
            }
            Format::Cdnow | Format::Csv | Format::Auto => {
                let (opts, mapping) = self.csv_layout()?;
                let mut acc = calibration_accumulator(&name, config, &mapping, calibration_end)?;
                let file = self.open()?;
                read_csv_into(
                    bar.wrap_read(file),
                    &name,
                    &opts,
                    &mapping,
                    &calendar,
                    strict,
                    &mut acc,
                )?;
                acc
            }
        };
        bar.finish_and_clear();
        let out = acc.finish().map_err(|e| IoError::from_summary(&name, e))?;
        if !out.reconciliation.is_balanced() {
            return Err(Failure::internal(format!(
                "{name}: the reconciliation does not add up"
            )));
        }
        Ok(out)
    }

    /// Reads the file into per-customer summaries and their reconciliation,
    /// with a progress bar on stderr for large files unless `quiet`.
    pub fn summarize(&self, quiet: bool) -> Result<SummaryOutput, Failure> {
        let calendar = self.calendar()?;
        let config = self.config();
        let name = self.name();
        let bar = progress(&self.input, quiet);
        let out = match self.format() {
            Format::Parquet => {
                bar.set_message("reading Parquet");
                summarize_parquet(&self.input, &self.mapping(), &calendar, config)?
            }
            Format::Cdnow | Format::Csv | Format::Auto => {
                let (opts, mapping) = self.csv_layout()?;
                let file = self.open()?;
                summarize_csv_reader(
                    bar.wrap_read(file),
                    &name,
                    &opts,
                    &mapping,
                    &calendar,
                    config,
                )?
            }
        };
        bar.finish_and_clear();
        if !out.reconciliation.is_balanced() {
            return Err(Failure::internal(format!(
                "{}: the reconciliation does not add up",
                self.name()
            )));
        }
        Ok(out)
    }
}

/// Files smaller than this are read in well under a second: no bar.
const PROGRESS_MIN_BYTES: u64 = 64 * 1024 * 1024;

/// A byte-count bar for a large file on an interactive stderr; hidden
/// otherwise (small file, `--quiet`, or output redirected).
fn progress(path: &Path, quiet: bool) -> ProgressBar {
    let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if quiet || len < PROGRESS_MIN_BYTES {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{msg} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec}, {eta} left",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message("reading");
    bar
}

fn is_parquet(p: &Path) -> bool {
    matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("parquet" | "pq")
    )
}
