//! Flags `std::thread::sleep` called in async context.
//!
//! ## What it does
//! Finds calls to `std::thread::sleep` — however it was imported or renamed —
//! in the body of an `async fn`, an `async` block or an `async` closure.
//! Sync closures and nested `fn` items are not async context (they may run on
//! a blocking thread via `spawn_blocking` or `std::thread::spawn`), so sleeping
//! there is fine. Functions listed under `[rules.blocking_sleep] extra-functions`
//! in the configuration (for example a project's own `crate::util::pause`)
//! are flagged like `std::thread::sleep`.
//!
//! ## Why is this bad?
//! `std::thread::sleep` blocks the whole worker thread. Every other task
//! scheduled on that thread stalls until it returns; on a current-thread
//! runtime (the default of `#[tokio::test]`) the entire program stops, timers
//! included.
//!
//! ## Example
//! ```rust,ignore
//! async fn retry() {
//!     std::thread::sleep(Duration::from_millis(100));
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! async fn retry() {
//!     tokio::time::sleep(Duration::from_millis(100)).await;
//! }
//! ```
//! or, when the wait is part of blocking work, move that work into
//! `tokio::task::spawn_blocking`.

use super::{Cx, Rule};
use crate::config::RuleOptions;
use crate::engine::resolve;
use syn::spanned::Spanned;

/// See the module docs.
pub(crate) struct BlockingSleep;

impl Rule for BlockingSleep {
    fn check_expr(&self, cx: &mut Cx<'_>, expr: &syn::Expr) {
        if !cx.is_async() {
            return;
        }
        let Some(callee) = cx.callee(expr) else {
            return;
        };
        if resolve::is(&callee, &["std", "thread", "sleep"]) {
            cx.report(
                expr.span(),
                "blocking `std::thread::sleep` in async context".to_owned(),
                "use `tokio::time::sleep(d).await`, or move the blocking work into `tokio::task::spawn_blocking`",
            );
            return;
        }
        if !RuleOptions::lists(&cx.options().blocking_sleep, &callee) {
            return;
        }
        cx.report(
            expr.span(),
            format!(
                "blocking sleep `{}` (configured in `extra-functions`) in async context",
                callee.join("::")
            ),
            "use `tokio::time::sleep(d).await`, or move the blocking work into `tokio::task::spawn_blocking`",
        );
    }
}
