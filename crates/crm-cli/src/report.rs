//! `crm report`: the main job, end to end, into one directory.
//!
//! Writes `summaries.csv`, `tiers.csv`, `rfm.csv` (one row per customer
//! each), `result.json` (the serde form of the reconciliation, tier report
//! and RFM thresholds and segment table) and `report.md`: tiers with their
//! treatments and shares, the top customers with the evidence behind their
//! tier, RFM segment sizes, loyalty metrics ([`crate::loyalty`]), the
//! model choice and holdout validation ([`crate::report_validation`]), the
//! CLV fits and the reconciliation of every input row, with the charts
//! `pareto.png`, `tier_shares.png`, `p_alive.png` ([`crate::charts`]),
//! `tracking.png` and `holdout_groups.png`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crm_core::records::reconciliation::Reconciliation;
use crm_core::value::assignment::{AssignmentConfig, Assignments};
use crm_core::value::rfm::RfmResult;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::charts;
use crate::failure::Failure;
use crate::lifetime_value::{self, Estimate, LifetimeValue};
use crate::loyalty::{self, LoyaltyArgs, LoyaltyReport};
use crate::report_predicted;
use crate::source::Source;
use crate::table::{WriteTable, write_json};
use crate::{assignments, report_validation, rfm_of, tables};
use crm_core::clv::horizon::Horizon;
use crm_core::clv::intervals::{Interval, Level};
use crm_core::clv::registry::ModelFit;
use crm_core::vocabulary::Vocabulary;
use crm_io::tables::{self as io_tables, MoneyType};

/// The report's holdout validation options.
#[derive(Debug, Clone, Copy)]
pub struct ReportOptions {
    /// The calibration end; without it, the middle of the observation.
    pub calibration_end: Option<chrono::NaiveDate>,
    /// Whether to validate on a holdout (else the model is the lowest BIC).
    pub validation: bool,
    /// The level of the CLV intervals, or none for no intervals.
    pub intervals: Option<Level>,
}

/// Customers listed in the report's top table.
const TOP: usize = 10;

/// The JSON part of the report (`result.json`).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ReportJson<'a> {
    input: String,
    as_of: chrono::NaiveDate,
    window_start: Option<chrono::NaiveDate>,
    customers: usize,
    reconciliation: &'a Reconciliation,
    tiers: Vec<crm_core::value::tier::TierSummary>,
    tier_config: &'a AssignmentConfig,
    rfm_thresholds: &'a crm_core::value::rfm::RfmThresholds,
    rfm_segments: Vec<(String, u64)>,
    /// Loyalty and relationship metrics over the period ending on `as_of`.
    loyalty: &'a LoyaltyReport,
    /// The CLV models, when they could be fitted.
    lifetime_value: Option<&'a LifetimeValue>,
    /// Why they could not, otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    lifetime_value_unavailable: Option<String>,
    /// The purchase model alone, when it was fitted but the spend model
    /// was not (so P(alive) is known but CLV is not).
    #[serde(skip_serializing_if = "Option::is_none")]
    purchase_model: Option<&'a ModelFit>,
    /// The model comparison and holdout validation behind the repeat
    /// model, when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    validation: Option<report_validation::ValidationJson<'a>>,
    /// Why it did not, otherwise (the model is then the lowest BIC).
    #[serde(skip_serializing_if = "Option::is_none")]
    validation_unavailable: Option<String>,
    /// Without a validation: why the lowest-BIC model, with every model's BIC.
    #[serde(skip_serializing_if = "Option::is_none")]
    bic_choice: Option<String>,
    /// The intervals of the CLV totals, when asked for and available.
    #[serde(skip_serializing_if = "Option::is_none")]
    clv_intervals: Option<ClvIntervals>,
    /// Why the intervals asked for are not available.
    #[serde(skip_serializing_if = "Option::is_none")]
    clv_intervals_unavailable: Option<String>,
    /// The tiers on predicted CLV and the moves from the past tiers, when
    /// there is a CLV.
    #[serde(skip_serializing_if = "Option::is_none")]
    predicted_tiers: Option<report_predicted::PredictedTiersJson>,
}

/// The intervals of the report's CLV totals (per customer: `clv_intervals.csv`).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ClvIntervals {
    /// The level of every interval.
    pub level: f64,
    /// The customers' expected purchases over the horizon, summed.
    pub total_expected_purchases: Interval,
    /// The customers' CLV summed.
    pub total_clv: Interval,
}

/// Runs the report into `dir`; returns the path of `report.md` and a short
/// text for the terminal (the tier table and the reconciliation).
pub fn run(
    source: &Source,
    config: &AssignmentConfig,
    loyalty_args: &LoyaltyArgs,
    clv: Horizon,
    options: &ReportOptions,
    dir: &Path,
    quiet: bool,
) -> Result<(PathBuf, String), Failure> {
    // The loyalty section's own reads first: their summaries are gone
    // before the whole window's are made.
    let prepared = loyalty::prepare(source, loyalty_args, quiet)?;
    let out = source.summarize(quiet)?;
    let s = &out.summaries;
    let a = assignments(s, config)?;
    let (rm, r) = rfm_of(s, crm_core::value::rfm::Monetary::default())?;
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::usage(format!("cannot create {}: {e}", dir.display())))?;
    io_tables::summaries::summaries(s, MoneyType::Decimal128).write(&dir.join("summaries.csv"))?;
    tables::tiers(&a)?.write(&dir.join("tiers.csv"))?;
    io_tables::rfm::rfm(&s.customers, &rm, &r, MoneyType::Decimal128)
        .write(&dir.join("rfm.csv"))?;
    let segments = segment_sizes(&r);
    let loyalty = loyalty::finish(prepared, source, loyalty_args, &a)?;
    let validation = report_validation::run(
        source,
        s,
        options.calibration_end,
        options.validation,
        dir,
        quiet,
    )?;
    let (value, bic_reason) = lifetime_value::estimate(s, &clv, validation.model());
    // A section without its figures is never silent: the report says why,
    // and so does stderr (a warning, printed even with --quiet).
    match &value {
        Estimate::Full(_) => {}
        Estimate::PurchasesOnly { why, .. } => {
            eprintln!("warning: the report has no CLV figures (the purchase model is kept): {why}");
        }
        Estimate::Unavailable(why) => {
            eprintln!("warning: the report's CLV section is not available: {why}");
        }
    }
    let (mut clv_intervals, mut clv_intervals_unavailable) = (None, None);
    if let (Estimate::Full(v), Some(level)) = (&value, options.intervals) {
        match crate::clv_command::prediction_intervals(&v.models, s, &clv, level.value()) {
            Ok(iv) => {
                crate::clv_command::intervals_table(s, &iv)?
                    .write(&dir.join("clv_intervals.csv"))?;
                clv_intervals = Some(ClvIntervals {
                    level: iv.level.value(),
                    total_expected_purchases: iv.total_expected_purchases,
                    total_clv: iv.total_clv,
                });
            }
            Err(f) => {
                eprintln!("warning: the report has no CLV intervals: {}", f.message);
                clv_intervals_unavailable = Some(f.message.into());
            }
        }
    }
    let predicted_tiers = match &value {
        Estimate::Full(v) => Some(report_predicted::run(&a, &v.predictions, config, dir)?),
        _ => None,
    };
    match &value {
        Estimate::Full(v) => {
            crate::clv_command::table(s, &v.predictions)?.write(&dir.join("clv.csv"))?;
            charts::p_alive(&v.predictions.p_alive, dir)?;
        }
        Estimate::PurchasesOnly { p_alive, .. } => charts::p_alive(p_alive, dir)?,
        Estimate::Unavailable(_) => {}
    }
    let json = ReportJson {
        input: source.name(),
        as_of: s.as_of,
        window_start: s.window_start,
        customers: s.len(),
        reconciliation: &out.reconciliation,
        tiers: a.summary(),
        tier_config: a.config(),
        rfm_thresholds: &r.thresholds,
        rfm_segments: segments.clone(),
        loyalty: &loyalty,
        lifetime_value: match &value {
            Estimate::Full(v) => Some(v),
            _ => None,
        },
        lifetime_value_unavailable: match &value {
            Estimate::Full(_) => None,
            Estimate::PurchasesOnly { why, .. } | Estimate::Unavailable(why) => Some(why.clone()),
        },
        purchase_model: match &value {
            Estimate::PurchasesOnly { repeat, .. } => Some(repeat.as_ref()),
            _ => None,
        },
        validation: validation.json(),
        validation_unavailable: validation.unavailable.clone(),
        bic_choice: bic_reason,
        clv_intervals,
        clv_intervals_unavailable,
        predicted_tiers,
    };
    write_json(&json, &dir.join("result.json"))?;
    charts::pareto(&a, dir)?;
    charts::tier_shares(&json.tiers, dir)?;
    let md = markdown(&json, &a, &segments);
    let path = dir.join("report.md");
    std::fs::write(&path, md)
        .map_err(|e| Failure::internal(format!("writing {}: {e}", path.display())))?;
    let mut brief = String::new();
    tier_section(&mut brief, &json, &a);
    let _ = writeln!(brief, "{}", rows_line(&out.reconciliation));
    Ok((path, brief))
}

/// Customers per RFM segment, every segment of the table in its order
/// (empty ones too), then customers no rule matched.
fn segment_sizes(r: &RfmResult) -> Vec<(String, u64)> {
    let rules = r.table.rules();
    let mut sizes: Vec<(String, u64)> = rules.iter().map(|x| (x.name.clone(), 0)).collect();
    let mut unmatched = 0;
    for s in &r.segments {
        match sizes.get_mut(*s) {
            Some(slot) => slot.1 += 1,
            None => unmatched += 1,
        }
    }
    if unmatched > 0 || r.segments.len() < r.scores.len() {
        sizes.push((
            "(no segment)".to_owned(),
            unmatched + (r.scores.len() - r.segments.len().min(r.scores.len())) as u64,
        ));
    }
    sizes
}

fn pct(d: Decimal) -> String {
    format!("{:.2} %", (d * Decimal::ONE_HUNDRED).round_dp(2))
}

fn markdown(j: &ReportJson<'_>, a: &Assignments, segments: &[(String, u64)]) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Customer value report\n");
    let window = j
        .window_start
        .map_or_else(|| "the start of the data".to_owned(), |d| d.to_string());
    let _ = writeln!(
        md,
        "Input `{}`, period from {window} to {} (analysis date), {} customers.\n",
        j.input, j.as_of, j.customers
    );
    tier_section(&mut md, j, a);
    let _ = writeln!(
        md,
        "![Pareto curve with the tier cut-offs](pareto.png)\n\n![Tier shares](tier_shares.png)\n"
    );
    top_section(&mut md, a);
    let _ = writeln!(md, "## RFM segments\n\n| segment | customers |\n|---|---:|");
    for (name, n) in segments {
        let _ = writeln!(md, "| {name} | {n} |");
    }
    loyalty::section(&mut md, j.loyalty);
    report_validation::section(
        &mut md,
        j.validation.as_ref(),
        j.validation_unavailable.as_deref(),
        j.bic_choice.as_deref(),
    );
    clv_section(&mut md, j);
    if let (Some(p), Some(v)) = (&j.predicted_tiers, j.lifetime_value) {
        report_predicted::section(&mut md, p, v.months);
    }
    reconciliation_section(&mut md, j.reconciliation);
    md
}

fn tier_section(md: &mut String, j: &ReportJson<'_>, a: &Assignments) {
    let _ = writeln!(md, "## Value tiers and treatments\n");
    let _ = writeln!(
        md,
        "| tier | customers | value | value share | customer share | treatment |\n|---|---:|---:|---:|---:|---|"
    );
    let mut share_sum = Decimal::ZERO;
    for t in &j.tiers {
        share_sum += t.value_share;
        let treatment = a.config().policy.treatment(t.tier, Default::default());
        let _ = writeln!(
            md,
            "| {} | {} | {:.2} | {} | {} | {treatment} |",
            t.tier.as_str(),
            t.customers,
            t.value,
            pct(t.value_share),
            pct(t.customer_share)
        );
    }
    let _ = writeln!(md, "\nValue shares add up to {}.\n", pct(share_sum));
}

fn top_section(md: &mut String, a: &Assignments) {
    let c = a.classification();
    let order = c.top(TOP);
    let _ = writeln!(md, "## Top {TOP} customers: why each is where it is\n");
    let _ = writeln!(
        md,
        "| customer | rank | value | share | cumulative before | tier |\n|---|---:|---:|---:|---:|---|"
    );
    for row in order.iter().filter_map(|&i| a.get(i)) {
        let _ = writeln!(
            md,
            "| {} | {} | {:.2} | {} | {} | {} |",
            row.customer,
            row.tier.rank.unwrap_or_default(),
            row.tier.value,
            row.tier.share.map(pct).unwrap_or_default(),
            row.tier
                .cumulative_share_before
                .map(pct)
                .unwrap_or_default(),
            row.tier.tier.as_str()
        );
    }
    let _ = writeln!(md);
}

/// "N rows read = U used + S skipped + R rejected": the reconciliation in
/// one line, as the command prints it.
pub fn rows_line(r: &Reconciliation) -> String {
    format!(
        "{} rows read = {} used + {} skipped + {} rejected",
        r.rows_read,
        r.rows_used,
        r.rows_skipped_after_as_of + r.rows_skipped_before_window,
        r.rows_rejected
    )
}

/// The P(alive) chart, with BG/NBD's own caveat under that model.
fn p_alive_note(kind: crm_core::clv::registry::ModelKind) -> String {
    let chart = "![P(alive) distribution](p_alive.png)";
    if kind == crm_core::clv::registry::ModelKind::BgNbd {
        format!(
            "{chart}\n\nUnder BG/NBD a customer with no repeat purchase has P(alive) = 1 by the model's own assumption (dropout happens only after a purchase): the bar at 1 holds them."
        )
    } else {
        chart.to_owned()
    }
}

fn repeat_line(md: &mut String, repeat: &ModelFit) {
    let m = &repeat.model;
    let kind = m.kind();
    let params: Vec<String> = kind
        .parameter_names()
        .iter()
        .zip(m.model().values())
        .map(|(n, v)| format!("{n} = {v:.4}"))
        .collect();
    let left_out = repeat.fit_set.total_excluded();
    let _ = writeln!(
        md,
        "{}: {}, log-likelihood {:.1} ({} customers{}).",
        kind.label(),
        params.join(", "),
        m.log_likelihood(),
        m.customers(),
        if left_out > 0.0 {
            format!(", {left_out} first seen on the analysis date left out")
        } else {
            String::new()
        }
    );
}

/// "N without a repeat purchase, M with a repeat spend of zero or less".
fn exclusions(fit: &ModelFit) -> String {
    let parts: Vec<String> = fit
        .fit_set
        .excluded
        .iter()
        .map(|e| format!("{} {}", e.customers, e.reason.name()))
        .collect();
    if parts.is_empty() {
        "none left out".to_owned()
    } else {
        format!("left out: {}", parts.join(", "))
    }
}

fn clv_section(md: &mut String, j: &ReportJson<'_>) {
    let repeat = match (j.lifetime_value, j.purchase_model) {
        (Some(v), _) => Some(v.models.repeat.model.kind()),
        (None, Some(r)) => Some(r.model.kind()),
        (None, None) => None,
    };
    let _ = writeln!(
        md,
        "\n## Customer lifetime value ({} + Gamma-Gamma)\n",
        repeat.map_or("repeat model", |k| k.label())
    );
    let why = j
        .lifetime_value_unavailable
        .as_deref()
        .unwrap_or("unknown reason");
    let v = match (j.lifetime_value, j.purchase_model) {
        (Some(v), _) => v,
        (None, Some(repeat)) => {
            repeat_line(md, repeat);
            let _ = writeln!(
                md,
                "\nThe spend model is not available ({why}), so there is no CLV; the purchase model still says who is alive.\n"
            );
            let _ = writeln!(md, "{}", p_alive_note(repeat.model.kind()));
            return;
        }
        (None, None) => {
            let _ = writeln!(md, "Not available: {why}.");
            return;
        }
    };
    repeat_line(md, &v.models.repeat);
    let g = &v.models.spend;
    let gp = g.model.model().values();
    let _ = writeln!(
        md,
        "Gamma-Gamma: p = {:.4}, q = {:.4}, gamma = {:.4}, log-likelihood {:.1} ({} customers; {}).\n",
        gp.first().copied().unwrap_or(f64::NAN),
        gp.get(1).copied().unwrap_or(f64::NAN),
        gp.get(2).copied().unwrap_or(f64::NAN),
        g.model.log_likelihood(),
        g.fit_set.used,
        exclusions(g)
    );
    let pr = &v.predictions;
    let n = pr.clv.len().max(1) as f64;
    let total: f64 = pr.clv.iter().sum();
    let alive: f64 = pr.p_alive.iter().sum();
    let _ = writeln!(
        md,
        "Over {} months at {:.2} % a month: total CLV {total:.2}, mean {:.2} per customer; expected customers alive {alive:.0} of {}.\n",
        v.months,
        v.discount_rate * 100.0,
        total / n,
        pr.clv.len()
    );
    match (&j.clv_intervals, &j.clv_intervals_unavailable) {
        (Some(iv), _) => {
            let (p, c) = (&iv.total_expected_purchases, &iv.total_clv);
            let _ = writeln!(
                md,
                "How sure: {:.0} % intervals from the fits' covariances (the delta method; of the model's expectation, not of what the customers will do): total CLV {:.2} to {:.2}; expected purchases {:.1} ({:.1} to {:.1}). Per customer: `clv_intervals.csv`.\n",
                100.0 * iv.level,
                c.lower,
                c.upper,
                p.estimate,
                p.lower,
                p.upper
            );
        }
        (None, Some(why)) => {
            let _ = writeln!(md, "No intervals: {why}.\n");
        }
        (None, None) => {
            let _ = writeln!(
                md,
                "How sure: run the report with `--level 0.9` for 90 % intervals of every customer's figures and of the totals.\n"
            );
        }
    }
    let _ = writeln!(
        md,
        "{} Per customer: `clv.csv`.",
        p_alive_note(v.models.repeat.model.kind())
    );
}

fn reconciliation_section(md: &mut String, r: &Reconciliation) {
    let _ = writeln!(md, "\n## Reconciliation of every input row\n");
    let _ = writeln!(md, "| rows | count | amount |\n|---|---:|---:|");
    let _ = writeln!(md, "| read | {} | {} |", r.rows_read, r.amount_read);
    let _ = writeln!(md, "| used | {} | {} |", r.rows_used, r.amount_used);
    let _ = writeln!(
        md,
        "| skipped: after the analysis date | {} | {} |",
        r.rows_skipped_after_as_of, r.amount_skipped_after_as_of
    );
    let _ = writeln!(
        md,
        "| skipped: before the window | {} | {} |",
        r.rows_skipped_before_window, r.amount_skipped_before_window
    );
    let _ = writeln!(
        md,
        "| rejected | {} | {} |",
        r.rows_rejected, r.amount_rejected
    );
    let balanced = if r.is_balanced() {
        "read = used + skipped + rejected"
    } else {
        "DOES NOT ADD UP"
    };
    let _ = writeln!(md, "\n{balanced}.");
    for rule in &r.rejected_by_rule {
        let _ = writeln!(
            md,
            "- column `{}`: {} ({} rows)",
            rule.column, rule.reason, rule.rows
        );
    }
}
