//! Per-test overhead of the asyncheck runner against a plain paused tokio runtime,
//! and the wall-clock cost of an hour of virtual sleep.
//!
//! `#[test]` functions are compiled out of bench builds, so this benches what the
//! attributes expand to: `#[asyncheck::test]` is `TestConfig::new()…run(body)`,
//! and `#[tokio::test(start_paused = true)]` is a current-thread runtime built
//! with `enable_all().start_paused(true)` and `block_on(body)`. One iteration
//! runs 200 trivial tests back to back.
//!
//! Run: `cargo bench -p asyncheck --bench overhead`
#![allow(
    missing_docs,
    reason = "`criterion_group!` generates an undocumented `pub fn`"
)]

use std::hint::black_box;
use std::time::Duration;

use asyncheck::TestConfig;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const TESTS: u64 = 200;

fn tokio_paused(body: impl Future<Output = ()>) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("runtime")
        .block_on(body);
}

async fn trivial_body() {
    tokio::task::yield_now().await;
    black_box(());
}

fn per_test_overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("200 trivial tests");
    group.throughput(Throughput::Elements(TESTS));
    group.bench_function("tokio::test(start_paused = true)", |b| {
        b.iter(|| {
            for _ in 0..TESTS {
                tokio_paused(trivial_body());
            }
        });
    });
    group.bench_function("asyncheck::test", |b| {
        b.iter(|| {
            for _ in 0..TESTS {
                TestConfig::new().run(trivial_body());
            }
        });
    });
    group.bench_function("asyncheck::test(leak_check, blocking_threshold)", |b| {
        b.iter(|| {
            for _ in 0..TESTS {
                TestConfig::new()
                    .leak_check()
                    .blocking_threshold(Duration::from_millis(50))
                    .run(trivial_body());
            }
        });
    });
    group.finish();
}

fn virtual_hour(c: &mut Criterion) {
    let mut group = c.benchmark_group("sleep 1h of virtual time");
    group.bench_function("asyncheck::test", |b| {
        b.iter(|| {
            TestConfig::new().run(async {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            });
        });
    });
    group.bench_function("asyncheck::test, 60 one-minute sleeps in 3 tasks", |b| {
        b.iter(|| {
            TestConfig::new().run(async {
                let tasks: Vec<_> = (0..3)
                    .map(|_| {
                        tokio::spawn(async {
                            for _ in 0..60 {
                                tokio::time::sleep(Duration::from_secs(60)).await;
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.expect("task");
                }
            });
        });
    });
    group.finish();
}

criterion_group!(benches, per_test_overhead, virtual_hour);
criterion_main!(benches);
