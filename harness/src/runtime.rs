//! Building and running the test runtime: [`TestConfig`], what `#[asyncheck::test]` expands to.

use std::fmt::Write as _;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::detect::panic::payload_text;
use crate::detect::watchdog::{self, Limits, TestName};
use crate::detect::{self, Alarm, Shared, leak};
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
/// Default idle limit (see [`TestConfig::idle_limit`]).
const DEFAULT_IDLE_LIMIT: Duration = Duration::from_secs(5);
/// A gap between two polls of the runner shorter than this means that no task
/// ran in between (the scheduler went straight back to the runner), so that the
/// runner stops waking itself to sample the busy clock (see `Shared::sample_busy`).
const NO_TASK_RAN: Duration = Duration::from_micros(50);
/// How much virtual time the leak check gives tasks still alive after the body
/// returned to finish on their own (see `let_lingering_tasks_finish`).
const LEAK_GRACE: Duration = Duration::from_secs(60);
/// How many rounds of the scheduler the leak check gives aborted and woken
/// tasks to finish before it counts the tasks still alive.
const LEAK_REAP_ROUNDS: usize = 64;
/// Appended to a task panic's message: stable tokio cannot tell a panic whose
/// `JoinHandle` the test awaited from one nobody looked at.
const TASK_PANIC_ADVICE: &str = "; a test that expects this panic and checks the `JoinError` \
     says so with `allow_task_panics` (tokio's spelling: `unhandled_panic = \"ignore\"`)";
/// The panic tokio raises when `tokio::time::pause()` finds the clock paused.
const ALREADY_FROZEN: &str = "time is already frozen";

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
    flavor: Flavor,
    worker_threads: Option<usize>,
    real_time: bool,
    body_pauses: bool,
    timeout: Option<Duration>,
    blocking_threshold: Option<Duration>,
    leak_check: bool,
    allow_task_panics: bool,
    wall_timeout: Limit,
    idle_limit: Limit,
    name: Option<TestName>,
}

/// The runtime's flavor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavor {
    CurrentThread,
    MultiThread,
    /// tokio's `LocalRuntime`: current-thread, and `spawn_local` works without a `LocalSet`.
    Local,
}

/// A limit of the watchdog: its default, off, or a given duration.
#[derive(Debug, Clone, Copy)]
enum Limit {
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
    Stalled,
    TaskPanicked,
}

/// The test's runtime: tokio's `Runtime`, or a `LocalRuntime` for `flavor = "local"`.
enum TestRuntime {
    Runtime(tokio::runtime::Runtime),
    Local(tokio::runtime::LocalRuntime),
}

impl TestRuntime {
    fn block_on<F: Future>(&self, future: F) -> F::Output {
        match self {
            TestRuntime::Runtime(rt) => rt.block_on(future),
            TestRuntime::Local(rt) => rt.block_on(future),
        }
    }

    fn handle(&self) -> &tokio::runtime::Handle {
        match self {
            TestRuntime::Runtime(rt) => rt.handle(),
            TestRuntime::Local(rt) => rt.handle(),
        }
    }

    fn shutdown_timeout(self, duration: Duration) {
        match self {
            TestRuntime::Runtime(rt) => rt.shutdown_timeout(duration),
            TestRuntime::Local(rt) => rt.shutdown_timeout(duration),
        }
    }
}

impl TestConfig {
    /// The defaults of `#[asyncheck::test]`: a current-thread runtime with a paused
    /// clock, a 24h virtual timeout, task panics fail the test, no blocking or leak
    /// check.
    pub fn new() -> Self {
        Self {
            flavor: Flavor::CurrentThread,
            worker_threads: None,
            real_time: false,
            body_pauses: false,
            timeout: None,
            blocking_threshold: None,
            leak_check: false,
            allow_task_panics: false,
            wall_timeout: Limit::Default,
            idle_limit: Limit::Default,
            name: None,
        }
    }

    /// Uses a multi-thread runtime. Implies [`real_time`](Self::real_time): tokio can
    /// only pause time on a current-thread runtime.
    pub fn multi_thread(mut self) -> Self {
        self.flavor = Flavor::MultiThread;
        self.real_time = true;
        self
    }

    /// Uses tokio's `LocalRuntime` (`flavor = "local"`): a current-thread runtime
    /// on which `tokio::task::spawn_local` works without a `LocalSet`. The clock
    /// is paused as with the default flavor.
    ///
    /// ```
    /// asyncheck::TestConfig::new().local().run(async {
    ///     let shared = std::rc::Rc::new(7); // not `Send`
    ///     let answer = tokio::task::spawn_local(async move { *shared * 6 });
    ///     assert_eq!(answer.await.unwrap(), 42);
    /// });
    /// ```
    pub fn local(mut self) -> Self {
        self.flavor = Flavor::Local;
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

    /// Starts the clock running because the body pauses it itself with
    /// `tokio::time::pause()` (which panics with "time is already frozen" on a
    /// paused clock). `#[asyncheck::test]` calls this when it sees such a call
    /// in the body. The timeout is read on tokio's clock, as with a paused one.
    pub fn body_pauses_clock(mut self) -> Self {
        self.body_pauses = true;
        self
    }

    /// Fails the test when its body has not finished after `limit`: virtual time
    /// when the clock is paused (default 24h), wall-clock time otherwise (default 5m).
    ///
    /// With a paused clock the harness adds no timer of its own: the timeout
    /// fires when the test's own timers move the clock past it. A test with no
    /// timer left is stuck, and fails after the [`idle_limit`](Self::idle_limit).
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = Some(limit);
        self
    }

    /// How long (wall clock) the runtime of a paused-clock test may sit idle with
    /// its clock standing still before the test fails saying that no task could
    /// make progress; default 5 seconds.
    ///
    /// tokio auto-advances a paused clock to the next timer whenever no task can
    /// run; when no timer is left, the runtime waits, as tokio does, for a wake-up
    /// from another thread or from I/O. If none comes within this limit, every
    /// task is waiting for something that never happens (a deadlock), or for a
    /// thread or I/O slower than the limit: raise it, or use
    /// [`real_time`](Self::real_time).
    pub fn idle_limit(mut self, limit: Duration) -> Self {
        self.idle_limit = Limit::After(limit);
        self
    }

    /// Lets the runtime of a paused-clock test sit idle for as long as it takes
    /// (`idle_limit = "off"`): a deadlock then runs into the
    /// [`wall_timeout`](Self::wall_timeout).
    pub fn no_idle_limit(mut self) -> Self {
        self.idle_limit = Limit::Off;
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

    /// Fails the test when tasks it spawned are still alive when its body returns:
    /// after tasks it aborted, or woke by dropping what they waited on, have had
    /// the chance to finish, and, with the paused clock, after a minute of virtual
    /// time for tasks that end on their own (a pool's reaper at its next tick).
    /// Panics and blocking in that minute are not the test's.
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
        self.wall_timeout = Limit::After(limit);
        self
    }

    /// Runs the test without the wall-clock watchdog of
    /// [`wall_timeout`](Self::wall_timeout) (`wall_timeout = "off"`).
    pub fn no_wall_timeout(mut self) -> Self {
        self.wall_timeout = Limit::Off;
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

    fn current_thread(&self) -> bool {
        self.flavor != Flavor::MultiThread
    }

    /// Whether the timeout is read on tokio's clock by the park hooks (the clock
    /// is paused, or the body pauses it), rather than being a timer of its own.
    fn on_tokio_clock(&self) -> bool {
        !self.real_time
    }

    /// The timeout in force: the one set, or the default of the clock.
    fn limit(&self) -> Duration {
        self.timeout.unwrap_or(if self.real_time {
            DEFAULT_REAL_TIMEOUT
        } else {
            DEFAULT_VIRTUAL_TIMEOUT
        })
    }

    fn wall_limit(&self) -> Option<Duration> {
        match self.wall_timeout {
            Limit::Off => None,
            Limit::After(limit) => Some(limit),
            Limit::Default => Some(match self.timeout.filter(|_| self.real_time) {
                Some(timeout) => DEFAULT_WALL_TIMEOUT.max(timeout + WALL_TIMEOUT_MARGIN),
                None => DEFAULT_WALL_TIMEOUT,
            }),
        }
    }

    fn idle_limit_in_force(&self) -> Option<Duration> {
        if !self.on_tokio_clock() {
            return None;
        }
        match self.idle_limit {
            Limit::Off => None,
            Limit::After(limit) => Some(limit),
            Limit::Default => Some(DEFAULT_IDLE_LIMIT),
        }
    }

    /// Builds a fresh runtime, runs `body` on it to completion and checks the
    /// detectors; returns the body's output.
    ///
    /// # Panics
    /// Panics with a message describing every failure found: the timeout expired,
    /// no task could make progress, a spawned task panicked, the executor was
    /// blocked for longer than the threshold, or tasks leaked. A panic of the body
    /// itself propagates unchanged, except tokio's "time is already frozen", which
    /// gains an explanation.
    #[track_caller]
    pub fn run<F: Future>(mut self, body: F) -> F::Output {
        assert!(
            !(self.flavor == Flavor::MultiThread && self.blocking_threshold.is_some()),
            "asyncheck: `blocking_threshold` needs the current-thread runtime"
        );
        let shared = Shared::new(
            self.current_thread(),
            !self.allow_task_panics,
            self.blocking_threshold.is_some(),
            self.on_tokio_clock().then(|| self.limit()),
        );
        let runtime = self.build_runtime(&shared);
        let watchdog = self.start_watchdog(&runtime, &shared);
        let current = detect::enter(Arc::clone(&shared));
        // Also on unwind from a panicking body: see `Shared::forget_wakers`.
        let forget_wakers = ForgetWakers(&shared);

        let stop = catch_unwind(AssertUnwindSafe(|| self.drive(&runtime, &shared, body)));
        let failures = match &stop {
            Ok(stop) => self.failures(&runtime, &shared, stop),
            Err(_) => Vec::new(),
        };

        // Do not wait for `spawn_blocking` work that may never finish.
        drop(forget_wakers);
        runtime.shutdown_timeout(Duration::from_secs(1));
        drop(current);
        drop(watchdog);

        match stop {
            Ok(Stop::Finished(out)) if failures.is_empty() => out,
            Ok(_) => panic!("{}", report(&failures)),
            Err(panic) => match explain_frozen_clock(&payload_text(&*panic)) {
                Some(explained) => panic!("asyncheck: {explained}"),
                None => resume_unwind(panic),
            },
        }
    }

    /// Polls `body` on `runtime` until it finishes, the timeout expires, no task
    /// can make progress or a spawned task panics; with `leak_check`, then gives
    /// the tasks the body aborted or woke the chance to finish.
    fn drive<F: Future>(&self, runtime: &TestRuntime, shared: &Shared, body: F) -> Stop<F::Output> {
        if self.blocking_threshold.is_some() {
            shared.busy.start();
        }
        let stop = runtime.block_on(async {
            let mut runner = Runner {
                body: pin!(body),
                shared,
                on_tokio_clock: self.on_tokio_clock(),
                measure_busy: self.blocking_threshold.is_some(),
                last_poll_end: None,
                limit: self.limit(),
                deadline: None,
                started: false,
            };
            let stop = poll_fn(|cx| runner.poll(cx)).await;
            drop(runner);
            if self.leak_check && self.current_thread() && matches!(stop, Stop::Finished(_)) {
                reap_finished_tasks(runtime.handle()).await;
                if self.on_tokio_clock() {
                    // What happens from here on is not the test's verdict.
                    shared.busy.finish();
                    shared.panics.stop_recording();
                    let_lingering_tasks_finish(runtime.handle()).await;
                }
            }
            stop
        });
        if self.blocking_threshold.is_some() {
            shared.busy.stop();
        }
        stop
    }

    /// Every failure the detectors found, in the order they are reported.
    fn failures<T>(&self, runtime: &TestRuntime, shared: &Shared, stop: &Stop<T>) -> Vec<String> {
        let mut failures = if shared.panics.any() {
            let mut messages = shared.panics.messages();
            for message in &mut messages {
                match explain_frozen_clock(message) {
                    Some(explained) => *message = explained,
                    None => message.push_str(TASK_PANIC_ADVICE),
                }
            }
            messages
        } else {
            Vec::new()
        };
        match stop {
            Stop::TimedOut => failures.push(self.timeout_message()),
            Stop::Stalled => failures.push(self.stall_message(runtime, shared)),
            Stop::Finished(_) | Stop::TaskPanicked => {}
        }
        failures.extend(self.blocking_failure(shared));
        if self.leak_check && matches!(stop, Stop::Finished(_)) {
            let alive = leak::alive_tasks(runtime.handle(), self.current_thread(), LEAK_RECHECK);
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

    /// Starts the wall-clock watchdog (and the idle check of a paused test),
    /// unless both are off.
    fn start_watchdog(
        &mut self,
        runtime: &TestRuntime,
        shared: &Arc<Shared>,
    ) -> Option<watchdog::Watchdog> {
        let limits = Limits {
            wall: self.wall_limit(),
            idle: self.idle_limit_in_force(),
        };
        if limits.wall.is_none() && limits.idle.is_none() {
            return None;
        }
        // The clock's reading at the start is recorded by the runner (`Shared::virtual_start`).
        let clock = self.on_tokio_clock().then(|| runtime.handle().clone());
        let name = self
            .name
            .take()
            .unwrap_or_else(|| TestName::Thread(std::thread::current()));
        Some(watchdog::start(name, limits, Arc::clone(shared), clock))
    }

    fn build_runtime(&self, shared: &Arc<Shared>) -> TestRuntime {
        let mut builder = if self.current_thread() {
            let mut b = tokio::runtime::Builder::new_current_thread();
            let on_park = Arc::clone(shared);
            b.on_thread_park(move || on_park.on_park());
            if self.blocking_threshold.is_some() || self.on_tokio_clock() {
                let on_unpark = Arc::clone(shared);
                b.on_thread_unpark(move || on_unpark.on_unpark());
            }
            b
        } else {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            if let Some(n) = self.worker_threads {
                b.worker_threads(n);
            }
            b
        };
        let on_start = Arc::clone(shared);
        builder
            .enable_all()
            .start_paused(!self.real_time && !self.body_pauses)
            .on_thread_start(move || detect::set_for_runtime_thread(Arc::clone(&on_start)));
        let built = if self.flavor == Flavor::Local {
            builder
                .build_local(tokio::runtime::LocalOptions::default())
                .map(TestRuntime::Local)
        } else {
            builder.build().map(TestRuntime::Runtime)
        };
        built.expect("asyncheck: failed to build the test's tokio runtime")
    }

    fn timeout_message(&self) -> String {
        let limit = format_duration(self.limit());
        if self.real_time {
            format!("test timed out after {limit} (wall clock)")
        } else {
            format!(
                "test timed out after {limit} (virtual clock: time was paused and auto-advanced); \
                 the test's own timers moved the clock past it: a slow test, or a loop that \
                 sleeps until `std::time::Instant` says enough time passed, which the paused \
                 clock never moves (use `tokio::time::Instant`, or `real_time`)"
            )
        }
    }

    fn stall_message(&self, runtime: &TestRuntime, shared: &Shared) -> String {
        let idle = self.idle_limit_in_force().unwrap_or(DEFAULT_IDLE_LIMIT);
        let elapsed = shared.virtual_start().map_or(Duration::ZERO, |start| {
            let _context = runtime.handle().enter();
            start.elapsed()
        });
        format!(
            "test timed out: no task could make progress for {idle} of wall-clock time, with \
             the clock paused at {elapsed} (of the {limit} timeout) and no timer pending that \
             it could advance to; every task was waiting for something that did not come: a \
             deadlock, or a wake-up from outside the runtime slower than that: another thread \
             (`std::thread`, a thread pool), real I/O (a socket, a child process), or code \
             timing itself with `std::time::Instant`, which the paused clock does not move; \
             run such a test with `real_time` (or `start_paused = false`), or wait longer \
             with `idle_limit = \"30s\"`",
            idle = format_duration(idle),
            elapsed = format_measured(elapsed),
            limit = format_duration(self.limit()),
        )
    }
}

/// Polls the test body inside `block_on`: stops at a task panic, at an alarm
/// raised by the park hooks or the watchdog, at the body's output, or (on a
/// real clock) at the deadline's timer.
struct Runner<'a, B> {
    body: Pin<&'a mut B>,
    shared: &'a Shared,
    on_tokio_clock: bool,
    /// Whether busy stretches are measured (`blocking_threshold`).
    measure_busy: bool,
    /// When the runner's last poll ended, with `measure_busy`.
    last_poll_end: Option<std::time::Instant>,
    limit: Duration,
    /// The deadline's timer, on a real clock only: a paused clock would
    /// auto-advance to it whenever the test waits on another thread.
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    /// Whether the first poll registered the waker and started the clock.
    started: bool,
}

impl<B: Future> Runner<'_, B> {
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Stop<B::Output>> {
        let poll = self.poll_body(cx);
        if self.measure_busy {
            self.last_poll_end = Some(std::time::Instant::now());
        }
        poll
    }

    fn poll_body(&mut self, cx: &mut Context<'_>) -> Poll<Stop<B::Output>> {
        if !self.started {
            self.started = true;
            // `block_on` polls with the same waker every time.
            self.shared.panics.register_runner(cx.waker());
            if self.on_tokio_clock {
                self.shared.start_clock(tokio::time::Instant::now());
            } else {
                self.deadline = Some(Box::pin(tokio::time::sleep(self.limit)));
            }
        }
        if self.measure_busy {
            // Tasks ran since the runner's last poll, or the scheduler went
            // straight back to it (a few microseconds).
            let now = std::time::Instant::now();
            let tasks_ran = self
                .last_poll_end
                .is_none_or(|end| now.saturating_duration_since(end) > NO_TASK_RAN);
            if self.shared.sample_busy(tasks_ran) {
                cx.waker().wake_by_ref();
            }
        }
        if self.shared.panics.any() {
            return Poll::Ready(Stop::TaskPanicked);
        }
        // Checked before the body is polled: a body woken past the deadline
        // does not get to finish.
        match self.shared.alarm() {
            Some(Alarm::TimedOut) => return Poll::Ready(Stop::TimedOut),
            Some(Alarm::Stalled) => return Poll::Ready(Stop::Stalled),
            None => {}
        }
        if let Poll::Ready(out) = self.body.as_mut().poll(cx) {
            return Poll::Ready(Stop::Finished(out));
        }
        // A `LocalSet` or `block_in_place` inside the body polls tasks too.
        if self.shared.panics.any() {
            return Poll::Ready(Stop::TaskPanicked);
        }
        if let Some(deadline) = &mut self.deadline {
            if deadline.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Stop::TimedOut);
            }
        }
        Poll::Pending
    }
}

/// Gives the tasks that the body aborted, or woke by dropping what they waited
/// on, a few rounds of the scheduler to finish, so that the leak check does not
/// count them: each `yield_now` lets every task that is ready run once, without
/// moving the clock. Stops as soon as none is alive.
async fn reap_finished_tasks(handle: &tokio::runtime::Handle) {
    let metrics = handle.metrics();
    for _ in 0..LEAK_REAP_ROUNDS {
        if metrics.num_alive_tasks() == 0 {
            return;
        }
        tokio::task::yield_now().await;
    }
}

/// Gives the tasks still alive after the body returned up to [`LEAK_GRACE`] of
/// virtual time to finish on their own (a pool's reaper that exits at its next
/// tick once the pool is gone), so that the leak check counts only tasks that
/// would outlive the test: waiting forever, or on a timer further away. Sleeps
/// in doubling steps and stops as soon as none is alive; a clock that turns out
/// to run in real time (the body resumed it) stops it after 100ms of wall time.
async fn let_lingering_tasks_finish(handle: &tokio::runtime::Handle) {
    let metrics = handle.metrics();
    let wall = std::time::Instant::now();
    let start = tokio::time::Instant::now();
    let mut step = Duration::from_millis(1);
    while metrics.num_alive_tasks() > 0
        && start.elapsed() < LEAK_GRACE
        && wall.elapsed() < Duration::from_millis(100)
    {
        tokio::time::sleep(step).await;
        step *= 2;
    }
}

/// The explanation of tokio's "time is already frozen" panic (`tokio::time::pause()`
/// on a paused clock), when `message` is that panic.
fn explain_frozen_clock(message: &str) -> Option<String> {
    message.contains(ALREADY_FROZEN).then(|| {
        format!(
            "{message}: `tokio::time::pause()` found the clock already paused, by the harness: \
             `#[asyncheck::test]` starts every test on a paused clock (like `start_paused = \
             true`). Remove the call, or call it in the test body itself, where the attribute \
             sees it and starts the clock running (`tokio::time::pause()`, `time::pause()` or \
             an imported `pause()`); a call hidden in a helper function is not seen"
        )
    })
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
                .idle_limit(Duration::from_millis(50))
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
