//! Every failure mode of `#[asyncheck::test]` fails the test with the documented message.

use std::time::Duration;

/// The message of a failed [`asyncheck::TestConfig::run`].
fn failure(config: asyncheck::TestConfig, body: impl Future<Output = ()>) -> String {
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| config.run(body)))
        .expect_err("the test was expected to fail");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

fn with_timeout(limit: Duration) -> asyncheck::TestConfig {
    asyncheck::TestConfig::new().timeout(limit)
}

#[test]
fn a_slow_test_times_out_without_being_called_a_deadlock() {
    let msg = failure(with_timeout(Duration::from_millis(500)), async {
        tokio::time::sleep(Duration::from_secs(1)).await;
    });
    assert!(
        msg.contains("test timed out after 500ms (virtual clock"),
        "{msg}"
    );
    assert!(!msg.contains("no task could make progress"), "{msg}");
}

#[test]
fn a_task_timer_past_the_deadline_is_not_a_deadlock() {
    // The last tick before the deadline is at 9.9s and the next at 10.2s: for the
    // last 100ms nothing could run, but a timer was pending, so it is not a deadlock.
    let msg = failure(with_timeout(Duration::from_secs(10)), async {
        let mut tick = tokio::time::interval(Duration::from_millis(300));
        loop {
            tick.tick().await;
        }
    });
    assert!(
        msg.contains("test timed out after 10s (virtual clock"),
        "{msg}"
    );
    assert!(!msg.contains("no task could make progress"), "{msg}");
}

#[test]
fn a_deadlock_after_some_progress_is_called_a_deadlock() {
    let config = with_timeout(Duration::from_secs(10)).idle_limit(Duration::from_millis(200));
    let msg = failure(config, async {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(4)).await;
            std::future::pending::<()>().await;
            drop(tx);
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
        let _ = rx.await;
    });
    assert!(
        msg.starts_with(
            "asyncheck: test timed out: no task could make progress for 200ms of wall-clock \
             time, with the clock paused at 4s (of the 10s timeout) and no timer pending"
        ),
        "{msg}"
    );
    assert!(msg.contains("another thread"), "{msg}");
    assert!(msg.contains("`real_time`"), "{msg}");
}

#[asyncheck::test(timeout = "500ms", idle_limit = "100ms")]
#[should_panic(
    expected = "test timed out: no task could make progress for 100ms of wall-clock \
                           time, with the clock paused at 0ms (of the 500ms timeout)"
)]
async fn deadlock_says_no_task_could_make_progress() {
    let (_tx, rx) = tokio::sync::oneshot::channel::<()>();
    rx.await.unwrap();
}

#[asyncheck::test]
#[should_panic(
    expected = "test timed out: no task could make progress for 5s of wall-clock \
                           time, with the clock paused at 10ms (of the 24h timeout)"
)]
async fn a_deadlock_fails_after_the_default_idle_limit() {
    let a = std::sync::Arc::new(tokio::sync::Mutex::new(()));
    let b = std::sync::Arc::new(tokio::sync::Mutex::new(()));
    let (a2, b2) = (a.clone(), b.clone());
    let t = tokio::spawn(async move {
        let _b = b2.lock().await;
        tokio::time::sleep(Duration::from_millis(10)).await;
        let _a = a2.lock().await;
    });
    let _a = a.lock().await;
    tokio::time::sleep(Duration::from_millis(10)).await;
    let _b = b.lock().await;
    t.await.unwrap();
}

#[asyncheck::test(real_time, timeout = "50ms")]
#[should_panic(expected = "test timed out after 50ms (wall clock)")]
async fn real_time_timeout() {
    tokio::time::sleep(Duration::from_secs(5)).await;
}

#[asyncheck::test(flavor = "multi_thread", timeout = "50ms")]
#[should_panic(expected = "test timed out after 50ms (wall clock)")]
async fn multi_thread_timeout() {
    std::future::pending::<()>().await;
}

#[asyncheck::test(blocking_threshold = "50ms")]
#[should_panic(expected = "the test blocked the executor for 2")]
async fn blocking_sleep_in_the_body() {
    tokio::time::sleep(Duration::from_millis(5)).await;
    // asyncheck: allow(blocking_sleep) blocking the executor on purpose: this is what the test detects
    std::thread::sleep(Duration::from_millis(200));
    tokio::time::sleep(Duration::from_millis(5)).await;
}

#[asyncheck::test(blocking_threshold = "50ms")]
#[should_panic(expected = "blocked the executor for 2")]
async fn blocking_sleep_in_a_spawned_task() {
    let worker = tokio::spawn(async {
        tokio::time::sleep(Duration::from_secs(1)).await;
        // asyncheck: allow(blocking_sleep) blocking the executor on purpose: this is what the test detects
        std::thread::sleep(Duration::from_millis(200));
    });
    worker.await.unwrap();
}

#[asyncheck::test(blocking_threshold = "50ms")]
#[should_panic(expected = "blocked the executor for")]
async fn blocking_in_a_detached_task_after_the_body_waited() {
    drop(tokio::spawn(async {
        // asyncheck: allow(blocking_sleep) blocking the executor on purpose: this is what the test detects
        std::thread::sleep(Duration::from_millis(100));
    }));
    tokio::time::sleep(Duration::from_secs(1)).await;
}

#[asyncheck::test(leak_check)]
#[should_panic(expected = "leaked 2 tasks")]
async fn leaked_tasks_are_counted() {
    tokio::spawn(std::future::pending::<()>());
    tokio::spawn(tokio::time::sleep(Duration::from_secs(3600)));
    tokio::spawn(async {}).await.unwrap();
}

#[asyncheck::test(leak_check)]
#[should_panic(expected = "leaked 1 task:")]
async fn one_leaked_task() {
    tokio::spawn(tokio::time::sleep(Duration::from_secs(3600)));
}

#[asyncheck::test]
#[should_panic(expected = "a spawned task panicked: the worker fell over")]
async fn task_panic_with_dropped_handle() {
    drop(tokio::spawn(async {
        tokio::time::sleep(Duration::from_secs(1)).await;
        panic!("the worker fell over");
    }));
    tokio::time::sleep(Duration::from_secs(10)).await;
}

#[asyncheck::test]
#[should_panic(expected = "a spawned task panicked: ignored error")]
async fn task_panic_with_ignored_join_error() {
    let result = tokio::spawn(async { panic!("ignored error") }).await;
    let _ = result;
}

#[asyncheck::test]
#[should_panic(expected = "a spawned task panicked: formatted 7")]
async fn task_panic_stops_a_test_waiting_on_the_dead_task() {
    let (tx, rx) = tokio::sync::oneshot::channel::<u8>();
    tokio::spawn(async move {
        let n = 7;
        assert!(n == 0, "formatted {n}");
        tx.send(n).unwrap();
    });
    rx.await.unwrap();
}

#[asyncheck::test(flavor = "multi_thread", worker_threads = 2)]
#[should_panic(expected = "a spawned task panicked: on a worker")]
async fn task_panic_on_a_worker_thread() {
    drop(tokio::spawn(async { panic!("on a worker") }));
    tokio::time::sleep(Duration::from_secs(5)).await;
}

#[asyncheck::test]
#[should_panic(expected = "a spawned task panicked: in spawn_blocking")]
async fn panic_in_spawn_blocking_with_dropped_handle() {
    drop(tokio::task::spawn_blocking(|| panic!("in spawn_blocking")));
    tokio::time::sleep(Duration::from_secs(1)).await;
    // The blocking pool runs in real time; give it a moment.
    for _ in 0..200 {
        tokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(5)))
            .await
            .unwrap();
    }
}

#[asyncheck::test(leak_check, blocking_threshold = "50ms")]
#[should_panic(expected = "asyncheck: 2 problems:\n  - the test blocked the executor")]
async fn several_failures_are_all_reported() {
    // asyncheck: allow(blocking_sleep) blocking the executor on purpose: this is what the test detects
    std::thread::sleep(Duration::from_millis(80));
    tokio::spawn(std::future::pending::<()>());
}

#[asyncheck::test]
#[should_panic(expected = "the body's own panic")]
async fn a_panic_in_the_body_propagates_unchanged() {
    panic!("the body's own panic");
}

#[asyncheck::test(timeout = "1s")]
#[should_panic(expected = "test timed out after 1s (virtual clock")]
async fn the_deadline_counts_from_the_start_even_if_the_clock_is_advanced_by_hand() {
    // The clock moves 2s before the runtime ever goes idle.
    tokio::time::advance(Duration::from_secs(2)).await;
    std::future::pending::<()>().await;
}

#[asyncheck::test(timeout = "1s")]
#[should_panic(expected = "test timed out after 1s (virtual clock")]
async fn a_long_busy_phase_before_the_first_idle_point_still_times_out() {
    // The runtime does not go idle until the spinner is done, so the deadline's
    // timer is armed late; it must still fire at 1s of virtual time.
    let spinner = tokio::spawn(async {
        for _ in 0..10_000 {
            tokio::task::yield_now().await;
        }
    });
    spinner.await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
}
