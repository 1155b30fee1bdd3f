//! Every table `crm` writes has the golden layout of crm-io
//! (`crates/crm-io/schemas/<table>.json`), the one the Python package's
//! tables have too: the Parquet file's schema, printed by
//! `crm_io::tables::layout`, is the golden file, and the CSV header is its
//! column names in order.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use crm_io::tables::{golden_layout, layout};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data/CDNOW_sample.txt")
}

/// (subcommand and its own arguments, golden table). Add a line per
/// subcommand that writes a table.
const TABLES: &[(&[&str], &str)] = &[
    (&["summarize"], "summaries"),
    (&["rfm"], "rfm"),
    (&["rfm", "--monetary", "mean_per_occasion"], "rfm"),
    (&["classify"], "tiers"),
    (&["classify", "--basis", "count"], "tiers"),
    (&["review", "--previous-as-of", "1997-12-31"], "review"),
    (&["metrics"], "metrics"),
];

fn run(args: &[&str], output: &Path) -> TestResult {
    Command::cargo_bin("crm")?
        .args(args)
        .args([
            "--quiet",
            "--format",
            "cdnow",
            "--as-of",
            "1998-06-30",
            "--input",
        ])
        .arg(sample())
        .arg("--output")
        .arg(output)
        .assert()
        .success();
    Ok(())
}

fn golden_names(table: &str) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let text = golden_layout(table).ok_or(format!("no golden file for {table}"))?;
    let v: serde_json::Value = serde_json::from_str(text)?;
    Ok(v["columns"]
        .as_array()
        .ok_or("columns")?
        .iter()
        .filter_map(|c| c["name"].as_str().map(str::to_owned))
        .collect())
}

#[test]
fn every_table_written_as_parquet_has_its_golden_layout() -> TestResult {
    let dir = tempfile::tempdir()?;
    for (args, table) in TABLES {
        let out = dir.path().join(format!("{table}.parquet"));
        run(args, &out)?;
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
            std::fs::File::open(&out)?,
        )?;
        assert_eq!(
            layout(table, reader.schema()),
            golden_layout(table).ok_or("golden")?,
            "crm {}",
            args.join(" ")
        );
    }
    Ok(())
}

#[test]
fn every_table_written_as_csv_has_the_golden_column_names() -> TestResult {
    let dir = tempfile::tempdir()?;
    for (args, table) in TABLES {
        let out = dir.path().join(format!("{table}.csv"));
        run(args, &out)?;
        let text = std::fs::read_to_string(&out)?;
        let header = text.lines().next().unwrap_or_default();
        assert_eq!(
            header,
            golden_names(table)?.join(","),
            "crm {}",
            args.join(" ")
        );
    }
    Ok(())
}
