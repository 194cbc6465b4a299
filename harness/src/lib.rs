//! `asyncheck`: a deterministic async test harness for tokio.
//!
//! Put `#[asyncheck::test]` on an `async fn` instead of `#[tokio::test]`. Each
//! test gets a fresh current-thread runtime with a **paused clock** (sleeps cost
//! no wall time, and the same test always sees the same interleaving), a
//! **timeout** (24h of virtual time by default; a deadlocked test, with no timer
//! left, fails after 5 seconds of idleness instead of hanging), and fails when a
//! **spawned task panics**, even if nobody looked at its `JoinHandle`. Opt in to **blocked-executor** and **leaked-task**
//! detection per test. [`AsyncMock`] stands in for async dependencies, and
//! [`timed`], [`settle`], [`assert_completes_within!`] and [`assert_times_out!`]
//! test timing.
//!
//! `asyncheck` is the only dev-dependency you need: it enables the tokio features
//! it uses (`rt`, `time`, `test-util`, ...) itself, and the attribute's expansion
//! reaches tokio through this crate.
//!
//! ```toml
//! [dev-dependencies]
//! asyncheck = "0.1"
//! ```
//!
//! # `#[asyncheck::test]`
//!
//! ```
//! use std::time::Duration;
//!
//! #[asyncheck::test(timeout = "2h", leak_check, blocking_threshold = "50ms")]
//! async fn an_hour_passes_instantly() {
//!     let worker = tokio::spawn(async {
//!         tokio::time::sleep(Duration::from_secs(3600)).await;
//!         "done"
//!     });
//!     assert_eq!(worker.await.unwrap(), "done");
//! }
//! ```
//!
//! The same test without the macro — the attribute expands to a `#[test]` fn
//! that hands the body to [`TestConfig::run`]:
//!
//! ```
//! use std::time::Duration;
//!
//! # /*
//! #[test]
//! # */
//! fn an_hour_passes_instantly() {
//!     asyncheck::TestConfig::new()
//!         .timeout(Duration::from_secs(2 * 3600))
//!         .leak_check()
//!         .blocking_threshold(Duration::from_millis(50))
//!         .run(async {
//!             let worker = tokio::spawn(async {
//!                 tokio::time::sleep(Duration::from_secs(3600)).await;
//!                 "done"
//!             });
//!             assert_eq!(worker.await.unwrap(), "done");
//!         })
//! }
//! # an_hour_passes_instantly();
//! ```
//!
//! | option | effect |
//! |---|---|
//! | `timeout = "500ms"` | fail when the body has not finished after that much time: virtual by default (default `"24h"`), wall clock with `real_time` (default `"5m"`) |
//! | `real_time` | do not pause the clock (tests doing real I/O) |
//! | `flavor = "multi_thread"` | multi-thread runtime; implies `real_time` |
//! | `flavor = "local"` | tokio's `LocalRuntime` (`spawn_local` without a `LocalSet`); paused clock as by default |
//! | `worker_threads = 4` | worker count of the multi-thread runtime |
//! | `blocking_threshold = "50ms"` | fail when the runtime thread ran that long (wall clock) without going idle; current-thread only |
//! | `leak_check` | fail when spawned tasks are still alive when the body returns |
//! | `allow_task_panics` | a panicking spawned task does not fail the test |
//! | `idle_limit = "5s"` | how long a paused test's runtime may sit idle, its clock standing still, before the test fails saying no task could make progress (default `"5s"`, `"off"` to wait for the `wall_timeout`) |
//! | `wall_timeout = "30s"` | exit the test process when the test has not finished after that much wall-clock time (default `"5m"`, `"off"` to disable); see below |
//! | `start_paused = false` | tokio's spelling of `real_time` (`true` is the default) |
//! | `unhandled_panic = "ignore"` | tokio's spelling of `allow_task_panics` (`"shutdown_runtime"` is the default) |
//! | `crate = "tokio"` | accepted for tokio's sake (a renamed `tokio`); the expansion never names tokio |
//!
//! A body that calls `tokio::time::pause()` itself (as `tokio::time::pause()`,
//! `time::pause()`, or `pause()` / an alias imported inside the body) starts with
//! the clock running, so that the call does not panic; a call the attribute cannot
//! see (in a helper function) fails with tokio's "time is already frozen" and an
//! explanation.
//!
//! Durations are an integer followed by `ms`, `s`, `m` or `h`. Invalid options
//! are compile errors pointing at the offending token.
//!
//! The test body may return `()` or a `Result`.
//!
//! # What the detectors see
//!
//! - **Timeout.** With a paused clock, tokio advances time only when no task
//!   can run, and then to the earliest pending timer. The harness adds no timer
//!   of its own (the clock would jump to it whenever the test waits on another
//!   thread): its park hooks read the clock each time the runtime goes idle and
//!   comes back, and the test times out when the test's own timers have moved the
//!   clock past the limit, before the body is polled again. A runtime with no
//!   timer left waits for other threads and I/O, as tokio does; when it stays
//!   idle with its clock standing still for the `idle_limit` (5 seconds of wall
//!   time by default), the failure says that no task could make progress (a
//!   deadlock, or a wait for another thread, real I/O or `std::time::Instant`,
//!   which `real_time` fixes). A poll that never returns (an infinite loop
//!   without `.await`) cannot be timed out: nothing else runs on that thread.
//! - **Task panics.** A process-wide panic hook (installed once, chained to the
//!   previous hook) records panics raised inside tokio tasks on the test's own
//!   threads; the test fails as soon as it sees one, naming the panic message.
//!   Parallel tests do not see each other's panics. A panic in the body itself
//!   fails the test as usual. If your test installs its own panic hook, task
//!   panics are no longer recorded. A panic the test expects and inspects through
//!   the `JoinHandle` fails it too: stable tokio cannot tell an awaited handle
//!   from a dropped one (its `unhandled_panic` is unstable, and does not either),
//!   so such a test says so with `allow_task_panics`.
//! - **Blocked executor** (`blocking_threshold`): the longest wall-clock stretch
//!   between the runtime thread waking up and going idle again (tokio's
//!   `on_thread_unpark` / `on_thread_park` hooks). A `std::thread::sleep`, blocking
//!   I/O or a CPU loop in the body or any spawned task shows up in that stretch;
//!   time spent waiting never does. Stable tokio has no per-poll hook, so a long
//!   burst of cooperative work that never lets the runtime go idle (for example
//!   many `yield_now()` rounds adding up past the threshold) is reported too, and
//!   the report cannot name the task.
//! - **Blocked forever** (`wall_timeout`): a synchronous call that never returns
//!   (a `std::sync::Mutex` deadlock, a blocking `recv`) keeps the thread that
//!   would fire the timeout, so no timeout can fire. One watchdog thread per
//!   process keeps the running tests' deadlines; when a test's wall-clock limit passes before it finishes, it
//!   prints `test <name> exceeded its wall-clock limit of <limit>: the executor
//!   thread is blocked`, with the virtual clock's reading and when the runtime
//!   thread last went idle, to stderr and exits the process with status 101.
//!   Exiting also ends the other tests of that test binary: there is no way to
//!   stop one blocked thread.
//! - **Leaks** (`leak_check`): tokio's `num_alive_tasks()` when the body returns,
//!   after the tasks it aborted, or woke by dropping what they waited on, had a
//!   few scheduler rounds (without moving the clock) to finish. Tasks are
//!   counted, not named.
//!
//! # Each detector failing a test
//!
//! (Written with [`TestConfig`], the attribute's expansion, so that they run as
//! doctests; the comment above each shows the attribute form.)
//!
//! A deadlock fails after the idle limit, however long the timeout:
//!
//! ```should_panic
//! use std::time::Duration;
//!
//! // #[asyncheck::test(idle_limit = "100ms")]
//! asyncheck::TestConfig::new().idle_limit(Duration::from_millis(100)).run(async {
//!     let (_tx, rx) = tokio::sync::oneshot::channel::<()>();
//!     rx.await.unwrap(); // "test timed out: no task could make progress for 100ms ..."
//! });
//! ```
//!
//! A spawned task's panic fails the test even though nobody awaits its handle:
//!
//! ```should_panic
//! // #[asyncheck::test]
//! asyncheck::TestConfig::new().run(async {
//!     drop(tokio::spawn(async { panic!("lost update") })); // "a spawned task panicked: lost update"
//!     tokio::time::sleep(std::time::Duration::from_secs(1)).await;
//! });
//! ```
//!
//! Blocking the executor:
//!
//! ```should_panic
//! use std::time::Duration;
//!
//! // #[asyncheck::test(blocking_threshold = "50ms")]
//! asyncheck::TestConfig::new()
//!     .blocking_threshold(Duration::from_millis(50))
//!     .run(async {
//!         std::thread::sleep(Duration::from_millis(200)); // "blocked the executor for 200.1ms"
//!     });
//! ```
//!
//! Leaking a task:
//!
//! ```should_panic
//! // #[asyncheck::test(leak_check)]
//! asyncheck::TestConfig::new().leak_check().run(async {
//!     tokio::spawn(std::future::pending::<()>()); // "leaked 1 task"
//! });
//! ```
//!
//! # Cancel safety
//!
//! [`cancel_at_every_await`] drops a future at each of its await points in turn
//! and runs your invariant check after each drop; a violated invariant fails with
//! `cancelled at await point <n>: <your message>`:
//!
//! ```should_panic
//! use std::sync::{Arc, Mutex};
//! use std::time::Duration;
//!
//! // Not cancel-safe: dropped while awaiting, the money has left one account
//! // and not reached the other.
//! async fn transfer(balances: Arc<Mutex<[i64; 2]>>, amount: i64) {
//!     balances.lock().unwrap()[0] -= amount;
//!     tokio::time::sleep(Duration::from_millis(10)).await;
//!     balances.lock().unwrap()[1] += amount;
//! }
//!
//! # asyncheck::TestConfig::new().run(async {
//! // inside #[asyncheck::test] async fn ...
//! let balances = Arc::new(Mutex::new([100, 0]));
//! asyncheck::cancel_at_every_await(
//!     || transfer(balances.clone(), 30),
//!     |_| {
//!         let mut b = balances.lock().unwrap();
//!         assert_eq!(b[0] + b[1], 100, "money lost"); // "cancelled at await point 1: ..."
//!         *b = [100, 0];
//!     },
//! )
//! .await;
//! # });
//! ```
//!
//! # Mocking a trait: `#[asyncheck::mock]`
//!
//! On a trait, `#[asyncheck::mock]` keeps the trait and generates
//! `Mock<TraitName>` (with `new()` and `Default`, `Clone` sharing the recorded
//! calls) implementing it, with one public [`AsyncMock`] field per method, named
//! like the method. A method's field records its arguments: one argument as
//! itself, several as a tuple, none as `()`; a reference argument in owned form
//! (`&str` as `String`, `&[T]` as `Vec<T>`, `&T` as `<T as ToOwned>::Owned`).
//!
//! ```
//! #[derive(Clone, Debug, PartialEq)]
//! struct User { id: u32, name: String }
//!
//! #[asyncheck::mock]
//! trait UserStore {
//!     async fn get(&self, id: u32) -> Option<User>;
//!     async fn put(&self, user: &User) -> Result<(), String>;
//!     fn count(&self) -> usize; // synchronous: answered at once
//! }
//!
//! async fn rename(store: &impl UserStore, id: u32, name: &str) -> Result<(), String> {
//!     let mut user = store.get(id).await.ok_or("no such user")?;
//!     user.name = name.to_owned();
//!     store.put(&user).await
//! }
//!
//! # asyncheck::TestConfig::new().run(async {
//! // inside #[asyncheck::test] async fn ...
//! let store = MockUserStore::new();
//! store.get.returns(Some(User { id: 7, name: "ada".into() }));
//! store.put.returns(Ok(()));
//! rename(&store, 7, "grace").await.unwrap();
//! store.get.assert_awaited_once_with(&7);
//! store.put.assert_awaited_once_with(&User { id: 7, name: "grace".into() });
//! # });
//! ```
//!
//! - `async fn` methods await [`AsyncMock::call`] (so [`AsyncMock::delay`]
//!   applies); `fn m(&self, …) -> impl Future<Output = T> (+ Send)` returns it;
//!   other methods answer at once through [`AsyncMock::call_now`].
//! - `#[async_trait]` traits work when `#[asyncheck::mock]` comes first: the
//!   attribute is repeated on the generated implementation.
//!
//! ```
//! #[asyncheck::mock]
//! #[async_trait::async_trait]
//! trait Clock {
//!     async fn now(&self) -> u64;
//! }
//!
//! # asyncheck::TestConfig::new().run(async {
//! let clock = MockClock::new();
//! clock.now.returns_seq(vec![1, 2]);
//! let dyn_clock: Box<dyn Clock> = Box::new(clock.clone()); // object-safe via async_trait
//! assert_eq!(dyn_clock.now().await + dyn_clock.now().await, 3);
//! clock.now.assert_awaited_with(&());
//! # });
//! ```
//!
//! - Not supported, each a compile error naming the item: generic methods (a
//!   field has one argument type), associated types and constants (the mock
//!   cannot choose them), generic traits, methods without a `self` receiver,
//!   methods returning a borrowed type or `impl Trait` other than `impl Future`,
//!   and arguments that borrow inside their type (`Option<&str>`). Implement such
//!   traits by hand around [`AsyncMock`] fields.
//!
//! # Async property tests: `#[asyncheck::proptest]`
//!
//! Arguments are `#[strategy(s)] name: Type`, or `name: Type` for
//! `any::<Type>()` (rustc parses the function before the attribute sees it, so
//! proptest's `name in strategy` is not valid syntax here); each
//! case runs on a fresh runtime with the options of `#[asyncheck::test]`
//! (paused clock, `timeout`, `blocking_threshold`, `leak_check`, …), plus `cases
//! = N` (default 256, or `PROPTEST_CASES`). A failing case (`assert!`, a panic,
//! `prop_assert!`, or a detector such as the timeout) is shrunk by proptest, and
//! the test fails with the minimal input:
//!
//! ```text
//! asyncheck: property failed; minimal failing input (after shrinking):
//!     x = 10
//!   failure: x too large
//! ```
//!
//! ```
//! // (A doctest compiles `#[test]` functions out; `cargo test` runs this one.)
//! use asyncheck::proptest::prelude::*; // strategies and `prop_assert!`, no direct dependency
//! use std::time::Duration;
//!
//! #[asyncheck::proptest(cases = 64, timeout = "1m")]
//! async fn backoff_never_exceeds_its_cap(#[strategy(0..20u32)] attempt: u32, jitter: bool) {
//!     let delay = Duration::from_millis(100 * 2u64.pow(attempt.min(9))).min(Duration::from_secs(30));
//!     let ((), took) = asyncheck::timed(tokio::time::sleep(delay)).await;
//!     prop_assert!(took <= Duration::from_secs(30), "attempt {} waited {:?}", attempt, took);
//!     let _ = jitter;
//! }
//! ```
//!
//! Failing inputs are saved to and replayed from proptest's regression files, as
//! `proptest!` does (`proptest-regressions/<path>.txt` for a test under `src/`,
//! `<file>.proptest-regressions` beside an integration test; commit them). A
//! case that fails prints its panic like any test while proptest shrinks it, so
//! expect several panic messages above the final report. Needs the `proptest`
//! feature of `asyncheck` (without it, the attribute is a compile error saying so).
//!
//! # Loom models: `#[asyncheck::model]`
//!
//! On a sync or async fn, `#[asyncheck::model]` runs the body under
//! [`loom::model`](::loom::model), once per interleaving of the threads it spawns
//! with [`loom::thread`](::loom::thread) (an async body through
//! [`loom::future::block_on`](::loom::future::block_on)). Options:
//! `preemption_bound = N` (bound the preemptions per execution: smaller is
//! faster, 2–3 finds most bugs) and `max_branches = N`; otherwise loom's defaults
//! and its `LOOM_*` environment variables apply. A failing interleaving fails the
//! test with `asyncheck: loom found a failing interleaving in execution <n> of
//! the model: <the body's message>`. loom is re-exported as [`asyncheck::loom`](::loom).
//! Needs the `loom` feature of `asyncheck` (without it, the attribute is a compile
//! error saying so).
//!
//! ```
//! use asyncheck::loom::sync::{Arc, Mutex};
//! use asyncheck::loom::thread;
//!
//! #[asyncheck::model(preemption_bound = 3)]
//! fn deposits_are_never_lost() {
//!     let balance = Arc::new(Mutex::new(0));
//!     let other = {
//!         let balance = balance.clone();
//!         thread::spawn(move || *balance.lock().unwrap() += 10)
//!     };
//!     *balance.lock().unwrap() += 5;
//!     other.join().unwrap();
//!     assert_eq!(*balance.lock().unwrap(), 15);
//! }
//! ```
//!
//! The body is a `Fn` run many times: it must build all its state itself. Only
//! loom's primitives are explored; `tokio` and `std::sync` types inside a model
//! are invisible to loom (and tokio's runtime does not run under it).
//!
//! To check your own types, let them use loom's primitives when built for the
//! models, with a cfg of your crate's (declare it in `build.rs` with
//! `cargo::rustc-check-cfg=cfg(my_crate_loom)`; tokio's own spelling is
//! `cfg(loom)`, which also switches tokio's internals):
//!
//! ```text
//! // src/sync.rs
//! #[cfg(my_crate_loom)]
//! pub(crate) use loom::sync::{Arc, Mutex, atomic::AtomicBool};
//! #[cfg(not(my_crate_loom))]
//! pub(crate) use std::sync::{Arc, Mutex, atomic::AtomicBool};
//!
//! // run the models:
//! // RUSTFLAGS="--cfg my_crate_loom" cargo test --release <model names>
//! ```
//!
//! asyncheck does this for its own shared state (`--cfg asyncheck_loom`): the
//! models in its unit tests check that concurrent calls through clones of an
//! [`AsyncMock`] answer each `returns_seq` value once and record every call, that
//! a call dropped on one thread and one completed on another add up, and that a
//! task panic recorded while the runner registers its waker is never missed.
//!
//! # Mocks and I/O
//!
//! [`AsyncMock`] records calls and awaits. For mocked byte streams,
//! [`io::Builder`] (from `tokio-test`) scripts reads and writes, and
//! [`task::spawn`] with [`assert_ready!`], [`assert_pending!`],
//! [`assert_ready_ok!`], [`assert_ready_err!`] and [`assert_ready_eq!`] polls
//! futures by hand:
//!
//! ```
//! use asyncheck::{assert_pending, assert_ready_eq};
//!
//! let (tx, rx) = tokio::sync::oneshot::channel::<u8>();
//! let mut rx = asyncheck::task::spawn(rx);
//! assert_pending!(rx.poll());
//! tx.send(7).unwrap();
//! assert!(rx.is_woken());
//! assert_ready_eq!(rx.poll(), Ok(7));
//! ```
#![warn(missing_docs, unreachable_pub)]

// The loom models of this crate's internals use `#[asyncheck::model]`.
#[cfg(test)]
extern crate self as asyncheck;

#[cfg(all(asyncheck_loom, not(feature = "loom")))]
compile_error!("`--cfg asyncheck_loom` runs the harness's loom models: add `--features loom`");

mod cancel;
mod detect;
mod mock;
#[cfg(feature = "loom")]
mod model;
#[cfg(feature = "proptest")]
mod property;
mod runtime;
mod sync;
mod time;

#[cfg(feature = "loom")]
pub use asyncheck_macros::model;
/// `#[asyncheck::model]` needs the `loom` feature of `asyncheck`; without it the
/// attribute is a compile error saying so.
#[cfg(not(feature = "loom"))]
pub use asyncheck_macros::model_without_feature as model;
#[cfg(feature = "proptest")]
pub use asyncheck_macros::proptest;
/// `#[asyncheck::proptest]` needs the `proptest` feature of `asyncheck`; without
/// it the attribute is a compile error saying so.
#[cfg(not(feature = "proptest"))]
pub use asyncheck_macros::proptest_without_feature as proptest;
pub use asyncheck_macros::{mock, test};
pub use cancel::cancel_at_every_await;
pub use mock::AsyncMock;
pub use runtime::TestConfig;
pub use time::{IntoTestDuration, settle, timed};
pub use tokio_test::{assert_err, assert_ok, assert_pending, assert_ready, assert_ready_eq};

/// Asserts that a `Poll<Result<T, E>>` is `Ready(Ok(_))` and evaluates to the `T`.
///
/// Same as `tokio_test::assert_ready_ok!`, which names `tokio_test` by path and
/// so cannot be re-exported; this one works with only `asyncheck` as a dependency.
///
/// ```
/// let mut fut = asyncheck::task::spawn(async { Ok::<u8, ()>(3) });
/// assert_eq!(asyncheck::assert_ready_ok!(fut.poll()), 3);
/// ```
#[macro_export]
macro_rules! assert_ready_ok {
    ($e:expr) => {{
        let val = $crate::assert_ready!($e);
        $crate::assert_ok!(val)
    }};
    ($e:expr, $($msg:tt)+) => {{
        let val = $crate::assert_ready!($e, $($msg)*);
        $crate::assert_ok!(val, $($msg)*)
    }};
}

/// Asserts that a `Poll<Result<T, E>>` is `Ready(Err(_))` and evaluates to the `E`.
///
/// Same as `tokio_test::assert_ready_err!`, usable with only `asyncheck` as a
/// dependency.
///
/// ```
/// let mut fut = asyncheck::task::spawn(async { Err::<(), &str>("no") });
/// assert_eq!(asyncheck::assert_ready_err!(fut.poll()), "no");
/// ```
#[macro_export]
macro_rules! assert_ready_err {
    ($e:expr) => {{
        let val = $crate::assert_ready!($e);
        $crate::assert_err!(val)
    }};
    ($e:expr, $($msg:tt)+) => {{
        let val = $crate::assert_ready!($e, $($msg)*);
        $crate::assert_err!(val, $($msg)*)
    }};
}

/// Scripted mock I/O, re-exported from `tokio-test`: build a reader/writer that
/// expects exactly the given reads and writes.
///
/// ```
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// # asyncheck::TestConfig::new().run(async {
/// let mut conn = asyncheck::io::Builder::new()
///     .write(b"PING\r\n")
///     .read(b"+PONG\r\n")
///     .build();
/// conn.write_all(b"PING\r\n").await.unwrap();
/// let mut reply = [0; 7];
/// conn.read_exact(&mut reply).await.unwrap();
/// assert_eq!(&reply, b"+PONG\r\n");
/// # });
/// ```
pub mod io {
    pub use tokio_test::io::{Builder, Handle, Mock};
}

/// Polling futures by hand, re-exported from `tokio-test`; pairs with
/// [`assert_ready!`](crate::assert_ready) and [`assert_pending!`](crate::assert_pending).
pub mod task {
    pub use tokio_test::task::{Spawn, spawn};
}

/// proptest, re-exported: strategies (`asyncheck::proptest::prelude::*`), `prop_assert!`
/// and the rest, for `#[asyncheck::proptest]` without a direct dependency.
///
/// ```
/// use asyncheck::proptest::prelude::*;
///
/// let strategy = (0..10u8, any::<bool>());
/// # let _ = strategy;
/// ```
#[cfg(feature = "proptest")]
pub use ::proptest;

/// loom, re-exported: the `sync`, `thread`, `cell` and `future` modules a
/// `#[asyncheck::model]` body uses, without a direct dependency.
///
/// ```
/// asyncheck::loom::model(|| {
///     let n = asyncheck::loom::sync::Arc::new(asyncheck::loom::sync::atomic::AtomicUsize::new(0));
///     let m = n.clone();
///     let t = asyncheck::loom::thread::spawn(move || m.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
///     n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
///     t.join().unwrap();
///     assert_eq!(n.load(std::sync::atomic::Ordering::SeqCst), 2);
/// });
/// ```
#[cfg(feature = "loom")]
pub use ::loom;

/// Support code for the expansion of `#[asyncheck::test]` and of the assertion
/// macros. Not public API.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "loom")]
    pub use crate::model::run_model;
    #[cfg(feature = "proptest")]
    pub use crate::property::run_property;
    pub use crate::runtime::TestConfig;
    pub use crate::time::{completes_within, fail_not_timed_out, fail_not_within, times_out};
    #[cfg(feature = "loom")]
    pub use loom;
    #[cfg(feature = "proptest")]
    pub use proptest;
    pub use tokio;
}
