//! `asyncheck::cancel_at_every_await`: a cancel-safe function passes at every await
//! point, a non-cancel-safe one fails naming the await point and the check's message.

use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Two balances that must always add up to 100.
#[derive(Clone, Default)]
struct Bank(Arc<Mutex<[i64; 2]>>);

impl Bank {
    fn open() -> Self {
        Self(Arc::new(Mutex::new([100, 0])))
    }

    /// Checks the invariant, then resets the balances for the next run.
    fn check_and_reset(&self) {
        let mut b = self.0.lock().unwrap();
        let total = b[0] + b[1];
        *b = [100, 0];
        assert_eq!(total, 100, "money lost: balances add up to {total}");
    }

    /// Debits, talks to a slow ledger, then credits: cancelling in between loses money.
    async fn transfer_unsafe(self, amount: i64) {
        self.0.lock().unwrap()[0] -= amount;
        tokio::time::sleep(Duration::from_millis(10)).await;
        tokio::task::yield_now().await;
        self.0.lock().unwrap()[1] += amount;
    }

    /// Does all its waiting first, then moves the money in one step.
    async fn transfer_safe(self, amount: i64) {
        tokio::time::sleep(Duration::from_millis(10)).await;
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(10)).await;
        let mut b = self.0.lock().unwrap();
        b[0] -= amount;
        b[1] += amount;
    }
}

fn failure(body: impl Future<Output = ()>) -> String {
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        asyncheck::TestConfig::new().run(body);
    }))
    .expect_err("the test was expected to fail");
    err.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[asyncheck::test]
async fn a_cancel_safe_transfer_passes_at_every_await_point() {
    let bank = Bank::open();
    let mut seen = Vec::new();
    let points = asyncheck::cancel_at_every_await(
        || bank.clone().transfer_safe(30),
        |n| {
            seen.push(n);
            bank.check_and_reset();
        },
    )
    .await;
    assert_eq!(points, 3, "two sleeps and a yield are three await points");
    assert_eq!(
        seen,
        [0, 1, 2, 3, 4],
        "cancelled at 0..=3, then the complete run"
    );
}

#[test]
fn a_transfer_that_debits_before_awaiting_fails_at_await_point_1() {
    let msg = failure(async {
        let bank = Bank::open();
        asyncheck::cancel_at_every_await(
            || bank.clone().transfer_unsafe(30),
            |_| bank.check_and_reset(),
        )
        .await;
    });
    assert!(
        msg.starts_with("cancelled at await point 1: assertion `left == right` failed: money lost: balances add up to 70"),
        "{msg}"
    );
}

#[asyncheck::test]
async fn virtual_time_and_other_tasks_progress_while_the_future_is_driven() {
    let ticks = Arc::new(Mutex::new(0));
    let ticker = {
        let ticks = ticks.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(1)).await;
                *ticks.lock().unwrap() += 1;
            }
        })
    };
    let start = tokio::time::Instant::now();
    let points = asyncheck::cancel_at_every_await(
        || async {
            let before = *ticks.lock().unwrap();
            tokio::time::sleep(Duration::from_millis(5)).await;
            assert!(*ticks.lock().unwrap() > before, "the ticker did not run");
        },
        |_| {},
    )
    .await;
    ticker.abort();
    assert_eq!(points, 1);
    // Cancelled at point 1 right after the sleep first returned `Pending`, then one
    // complete run that slept 5ms of virtual time while the ticker ran.
    assert_eq!(start.elapsed(), Duration::from_millis(5));
}

#[asyncheck::test]
async fn a_future_without_await_points_is_checked_before_and_after_its_one_poll() {
    let mut seen = Vec::new();
    let points = asyncheck::cancel_at_every_await(|| async { 5 }, |n| seen.push(n)).await;
    assert_eq!(points, 0);
    assert_eq!(seen, [0, 1]);
}

#[test]
fn a_check_failing_after_the_complete_run_says_it_was_not_cancelled() {
    let msg = failure(async {
        asyncheck::cancel_at_every_await(tokio::task::yield_now, |n| {
            assert!(n < 2, "completed runs are wrong too");
        })
        .await;
    });
    assert_eq!(
        msg,
        "check failed after the future completed (1 await point, not cancelled): completed \
         runs are wrong too"
    );
}
