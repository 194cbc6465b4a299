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
pub(crate) mod watchdog;

use std::cell::RefCell;
use std::sync::atomic::AtomicU8;
use std::sync::{Arc, PoisonError};
use std::task::Waker;
use std::time::{Duration, Instant};

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
    /// The timeout when it is read on tokio's clock by the park hooks (the clock
    /// is paused, or the body pauses it): the harness adds no timer of its own
    /// that the paused clock could auto-advance to.
    clock_limit: Option<Duration>,
    /// [`Alarm`] bits raised by the hooks and the watchdog for the runner.
    alarm: AtomicU8,
    pub(crate) panics: PanicLog,
    pub(crate) busy: BusyClock,
    idle: Mutex<IdleLog>,
}

/// Why the runner must stop the body, raised from outside the body's poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Alarm {
    /// The test's own timers moved tokio's clock past the timeout.
    TimedOut = 1,
    /// The runtime was idle with its clock standing still for the idle limit:
    /// no task could make progress.
    Stalled = 2,
}

/// When the runtime thread last parked, and tokio's clock then.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Parked {
    pub(crate) wall: Instant,
    pub(crate) clock: tokio::time::Instant,
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
    /// tokio's clock when the test started (with [`Shared::clock_limit`]).
    virtual_start: Option<tokio::time::Instant>,
    /// `virtual_start` plus the timeout; `None` before the start, or when the
    /// timeout is beyond what an `Instant` can hold.
    deadline: Option<tokio::time::Instant>,
    /// Set while the runtime thread is parked (with [`Shared::clock_limit`]).
    parked: Option<Parked>,
    /// With busy measurement: the `generation` at which the runner was last
    /// woken to take a sample of the busy clock, until it is polled.
    sampling_wake: Option<u64>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// The state of a test: `current_thread` runtime or not, recording task
    /// panics or not, measuring busy stretches or not, and the timeout when it
    /// is read on tokio's clock by the park hooks.
    pub(crate) fn new(
        current_thread: bool,
        record_panics: bool,
        measure_busy: bool,
        clock_limit: Option<Duration>,
    ) -> Arc<Self> {
        #[cfg(test)]
        LIVE.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Arc::new(Self {
            current_thread,
            measure_busy,
            clock_limit,
            alarm: AtomicU8::new(0),
            panics: PanicLog::new(record_panics),
            busy: BusyClock::default(),
            idle: Mutex::new(IdleLog {
                // The runner's first poll samples and keeps sampling the busy
                // stretch that starts the test.
                sampling_wake: measure_busy.then_some(0),
                ..IdleLog::default()
            }),
        })
    }

    /// `on_thread_park` hook (current-thread runtime only): the runtime has no task
    /// to run and is about to wait for the driver, which may auto-advance a paused
    /// clock to the next timer.
    pub(crate) fn on_park(&self) {
        if self.measure_busy {
            self.busy.stop();
        }
        let clock = self.clock_limit.map(|_| tokio::time::Instant::now());
        let wall = Instant::now();
        let (waiters, late) = {
            let mut idle = lock(&self.idle);
            idle.generation += 1;
            idle.last_idle = Some(wall);
            let late = clock.is_some_and(|clock| {
                idle.parked = Some(Parked { wall, clock });
                idle.deadline.is_some_and(|deadline| clock > deadline)
            });
            (std::mem::take(&mut idle.settle_waiters), late)
        };
        // Waking here makes the scheduler poll the driver with a zero timeout
        // instead of parking, so the paused clock does not move.
        for waker in waiters {
            waker.wake();
        }
        if late {
            // The clock was moved by hand (`tokio::time::advance`) past the deadline.
            self.raise(Alarm::TimedOut);
        }
    }

    /// `on_thread_unpark` hook (current-thread runtime only): the runtime is back
    /// from the driver, whose auto-advance may have moved the paused clock to a
    /// timer of the test, and is about to run tasks.
    pub(crate) fn on_unpark(&self) {
        if self.measure_busy {
            self.busy.start();
            let wake = {
                let mut idle = lock(&self.idle);
                let wake = idle.sampling_wake.is_none();
                if wake {
                    idle.sampling_wake = Some(idle.generation);
                }
                wake
            };
            if wake {
                self.panics.wake_runner();
            }
        }
        if self.clock_limit.is_some() {
            let clock = tokio::time::Instant::now();
            let late = {
                let mut idle = lock(&self.idle);
                idle.parked = None;
                idle.deadline.is_some_and(|deadline| clock > deadline)
            };
            // Raised before any task runs, so the runner sees it before it polls
            // the body again: a body woken past the deadline does not finish.
            if late {
                self.raise(Alarm::TimedOut);
            }
        }
    }

    /// Called by the runner on each poll when busy stretches are measured: if it
    /// was woken to sample the busy clock, takes a sample, and asks to be woken
    /// again (returns `true`) while tasks ran since its last poll (`tasks_ran`)
    /// and the runtime has not gone idle since: the scheduler then polls it
    /// between every `event_interval` (61) task polls, so that a stretch is
    /// measured poll group by poll group, and a long burst of short polls is not
    /// taken for one poll that blocked. (Woken with no task to run, it would keep
    /// the runtime from ever parking.)
    pub(crate) fn sample_busy(&self, tasks_ran: bool) -> bool {
        let mut idle = lock(&self.idle);
        let Some(woken_at) = idle.sampling_wake.take() else {
            return false;
        };
        self.busy.sample();
        let again = tasks_ran && woken_at == idle.generation;
        if again {
            idle.sampling_wake = Some(idle.generation);
        }
        again
    }

    /// Records tokio's clock at the start of the test and arms the deadline that
    /// the park hooks check (with [`Shared::clock_limit`]).
    pub(crate) fn start_clock(&self, now: tokio::time::Instant) {
        let mut idle = lock(&self.idle);
        idle.virtual_start = Some(now);
        idle.deadline = self.clock_limit.and_then(|limit| now.checked_add(limit));
    }

    /// Tells the runner to stop the body, and wakes it.
    pub(crate) fn raise(&self, alarm: Alarm) {
        self.alarm
            .fetch_or(alarm as u8, std::sync::atomic::Ordering::AcqRel);
        self.panics.wake_runner();
    }

    /// The alarm raised first, if any (a timeout wins over a stall).
    pub(crate) fn alarm(&self) -> Option<Alarm> {
        match self.alarm.load(std::sync::atomic::Ordering::Acquire) {
            0 => None,
            bits if bits & Alarm::TimedOut as u8 != 0 => Some(Alarm::TimedOut),
            _ => Some(Alarm::Stalled),
        }
    }

    /// Since when the runtime thread has been parked, if it is (only recorded
    /// with [`Shared::clock_limit`]).
    pub(crate) fn parked(&self) -> Option<Parked> {
        lock(&self.idle).parked
    }

    /// Drops every waker this state holds (the runner's, `settle()` callers'):
    /// wakers keep the runtime alive, and the runtime's hooks keep this state
    /// alive, so they must go before the runtime is shut down.
    pub(crate) fn forget_wakers(&self) {
        self.panics.forget_runner();
        lock(&self.idle).settle_waiters.clear();
    }

    /// tokio's clock when the test started, as recorded by
    /// [`start_clock`](Self::start_clock).
    pub(crate) fn virtual_start(&self) -> Option<tokio::time::Instant> {
        lock(&self.idle).virtual_start
    }

    /// How many times the runtime has gone idle so far.
    pub(crate) fn idle_generation(&self) -> u64 {
        lock(&self.idle).generation
    }

    /// When the runtime thread last went idle (current-thread runtime only).
    pub(crate) fn last_idle(&self) -> Option<Instant> {
        lock(&self.idle).last_idle
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
