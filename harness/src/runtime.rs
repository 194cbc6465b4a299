//! Building and running the test runtime: [`TestConfig`], what `#[asyncheck::test]` expands to.

use std::fmt::Write as _;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::detect::watchdog::{self, TestName};
use crate::detect::{self, Shared, leak};
use crate::time::format_duration;

/// Default timeout with a paused (virtual) clock.
const DEFAULT_VIRTUAL_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);
/// Default timeout with a real (wall) clock.
const DEFAULT_REAL_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// Default wall-clock limit of a test (see [`TestConfig::wall_timeout`]).
const DEFAULT_WALL_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// How much longer than a wall-clock `timeout` the default wall-clock limit is,
/// so that a test that is slow but not blocked gets the ordinary timeout message.
const WALL_TIMEOUT_MARGIN: Duration = Duration::from_secs(60);
/// How long the leak check of a multi-thread runtime waits for workers to finish
/// releasing tasks that have already completed.
const LEAK_RECHECK: Duration = Duration::from_millis(100);

/// How one test is run: runtime flavor, clock, timeout and detectors.
///
/// `#[asyncheck::test]` expands to a chain of calls on this builder; use it
/// directly to run a test body without the attribute, for example from a helper
/// shared by many tests.
///
/// ```
/// use std::time::{Duration, Instant};
///
/// // What `#[asyncheck::test(timeout = "2h", leak_check)]` does for a test body:
/// let wall = Instant::now();
/// asyncheck::TestConfig::new()
///     .timeout(Duration::from_secs(2 * 60 * 60))
///     .leak_check()
///     .run(async {
///         tokio::time::sleep(Duration::from_secs(3600)).await;
///     });
/// assert!(wall.elapsed() < Duration::from_secs(5)); // an hour of virtual time
/// ```
#[derive(Debug, Clone)]
#[must_use]
#[allow(
    clippy::struct_excessive_bools,
    reason = "one flag per independent option of the attribute, not a state machine"
)]
pub struct TestConfig {
    multi_thread: bool,
    worker_threads: Option<usize>,
    real_time: bool,
    timeout: Option<Duration>,
    blocking_threshold: Option<Duration>,
    leak_check: bool,
    allow_task_panics: bool,
    wall_timeout: WallLimit,
    name: Option<TestName>,
}

/// The wall-clock watchdog's limit.
#[derive(Debug, Clone, Copy)]
enum WallLimit {
    Default,
    Off,
    After(Duration),
}

impl Default for TestConfig {
    fn default() -> Self {
        Self::new()
    }
}

/// Why the body stopped being polled.
enum Stop<T> {
    Finished(T),
    TimedOut,
    TaskPanicked,
}

impl TestConfig {
    /// The defaults of `#[asyncheck::test]`: a current-thread runtime with a paused
    /// clock, a 24h virtual timeout, task panics fail the test, no blocking or leak
    /// check.
    pub fn new() -> Self {
        Self {
            multi_thread: false,
            worker_threads: None,
            real_time: false,
            timeout: None,
            blocking_threshold: None,
            leak_check: false,
            allow_task_panics: false,
            wall_timeout: WallLimit::Default,
            name: None,
        }
    }

    /// Uses a multi-thread runtime. Implies [`real_time`](Self::real_time): tokio can
    /// only pause time on a current-thread runtime.
    pub fn multi_thread(mut self) -> Self {
        self.multi_thread = true;
        self.real_time = true;
        self
    }

    /// Number of worker threads of a multi-thread runtime (tokio's default: one per
    /// CPU core).
    pub fn worker_threads(mut self, n: usize) -> Self {
        self.worker_threads = Some(n);
        self
    }

    /// Does not pause the clock: sleeps and the timeout take wall-clock time.
    pub fn real_time(mut self) -> Self {
        self.real_time = true;
        self
    }

    /// Fails the test when its body has not finished after `limit`: virtual time
    /// when the clock is paused (default 24h), wall-clock time otherwise (default 5m).
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = Some(limit);
        self
    }

    /// Fails the test when the runtime thread ran for longer than `limit` (wall
    /// clock) without going idle: something blocked the executor. Current-thread
    /// runtime only; see the crate docs for what is measured.
    ///
    /// # Panics
    /// [`run`](Self::run) panics when this is combined with [`multi_thread`](Self::multi_thread).
    pub fn blocking_threshold(mut self, limit: Duration) -> Self {
        self.blocking_threshold = Some(limit);
        self
    }

    /// Fails the test when tasks it spawned are still alive when its body returns.
    pub fn leak_check(mut self) -> Self {
        self.leak_check = true;
        self
    }

    /// Lets spawned tasks panic without failing the test (for tests of panic
    /// handling that inspect the `JoinError`).
    pub fn allow_task_panics(mut self) -> Self {
        self.allow_task_panics = true;
        self
    }

    /// Exits the whole test process with a failure status when the test has not
    /// finished after `limit` of wall-clock time, printing `test <name> exceeded
    /// its wall-clock limit of <limit>: the executor thread is blocked` and what is
    /// known (the virtual clock, when the runtime thread last went idle).
    ///
    /// This is the last line of defence against a synchronous call that never
    /// returns: the thread running the test is stuck, so neither the timeout nor
    /// any other detector can fire, and without the watchdog the test run hangs.
    /// The default is 5 minutes (or a wall-clock [`timeout`](Self::timeout) plus
    /// one minute, when that is longer). Exiting ends the other tests of the same
    /// binary too; `cargo test` reports the binary as failed.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// // #[asyncheck::test(wall_timeout = "30s")]
    /// asyncheck::TestConfig::new()
    ///     .wall_timeout(Duration::from_secs(30))
    ///     .run(async {
    ///         tokio::time::sleep(Duration::from_secs(3600)).await; // virtual: instant
    ///     });
    /// ```
    pub fn wall_timeout(mut self, limit: Duration) -> Self {
        self.wall_timeout = WallLimit::After(limit);
        self
    }

    /// Runs the test without the wall-clock watchdog of
    /// [`wall_timeout`](Self::wall_timeout) (`wall_timeout = "off"`).
    pub fn no_wall_timeout(mut self) -> Self {
        self.wall_timeout = WallLimit::Off;
        self
    }

    /// The test's name in the watchdog's message; by default the name of the
    /// thread running the test, which libtest sets to the test's path.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(TestName::Given(name.into()));
        self
    }

    /// Names the test by its path as libtest prints it: `module_path` without its
    /// first segment (the crate), then `fn_name`. What `#[asyncheck::test]` calls.
    #[doc(hidden)]
    pub fn test_path(mut self, module_path: &'static str, fn_name: &'static str) -> Self {
        self.name = Some(TestName::Path {
            module_path,
            fn_name,
        });
        self
    }

    fn wall_limit(&self) -> Option<Duration> {
        match self.wall_timeout {
            WallLimit::Off => None,
            WallLimit::After(limit) => Some(limit),
            WallLimit::Default => Some(match self.timeout.filter(|_| self.real_time) {
                Some(timeout) => DEFAULT_WALL_TIMEOUT.max(timeout + WALL_TIMEOUT_MARGIN),
                None => DEFAULT_WALL_TIMEOUT,
            }),
        }
    }

    /// The blocked-executor failure, if the threshold is set and was exceeded.
    fn blocking_failure(&self, shared: &Shared) -> Option<String> {
        let threshold = self.blocking_threshold?;
        let longest = shared.busy.longest();
        (longest > threshold).then(|| {
            format!(
                "the test blocked the executor for {} (threshold {}): the runtime thread ran \
                 that long without going idle; look for `std::thread::sleep`, blocking I/O or a \
                 long CPU loop in the test body or a task it spawned, and move it to \
                 `tokio::task::spawn_blocking`",
                format_measured(longest),
                format_duration(threshold)
            )
        })
    }

    /// Starts the wall-clock watchdog, unless it is off.
    fn start_watchdog(
        &mut self,
        runtime: &tokio::runtime::Runtime,
        shared: &Arc<Shared>,
    ) -> Option<watchdog::Watchdog> {
        let limit = self.wall_limit()?;
        // The clock's reading at the start is recorded by the runner (`Shared::virtual_start`).
        let clock = (!self.real_time).then(|| runtime.handle().clone());
        let name = self
            .name
            .take()
            .unwrap_or_else(|| TestName::Thread(std::thread::current()));
        Some(watchdog::start(name, limit, Arc::clone(shared), clock))
    }

    /// Builds a fresh runtime, runs `body` on it to completion and checks the
    /// detectors; returns the body's output.
    ///
    /// # Panics
    /// Panics with a message describing every failure found: the timeout expired,
    /// a spawned task panicked, the executor was blocked for longer than the
    /// threshold, or tasks leaked. A panic of the body itself propagates unchanged.
    #[track_caller]
    pub fn run<F: Future>(mut self, body: F) -> F::Output {
        assert!(
            !(self.multi_thread && self.blocking_threshold.is_some()),
            "asyncheck: `blocking_threshold` needs the current-thread runtime"
        );
        let shared = Shared::new(
            !self.multi_thread,
            !self.allow_task_panics,
            self.blocking_threshold.is_some(),
        );
        let runtime = self.build_runtime(&shared);
        let watchdog = self.start_watchdog(&runtime, &shared);
        let current = detect::enter(Arc::clone(&shared));
        // Also on unwind from a panicking body: see `Shared::forget_wakers`.
        let forget_wakers = ForgetWakers(&shared);

        let (stop, stalled) = self.drive(&runtime, &shared, body);
        let failures = self.failures(&runtime, &shared, &stop, stalled);

        // Do not wait for `spawn_blocking` work that may never finish.
        drop(forget_wakers);
        runtime.shutdown_timeout(Duration::from_secs(1));
        drop(current);
        drop(watchdog);

        match (stop, failures.is_empty()) {
            (Stop::Finished(out), true) => out,
            _ => panic!("{}", report(&failures)),
        }
    }

    /// The timeout in force: the one set, or the default of the clock.
    fn limit(&self) -> Duration {
        self.timeout.unwrap_or(if self.real_time {
            DEFAULT_REAL_TIMEOUT
        } else {
            DEFAULT_VIRTUAL_TIMEOUT
        })
    }

    /// Polls `body` on `runtime` until it finishes, the timeout expires or a
    /// spawned task panics; with the clock paused, a timeout is followed by the
    /// deadlock probe, whose answer is the second value.
    fn drive<F: Future>(
        &self,
        runtime: &tokio::runtime::Runtime,
        shared: &Shared,
        body: F,
    ) -> (Stop<F::Output>, bool) {
        let paused = !self.real_time;
        let limit = self.limit();
        if self.blocking_threshold.is_some() {
            shared.busy.start();
        }
        let outcome = runtime.block_on(async {
            let mut runner = Runner {
                body: pin!(body),
                shared,
                paused,
                limit,
                // The paused clock cannot move before the runtime first goes idle
                // (and the runner is woken then, before it can), so a paused test
                // reads its start and arms the deadline's timer at the first idle
                // point: a test that never waits on anything pays for neither.
                started: (!paused).then(tokio::time::Instant::now),
                deadline: None,
                registered: false,
            };
            let stop = poll_fn(|cx| runner.poll(cx)).await;
            drop(runner.deadline.take());
            let stalled = matches!(stop, Stop::TimedOut)
                && paused
                && detect::stall::no_timer_pending(shared).await;
            (stop, stalled)
        });
        if self.blocking_threshold.is_some() {
            shared.busy.stop();
        }
        outcome
    }

    /// Every failure the detectors found, in the order they are reported.
    fn failures<T>(
        &self,
        runtime: &tokio::runtime::Runtime,
        shared: &Shared,
        stop: &Stop<T>,
        stalled: bool,
    ) -> Vec<String> {
        let mut failures = if shared.panics.any() {
            shared.panics.messages()
        } else {
            Vec::new()
        };
        if matches!(stop, Stop::TimedOut) {
            failures.push(self.timeout_message(self.limit(), stalled));
        }
        failures.extend(self.blocking_failure(shared));
        if self.leak_check && matches!(stop, Stop::Finished(_)) {
            let alive = leak::alive_tasks(runtime.handle(), !self.multi_thread, LEAK_RECHECK);
            if alive > 0 {
                failures.push(format!(
                    "leaked {alive} task{}: spawned during the test and still alive when the \
                     test body returned; await or abort them before returning",
                    if alive == 1 { "" } else { "s" }
                ));
            }
        }
        failures
    }

    fn build_runtime(&self, shared: &Arc<Shared>) -> tokio::runtime::Runtime {
        let mut builder = if self.multi_thread {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            if let Some(n) = self.worker_threads {
                b.worker_threads(n);
            }
            b
        } else {
            let mut b = tokio::runtime::Builder::new_current_thread();
            let on_park = Arc::clone(shared);
            b.on_thread_park(move || on_park.on_park());
            if self.blocking_threshold.is_some() {
                let on_unpark = Arc::clone(shared);
                b.on_thread_unpark(move || on_unpark.on_unpark());
            }
            b
        };
        let on_start = Arc::clone(shared);
        builder
            .enable_all()
            .start_paused(!self.real_time)
            .on_thread_start(move || detect::set_for_runtime_thread(Arc::clone(&on_start)));
        builder
            .build()
            .expect("asyncheck: failed to build the test's tokio runtime")
    }

    fn timeout_message(&self, limit: Duration, stalled: bool) -> String {
        let limit = format_duration(limit);
        if self.real_time {
            return format!("test timed out after {limit} (wall clock)");
        }
        let mut message = format!(
            "test timed out after {limit} (virtual clock: time was paused and auto-advanced)"
        );
        if stalled {
            message.push_str(
                "; no task could make progress: every task was waiting and no timer other than \
                 the test's deadline was pending, so the paused clock jumped straight to the \
                 deadline (a deadlock, or a wait for something that never happens)",
            );
        }
        message
    }
}

/// Polls the test body inside `block_on`: stops at a task panic, at the body's
/// output, or at the deadline.
struct Runner<'a, B> {
    body: Pin<&'a mut B>,
    shared: &'a Shared,
    paused: bool,
    limit: Duration,
    /// The clock's reading at the start; read at the first idle point when paused.
    started: Option<tokio::time::Instant>,
    /// The deadline's timer, armed at the first idle point when paused.
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    /// Whether the runner's waker is registered with the panic log.
    registered: bool,
}

impl<B: Future> Runner<'_, B> {
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Stop<B::Output>> {
        if !self.registered {
            // `block_on` polls with the same waker every time.
            self.shared.panics.register_runner(cx.waker());
            self.registered = true;
        }
        if self.shared.panics.any() {
            return Poll::Ready(Stop::TaskPanicked);
        }
        if let Poll::Ready(out) = self.body.as_mut().poll(cx) {
            return Poll::Ready(Stop::Finished(out));
        }
        // A `LocalSet` or `block_in_place` inside the body polls tasks too.
        if self.shared.panics.any() {
            return Poll::Ready(Stop::TaskPanicked);
        }
        let sleep = match &mut self.deadline {
            Some(sleep) => sleep,
            None if self.paused && !self.shared.runner_saw_idle() => return Poll::Pending,
            None => {
                let started = *self.started.get_or_insert_with(|| {
                    let now = tokio::time::Instant::now();
                    self.shared.record_virtual_start(now);
                    now
                });
                self.deadline
                    .insert(Box::pin(tokio::time::sleep_until(started + self.limit)))
            }
        };
        if sleep.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Stop::TimedOut);
        }
        Poll::Pending
    }
}

/// Calls [`Shared::forget_wakers`] when dropped.
struct ForgetWakers<'a>(&'a Shared);

impl Drop for ForgetWakers<'_> {
    fn drop(&mut self) {
        self.0.forget_wakers();
    }
}

/// A measured duration: whole milliseconds as written in options, else `Debug`
/// with one decimal (`201.3ms`).
pub(crate) fn format_measured(d: Duration) -> String {
    if d.subsec_nanos() % 1_000_000 == 0 {
        format_duration(d)
    } else {
        format!("{d:.1?}")
    }
}

fn report(failures: &[String]) -> String {
    match failures {
        [one] => format!("asyncheck: {one}"),
        many => {
            let mut out = format!("asyncheck: {} problems:", many.len());
            for f in many {
                let _ = write!(out, "\n  - {f}");
            }
            out
        }
    }
}

// Not under `asyncheck_loom`: loom's primitives only work inside a model.
#[cfg(all(test, not(asyncheck_loom)))]
mod tests {
    use std::sync::atomic::Ordering;

    use super::*;

    /// The only test in this crate that creates runtimes, so `LIVE` is not shared.
    #[test]
    fn a_finished_test_frees_its_runtime_whatever_the_outcome() {
        let tasks = || async {
            drop(tokio::spawn(std::future::pending::<()>()));
            let waiter = tokio::spawn(async { crate::settle().await });
            tokio::time::sleep(Duration::from_secs(1)).await;
            waiter.await.unwrap();
        };
        TestConfig::new().run(tasks());
        TestConfig::new().multi_thread().run(async {
            tokio::spawn(async {}).await.unwrap();
        });
        let timed_out = std::panic::catch_unwind(|| {
            TestConfig::new()
                .timeout(Duration::from_millis(10))
                .run(std::future::pending::<()>());
        });
        assert!(timed_out.is_err());
        let body_panicked = std::panic::catch_unwind(|| {
            TestConfig::new().run(async {
                tasks().await;
                panic!("body");
            });
        });
        assert!(body_panicked.is_err());
        assert_eq!(
            detect::LIVE.load(Ordering::SeqCst),
            0,
            "a test runtime leaked"
        );
    }
}
