//! Loyalty and relationship metrics over a period (docs/DOMAIN.md sections 3
//! and 5): retention, churn, growth, acquisition, repeat purchase, referral,
//! complaints against the promised service level, service recovery and
//! survey scores. `crm metrics` writes them; `crm report` puts them in its
//! loyalty section.
//!
//! The period ends on `--as-of` and starts on `--period-start` (default: a
//! year, the 365 days ending on `--as-of`). Who was a customer when comes
//! from `--customer-base` (the firm's own record of relationships) or, without
//! it, from the inactivity rule `--inactive-days` (default 365) applied to
//! the transactions ([`crm_core::relationship::inactivity`]): the report says which. The
//! transactions are read three times (before the period, the period, and the
//! whole window for the value tiers that set service levels and survey
//! breakdowns); memory stays proportional to customers.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use chrono::{Days, NaiveDate};
use crm_core::error::Diagnostic;
use crm_core::records::reconciliation::Reconciliation;
use crm_core::records::summary::{Summaries, SummaryOutput};
use crm_core::relationship::customer_base::{CustomerBase, CustomerSpan};
use crm_core::relationship::inactivity::{InactivityRule, purchase_dates, spans_by_inactivity};
use crm_core::relationship::period_metrics::{
    MetricPeriod, PeriodActivity, PeriodConfig, PeriodData, PeriodError, PeriodMetrics,
    period_metrics,
};
use crm_core::relationship::survey::{SurveyConfig, SurveyReport, survey_report};
use crm_core::value::assignment::Assignments;
use crm_io::tables::metrics::Given;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::failure::{Failure, domain};
use crate::records::{self, IdKind};
use crate::source::Source;

/// The period and the relationship records.
#[derive(Debug, Clone, clap::Args)]
pub struct LoyaltyArgs {
    /// First day of the metrics period (YYYY-MM-DD); it ends on --as-of.
    /// Default: the 365 days ending on --as-of.
    #[arg(long)]
    pub period_start: Option<NaiveDate>,
    /// Without --customer-base: a customer is lost after this many days
    /// without a purchase (at least the period's length).
    #[arg(long, default_value_t = InactivityRule::default().days)]
    pub inactive_days: u32,
    /// The customer base: CSV (or .parquet) with customer, since, [until], [tier], [segment].
    #[arg(long)]
    pub customer_base: Option<PathBuf>,
    /// Complaints: CSV (or .parquet) with customer, opened, [channel], [first_response], [resolved], [outcome].
    #[arg(long)]
    pub complaints: Option<PathBuf>,
    /// Referrals: CSV (or .parquet) with referrer, time, [referred].
    #[arg(long)]
    pub referrals: Option<PathBuf>,
    /// Survey answers: CSV (or .parquet) with customer, time, scale (csat/nps/ces), score.
    #[arg(long)]
    pub answers: Option<PathBuf>,
}

/// Where the customer base came from.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum BaseSource {
    /// Derived from the transactions by the inactivity rule.
    Inactivity {
        /// The rule.
        rule: InactivityRule,
    },
    /// Read from the `--customer-base` file.
    File {
        /// The file.
        file: String,
        /// Its spans (rows).
        spans: usize,
    },
}

/// `crm metrics`' result (and the report's `loyalty` part).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LoyaltyReport {
    /// The transactions file.
    pub input: String,
    /// The period.
    pub period: MetricPeriod,
    /// Where the base came from.
    pub base: BaseSource,
    /// The metrics.
    pub metrics: PeriodMetrics,
    /// Survey scores, when answers were given.
    pub surveys: Option<SurveyReport>,
    /// The reconciliation of the period's read of the transactions.
    pub transactions: Reconciliation,
    /// The complaints file, if one was given: without it the complaint
    /// figures are unknown, not zero.
    pub complaints_file: Option<String>,
    /// The referrals file, if one was given (likewise).
    pub referrals_file: Option<String>,
}

/// The period the arguments describe.
fn period(source: &Source, args: &LoyaltyArgs) -> Result<MetricPeriod, Failure> {
    let start = match args.period_start {
        Some(s) => s,
        None => source
            .as_of
            .checked_sub_days(Days::new(364))
            .ok_or_else(|| Failure::usage("--as-of is too early for a one-year period"))?,
    };
    if source.since.is_some_and(|s| s > start) {
        return Err(Failure::usage(format!(
            "--since must not be after the period's first day {start}"
        )));
    }
    let period = MetricPeriod::new(start, source.as_of)
        .map_err(|e| Failure::usage(format!("--period-start: {e}")))?;
    if args.customer_base.is_none() {
        // Checked before any file is read, by crm-core's own rule.
        InactivityRule {
            days: args.inactive_days,
        }
        .check_for(period)
        .map_err(|e| Failure::usage(format!("--inactive-days: {e}")))?;
    }
    Ok(period)
}

/// An error in a record of an input file (a customer the base does not
/// know, a bad score), named by the file and crm-core's 1-based data row,
/// field and rule.
fn in_file(file: Option<&std::path::Path>, what: &str, e: &dyn Diagnostic) -> Failure {
    let name = file.map_or_else(|| what.to_owned(), |p| p.display().to_string());
    Failure::diagnosed(&name, e).file(name)
}

fn period_failure(args: &LoyaltyArgs) -> impl Fn(PeriodError) -> Failure + '_ {
    move |e| match &e {
        PeriodError::UnknownCustomer {
            input: "complaints",
            ..
        } => in_file(args.complaints.as_deref(), "complaints", &e),
        PeriodError::UnknownCustomer {
            input: "referrals", ..
        } => in_file(args.referrals.as_deref(), "referrals", &e),
        PeriodError::UnknownCustomer {
            input: "activity", ..
        } => {
            let base = args.customer_base.as_deref();
            Failure {
                row: None,
                ..in_file(base, "customer base", &e)
            }
        }
        PeriodError::Complaint(_) => in_file(args.complaints.as_deref(), "complaints", &e),
        _ => domain("loyalty metrics")(e),
    }
}

/// What the period's two reads of the transactions leave behind: the
/// spans of the base (without tiers yet), the period's activity and its
/// reconciliation. Made before the whole-window summaries exist, so that
/// the two never sit in memory together.
pub struct Prepared {
    period: MetricPeriod,
    spans: Vec<CustomerSpan>,
    base_source: BaseSource,
    activity: Vec<PeriodActivity>,
    transactions: Reconciliation,
}

/// Reads the period and (with the inactivity rule) what came before it.
pub fn prepare(source: &Source, args: &LoyaltyArgs, quiet: bool) -> Result<Prepared, Failure> {
    let period = period(source, args)?;
    let during = Source {
        since: Some(period.first_day),
        ..source.clone()
    }
    .summarize(quiet)?;
    let activity = PeriodActivity::from_summaries(&during.summaries, period)
        .map_err(domain("period activity"))?;
    let (spans, base_source) = match &args.customer_base {
        Some(path) => {
            let spans = records::customers(path, IdKind::of(&during.summaries.customers))?;
            let n = spans.len();
            (
                spans,
                BaseSource::File {
                    file: path.display().to_string(),
                    spans: n,
                },
            )
        }
        None => {
            let rule = InactivityRule {
                days: args.inactive_days,
            };
            let before = before_period(source, period, quiet)?;
            let dates = purchase_dates(&before, &during.summaries, period)
                .map_err(domain("customer base"))?;
            drop(before);
            let spans =
                spans_by_inactivity(&dates, period, rule).map_err(domain("customer base"))?;
            (spans, BaseSource::Inactivity { rule })
        }
    };
    Ok(Prepared {
        period,
        spans,
        base_source,
        activity,
        transactions: during.reconciliation,
    })
}

/// Computes the metrics; `tiers` (the value tiers at `--as-of`) set the
/// service levels and the survey breakdowns.
pub fn finish(
    prepared: Prepared,
    source: &Source,
    args: &LoyaltyArgs,
    tiers: &Assignments,
) -> Result<LoyaltyReport, Failure> {
    let Prepared {
        period,
        spans,
        base_source,
        activity,
        transactions,
    } = prepared;
    let base =
        CustomerBase::new(with_tiers(spans, tiers)).map_err(|e| match &args.customer_base {
            // The spans are the file's rows, in order: the row is the file's.
            Some(p) => in_file(Some(p), "customer base", &e),
            None => domain("customer base")(e),
        })?;
    let ids = IdKind::of(tiers.ids());
    let data = PeriodData {
        base,
        activity,
        complaints: args
            .complaints
            .as_deref()
            .map(|p| records::complaints(p, ids))
            .transpose()?
            .unwrap_or_default(),
        referrals: args
            .referrals
            .as_deref()
            .map(|p| records::referrals(p, ids))
            .transpose()?
            .unwrap_or_default(),
    };
    let metrics =
        period_metrics(&data, period, &PeriodConfig::default()).map_err(period_failure(args))?;
    let surveys = match &args.answers {
        Some(p) => Some(
            survey_report(
                &records::answers(p, ids)?,
                &data.base,
                period,
                &SurveyConfig::default(),
            )
            .map_err(|e| in_file(Some(p), "answers", &e))?,
        ),
        None => None,
    };
    let name = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
    Ok(LoyaltyReport {
        input: source.name(),
        period,
        base: base_source,
        metrics,
        surveys,
        transactions,
        complaints_file: name(&args.complaints),
        referrals_file: name(&args.referrals),
    })
}

/// The summaries of everything before the period (empty when `--since`
/// starts the data on the period's first day).
fn before_period(source: &Source, period: MetricPeriod, quiet: bool) -> Result<Summaries, Failure> {
    let as_of = period
        .first_day
        .pred_opt()
        .ok_or_else(|| Failure::usage("the period starts on the first day of the calendar"))?;
    let before = Source {
        as_of,
        ..source.clone()
    };
    if source.since.is_some_and(|s| s > as_of) {
        return Ok(Summaries::with_capacity(&before.config(), 0));
    }
    before.summarize(quiet).map(|o: SummaryOutput| o.summaries)
}

/// Gives every span without a tier the customer's value tier at `--as-of`.
fn with_tiers(mut spans: Vec<CustomerSpan>, a: &Assignments) -> Vec<CustomerSpan> {
    let index: HashMap<_, _> = a.ids().iter().enumerate().map(|(i, c)| (c, i)).collect();
    for s in spans.iter_mut().filter(|s| s.tier.is_none()) {
        s.tier = index.get(&s.customer).and_then(|&i| a.tier(i));
    }
    spans
}

/// Which records the metrics were computed with, for the `metrics` table
/// (`crm_io::tables::metrics`, the layout Python's `period_metrics` has
/// too): referral, complaint and survey figures appear only when their
/// file was given, since without it they are unknown, and a 0 would say
/// otherwise.
pub fn given(r: &LoyaltyReport) -> Given<'_> {
    Given {
        complaints: r.complaints_file.is_some(),
        referrals: r.referrals_file.is_some(),
        surveys: r.surveys.as_ref(),
    }
}

fn pct(x: Option<Decimal>) -> String {
    x.map_or_else(
        || "undefined".to_owned(),
        |d| format!("{:.2} %", (d * Decimal::ONE_HUNDRED).round_dp(2)),
    )
}

/// The report's loyalty section.
pub fn section(md: &mut String, r: &LoyaltyReport) {
    let m = &r.metrics;
    let b = &m.base;
    let _ = writeln!(
        md,
        "\n## Loyalty and relationship metrics, {} to {}\n",
        r.period.first_day, r.period.last_day
    );
    let _ = match &r.base {
        BaseSource::Inactivity { rule } => writeln!(
            md,
            "Who was a customer when is derived from the purchases: a customer joins with his first purchase and is lost after \
             {} days without one (`--inactive-days`; a firm's own record can be given with `--customer-base`).\n",
            rule.days
        ),
        BaseSource::File { file, spans } => writeln!(
            md,
            "The customer base is the file `{file}` ({spans} spans).\n"
        ),
    };
    let _ = writeln!(md, "| metric | value | counts |\n|---|---:|---|");
    let mut rows = vec![
        (
            "retention rate",
            pct(m.retention_rate),
            format!("{} retained of {} at the start", b.retained, b.at_start),
        ),
        ("churn rate", pct(m.churn_rate), format!("{} lost", b.lost)),
        (
            "growth rate",
            pct(m.growth_rate),
            format!("{} at the start, {} at the end", b.at_start, b.at_end),
        ),
        (
            "acquisition rate",
            pct(m.acquisition_rate),
            format!(
                "{} new at the end (N); {} joined during the period: {} first-time, {} came back",
                b.entered, b.joined, b.acquired, b.returned
            ),
        ),
        (
            "repeat-purchase rate",
            pct(m.repeat_purchase_rate),
            format!(
                "{} of {} active customers",
                m.repeat_customers, m.active_customers
            ),
        ),
    ];
    if r.referrals_file.is_some() {
        rows.push((
            "referral rate",
            pct(m.referral_rate),
            format!("{} referrers, {} referrals", m.referrers, m.referrals),
        ));
    }
    if r.complaints_file.is_some() {
        let c = &m.complaints;
        rows.extend([
            (
                "complaints per active customer",
                pct(c.per_active_customer),
                format!("{} complaints", c.complaints),
            ),
            (
                "resolution rate",
                pct(c.resolution_rate),
                format!("{} resolved", c.resolved),
            ),
            (
                "resolved on time",
                pct(c.on_time_rate),
                format!("{} on time", c.resolved_on_time),
            ),
        ]);
    }
    for (name, value, counts) in rows {
        let _ = writeln!(md, "| {name} | {value} | {counts} |");
    }
    if let Some(s) = &r.surveys {
        let o = &s.overall;
        let _ = writeln!(
            md,
            "| CSAT | {} | {} answers |",
            pct(o.csat.score),
            o.csat.answers
        );
        let _ = writeln!(
            md,
            "| NPS | {} | {} answers |",
            o.nps
                .score
                .map_or_else(|| "undefined".to_owned(), |d| d.round_dp(1).to_string()),
            o.nps.answers
        );
    }
    let _ = writeln!(
        md,
        "\nRates are undefined, not zero, when nobody is in their denominator. A customer lost and back within the period \
         counts as lost and as retained, so retention and churn can add to more than 100 %; a span that ends on the day the next \
         begins (a renewal) is no loss. The acquisition rate is N / S, N the customers at the end who were not at the start; \
         the gross count beside it also counts those who joined and left again.\n"
    );
    let rows = &m.rows;
    for (what, given, c) in [
        ("complaints", &r.complaints_file, rows.complaints),
        ("referrals", &r.referrals_file, rows.referrals),
    ] {
        let _ = match given {
            Some(f) => writeln!(
                md,
                "- `{f}`: {} {what} read = {} used + {} outside the period.",
                c.read, c.used, c.outside_period
            ),
            None => writeln!(
                md,
                "- No {what} file given (`--{what}`): its figures are unknown, not zero."
            ),
        };
    }
    if r.surveys.is_none() {
        let _ = writeln!(
            md,
            "- No survey answers given (`--answers`): CSAT and NPS are unknown."
        );
    }
}
