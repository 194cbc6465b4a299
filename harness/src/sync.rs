//! The primitives guarding the harness's shared state (`AsyncMock`, the panic log):
//! std's, or loom's under `--cfg asyncheck_loom` so that loom models check the real code.
//!
//! ```text
//! RUSTFLAGS="--cfg asyncheck_loom" cargo test -p asyncheck --lib --release
//! ```

#[cfg(asyncheck_loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, Ordering};
#[cfg(asyncheck_loom)]
pub(crate) use loom::sync::{Arc, Mutex, MutexGuard};
#[cfg(not(asyncheck_loom))]
pub(crate) use std::sync::atomic::{AtomicBool, Ordering};
#[cfg(not(asyncheck_loom))]
pub(crate) use std::sync::{Arc, Mutex, MutexGuard};
