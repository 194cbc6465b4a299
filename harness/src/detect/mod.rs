//! Per-test detector state shared by the runtime hooks, the panic hook and `settle()`.
//!
//! One [`Shared`] exists per running test. The runner installs it as the
//! thread-local "current test" on the test thread and, through `on_thread_start`,
//! on every thread the test's runtime starts, so that process-wide hooks (the panic
//! hook) can attribute what they see to the right test even when many tests run in
//! parallel threads of one process.

pub(crate) mod blocking;
pub(crate) mod leak;
pub(crate) mod panic;
pub(crate) mod stall;
pub(crate) mod watchdog;

use std::cell::RefCell;
use std::sync::{Arc, PoisonError};
use std::task::Waker;
use std::time::Instant;

use crate::sync::{Mutex, MutexGuard};
use blocking::BusyClock;
use panic::PanicLog;

thread_local! {
    static CURRENT: RefCell<Option<Arc<Shared>>> = const { RefCell::new(None) };
}

/// State of one running test, shared between its runtime's threads and hooks.
#[derive(Debug)]
pub(crate) struct Shared {
    /// Whether the runtime is current-thread (park hooks, `settle()` and blocking
    /// detection need the single runtime thread).
    pub(crate) current_thread: bool,
    /// Whether to measure busy stretches (only with a blocking threshold).
    measure_busy: bool,
    pub(crate) panics: PanicLog,
    pub(crate) busy: BusyClock,
    idle: Mutex<IdleLog>,
}

/// What the park hooks record about the runtime going idle.
#[derive(Debug, Default)]
struct IdleLog {
    /// Incremented every time the runtime thread runs out of work and parks.
    generation: u64,
    /// When it last did, for the wall-clock watchdog's report.
    last_idle: Option<Instant>,
    /// Tasks waiting in `settle()` for the next idle point.
    settle_waiters: Vec<Waker>,
    /// Whether the runner waits for the first idle point (to arm the deadline);
    /// it is woken through the waker it registered with the panic log.
    runner_waits: bool,
    /// The paused clock's reading when the test started, for the watchdog's report.
    virtual_start: Option<tokio::time::Instant>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn new(current_thread: bool, record_panics: bool, measure_busy: bool) -> Arc<Self> {
        #[cfg(test)]
        LIVE.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Arc::new(Self {
            current_thread,
            measure_busy,
            panics: PanicLog::new(record_panics),
            busy: BusyClock::default(),
            idle: Mutex::default(),
        })
    }

    /// `on_thread_park` hook (current-thread runtime only): the runtime has no task
    /// to run and is about to wait for the driver.
    pub(crate) fn on_park(&self) {
        if self.measure_busy {
            self.busy.stop();
        }
        let (waiters, wake_runner) = {
            let mut idle = lock(&self.idle);
            idle.generation += 1;
            idle.last_idle = Some(Instant::now());
            (
                std::mem::take(&mut idle.settle_waiters),
                std::mem::take(&mut idle.runner_waits),
            )
        };
        // Waking here makes the scheduler poll the driver with a zero timeout
        // instead of parking, so the paused clock does not move.
        for waker in waiters {
            waker.wake();
        }
        if wake_runner {
            self.panics.wake_runner();
        }
    }

    /// `on_thread_unpark` hook (current-thread runtime only): the runtime is back
    /// from the driver and about to run tasks.
    pub(crate) fn on_unpark(&self) {
        if self.measure_busy {
            self.busy.start();
        }
    }

    /// Drops every waker this state holds (the runner's, `settle()` callers'):
    /// wakers keep the runtime alive, and the runtime's hooks keep this state
    /// alive, so they must go before the runtime is shut down.
    pub(crate) fn forget_wakers(&self) {
        self.panics.forget_runner();
        lock(&self.idle).settle_waiters.clear();
    }

    /// The paused clock's reading when the test started, as recorded by
    /// [`record_virtual_start`](Self::record_virtual_start); `None` until the
    /// runtime first goes idle, before which the paused clock cannot have moved.
    pub(crate) fn virtual_start(&self) -> Option<tokio::time::Instant> {
        lock(&self.idle).virtual_start
    }

    /// Records the paused clock's reading at the start of the test, which the
    /// runner reads at the first idle point.
    pub(crate) fn record_virtual_start(&self, at: tokio::time::Instant) {
        lock(&self.idle).virtual_start.get_or_insert(at);
    }

    /// How many times the runtime has gone idle so far.
    pub(crate) fn idle_generation(&self) -> u64 {
        lock(&self.idle).generation
    }

    /// When the runtime thread last went idle (current-thread runtime only).
    pub(crate) fn last_idle(&self) -> Option<Instant> {
        lock(&self.idle).last_idle
    }

    /// Called by the runner of a paused-clock test each time the body is pending
    /// and the deadline is not armed yet: whether the runtime has gone idle. If
    /// not, the runner (whose waker is registered with the panic log) is woken
    /// when it first does.
    pub(crate) fn runner_saw_idle(&self) -> bool {
        let mut idle = lock(&self.idle);
        if idle.generation > 0 {
            return true;
        }
        idle.runner_waits = true;
        false
    }

    /// Registers `waker` to be woken the next time the runtime goes idle, unless it
    /// already went idle after `seen`; returns whether it did.
    pub(crate) fn wait_idle_after(&self, seen: u64, waker: &Waker) -> bool {
        let mut idle = lock(&self.idle);
        if idle.generation > seen {
            return true;
        }
        if !idle.settle_waiters.iter().any(|w| w.will_wake(waker)) {
            idle.settle_waiters.push(waker.clone());
        }
        false
    }
}

/// Number of `Shared` alive, to test that a finished test frees its runtime (the
/// runtime's hooks own the test's `Shared`).
#[cfg(test)]
pub(crate) static LIVE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[cfg(test)]
impl Drop for Shared {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The test running on this thread, if any.
pub(crate) fn current() -> Option<Arc<Shared>> {
    CURRENT
        .try_with(|c| c.try_borrow().ok().and_then(|c| c.clone()))
        .ok()
        .flatten()
}

/// Makes `shared` the current test on this thread until the guard is dropped.
pub(crate) fn enter(shared: Arc<Shared>) -> CurrentGuard {
    let previous = CURRENT.with(|c| c.replace(Some(shared)));
    CurrentGuard { previous }
}

/// Restores the previous "current test" of the thread on drop.
#[derive(Debug)]
pub(crate) struct CurrentGuard {
    previous: Option<Arc<Shared>>,
}

impl Drop for CurrentGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|c| {
            if let Ok(mut c) = c.try_borrow_mut() {
                *c = previous;
            }
        });
    }
}

/// Sets the current test for a thread started by the test's runtime (never
/// restored: the thread belongs to that runtime for its whole life, and the
/// thread-local is dropped when it exits).
pub(crate) fn set_for_runtime_thread(shared: Arc<Shared>) {
    let _ = CURRENT.try_with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            *c = Some(shared);
        }
    });
}
