//! The Rust-only side of `benches/python_bindings.py`: the same summarize +
//! classify work as the Python call, on the same Arrow data, without Python.
//!
//! ```text
//! cargo run --release -p crm-engine-python --example rust_baseline -- transactions.arrow 2024-12-31 3
//! ```
//!
//! Reads an Arrow IPC file (customer, date, amount) into memory (not timed),
//! then times, best of `repeats`:
//!
//! * `summarize_core`: crm-io `summarize_arrays` from the Arrow arrays;
//! * `summarize`: the same plus building the Arrow result table (what the
//!   Python `summarize` does after the zero-copy import);
//! * `classify_core`: crm-core `assign` of the summaries' exact totals;
//! * `classify`: the binding's `classify_table` from the summary table
//!   (float64 to Decimal, `assign`, the Arrow result table).
//!
//! Prints one JSON object with the seconds.

use std::error::Error;
use std::fs::File;
use std::time::Instant;

use arrow::array::{Array, ArrayRef};
use arrow::compute::concat;
use arrow_ipc::reader::FileReader;
use crm_core::records::summary::SummaryConfig;
use crm_core::records::transaction::CalendarConfig;
use crm_core::value::assignment::{AssignmentConfig, assign};
use crm_io::tables::MoneyType;
use crm_io::{ColumnMapping, TransactionArrays, summarize_arrays};

use _crm_engine::classify::{SignalColumns, classify_table};
use _crm_engine::input::InputTable;
use _crm_engine::summarize::summary_table;

fn best<T>(repeats: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let t = Instant::now();
    let mut out = f();
    let mut best = t.elapsed().as_secs_f64();
    for _ in 1..repeats {
        let t = Instant::now();
        out = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, out)
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .ok_or("usage: rust_baseline FILE.arrow AS_OF [REPEATS]")?;
    let as_of = chrono::NaiveDate::parse_from_str(args.get(2).ok_or("as_of")?, "%Y-%m-%d")?;
    let repeats: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(3);

    let reader = FileReader::try_new(File::open(path)?, None)?;
    let schema = reader.schema();
    let batches = reader.collect::<Result<Vec<_>, _>>()?;
    let column = |name: &str| -> Result<ArrayRef, Box<dyn Error>> {
        let i = schema.index_of(name)?;
        let parts: Vec<&dyn Array> = batches.iter().map(|b| b.column(i).as_ref()).collect();
        Ok(concat(&parts)?)
    };
    let (customer, date, amount) = (column("customer")?, column("date")?, column("amount")?);
    let rows = customer.len();
    let arrays = TransactionArrays::new(&customer, &date, &amount);
    let mapping = ColumnMapping::new("customer", "date", "amount");
    let calendar = CalendarConfig::default();

    let (t_sum_core, out) = best(repeats, || {
        summarize_arrays(&arrays, &mapping, &calendar, SummaryConfig::new(as_of))
    });
    let out = out?;
    let (t_sum, table) = best(repeats, || {
        summarize_arrays(&arrays, &mapping, &calendar, SummaryConfig::new(as_of))
            .map_err(|e| e.to_string())
            .and_then(|o| summary_table(&o.summaries, MoneyType::Decimal128).map_err(|e| e.message))
    });
    let table = table?;
    let s = &out.summaries;
    let (t_cls_core, a) = best(repeats, || {
        assign(
            &s.customers,
            &s.total_spend,
            None,
            &AssignmentConfig::default(),
        )
    });
    a?;
    let input = InputTable::from_batches("classify", &table.batches()[0].schema(), table.batches());
    let config = AssignmentConfig::default();
    let (t_cls, c) = best(repeats, || {
        classify_table(
            &input,
            "customer_id",
            "total_spend",
            &SignalColumns::default(),
            &config,
            crm_io::tables::MoneyType::Decimal128,
        )
    });
    c.map_err(|e| e.message)?;
    println!(
        "{}",
        serde_json::json!({
            "rows": rows,
            "customers": s.customers.len(),
            "summarize_core": t_sum_core,
            "summarize": t_sum,
            "classify_core": t_cls_core,
            "classify": t_cls,
        })
    );
    Ok(())
}
