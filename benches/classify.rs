//! Classification of 1M and 10M customers by value (issue 2's target: 10M
//! customers in under a second on one core).
//!
//! Run: `cargo bench -p crm-benches --bench classify`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use crm_benches::customer_values;
use crm_core::value::tier::{TierConfig, classify};

fn bench_classify(c: &mut Criterion) {
    let mut group = c.benchmark_group("classify_by_value");
    group.sample_size(10);
    for n in [1_000_000_usize, 10_000_000] {
        let values = customer_values(n, 42);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &values, |b, v| {
            b.iter(|| classify(v, &TierConfig::by_value()).map(|c| c.len()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_classify);
criterion_main!(benches);
