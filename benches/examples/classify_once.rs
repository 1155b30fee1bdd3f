//! Classifies N generated customers once and prints the wall time of each
//! phase: `cargo run --release -p crm-benches --example classify_once -- 10000000`.
//! Used with `/usr/bin/time -v` for peak memory and CPU time.

use std::time::Instant;

use crm_benches::customer_values;
use crm_core::value::tier::{TierConfig, classify};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000_000);
    let t = Instant::now();
    let values = customer_values(n, 42);
    let generated = t.elapsed();
    if std::env::args().nth(2).as_deref() == Some("generate-only") {
        println!("generated {n} in {generated:?}");
        return;
    }
    let t = Instant::now();
    match classify(&values, &TierConfig::by_value()) {
        Ok(c) => {
            let took = t.elapsed();
            println!(
                "generated {n} in {generated:?}; classified in {took:?} ({:.1} ns/customer); most valuable: {}",
                took.as_nanos() as f64 / n as f64,
                c.summary()[0].customers
            );
        }
        Err(e) => eprintln!("error: {e}"),
    }
}
