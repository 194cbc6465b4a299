//! Deadlock diagnosis after a virtual-time timeout: was any timer other than the deadline pending?
//!
//! With a paused clock tokio advances time only when no task can run, and then to
//! the earliest pending timer. So when the test's deadline fires, either some task
//! still had a timer pending (the test was merely slow), or nothing but the
//! deadline was pending (no task could ever make progress: a deadlock, or a wait
//! for an event that never comes). tokio has no stable API to list pending
//! timers, so this probes: with the deadline's own timer dropped and the test body
//! no longer polled, it lets the runtime go idle. If any timer is pending, the
//! clock auto-advances to it; if none is, the runtime parks without moving the
//! clock until a helper thread wakes it after [`PROBE`] of wall time.

use std::time::Duration;

use super::Shared;

/// How long (wall clock) the probe lets an idle runtime sit before concluding.
const PROBE: Duration = Duration::from_millis(20);

/// True when, with the deadline's timer gone, the runtime went idle and the paused
/// clock did not move: no timer was pending. Call inside the test's runtime
/// (current-thread, paused clock) after dropping the deadline's `Sleep`.
pub(crate) async fn no_timer_pending(shared: &Shared) -> bool {
    let clock_before = tokio::time::Instant::now();
    let idle_before = shared.idle_generation();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let waker = std::thread::Builder::new()
        .name("asyncheck-deadlock-probe".to_owned())
        .spawn(move || {
            std::thread::sleep(PROBE);
            let _ = tx.send(());
        });
    if waker.is_err() {
        return false;
    }
    let _ = rx.await;
    shared.idle_generation() > idle_before && tokio::time::Instant::now() == clock_before
}
