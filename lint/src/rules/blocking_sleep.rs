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
//! A call from async context of a sync function of the checked crate that
//! sleeps — directly or through other functions of the crate, in any file —
//! is flagged too, at the call, with a note at each call down to the sleep
//! (see "One call away" in the README). A helper called only from sync code
//! or from `spawn_blocking` is never flagged.
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
//!
//! ## Fix safety
//! `--fix` rewrites `std::thread::sleep(d);` to `tokio::time::sleep(d).await;`
//! (both take a `Duration`) only when the call is a whole statement written
//! directly in the body of an `async fn` or `async` block — not in an `async`
//! closure, not inside a macro, not as part of a larger expression. The
//! argument and everything around the call are left as written. The crate
//! needs tokio's `time` feature; an import of `std::thread` that is no longer
//! used is left for the compiler to point out. Configured `extra-functions`
//! are never rewritten.

use super::{Cx, Rule, RuleOption};
use crate::engine::BodyKind;
use crate::engine::resolve;
use crate::{Applicability, Edit, Fix, Span};
use syn::spanned::Spanned;

/// See the module docs.
pub(crate) struct BlockingSleep;

/// `extra-functions`: more functions to treat as blocking sleeps, as they resolve.
pub(crate) const EXTRA_FUNCTIONS: RuleOption = RuleOption::paths("extra-functions");

impl Rule for BlockingSleep {
    fn check_expr(&self, cx: &mut Cx<'_>, expr: &syn::Expr) {
        if !cx.is_async() && !cx.in_sync_fn() {
            return;
        }
        let Some(callee) = cx.callee(expr) else {
            return;
        };
        if resolve::is(&callee, &["std", "thread", "sleep"]) {
            let message = "blocking `std::thread::sleep` in async context".to_owned();
            let help = "use `tokio::time::sleep(d).await`, or move the blocking work into `tokio::task::spawn_blocking`";
            if !cx.is_async() {
                cx.record_blocking(expr.span(), help, "`std::thread::sleep`");
                return;
            }
            match fix(cx, expr) {
                Some(fix) => cx.report_with_fix(expr.span(), message, help, fix),
                None => cx.report(expr.span(), message, help),
            }
            return;
        }
        if !cx.option_lists(EXTRA_FUNCTIONS, &callee) {
            return;
        }
        cx.report_blocking(
            expr.span(),
            format!(
                "blocking sleep `{}` (configured in `extra-functions`) in async context",
                callee.join("::")
            ),
            "use `tokio::time::sleep(d).await`, or move the blocking work into `tokio::task::spawn_blocking`",
            &format!("`{}`", callee.join("::")),
        );
    }
}

/// `std::thread::sleep(d);` → `tokio::time::sleep(d).await;`, where that is safe (see the module docs).
fn fix(cx: &Cx<'_>, expr: &syn::Expr) -> Option<Fix> {
    let syn::Expr::Call(call) = expr else {
        return None;
    };
    if !cx.is_statement(expr)
        || !matches!(cx.body(), Some(BodyKind::AsyncFn | BodyKind::AsyncBlock))
    {
        return None;
    }
    let end = Span::from_pm2(call.paren_token.span.close());
    let after = Span {
        line: end.end_line,
        column: end.end_column,
        end_line: end.end_line,
        end_column: end.end_column,
    };
    Some(Fix {
        description: "replace with `tokio::time::sleep(d).await`".to_owned(),
        applicability: Applicability::MachineApplicable,
        edits: vec![
            Edit {
                span: Span::from_pm2(call.func.span()),
                replacement: "tokio::time::sleep".to_owned(),
            },
            Edit {
                span: after,
                replacement: ".await".to_owned(),
            },
        ],
    })
}
