//! `#[asyncheck::test]` success paths: paused time, determinism, flavors, return types.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use asyncheck::TestConfig;

#[asyncheck::test]
async fn an_hour_of_virtual_sleep_takes_milliseconds() {
    let wall = Instant::now();
    let virt = tokio::time::Instant::now();
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(virt.elapsed(), Duration::from_secs(3600));
    assert!(
        wall.elapsed() < Duration::from_secs(1),
        "a virtual hour took {:?} of wall time",
        wall.elapsed()
    );
}

#[asyncheck::test]
async fn spawned_tasks_see_the_same_virtual_clock() {
    let handle = tokio::spawn(async {
        tokio::time::sleep(Duration::from_secs(90)).await;
        tokio::time::Instant::now()
    });
    let start = tokio::time::Instant::now();
    let woke = handle.await.unwrap();
    assert_eq!(woke - start, Duration::from_secs(90));
}

/// Three tasks interleaving sleeps and yields; returns the order of their steps.
fn interleaving() -> Vec<String> {
    TestConfig::new().run(async {
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut handles = Vec::new();
        for task in 0..3u64 {
            let log = Arc::clone(&log);
            handles.push(tokio::spawn(async move {
                for step in 0..4u64 {
                    if (task + step) % 2 == 0 {
                        tokio::task::yield_now().await;
                    } else {
                        tokio::time::sleep(Duration::from_millis(10 * (task + 1))).await;
                    }
                    log.lock().unwrap().push(format!("t{task}s{step}"));
                }
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        Arc::try_unwrap(log).unwrap().into_inner().unwrap()
    })
}

#[test]
fn the_same_test_always_sees_the_same_interleaving() {
    let first = interleaving();
    assert_eq!(first.len(), 12);
    for run in 1..20 {
        assert_eq!(interleaving(), first, "run {run} interleaved differently");
    }
}

#[asyncheck::test]
async fn returning_ok_passes() -> Result<(), String> {
    let n: u32 = "42".parse().map_err(|e| format!("{e}"))?;
    assert_eq!(n, 42);
    Ok(())
}

#[test]
fn returning_err_hands_the_error_to_libtest() {
    let out: Result<(), String> = asyncheck::TestConfig::new().run(async {
        Err("boom".to_owned())?;
        Ok(())
    });
    assert_eq!(out, Err("boom".to_owned()));
}

#[asyncheck::test]
async fn early_return_works() {
    if tokio::time::Instant::now().elapsed() == Duration::ZERO {
        return;
    }
    unreachable!();
}

#[asyncheck::test(real_time, timeout = "10s")]
async fn real_time_sleeps_take_wall_time() {
    let wall = Instant::now();
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert!(wall.elapsed() >= Duration::from_millis(30));
}

#[asyncheck::test(start_paused = false)]
async fn start_paused_false_is_real_time() {
    let wall = Instant::now();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(wall.elapsed() >= Duration::from_millis(20));
}

#[asyncheck::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_thread_runs_tasks_on_workers() {
    let body_thread = std::thread::current().id();
    let handles: Vec<_> = (0..4)
        .map(|_| tokio::spawn(async { std::thread::current().id() }))
        .collect();
    for h in handles {
        assert_ne!(h.await.unwrap(), body_thread);
    }
    let wall = Instant::now();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(
        wall.elapsed() >= Duration::from_millis(20),
        "multi_thread must use real time"
    );
}

#[asyncheck::test(allow_task_panics)]
async fn allow_task_panics_lets_the_test_inspect_the_join_error() {
    let err = tokio::spawn(async { panic!("expected in this test") })
        .await
        .unwrap_err();
    assert!(err.is_panic());
    // The test goes on after the panic instead of failing.
    tokio::time::sleep(Duration::from_secs(1)).await;
}

#[asyncheck::test(leak_check)]
async fn awaited_and_aborted_tasks_are_not_leaks() {
    tokio::spawn(async { tokio::time::sleep(Duration::from_secs(5)).await })
        .await
        .unwrap();
    let forever = tokio::spawn(std::future::pending::<()>());
    forever.abort();
    assert!(forever.await.unwrap_err().is_cancelled());
}

#[asyncheck::test(flavor = "multi_thread", leak_check)]
async fn multi_thread_leak_check_waits_for_workers_to_release_finished_tasks() {
    for _ in 0..50 {
        tokio::spawn(async {}).await.unwrap();
    }
}

#[asyncheck::test(blocking_threshold = "50ms")]
async fn awaiting_is_never_blocking() {
    // Long virtual waits and a few real (parked) waits: none of it is busy time.
    tokio::time::sleep(Duration::from_secs(600)).await;
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(60)).await;
        tx.send(()).unwrap();
    });
    rx.await.unwrap();
    tokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(120)))
        .await
        .unwrap();
}

#[asyncheck::test(blocking_threshold = "50ms", real_time)]
async fn real_time_waiting_is_never_blocking() {
    tokio::time::sleep(Duration::from_millis(120)).await;
}

#[asyncheck::test(timeout = "1h")]
async fn timeout_does_not_fire_before_the_deadline() {
    tokio::time::sleep(Duration::from_secs(3599)).await;
}

/// Documentation of the test is kept.
#[asyncheck::test]
#[ignore = "checks that user attributes are kept: this one must never run"]
async fn user_attributes_are_kept() {
    panic!("an #[ignore]d test ran");
}

#[asyncheck::test]
async fn question_mark_converts_errors_into_the_declared_type()
-> Result<(), Box<dyn std::error::Error>> {
    let n: u32 = "7".parse()?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    tx.send(n).map_err(|_| "receiver dropped")?;
    assert_eq!(rx.await?, 7);
    Ok(())
}
