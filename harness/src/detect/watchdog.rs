//! Wall-clock watchdog: exits the process when a test runs past its wall-clock limit,
//! and raises the stall alarm when a paused test's runtime sits idle too long.
//!
//! A virtual-time timeout fires only when the runtime thread gets to poll the
//! test's deadline. A synchronous call that never returns (a `std::sync::Mutex`
//! deadlock, a blocking `recv`, `std::thread::sleep` in a loop) keeps that thread
//! forever, so no timeout can fire and the test run hangs CI. One watchdog
//! thread per process, started with the first test, keeps the deadlines of the
//! running tests (a test registers when it starts and deregisters when it
//! finishes, passed or failed: a lock and a push, no thread per test and no
//! clock read; the watchdog stamps each test when it next looks, so a test
//! gets between its limit and 1⅛ of it). When a deadline passes first, it writes what it knows to stderr (bypassing libtest's
//! output capture, which would otherwise swallow it) and exits the process with
//! status 101, the status of a failed `cargo test`. A panic cannot be used: it
//! would only end the watchdog's own thread.
//!
//! The same thread diagnoses a deadlock on the paused clock. tokio auto-advances a
//! paused clock to the next timer whenever the runtime is idle, so a runtime that
//! stays parked while its clock stands still has no timer left: every task waits
//! for a wake-up from outside (another thread, I/O) or for something that never
//! happens. When that lasts a test's idle limit of wall-clock time, the watchdog
//! raises [`Alarm::Stalled`] and the test fails saying that no task could make
//! progress. (A timer of the harness's own for this would be worse: the paused
//! clock would jump to it whenever the test waits on another thread.)

use std::fmt;
use std::io::Write as _;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Once, PoisonError};
use std::time::{Duration, Instant};

use super::{Alarm, Shared};
use crate::runtime::format_measured;
use crate::time::format_duration;

/// Exit status of the process when the watchdog fires.
const EXIT_STATUS: i32 = 101;

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

/// What the watchdog watches in one test.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Exit the process when the test has not finished after this long.
    pub(crate) wall: Option<Duration>,
    /// Raise [`Alarm::Stalled`] when the runtime has been parked this long with
    /// tokio's clock standing still (the test's runtime must record
    /// [`Shared::parked`], and `clock` be given).
    pub(crate) idle: Option<Duration>,
}

/// A running test as the watchdog sees it.
struct Entry {
    id: u64,
    name: TestName,
    limits: Limits,
    /// When the watchdog thread first saw the test; its deadline is `seen + limit`.
    seen: Option<Instant>,
    shared: Arc<Shared>,
    /// The runtime of a test whose clock is (or may be) paused, to read that
    /// clock from the watchdog thread.
    clock: Option<tokio::runtime::Handle>,
    /// Whether the stall alarm was raised already.
    stalled: bool,
}

impl Entry {
    /// The longest the watchdog may sleep before it looks at this test again:
    /// a test is late by at most this much.
    fn slack(&self) -> Duration {
        [self.limits.wall, self.limits.idle]
            .into_iter()
            .flatten()
            .map(|limit| limit / SLACK_DIVISOR)
            .min()
            .unwrap_or(Duration::MAX)
    }

    /// When the wall-clock limit passes, once the test has been seen.
    fn deadline(&self, now: Instant) -> Option<Instant> {
        Some(self.seen.unwrap_or(now) + self.limits.wall?)
    }

    /// Raises the stall alarm when the runtime has been parked for the idle
    /// limit and tokio's clock has not moved since it parked.
    fn check_idle(&mut self, now: Instant) {
        let (Some(idle), Some(clock), false) = (self.limits.idle, &self.clock, self.stalled) else {
            return;
        };
        let Some(parked) = self.shared.parked() else {
            return;
        };
        if now.saturating_duration_since(parked.wall) < idle {
            return;
        }
        let standing_still = {
            let _context = clock.enter();
            tokio::time::Instant::now() == parked.clock
        };
        if standing_still {
            self.stalled = true;
            self.shared.raise(Alarm::Stalled);
        }
    }
}

/// A test's deadline is its limit plus at most `limit / SLACK_DIVISOR`, and a
/// stall is seen between the idle limit and 1⅛ of it.
const SLACK_DIVISOR: u32 = 8;

struct Running {
    next_id: u64,
    tests: Vec<Entry>,
    /// How long the watchdog thread sleeps at most before it looks again;
    /// `None` while it waits for a test to register.
    tick: Option<Duration>,
}

static RUNNING: Mutex<Running> = Mutex::new(Running {
    next_id: 0,
    tests: Vec::new(),
    tick: None,
});
/// Notified when a test registers that the watchdog thread would otherwise see
/// too late. Tests that run one after another with the same limit never notify:
/// waking the thread for every test would cost more than the test.
static SOONER: Condvar = Condvar::new();
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
///
/// The test does not read the clock: the watchdog thread stamps it when it
/// next looks, which it does within `limit / SLACK_DIVISOR`, so the test gets
/// between its limit and 1⅛ of it.
pub(crate) fn start(
    name: TestName,
    limits: Limits,
    shared: Arc<Shared>,
    clock: Option<tokio::runtime::Handle>,
) -> Watchdog {
    START.call_once(|| {
        std::thread::Builder::new()
            .name("asyncheck-watchdog".to_owned())
            .spawn(watch)
            .expect("asyncheck: failed to start the wall-clock watchdog thread");
    });
    let mut running = running();
    let id = running.next_id;
    running.next_id += 1;
    let entry = Entry {
        id,
        name,
        limits,
        seen: None,
        shared,
        clock,
        stalled: false,
    };
    let sooner = running.tick.is_none_or(|tick| entry.slack() < tick);
    running.tests.push(entry);
    drop(running);
    if sooner {
        SOONER.notify_one();
    }
    Watchdog { id }
}

/// The watchdog thread: stamps newly registered tests, exits the process if a
/// test is past its deadline, raises the stall alarm of a test idle for too
/// long, and sleeps until the earliest deadline or until the next look a test
/// needs. A test that finished early is noticed lazily, at its old deadline.
fn watch() {
    let mut running = running();
    loop {
        let now = Instant::now();
        for test in &mut running.tests {
            test.seen.get_or_insert(now);
            test.check_idle(now);
        }
        if running.tests.is_empty() {
            running.tick = None;
            running = SOONER.wait(running).unwrap_or_else(PoisonError::into_inner);
            continue;
        }
        let first = running
            .tests
            .iter()
            .filter_map(|t| Some((t.deadline(now)?, t)))
            .min_by_key(|(deadline, _)| *deadline);
        if let Some((deadline, test)) = first.filter(|(deadline, _)| *deadline <= now) {
            let message = expiry_message(test, deadline, now);
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "\n{message}");
            let _ = stderr.flush();
            std::process::exit(EXIT_STATUS);
        }
        let tick = running
            .tests
            .iter()
            .map(Entry::slack)
            .min()
            .unwrap_or(Duration::MAX);
        let wait = first.map_or(tick, |(deadline, _)| (deadline - now).min(tick));
        running.tick = Some(tick);
        running = SOONER
            .wait_timeout(running, wait)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}

fn expiry_message(test: &Entry, deadline: Instant, now: Instant) -> String {
    let mut known = Vec::new();
    if let Some(handle) = &test.clock {
        let elapsed = test
            .shared
            .virtual_start()
            .map_or(Duration::ZERO, |started| {
                let _context = handle.enter();
                started.elapsed()
            });
        known.push(format!(
            "the virtual clock stands at {} since the test started",
            format_measured(elapsed)
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
                format_measured(now - test.seen.unwrap_or(now))
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
        format_duration(deadline - test.seen.unwrap_or(now))
    )
}
