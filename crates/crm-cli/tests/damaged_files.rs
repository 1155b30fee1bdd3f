//! Damaged input files through the `crm` binary: truncated, bit-flipped or
//! with a huge length field, a Parquet file is bad input (exit 3) with a
//! message naming the file, in prose and with `--json-errors`, and never a
//! panic (exit 101, "panicked" and a stack trace on stderr).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch};
use assert_cmd::Command;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A real Parquet file of transactions (two row groups).
fn parquet_bytes() -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let n = 40;
    let batch = RecordBatch::try_from_iter([
        (
            "customer",
            Arc::new(Int64Array::from((0..n).map(|i| i % 5).collect::<Vec<_>>())) as ArrayRef,
        ),
        (
            "date",
            Arc::new(Date32Array::from(
                (0..n).map(|i| 19_000 + i as i32).collect::<Vec<_>>(),
            )),
        ),
        (
            "amount",
            Arc::new(Float64Array::from(
                (0..n).map(|i| i as f64 + 0.5).collect::<Vec<_>>(),
            )),
        ),
    ])?;
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(20))
        .build();
    let mut out = Vec::new();
    let mut w = ArrowWriter::try_new(&mut out, batch.schema(), Some(props))?;
    w.write(&batch)?;
    w.close()?;
    Ok(out)
}

/// What `crm summarize` did with the file: exit code and stderr.
fn summarize(file: &Path, json: bool) -> Result<(Option<i32>, String), Box<dyn std::error::Error>> {
    let mut cmd = Command::cargo_bin("crm")?;
    if json {
        cmd.arg("--json-errors");
    }
    let out = cmd
        .args([
            "--quiet",
            "summarize",
            "--as-of",
            "2024-12-31",
            "--output",
            "-",
            "--input",
        ])
        .arg(file)
        .output()?;
    Ok((out.status.code(), String::from_utf8(out.stderr)?))
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, std::io::Error> {
    let p = dir.join(name);
    std::fs::write(&p, bytes)?;
    Ok(p)
}

/// Exit 0 (a flip that left the file readable) or 3 with the file named;
/// never a panic.
fn is_a_result_or_bad_input_naming_the_file(
    file: &Path,
    json: bool,
) -> Result<Option<i32>, Box<dyn std::error::Error>> {
    let (code, stderr) = summarize(file, json)?;
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(matches!(code, Some(0 | 3)), "exit {code:?}: {stderr}");
    if code == Some(3) {
        let name = file.file_name().and_then(|n| n.to_str()).ok_or("name")?;
        if json {
            let err: serde_json::Value = serde_json::from_str(stderr.trim())?;
            assert_eq!(err["kind"], "bad_input", "{stderr}");
            assert!(
                err["file"].as_str().is_some_and(|f| f.ends_with(name)),
                "{stderr}"
            );
            assert!(err["rule"].is_string(), "{stderr}");
        } else {
            assert!(stderr.starts_with("error: "), "{stderr}");
            assert!(stderr.contains(name), "{stderr}");
        }
    }
    Ok(code)
}

#[test]
fn a_truncated_parquet_file_is_bad_input_naming_the_file_with_and_without_json_errors() -> TestResult
{
    let dir = tempfile::tempdir()?;
    let bytes = parquet_bytes()?;
    for (i, len) in [
        0,
        3,
        4,
        11,
        12,
        bytes.len() / 3,
        bytes.len() / 2,
        bytes.len() - 9,
        bytes.len() - 1,
    ]
    .into_iter()
    .enumerate()
    {
        let f = write(dir.path(), &format!("cut{i}.parquet"), &bytes[..len])?;
        for json in [false, true] {
            let code = is_a_result_or_bad_input_naming_the_file(&f, json)?;
            assert_eq!(code, Some(3), "cut at {len}");
        }
        let (_, stderr) = summarize(&f, true)?;
        let err: serde_json::Value = serde_json::from_str(stderr.trim())?;
        if len >= 12 {
            assert_eq!(err["rule"], "well_formed", "cut at {len}: {stderr}");
        }
    }
    Ok(())
}

#[test]
fn bit_flipped_and_huge_length_parquet_files_never_panic_the_cli() -> TestResult {
    let dir = tempfile::tempdir()?;
    let bytes = parquet_bytes()?;
    let mut damaged = Vec::new();
    // A bit flip every 23 bytes, across header, pages and footer.
    for (k, at) in (0..bytes.len()).step_by(23).enumerate() {
        let mut b = bytes.clone();
        b[at] ^= 1 << (k % 8);
        damaged.push(b);
    }
    // The footer length, and a word inside the footer, set to huge values.
    let n = bytes.len();
    for at in [n - 8, n - 40, n - 80] {
        let mut b = bytes.clone();
        b[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        damaged.push(b);
    }
    let mut bad_input = 0;
    for (i, b) in damaged.iter().enumerate() {
        let f = write(dir.path(), &format!("flip{i}.parquet"), b)?;
        let json = i % 2 == 0;
        if is_a_result_or_bad_input_naming_the_file(&f, json)? == Some(3) {
            bad_input += 1;
        }
    }
    // Most damage is seen (the flips in the footer at least).
    assert!(bad_input >= 3, "{bad_input} of {}", damaged.len());
    Ok(())
}

#[test]
fn a_csv_file_of_random_bytes_is_a_result_or_bad_input_never_a_panic() -> TestResult {
    let dir = tempfile::tempdir()?;
    let bytes = parquet_bytes()?;
    // Binary data read as CSV (by its extension).
    let f = write(dir.path(), "binary.csv", &bytes)?;
    for json in [false, true] {
        is_a_result_or_bad_input_naming_the_file(&f, json)?;
    }
    Ok(())
}
