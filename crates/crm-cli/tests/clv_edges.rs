//! `crm clv` and the report on ordinary data at the edges: customers first
//! seen on the analysis date (T = 0), and horizons beyond crm-core's limit.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data/CDNOW_sample.txt")
}

fn crm() -> Result<Command, Box<dyn std::error::Error>> {
    Ok(Command::cargo_bin("crm")?)
}

/// On 1997-03-25, 30 of CDNOW's 2,357 customers made their first purchase
/// that very day (T = 0): the fit leaves them out by crm-core's rule and
/// counts them, predictions cover them as new customers, and the report
/// keeps its CLV section.
#[test]
fn customers_first_seen_on_the_analysis_date_are_counted_and_predicted() -> TestResult {
    let dir = tempfile::tempdir()?;
    let model = dir.path().join("m.json");
    let common = [
        "--format",
        "cdnow",
        "--as-of",
        "1997-03-25",
        "--unit",
        "week",
    ];
    crm()?
        .args(["clv", "fit", "--quiet"])
        .args(common)
        .arg("--input")
        .arg(sample())
        .arg("--output")
        .arg(&model)
        .assert()
        .success();
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model)?)?;
    let fit_set = &m["repeat"]["fit_set"];
    assert_eq!(fit_set["customers"], 2357.0);
    assert_eq!(fit_set["used"], 2327.0);
    assert_eq!(fit_set["excluded"][0]["reason"], "not_observed");
    assert_eq!(fit_set["excluded"][0]["customers"], 30.0);
    let csv = dir.path().join("p.csv");
    crm()?
        .args(["clv", "predict", "--quiet", "--months", "24"])
        .args(common)
        .arg("--input")
        .arg(sample())
        .arg("--model-file")
        .arg(&model)
        .arg("-o")
        .arg(&csv)
        .assert()
        .success();
    let text = std::fs::read_to_string(&csv)?;
    let rows: Vec<Vec<f64>> = text
        .lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .skip(1)
                .map(|v| v.parse().unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 2357);
    assert!(rows.iter().flatten().all(|v| v.is_finite() && *v >= 0.0));
    // BG/NBD: a new customer (no repeat purchase) is alive for sure.
    assert!(rows.iter().filter(|r| r[0] == 1.0).count() >= 30);
    let out = dir.path().join("report");
    let run = crm()?
        .args(["report", "--quiet"])
        .args(common)
        .arg("--input")
        .arg(sample())
        .arg("--out")
        .arg(&out)
        .output()?;
    assert!(run.status.success());
    assert!(
        run.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(out.join("clv.csv").is_file());
    let md = std::fs::read_to_string(out.join("report.md"))?;
    assert!(
        md.contains("30 first seen on the analysis date left out"),
        "{md}"
    );
    Ok(())
}

/// `--months 4294967295` hung in the CLV sum; beyond crm-core's
/// `horizon::MAX_PERIODS` it is a usage error naming the rule, at once.
#[test]
fn a_horizon_beyond_the_limit_is_a_usage_error_naming_the_rule() -> TestResult {
    let dir = tempfile::tempdir()?;
    let model = dir.path().join("m.json");
    let common = [
        "--format",
        "cdnow",
        "--as-of",
        "1997-09-30",
        "--unit",
        "week",
    ];
    crm()?
        .args(["clv", "fit", "--quiet"])
        .args(common)
        .arg("--input")
        .arg(sample())
        .arg("--output")
        .arg(&model)
        .assert()
        .success();
    for months in ["4294967295", "1201"] {
        let started = std::time::Instant::now();
        let out = crm()?
            .args([
                "--json-errors",
                "clv",
                "predict",
                "--quiet",
                "--months",
                months,
            ])
            .args(common)
            .arg("--input")
            .arg(sample())
            .arg("--model-file")
            .arg(&model)
            .arg("-o")
            .arg(dir.path().join("p.csv"))
            .output()?;
        assert_eq!(out.status.code(), Some(2), "{months}");
        let err: serde_json::Value = serde_json::from_slice(&out.stderr)?;
        assert_eq!(err["rule"], "horizon_limit", "{err}");
        assert_eq!(err["column"], "months", "{err}");
        assert!(
            err["message"].as_str().is_some_and(|m| m.contains("1200")),
            "{err}"
        );
        assert!(started.elapsed().as_secs() < 60);
    }
    Ok(())
}
