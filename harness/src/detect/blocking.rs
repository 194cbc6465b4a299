//! Blocked-executor detection: the longest stretch the runtime thread ran without going idle.
//!
//! The current-thread scheduler calls `on_thread_unpark` when it comes back from
//! waiting on the driver and `on_thread_park` right before it waits again, and only
//! when it has no task left to run. The wall-clock time between the two is one
//! *busy stretch*: every poll of the test body and of every spawned task in it runs
//! inside such a stretch. A `std::thread::sleep`, blocking I/O or a long CPU loop in
//! any poll makes the stretch at least that long. Time spent parked (waiting for
//! timers, I/O or wake-ups) is never counted, so a test that only awaits is never
//! flagged, and with a paused clock virtual sleeps cost no wall time at all.
//!
//! Limit: stable tokio has no per-poll hook, so a long run of cooperative work that
//! never lets the runtime go idle (say 100 000 `yield_now()` rounds) is one stretch
//! too and is reported like a single blocking poll.

use std::time::{Duration, Instant};

use super::lock;
use crate::sync::Mutex;

/// Measures busy stretches of one runtime thread.
#[derive(Debug, Default)]
pub(crate) struct BusyClock {
    inner: Mutex<Busy>,
}

#[derive(Debug, Default)]
struct Busy {
    since: Option<Instant>,
    longest: Duration,
}

impl BusyClock {
    /// The runtime thread starts running tasks.
    pub(crate) fn start(&self) {
        lock(&self.inner).since = Some(Instant::now());
    }

    /// The runtime thread stops running tasks (it parks, or the test is over).
    pub(crate) fn stop(&self) {
        let now = Instant::now();
        let mut busy = lock(&self.inner);
        if let Some(since) = busy.since.take() {
            busy.longest = busy.longest.max(now - since);
        }
    }

    /// The longest busy stretch measured so far.
    pub(crate) fn longest(&self) -> Duration {
        lock(&self.inner).longest
    }
}
