//! Load-robust companion of `overhead.rs`: alternates batches of 200 trivial tests
//! under each runner, round after round, and reports the median time per test of
//! each and the median of the per-round ratios. Criterion measures one benchmark
//! after the other, so on a shared machine a change in load between the two runs
//! shows up as a difference between runners; alternating cancels that out.
//!
//! Run: `cargo bench -p asyncheck --bench overhead_ratio`
#![allow(
    clippy::cast_precision_loss,
    reason = "nanosecond counts of a benchmark"
)]

use std::hint::black_box;
use std::pin::{Pin, pin};
use std::time::{Duration, Instant};

use asyncheck::TestConfig;

const TESTS: u32 = 200;
const ROUNDS: usize = 301;

async fn trivial_body() {
    tokio::task::yield_now().await;
    black_box(());
}

/// What `#[tokio::test(start_paused = true)]` expands to (tokio-macros 2.7): the
/// body pinned on the stack as a `dyn Future`, then a fresh runtime blocking on it.
fn tokio_paused_test() {
    let body = pin!(trivial_body());
    let body: Pin<&mut dyn Future<Output = ()>> = body;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("Failed building the Runtime")
        .block_on(body);
}

/// What `#[asyncheck::test]` expands to: the same pinned body, run by `TestConfig`.
fn asyncheck_test() {
    let body = pin!(trivial_body());
    let body: Pin<&mut dyn Future<Output = ()>> = body;
    TestConfig::new()
        .test_path(module_path!(), "asyncheck_test")
        .run(body);
}

fn batch(test: fn()) -> Duration {
    let start = Instant::now();
    for _ in 0..TESTS {
        test();
    }
    start.elapsed()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and `cargo test --benches` probes
    }
    for _ in 0..20 {
        batch(tokio_paused_test);
        batch(asyncheck_test);
    }
    let (mut tokio, mut ours, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let (t, a) = if round % 2 == 0 {
            let t = batch(tokio_paused_test);
            (t, batch(asyncheck_test))
        } else {
            let a = batch(asyncheck_test);
            (batch(tokio_paused_test), a)
        };
        tokio.push(t.as_nanos() as f64 / f64::from(TESTS));
        ours.push(a.as_nanos() as f64 / f64::from(TESTS));
        ratios.push(a.as_secs_f64() / t.as_secs_f64());
    }
    let tokio = median(tokio);
    let ours = median(ours);
    println!("{TESTS} trivial tests x {ROUNDS} alternating rounds (medians):");
    println!(
        "  #[tokio::test(start_paused = true)]  {:>7.2} us/test  {:>7.1} us per 200",
        tokio / 1e3,
        tokio * 200.0 / 1e3
    );
    println!(
        "  #[asyncheck::test]                   {:>7.2} us/test  {:>7.1} us per 200",
        ours / 1e3,
        ours * 200.0 / 1e3
    );
    println!(
        "  asyncheck / tokio (median of per-round ratios): {:.3}x",
        median(ratios)
    );

    let mut hour = Vec::new();
    for _ in 0..101 {
        let start = Instant::now();
        TestConfig::new().run(async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        });
        hour.push(start.elapsed().as_nanos() as f64);
    }
    println!(
        "a test sleeping 1h of virtual time: {:.1} us of wall time (median of 101)",
        median(hour) / 1e3
    );
}
