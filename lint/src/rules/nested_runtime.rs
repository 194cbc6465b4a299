//! Flags building a runtime or blocking on a future inside async context.
//!
//! ## What it does
//! In the body of an `async fn`, `async` block or `async` closure, finds
//! - runtime construction: `tokio::runtime::Runtime::new()` and
//!   `tokio::runtime::Builder::new_current_thread()`/`new_multi_thread()` … `.build()`;
//! - blocking on a future: `.block_on(..)` on any receiver,
//!   `futures::executor::block_on`, `tokio_test::block_on`,
//!   `async_std::task::block_on`, `smol::block_on` and `pollster::block_on`.
//!
//! Each such call is its own finding. Sync closures (`spawn_blocking`,
//! `std::thread::spawn`) and nested `fn` items are not async context.
//!
//! ## Why is this bad?
//! Tokio panics at run time with "Cannot start a runtime from within a
//! runtime" when a runtime is entered from a task. Executors that do not
//! panic (`futures::executor::block_on`, `pollster`) instead block the worker
//! thread until the inner future finishes — and deadlock if that future needs
//! the very thread it is blocking.
//!
//! ## Example
//! ```rust,ignore
//! #[tokio::main]
//! async fn main() {
//!     let rt = tokio::runtime::Runtime::new().unwrap();
//!     let config = rt.block_on(load_config());
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! #[tokio::main]
//! async fn main() {
//!     let config = load_config().await;
//! }
//! ```
//! When sync code deep inside a task really needs a result, run it with
//! `tokio::task::spawn_blocking` and use `Handle::current().block_on(..)` there.

use super::{Cx, Rule};
use crate::engine::resolve;
use syn::Expr;
use syn::spanned::Spanned;

/// See the module docs.
pub(crate) struct NestedRuntime;

/// Free functions that drive a future to completion on the current thread.
const BLOCK_ON_FNS: &[&[&str]] = &[
    &["futures", "executor", "block_on"],
    &["futures_executor", "block_on"],
    &["tokio_test", "block_on"],
    &["async_std", "task", "block_on"],
    &["smol", "block_on"],
    &["pollster", "block_on"],
];

const HELP: &str = "`.await` the future instead; sync code that must wait belongs in `tokio::task::spawn_blocking`";

impl Rule for NestedRuntime {
    fn check_expr(&self, cx: &mut Cx<'_>, expr: &Expr) {
        if !cx.is_async() {
            // In a sync fn, only blocking on a future is recorded for its callers:
            // building a runtime there is what sync code does to run async code.
            if cx.in_sync_fn() {
                record_block_on(cx, expr);
            }
            return;
        }
        match expr {
            Expr::Call(_) => {
                let Some(callee) = cx.callee(expr) else {
                    return;
                };
                if resolve::is(&callee, &["tokio", "runtime", "Runtime", "new"]) {
                    cx.report(
                        expr.span(),
                        "building a tokio runtime with `Runtime::new` in async context".to_owned(),
                        HELP,
                    );
                } else if BLOCK_ON_FNS.iter().any(|f| resolve::is(&callee, f)) {
                    cx.report(
                        expr.span(),
                        format!(
                            "blocking on a future with `{}` in async context",
                            callee.join("::")
                        ),
                        HELP,
                    );
                }
            }
            Expr::MethodCall(call) if call.method == "block_on" => {
                cx.report(
                    call.method
                        .span()
                        .join(call.paren_token.span.close())
                        .unwrap_or_else(|| call.method.span()),
                    "blocking on a future with `.block_on(..)` in async context".to_owned(),
                    HELP,
                );
            }
            Expr::MethodCall(call) if call.method == "build" && call.args.is_empty() => {
                let Some(builder) = builder_constructor(cx, &call.receiver) else {
                    return;
                };
                cx.report(
                    expr.span(),
                    format!("building a tokio runtime with `Builder::{builder}` in async context"),
                    HELP,
                );
            }
            _ => {}
        }
    }
}

/// Records a `block_on` in a sync fn's body, for calls of the fn from async context.
fn record_block_on(cx: &mut Cx<'_>, expr: &Expr) {
    match expr {
        Expr::Call(_) => {
            let Some(callee) = cx.callee(expr) else {
                return;
            };
            if BLOCK_ON_FNS.iter().any(|f| resolve::is(&callee, f)) {
                cx.record_blocking(expr.span(), HELP, &format!("`{}`", callee.join("::")));
            }
        }
        Expr::MethodCall(call) if call.method == "block_on" => {
            let span = call
                .method
                .span()
                .join(call.paren_token.span.close())
                .unwrap_or_else(|| call.method.span());
            cx.record_blocking(span, HELP, "`.block_on(..)`");
        }
        _ => {}
    }
}

/// For a `Builder::new_*()` … chain, the constructor's name.
fn builder_constructor(cx: &Cx<'_>, mut expr: &Expr) -> Option<String> {
    loop {
        match expr {
            Expr::MethodCall(call) => expr = &call.receiver,
            Expr::Call(_) => {
                let callee = cx.callee(expr)?;
                let (name, path) = callee.split_last()?;
                let is_builder = resolve::is(path, &["tokio", "runtime", "Builder"]);
                return (is_builder
                    && (name == "new_current_thread" || name == "new_multi_thread"))
                    .then(|| format!("{name}()"));
            }
            _ => return None,
        }
    }
}
