//! Flags tokio's `blocking_*` methods called in async context, where they panic.
//!
//! ## What it does
//! In the body of an `async fn`, `async` block or `async` closure, finds calls
//! of the sync bridges of `tokio::sync`: `.blocking_recv()`,
//! `.blocking_recv_many(..)`, `.blocking_send(..)`, `.blocking_lock()`,
//! `.blocking_lock_owned()`, `.blocking_read()` and `.blocking_write()`.
//! A call that is itself `.await`ed is someone else's async method and is
//! left alone. Sync code, sync closures (`spawn_blocking`,
//! `std::thread::spawn`) and nested `fn` items are where these methods belong.
//!
//! ## Why is this bad?
//! These methods exist so that sync code outside the runtime can talk to
//! async code. Called from a task they block the worker thread, so tokio
//! checks and panics with "Cannot block the current thread from within a
//! runtime" — a crash that only shows up when that path runs.
//!
//! ## Example
//! ```rust,ignore
//! async fn next_job(rx: &mut mpsc::Receiver<Job>) -> Option<Job> {
//!     rx.blocking_recv()
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! async fn next_job(rx: &mut mpsc::Receiver<Job>) -> Option<Job> {
//!     rx.recv().await
//! }
//! ```

use syn::Expr;

use super::{Cx, Rule};

/// See the module docs.
pub(crate) struct TokioBlockingMethod;

/// The `blocking_*` methods of `tokio::sync` and what to use instead (in backticks).
const METHODS: &[(&str, &str)] = &[
    (
        "blocking_recv",
        "`.recv().await` (a `oneshot::Receiver` is `.await`ed itself)",
    ),
    ("blocking_recv_many", "`.recv_many(..).await`"),
    ("blocking_send", "`.send(..).await`"),
    ("blocking_lock", "`.lock().await`"),
    ("blocking_lock_owned", "`.lock_owned().await`"),
    ("blocking_read", "`.read().await`"),
    ("blocking_write", "`.write().await`"),
];

impl Rule for TokioBlockingMethod {
    fn check_expr(&self, cx: &mut Cx<'_>, expr: &Expr) {
        let Expr::MethodCall(call) = expr else {
            return;
        };
        if !(cx.is_async() || cx.in_sync_fn()) || cx.is_awaited(expr) {
            return;
        }
        let Some((name, instead)) = METHODS.iter().find(|(m, _)| call.method == m) else {
            return;
        };
        let span = call
            .method
            .span()
            .join(call.paren_token.span.close())
            .unwrap_or_else(|| call.method.span());
        cx.report_blocking(
            span,
            format!("`.{name}()` in async context panics inside a tokio runtime"),
            format!("use {instead} here; keep `.{name}()` for sync code such as `spawn_blocking` closures"),
            &format!("`.{name}()`"),
        );
    }
}
