//! Golden test on real data: the CDNOW sample (Fader & Hardie, as shipped
//! with the `lifetimes` package; see `examples/data/README.md`) summarised at
//! 1997-09-30 reproduces `cdnow_customers_summary_with_transactions.csv`,
//! which `lifetimes.utils.summary_data_from_transaction_data(..., freq="D")`
//! produces (then divided by 7 for weeks).
//!
//! CDNOW_sample.txt columns: original id, customer id (1..2357), yyyymmdd,
//! CDs, dollars. The summary's `ID` is the second column (customer 1 has
//! purchases on 1997-01-01, 01-18 and 08-02 before the cut: x = 2,
//! t_x = 213 days = 30.43 weeks, as in the file's first row).

use chrono::NaiveDate;
use crm_core::CustomerId;
use crm_core::records::summary::{SummaryConfig, Unit};
use crm_io::{CsvOptions, IoError, summarize_csv};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/data/");

#[test]
fn cdnow_sample_reproduces_the_lifetimes_summary() -> Result<(), Box<dyn std::error::Error>> {
    let as_of = NaiveDate::from_ymd_opt(1997, 9, 30).ok_or("date")?;
    let out = summarize_csv(
        format!("{DATA}CDNOW_sample.txt"),
        &CsvOptions::cdnow(),
        &CsvOptions::cdnow_mapping(),
        &crm_io::utc(),
        SummaryConfig::new(as_of).with_unit(Unit::Day).strict(),
    )?;
    let expected = std::fs::read_to_string(format!(
        "{DATA}cdnow_customers_summary_with_transactions.csv"
    ))?;
    let mut lines = expected.lines();
    assert_eq!(lines.next(), Some("ID,x,t_x,T,zbar"));
    let s = &out.summaries;
    assert_eq!(s.len(), 2357);
    let mut checked = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let id: i64 = f[0].parse()?;
        let i = s
            .position(&CustomerId::Int(id))
            .ok_or(format!("customer {id} missing"))?;
        let (x, t_x, age, zbar): (u64, f64, f64, f64) =
            (f[1].parse()?, f[2].parse()?, f[3].parse()?, f[4].parse()?);
        assert_eq!(s.frequency[i], x, "x of customer {id}");
        assert_eq!(
            format!("{:.2}", s.recency[i] / 7.0),
            format!("{t_x:.2}"),
            "t_x of customer {id}"
        );
        assert_eq!(
            format!("{:.2}", s.age[i] / 7.0),
            format!("{age:.2}"),
            "T of customer {id}"
        );
        let z = s.monetary_value[i].to_f64().ok_or("zbar")?;
        assert!(
            (z - zbar).abs() <= 0.01 + 1e-9,
            "zbar of customer {id}: {z} vs {zbar}"
        );
        checked += 1;
    }
    assert_eq!(checked, 2357);

    // Reconciliation: all 6,919 rows read, those after as_of skipped.
    let r = &out.reconciliation;
    assert_eq!(r.rows_read, 6919);
    assert_eq!(r.rows_rejected, 0);
    assert_eq!(r.rows_used + r.rows_skipped_after_as_of, 6919);
    assert!(r.is_balanced());
    let used: Decimal = s.total_spend.iter().sum();
    assert_eq!(used, r.amount_used);
    Ok(())
}

#[test]
fn weeks_are_days_over_seven() -> Result<(), IoError> {
    let as_of = NaiveDate::from_ymd_opt(1997, 9, 30).unwrap_or_default();
    let read = |unit| {
        summarize_csv(
            format!("{DATA}CDNOW_sample.txt"),
            &CsvOptions::cdnow(),
            &CsvOptions::cdnow_mapping(),
            &crm_io::utc(),
            SummaryConfig::new(as_of).with_unit(unit),
        )
    };
    let (days, weeks) = (read(Unit::Day)?, read(Unit::Week)?);
    assert_eq!(days.summaries.frequency, weeks.summaries.frequency);
    for (d, w) in days.summaries.age.iter().zip(&weeks.summaries.age) {
        assert!((d / 7.0 - w).abs() < 1e-12);
    }
    Ok(())
}
