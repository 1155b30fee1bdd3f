//! The `crm report` and `crm schema` commands: the report on the sample, its
//! sections when a model cannot be fitted, and the JSON schemas of every
//! subcommand's output.

mod common;

use common::*;
use rust_decimal::Decimal;

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
        "model_comparison.csv",
        "holdout_forecast.csv",
        "holdout_scores.csv",
        "holdout_deciles.csv",
        "holdout_groups.csv",
        "tracking.csv",
        "tracking.png",
        "holdout_groups.png",
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
    // The model choice: Fader, Hardie & Lee's cut by default (the middle
    // of 1997-01-01 .. 1998-06-30), every repeat model scored on the
    // holdout, and the one of the lowest MAE used for the CLV.
    let v = &json["validation"];
    assert_eq!(v["calibration_end"], "1997-09-30");
    assert_eq!(v["choice"]["criterion"], "holdout_mae");
    let rows = v["comparison"].as_array().ok_or("comparison")?;
    assert_eq!(rows.len(), 3);
    let lowest = rows
        .iter()
        .filter(|r| r["converged"] == true)
        .min_by(|a, b| {
            let mae = |r: &serde_json::Value| r["holdout_mae"].as_f64().unwrap_or(f64::INFINITY);
            mae(a).total_cmp(&mae(b))
        })
        .ok_or("no converged model")?;
    assert_eq!(v["choice"]["kind"], lowest["kind"]);
    assert_eq!(
        json["lifetime_value"]["models"]["repeat"]["model"]["kind"],
        lowest["kind"]
    );
    assert_eq!(v["scores"]["actual_total"], 1882.0);
    assert_eq!(v["tracking"]["periods"].as_array().map(Vec::len), Some(78));
    assert!(md.contains("## Model choice and holdout validation"));
    for name in [
        "| BG/NBD |",
        "| MBG/NBD |",
        "| Pareto/NBD |",
        "Chosen: **",
        "(tracking.png)",
        "| 7+ |",
    ] {
        assert!(md.contains(name), "{name}");
    }
    let comparison = std::fs::read_to_string(out.join("model_comparison.csv"))?;
    assert_eq!(comparison.lines().count(), 4);
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
        err.contains("warning: the report has no CLV figures"),
        "{err}"
    );
    // The holdout forecast needs the spend model too: without it the
    // model is the lowest BIC, and the report says so.
    assert!(
        err.contains("warning: the report has no holdout validation"),
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
    assert!(json["validation"].is_null());
    assert!(
        json["bic_choice"]
            .as_str()
            .is_some_and(|w| w.contains("the lowest BIC")),
        "{}",
        json["bic_choice"]
    );
    let kind = json["purchase_model"]["model"]["kind"]
        .as_str()
        .unwrap_or("");
    assert!(
        json["bic_choice"].as_str().unwrap_or("").starts_with(kind),
        "{kind}"
    );
    assert!(out.join("p_alive.png").is_file() && !out.join("clv.csv").exists());
    let md = std::fs::read_to_string(out.join("report.md"))?;
    assert!(md.contains("The spend model is not available"), "{md}");
    Ok(())
}

#[test]
fn without_validation_the_report_uses_the_lowest_bic_and_says_so() -> TestResult {
    let dir = tempfile::tempdir()?;
    for (args, why) in [
        (vec!["--no-validation"], "--no-validation"),
        // A cut after the analysis date leaves no holdout.
        (vec!["--calibration-end", "1998-07-15"], "calibration"),
    ] {
        let out = dir.path().join(why);
        let run = crm()?
            .args([
                "report",
                "--quiet",
                "--format",
                "cdnow",
                "--as-of",
                "1998-06-30",
            ])
            .args(&args)
            .arg("--input")
            .arg(sample())
            .arg("--out")
            .arg(&out)
            .output()?;
        assert!(run.status.success(), "{args:?}");
        let err = String::from_utf8(run.stderr)?;
        assert_eq!(
            err.contains("warning: the report has no holdout validation"),
            why != "--no-validation",
            "{err}"
        );
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("result.json"))?)?;
        assert_valid("Report", &json)?;
        assert!(json["validation"].is_null());
        assert!(
            json["validation_unavailable"]
                .as_str()
                .is_some_and(|w| w.contains(why)),
            "{}",
            json["validation_unavailable"]
        );
        let bic = json["bic_choice"].as_str().unwrap_or("");
        let kind = json["lifetime_value"]["models"]["repeat"]["model"]["kind"]
            .as_str()
            .unwrap_or("?");
        assert!(bic.starts_with(&format!("{kind}: the lowest BIC")), "{bic}");
        assert!(!out.join("tracking.png").exists());
        let md = std::fs::read_to_string(out.join("report.md"))?;
        assert!(md.contains("No holdout validation"), "{md}");
    }
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
fn the_report_gives_intervals_of_the_clv_totals_when_asked() -> TestResult {
    let dir = tempfile::tempdir()?;
    for (args, level) in [
        (vec!["--level", "0.9"], Some(0.9)),
        (vec!["--level", "0.8"], Some(0.8)),
        (vec![], None),
    ] {
        let out = dir.path().join(format!("{level:?}"));
        crm()?
            .args([
                "report",
                "--quiet",
                "--format",
                "cdnow",
                "--as-of",
                "1998-06-30",
            ])
            .args(&args)
            .arg("--input")
            .arg(sample())
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("result.json"))?)?;
        assert_valid("Report", &json)?;
        let md = std::fs::read_to_string(out.join("report.md"))?;
        let Some(level) = level else {
            assert!(json.get("clv_intervals").is_none());
            assert!(!out.join("clv_intervals.csv").exists() && !md.contains("% intervals from"));
            assert!(md.contains("--level 0.9"), "{md}");
            continue;
        };
        let iv = &json["clv_intervals"];
        assert_eq!(iv["level"], level);
        let total = &iv["total_clv"];
        let (lo, est, hi) = (
            total["lower"].as_f64().ok_or("lower")?,
            total["estimate"].as_f64().ok_or("estimate")?,
            total["upper"].as_f64().ok_or("upper")?,
        );
        assert!(lo < est && est < hi, "{total}");
        assert!(
            md.contains(&format!("How sure: {:.0} % intervals", 100.0 * level)),
            "{md}"
        );
        let csv = std::fs::read_to_string(out.join("clv_intervals.csv"))?;
        assert_eq!(csv.lines().count(), 2358);
        // The per-customer CLV sums to the total's estimate.
        let sum: f64 = csv
            .lines()
            .skip(1)
            .map(|l| {
                l.split(',')
                    .nth(10)
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(f64::NAN)
            })
            .sum();
        assert!((sum - est).abs() < 1e-6 * est, "{sum} vs {est}");
    }
    Ok(())
}

#[test]
fn the_report_sets_past_tiers_beside_the_tiers_on_predicted_clv() -> TestResult {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("r");
    crm()?
        .args([
            "report",
            "--quiet",
            "--format",
            "cdnow",
            "--as-of",
            "1998-06-30",
        ])
        .arg("--input")
        .arg(sample())
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("result.json"))?)?;
    assert_valid("Report", &json)?;
    let p = &json["predicted_tiers"];
    assert_eq!(p["value"], "clv");
    // Independently of the review: each customer's tier in the two tier
    // tables, counted by pair.
    let tiers = |file: &str| -> Result<Vec<(String, String)>, Box<dyn std::error::Error>> {
        let text = std::fs::read_to_string(out.join(file))?;
        Ok(text
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f[0].to_owned(), f[2].to_owned())
            })
            .collect())
    };
    let (past, predicted) = (tiers("tiers.csv")?, tiers("predicted_tiers.csv")?);
    assert_eq!(past.len(), 2357);
    let mut pairs = std::collections::BTreeMap::new();
    let clv = std::fs::read_to_string(out.join("clv.csv"))?;
    for ((a, from), ((b, to), line)) in past.iter().zip(predicted.iter().zip(clv.lines().skip(1))) {
        assert_eq!(a, b);
        assert!(line.starts_with(&format!("{a},")));
        *pairs.entry((from.clone(), to.clone())).or_insert(0u64) += 1;
    }
    let cells = p["transitions"].as_array().ok_or("transitions")?;
    assert_eq!(cells.len(), pairs.len());
    for c in cells {
        let key = (
            c["from"].as_str().unwrap_or("").to_owned(),
            c["to"].as_str().unwrap_or("").to_owned(),
        );
        assert_eq!(
            Some(&c["customers"].as_u64().unwrap_or(0)),
            pairs.get(&key),
            "{key:?}"
        );
    }
    let counts = &p["counts"];
    let moved = |k: &str| counts[k].as_u64().unwrap_or(0);
    assert_eq!(
        moved("promoted") + moved("demoted") + moved("unchanged"),
        2357
    );
    let md = std::fs::read_to_string(out.join("report.md"))?;
    assert!(md.contains("## Past and predicted tiers"), "{md}");
    assert!(md.contains(&format!("{} customers move up", moved("promoted"))));
    Ok(())
}
