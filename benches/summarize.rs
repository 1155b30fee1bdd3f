//! Per-customer summaries from Arrow columns (issue 3).
//!
//! Two modes:
//!
//! * `cargo bench -p crm-benches --bench summarize` runs criterion on a
//!   generated 1M-row / 100k-customer input (kept small for CI);
//! * `summarize-<hash> --oneshot FILE.parquet YYYY-MM-DD [THREADS]` loads the
//!   Parquet file into Arrow record batches (the raw columnar input), then
//!   times one summary of them and prints a JSON line. This is what
//!   `benches/summarize_vs_polars.py` runs next to polars under
//!   `/usr/bin/time -v`.

use std::sync::Arc;
use std::time::Instant;

use arrow::array::{ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch};
use chrono::NaiveDate;
use criterion::{BenchmarkId, Criterion, Throughput};
use crm_benches::Lcg;
use crm_core::records::summary::{SummaryAccumulator, SummaryConfig};
use crm_io::{ArrowReader, ColumnMapping};

/// `rows` transactions of `customers` customers over 1,000 days, 5 % returns.
fn generate(rows: usize, customers: u64, seed: u64) -> Vec<RecordBatch> {
    let mut rng = Lcg::new(seed);
    let mut out = Vec::new();
    let chunk = 1 << 16;
    let mut left = rows;
    while left > 0 {
        let n = left.min(chunk);
        left -= n;
        let ids: Vec<i64> = (0..n)
            .map(|_| (rng.next_u64() % customers) as i64)
            .collect();
        let days: Vec<i32> = (0..n)
            .map(|_| 9_000 + (rng.next_u64() % 1_000) as i32)
            .collect();
        let amounts: Vec<f64> = (0..n)
            .map(|_| {
                let cents = (rng.next_u64() % 20_000) as f64 / 100.0;
                if rng.next_f64() < 0.05 { -cents } else { cents }
            })
            .collect();
        let cols: Vec<(&str, ArrayRef)> = vec![
            ("customer", Arc::new(Int64Array::from(ids))),
            ("date", Arc::new(Date32Array::from(days))),
            ("amount", Arc::new(Float64Array::from(amounts))),
        ];
        if let Ok(b) = RecordBatch::try_from_iter(cols) {
            out.push(b);
        }
    }
    out
}

/// Summarises `batches` on `threads` threads: each thread reads every
/// `threads`-th batch into its own partial summary, and the partials merge.
fn summarize(
    batches: &[RecordBatch],
    as_of: NaiveDate,
    threads: usize,
) -> Result<(usize, u64), String> {
    let config = SummaryConfig::new(as_of);
    let mapping = ColumnMapping::default();
    let run = |part: usize| -> Result<SummaryAccumulator, String> {
        let acc = SummaryAccumulator::new(config.clone()).map_err(|e| e.to_string())?;
        let mut reader = ArrowReader::new(acc, mapping.clone(), crm_io::utc(), "bench");
        for b in batches.iter().skip(part).step_by(threads.max(1)) {
            reader.add_record_batch(b).map_err(|e| e.to_string())?;
        }
        Ok(reader.into_sink())
    };
    let mut parts: Vec<SummaryAccumulator> = if threads <= 1 {
        vec![run(0)?]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads).map(|p| s.spawn(move || run(p))).collect();
            handles
                .into_iter()
                .map(|h| h.join().map_err(|_| "thread failed".to_owned())?)
                .collect::<Result<Vec<_>, _>>()
        })?
    };
    let mut acc = parts.pop().ok_or("no partial summary")?;
    for p in parts {
        acc.merge(p).map_err(|e| e.to_string())?;
    }
    let out = acc.finish().map_err(|e| e.to_string())?;
    Ok((out.summaries.len(), out.reconciliation.rows_used))
}

fn oneshot(args: &[String]) -> Result<(), String> {
    let path = args.first().ok_or("--oneshot FILE AS_OF [THREADS]")?;
    let as_of = args
        .get(1)
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .ok_or("as_of must be YYYY-MM-DD")?;
    let threads: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let t0 = Instant::now();
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| e.to_string())?
        .with_batch_size(1 << 16)
        .build()
        .map_err(|e| e.to_string())?;
    let batches: Vec<RecordBatch> = reader
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let load = t0.elapsed().as_secs_f64();
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let input_bytes: usize = batches.iter().map(|b| b.get_array_memory_size()).sum();
    let t1 = Instant::now();
    let (customers, used) = summarize(&batches, as_of, threads)?;
    let secs = t1.elapsed().as_secs_f64();
    println!(
        "{{\"engine\": \"crm-engine\", \"threads\": {threads}, \"rows\": {rows}, \"customers\": {customers}, \"used\": {used}, \"load_seconds\": {load:.3}, \"seconds\": {secs:.3}, \"rows_per_second\": {:.0}, \"input_bytes\": {input_bytes}}}",
        rows as f64 / secs
    );
    Ok(())
}

fn bench_summarize(c: &mut Criterion) {
    let as_of = NaiveDate::from_ymd_opt(1997, 9, 30).unwrap_or_default();
    let mut group = c.benchmark_group("summarize_from_arrow");
    group.sample_size(10);
    // `cargo test --all-targets` runs this unoptimised, once: keep it small.
    let (rows, customers) = if cfg!(debug_assertions) {
        (50_000, 5_000)
    } else {
        (1_000_000_usize, 100_000_u64)
    };
    let batches = generate(rows, customers, 7);
    group.throughput(Throughput::Elements(rows as u64));
    for threads in [1_usize, 2] {
        group.bench_with_input(
            BenchmarkId::new(
                format!("{rows}_rows_{customers}_customers_threads"),
                threads,
            ),
            &batches,
            |b, batches| b.iter(|| summarize(batches, as_of, threads)),
        );
    }
    group.finish();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--oneshot") {
        if let Err(e) = oneshot(args.get(i + 1..).unwrap_or(&[])) {
            eprintln!("summarize --oneshot: {e}");
            std::process::exit(2);
        }
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    bench_summarize(&mut c);
    c.final_summary();
}
