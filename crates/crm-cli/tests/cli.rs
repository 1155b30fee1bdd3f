//! The `crm` command as a user runs it: every subcommand on the bundled
//! sample and on broken files, checking exit codes, outputs and messages.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use crm_core::records::summary::SummaryOutput;
use rust_decimal::Decimal;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data/CDNOW_sample.txt")
}

fn crm() -> Result<Command, Box<dyn std::error::Error>> {
    Ok(Command::cargo_bin("crm")?)
}

fn write(dir: &Path, name: &str, text: &str) -> Result<PathBuf, std::io::Error> {
    let p = dir.join(name);
    std::fs::write(&p, text)?;
    Ok(p)
}

#[test]
fn report_on_the_sample_has_shares_adding_to_one_and_a_balanced_reconciliation() -> TestResult {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("report");
    let assert = crm()?
        .args([
            "report",
            "--format",
            "cdnow",
            "--as-of",
            "1998-06-30",
            "--input",
        ])
        .arg(sample())
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone())?;
    assert!(
        stdout.contains("report.md"),
        "prints where the report is: {stdout}"
    );
    for f in [
        "report.md",
        "summaries.csv",
        "tiers.csv",
        "rfm.csv",
        "result.json",
        "pareto.png",
        "tier_shares.png",
        "clv.csv",
        "p_alive.png",
    ] {
        assert!(out.join(f).is_file(), "{f} written");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("result.json"))?)?;
    let shares: Decimal = json["tiers"]
        .as_array()
        .ok_or("tiers")?
        .iter()
        .filter_map(|t| {
            t["value_share"]
                .as_str()
                .and_then(|s| s.parse::<Decimal>().ok())
        })
        .sum();
    assert_eq!(shares, Decimal::ONE);
    let r = &json["reconciliation"];
    assert_eq!(r["rows_read"], 6919);
    assert_eq!(r["rows_used"], 6919);
    let segments: u64 = json["rfm_segments"]
        .as_array()
        .ok_or("segments")?
        .iter()
        .filter_map(|s| s[1].as_u64())
        .sum();
    assert_eq!(segments, 2357, "every customer has an RFM segment");
    let md = std::fs::read_to_string(out.join("report.md"))?;
    assert!(md.contains("Value shares add up to 100.00 %"));
    assert!(md.contains("read = used + skipped + rejected"));
    assert!(md.contains("## Customer lifetime value"));
    assert!(md.contains("## Loyalty and relationship metrics, 1997-07-01 to 1998-06-30"));
    assert!(
        json["loyalty"]["metrics"]["retention_rate"]
            .as_str()
            .is_some(),
        "{}",
        json["loyalty"]
    );
    let clv = std::fs::read_to_string(out.join("clv.csv"))?;
    assert_eq!(clv.lines().count(), 2358);
    assert!(
        json["lifetime_value"]["models"]["repeat"]["model"]["params"]["r"]
            .as_f64()
            .is_some_and(|r| r > 0.0),
        "{}",
        json["lifetime_value"]
    );
    Ok(())
}

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
fn a_wrong_delimiter_is_bad_input_naming_the_missing_column() -> TestResult {
    let dir = tempfile::tempdir()?;
    let f = write(
        dir.path(),
        "semi.csv",
        "customer;date;amount\n1;2024-01-02;10\n",
    )?;
    let out = crm()?
        .args(["summarize", "--as-of", "2024-12-31", "--input"])
        .arg(&f)
        .output()?;
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr)?;
    assert!(
        err.contains("semi.csv") && err.contains("customer"),
        "{err}"
    );
    Ok(())
}

#[test]
fn a_missing_column_is_bad_input_with_a_json_error() -> TestResult {
    let dir = tempfile::tempdir()?;
    let f = write(dir.path(), "no_amount.csv", "customer,date\n1,2024-01-02\n")?;
    let out = crm()?
        .args([
            "--json-errors",
            "summarize",
            "--as-of",
            "2024-12-31",
            "--input",
        ])
        .arg(&f)
        .output()?;
    assert_eq!(out.status.code(), Some(3));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr)?;
    assert_eq!(err["kind"], "bad_input");
    assert_eq!(err["column"], "amount");
    assert!(
        err["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("no_amount.csv"))
    );
    Ok(())
}

#[test]
fn a_date_in_the_wrong_format_is_rejected_and_reported_or_fails_in_strict_mode() -> TestResult {
    let dir = tempfile::tempdir()?;
    let f = write(
        dir.path(),
        "dates.csv",
        "customer,date,amount\n1,2024-01-02,10\n2,31/31/2024,5\n",
    )?;
    let out = dir.path().join("s.json");
    crm()?
        .args(["summarize", "--as-of", "2024-12-31", "--input"])
        .arg(&f)
        .arg("--output")
        .arg(&out)
        .assert()
        .success();
    let s: SummaryOutput = serde_json::from_str(&std::fs::read_to_string(&out)?)?;
    let r = &s.reconciliation;
    assert_eq!((r.rows_read, r.rows_used, r.rows_rejected), (2, 1, 1));
    assert_eq!(
        r.rejections.first().map(|x| (x.row, x.column.as_str())),
        Some((2, "date"))
    );
    let strict = crm()?
        .args([
            "--json-errors",
            "summarize",
            "--strict",
            "--as-of",
            "2024-12-31",
            "--input",
        ])
        .arg(&f)
        .output()?;
    assert_eq!(strict.status.code(), Some(3));
    let err: serde_json::Value = serde_json::from_slice(&strict.stderr)?;
    assert_eq!(
        (err["row"].as_u64(), err["column"].as_str()),
        (Some(2), Some("date"))
    );
    Ok(())
}

#[test]
fn an_empty_file_is_bad_input_not_a_panic() -> TestResult {
    let dir = tempfile::tempdir()?;
    let f = write(dir.path(), "empty.csv", "")?;
    let out = crm()?
        .args(["summarize", "--as-of", "2024-12-31", "--input"])
        .arg(&f)
        .output()?;
    let err = String::from_utf8(out.stderr)?;
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(3), "{err}");
    Ok(())
}

#[test]
fn a_header_only_file_gives_an_empty_result() -> TestResult {
    let dir = tempfile::tempdir()?;
    let f = write(dir.path(), "header.csv", "customer,date,amount\n")?;
    let out = crm()?
        .args(["summarize", "--as-of", "2024-12-31", "--input"])
        .arg(&f)
        .output()?;
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout)?.lines().count(),
        1,
        "just the header"
    );
    Ok(())
}

#[test]
fn usage_errors_exit_with_2() -> TestResult {
    let dir = tempfile::tempdir()?;
    let bad_ext = crm()?
        .args([
            "summarize",
            "--format",
            "cdnow",
            "--as-of",
            "1998-06-30",
            "--input",
        ])
        .arg(sample())
        .arg("--output")
        .arg(dir.path().join("x.xlsx"))
        .output()?;
    assert_eq!(bad_ext.status.code(), Some(2));
    let no_as_of = crm()?
        .args(["summarize", "--input"])
        .arg(sample())
        .output()?;
    assert_eq!(no_as_of.status.code(), Some(2));
    let bad_cutoffs = crm()?
        .args([
            "classify",
            "--format",
            "cdnow",
            "--as-of",
            "1998-06-30",
            "--most-valuable",
            "0.6",
            "--input",
        ])
        .arg(sample())
        .output()?;
    assert_eq!(bad_cutoffs.status.code(), Some(2));
    let missing_file = crm()?
        .args([
            "summarize",
            "--as-of",
            "2024-12-31",
            "--input",
            "/nonexistent/tx.csv",
        ])
        .output()?;
    assert_eq!(missing_file.status.code(), Some(3));
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
        .filter(|m| m.current_value == Some(Decimal::ZERO) && m.current_rank.is_none())
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

#[test]
fn quiet_prints_nothing_on_success() -> TestResult {
    let dir = tempfile::tempdir()?;
    let out = crm()?
        .args([
            "--quiet",
            "report",
            "--format",
            "cdnow",
            "--as-of",
            "1998-06-30",
            "--input",
        ])
        .arg(sample())
        .arg("--out")
        .arg(dir.path())
        .output()?;
    assert!(out.status.success());
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
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

/// Validates `instance` against the schema `crm schema NAME` prints.
fn assert_valid(name: &str, instance: &serde_json::Value) -> TestResult {
    let out = crm()?.args(["schema", name]).output()?;
    assert!(out.status.success(), "crm schema {name}");
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let validator =
        jsonschema::validator_for(&schema).map_err(|e| format!("schema {name}: {e}"))?;
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(5)
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:?}");
    Ok(())
}

#[test]
fn schemas_validate_the_json_every_subcommand_writes() -> TestResult {
    let dir = tempfile::tempdir()?;
    let run =
        |args: &[&str], file: &str| -> Result<serde_json::Value, Box<dyn std::error::Error>> {
            let path = dir.path().join(file);
            crm()?
                .args(args)
                .arg("--input")
                .arg(sample())
                .arg("--output")
                .arg(&path)
                .assert()
                .success();
            Ok(serde_json::from_str(&std::fs::read_to_string(&path)?)?)
        };
    let base = ["--format", "cdnow", "--as-of", "1997-12-31"];
    let with = |cmd: &str, extra: &[&'static str]| -> Vec<String> {
        std::iter::once(cmd)
            .chain(base)
            .chain(extra.iter().copied())
            .map(str::to_owned)
            .collect()
    };
    for (cmd, extra, name) in [
        ("summarize", &[][..], "SummaryOutput"),
        ("classify", &[][..], "AssignmentReport"),
        ("rfm", &[][..], "RfmResult"),
        (
            "review",
            &["--previous-as-of", "1997-06-30"][..],
            "PeriodReview",
        ),
        ("metrics", &[][..], "LoyaltyReport"),
    ] {
        let args = with(cmd, extra);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let json = run(&refs, &format!("{cmd}.json"))?;
        assert_valid(name, &json)?;
    }
    let out = dir.path().join("report");
    crm()?
        .args(["report", "--quiet"])
        .args(base)
        .arg("--input")
        .arg(sample())
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("result.json"))?)?;
    assert_valid("Report", &report)?;
    // And a document that breaks the contract is caught.
    let mut broken = report.clone();
    broken["customers"] = serde_json::json!("many");
    let out = crm()?.args(["schema", "Report"]).output()?;
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    assert!(
        !jsonschema::validator_for(&schema)
            .map_err(|e| e.to_string())?
            .is_valid(&broken)
    );
    let unknown = crm()?.args(["schema", "NoSuchType"]).output()?;
    assert_eq!(unknown.status.code(), Some(2));
    Ok(())
}

#[test]
fn clv_fit_reproduces_bg_nbd_on_cdnow_and_predict_scores_every_customer() -> TestResult {
    let dir = tempfile::tempdir()?;
    let model = dir.path().join("model.json");
    let cdnow = [
        "--format",
        "cdnow",
        "--as-of",
        "1997-09-30",
        "--unit",
        "week",
    ];
    crm()?
        .args(["clv", "fit"])
        .args(cdnow)
        .arg("--input")
        .arg(sample())
        .arg("--output")
        .arg(&model)
        .assert()
        .success();
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model)?)?;
    assert_valid("ClvModelFile", &m)?;
    assert_eq!(m["format"], "crm-engine/clv-model");
    assert_eq!(m["version"], 1);
    assert_eq!(m["as_of"], "1997-09-30");
    assert_eq!(m["repeat"]["model"]["kind"], "bg_nbd");
    assert_eq!(m["spend"]["model"]["kind"], "gamma_gamma");
    // The spend fit set: the 946 repeat buyers of CDNOW's calibration period.
    assert_eq!(m["spend"]["fit_set"]["used"], 946.0);
    assert_eq!(m["spend"]["fit_set"]["customers"], 2357.0);
    // Fader, Hardie & Lee (2005): r 0.243, alpha 4.414, a 0.793, b 2.426, LL -9582.4.
    for (name, want) in [("r", 0.243), ("alpha", 4.414), ("a", 0.793), ("b", 2.426)] {
        let got = m["repeat"]["model"]["params"][name].as_f64().ok_or(name)?;
        assert!((got - want).abs() < 1e-3, "{name}: {got}");
    }
    assert!(
        (m["repeat"]["model"]["log_likelihood"]
            .as_f64()
            .ok_or("ll")?
            + 9582.4)
            .abs()
            < 0.1
    );
    let out = crm()?
        .args(["clv", "predict"])
        .args(cdnow)
        .arg("--input")
        .arg(sample())
        .arg("--model-file")
        .arg(&model)
        .output()?;
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout)?;
    assert!(text.starts_with("customer_id,p_alive,expected_purchases,expected_spend,clv"));
    assert_eq!(text.lines().count(), 2358);
    let parquet = dir.path().join("clv.parquet");
    crm()?
        .args(["clv", "predict"])
        .args(cdnow)
        .arg("--input")
        .arg(sample())
        .arg("--model-file")
        .arg(&model)
        .arg("-o")
        .arg(&parquet)
        .assert()
        .success();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        std::fs::File::open(&parquet)?,
    )?;
    assert_eq!(
        Some(crm_io::tables::layout("clv_predictions", reader.schema()).as_str()),
        crm_io::tables::golden_layout("clv_predictions"),
        "crm clv predict writes the golden clv_predictions layout"
    );
    let json = dir.path().join("clv.json");
    crm()?
        .args(["clv", "predict"])
        .args(cdnow)
        .arg("--input")
        .arg(sample())
        .arg("--model-file")
        .arg(&model)
        .arg("-o")
        .arg(&json)
        .assert()
        .success();
    let p: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json)?)?;
    assert_valid("ClvPredictions", &p)?;
    let customers = p["customers"].as_array().ok_or("customers")?;
    assert_eq!(customers.len(), 2357);
    assert!(customers.iter().all(|c| {
        c["p_alive"]
            .as_f64()
            .is_some_and(|x| (0.0..=1.0).contains(&x))
    }));
    let days = crm()?
        .args([
            "clv",
            "predict",
            "--format",
            "cdnow",
            "--as-of",
            "1997-09-30",
            "--input",
        ])
        .arg(sample())
        .arg("--model-file")
        .arg(&model)
        .output()?;
    assert_eq!(
        days.status.code(),
        Some(2),
        "a model fitted in weeks is not applied to days"
    );
    let newer = write(
        dir.path(),
        "newer.json",
        &std::fs::read_to_string(&model)?.replacen("\"version\": 1", "\"version\": 7", 1),
    )?;
    let bad = crm()?
        .args(["clv", "predict"])
        .args(cdnow)
        .arg("--input")
        .arg(sample())
        .arg("--model-file")
        .arg(&newer)
        .output()?;
    assert_eq!(bad.status.code(), Some(3));
    assert!(String::from_utf8(bad.stderr)?.contains("version 7 is not supported"));
    let junk = write(dir.path(), "junk.json", "{\"unit\": \"Week\"}")?;
    let bad = crm()?
        .args(["clv", "predict"])
        .args(cdnow)
        .arg("--input")
        .arg(sample())
        .arg("--model-file")
        .arg(&junk)
        .output()?;
    assert_eq!(bad.status.code(), Some(3));
    Ok(())
}

/// Runs `crm metrics` (CSV on stdout), checks it succeeded, and returns the
/// figures by metric name.
fn metrics_of(
    output: std::process::Output,
) -> Result<std::collections::BTreeMap<String, String>, Box<dyn std::error::Error>> {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8(output.stdout)?
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('"').to_owned()))
        .collect())
}

#[test]
fn metrics_on_the_sample_match_an_independent_count_over_every_purchase_day() -> TestResult {
    use chrono::NaiveDate;
    use std::collections::{BTreeMap, BTreeSet};
    // The oracle reads every purchase day and applies the inactivity rule
    // day by day: in the base on d when some purchase p has p <= d < p + 181.
    let text = std::fs::read_to_string(sample())?;
    let mut days: BTreeMap<String, BTreeSet<NaiveDate>> = BTreeMap::new();
    let mut orders_in_period = 0;
    let (start, end) = (
        NaiveDate::from_ymd_opt(1998, 1, 1).ok_or("date")?,
        NaiveDate::from_ymd_opt(1998, 6, 30).ok_or("date")?,
    );
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let day = NaiveDate::parse_from_str(f[2], "%Y%m%d")?;
        orders_in_period += u64::from((start..=end).contains(&day));
        days.entry(f[0].to_owned()).or_default().insert(day);
    }
    let in_base = |d: &BTreeSet<NaiveDate>, day: NaiveDate| {
        d.iter().any(|&p| p <= day && (day - p).num_days() < 181)
    };
    let before = start.pred_opt().ok_or("date")?;
    let period: Vec<NaiveDate> = start.iter_days().take_while(|d| *d <= end).collect();
    let (mut at_start, mut at_end, mut retained, mut lost, mut returned, mut active, mut repeat) =
        (0, 0, 0, 0, 0, 0, 0);
    let (mut entered, mut joined) = (0, 0);
    for d in days.values() {
        let s = in_base(d, before);
        let e = in_base(d, end);
        at_start += u64::from(s);
        at_end += u64::from(e);
        retained += u64::from(s && e);
        let mut was = s;
        let (mut lost_here, mut back_here, mut joined_here) = (false, false, false);
        for &day in &period {
            let is = in_base(d, day);
            lost_here |= was && !is;
            back_here |= !was && is && d.iter().any(|&p| p < day);
            joined_here |= !was && is;
            was = is;
        }
        lost += u64::from(s && lost_here);
        returned += u64::from(back_here);
        entered += u64::from(e && !s);
        joined += u64::from(joined_here);
        let occasions = d.iter().filter(|p| (start..=end).contains(*p)).count();
        active += u64::from(occasions >= 1);
        repeat += u64::from(occasions >= 2);
    }
    let out = crm()?
        .args([
            "metrics",
            "--format",
            "cdnow",
            "--as-of",
            "1998-06-30",
            "--period-start",
            "1998-01-01",
            "--inactive-days",
            "181",
            "--input",
        ])
        .arg(sample())
        .output()?;
    let m = metrics_of(out)?;
    for (name, want) in [
        ("customers_at_start", at_start),
        ("customers_at_end", at_end),
        ("retained", retained),
        ("lost", lost),
        ("returned", returned),
        ("acquired", 0),
        ("joined", joined),
        ("active_customers", active),
        ("repeat_customers", repeat),
        ("orders", orders_in_period),
    ] {
        assert_eq!(m[name], want.to_string(), "{name}");
    }
    let retention: Decimal = m["retention_rate"].parse()?;
    assert_eq!(
        retention,
        (Decimal::from(retained) / Decimal::from(at_start)).round_dp(6)
    );
    // acquisition = N / S, N in the base at the end but not at the start
    let acquisition: Decimal = m["acquisition_rate"].parse()?;
    assert_eq!(
        acquisition,
        (Decimal::from(entered) / Decimal::from(at_start)).round_dp(6)
    );
    Ok(())
}

#[test]
fn metrics_with_complaints_referrals_and_answers_match_a_hand_count() -> TestResult {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    // Period March 2024, rule 60 days. Customer 1 stays (bought 10 Jan, 5 and
    // 20 March); 2 is lost on 15 March (60 days after 15 January); 3 is new
    // on 12 March; 4 was lost on 30 November and comes back on 25 March.
    let tx = write(
        d,
        "tx.csv",
        "customer,date,amount\n1,2024-01-10,100\n1,2024-03-05,50\n1,2024-03-20,30\n2,2024-01-15,80\n3,2024-03-12,40\n4,2023-10-01,10\n4,2024-03-25,20\n",
    )?;
    let complaints = write(
        d,
        "complaints.csv",
        "customer,channel,opened,first_response,resolved\n3,phone,2024-03-13T09:00:00Z,2024-03-13T10:00:00Z,2024-03-14T09:00:00Z\n1,email,2024-02-01T09:00:00Z,,\n",
    )?;
    let referrals = write(
        d,
        "referrals.csv",
        "referrer,time\n1,2024-03-06T12:00:00Z\n2,2024-04-02\n",
    )?;
    let answers = write(
        d,
        "answers.csv",
        "customer,time,scale,score\n1,2024-03-06T12:00:00Z,csat,5\n3,2024-03-14,csat,2\n",
    )?;
    let json = d.join("m.json");
    let mut cmd = crm()?;
    cmd.args([
        "metrics",
        "--int-ids",
        "--as-of",
        "2024-03-31",
        "--period-start",
        "2024-03-01",
        "--inactive-days",
        "60",
        "--input",
    ])
    .arg(&tx)
    .arg("--complaints")
    .arg(&complaints)
    .arg("--referrals")
    .arg(&referrals)
    .arg("--answers")
    .arg(&answers);
    let out = cmd.output()?;
    let m = metrics_of(out)?;
    let third = (Decimal::ONE / Decimal::from(3)).round_dp(6).to_string();
    for (name, want) in [
        ("customers_at_start", "2"),
        ("customers_at_end", "3"),
        ("retained", "1"),
        ("lost", "1"),
        ("acquired", "1"),
        ("returned", "1"),
        ("joined", "2"),
        ("retention_rate", "0.5"),
        ("churn_rate", "0.5"),
        ("growth_rate", "0.5"),
        // N / S: 3 (new) and 4 (back) are in the base at the end, not at the start
        ("acquisition_rate", "1"),
        ("active_customers", "3"),
        ("repeat_customers", "1"),
        ("repeat_purchase_rate", third.as_str()),
        ("orders", "4"),
        ("referrers", "1"),
        ("referral_rate", third.as_str()),
        ("complaints", "1"),
        ("complaints_per_active_customer", third.as_str()),
        ("resolution_rate", "1"),
        ("csat", "0.5"),
    ] {
        assert_eq!(m.get(name).map(String::as_str), Some(want), "{name}");
    }
    cmd.arg("--output").arg(&json).assert().success();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json)?)?;
    assert_valid("LoyaltyReport", &v)?;
    let rows = &v["metrics"]["rows"];
    assert_eq!(
        (
            rows["complaints"]["read"].as_u64(),
            rows["complaints"]["outside_period"].as_u64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(
        (
            rows["referrals"]["read"].as_u64(),
            rows["referrals"]["outside_period"].as_u64()
        ),
        (Some(2), Some(1))
    );

    // The firm's own base instead of the rule: customer 2 never left, and
    // customer 1 renewed on 15 March (until = the next since: no loss, no return).
    let base = write(
        d,
        "base.csv",
        "customer,since,until\n1,2023-01-01,2024-03-15\n1,2024-03-15,\n2,2023-06-01,\n3,2024-03-12,\n4,2023-01-01,\n",
    )?;
    let out = crm()?
        .args([
            "metrics",
            "--int-ids",
            "--as-of",
            "2024-03-31",
            "--period-start",
            "2024-03-01",
            "--input",
        ])
        .arg(&tx)
        .arg("--customer-base")
        .arg(&base)
        .output()?;
    let m = metrics_of(out)?;
    assert_eq!(
        (
            m["customers_at_start"].as_str(),
            m["lost"].as_str(),
            m["retention_rate"].as_str()
        ),
        ("3", "0", "1")
    );
    // S = {1, 2, 4}, E = {1, 2, 3, 4}, N = {3}: acquisition 1 / 3; joined {3}
    assert_eq!(
        (
            m["returned"].as_str(),
            m["joined"].as_str(),
            m["churn_rate"].as_str(),
            m["acquisition_rate"].as_str()
        ),
        ("0", "1", "0", third.as_str())
    );
    Ok(())
}

#[test]
fn metrics_reject_bad_records_naming_file_row_and_column() -> TestResult {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let tx = write(d, "tx.csv", "customer,date,amount\n1,2024-03-05,50\n")?;
    let run = |extra: &[&std::ffi::OsStr]| -> Result<(Option<i32>, serde_json::Value), Box<dyn std::error::Error>> {
        let out = crm()?
            .args(["--json-errors", "metrics", "--int-ids", "--as-of", "2024-03-31", "--period-start", "2024-03-01", "--input"])
            .arg(&tx)
            .args(extra)
            .output()?;
        let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap_or(serde_json::Value::Null);
        Ok((out.status.code(), err))
    };
    // A complaint of a customer nobody knows: row 2 of the file.
    let c = write(
        d,
        "c.csv",
        "customer,channel,opened\n1,phone,2024-03-06T09:00:00Z\n9,phone,2024-03-07T09:00:00Z\n",
    )?;
    let (code, e) = run(&["--complaints".as_ref(), c.as_os_str()])?;
    assert_eq!(code, Some(3));
    assert_eq!(
        (e["row"].as_u64(), e["column"].as_str()),
        (Some(2), Some("customer")),
        "{e}"
    );
    // A missing column.
    let r = write(d, "r.csv", "who,time\n1,2024-03-06\n")?;
    let (code, e) = run(&["--referrals".as_ref(), r.as_os_str()])?;
    assert_eq!(
        (code, e["column"].as_str(), e["rule"].as_str()),
        (Some(3), Some("referrer"), Some("is missing")),
        "{e}"
    );
    // A score that is not a number.
    let a = write(
        d,
        "a.csv",
        "customer,time,scale,score\n1,2024-03-06,nps,ten\n",
    )?;
    let (code, e) = run(&["--answers".as_ref(), a.as_os_str()])?;
    assert_eq!(
        (code, e["row"].as_u64(), e["column"].as_str()),
        (Some(3), Some(1), Some("score")),
        "{e}"
    );
    // A rule shorter than the period is a usage error, found before reading.
    let (code, _) = run(&["--inactive-days".as_ref(), "7".as_ref()])?;
    assert_eq!(code, Some(2));
    Ok(())
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() -> TestResult {
    // `crm summarize … | head -1`: the pipe closes after one line.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("crm"))
        .args([
            "summarize",
            "--format",
            "cdnow",
            "--as-of",
            "1998-06-30",
            "--input",
        ])
        .arg(sample())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let mut stdout = child.stdout.take().ok_or("stdout")?;
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first)?;
    drop(stdout);
    let out = child.wait_with_output()?;
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

#[test]
fn a_spend_model_that_cannot_be_fitted_leaves_the_purchase_model_in_the_report() -> TestResult {
    // Every purchase costs exactly 10.00: no spread of spend for the
    // Gamma-Gamma model to fit, while purchase timing still varies.
    let dir = tempfile::tempdir()?;
    let mut text = String::from("customer,date,amount\n");
    let mut seed: u64 = 7;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let origin = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).ok_or("date")?;
    for customer in 1..=400 {
        let (purchases, start) = (1 + next(6), next(100));
        for _ in 0..purchases {
            let day = origin + chrono::Days::new(start + next(600));
            text.push_str(&format!("{customer},{day},10.00\n"));
        }
    }
    let input = write(dir.path(), "flat.csv", &text)?;
    let out = dir.path().join("report");
    let run = crm()?
        .args(["report", "--quiet", "--as-of", "2024-12-31", "--input"])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .output()?;
    assert!(run.status.success());
    // The missing figures are said on stderr too, even with --quiet.
    let err = String::from_utf8(run.stderr)?;
    assert!(
        err.starts_with("warning: the report has no CLV figures"),
        "{err}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("result.json"))?)?;
    assert_valid("Report", &json)?;
    assert!(json["lifetime_value"].is_null());
    assert!(
        json["lifetime_value_unavailable"]
            .as_str()
            .is_some_and(|w| w.contains("Gamma-Gamma")),
        "{}",
        json["lifetime_value_unavailable"]
    );
    assert_eq!(json["purchase_model"]["model"]["kind"], "bg_nbd");
    assert!(out.join("p_alive.png").is_file() && !out.join("clv.csv").exists());
    let md = std::fs::read_to_string(out.join("report.md"))?;
    assert!(md.contains("The spend model is not available"), "{md}");
    Ok(())
}

#[test]
fn a_customer_twice_in_row_2_of_the_base_is_reported_as_row_2_with_the_core_rule() -> TestResult {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let tx = write(d, "tx.csv", "customer,date,amount\n1,2024-03-05,50\n")?;
    let base = write(
        d,
        "base.csv",
        "customer,since,until\n1,2023-01-01,\n1,2023-06-01,\n",
    )?;
    let out = crm()?
        .args([
            "--json-errors",
            "metrics",
            "--int-ids",
            "--as-of",
            "2024-03-31",
            "--period-start",
            "2024-03-01",
            "--input",
        ])
        .arg(&tx)
        .arg("--customer-base")
        .arg(&base)
        .output()?;
    assert_eq!(out.status.code(), Some(3));
    let e: serde_json::Value = serde_json::from_slice(&out.stderr)?;
    assert_eq!(
        (
            e["row"].as_u64(),
            e["rule"].as_str(),
            e["customer"].as_str()
        ),
        (Some(2), Some("one_span_at_a_time"), Some("1")),
        "{e}"
    );
    Ok(())
}
