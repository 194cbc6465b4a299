//! A test that passes under `#[tokio::test]` passes under `#[asyncheck::test]`: one
//! regression test per class of difference found by swapping the attribute in real
//! test suites (`bench/dropin.py`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
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

/// A reply from a plain OS thread after `after` of real time.
async fn reply_from_a_thread(after: Duration) -> u32 {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        // asyncheck: allow(blocking_sleep) a plain OS thread doing slow work, not a task
        std::thread::sleep(after);
        let _ = tx.send(7);
    });
    rx.await.unwrap()
}

// 1. The harness's deadline is not a timer the paused clock can jump to.

#[test]
fn waiting_on_another_thread_is_not_a_deadlock() {
    // Before, the only timer left was the harness's 24h deadline: auto-advance
    // jumped to it and the test failed, most of the time, as a deadlock.
    for run in 0..20 {
        let reply = asyncheck::TestConfig::new().run(reply_from_a_thread(Duration::from_millis(5)));
        assert_eq!(reply, 7, "run {run}");
    }
}

#[asyncheck::test(timeout = "1s")]
async fn a_thread_slower_than_the_virtual_timeout_is_waited_for() {
    // Wall-clock time does not count against a virtual timeout.
    assert_eq!(reply_from_a_thread(Duration::from_millis(1_200)).await, 7);
}

#[test]
fn a_test_timer_past_the_timeout_fires_it_even_while_a_thread_works() {
    let msg = failure(
        asyncheck::TestConfig::new().timeout(Duration::from_secs(10)),
        async {
            let worker = tokio::spawn(reply_from_a_thread(Duration::from_millis(20)));
            tokio::time::sleep(Duration::from_secs(60)).await;
            worker.await.unwrap();
        },
    );
    assert!(
        msg.starts_with("asyncheck: test timed out after 10s (virtual clock"),
        "{msg}"
    );
}

#[test]
fn a_thread_slower_than_the_idle_limit_is_reported_with_the_fix() {
    let config = asyncheck::TestConfig::new().idle_limit(Duration::from_millis(100));
    let msg = failure(config, async {
        reply_from_a_thread(Duration::from_secs(3)).await;
    });
    assert!(
        msg.starts_with("asyncheck: test timed out: no task could make progress for 100ms"),
        "{msg}"
    );
    for cause in [
        "another thread",
        "real I/O",
        "`std::time::Instant`",
        "`real_time`",
    ] {
        assert!(msg.contains(cause), "{cause} not named: {msg}");
    }
}

// 2. `tokio::time::pause()` in the body.

#[asyncheck::test]
async fn a_body_that_pauses_the_clock_starts_it_running() {
    tokio::time::pause();
    let wall = std::time::Instant::now();
    let start = tokio::time::Instant::now();
    tokio::time::sleep(Duration::from_secs(3600)).await;
    // The timer wheel ticks in whole milliseconds from the runtime's start, which
    // a clock paused by hand is not aligned to: up to 1ms more, as under tokio.
    let took = start.elapsed();
    assert!(took >= Duration::from_secs(3600) && took <= Duration::from_millis(3_600_001));
    assert!(
        wall.elapsed() < Duration::from_secs(60),
        "the hour was not virtual"
    );
}

#[asyncheck::test]
async fn pause_is_seen_through_an_alias_in_a_nested_block() {
    use tokio::time::{self as clock, pause as freeze};
    if clock::Instant::now().elapsed() < Duration::from_secs(1) {
        assert!({
            freeze();
            true
        });
    }
    tokio::time::sleep(Duration::from_secs(60)).await;
}

/// A `pause()` the attribute cannot see: it is inside another function.
fn pause_the_clock() {
    tokio::time::pause();
}

#[asyncheck::test]
#[should_panic(
    expected = "time is already frozen: `tokio::time::pause()` found the clock \
                           already paused, by the harness"
)]
async fn a_pause_the_attribute_cannot_see_is_explained() {
    pause_the_clock();
}

// 3. Options tokio accepts.

#[asyncheck::test(flavor = "local")]
async fn flavor_local_runs_spawn_local_without_a_local_set() {
    let not_send = std::rc::Rc::new(6);
    let task = tokio::task::spawn_local(async move { *not_send * 7 });
    let start = tokio::time::Instant::now();
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(3600),
        "paused, as by default"
    );
    assert_eq!(task.await.unwrap(), 42);
}

#[asyncheck::test(crate = "tokio", start_paused = true)]
async fn crate_and_start_paused_are_accepted() {
    let start = tokio::time::Instant::now();
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(5));
}

#[asyncheck::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_threads_are_accepted_with_multi_thread() {
    tokio::spawn(async {}).await.unwrap();
}

#[asyncheck::test(unhandled_panic = "ignore")]
async fn unhandled_panic_ignore_lets_a_task_panic() {
    let err = tokio::spawn(async { panic!("expected") })
        .await
        .unwrap_err();
    assert!(err.is_panic());
}

#[asyncheck::test(unhandled_panic = "shutdown_runtime")]
#[should_panic(expected = "a spawned task panicked: unexpected")]
async fn unhandled_panic_shutdown_runtime_fails_the_test() {
    drop(tokio::spawn(async { panic!("unexpected") }));
    tokio::time::sleep(Duration::from_secs(1)).await;
}

// 4. The leak check does not count tasks the body aborted or woke by dropping.

#[asyncheck::test(leak_check)]
async fn aborted_and_woken_tasks_are_reaped_before_counting() {
    let forever = tokio::spawn(std::future::pending::<()>());
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..3 {
        set.spawn(std::future::pending::<()>());
    }
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let waiter = tokio::spawn(async move {
        let _ = rx.await; // ends when `tx` is dropped with the body
    });
    tokio::task::yield_now().await;
    forever.abort();
    drop((set, tx, waiter));
}

#[asyncheck::test(leak_check)]
async fn a_reaper_that_exits_at_its_next_tick_is_not_a_leak() {
    // bb8's pools spawn such a reaper: it holds a `Weak` to the pool and ends at
    // the first tick after the pool is gone, 30s later.
    let pool = Arc::new(());
    let weak = Arc::downgrade(&pool);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        loop {
            tick.tick().await;
            if weak.upgrade().is_none() {
                break;
            }
        }
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    drop(pool);
}

#[asyncheck::test(leak_check)]
async fn what_a_lingering_task_does_after_the_body_returned_is_not_the_tests() {
    tokio::spawn(async {
        tokio::time::sleep(Duration::from_secs(10)).await;
        panic!("after the test");
    });
}

#[asyncheck::test(leak_check)]
#[should_panic(expected = "leaked 1 task")]
async fn a_task_still_waiting_is_still_a_leak() {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = rx.await;
    });
    std::mem::forget(tx);
}

// The detectors on the four suites: a burst of many short polls is not a block.

#[asyncheck::test(blocking_threshold = "250ms")]
async fn a_long_burst_of_short_polls_is_not_a_blocked_executor() {
    // bb8's `test_lots_of_waiters`: 25,000 tasks, each short, one after the other
    // without the runtime going idle; here 6,000 polls of 100µs of work each. The
    // threshold is well above one group of 61 polls (6ms) so that the test stays
    // meaningful when the machine is loaded and the thread is descheduled.
    let burst = std::time::Instant::now();
    let tasks: Vec<_> = (0..6_000)
        .map(|_| {
            tokio::spawn(async {
                let start = std::time::Instant::now();
                while start.elapsed() < Duration::from_micros(100) {
                    std::hint::spin_loop();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert!(
        burst.elapsed() > Duration::from_millis(400),
        "the burst must last longer than the threshold to show anything"
    );
}

// 5. A task panic the test observes: stable tokio cannot tell it from one nobody
// saw, so it fails the test, saying how to allow it.

#[test]
fn an_observed_task_panic_says_how_to_allow_it() {
    let msg = failure(asyncheck::TestConfig::new(), async {
        let err = tokio::spawn(async { panic!("on purpose") })
            .await
            .unwrap_err();
        assert!(err.is_panic());
    });
    assert!(
        msg.starts_with("asyncheck: a spawned task panicked: on purpose (task "),
        "{msg}"
    );
    assert!(msg.contains("with `allow_task_panics`"), "{msg}");
    assert!(msg.contains("`unhandled_panic = \"ignore\"`"), "{msg}");
}

// 6. `#[asyncheck::proptest]` and `#[asyncheck::model]` without their features:
// the trybuild case of `tests/features-off`.

// 7. proptest regressions are saved and replayed.

#[test]
fn a_failing_property_input_is_saved_and_replayed_first() {
    let dir = tempfile::tempdir().unwrap();
    let source: &'static str = Box::leak(
        dir.path()
            .join("property.rs")
            .to_string_lossy()
            .into_owned()
            .into_boxed_str(),
    );
    let first_inputs = |runs: &AtomicUsize| {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            asyncheck::__private::run_property(
                &asyncheck::TestConfig::new(),
                Some(256),
                Some(source),
                &(0..1_000_000u32),
                |x| vec![format!("x = {x:?}")],
                |x| {
                    log.lock().unwrap().push(x);
                    async move {
                        assert!(x < 1_000, "too large");
                        Ok(())
                    }
                },
            );
        }));
        assert!(result.is_err(), "the property should fail");
        runs.fetch_add(1, Ordering::SeqCst);
        let seen = seen.lock().unwrap();
        let first_failure = *seen.iter().find(|x| **x >= 1_000).unwrap();
        (seen[0], first_failure)
    };
    let runs = AtomicUsize::new(0);
    let (_, failed_first) = first_inputs(&runs);
    let saved = std::fs::read_to_string(dir.path().join("property.proptest-regressions"))
        .expect("the failing case was not saved");
    assert!(saved.contains("\ncc "), "{saved}");
    let (replayed, _) = first_inputs(&runs);
    assert_eq!(
        replayed, failed_first,
        "the saved case is not replayed first"
    );
}
