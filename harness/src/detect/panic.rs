//! Swallowed-panic detection: panics inside spawned tasks, recorded by a process-wide panic hook.
//!
//! tokio catches a task's panic and hands it to the task's `JoinHandle`; when the
//! handle is dropped or its error ignored, nobody ever sees it. (tokio's
//! `unhandled_panic` setting would fix this but needs `--cfg tokio_unstable`.)
//! Instead asyncheck installs one panic hook for the process, chained in front of
//! the previous hook so panics still print. The hook records a panic when it
//! happens inside a tokio task (`tokio::task::try_id()` is set) on a thread whose
//! "current test" is set — the test thread of a current-thread runtime or a thread
//! started by the test's own runtime — so parallel tests never see each other's
//! panics. A panic in the test body itself is not a task panic: it fails the test
//! the ordinary way.

use std::any::Any;
use std::panic::PanicHookInfo;
use std::sync::Once;
use std::task::Waker;

use super::lock;
use crate::sync::{AtomicBool, Mutex, Ordering};

/// Panics recorded for one test, and the waker of the runner to stop it early.
#[derive(Debug)]
pub(crate) struct PanicLog {
    /// Whether panics are recorded: off with `allow_task_panics`, and once the
    /// test's verdict is in (the leak check's grace period).
    enabled: AtomicBool,
    /// Set once a panic is recorded: checked on every poll of the runner.
    any: AtomicBool,
    inner: Mutex<Log>,
}

#[derive(Debug, Default)]
struct Log {
    messages: Vec<String>,
    runner: Option<Waker>,
}

impl PanicLog {
    pub(crate) fn new(enabled: bool) -> Self {
        if enabled {
            install_hook();
        }
        Self {
            enabled: AtomicBool::new(enabled),
            any: AtomicBool::new(false),
            inner: Mutex::default(),
        }
    }

    /// Remembers the runner's waker so that a task panic wakes it.
    pub(crate) fn register_runner(&self, waker: &Waker) {
        let mut log = lock(&self.inner);
        match &log.runner {
            Some(w) if w.will_wake(waker) => {}
            _ => log.runner = Some(waker.clone()),
        }
    }

    /// Wakes the runner, if it registered (see [`Shared::raise`](super::Shared::raise)).
    pub(crate) fn wake_runner(&self) {
        let runner = lock(&self.inner).runner.clone();
        if let Some(waker) = runner {
            waker.wake();
        }
    }

    /// Forgets the runner's waker. The waker keeps the runtime's scheduler alive,
    /// whose hooks keep this log alive: without this the two leak each other.
    pub(crate) fn forget_runner(&self) {
        lock(&self.inner).runner = None;
    }

    /// Stops recording: panics from now on are not the test's.
    pub(crate) fn stop_recording(&self) {
        self.enabled.store(false, Ordering::Release);
    }

    /// Whether any task panicked so far.
    pub(crate) fn any(&self) -> bool {
        self.any.load(Ordering::Acquire)
    }

    /// The recorded panics, one description each.
    pub(crate) fn messages(&self) -> Vec<String> {
        lock(&self.inner).messages.clone()
    }

    fn record(&self, message: String) {
        if !self.enabled.load(Ordering::Acquire) {
            return;
        }
        let runner = {
            let mut log = lock(&self.inner);
            log.messages.push(message);
            self.any.store(true, Ordering::Release);
            log.runner.clone()
        };
        if let Some(waker) = runner {
            waker.wake();
        }
    }
}

fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            record(info);
            previous(info);
        }));
    });
}

fn record(info: &PanicHookInfo<'_>) {
    let Some(task) = tokio::task::try_id() else {
        return;
    };
    let Some(shared) = super::current() else {
        return;
    };
    let location = info
        .location()
        .map(|l| format!(" at {}:{}:{}", l.file(), l.line(), l.column()))
        .unwrap_or_default();
    shared.panics.record(format!(
        "a spawned task panicked: {} (task {task}{location})",
        payload_text(info.payload())
    ));
}

/// The text of a panic payload (`panic!` with a message gives `&str` or `String`).
pub(crate) fn payload_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_owned()
    }
}

/// Loom model of the race between a task panic being recorded and the runner
/// registering its waker, run against this code with loom's `Mutex` and
/// `AtomicBool` swapped in (see `crate::sync`):
///
/// ```text
/// RUSTFLAGS="--cfg asyncheck_loom" cargo test -p asyncheck --lib --release
/// ```
#[cfg(all(test, asyncheck_loom))]
mod loom_models {
    use std::task::{Wake, Waker};

    use loom::thread;

    use super::PanicLog;
    use crate::sync::{Arc, AtomicBool, Ordering};

    struct Flag(AtomicBool);

    impl Wake for Flag {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    /// The runner registers its waker, then checks `any()`; meanwhile a runtime
    /// thread records a task panic. Whatever the interleaving, the runner either
    /// sees the panic or is woken to look again: a task panic is never missed.
    #[asyncheck::model]
    fn a_recorded_panic_is_seen_or_wakes_the_runner() {
        let log = Arc::new(PanicLog::new(true));
        let flag = std::sync::Arc::new(Flag(AtomicBool::new(false)));
        let waker = Waker::from(std::sync::Arc::clone(&flag));
        let recorder = {
            let log = Arc::clone(&log);
            thread::spawn(move || log.record("boom".to_owned()))
        };
        log.register_runner(&waker);
        let seen = log.any();
        recorder.join().unwrap();
        assert!(
            seen || flag.0.load(Ordering::SeqCst),
            "the runner missed a task panic: not seen and not woken"
        );
        assert_eq!(log.messages(), ["boom"]);
        log.forget_runner();
    }
}
