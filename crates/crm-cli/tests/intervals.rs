//! `crm clv predict --level`: predictions with intervals from the fits'
//! covariances.

mod common;

use std::path::Path;

use common::*;

fn predict(
    dir: &Path,
    model: &Path,
    extra: &[&str],
    name: &str,
) -> Result<(std::path::PathBuf, String), Box<dyn std::error::Error>> {
    let out = dir.join(name);
    let run = crm()?
        .args(["clv", "predict"])
        .args(CDNOW_CALIBRATION)
        .arg("--input")
        .arg(sample())
        .arg("--model-file")
        .arg(model)
        .args(extra)
        .arg("-o")
        .arg(&out)
        .output()?;
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    Ok((out, String::from_utf8(run.stderr)?))
}

#[test]
fn every_prediction_lies_inside_its_interval_and_the_totals_are_reported() -> TestResult {
    let dir = tempfile::tempdir()?;
    let model = fit_model(dir.path(), "bg_nbd")?;
    let (plain, _) = predict(dir.path(), &model, &[], "plain.json")?;
    let (json, stderr) = predict(dir.path(), &model, &["--level", "0.8"], "iv.json")?;
    assert!(stderr.contains("80 % interval"), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json)?)?;
    assert_valid("ClvPredictions", &v)?;
    let p: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&plain)?)?;
    assert!(p.get("level").is_none() && p["customers"][0].get("intervals").is_none());
    assert_eq!(v["level"], 0.8);
    let customers = v["customers"].as_array().ok_or("customers")?;
    assert_eq!(customers.len(), 2357);
    let mut sum = 0.0;
    for (c, q) in customers
        .iter()
        .zip(p["customers"].as_array().ok_or("plain")?)
    {
        for k in ["p_alive", "expected_purchases", "expected_spend", "clv"] {
            // The estimates are those of a plain predict.
            assert_eq!(c[k], q[k], "{k}");
            let (lo, est, hi) = (
                c["intervals"][k][0].as_f64().ok_or("lo")?,
                c[k].as_f64().ok_or("est")?,
                c["intervals"][k][1].as_f64().ok_or("hi")?,
            );
            assert!(lo <= est && est <= hi, "{k}: {lo} {est} {hi}");
        }
        let (lo, hi) = (
            c["intervals"]["p_alive"][0].as_f64().ok_or("lo")?,
            c["intervals"]["p_alive"][1].as_f64().ok_or("hi")?,
        );
        assert!((0.0..=1.0).contains(&lo) && (0.0..=1.0).contains(&hi));
        sum += c["expected_purchases"].as_f64().ok_or("e")?;
    }
    let t = &v["totals"]["expected_purchases"];
    let (lo, est, hi) = (
        t["lower"].as_f64().ok_or("lower")?,
        t["estimate"].as_f64().ok_or("estimate")?,
        t["upper"].as_f64().ok_or("upper")?,
    );
    assert!((est - sum).abs() < 1e-9 * sum && lo < est && est < hi);
    // The table: the golden clv_intervals layout, a row per customer.
    let (parquet, _) = predict(dir.path(), &model, &["--level", "0.9"], "iv.parquet")?;
    let builder = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        std::fs::File::open(&parquet)?,
    )?;
    assert_eq!(
        Some(crm_io::tables::layout("clv_intervals", builder.schema()).as_str()),
        crm_io::tables::golden_layout("clv_intervals")
    );
    let rows: usize = builder
        .build()?
        .map(|b| b.map(|b| b.num_rows()))
        .sum::<Result<_, _>>()?;
    assert_eq!(rows, 2357);
    Ok(())
}

#[test]
fn a_level_outside_zero_and_one_is_a_usage_error() -> TestResult {
    let dir = tempfile::tempdir()?;
    let model = fit_model(dir.path(), "bg_nbd")?;
    for level in ["1", "0", "1.5", "NaN", "inf"] {
        let out = crm()?
            .args(["clv", "predict", "--quiet"])
            .args(CDNOW_CALIBRATION)
            .arg("--input")
            .arg(sample())
            .arg("--model-file")
            .arg(&model)
            .args(["--level", level])
            .output()?;
        assert_eq!(out.status.code(), Some(2), "{level}");
        assert!(String::from_utf8(out.stderr)?.contains("level"));
    }
    Ok(())
}
