//! `crm clv validate`: the CDNOW sample's 39 + 39 weeks (Fader, Hardie &
//! Lee 2005), its JSON against the schema, the tables against their golden
//! layouts, and a cut outside the observation.

mod common;

use common::*;

const CDNOW: [&str; 8] = [
    "--format",
    "cdnow",
    "--unit",
    "week",
    "--calibration-end",
    "1997-09-30",
    "--as-of",
    "1998-06-30",
];

#[test]
fn validate_fits_the_published_bg_nbd_and_scores_the_holdout() -> TestResult {
    let dir = tempfile::tempdir()?;
    let json = dir.path().join("forecast.json");
    crm()?
        .args(["clv", "validate"])
        .args(CDNOW)
        .arg("--input")
        .arg(sample())
        .arg("--output")
        .arg(&json)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json)?)?;
    assert_valid("ClvHoldoutForecast", &v)?;
    // Fitted on the calibration part only: the published parameters
    // (r 0.243, alpha 4.414, a 0.793, b 2.426).
    for (name, want) in [("r", 0.243), ("alpha", 4.414), ("a", 0.793), ("b", 2.426)] {
        let got = v["model"]["repeat"]["model"]["params"][name]
            .as_f64()
            .ok_or(name)?;
        assert!((got - want).abs() < 1e-3, "{name}: {got}");
    }
    assert_eq!(v["calibration_end"], "1997-09-30");
    assert_eq!(v["observation_end"], "1998-06-30");
    assert_eq!(v["duration_holdout"], 39.0);
    let s = &v["scores"];
    assert_eq!(s["customers"], 2357);
    // The sample's 1,882 holdout repeat occasions (FHL 2005's figure for
    // weeks 40-78 is 1,882 repeat transactions).
    assert_eq!(s["actual_total"], 1882.0);
    let predicted: f64 = v["predicted_purchases"]
        .as_array()
        .ok_or("predicted")?
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .sum();
    assert!((predicted - s["predicted_total"].as_f64().ok_or("total")?).abs() < 1e-9);
    assert_eq!(s["deciles"].as_array().ok_or("deciles")?.len(), 10);
    assert_eq!(s["lorenz"].as_array().ok_or("lorenz")?.len(), 101);
    Ok(())
}

#[test]
fn validate_writes_the_golden_tables() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = |n: &str| dir.path().join(n);
    crm()?
        .args(["clv", "validate"])
        .args(CDNOW)
        .arg("--input")
        .arg(sample())
        .arg("--output")
        .arg(path("f.parquet"))
        .arg("--scores")
        .arg(path("s.parquet"))
        .arg("--deciles")
        .arg(path("d.parquet"))
        .arg("--lorenz")
        .arg(path("l.parquet"))
        .arg("--tracking")
        .arg(path("t.parquet"))
        .arg("--groups")
        .arg(path("g.parquet"))
        .assert()
        .success();
    for (file, table) in [
        ("f.parquet", "holdout_forecast"),
        ("s.parquet", "holdout_scores"),
        ("d.parquet", "holdout_deciles"),
        ("l.parquet", "holdout_lorenz"),
        ("t.parquet", "tracking"),
        ("g.parquet", "holdout_groups"),
    ] {
        let f = std::fs::File::open(path(file))?;
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)?;
        let schema = reader.schema().clone();
        assert_eq!(
            crm_io::tables::layout(table, &schema),
            crm_io::tables::golden_layout(table).ok_or(table)?,
            "{table}"
        );
    }
    Ok(())
}

#[test]
fn the_tracking_curve_covers_39_weeks_each_side_of_the_cut() -> TestResult {
    let dir = tempfile::tempdir()?;
    let json = dir.path().join("tracking.json");
    crm()?
        .args(["clv", "validate", "--quiet"])
        .args(CDNOW)
        .arg("--input")
        .arg(sample())
        .arg("--output")
        .arg(dir.path().join("f.csv"))
        .arg("--tracking")
        .arg(&json)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json)?)?;
    assert_valid("ClvTrackingCurve", &v)?;
    let periods = v["periods"].as_array().ok_or("periods")?;
    assert_eq!(periods.len(), 78);
    let (cut, last) = (&periods[38], &periods[77]);
    assert_eq!(
        (cut["last_day"].as_str(), cut["holdout"].as_bool()),
        (Some("1997-09-30"), Some(false))
    );
    assert_eq!(periods[39]["holdout"], true);
    assert_eq!(last["last_day"], "1998-06-30");
    // The holdout's 1,882 repeat occasions (FHL 2005, weeks 40-78).
    let count = |p: &serde_json::Value| p["actual_cumulative"].as_u64().unwrap_or(0);
    assert_eq!(count(last) - count(cut), 1882);
    let weekly: f64 = periods.iter().filter_map(|p| p["expected"].as_f64()).sum();
    let total = last["expected_cumulative"].as_f64().ok_or("expected")?;
    assert!((weekly - total).abs() < 1e-9 * total);
    Ok(())
}

#[test]
fn the_groups_split_the_holdouts_1882_purchases_by_calibration_frequency() -> TestResult {
    let dir = tempfile::tempdir()?;
    let json = dir.path().join("groups.json");
    crm()?
        .args(["clv", "validate", "--quiet"])
        .args(CDNOW)
        .arg("--input")
        .arg(sample())
        .arg("--output")
        .arg(dir.path().join("f.csv"))
        .arg("--groups")
        .arg(&json)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json)?)?;
    assert_valid("ClvHoldoutGroups", &v)?;
    let groups = v["groups"].as_array().ok_or("groups")?;
    for grouping in ["frequency", "recency", "time_since_last_purchase"] {
        let of: Vec<_> = groups
            .iter()
            .filter(|g| g["grouping"] == grouping)
            .collect();
        let customers: u64 = of.iter().filter_map(|g| g["customers"].as_u64()).sum();
        assert_eq!(customers, 2357, "{grouping}");
        // Means times sizes give back the holdout's 1,882 purchases.
        let total: f64 = of
            .iter()
            .map(|g| {
                g["actual_purchases"].as_f64().unwrap_or(0.0)
                    * g["customers"].as_f64().unwrap_or(0.0)
            })
            .sum();
        assert!((total - 1882.0).abs() < 1e-9, "{grouping}: {total}");
    }
    let frequency: Vec<_> = groups
        .iter()
        .filter(|g| g["grouping"] == "frequency")
        .collect();
    assert_eq!(frequency.len(), 8);
    assert_eq!(
        (&frequency[7]["group"], &frequency[7]["and_more"]),
        (&7.into(), &true.into())
    );
    Ok(())
}

#[test]
fn a_refused_curve_or_grouping_is_bad_input_and_writes_nothing() -> TestResult {
    for (flag, file, option, rule) in [
        (
            "--tracking",
            "t.csv",
            ["--period-days", "0"],
            "rule tracking_period",
        ),
        (
            "--groups",
            "g.csv",
            ["--max-frequency", "0"],
            "rule holdout_groups",
        ),
    ] {
        let dir = tempfile::tempdir()?;
        let forecast = dir.path().join("f.csv");
        let out = crm()?
            .args(["--json-errors", "clv", "validate"])
            .args(CDNOW)
            .arg("--input")
            .arg(sample())
            .arg("--output")
            .arg(&forecast)
            .arg(flag)
            .arg(dir.path().join(file))
            .args(option)
            .output()?;
        assert_eq!(out.status.code(), Some(3), "{flag}");
        let e: serde_json::Value = serde_json::from_slice(&out.stderr)?;
        assert!(e["message"].as_str().unwrap_or("").contains(rule), "{e}");
        assert!(!forecast.exists() && !dir.path().join(file).exists());
    }
    Ok(())
}

#[test]
fn a_calibration_end_after_the_observation_is_bad_input() -> TestResult {
    let out = crm()?
        .args(["--json-errors", "clv", "validate", "--format", "cdnow"])
        .args([
            "--calibration-end",
            "1998-07-01",
            "--as-of",
            "1998-06-30",
            "--input",
        ])
        .arg(sample())
        .output()?;
    assert_eq!(out.status.code(), Some(3));
    let e: serde_json::Value = serde_json::from_slice(&out.stderr)?;
    assert_eq!(e["rule"], "calibration_end_in_window", "{e}");
    assert_eq!(e["column"], "calibration_end", "{e}");
    Ok(())
}
