//! Time helpers: `timed`, `settle`, `assert_completes_within!`, `assert_times_out!`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use asyncheck::{assert_completes_within, assert_times_out, settle, timed};

#[asyncheck::test]
async fn timed_measures_virtual_time_exactly() {
    let (out, took) = timed(async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        "x"
    })
    .await;
    assert_eq!((out, took), ("x", Duration::from_millis(1500)));
}

#[asyncheck::test]
async fn completes_within_returns_the_output() {
    let v = assert_completes_within!(Duration::from_secs(1), async {
        tokio::time::sleep(Duration::from_millis(999)).await;
        7
    });
    assert_eq!(v, 7);
    let w = assert_completes_within!("2s", async { 8 });
    assert_eq!(w, 8);
}

#[asyncheck::test]
#[should_panic(expected = "did not complete within 1s")]
async fn completes_within_fails_when_too_slow() {
    assert_completes_within!("1s", tokio::time::sleep(Duration::from_millis(1001)));
}

#[asyncheck::test]
async fn times_out_passes_when_the_future_is_too_slow() {
    let start = tokio::time::Instant::now();
    assert_times_out!("250ms", tokio::time::sleep(Duration::from_secs(1)));
    assert_eq!(start.elapsed(), Duration::from_millis(250));
}

#[asyncheck::test]
#[should_panic(
    expected = "`tokio::time::sleep(Duration::from_millis(10))` was expected to time \
                           out after 1s but completed after 10ms"
)]
async fn times_out_fails_when_the_future_finishes() {
    assert_times_out!(
        Duration::from_secs(1),
        tokio::time::sleep(Duration::from_millis(10))
    );
}

#[asyncheck::test]
#[should_panic(expected = "invalid duration `1 sec`")]
async fn a_bad_duration_string_is_reported() {
    assert_times_out!("1 sec", std::future::pending::<()>());
}

#[asyncheck::test]
async fn settle_runs_every_task_until_it_waits_without_moving_the_clock() {
    let steps = Arc::new(AtomicUsize::new(0));
    let (tx, mut rx) = tokio::sync::mpsc::channel::<u32>(1);
    for i in 0..5 {
        let steps = steps.clone();
        let tx = tx.clone();
        tokio::spawn(async move {
            for _ in 0..3 {
                tokio::task::yield_now().await;
                steps.fetch_add(1, Ordering::SeqCst);
            }
            tx.send(i).await.unwrap();
            steps.fetch_add(1, Ordering::SeqCst);
        });
    }
    tokio::spawn(async { tokio::time::sleep(Duration::from_secs(3600)).await });
    let before = tokio::time::Instant::now();
    settle().await;
    assert_eq!(
        tokio::time::Instant::now(),
        before,
        "settle() moved the clock"
    );
    // Every task yielded 3 times; one send fit in the channel, the other four wait.
    assert_eq!(steps.load(Ordering::SeqCst), 5 * 3 + 1);
    rx.recv().await.unwrap();
    settle().await;
    assert_eq!(steps.load(Ordering::SeqCst), 5 * 3 + 2);
    assert_eq!(tokio::time::Instant::now(), before);
}

#[asyncheck::test]
async fn settle_with_nothing_else_to_do_returns_at_once() {
    let before = tokio::time::Instant::now();
    settle().await;
    settle().await;
    assert_eq!(tokio::time::Instant::now(), before);
}

#[asyncheck::test]
async fn settle_from_a_spawned_task() {
    let flag = Arc::new(AtomicUsize::new(0));
    let f = flag.clone();
    tokio::spawn(async move {
        tokio::task::yield_now().await;
        f.store(1, Ordering::SeqCst);
    });
    let seen = tokio::spawn(async move {
        settle().await;
        flag.load(Ordering::SeqCst)
    })
    .await
    .unwrap();
    assert_eq!(seen, 1);
}

#[asyncheck::test]
async fn the_clock_advances_only_when_every_task_waits() {
    let progress = Arc::new(AtomicUsize::new(0));
    let p = progress.clone();
    tokio::spawn(async move {
        for _ in 0..1000 {
            tokio::task::yield_now().await;
            p.fetch_add(1, Ordering::SeqCst);
        }
    });
    let ((), took) = timed(tokio::time::sleep(Duration::from_millis(1))).await;
    assert_eq!(progress.load(Ordering::SeqCst), 1000);
    assert_eq!(took, Duration::from_millis(1));
}

#[test]
#[should_panic(expected = "asyncheck::settle() must be called inside #[asyncheck::test]")]
fn settle_outside_a_test_runtime_is_an_error() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(settle());
}

#[asyncheck::test(flavor = "multi_thread")]
#[should_panic(expected = "asyncheck::settle() needs the current-thread runtime")]
async fn settle_needs_the_current_thread_runtime() {
    settle().await;
}
