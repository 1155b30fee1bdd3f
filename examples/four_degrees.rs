//! The four degrees (四度) and the delivered-value comparison on the bundled,
//! made-up relationship sample (`examples/data/relationship`, March 2024).
//!
//! Prints three tables: each customer's satisfaction, loyalty, contribution,
//! dependency and index (unknown satisfaction shown as `-`), the base's
//! degrees, and our offer against two competitors' by segment with the
//! components that drive the gap. With `--json` it prints the reports as
//! JSON instead (the Python tests compare the package's answers with it).
//!
//! ```sh
//! cargo run -p crm-examples --example four_degrees
//! cargo run -p crm-examples --example four_degrees -- --json
//! ```

use std::collections::BTreeMap;
use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, Utc};
use crm_core::relationship::complaint::Complaint;
use crm_core::relationship::degrees::{
    CustomerFacts, DegreeConfig, DegreeData, DegreeReport, degrees,
};
use crm_core::relationship::delivered_value::{
    Amount, Offer, OfferComparison, WeightTable, compare_offers,
};
use crm_core::relationship::period_metrics::{MetricPeriod, Referral};
use crm_core::relationship::survey::SurveyAnswer;
use rust_decimal::Decimal;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/relationship");

fn main() -> ExitCode {
    crm_examples::exit(run())
}

/// The rows of a small CSV file without quoting, header skipped.
fn rows(name: &str) -> Result<Vec<Vec<String>>, String> {
    let path = format!("{DATA}/{name}.csv");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    Ok(text
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect())
}

fn num(s: &str) -> Result<Decimal, String> {
    s.parse().map_err(|e| format!("{s:?}: {e}"))
}

fn int(s: &str) -> Result<u64, String> {
    s.parse().map_err(|e| format!("{s:?}: {e}"))
}

fn time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{s:?}: {e}"))
}

fn opt_time(s: &str) -> Result<Option<DateTime<Utc>>, String> {
    if s.is_empty() {
        Ok(None)
    } else {
        time(s).map(Some)
    }
}

fn load() -> Result<DegreeData, String> {
    let customers = rows("customers")?
        .iter()
        .map(|r| {
            let category = if r[5].is_empty() {
                None
            } else {
                Some(num(&r[5])?)
            };
            Ok(CustomerFacts::new(
                int(&r[0])? as i64,
                num(&r[1])?,
                int(&r[2])?,
                int(&r[3])?,
                num(&r[4])?,
                category,
            ))
        })
        .collect::<Result<_, String>>()?;
    let answers = rows("answers")?
        .iter()
        .map(|r| {
            let scale = r[2].parse().map_err(|e| format!("{e}"))?;
            let score = r[3].parse().map_err(|e| format!("{:?}: {e}", r[3]))?;
            Ok(SurveyAnswer {
                customer: (int(&r[0])? as i64).into(),
                time: time(&r[1])?,
                scale,
                score,
            })
        })
        .collect::<Result<_, String>>()?;
    let complaints = rows("complaints")?
        .iter()
        .map(|r| {
            let mut c = Complaint::new(int(&r[0])? as i64, &r[1], time(&r[2])?);
            c.first_response = opt_time(&r[3])?;
            c.resolved = opt_time(r.get(4).map_or("", String::as_str))?;
            Ok(c)
        })
        .collect::<Result<_, String>>()?;
    let referrals = rows("referrals")?
        .iter()
        .map(|r| {
            Ok(Referral {
                referrer: (int(&r[0])? as i64).into(),
                referred: None,
                time: time(&r[1])?,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(DegreeData {
        customers,
        answers,
        complaints,
        referrals,
    })
}

/// Offers by segment, in segment order.
fn offers() -> Result<BTreeMap<String, Vec<Offer>>, String> {
    let mut by_segment: BTreeMap<String, Vec<Offer>> = BTreeMap::new();
    for r in rows("offers")? {
        let money = |i: usize| num(&r[i]).map(Amount::Money);
        let time = Amount::Quantity {
            quantity: num(&r[7])?,
            unit_value: num(&r[8])?,
        };
        let offer = Offer {
            name: r[1].clone(),
            value: [money(2)?, money(3)?, money(4)?, money(5)?],
            cost: [money(6)?, time, money(9)?, money(10)?],
        };
        by_segment.entry(r[0].clone()).or_default().push(offer);
    }
    Ok(by_segment)
}

fn cell(x: Option<Decimal>) -> String {
    x.map_or_else(|| "-".to_owned(), |v| format!("{:.3}", v.round_dp(3)))
}

fn print_degrees(r: &DegreeReport) {
    println!("The four degrees, March 2024 (satisfaction '-' = no survey answer: unknown)\n");
    println!(
        "{:>8} {:>12} {:>8} {:>12} {:>10} {:>7} {:>8}",
        "customer", "satisfaction", "loyalty", "contribution", "dependency", "index", "answers"
    );
    for c in &r.customers {
        println!(
            "{:>8} {:>12} {:>8} {:>12} {:>10} {:>7} {:>8}",
            c.customer.to_string(),
            cell(c.satisfaction),
            cell(Some(c.loyalty)),
            cell(c.contribution),
            cell(c.dependency),
            cell(c.index),
            c.inputs.answers
        );
    }
    let b = &r.base;
    println!(
        "\nThe base\n\n{:>12} {:>6} {:>8} {:>7}",
        "degree", "known", "unknown", "mean"
    );
    for (name, s) in [
        ("satisfaction", b.satisfaction),
        ("loyalty", b.loyalty),
        ("contribution", b.contribution),
        ("dependency", b.dependency),
        ("index", b.index),
    ] {
        println!(
            "{:>12} {:>6} {:>8} {:>7}",
            name,
            s.known,
            s.unknown,
            cell(s.mean)
        );
    }
    println!("share of wallet: {}", cell(b.share_of_wallet));
    let rows = &r.rows;
    println!(
        "rows: answers {} read = {} used + {} outside the period; complaints {} = {} + {}",
        rows.answers.read,
        rows.answers.used,
        rows.answers.outside_period,
        rows.complaints.read,
        rows.complaints.used,
        rows.complaints.outside_period
    );
}

fn print_offers(all: &[(Option<String>, OfferComparison)]) {
    println!("\nDelivered value (顾客让渡价值): our offer against competitors'\n");
    println!(
        "{:>9} {:>8} {:>12} {:>11} {:>15} {:>10} {:>7}",
        "segment", "offer", "total_value", "total_cost", "delivered_value", "value/cost", "chosen"
    );
    for (segment, c) in all {
        for o in &c.offers {
            println!(
                "{:>9} {:>8} {:>12} {:>11} {:>15} {:>10} {:>7}",
                segment.as_deref().unwrap_or("-"),
                o.offer,
                o.total_value,
                o.total_cost,
                o.delivered_value,
                cell(o.value_cost_ratio),
                if o.offer == c.chosen { "yes" } else { "" }
            );
        }
        let adv = c
            .advantage
            .map_or_else(|| "-".to_owned(), |a| a.to_string());
        let drivers: Vec<String> = c
            .gaps
            .iter()
            .take(3)
            .map(|g| format!("{} {:+}", g.component, g.effect))
            .collect();
        println!(
            "          advantage over {}: {adv}; drivers: {}\n",
            c.best_competitor.as_deref().unwrap_or("-"),
            drivers.join(", ")
        );
    }
}

fn run() -> Result<(), String> {
    let json = std::env::args().any(|a| a == "--json");
    let first = NaiveDate::from_ymd_opt(2024, 3, 1).ok_or("bad date")?;
    let last = NaiveDate::from_ymd_opt(2024, 3, 31).ok_or("bad date")?;
    let period = MetricPeriod::new(first, last).map_err(|e| e.to_string())?;
    let report = degrees(&load()?, period, &DegreeConfig::default()).map_err(|e| e.to_string())?;
    let weights = WeightTable::default();
    let comparisons = offers()?
        .into_iter()
        .map(|(segment, list)| {
            let c = compare_offers(&list, "ours", weights.for_segment(Some(&segment)))
                .map_err(|e| e.to_string())?;
            Ok((Some(segment), c))
        })
        .collect::<Result<Vec<_>, String>>()?;
    if json {
        let out = serde_json::json!({ "period": period, "degrees": report, "delivered_value": comparisons });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
        );
    } else {
        print_degrees(&report);
        print_offers(&comparisons);
    }
    Ok(())
}
