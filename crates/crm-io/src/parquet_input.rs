//! Parquet input: the mapped columns only (a projection), read row group by
//! row group in batches of [`DEFAULT_BATCH_ROWS`] rows, each handed to the
//! accumulator through the Arrow path ([`crate::arrow_input`]), so the
//! accepted types and the treatment of bad values are the same.

use std::fs::File;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use crm_core::records::summary::{SummaryConfig, SummaryOutput};
use crm_core::records::transaction::CalendarConfig;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::{ARROW_SCHEMA_META_KEY, ProjectionMask};
use parquet::file::reader::ChunkReader;

use crate::damaged::guarded;

mod page_headers;
use crate::{ArrowReader, ColumnMapping, ColumnRef, IoError, Sink, accumulator};

/// Rows per batch read from Parquet.
pub const DEFAULT_BATCH_ROWS: usize = 64 * 1024;

/// The format name in [`IoError::Damaged`].
pub const FORMAT: &str = "Parquet";

/// Reads the mapped columns of a Parquet file into a [`Sink`]; returns the
/// number of rows.
///
/// # Errors
///
/// [`IoError::Read`] for a file that cannot be opened, [`IoError::Damaged`]
/// for one that is not a whole, valid Parquet file (truncated, corrupted:
/// found by validation, by the decoder, or by a decoder panic caught in
/// [`crate::damaged`]), [`IoError::Column`] for a missing column or a wrong
/// type, and the sink's errors.
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
    read_parquet_chunks_into(file, &name, mapping, calendar, batch_rows, sink)
}

/// As [`read_parquet_into`], from any source of Parquet bytes (an open
/// file, `bytes::Bytes` in memory) named `name` in errors.
///
/// # Errors
///
/// As [`read_parquet_into`].
///
/// # Example
///
/// See [`summarize_parquet_bytes`].
pub fn read_parquet_chunks_into<R: ChunkReader + 'static, S: Sink>(
    source: R,
    name: &str,
    mapping: &ColumnMapping,
    calendar: &CalendarConfig,
    batch_rows: usize,
    sink: S,
) -> Result<(S, u64), IoError> {
    let damaged = |e: parquet::errors::ParquetError| IoError::damaged(name, FORMAT, e);
    let metadata = guarded(name, FORMAT, || validated_metadata(&source, name))?;
    let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(source, metadata);
    // Project the mapped top-level columns.
    let schema = builder.schema().clone();
    let top = |r: &ColumnRef| -> Result<usize, IoError> {
        match r {
            ColumnRef::Name(n) => schema
                .index_of(n)
                .map_err(|_| IoError::column(name, r, "is not in the schema")),
            ColumnRef::Index(i) if *i < schema.fields().len() => Ok(*i),
            ColumnRef::Index(_) => Err(IoError::column(name, r, "is not in the schema")),
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
    let mut reader = guarded(name, FORMAT, || {
        let mask = ProjectionMask::roots(builder.parquet_schema(), wanted.iter().copied());
        builder
            .with_projection(mask)
            .with_batch_size(batch_rows.max(1))
            .build()
            .map_err(damaged)
    })?;
    let mut arrow = ArrowReader::new(sink, inner, *calendar, name.to_owned());
    // Only the decoder runs guarded: a panic in the accumulator is a bug,
    // not a damaged file.
    while let Some(batch) = guarded(name, FORMAT, || {
        reader
            .next()
            .transpose()
            .map_err(|e| IoError::damaged(name, FORMAT, e))
    })? {
        arrow.add_record_batch(&batch)?;
    }
    let rows = arrow.rows();
    Ok((arrow.into_sink(), rows))
}

/// Every record batch of a whole Parquet file (a relationship file: the
/// customer base, complaints, …), through the same checks and decoder guard
/// as the transaction reader: a damaged file is [`IoError::Damaged`], never
/// a panic.
pub(crate) fn read_all_batches(
    file: File,
    name: &str,
) -> Result<(arrow::datatypes::SchemaRef, Vec<arrow::array::RecordBatch>), IoError> {
    let damaged = |e: parquet::errors::ParquetError| IoError::damaged(name, FORMAT, e);
    let metadata = guarded(name, FORMAT, || validated_metadata(&file, name))?;
    let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata);
    let schema = builder.schema().clone();
    let mut reader = guarded(name, FORMAT, || builder.build().map_err(damaged))?;
    let mut batches = Vec::new();
    while let Some(batch) = guarded(name, FORMAT, || {
        reader
            .next()
            .transpose()
            .map_err(|e| IoError::damaged(name, FORMAT, e))
    })? {
        batches.push(batch);
    }
    Ok((schema, batches))
}

/// The file's metadata, after checking what can be checked before the
/// parquet crate decodes anything: the magic bytes, the footer length
/// against the file length, each column chunk's byte range against the file
/// length, each page header's declared sizes against what its compressed
/// bytes can hold ([`page_headers`]), and the embedded Arrow schema
/// ([`crate::ipc::check_schema`]: the arrow-ipc conversion panics on a
/// malformed one).
fn validated_metadata<R: ChunkReader>(
    source: &R,
    name: &str,
) -> Result<ArrowReaderMetadata, IoError> {
    let bad = |detail: &str| IoError::damaged(name, FORMAT, detail);
    let damaged = |e: parquet::errors::ParquetError| IoError::damaged(name, FORMAT, e);
    let len = source.len();
    if len < 12 {
        return Err(bad("the file is shorter than a Parquet header and footer"));
    }
    let head = source.get_bytes(0, 4).map_err(damaged)?;
    let tail = source.get_bytes(len - 8, 8).map_err(damaged)?;
    if tail[4..] == *b"PARE" {
        return Err(IoError::read(
            name,
            "the file is an encrypted Parquet file, which is not read",
        ));
    }
    if *head != *b"PAR1" || tail[4..] != *b"PAR1" {
        return Err(bad(
            "the file does not begin and end with the Parquet magic bytes",
        ));
    }
    let footer = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    if footer > len - 12 {
        return Err(bad("the footer is longer than the file"));
    }
    let plain = ArrowReaderOptions::new().with_skip_arrow_metadata(true);
    let bare = ArrowReaderMetadata::load(source, plain).map_err(damaged)?;
    let meta = bare.metadata();
    for group in meta.row_groups() {
        if group.num_rows() < 0 {
            return Err(bad("a row group has a negative row count"));
        }
        for column in group.columns() {
            // As `ColumnChunkMetaData::byte_range` computes it, which
            // asserts (panics) on negative values.
            let start = column
                .dictionary_page_offset()
                .unwrap_or(column.data_page_offset());
            let inside = u64::try_from(start)
                .ok()
                .zip(u64::try_from(column.compressed_size()).ok())
                .and_then(|(start, size)| start.checked_add(size))
                .is_some_and(|end| end <= len);
            if !inside {
                return Err(bad("a column chunk lies outside the file"));
            }
        }
    }
    page_headers::check(source, meta).map_err(|detail| bad(&detail))?;
    let embedded = meta
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|kv| kv.key == ARROW_SCHEMA_META_KEY));
    let Some(encoded) = embedded else {
        return Ok(bare);
    };
    let Some(encoded) = encoded.value.as_deref() else {
        return Ok(bare);
    };
    let bytes = BASE64
        .decode(encoded)
        .map_err(|_| bad("the embedded Arrow schema is not base64"))?;
    // As the parquet crate reads it: an optional continuation marker and
    // length, then the flatbuffer message.
    let message = if bytes.len() > 8 && bytes[..4] == [0xFF; 4] {
        &bytes[8..]
    } else {
        &bytes[..]
    };
    let schema = arrow_ipc::root_as_message(message)
        .ok()
        .and_then(|m| m.header_as_schema())
        .ok_or_else(|| bad("the embedded Arrow schema is not a valid schema message"))?;
    crate::ipc::check_schema(&schema)
        .map_err(|d| bad(&format!("the embedded Arrow schema: {d}")))?;
    ArrowReaderMetadata::try_new(meta.clone(), ArrowReaderOptions::new()).map_err(damaged)
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

/// Summarises Parquet bytes held in memory (a downloaded object, a fuzz
/// input), named `name` in errors.
///
/// # Errors
///
/// As [`read_parquet_into`].
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use crm_core::records::summary::SummaryConfig;
/// use crm_io::{ColumnMapping, IoError, parquet_input::summarize_parquet_bytes};
///
/// let config = SummaryConfig::new(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
/// let out = summarize_parquet_bytes(b"PAR1 not really".to_vec(), "blob.parquet",
///                                   &ColumnMapping::default(), &crm_io::utc(), config);
/// assert!(matches!(out, Err(IoError::Damaged { .. })));
/// ```
pub fn summarize_parquet_bytes(
    data: Vec<u8>,
    name: &str,
    mapping: &ColumnMapping,
    calendar: &CalendarConfig,
    config: SummaryConfig,
) -> Result<SummaryOutput, IoError> {
    let acc = accumulator(name, config, mapping)?;
    let source = bytes::Bytes::from(data);
    let (acc, _) =
        read_parquet_chunks_into(source, name, mapping, calendar, DEFAULT_BATCH_ROWS, acc)?;
    acc.finish().map_err(|e| IoError::from_summary(name, e))
}
