//! Decoding one full poll cycle (every answer of a full update) into NUT variables, per
//! dialect, from the dialect's own vector table. Dialects without a table, or whose claim
//! fails on it, are skipped, so new dialects join as they are implemented.

// criterion_group! defines a public function without docs.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use qxups_benches::poll_cycles;

fn poll_cycle(c: &mut Criterion) {
    let mut group = c.benchmark_group("poll_cycle");
    for mut cycle in poll_cycles() {
        group.throughput(Throughput::Bytes(cycle.bytes()));
        group.bench_function(BenchmarkId::from_parameter(cycle.dialect.name), |b| {
            b.iter(|| black_box(cycle.run()));
        });
    }
    group.finish();
}

criterion_group!(benches, poll_cycle);
criterion_main!(benches);
