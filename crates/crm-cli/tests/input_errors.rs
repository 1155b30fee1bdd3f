//! Broken transaction files and command lines: exit codes, messages and
//! JSON errors (file, row, column, rule), never a panic.

mod common;

use common::*;
use crm_core::records::summary::SummaryOutput;

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
