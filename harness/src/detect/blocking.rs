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
//! Stable tokio has no per-poll hook, so a stretch is cut into parts by the test's
//! runner instead: while a stretch lasts, the runner keeps itself woken, and the
//! scheduler polls it between every `event_interval` (61) task polls; each poll of
//! the runner takes a sample. The longest part between two samples is what is
//! reported, so a long burst of short polls (25 000 tasks, or 100 000
//! `yield_now()` rounds) is not taken for one poll that blocked. Limit: a part is
//! up to 61 task polls and one poll of the body, and the report cannot name the
//! task. The cost, only with a threshold: the runner (and the body, spuriously)
//! is polled once more per group of 61 task polls, and once more at each idle point.

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
    /// Set once the test's verdict is in: later stretches are not the test's.
    stopped: bool,
}

impl BusyClock {
    /// The runtime thread starts running tasks.
    pub(crate) fn start(&self) {
        let mut busy = lock(&self.inner);
        if !busy.stopped {
            busy.since = Some(Instant::now());
        }
    }

    /// The runtime thread stops running tasks (it parks, or the test is over).
    pub(crate) fn stop(&self) {
        let now = Instant::now();
        let mut busy = lock(&self.inner);
        if let Some(since) = busy.since.take() {
            busy.longest = busy.longest.max(now - since);
        }
    }

    /// A sample inside a stretch: measures the part since the stretch started or
    /// since the last sample, and starts the next part.
    pub(crate) fn sample(&self) {
        let now = Instant::now();
        let mut busy = lock(&self.inner);
        if let Some(since) = busy.since {
            busy.longest = busy.longest.max(now - since);
            busy.since = Some(now);
        }
    }

    /// Ends the current stretch and measures no more.
    pub(crate) fn finish(&self) {
        self.stop();
        lock(&self.inner).stopped = true;
    }

    /// The longest busy stretch measured so far.
    pub(crate) fn longest(&self) -> Duration {
        lock(&self.inner).longest
    }
}
