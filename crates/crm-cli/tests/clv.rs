//! `crm clv fit` and `crm clv predict`: BG/NBD on CDNOW, saved models,
//! damaged model files.

mod common;

use common::*;

#[test]
fn clv_fit_reproduces_bg_nbd_on_cdnow_and_predict_scores_every_customer() -> TestResult {
    let dir = tempfile::tempdir()?;
    let model = dir.path().join("model.json");
    let cdnow = CDNOW_CALIBRATION;
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

#[test]
fn clv_fit_auto_keeps_the_model_of_the_lowest_bic_and_says_why() -> TestResult {
    let dir = tempfile::tempdir()?;
    let cdnow = CDNOW_CALIBRATION;
    let fit = |model: &str| -> Result<(serde_json::Value, String), Box<dyn std::error::Error>> {
        let file = dir.path().join(format!("{model}.json"));
        let out = crm()?
            .args(["clv", "fit", "--model", model])
            .args(cdnow)
            .arg("--input")
            .arg(sample())
            .arg("-o")
            .arg(&file)
            .output()?;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file)?)?;
        assert_valid("ClvModelFile", &m)?;
        Ok((m, String::from_utf8(out.stderr)?))
    };
    // BIC = k ln n − 2 LL over the 2,357 customers, from each named fit.
    let mut bics = Vec::new();
    for model in ["bg_nbd", "mbg_nbd", "pareto_nbd"] {
        let (m, stderr) = fit(model)?;
        assert!(!stderr.contains("model choice"), "{stderr}");
        let ll = m["repeat"]["model"]["log_likelihood"]
            .as_f64()
            .ok_or("ll")?;
        bics.push((4.0 * 2357f64.ln() - 2.0 * ll, model));
    }
    bics.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (m, stderr) = fit("auto")?;
    assert_eq!(m["repeat"]["model"]["kind"], bics[0].1);
    let why = format!(
        "model choice: {}: the lowest BIC ({:.1}; ",
        bics[0].1, bics[0].0
    );
    assert!(stderr.contains(&why), "{stderr}\nwanted {why}");
    for (bic, model) in &bics[1..] {
        assert!(stderr.contains(&format!("{model} {bic:.1}")), "{stderr}");
    }
    let out = crm()?
        .args(["clv", "fit", "--model", "gamma_gamma", "-o"])
        .arg(dir.path().join("x.json"))
        .args(cdnow)
        .arg("--input")
        .arg(sample())
        .output()?;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr)?;
    assert!(
        stderr.contains("expected one of auto, bg_nbd, mbg_nbd, pareto_nbd"),
        "{stderr}"
    );
    Ok(())
}

#[test]
fn clv_fit_auto_with_a_calibration_end_keeps_the_lowest_holdout_error() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("auto.json");
    let args = [
        "--format",
        "cdnow",
        "--unit",
        "week",
        "--as-of",
        "1998-06-30",
    ];
    let out = crm()?
        .args([
            "clv",
            "fit",
            "--model",
            "auto",
            "--calibration-end",
            "1997-09-30",
        ])
        .args(args)
        .arg("--input")
        .arg(sample())
        .arg("-o")
        .arg(&file)
        .output()?;
    let stderr = String::from_utf8(out.stderr)?;
    assert!(out.status.success(), "{stderr}");
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file)?)?;
    assert_valid("ClvModelFile", &m)?;
    // The same choice `crm clv validate` scores: the model of the lowest
    // holdout MAE among the three, fitted on the whole period.
    let mut maes = Vec::new();
    for model in ["bg_nbd", "mbg_nbd", "pareto_nbd"] {
        let json = dir.path().join(format!("{model}.json"));
        let run = crm()?
            .args(["clv", "validate", "--quiet", "--model", model])
            .args(args)
            .args(["--calibration-end", "1997-09-30", "--input"])
            .arg(sample())
            .arg("--output")
            .arg(dir.path().join("f.csv"))
            .arg("--scores")
            .arg(&json)
            .output()?;
        assert!(run.status.success());
        let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json)?)?;
        maes.push((s["mae"].as_f64().ok_or("mae")?, model));
    }
    maes.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(m["repeat"]["model"]["kind"], maes[0].1);
    assert!(
        stderr.contains(&format!(
            "model choice: {}: the lowest holdout mean absolute error",
            maes[0].1
        )),
        "{stderr}"
    );
    assert!(stderr.contains("(calibration to 1997-09-30)"), "{stderr}");
    // A holdout chooses among models: a named model refuses it.
    let named = crm()?
        .args([
            "clv",
            "fit",
            "--model",
            "bg_nbd",
            "--calibration-end",
            "1997-09-30",
        ])
        .args(args)
        .arg("--input")
        .arg(sample())
        .arg("-o")
        .arg(dir.path().join("x.json"))
        .output()?;
    assert_eq!(named.status.code(), Some(2));
    assert!(String::from_utf8(named.stderr)?.contains("needs --model auto"));
    Ok(())
}
