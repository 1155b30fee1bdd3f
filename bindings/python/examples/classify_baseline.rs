//! The Rust-only side of `benches/classify_memory.py`: crm-core's
//! classification of the same values as the Python `classify` call.
//!
//! ```text
//! cargo run --release -p crm-engine-python --example classify_baseline -- values.arrow 3
//! ```
//!
//! Reads an Arrow IPC file (`id` int64, `v` float64), converts the values to
//! `Decimal` as the binding does (shortest representation; not timed), then
//! times, best of `repeats`: `classify` (crm-core tiers only), `assign`
//! (tiers, behaviours, treatments: the work of the Python call) and
//! `table` (`assign` plus crm-io's tiers table: the Python call without the
//! input conversion). Prints one JSON object with the wall seconds and the
//! thread's CPU seconds (`_cpu`) of each.

use std::error::Error;
use std::fs::File;
use std::time::Instant;

use arrow::array::{Array, ArrayRef};
use arrow::compute::concat;
use arrow_ipc::reader::FileReader;
use crm_core::CustomerId;
use crm_core::value::assignment::{AssignmentConfig, assign};
use crm_core::value::tier::classify;
use crm_io::tables::{MoneyType, tiers};

use _crm_engine::convert::{customer_ids, required_decimals};

/// On-CPU time of the calling thread in seconds (`/proc/thread-self/schedstat`,
/// nanoseconds): unlike wall time, other processes on a loaded machine do
/// not inflate it. The work measured is single-threaded.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns / 1e9)
}

/// Best wall and best CPU seconds of `repeats` runs of `f`, and its last result.
fn best<T>(repeats: usize, mut f: impl FnMut() -> T) -> ((f64, f64), T) {
    let (t, c) = (Instant::now(), cpu_seconds());
    let mut out = f();
    let (mut wall, mut cpu) = (t.elapsed().as_secs_f64(), cpu_seconds() - c);
    for _ in 1..repeats {
        drop(out);
        let (t, c) = (Instant::now(), cpu_seconds());
        out = f();
        wall = wall.min(t.elapsed().as_secs_f64());
        cpu = cpu.min(cpu_seconds() - c);
    }
    ((wall, cpu), out)
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .ok_or("usage: classify_baseline FILE.arrow [REPEATS]")?;
    let repeats: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(3);
    let reader = FileReader::try_new(File::open(path)?, None)?;
    let schema = reader.schema();
    let batches = reader.collect::<Result<Vec<_>, _>>()?;
    let column = |name: &str| -> Result<ArrayRef, Box<dyn Error>> {
        let i = schema.index_of(name)?;
        let parts: Vec<&dyn Array> = batches.iter().map(|b| b.column(i).as_ref()).collect();
        Ok(concat(&parts)?)
    };
    let ids: Vec<CustomerId> = customer_ids("classify", "id", &column("id")?)
        .map_err(|e| e.message)?
        .ids;
    let values =
        required_decimals("classify", "v", "value", &column("v")?).map_err(|e| e.message)?;
    let config = AssignmentConfig::default();
    let (t_classify, c) = best(repeats, || classify(&values, &config.tiers));
    c?;
    let (t_assign, a) = best(repeats, || assign(&ids, &values, None, &config));
    a?;
    let (t_table, t) = best(repeats, || {
        assign(&ids, &values, None, &config).map(|a| tiers::table(&a, MoneyType::Decimal128))
    });
    let rows = t?.batch()?.num_rows();
    println!(
        "{}",
        serde_json::json!({
            "customers": rows,
            "classify": t_classify.0,
            "assign": t_assign.0,
            "assign_and_table": t_table.0,
            "classify_cpu": t_classify.1,
            "assign_cpu": t_assign.1,
            "assign_and_table_cpu": t_table.1,
        })
    );
    Ok(())
}
