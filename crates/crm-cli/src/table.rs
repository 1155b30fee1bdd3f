//! Where results go: the output path's format, tables (built and written by
//! `crm_io::tables`, the same layout as the Python package's) to a file or
//! stdout, and JSON for the serde form of a result.
//!
//! Money stays exact on the way out: crm-io writes a `Decimal` column as
//! Arrow `Decimal128(38, s)`, so CSV prints every digit and Parquet keeps a
//! decimal logical type.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::failure::Failure;

/// How a result is written, from the output file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    /// Comma-separated, with a header.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// The result's serde JSON form (the embedding contract).
    Json,
}

impl OutFormat {
    /// The format of `path` (`-` is CSV on stdout).
    pub fn of(path: &Path) -> Result<OutFormat, Failure> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            _ if path == Path::new("-") => Ok(OutFormat::Csv),
            Some("csv") => Ok(OutFormat::Csv),
            Some("parquet" | "pq") => Ok(OutFormat::Parquet),
            Some("json") => Ok(OutFormat::Json),
            _ => Err(Failure::usage(format!(
                "--output {}: unknown extension; use .csv, .parquet or .json (or - for CSV on stdout)",
                path.display()
            ))),
        }
    }
}

pub use crm_io::tables::Table;
use crm_io::tables::write::{TableFormat, write};

/// Writing a result table to the `--output` path: the format and the
/// writing are crm-io's ([`crm_io::tables::write`]), the same as every
/// front end's; the command only picks the file or stdout.
pub trait WriteTable {
    /// Writes the table as CSV or Parquet to `path` (`-`: CSV on stdout).
    fn write(&self, path: &Path) -> Result<(), Failure>;
}

impl WriteTable for Table {
    fn write(&self, path: &Path) -> Result<(), Failure> {
        let fail = |e: &dyn std::fmt::Display| {
            Failure::internal(format!("writing {}: {e}", path.display()))
        };
        let format = OutFormat::of(path)?;
        match format {
            OutFormat::Csv if path == Path::new("-") => {
                write(self, TableFormat::Csv, Stdout::default()).map_err(|e| fail(&e))
            }
            OutFormat::Csv => write(self, TableFormat::Csv, create(path)?).map_err(|e| fail(&e)),
            OutFormat::Parquet => {
                write(self, TableFormat::Parquet, create(path)?).map_err(|e| fail(&e))
            }
            OutFormat::Json => Err(Failure::internal(
                "a table has no JSON form; write the result instead",
            )),
        }
    }
}

/// Writes `value` as pretty JSON to `path` (`-`: stdout).
pub fn write_json<T: Serialize>(value: &T, path: &Path) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::internal(format!("serialising the result: {e}")))?;
    if path == Path::new("-") {
        return print_line(&text);
    }
    let mut f = create(path)?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.write_all(b"\n"))
        .map_err(|e| Failure::internal(format!("writing {}: {e}", path.display())))
}

/// Standard output for results, where a closed pipe is not an error: when
/// the reader stops early (`crm summarize … | head`), the rest of the output
/// is dropped quietly and the command still succeeds, as Unix filters do.
#[derive(Default)]
pub struct Stdout {
    closed: bool,
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        match std::io::stdout().lock().write(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(buf.len())
            }
            other => other,
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match std::io::stdout().lock().flush() {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        }
    }
}

/// Prints `text` and a newline on standard output (see [`Stdout`]).
pub fn print_line(text: &str) -> Result<(), Failure> {
    let mut out = Stdout::default();
    out.write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .map_err(|e| Failure::internal(format!("writing to stdout: {e}")))
}

/// Creates `path`, naming it when that fails.
pub fn create(path: &Path) -> Result<File, Failure> {
    File::create(path).map_err(|e| Failure::usage(format!("cannot create {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_output_extensions_are_usage_errors() {
        assert!(OutFormat::of(Path::new("x.xlsx")).is_err());
        assert_eq!(
            OutFormat::of(Path::new("x.PARQUET")).ok(),
            Some(OutFormat::Parquet)
        );
    }
}
