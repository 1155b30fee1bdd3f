//! The main job on the bundled sample: CDNOW purchases become per-customer
//! summaries, customers are ranked into value tiers by their spend, and each
//! tier is printed with its treatment; then the top customers with the
//! evidence behind their tier, and the reconciliation of every input row.
//!
//! ```sh
//! cargo run --release -p crm-examples --example tier_table
//! cargo run --release -p crm-examples --example tier_table -- path/to/CDNOW_sample.txt 1998-06-30
//! ```

use std::process::ExitCode;

use chrono::NaiveDate;
use crm_core::records::reconciliation::Reconciliation;
use crm_core::records::summary::SummaryConfig;
use crm_core::value::assignment::{AssignmentConfig, Assignments, assign};
use crm_io::{CsvOptions, summarize_csv};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/CDNOW_sample.txt");

fn main() -> ExitCode {
    crm_examples::exit(run())
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| SAMPLE.to_owned());
    // The sample is observed to 1998-06-30: its whole history is the period.
    let as_of = match args.next() {
        Some(d) => NaiveDate::parse_from_str(&d, "%Y-%m-%d")
            .map_err(|e| format!("as_of {d:?}: {e} (want YYYY-MM-DD)"))?,
        None => NaiveDate::from_ymd_opt(1998, 6, 30).ok_or("bad built-in date")?,
    };
    let out = summarize_csv(
        &path,
        &CsvOptions::cdnow(),
        &CsvOptions::cdnow_mapping(),
        &crm_io::utc(),
        SummaryConfig::new(as_of),
    )
    .map_err(|e| e.to_string())?;
    let s = &out.summaries;
    let assigned = assign(
        &s.customers,
        &s.total_spend,
        None,
        &AssignmentConfig::default(),
    )
    .map_err(|e| e.to_string())?;

    println!(
        "crm-engine: value tiers of {} customers in {path}, period to {as_of}, value = total spend\n",
        s.len()
    );
    print_tiers(&assigned);
    print_top(&assigned, 10);
    print_reconciliation(&out.reconciliation);
    Ok(())
}

fn print_tiers(a: &Assignments) {
    println!(
        "{:<14} {:>9} {:>12} {:>8} {:>8}  treatment",
        "tier", "customers", "value", "value %", "cust. %"
    );
    for t in a.summary() {
        let treatment = a.config().policy.treatment(t.tier, Default::default());
        println!(
            "{:<14} {:>9} {:>12.2} {:>7.2}% {:>7.2}%  {treatment}",
            t.tier.as_str(),
            t.customers,
            t.value,
            t.value_share * rust_decimal::Decimal::ONE_HUNDRED,
            t.customer_share * rust_decimal::Decimal::ONE_HUNDRED,
        );
    }
    println!();
}

fn print_top(a: &Assignments, n: usize) {
    let c = a.classification();
    let mut order: Vec<usize> = (0..a.len()).filter(|&i| c.rank(i).is_some()).collect();
    order.sort_by_key(|&i| (c.rank(i), i));
    println!("top {n} customers: why each is where it is");
    println!(
        "{:>8} {:>5} {:>10} {:>8} {:>15}  tier",
        "customer", "rank", "value", "share %", "cum. % before"
    );
    for row in order.iter().take(n).filter_map(|&i| a.get(i)) {
        let pct = |d: Option<rust_decimal::Decimal>| {
            d.map(|d| (d * rust_decimal::Decimal::ONE_HUNDRED).round_dp(2))
                .unwrap_or_default()
        };
        println!(
            "{:>8} {:>5} {:>10.2} {:>8} {:>15}  {}",
            row.customer.to_string(),
            row.tier.rank.unwrap_or_default(),
            row.tier.value,
            pct(row.tier.share),
            pct(row.tier.cumulative_share_before),
            row.tier.tier
        );
    }
    println!();
}

fn print_reconciliation(r: &Reconciliation) {
    println!(
        "rows: read {} = used {} + skipped {} + rejected {}",
        r.rows_read,
        r.rows_used,
        r.rows_skipped(),
        r.rows_rejected
    );
}
