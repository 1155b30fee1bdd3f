//! Writing a result table as CSV or Parquet, the same way from every front
//! end.
//!
//! CSV prints every decimal digit (a `Decimal128` column prints at its
//! scale) and has a header; a list-of-text column (a customer's
//! behaviours) becomes one cell, its items joined by `;`, since CSV has no
//! lists. Parquet keeps the Arrow types (decimal logical type for money).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};

use super::Table;

/// A file format a table is written in.
///
/// ```
/// use crm_io::tables::write::TableFormat;
/// use std::path::Path;
/// assert_eq!(TableFormat::of(Path::new("x.PARQUET")), Some(TableFormat::Parquet));
/// assert_eq!(TableFormat::of(Path::new("x.json")), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// Comma-separated, with a header.
    Csv,
    /// Apache Parquet.
    Parquet,
}

impl TableFormat {
    /// The format a path's extension names (`.csv`; `.parquet` or `.pq`),
    /// case-insensitively; `None` for any other.
    pub fn of(path: &Path) -> Option<TableFormat> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Some(TableFormat::Csv),
            Some("parquet" | "pq") => Some(TableFormat::Parquet),
            _ => None,
        }
    }
}

/// Writing a table failed (the writer's own message; no data value).
///
/// ```
/// let e = crm_io::tables::write::WriteError { message: "disk full".into() };
/// assert_eq!(e.to_string(), "writing the result table: disk full");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("writing the result table: {message}")]
pub struct WriteError {
    /// What the writer said.
    pub message: String,
}

fn fail(e: impl std::fmt::Display) -> WriteError {
    WriteError {
        message: e.to_string(),
    }
}

/// Writes `table` to `out` in `format`.
///
/// # Errors
///
/// [`WriteError`] when the table is inconsistent or `out` fails.
///
/// ```
/// use crm_io::tables::{Table, counts, texts, write::{write, TableFormat}};
/// let mut t = Table::default();
/// t.push("segment", texts(["Lost"])).push("occasions", counts([2]));
/// let mut out = Vec::new();
/// write(&t, TableFormat::Csv, &mut out)?;
/// assert_eq!(String::from_utf8(out).unwrap(), "segment,occasions\nLost,2\n");
/// # Ok::<(), crm_io::tables::write::WriteError>(())
/// ```
pub fn write<W: Write + Send>(
    table: &Table,
    format: TableFormat,
    out: W,
) -> Result<(), WriteError> {
    let batch = table.batch().map_err(fail)?;
    match format {
        TableFormat::Csv => {
            let batch = csv_ready(&batch)?;
            let mut w = arrow::csv::Writer::new(out);
            w.write(&batch).map_err(fail)
        }
        TableFormat::Parquet => {
            let mut w =
                parquet::arrow::ArrowWriter::try_new(out, batch.schema(), None).map_err(fail)?;
            w.write(&batch).map_err(fail)?;
            w.close().map(|_| ()).map_err(fail)
        }
    }
}

/// The batch with every list-of-text column as text, items joined by `;`
/// (null stays null).
fn csv_ready(batch: &RecordBatch) -> Result<RecordBatch, WriteError> {
    let mut fields = Vec::with_capacity(batch.num_columns());
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(batch.num_columns());
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        match column.data_type() {
            DataType::List(_) => {
                let list = column.as_list::<i32>();
                let joined: StringArray = (0..list.len())
                    .map(|i| {
                        (!list.is_null(i)).then(|| {
                            let items = list.value(i);
                            let items = items.as_string_opt::<i32>();
                            items
                                .map(|s| s.iter().flatten().collect::<Vec<_>>().join(";"))
                                .unwrap_or_default()
                        })
                    })
                    .collect();
                fields.push(Field::new(field.name(), DataType::Utf8, true));
                columns.push(Arc::new(joined));
            }
            _ => {
                fields.push(field.as_ref().clone());
                columns.push(column.clone());
            }
        }
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::{MoneyType, money};
    use arrow::array::{ListBuilder, StringBuilder};
    use rust_decimal_macros::dec;

    #[test]
    fn csv_prints_every_decimal_digit_and_joins_lists_with_semicolons() {
        let mut b = ListBuilder::new(StringBuilder::new());
        b.values().append_value("returner");
        b.values().append_value("discount_seeker");
        b.append(true);
        b.append(true);
        let mut t = Table::default();
        t.push(
            "spend",
            money(MoneyType::Decimal128, [Some(dec!(1.5)), Some(dec!(0.125))]),
        )
        .push("behaviours", Arc::new(b.finish()));
        let mut out = Vec::new();
        write(&t, TableFormat::Csv, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "spend,behaviours\n1.500,returner;discount_seeker\n0.125,\n"
        );
    }

    #[test]
    fn parquet_keeps_the_layout() {
        let mut t = Table::default();
        t.push("spend", money(MoneyType::Decimal128, [Some(dec!(2.25))]));
        let path =
            std::env::temp_dir().join(format!("crm-io-write-{}.parquet", std::process::id()));
        write(
            &t,
            TableFormat::Parquet,
            std::fs::File::create(&path).unwrap(),
        )
        .unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let r =
            parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        let _ = std::fs::remove_file(&path);
        assert_eq!(
            crate::tables::layout("x", r.schema()),
            crate::tables::layout("x", &t.schema())
        );
    }
}
