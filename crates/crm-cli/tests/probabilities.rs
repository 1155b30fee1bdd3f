//! `crm clv probabilities`: Pareto/NBD's conditional probabilities of 0, 1,
//! … purchases over the horizon, from a model file.

mod common;

use common::*;

#[test]
fn each_customer_gets_a_distribution_whose_mean_is_the_expected_purchases() -> TestResult {
    let dir = tempfile::tempdir()?;
    let model = fit_model(dir.path(), "pareto_nbd")?;
    let run =
        |what: &str, extra: &[&str]| -> Result<serde_json::Value, Box<dyn std::error::Error>> {
            let json = dir.path().join(format!("{what}.json"));
            let out = crm()?
                .args(["clv", what, "--quiet", "--months", "6"])
                .args(extra)
                .args(CDNOW_CALIBRATION)
                .arg("--input")
                .arg(sample())
                .arg("--model-file")
                .arg(&model)
                .arg("-o")
                .arg(&json)
                .output()?;
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            Ok(serde_json::from_str(&std::fs::read_to_string(&json)?)?)
        };
    let p = run("probabilities", &["--max-purchases", "40"])?;
    assert_valid("ClvPurchaseProbabilities", &p)?;
    let predicted = run("predict", &[])?;
    let (rows, expected) = (
        p["customers"].as_array().ok_or("customers")?,
        predicted["customers"].as_array().ok_or("customers")?,
    );
    assert_eq!(rows.len(), 2357);
    let mut checked = 0;
    for (row, e) in rows.iter().zip(expected) {
        assert_eq!(row["customer"], e["customer"]);
        let ps: Vec<f64> = row["probabilities"]
            .as_array()
            .ok_or("probabilities")?
            .iter()
            .map(|v| v.as_f64().unwrap_or(f64::NAN))
            .collect();
        assert_eq!(ps.len(), 42);
        assert!(ps.iter().all(|p| (0.0..=1.0).contains(p)));
        assert!((ps.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        // The PMF and the closed-form conditional expectation are two
        // formulas: where the tail is negligible their means agree, and
        // elsewhere the head's mean stays below the expectation.
        let mean: f64 = ps[..41].iter().enumerate().map(|(n, p)| n as f64 * p).sum();
        let want = e["expected_purchases"].as_f64().ok_or("expected")?;
        if ps[41] < 1e-13 {
            assert!(
                (mean - want).abs() < 1e-8 * want.max(1.0),
                "{mean} vs {want}"
            );
            checked += 1;
        } else {
            assert!(mean <= want * (1.0 + 1e-9), "{mean} vs {want}");
        }
    }
    assert!(checked > 2200, "{checked}");
    Ok(())
}

#[test]
fn the_table_has_the_golden_layout_and_a_row_per_customer_and_count() -> TestResult {
    let dir = tempfile::tempdir()?;
    let model = fit_model(dir.path(), "pareto_nbd")?;
    let parquet = dir.path().join("p.parquet");
    crm()?
        .args(["clv", "probabilities", "--quiet", "--max-purchases", "3"])
        .args(CDNOW_CALIBRATION)
        .arg("--input")
        .arg(sample())
        .arg("--model-file")
        .arg(&model)
        .arg("-o")
        .arg(&parquet)
        .assert()
        .success();
    let builder = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
        std::fs::File::open(&parquet)?,
    )?;
    assert_eq!(
        Some(crm_io::tables::layout("purchase_probabilities", builder.schema()).as_str()),
        crm_io::tables::golden_layout("purchase_probabilities")
    );
    let reader = builder.build()?;
    let rows: usize = reader
        .map(|b| b.map(|b| b.num_rows()))
        .sum::<Result<_, _>>()?;
    assert_eq!(rows, 2357 * 5);
    Ok(())
}

#[test]
fn another_model_or_too_many_purchases_is_a_usage_error() -> TestResult {
    let dir = tempfile::tempdir()?;
    let bg = fit_model(dir.path(), "bg_nbd")?;
    let pareto = fit_model(dir.path(), "pareto_nbd")?;
    for (model, extra, says) in [(&bg, "10", "pareto_nbd"), (&pareto, "201", "max-purchases")] {
        let out = crm()?
            .args(["clv", "probabilities", "--quiet", "--max-purchases", extra])
            .args(CDNOW_CALIBRATION)
            .arg("--input")
            .arg(sample())
            .arg("--model-file")
            .arg(model)
            .output()?;
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr)?;
        assert!(err.contains(says), "{err}");
    }
    Ok(())
}
