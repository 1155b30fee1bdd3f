//! Parquet input: the mapped columns only (a projection), read row group by
//! row group in batches of [`DEFAULT_BATCH_ROWS`] rows, each handed to the
//! accumulator through the Arrow path ([`crate::arrow_input`]), so the
//! accepted types and the treatment of bad values are the same.

use std::fs::File;
use std::path::Path;

use crm_core::records::summary::{SummaryConfig, SummaryOutput};
use crm_core::records::transaction::CalendarConfig;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::{ArrowReader, ColumnMapping, ColumnRef, IoError, Sink, accumulator};

/// Rows per batch read from Parquet.
pub const DEFAULT_BATCH_ROWS: usize = 64 * 1024;

/// Reads the mapped columns of a Parquet file into a [`Sink`]; returns the
/// number of rows.
///
/// # Errors
///
/// [`IoError::Read`] for a file that cannot be opened or decoded,
/// [`IoError::Column`] for a missing column or a wrong type, and the
/// sink's errors.
///
/// # Example
///
/// See [`summarize_parquet`].
pub fn read_parquet_into<S: Sink>(
    path: impl AsRef<Path>,
    mapping: &ColumnMapping,
    calendar: &CalendarConfig,
    batch_rows: usize,
    sink: S,
) -> Result<(S, u64), IoError> {
    let name = path.as_ref().display().to_string();
    let file = File::open(path.as_ref()).map_err(|e| IoError::read(&name, e))?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| IoError::read(&name, e))?;
    // Project the mapped top-level columns.
    let schema = builder.schema().clone();
    let top = |r: &ColumnRef| -> Result<usize, IoError> {
        match r {
            ColumnRef::Name(n) => schema
                .index_of(n)
                .map_err(|_| IoError::column(&name, r, "is not in the schema")),
            ColumnRef::Index(i) if *i < schema.fields().len() => Ok(*i),
            ColumnRef::Index(_) => Err(IoError::column(&name, r, "is not in the schema")),
        }
    };
    let mut wanted = Vec::new();
    for (_, r) in mapping.columns() {
        wanted.push(top(r)?);
    }
    wanted.sort_unstable();
    wanted.dedup();
    // The projection keeps field names: map by name inside.
    let by_name = |r: &ColumnRef| -> Result<ColumnRef, IoError> {
        let i = top(r)?;
        Ok(ColumnRef::Name(schema.field(i).name().clone()))
    };
    let opt = |r: &Option<ColumnRef>| r.as_ref().map(by_name).transpose();
    let inner = ColumnMapping {
        customer: by_name(&mapping.customer)?,
        date: by_name(&mapping.date)?,
        amount: by_name(&mapping.amount)?,
        quantity: opt(&mapping.quantity)?,
        margin: opt(&mapping.margin)?,
        discount: opt(&mapping.discount)?,
    };
    let mask = ProjectionMask::roots(builder.parquet_schema(), wanted.iter().copied());
    let reader = builder
        .with_projection(mask)
        .with_batch_size(batch_rows.max(1))
        .build()
        .map_err(|e| IoError::read(&name, e))?;
    let mut arrow = ArrowReader::new(sink, inner, *calendar, name.clone());
    for batch in reader {
        let batch = batch.map_err(|e| IoError::read(&name, e))?;
        arrow.add_record_batch(&batch)?;
    }
    let rows = arrow.rows();
    Ok((arrow.into_sink(), rows))
}

/// Summarises a Parquet file.
///
/// # Errors
///
/// As [`read_parquet_into`].
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use arrow::array::{ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch};
/// use chrono::NaiveDate;
/// use crm_core::records::summary::SummaryConfig;
/// use crm_io::{summarize_parquet, ColumnMapping};
///
/// let batch = RecordBatch::try_from_iter([
///     ("customer", Arc::new(Int64Array::from(vec![1, 1])) as ArrayRef),
///     ("date", Arc::new(Date32Array::from(vec![0, 7])) as ArrayRef),
///     ("amount", Arc::new(Float64Array::from(vec![4.0, 6.0])) as ArrayRef),
/// ])?;
/// let path = std::env::temp_dir().join(format!("crm-io-doc-{}.parquet", std::process::id()));
/// let mut w = parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&path)?, batch.schema(), None)?;
/// w.write(&batch)?;
/// w.close()?;
/// let config = SummaryConfig::new(NaiveDate::from_ymd_opt(1970, 1, 15).unwrap());
/// let out = summarize_parquet(&path, &ColumnMapping::default(), &crm_io::utc(), config)?;
/// assert_eq!(out.summaries.frequency, vec![1]);
/// std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn summarize_parquet(
    path: impl AsRef<Path>,
    mapping: &ColumnMapping,
    calendar: &CalendarConfig,
    config: SummaryConfig,
) -> Result<SummaryOutput, IoError> {
    let name = path.as_ref().display().to_string();
    let acc = accumulator(&name, config, mapping)?;
    let (acc, _) = read_parquet_into(path, mapping, calendar, DEFAULT_BATCH_ROWS, acc)?;
    acc.finish().map_err(|e| IoError::from_summary(&name, e))
}
