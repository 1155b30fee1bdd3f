//! Output tables: named Arrow columns written as CSV or Parquet, and JSON
//! for the serde form of a result.
//!
//! Money stays exact on the way out: a `Decimal` column becomes Arrow
//! `Decimal128(38, s)` with `s` the largest scale in the column, so CSV
//! prints every digit and Parquet keeps a decimal logical type.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, Date32Array, Decimal128Array, Float64Array, Int64Array, RecordBatch, StringArray,
    UInt64Array,
};
use chrono::NaiveDate;
use crm_core::CustomerId;
use crm_core::records::transaction::day_number;
use rust_decimal::Decimal;
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

/// Named columns of equal length.
#[derive(Debug, Default)]
pub struct Table {
    columns: Vec<(String, ArrayRef)>,
}

impl Table {
    /// Appends a column.
    pub fn push(&mut self, name: &str, column: ArrayRef) -> &mut Self {
        self.columns.push((name.to_owned(), column));
        self
    }

    /// The columns as one record batch.
    pub fn batch(&self) -> Result<RecordBatch, Failure> {
        RecordBatch::try_from_iter(self.columns.iter().map(|(n, c)| (n.as_str(), c.clone())))
            .map_err(|e| Failure::internal(format!("building the output table: {e}")))
    }

    /// Writes the table as CSV or Parquet to `path` (`-`: CSV on stdout).
    pub fn write(&self, path: &Path) -> Result<(), Failure> {
        let mut batch = self.batch()?;
        let fail = |e: &dyn std::fmt::Display| {
            Failure::internal(format!("writing {}: {e}", path.display()))
        };
        let format = OutFormat::of(path)?;
        if format == OutFormat::Csv {
            // CSV has no list type: crm-io's text encoding of list columns.
            batch = crm_io::tables::text::csv_ready(&batch).map_err(|e| fail(&e))?;
        }
        match format {
            OutFormat::Csv if path == Path::new("-") => {
                let mut w = arrow::csv::Writer::new(Stdout::default());
                w.write(&batch).map_err(|e| fail(&e))
            }
            OutFormat::Csv => {
                let mut w = arrow::csv::Writer::new(create(path)?);
                w.write(&batch).map_err(|e| fail(&e))
            }
            OutFormat::Parquet => {
                let mut w =
                    parquet::arrow::ArrowWriter::try_new(create(path)?, batch.schema(), None)
                        .map_err(|e| fail(&e))?;
                w.write(&batch).map_err(|e| fail(&e))?;
                w.close().map(|_| ()).map_err(|e| fail(&e))
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

/// Customer ids: integers when all are, else text.
pub fn ids(ids: &[CustomerId]) -> ArrayRef {
    if ids.iter().all(|i| matches!(i, CustomerId::Int(_))) {
        Arc::new(Int64Array::from_iter_values(
            ids.iter()
                .map(|i| if let CustomerId::Int(k) = i { *k } else { 0 }),
        ))
    } else {
        Arc::new(StringArray::from_iter_values(
            ids.iter().map(ToString::to_string),
        ))
    }
}

/// Exact decimals (nulls where `None`).
pub fn decimals<I: IntoIterator<Item = Option<Decimal>> + Clone>(values: I) -> ArrayRef {
    let scale = values
        .clone()
        .into_iter()
        .flatten()
        .map(|d| d.scale())
        .max()
        .unwrap_or(0)
        .min(28);
    let array: Decimal128Array = values
        .into_iter()
        .map(|v| {
            v.map(|mut d| {
                d.rescale(scale);
                d.mantissa()
            })
        })
        .collect();
    match array.clone().with_precision_and_scale(38, scale as i8) {
        Ok(a) => Arc::new(a),
        Err(_) => Arc::new(array),
    }
}

/// Dates.
pub fn dates(values: &[NaiveDate]) -> ArrayRef {
    Arc::new(Date32Array::from_iter_values(
        values.iter().map(|d| day_number(*d)),
    ))
}

/// Counts.
pub fn counts(values: impl IntoIterator<Item = u64>) -> ArrayRef {
    Arc::new(UInt64Array::from_iter_values(values))
}

/// Counts that may be absent (nulls where `None`).
pub fn optional_counts(values: impl IntoIterator<Item = Option<u64>>) -> ArrayRef {
    Arc::new(values.into_iter().collect::<UInt64Array>())
}

/// Floating-point figures (nulls where `None`).
pub fn floats(values: impl IntoIterator<Item = Option<f64>>) -> ArrayRef {
    Arc::new(values.into_iter().collect::<Float64Array>())
}

/// Text.
pub fn texts<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Array;
    use rust_decimal_macros::dec;

    #[test]
    fn decimals_keep_every_digit_at_the_largest_scale() {
        let a = decimals([Some(dec!(1.5)), None, Some(dec!(-2.125))]);
        let d = a
            .as_any()
            .downcast_ref::<Decimal128Array>()
            .map(|d| (d.scale(), d.value(0), d.is_null(1), d.value(2)));
        assert_eq!(d, Some((3, 1500, true, -2125)));
    }

    #[test]
    fn mixed_ids_are_written_as_text() {
        let a = ids(&[CustomerId::from(7), CustomerId::from("x")]);
        assert_eq!(a.data_type(), &arrow::datatypes::DataType::Utf8);
        assert_eq!(
            ids(&[CustomerId::from(7)]).data_type(),
            &arrow::datatypes::DataType::Int64
        );
    }

    #[test]
    fn unknown_output_extensions_are_usage_errors() {
        assert!(OutFormat::of(Path::new("x.xlsx")).is_err());
        assert_eq!(
            OutFormat::of(Path::new("x.PARQUET")).ok(),
            Some(OutFormat::Parquet)
        );
    }
}
