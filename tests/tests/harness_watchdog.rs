//! The wall-clock watchdog: a test blocked forever in a synchronous call exits its
//! process with a failure status and the documented message, instead of hanging.
//!
//! The blocked tests run in a child process (this test binary, re-run with
//! [`CHILD`] set and `--exact <test>`), since the watchdog ends the whole process.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Set in the child process; the `child_*` tests do nothing without it.
const CHILD: &str = "ASYNCHECK_WATCHDOG_CHILD";

fn in_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

fn run_child(test: &str) -> (Output, Duration) {
    let started = Instant::now();
    let output = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    (output, started.elapsed())
}

#[asyncheck::test(wall_timeout = "1s")]
async fn child_blocked_forever() {
    if in_child() {
        tokio::time::sleep(Duration::from_secs(90)).await;
        loop {
            // asyncheck: allow(blocking_sleep) a synchronous call that never returns: what the watchdog must catch
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
}

#[asyncheck::test(wall_timeout = "1s", blocking_threshold = "10ms")]
async fn child_blocked_before_the_first_await() {
    if in_child() {
        let lock = std::sync::Mutex::new(());
        let _held = lock.lock().unwrap();
        let _again = lock.lock(); // deadlocks (or panics, on some platforms)
        // asyncheck: allow(blocking_sleep) a synchronous call that never returns: what the watchdog must catch
        std::thread::sleep(Duration::from_secs(3600));
    }
}

#[test]
fn child_a_later_test_with_an_earlier_deadline() {
    if in_child() {
        std::thread::spawn(|| {
            asyncheck::TestConfig::new()
                .wall_timeout(Duration::from_secs(600))
                .name("long")
                // asyncheck: allow(blocking_sleep) a synchronous call that never returns: what the watchdog must catch
                .run(async { std::thread::sleep(Duration::from_secs(3600)) });
        });
        std::thread::sleep(Duration::from_millis(100));
        asyncheck::TestConfig::new()
            .wall_timeout(Duration::from_secs(1))
            .name("short")
            // asyncheck: allow(blocking_sleep) a synchronous call that never returns: what the watchdog must catch
            .run(async { std::thread::sleep(Duration::from_secs(3600)) });
    }
}

#[test]
fn the_earliest_deadline_fires_first_whatever_the_order_of_the_tests() {
    let (output, took) = run_child("child_a_later_test_with_an_earlier_deadline");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(101), "{stderr}");
    assert!(took < Duration::from_secs(30), "the watchdog took {took:?}");
    assert!(
        stderr.contains("test short exceeded its wall-clock limit of 1s"),
        "{stderr}"
    );
}

#[test]
fn a_test_blocked_forever_exits_the_process_with_the_documented_message() {
    let (output, took) = run_child("child_blocked_forever");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(101), "{stderr}");
    assert!(took < Duration::from_secs(30), "the watchdog took {took:?}");
    assert!(
        stderr.contains(
            "asyncheck: test child_blocked_forever exceeded its wall-clock limit of 1s: the \
             executor thread is blocked (the virtual clock stands at 90s since the test started; \
             the runtime thread last went idle 1"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("wall_timeout = \"off\""), "{stderr}");
}

#[test]
fn a_runtime_that_never_went_idle_is_reported_as_such() {
    let (output, _) = run_child("child_blocked_before_the_first_await");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(101), "{stderr}");
    assert!(
        stderr.contains(
            "test child_blocked_before_the_first_await exceeded its wall-clock limit of 1s: the \
             executor thread is blocked (the virtual clock stands at 0ms since the test started; \
             the runtime thread has not gone idle once in 1"
        ),
        "{stderr}"
    );
}

#[test]
fn a_finished_test_cancels_its_watchdog() {
    asyncheck::TestConfig::new()
        .wall_timeout(Duration::from_millis(200))
        .run(async {});
    // Still alive well past the limit: the watchdog did not exit the process.
    std::thread::sleep(Duration::from_millis(500));
}

#[asyncheck::test(wall_timeout = "off")]
async fn off_is_accepted() {}
