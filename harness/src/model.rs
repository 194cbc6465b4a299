//! Loom models: what `#[asyncheck::model]` expands to, `loom::model` with the attribute's bounds.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::detect::panic::payload_text;

/// Runs `body` under `loom::model::Builder::check`, once per interleaving loom
/// explores, with the attribute's `preemption_bound` and `max_branches` (else
/// loom's defaults and `LOOM_*` environment variables).
///
/// # Panics
/// When an execution panics (a failed assertion, or loom's own deadlock, leak
/// or data-race report), with the execution number and the panic's message.
#[doc(hidden)]
#[track_caller]
pub fn run_model(
    preemption_bound: Option<usize>,
    max_branches: Option<usize>,
    body: impl Fn() + Sync + Send + 'static,
) {
    let mut builder = loom::model::Builder::new();
    if preemption_bound.is_some() {
        builder.preemption_bound = preemption_bound;
    }
    if let Some(max) = max_branches {
        builder.max_branches = max;
    }
    let executions = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&executions);
    let checked = catch_unwind(AssertUnwindSafe(|| {
        builder.check(move || {
            counter.fetch_add(1, Ordering::Relaxed);
            body();
        });
    }));
    if let Err(panic) = checked {
        panic!(
            "asyncheck: loom found a failing interleaving in execution {} of the model: {}\n  \
             rerun with `LOOM_LOG=trace LOOM_LOCATION=1` to see every step of that execution, \
             and `LOOM_CHECKPOINT_FILE=<file>` to replay it",
            executions.load(Ordering::Relaxed),
            payload_text(&*panic)
        );
    }
}
