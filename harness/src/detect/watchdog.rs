//! Wall-clock watchdog: exits the process when a test runs past its wall-clock limit.
//!
//! A virtual-time timeout fires only when the runtime thread gets to poll the
//! test's deadline. A synchronous call that never returns (a `std::sync::Mutex`
//! deadlock, a blocking `recv`, `std::thread::sleep` in a loop) keeps that thread
//! forever, so no timeout can fire and the test run hangs CI. One watchdog
//! thread per process, started with the first test, keeps the deadlines of the
//! running tests (a test registers when it starts and deregisters when it
//! finishes, passed or failed: a lock and a push, no thread per test). When a
//! deadline passes first, it writes what it knows to stderr (bypassing libtest's
//! output capture, which would otherwise swallow it) and exits the process with
//! status 101, the status of a failed `cargo test`. A panic cannot be used: it
//! would only end the watchdog's own thread.

use std::fmt;
use std::io::Write as _;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Once, PoisonError};
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

/// How the watchdog names a test; turned into text only if the watchdog fires,
/// so that a passing test pays for no formatting or allocation.
#[derive(Debug, Clone)]
pub(crate) enum TestName {
    /// Given with [`TestConfig::name`](crate::TestConfig::name).
    Given(String),
    /// `module_path!()` and the function's name, from `#[asyncheck::test]`.
    Path {
        module_path: &'static str,
        fn_name: &'static str,
    },
    /// The thread running the test, which libtest names after the test.
    Thread(std::thread::Thread),
}

impl fmt::Display for TestName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TestName::Given(name) => f.write_str(name),
            // libtest prints the path without its first segment, the crate.
            TestName::Path {
                module_path,
                fn_name,
            } => match module_path.split_once("::") {
                Some((_crate, path)) => write!(f, "{path}::{fn_name}"),
                None => f.write_str(fn_name),
            },
            TestName::Thread(thread) => f.write_str(
                thread
                    .name()
                    .filter(|n| *n != "main")
                    .unwrap_or("<unnamed>"),
            ),
        }
    }
}

/// A running test as the watchdog sees it.
struct Entry {
    id: u64,
    name: TestName,
    limit: Duration,
    started: Instant,
    deadline: Instant,
    shared: Arc<Shared>,
    clock: Option<VirtualClock>,
}

struct Running {
    next_id: u64,
    tests: Vec<Entry>,
    /// When the watchdog thread will next look at the deadlines on its own;
    /// `None` while it waits for a test to register.
    wake_at: Option<Instant>,
}

static RUNNING: Mutex<Running> = Mutex::new(Running {
    next_id: 0,
    tests: Vec::new(),
    wake_at: None,
});
/// Notified when a test registers with a deadline before the watchdog thread's
/// next wake-up. Tests that run one after another with the same limit almost
/// never notify: waking the thread for every test would cost more than the test.
static EARLIER: Condvar = Condvar::new();
static START: Once = Once::new();

fn running() -> MutexGuard<'static, Running> {
    RUNNING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Deregisters the test when dropped (the test finished, passed or failed),
/// releasing its state and runtime handle.
pub(crate) struct Watchdog {
    id: u64,
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let removed = {
            let mut running = running();
            let index = running.tests.iter().position(|t| t.id == self.id);
            index.map(|i| running.tests.swap_remove(i))
        };
        // Dropped outside the lock: the runtime handle may take a while to go.
        drop(removed);
    }
}

/// Starts watching test `name`.
pub(crate) fn start(
    name: TestName,
    limit: Duration,
    shared: Arc<Shared>,
    clock: Option<VirtualClock>,
) -> Watchdog {
    START.call_once(|| {
        std::thread::Builder::new()
            .name("asyncheck-watchdog".to_owned())
            .spawn(watch)
            .expect("asyncheck: failed to start the wall-clock watchdog thread");
    });
    let started = Instant::now();
    let deadline = started + limit;
    let mut running = running();
    let id = running.next_id;
    running.next_id += 1;
    let earliest = running.wake_at.is_none_or(|wake_at| deadline < wake_at);
    running.tests.push(Entry {
        id,
        name,
        limit,
        started,
        deadline,
        shared,
        clock,
    });
    drop(running);
    if earliest {
        EARLIER.notify_one();
    }
    Watchdog { id }
}

/// The watchdog thread: sleeps until the earliest deadline, and exits the
/// process if that test is still running then. A test that finished early is
/// noticed lazily, at its old deadline.
fn watch() {
    let mut running = running();
    loop {
        let now = Instant::now();
        let Some(first) = running.tests.iter().min_by_key(|t| t.deadline) else {
            running.wake_at = None;
            running = EARLIER
                .wait(running)
                .unwrap_or_else(PoisonError::into_inner);
            continue;
        };
        if first.deadline <= now {
            let message = expiry_message(first, now);
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "\n{message}");
            let _ = stderr.flush();
            std::process::exit(EXIT_STATUS);
        }
        let wait = first.deadline - now;
        running.wake_at = Some(first.deadline);
        running = EARLIER
            .wait_timeout(running, wait)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}

fn expiry_message(test: &Entry, now: Instant) -> String {
    let mut known = Vec::new();
    if let Some(clock) = &test.clock {
        let _context = clock.handle.enter();
        known.push(format!(
            "the virtual clock stands at {} since the test started",
            format_measured(clock.started.elapsed())
        ));
    }
    if test.shared.current_thread {
        known.push(match test.shared.last_idle() {
            Some(at) => format!(
                "the runtime thread last went idle {} ago",
                format_measured(at.elapsed())
            ),
            None => format!(
                "the runtime thread has not gone idle once in {}",
                format_measured(now - test.started)
            ),
        });
    }
    let known = if known.is_empty() {
        String::new()
    } else {
        format!(" ({})", known.join("; "))
    };
    format!(
        "asyncheck: test {} exceeded its wall-clock limit of {}: the executor thread is \
         blocked{known}; a synchronous call that never returns (a `std::sync` lock or channel, \
         `std::thread::sleep`, blocking I/O, a loop without `.await`) keeps every timeout from \
         firing. Exiting with status {EXIT_STATUS} so that the test run does not hang; raise \
         the limit with `wall_timeout = \"...\"` or disable it with `wall_timeout = \"off\"`",
        test.name,
        format_duration(test.limit)
    )
}
