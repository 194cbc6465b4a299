//! Wall-clock watchdog: exits the process when a test runs past its wall-clock limit.
//!
//! A virtual-time timeout fires only when the runtime thread gets to poll the
//! test's deadline. A synchronous call that never returns (a `std::sync::Mutex`
//! deadlock, a blocking `recv`, `std::thread::sleep` in a loop) keeps that thread
//! forever, so no timeout can fire and the test run hangs CI. The watchdog is a
//! plain thread per test that waits on a channel for the test to finish; when the
//! limit passes first it writes what it knows to stderr (bypassing libtest's
//! output capture, which would otherwise swallow it) and exits the process with
//! status 101, the status of a failed `cargo test`. A panic cannot be used: it
//! would only end the watchdog's own thread.

use std::io::Write as _;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Shared;
use crate::runtime::format_measured;
use crate::time::format_duration;

/// Exit status of the process when the watchdog fires.
const EXIT_STATUS: i32 = 101;

/// Reading the test's clock from the watchdog thread.
pub(crate) struct VirtualClock {
    pub(crate) handle: tokio::runtime::Handle,
    pub(crate) started: tokio::time::Instant,
}

/// Cancels the watchdog when dropped (the test finished, passed or failed), and
/// waits for its thread to let go of the test's state and runtime handle.
pub(crate) struct Watchdog {
    finished: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.finished.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts the watchdog of test `name`.
pub(crate) fn start(
    name: String,
    limit: Duration,
    shared: Arc<Shared>,
    clock: Option<VirtualClock>,
) -> Watchdog {
    let (finished, wait) = mpsc::channel();
    let started = Instant::now();
    let thread = std::thread::Builder::new()
        .name(format!("asyncheck-watchdog {name}"))
        .spawn(move || {
            if wait.recv_timeout(limit) == Err(RecvTimeoutError::Timeout) {
                let message = expiry_message(&name, limit, started.elapsed(), &shared, clock);
                let mut stderr = std::io::stderr().lock();
                let _ = writeln!(stderr, "\n{message}");
                let _ = stderr.flush();
                std::process::exit(EXIT_STATUS);
            }
        })
        .expect("asyncheck: failed to start the wall-clock watchdog thread");
    Watchdog {
        finished: Some(finished),
        thread: Some(thread),
    }
}

fn expiry_message(
    name: &str,
    limit: Duration,
    wall: Duration,
    shared: &Shared,
    clock: Option<VirtualClock>,
) -> String {
    let mut known = Vec::new();
    if let Some(clock) = clock {
        let _context = clock.handle.enter();
        known.push(format!(
            "the virtual clock stands at {} since the test started",
            format_measured(clock.started.elapsed())
        ));
    }
    if shared.current_thread {
        known.push(match shared.last_idle() {
            Some(at) => format!(
                "the runtime thread last went idle {} ago",
                format_measured(at.elapsed())
            ),
            None => format!(
                "the runtime thread has not gone idle once in {}",
                format_measured(wall)
            ),
        });
    }
    let known = if known.is_empty() {
        String::new()
    } else {
        format!(" ({})", known.join("; "))
    };
    format!(
        "asyncheck: test {name} exceeded its wall-clock limit of {}: the executor thread is \
         blocked{known}; a synchronous call that never returns (a `std::sync` lock or channel, \
         `std::thread::sleep`, blocking I/O, a loop without `.await`) keeps every timeout from \
         firing. Exiting with status {EXIT_STATUS} so that the test run does not hang; raise \
         the limit with `wall_timeout = \"...\"` or disable it with `wall_timeout = \"off\"`",
        format_duration(limit)
    )
}
