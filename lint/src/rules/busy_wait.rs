//! Flags a loop that polls shared state and only sleeps between checks.
//!
//! ## What it does
//! In async context, finds
//! - `while <poll> { <sleeps> }`, and
//! - `loop { if <poll> { break } <sleeps> }` (the check before or after the sleeps),
//!
//! where `<poll>` reads state some other task changes — it calls `.load(..)`
//! (atomics), `.lock()`, `.try_lock()`, `.borrow()`, `.try_recv()`,
//! `.is_empty()`, `.is_closed()` or `.is_finished()`, and awaits nothing —
//! and `<sleeps>` are only `tokio::time::sleep(..).await` (or actix-rt's
//! re-export of it) and `tokio::task::yield_now().await` statements.
//!
//! Not flagged: loops that do any other work, conditions that await
//! (`while !client.ready().await`) or look at a clock (`Instant::now()`,
//! `.elapsed()`) — a deadline is not a state change — and sync code.
//!
//! ## Why is this bad?
//! The task wakes up on every tick to find nothing changed, burning CPU and
//! timer entries, and it notices the change up to one sleep late. With a
//! short sleep many such loops keep a runtime busy; with a long one,
//! shutdown and hand-offs lag.
//!
//! ## Example
//! ```rust,ignore
//! while !ready.load(Ordering::Acquire) {
//!     tokio::time::sleep(Duration::from_millis(10)).await;
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! // the setter calls `notify.notify_waiters()` (or sends on a `watch`
//! // channel, or cancels a `CancellationToken`) after storing the flag
//! let notified = notify.notified();
//! if !ready.load(Ordering::Acquire) {
//!     notified.await;
//! }
//! ```

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Stmt};

use super::helpers::mentions_any;
use super::{Cx, Rule};
use crate::engine::resolve;

/// See the module docs.
pub(crate) struct BusyWait;

/// Methods that read state another task changes.
const POLLS: &[&str] = &[
    "load",
    "lock",
    "try_lock",
    "borrow",
    "try_recv",
    "is_empty",
    "is_closed",
    "is_finished",
];

/// Identifiers that mark a condition as a clock check or an async call.
const NOT_STATE: &[&str] = &["await", "now", "elapsed", "deadline"];

const HELP: &str = "wait for the change instead of polling: `tokio::sync::Notify`, a `watch` channel or a `CancellationToken`";

impl Rule for BusyWait {
    fn check_expr(&self, cx: &mut Cx<'_>, expr: &Expr) {
        if !cx.is_async() {
            return;
        }
        let Some(cond) = polled_condition(cx, expr) else {
            return;
        };
        let Some(poll) = polled_state(cond) else {
            return;
        };
        cx.report(
            cond.span(),
            format!("busy wait: this loop polls `.{poll}()` and only sleeps in between"),
            HELP,
        );
    }
}

/// The condition of a `while cond { sleeps }` or `loop { if cond { break } sleeps }`.
fn polled_condition<'e>(cx: &Cx<'_>, expr: &'e Expr) -> Option<&'e Expr> {
    match expr {
        Expr::While(w) if !matches!(&*w.cond, Expr::Let(_)) => {
            let sleeps = &w.body.stmts;
            (!sleeps.is_empty() && sleeps.iter().all(|s| is_sleep(cx, s))).then_some(&*w.cond)
        }
        Expr::Loop(l) => {
            let stmts = &l.body.stmts;
            let (check, sleeps) = match (stmts.first(), stmts.last()) {
                (Some(first), _) if break_condition(first).is_some() => (first, &stmts[1..]),
                (_, Some(last)) if break_condition(last).is_some() => {
                    (last, &stmts[..stmts.len() - 1])
                }
                _ => return None,
            };
            if sleeps.is_empty() || !sleeps.iter().all(|s| is_sleep(cx, s)) {
                return None;
            }
            break_condition(check)
        }
        _ => None,
    }
}

/// For `if cond { break; }` (no `else`, nothing else in it), the `cond`.
fn break_condition(stmt: &Stmt) -> Option<&Expr> {
    let Stmt::Expr(Expr::If(if_expr), _) = stmt else {
        return None;
    };
    if if_expr.else_branch.is_some() || matches!(&*if_expr.cond, Expr::Let(_)) {
        return None;
    }
    let [only] = &if_expr.then_branch.stmts[..] else {
        return None;
    };
    matches!(only, Stmt::Expr(Expr::Break(b), _) if b.expr.is_none()).then_some(&*if_expr.cond)
}

/// `tokio::time::sleep(..).await;` or `tokio::task::yield_now().await;`.
fn is_sleep(cx: &Cx<'_>, stmt: &Stmt) -> bool {
    let Stmt::Expr(Expr::Await(awaited), _) = stmt else {
        return false;
    };
    cx.callee(&awaited.base).is_some_and(|c| {
        resolve::is(&c, &["tokio", "time", "sleep"])
            || resolve::is(&c, &["tokio", "task", "yield_now"])
            // actix-rt re-exports tokio's.
            || resolve::is(&c, &["actix_rt", "time", "sleep"])
    })
}

/// The first of [`POLLS`] that `cond` calls, when it awaits nothing and reads no clock.
fn polled_state(cond: &Expr) -> Option<&'static str> {
    if mentions_any(cond.to_token_stream(), NOT_STATE) {
        return None;
    }
    let mut finder = PollFinder { found: None };
    finder.visit_expr(cond);
    finder.found
}

/// Finds a call of one of [`POLLS`] as a method.
struct PollFinder {
    found: Option<&'static str>,
}

impl<'ast> Visit<'ast> for PollFinder {
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        visit::visit_expr_method_call(self, call);
        if self.found.is_none() {
            self.found = POLLS.iter().copied().find(|p| call.method == p);
        }
    }
}
