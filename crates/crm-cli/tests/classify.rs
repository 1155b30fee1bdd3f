//! `crm classify` through the binary: the tier basis's cut-offs come from
//! crm-core, and the table has crm-io's tiers layout in CSV and Parquet.

use std::path::Path;

use assert_cmd::Command;
use crm_core::value::tier::{TierBasis, TierConfig};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Customers 1..=20, customer k spending k once.
fn twenty(dir: &Path) -> Result<std::path::PathBuf, std::io::Error> {
    let mut text = String::from("customer,date,amount\n");
    for k in 1..=20 {
        text.push_str(&format!("{k},2024-03-01,{k}\n"));
    }
    let p = dir.join("twenty.csv");
    std::fs::write(&p, text)?;
    Ok(p)
}

fn classify_csv(
    input: &Path,
    extra: &[&str],
) -> Result<Vec<Vec<String>>, Box<dyn std::error::Error>> {
    let out = Command::cargo_bin("crm")?
        .args(["classify", "--as-of", "2024-12-31", "--input"])
        .arg(input)
        .args(extra)
        .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect())
}

/// The tier of each customer 1..=20, by customer id.
fn tiers_by_customer(rows: &[Vec<String>]) -> Vec<(u32, String)> {
    let tier = rows[0]
        .iter()
        .position(|c| c == "tier")
        .unwrap_or(usize::MAX);
    let mut out: Vec<(u32, String)> = rows[1..]
        .iter()
        .map(|r| (r[0].parse().unwrap_or(0), r[tier].clone()))
        .collect();
    out.sort();
    out
}

#[test]
fn count_basis_uses_crm_core_default_cutoffs() -> TestResult {
    let dir = tempfile::tempdir()?;
    let input = twenty(dir.path())?;
    let rows = classify_csv(&input, &["--basis", "count"])?;
    let by_count = TierConfig::default_for(TierBasis::Count).cutoffs;
    // 20 customers: the first cut-off covers first × 20 of them, the second
    // second × 20 (whole customers, no ties here).
    let most = (by_count.first() * rust_decimal::Decimal::from(20)).to_string();
    let major = (by_count.second() * rust_decimal::Decimal::from(20)).to_string();
    let (most, major): (usize, usize) = (
        most.parse::<f64>()? as usize,
        major.parse::<f64>()? as usize,
    );
    let tiers = tiers_by_customer(&rows);
    assert_eq!(tiers.len(), 20);
    for (customer, tier) in &tiers {
        let from_top = (20 - customer) as usize; // customers ranked above
        let expected = if from_top < most {
            "most_valuable"
        } else if from_top < major {
            "major"
        } else {
            "ordinary"
        };
        assert_eq!(tier, expected, "customer {customer}");
    }
    // Giving one cut-off keeps the basis's other.
    let rows = classify_csv(&input, &["--basis", "count", "--most-valuable", "0.1"])?;
    let tiers = tiers_by_customer(&rows);
    assert_eq!(tiers.iter().filter(|t| t.1 == "most_valuable").count(), 2);
    assert_eq!(tiers.iter().filter(|t| t.1 == "major").count(), major - 2);
    Ok(())
}

#[test]
fn classify_writes_the_tiers_layout_in_csv_and_parquet() -> TestResult {
    let dir = tempfile::tempdir()?;
    let input = twenty(dir.path())?;
    let rows = classify_csv(&input, &[])?;
    let golden = crm_io::tables::golden_layout("tiers").ok_or("no golden tiers layout")?;
    for column in &rows[0] {
        assert!(
            golden.contains(&format!("\"name\": \"{column}\"")),
            "{column}"
        );
    }
    let behaviours = rows[0]
        .iter()
        .position(|c| c == "behaviours")
        .ok_or("no behaviours")?;
    assert!(rows[1..].iter().all(|r| r[behaviours].is_empty()));
    let out = dir.path().join("tiers.parquet");
    Command::cargo_bin("crm")?
        .args(["classify", "--as-of", "2024-12-31", "--input"])
        .arg(&input)
        .arg("--int-ids")
        .arg("--output")
        .arg(&out)
        .assert()
        .success();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        std::fs::File::open(&out)?,
    )?;
    assert_eq!(crm_io::tables::layout("tiers", reader.schema()), golden);
    Ok(())
}
