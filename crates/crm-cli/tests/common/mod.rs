//! Helpers shared by the `crm` command's test files: the bundled sample,
//! the binary, temporary input files, the JSON schemas and the metrics
//! table. Each test file uses some of them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub use assert_cmd::Command;

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data/CDNOW_sample.txt")
}

/// The bundled sample read as CDNOW's calibration period: to 1997-09-30,
/// in weeks (Fader, Hardie & Lee's 39 weeks).
pub const CDNOW_CALIBRATION: [&str; 6] = [
    "--format",
    "cdnow",
    "--as-of",
    "1997-09-30",
    "--unit",
    "week",
];

pub fn crm() -> Result<Command, Box<dyn std::error::Error>> {
    Ok(Command::cargo_bin("crm")?)
}

pub fn write(dir: &Path, name: &str, text: &str) -> Result<PathBuf, std::io::Error> {
    let p = dir.join(name);
    std::fs::write(&p, text)?;
    Ok(p)
}

/// Validates `instance` against the schema `crm schema NAME` prints.
pub fn assert_valid(name: &str, instance: &serde_json::Value) -> TestResult {
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

/// Runs `crm metrics` (CSV on stdout), checks it succeeded, and returns the
/// figures by metric name (`None`: undefined, an empty cell).
pub fn metrics_of(
    output: std::process::Output,
) -> Result<std::collections::BTreeMap<String, Option<f64>>, Box<dyn std::error::Error>> {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout)?;
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("metric,value"));
    let mut out = std::collections::BTreeMap::new();
    for (k, v) in lines.filter_map(|l| l.split_once(',')) {
        let v = if v.is_empty() {
            None
        } else {
            Some(v.parse::<f64>()?)
        };
        out.insert(k.to_owned(), v);
    }
    Ok(out)
}

/// Fits `model` (a repeat model's name) on the bundled sample's CDNOW
/// calibration period and returns the model file's path in `dir`.
pub fn fit_model(dir: &Path, model: &str) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let file = dir.join(format!("{model}.json"));
    crm()?
        .args(["clv", "fit", "--quiet", "--model", model])
        .args(CDNOW_CALIBRATION)
        .arg("--input")
        .arg(sample())
        .arg("--output")
        .arg(&file)
        .assert()
        .success();
    Ok(file)
}
