//! `crm clv tiers`: value tiers on predicted CLV or expected purchases.

mod common;

use common::*;

#[test]
fn customers_are_tiered_on_their_predicted_value_and_the_moves_are_written() -> TestResult {
    let dir = tempfile::tempdir()?;
    let model = fit_model(dir.path(), "bg_nbd")?;
    let run = |extra: &[&str], file: &str| -> Result<String, Box<dyn std::error::Error>> {
        let path = dir.path().join(file);
        crm()?
            .args(["clv", "--quiet"])
            .args(extra)
            .args(CDNOW_CALIBRATION)
            .arg("--input")
            .arg(sample())
            .arg("--model-file")
            .arg(&model)
            .arg("-o")
            .arg(&path)
            .assert()
            .success();
        Ok(std::fs::read_to_string(path)?)
    };
    let moves = dir.path().join("moves.csv");
    let tiers = run(
        &[
            "tiers",
            "--by",
            "expected_purchases",
            "--moves",
            moves.to_str().ok_or("path")?,
        ],
        "tiers.csv",
    )?;
    let predicted = run(&["predict"], "p.csv")?;
    let rank = |t: &str| {
        ["inactive", "ordinary", "major", "most_valuable"]
            .iter()
            .position(|n| *n == t)
    };
    let mut rows = Vec::new();
    for (t, p) in tiers.lines().skip(1).zip(predicted.lines().skip(1)) {
        let (t, p): (Vec<&str>, Vec<&str>) = (t.split(',').collect(), p.split(',').collect());
        assert_eq!(t[0], p[0]);
        // The value is the expected purchases at a millionth.
        let want: f64 = p[2].parse()?;
        let got: f64 = t[1].parse()?;
        assert!((got - want).abs() <= 5e-7, "{got} vs {want}");
        rows.push((got, rank(t[2]).ok_or("tier")?));
    }
    assert_eq!(rows.len(), 2357);
    // A higher predicted value never sits in a lower tier.
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(rows.windows(2).all(|w| w[0].1 <= w[1].1));
    assert!(rows.iter().any(|r| r.1 == 3));
    let moves = std::fs::read_to_string(&moves)?;
    assert_eq!(moves.lines().count(), 2358);
    assert!(moves.lines().skip(1).all(|l| {
        let kind = l.split(',').nth(1).unwrap_or("");
        ["promoted", "demoted", "unchanged"].contains(&kind)
    }));
    Ok(())
}
