//! The Rust-only results on the bundled CDNOW sample, for the Python tests
//! (`tests/test_cdnow.py` checks that the bindings give the same answers).
//!
//! Reads `examples/data/CDNOW_sample.txt` with crm-io's CSV reader (no Arrow,
//! no Python), summarises in weeks at 1997-09-30, classifies total spend with
//! crm-core and prints JSON: one object per customer, exact decimals as text.
//!
//! ```text
//! cargo run -p crm-engine-python --example cdnow_reference -- examples/data/CDNOW_sample.txt > cdnow_rust.json
//! ```

use std::error::Error;

use chrono::NaiveDate;
use crm_core::records::summary::{SummaryConfig, Unit};
use crm_core::records::transaction::CalendarConfig;
use crm_core::value::assignment::{AssignmentConfig, assign};
use crm_core::value::rfm::{Monetary, SegmentTable, rfm};
use crm_io::{CsvOptions, summarize_csv};

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/data/CDNOW_sample.txt".to_owned());
    let as_of = NaiveDate::from_ymd_opt(1997, 9, 30).ok_or("bad date")?;
    let config = SummaryConfig::new(as_of).with_unit(Unit::Week);
    let out = summarize_csv(
        &path,
        &CsvOptions::cdnow(),
        &CsvOptions::cdnow_mapping(),
        &CalendarConfig::default(),
        config,
    )?;
    let s = &out.summaries;
    let a = assign(
        &s.customers,
        &s.total_spend,
        None,
        &AssignmentConfig::default(),
    )?;
    let r = rfm(s, Monetary::Total, None, &SegmentTable::standard())?;
    let mut customers = Vec::with_capacity(s.customers.len());
    for i in 0..s.customers.len() {
        let why = a.classification().explain(i).ok_or("missing")?;
        let (t, _) = a.treatment(i).ok_or("missing")?;
        customers.push(serde_json::json!({
            "customer_id": s.customers[i],
            "frequency": s.frequency[i],
            "recency": s.recency[i],
            "T": s.age[i],
            "monetary_value": s.monetary_value[i].to_string(),
            "total_spend": s.total_spend[i].to_string(),
            "first_purchase": s.first_purchase[i].to_string(),
            "last_purchase": s.last_purchase[i].to_string(),
            "tier": why.tier.as_str(),
            "rank": why.rank,
            "share": why.share.map(|d| d.to_string()),
            "treatment": t.strategy.as_str(),
            "rfm_code": r.scores[i].code(),
            "segment": r.segment_name(i),
        }));
    }
    let report = serde_json::json!({
        "reconciliation": out.reconciliation,
        "tiers": a.summary(),
        "total": a.classification().total().to_string(),
        "rfm_thresholds": r.thresholds,
        "customers": customers,
    });
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}
