//! Writes the seed corpora of the Parquet and IPC fuzz targets from real
//! data: the CDNOW sample as Parquet transaction files (several layouts:
//! integer and text ids, dates and zoned timestamps, decimal and float
//! amounts, small row groups and pages, dictionary and plain encoding,
//! Snappy and Zstd), and its summaries and tiers tables as Arrow IPC
//! streams, what `ArrowTable.from_ipc` unpickles. `.ci/fuzz` runs it:
//!
//! ```text
//! cargo run -q -p crm-io --example fuzz_seeds -- fuzz/corpus
//! ```
//!
//! Small inputs fuzz faster, so each seed holds the first few hundred rows.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{
    ArrayRef, Date32Array, Decimal128Array, Float64Array, Int32Array, Int64Array, RecordBatch,
    StringArray, TimestampSecondArray,
};
use chrono::NaiveDate;
use crm_core::records::summary::{SummaryConfig, Unit};
use crm_io::tables::{MoneyType, summaries};
use crm_io::{CsvOptions, summarize_csv};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/data/");

/// Rows of each seed.
const ROWS: usize = 300;

fn main() -> Result<(), Box<dyn Error>> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fuzz/corpus".into()),
    );
    let text = std::fs::read_to_string(format!("{DATA}CDNOW_sample.txt"))?;
    // CDNOW: original id, customer id, yyyymmdd, CDs, dollars.
    let mut rows = Vec::new();
    for line in text.lines().take(ROWS) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if let [_, id, day, cds, dollars] = f[..] {
            let day = NaiveDate::parse_from_str(day, "%Y%m%d")?;
            let cents = (dollars.parse::<f64>()? * 100.0).round() as i128;
            rows.push((id.parse::<i64>()?, day, cds.parse::<i32>()?, cents));
        }
    }
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).ok_or("epoch")?;
    let days: Vec<i32> = rows
        .iter()
        .map(|r| (r.1 - epoch).num_days() as i32)
        .collect();
    let ids = Int64Array::from(rows.iter().map(|r| r.0).collect::<Vec<_>>());
    let text_ids = StringArray::from(rows.iter().map(|r| format!("c{}", r.0)).collect::<Vec<_>>());
    let cents: Vec<i128> = rows.iter().map(|r| r.3).collect();
    let decimal = Decimal128Array::from(cents.clone()).with_precision_and_scale(10, 2)?;
    let float = Float64Array::from(cents.iter().map(|c| *c as f64 / 100.0).collect::<Vec<_>>());
    let quantity = Int32Array::from(rows.iter().map(|r| r.2).collect::<Vec<_>>());
    let stamps = TimestampSecondArray::from(
        days.iter()
            .map(|d| i64::from(*d) * 86_400 + 3_600)
            .collect::<Vec<_>>(),
    )
    .with_timezone("Europe/Paris");
    let plain = RecordBatch::try_from_iter([
        ("customer", Arc::new(ids.clone()) as ArrayRef),
        (
            "date",
            Arc::new(Date32Array::from(days.clone())) as ArrayRef,
        ),
        ("amount", Arc::new(decimal) as ArrayRef),
        ("quantity", Arc::new(quantity.clone()) as ArrayRef),
    ])?;
    let zoned = RecordBatch::try_from_iter([
        ("customer", Arc::new(text_ids) as ArrayRef),
        ("date", Arc::new(stamps) as ArrayRef),
        ("amount", Arc::new(float) as ArrayRef),
        ("quantity", Arc::new(quantity) as ArrayRef),
    ])?;
    let small = WriterProperties::builder()
        .set_max_row_group_row_count(Some(100))
        .set_data_page_row_count_limit(50)
        .set_compression(Compression::SNAPPY)
        .build();
    let zstd = WriterProperties::builder()
        .set_dictionary_enabled(false)
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .build();
    let dir = out.join("parquet");
    std::fs::create_dir_all(&dir)?;
    write_parquet(
        &dir.join("cdnow-plain"),
        &plain,
        WriterProperties::default(),
    )?;
    write_parquet(&dir.join("cdnow-small-groups"), &plain, small)?;
    write_parquet(&dir.join("cdnow-zoned-zstd"), &zoned, zstd)?;

    // The IPC seeds: result tables of the same data, as from_ipc reads them.
    let as_of = NaiveDate::from_ymd_opt(1997, 9, 30).ok_or("as_of")?;
    let summary = summarize_csv(
        format!("{DATA}CDNOW_sample.txt"),
        &CsvOptions::cdnow(),
        &CsvOptions::cdnow_mapping(),
        &crm_io::utc(),
        SummaryConfig::new(as_of).with_unit(Unit::Week),
    )?;
    let dir = out.join("ipc");
    std::fs::create_dir_all(&dir)?;
    let few = summary.summaries.len().min(40);
    for (name, money) in [
        ("summaries-decimal", MoneyType::Decimal128),
        ("summaries-float", MoneyType::Float64),
    ] {
        let batch = summaries::summaries(&summary.summaries, money).batch()?;
        let batch = batch.slice(0, few);
        let bytes = crm_io::ipc::write_stream(&batch.schema(), &[batch.slice(0, few / 2), batch])?;
        std::fs::write(dir.join(name), bytes)?;
    }
    let bytes = crm_io::ipc::write_stream(&plain.schema(), &[plain.slice(0, 30)])?;
    std::fs::write(dir.join("transactions"), bytes)?;
    Ok(())
}

fn write_parquet(
    path: &Path,
    batch: &RecordBatch,
    props: WriterProperties,
) -> Result<(), Box<dyn Error>> {
    let mut w = ArrowWriter::try_new(std::fs::File::create(path)?, batch.schema(), Some(props))?;
    w.write(batch)?;
    w.close()?;
    Ok(())
}
