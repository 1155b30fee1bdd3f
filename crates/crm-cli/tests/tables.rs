//! `crm summarize`, `classify`, `rfm` and `review` on the bundled sample:
//! the tables they write in every format, and the summary's memory.

mod common;

use common::*;
use crm_core::records::summary::SummaryOutput;

#[test]
fn summarize_writes_csv_parquet_and_json_that_agree() -> TestResult {
    let dir = tempfile::tempdir()?;
    for ext in ["csv", "parquet", "json"] {
        crm()?
            .args([
                "summarize",
                "--format",
                "cdnow",
                "--as-of",
                "1997-09-30",
                "--unit",
                "week",
                "--input",
            ])
            .arg(sample())
            .arg("--output")
            .arg(dir.path().join(format!("s.{ext}")))
            .assert()
            .success();
    }
    let json: SummaryOutput =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("s.json"))?)?;
    assert_eq!(json.summaries.len(), 2357);
    assert!(json.reconciliation.is_balanced());
    let csv = std::fs::read_to_string(dir.path().join("s.csv"))?;
    assert_eq!(csv.lines().count(), 2358, "header + one line per customer");
    assert!(csv.starts_with("customer_id,frequency,recency,T,monetary_value"));
    let parquet = std::fs::File::open(dir.path().join("s.parquet"))?;
    let reader =
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(parquet)?.build()?;
    let rows: usize = reader
        .map(|b| b.map(|b| b.num_rows()))
        .sum::<Result<usize, _>>()?;
    assert_eq!(rows, 2357);
    Ok(())
}

#[test]
fn classify_and_rfm_write_one_row_per_customer() -> TestResult {
    for (cmd, header) in [
        ("classify", "customer_id,value,tier,rank"),
        ("rfm", "customer_id,recency_days,frequency,monetary"),
    ] {
        let out = crm()?
            .args([cmd, "--format", "cdnow", "--as-of", "1998-06-30", "--input"])
            .arg(sample())
            .output()?;
        assert!(out.status.success(), "{cmd}");
        let text = String::from_utf8(out.stdout)?;
        assert!(
            text.starts_with(header),
            "{cmd}: {}",
            text.lines().next().unwrap_or_default()
        );
        assert_eq!(text.lines().count(), 2358, "{cmd}");
    }
    Ok(())
}

#[test]
fn review_lists_every_customer_of_either_period_once() -> TestResult {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("review.json");
    crm()?
        .args([
            "review",
            "--format",
            "cdnow",
            "--as-of",
            "1997-12-31",
            "--previous-as-of",
            "1997-06-30",
            "--input",
        ])
        .arg(sample())
        .arg("--output")
        .arg(&out)
        .assert()
        .success();
    let r: crm_core::value::review::PeriodReview =
        serde_json::from_str(&std::fs::read_to_string(&out)?)?;
    // All 2,357 customers bought in the first half of 1997 (their first
    // purchase is in its first quarter), so nobody is new in the second.
    assert_eq!(r.counts.new, 0);
    assert_eq!(r.counts.total(), 2357);
    assert_eq!(r.moves.len(), 2357);
    // Membership from the base (the 365-day rule by default): nobody who
    // bought by March 1997 lapses before July, so nobody is lost; the
    // customers without a purchase from July to December (counted here from
    // the file) are measured inactive with value 0.
    let text = std::fs::read_to_string(sample())?;
    let mut buyers = std::collections::BTreeSet::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if ("19970701".."19980101").contains(&f[2]) {
            buyers.insert(f[0].to_owned());
        }
    }
    let quiet = 2357 - buyers.len();
    assert_eq!(r.counts.lost, 0);
    let inactive_now = r
        .moves
        .iter()
        .filter(|m| {
            m.current_value == Some(rust_decimal::Decimal::ZERO) && m.current_rank.is_none()
        })
        .count();
    assert!(
        inactive_now >= quiet && quiet > 1000,
        "{inactive_now} {quiet}"
    );
    // The old rule by explicit choice: the quiet customers are lost.
    let old = dir.path().join("old.json");
    crm()?
        .args([
            "review",
            "--format",
            "cdnow",
            "--as-of",
            "1997-12-31",
            "--previous-as-of",
            "1997-06-30",
            "--membership",
            "presence",
            "--input",
        ])
        .arg(sample())
        .arg("--output")
        .arg(&old)
        .assert()
        .success();
    let o: crm_core::value::review::PeriodReview =
        serde_json::from_str(&std::fs::read_to_string(&old)?)?;
    assert_eq!(o.counts.lost as usize, quiet);
    // A rule shorter than the gap: customers who bought only in early 1997
    // lapse before July and are lost.
    let short = dir.path().join("short.json");
    crm()?
        .args([
            "review",
            "--format",
            "cdnow",
            "--as-of",
            "1997-12-31",
            "--previous-as-of",
            "1997-06-30",
            "--inactive-days",
            "30",
            "--input",
        ])
        .arg(sample())
        .arg("--output")
        .arg(&short)
        .assert()
        .success();
    let s: crm_core::value::review::PeriodReview =
        serde_json::from_str(&std::fs::read_to_string(&short)?)?;
    assert!(s.counts.lost > 0 && s.counts.lost as usize <= quiet);
    let bad = crm()?
        .args([
            "review",
            "--format",
            "cdnow",
            "--as-of",
            "1997-06-30",
            "--previous-as-of",
            "1997-12-31",
            "--input",
        ])
        .arg(sample())
        .output()?;
    assert_eq!(
        bad.status.code(),
        Some(2),
        "previous period must end before the current one"
    );
    Ok(())
}

/// Peak resident memory (KiB) of a running child, polled from /proc until it
/// exits; `None` where /proc is not available.
fn run_polling_peak(
    mut cmd: std::process::Command,
) -> Result<(std::process::ExitStatus, Option<u64>), std::io::Error> {
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = None;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status_path) {
            let hwm = text
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok());
            peak = peak.max(hwm);
        }
        if let Some(status) = child.try_wait()? {
            return Ok((status, peak));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_100_mb_file_is_summarised_in_memory_that_grows_with_customers_not_rows() -> TestResult {
    use std::io::Write as _;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("big.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path)?);
    writeln!(w, "customer,date,amount")?;
    let (mut bytes, mut row) = (0_u64, 0_u64);
    while bytes < 100 * 1024 * 1024 {
        // 1,000 customers over 2024; amounts with cents; a return every 20th row.
        let line = format!(
            "cust-{:04},2024-{:02}-{:02},{}{}.{:02}\n",
            row % 1000,
            1 + (row / 7) % 12,
            1 + (row / 3) % 28,
            if row % 20 == 0 { "-" } else { "" },
            row % 997,
            row % 100
        );
        bytes += line.len() as u64;
        w.write_all(line.as_bytes())?;
        row += 1;
    }
    w.flush()?;
    drop(w);
    let out = dir.path().join("s.json");
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("crm"));
    cmd.args(["summarize", "--as-of", "2024-12-31", "--input"])
        .arg(&path)
        .arg("--output")
        .arg(&out);
    let (status, peak) = run_polling_peak(cmd)?;
    assert!(status.success());
    let s: SummaryOutput = serde_json::from_str(&std::fs::read_to_string(&out)?)?;
    assert_eq!(s.summaries.len(), 1000);
    assert_eq!(
        (s.reconciliation.rows_read, s.reconciliation.rows_used),
        (row, row)
    );
    if let Some(kib) = peak {
        // The file is 100 MiB; a run that held its rows would need more
        // than that. Batches of 64k rows and 1,000 customers need a few MiB.
        assert!(
            kib < 48 * 1024,
            "peak {kib} KiB for a 100 MiB file of 1,000 customers"
        );
    }
    Ok(())
}
