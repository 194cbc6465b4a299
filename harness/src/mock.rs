//! [`AsyncMock`]: a typed, cloneable stand-in for an async function that records how it was awaited.

use std::collections::VecDeque;
use std::fmt::{self, Debug};
use std::future::Future;
use std::sync::PoisonError;
use std::time::Duration;

use crate::sync::{Arc, Mutex, MutexGuard};

/// A typed mock of an async function taking `A` and returning `R`, modelled on
/// Python's `unittest.mock.AsyncMock`.
///
/// Clones share state: move a clone into a spawned task or into a fake
/// implementation of your trait and inspect the original afterwards. Several
/// arguments are passed as a tuple.
///
/// - Configure: [`returns`](Self::returns), [`returns_seq`](Self::returns_seq),
///   [`respond_with`](Self::respond_with), [`delay`](Self::delay).
/// - Call: [`call`](Self::call) creates the call's future; the call counts as
///   *awaited* once that future completes.
/// - Inspect: [`call_count`](Self::call_count), [`await_count`](Self::await_count),
///   [`await_args_list`](Self::await_args_list) and the `assert_*` methods, whose
///   failure messages show what was expected and what actually happened.
///
/// ```
/// use std::time::Duration;
/// use asyncheck::AsyncMock;
///
/// trait UserStore {
///     fn name(&self, id: u32) -> impl Future<Output = Option<String>> + Send;
/// }
///
/// struct FakeStore(AsyncMock<u32, Option<String>>);
/// impl UserStore for FakeStore {
///     fn name(&self, id: u32) -> impl Future<Output = Option<String>> + Send {
///         self.0.call(id)
///     }
/// }
///
/// async fn greeting(store: &impl UserStore, id: u32) -> String {
///     match store.name(id).await {
///         Some(name) => format!("hello, {name}"),
///         None => "hello, stranger".to_owned(),
///     }
/// }
///
/// # asyncheck::TestConfig::new().run(async {
/// let names = AsyncMock::named("UserStore::name");
/// names.respond_with(|id: &u32| (*id == 7).then(|| "ada".to_owned()));
/// names.delay(Duration::from_millis(20)); // virtual time
///
/// let store = FakeStore(names.clone());
/// assert_eq!(greeting(&store, 7).await, "hello, ada");
/// assert_eq!(greeting(&store, 8).await, "hello, stranger");
///
/// assert_eq!(names.await_args_list(), vec![7, 8]);
/// names.assert_awaited_with(&8);
/// names.assert_all_awaited();
/// # });
/// ```
pub struct AsyncMock<A, R> {
    inner: Arc<Mutex<State<A, R>>>,
}

struct State<A, R> {
    name: Option<String>,
    respond: Option<Respond<A, R>>,
    delay: Duration,
    calls: usize,
    awaited: Vec<A>,
    dropped: Vec<A>,
}

enum Respond<A, R> {
    With(Box<dyn FnMut(&A) -> R + Send>),
    Seq {
        left: VecDeque<R>,
        configured: usize,
    },
}

impl<A, R> Clone for AsyncMock<A, R> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<A, R> Debug for AsyncMock<A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.inner);
        f.debug_struct("AsyncMock")
            .field("name", &state.name)
            .field("calls", &state.calls)
            .field("awaited", &state.awaited.len())
            .finish_non_exhaustive()
    }
}

impl<A: Send + 'static, R: Send + 'static> Default for AsyncMock<A, R> {
    fn default() -> Self {
        Self::new()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<A: Send + 'static, R: Send + 'static> AsyncMock<A, R> {
    /// A mock with nothing configured: calling it panics until one of
    /// [`returns`](Self::returns), [`returns_seq`](Self::returns_seq) or
    /// [`respond_with`](Self::respond_with) is used.
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Mutex::new(State {
                name: None,
                respond: None,
                delay: Duration::ZERO,
                calls: 0,
                awaited: Vec::new(),
                dropped: Vec::new(),
            })),
        }
    }

    /// Like [`new`](Self::new), with a name shown in failure messages.
    pub fn named(name: impl Into<String>) -> Self {
        let mock = Self::new();
        lock(&mock.inner).name = Some(name.into());
        mock
    }

    /// Every call answers a clone of `value`.
    pub fn returns(&self, value: R)
    where
        R: Clone,
    {
        self.respond_with(move |_| value.clone());
    }

    /// Call *n* answers `values[n]`; a call after the last value panics.
    ///
    /// ```
    /// # asyncheck::TestConfig::new().run(async {
    /// let next_id = asyncheck::AsyncMock::<(), u32>::new();
    /// next_id.returns_seq(vec![1, 2]);
    /// assert_eq!(next_id.call(()).await, 1);
    /// assert_eq!(next_id.call(()).await, 2);
    /// # });
    /// ```
    pub fn returns_seq(&self, values: Vec<R>) {
        lock(&self.inner).respond = Some(Respond::Seq {
            configured: values.len(),
            left: values.into(),
        });
    }

    /// Every call answers `f(&args)`. `f` runs while the mock's state is locked:
    /// it must not call the same mock.
    pub fn respond_with(&self, f: impl FnMut(&A) -> R + Send + 'static) {
        lock(&self.inner).respond = Some(Respond::With(Box::new(f)));
    }

    /// Each call waits `delay` (tokio time: virtual in a paused test) before it
    /// answers. Needs a tokio runtime with time enabled, as every asyncheck test has.
    pub fn delay(&self, delay: Duration) {
        lock(&self.inner).delay = delay;
    }

    /// Calls the mock: records the call now and returns the future that answers
    /// it. The call counts as awaited when that future completes; a future dropped
    /// before then is reported by [`assert_all_awaited`](Self::assert_all_awaited).
    ///
    /// # Panics
    /// When no answer is configured; the returned future panics when
    /// [`returns_seq`](Self::returns_seq) has run out of values.
    #[track_caller]
    pub fn call(&self, args: A) -> impl Future<Output = R> + Send + 'static + use<A, R> {
        let delay = self.start_call();
        let mut pending = PendingCall {
            inner: Arc::clone(&self.inner),
            args: Some(args),
        };
        async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            pending.complete()
        }
    }

    /// Calls the mock synchronously: records the call and answers at once,
    /// ignoring any [`delay`](Self::delay). The call counts as awaited, so the
    /// `assert_awaited*` methods see it. `#[asyncheck::mock]` uses this for a
    /// trait's non-async methods.
    ///
    /// ```
    /// let count = asyncheck::AsyncMock::<(), usize>::named("UserStore::count");
    /// count.returns(3);
    /// assert_eq!(count.call_now(()), 3);
    /// count.assert_awaited_once();
    /// ```
    ///
    /// # Panics
    /// When no answer is configured, or [`returns_seq`](Self::returns_seq) has
    /// run out of values.
    #[track_caller]
    pub fn call_now(&self, args: A) -> R {
        self.start_call();
        PendingCall {
            inner: Arc::clone(&self.inner),
            args: Some(args),
        }
        .complete()
    }

    /// Counts a call; returns the configured delay.
    #[track_caller]
    fn start_call(&self) -> Duration {
        let mut state = lock(&self.inner);
        if state.respond.is_none() {
            let label = state.label();
            drop(state);
            panic!(
                "{label} was called but has nothing configured: use `returns`, \
                 `returns_seq` or `respond_with` before calling it"
            );
        }
        state.calls += 1;
        state.delay
    }

    /// Number of calls made: futures created by [`call`](Self::call), awaited or not.
    pub fn call_count(&self) -> usize {
        lock(&self.inner).calls
    }

    /// Number of calls whose future completed.
    pub fn await_count(&self) -> usize {
        lock(&self.inner).awaited.len()
    }

    /// The arguments of the completed calls, in completion order.
    pub fn await_args_list(&self) -> Vec<A>
    where
        A: Clone,
    {
        lock(&self.inner).awaited.clone()
    }
}

impl<A: Debug + PartialEq, R> AsyncMock<A, R> {
    /// Asserts that at least one call completed.
    ///
    /// # Panics
    /// When the mock was never awaited.
    #[track_caller]
    pub fn assert_awaited(&self) {
        self.fail_if(|state| {
            state.awaited.is_empty().then(|| {
                format!(
                    "{} expected to be awaited at least once\n  expected: 1 or more awaits\n    \
                     actual: never awaited ({} call(s) made)",
                    state.label(),
                    state.calls
                )
            })
        });
    }

    /// Asserts that exactly one call completed.
    ///
    /// # Panics
    /// When the mock was awaited zero or several times.
    #[track_caller]
    pub fn assert_awaited_once(&self) {
        self.fail_if(|state| {
            (state.awaited.len() != 1).then(|| {
                format!(
                    "{} expected to be awaited once\n  expected: 1 await\n    actual: awaited {} \
                     time(s), with {:?}",
                    state.label(),
                    state.awaited.len(),
                    state.awaited
                )
            })
        });
    }

    /// Asserts that the last completed call had these arguments.
    ///
    /// # Panics
    /// When the mock was never awaited or last awaited with other arguments.
    #[track_caller]
    pub fn assert_awaited_with(&self, expected: &A) {
        self.fail_if(|state| match state.awaited.last() {
            Some(last) if last == expected => None,
            Some(last) => Some(format!(
                "{} last awaited with other arguments\n  expected: awaited with {expected:?}\n    \
                 actual: awaited with {last:?}",
                state.label()
            )),
            None => Some(format!(
                "{} expected to be awaited\n  expected: awaited with {expected:?}\n    actual: \
                 never awaited",
                state.label()
            )),
        });
    }

    /// Asserts that exactly one call completed, with these arguments.
    ///
    /// # Panics
    /// Otherwise.
    #[track_caller]
    pub fn assert_awaited_once_with(&self, expected: &A) {
        self.fail_if(|state| {
            (state.awaited.len() != 1 || state.awaited[0] != *expected).then(|| {
                format!(
                    "{} expected to be awaited once with these arguments\n  expected: awaited \
                     once with {expected:?}\n    actual: awaited {} time(s), with {:?}",
                    state.label(),
                    state.awaited.len(),
                    state.awaited
                )
            })
        });
    }

    /// Asserts that no call completed.
    ///
    /// # Panics
    /// When the mock was awaited.
    #[track_caller]
    pub fn assert_not_awaited(&self) {
        self.fail_if(|state| {
            (!state.awaited.is_empty()).then(|| {
                format!(
                    "{} expected not to be awaited\n  expected: 0 awaits\n    actual: awaited {} \
                     time(s), with {:?}",
                    state.label(),
                    state.awaited.len(),
                    state.awaited
                )
            })
        });
    }

    /// Asserts that every call's future completed: none was dropped before
    /// completing and none is still pending. The runtime twin of the lint's
    /// `unawaited_future`.
    ///
    /// # Panics
    /// When a call was not awaited to completion.
    #[track_caller]
    pub fn assert_all_awaited(&self) {
        self.fail_if(|state| {
            let awaited = state.awaited.len();
            (awaited != state.calls).then(|| {
                let pending = state.calls - awaited - state.dropped.len();
                format!(
                    "{} expected every call to be awaited\n  expected: {} of {} calls awaited\n    \
                     actual: {awaited} awaited, {} dropped before completing (with {:?}), \
                     {pending} still pending",
                    state.label(),
                    state.calls,
                    state.calls,
                    state.dropped.len(),
                    state.dropped
                )
            })
        });
    }

    /// Panics with the message `failure` returns for the mock's state, if any. The
    /// lock is released before panicking, so a failed assertion does not poison it.
    #[track_caller]
    fn fail_if(&self, failure: impl FnOnce(&State<A, R>) -> Option<String>) {
        let message = failure(&lock(&self.inner));
        if let Some(message) = message {
            panic!("{message}");
        }
    }
}

impl<A, R> State<A, R> {
    fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("AsyncMock `{name}`"),
            None => "AsyncMock".to_owned(),
        }
    }
}

/// The in-flight part of one call: records on completion, or on drop that the
/// call's future was abandoned.
struct PendingCall<A, R> {
    inner: Arc<Mutex<State<A, R>>>,
    args: Option<A>,
}

impl<A, R> PendingCall<A, R> {
    fn complete(&mut self) -> R {
        let args = self.args.take().expect("a mock call completes once");
        let mut state = lock(&self.inner);
        let answer = match state.respond.as_mut() {
            Some(Respond::With(f)) => Some(f(&args)),
            Some(Respond::Seq { left, .. }) => left.pop_front(),
            None => None,
        };
        let Some(answer) = answer else {
            let msg = match &state.respond {
                Some(Respond::Seq { configured, .. }) => format!(
                    "{} returns_seq exhausted: all {configured} configured values were used, and \
                     this is call {}",
                    state.label(),
                    state.awaited.len() + 1
                ),
                _ => format!("{} lost its configuration", state.label()),
            };
            drop(state);
            panic!("{msg}");
        };
        state.awaited.push(args);
        answer
    }
}

impl<A, R> Drop for PendingCall<A, R> {
    fn drop(&mut self) {
        if let Some(args) = self.args.take() {
            lock(&self.inner).dropped.push(args);
        }
    }
}

/// Loom models of the shared state behind clones of an `AsyncMock`, run against
/// this very code with loom's `Arc` and `Mutex` swapped in (see `crate::sync`):
///
/// ```text
/// RUSTFLAGS="--cfg asyncheck_loom" cargo test -p asyncheck --lib --release
/// ```
#[cfg(all(test, asyncheck_loom))]
mod loom_models {
    use loom::thread;

    use super::{AsyncMock, lock};

    /// Two threads call clones of one mock: each `returns_seq` value is answered
    /// exactly once, and both calls are counted and recorded.
    #[asyncheck::model]
    fn concurrent_calls_share_one_sequence() {
        let mock = AsyncMock::<u32, u32>::named("next_id");
        mock.returns_seq(vec![10, 20]);
        let other = {
            let mock = mock.clone();
            thread::spawn(move || mock.call_now(1))
        };
        let mine = mock.call_now(2);
        let mut answers = [mine, other.join().unwrap()];
        answers.sort_unstable();
        assert_eq!(answers, [10, 20], "a value was answered twice");
        assert_eq!(mock.call_count(), 2);
        let mut args = mock.await_args_list();
        args.sort_unstable();
        assert_eq!(args, [1, 2]);
        mock.assert_all_awaited();
    }

    /// One call's future is dropped on another thread while a second call
    /// completes: one awaited, one dropped, none lost.
    #[asyncheck::model]
    fn a_dropped_call_and_a_completed_call_add_up() {
        let mock = AsyncMock::<u32, ()>::new();
        mock.returns(());
        let abandoned = mock.call(1);
        let other = thread::spawn(move || drop(abandoned));
        loom::future::block_on(mock.call(2));
        other.join().unwrap();
        assert_eq!(mock.call_count(), 2);
        assert_eq!(mock.await_args_list(), [2]);
        assert_eq!(lock(&mock.inner).dropped, [1]);
    }
}
