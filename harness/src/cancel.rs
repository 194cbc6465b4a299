//! Cancellation injection: [`cancel_at_every_await`] drops a future at each of its await points in turn.

use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

use crate::detect::panic::payload_text;

/// Cancels a future at every await point in turn and checks an invariant after
/// each cancellation: the run-time twin of the lint's `select_not_cancel_safe`
/// and `swallowed_cancellation` rules.
///
/// For `n = 0, 1, 2, …` it builds a fresh future with `make()`, drives it on the
/// current runtime (timers, including a paused clock, and other tasks progress
/// normally) until the future has returned `Pending` `n` times, drops it there,
/// and calls `check(n)`. `n = 0` drops the future before its first poll, as a
/// `select!` does when another branch wins first. The first `n` at which the
/// future completes instead of being dropped ends the run: for a future that
/// suspends `k` times, `check` sees `n = 0..=k` after a cancellation and then
/// `n = k + 1` after the complete run, and `k`, the number of await points, is
/// returned.
///
/// `make` must build futures that behave the same way each time (a future whose
/// await points depend on randomness or on state left by earlier runs explores
/// a different path each time). Reset shared state in `make` or in `check`.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
///
/// #[derive(Default)]
/// struct Accounts { alice: i64, bob: i64 }
///
/// // Cancel-safe: the balances change together after the only await point.
/// async fn transfer(accounts: Arc<Mutex<Accounts>>, amount: i64) {
///     tokio::time::sleep(Duration::from_millis(10)).await; // talk to the fraud check
///     let mut a = accounts.lock().unwrap();
///     a.alice -= amount;
///     a.bob += amount;
/// }
///
/// # asyncheck::TestConfig::new().run(async {
/// // inside #[asyncheck::test] async fn ...
/// let accounts = Arc::new(Mutex::new(Accounts { alice: 100, bob: 0 }));
/// let await_points = asyncheck::cancel_at_every_await(
///     || transfer(accounts.clone(), 30),
///     |_n| {
///         let mut a = accounts.lock().unwrap();
///         assert_eq!(a.alice + a.bob, 100, "money was created or lost");
///         *a = Accounts { alice: 100, bob: 0 }; // fresh state for the next run
///     },
/// )
/// .await;
/// assert_eq!(await_points, 1);
/// # });
/// ```
///
/// # Panics
/// When `check` panics after the future was cancelled at await point `n`, with
/// `cancelled at await point <n>: <the check's message>`; when it panics after
/// the complete run, with `check failed after the future completed (<k> await
/// points, not cancelled): <the check's message>`. A panic of the future itself
/// propagates unchanged.
pub async fn cancel_at_every_await<M, F>(mut make: M, mut check: impl FnMut(usize)) -> usize
where
    M: FnMut() -> F,
    F: Future,
{
    for n in 0.. {
        let completed = {
            let mut fut = pin!(make());
            let mut pendings = 0;
            let wake = Arc::new(WakeFlag {
                woken: AtomicBool::new(true),
                outer: Mutex::new(None),
            });
            let waker = Waker::from(Arc::clone(&wake));
            if n == 0 {
                false
            } else {
                poll_fn(|cx| {
                    *wake.outer.lock().unwrap_or_else(PoisonError::into_inner) =
                        Some(cx.waker().clone());
                    // Polled again without a wake-up of its own (the enclosing
                    // future was woken for something else): not an await point.
                    if !wake.woken.swap(false, Ordering::SeqCst) {
                        return Poll::Pending;
                    }
                    match fut.as_mut().poll(&mut Context::from_waker(&waker)) {
                        Poll::Ready(_) => Poll::Ready(true),
                        Poll::Pending => {
                            pendings += 1;
                            if pendings == n {
                                Poll::Ready(false)
                            } else {
                                Poll::Pending
                            }
                        }
                    }
                })
                .await
            }
            // `fut` is dropped here, at its `n`-th await point when not completed.
        };
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(n))) {
            let message = payload_text(&*panic);
            if completed {
                let k = n - 1;
                panic!(
                    "check failed after the future completed ({k} await point{}, not \
                     cancelled): {message}",
                    if k == 1 { "" } else { "s" }
                );
            }
            panic!("cancelled at await point {n}: {message}");
        }
        if completed {
            return n - 1;
        }
    }
    unreachable!("a future cannot return `Pending` more than `usize::MAX` times")
}

/// The waker handed to the explored future: remembers that the future asked to
/// be polled again and passes the wake-up on to the enclosing task.
struct WakeFlag {
    woken: AtomicBool,
    outer: Mutex<Option<Waker>>,
}

impl Wake for WakeFlag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        let outer = self
            .outer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(outer) = outer {
            outer.wake();
        }
    }
}
