//! Flags a spawned task whose `JoinHandle` is dropped at once.
//!
//! ## What it does
//! Finds `tokio::spawn(..)`, `tokio::task::spawn(..)`,
//! `tokio::task::spawn_local(..)` and `Handle::current().spawn(..)` (however
//! imported) used as a statement — `tokio::spawn(fut);` — or bound to `_`
//! — `let _ = tokio::spawn(fut);`. A handle that is kept, returned, pushed
//! into a collection or passed on is fine, and so is an explicit
//! `drop(tokio::spawn(..))`, which states the intent. Tasks spawned into a
//! `JoinSet` or a `TaskTracker` are not flagged either.
//!
//! ## Why is this bad?
//! The `JoinHandle` is the only way to learn that a task panicked or
//! returned an error, and the only way to wait for it. Without it, a crashed
//! background task fails silently, and at shutdown nothing waits for it to
//! finish its work — the runtime just drops it wherever it was.
//!
//! ## Example
//! ```rust,ignore
//! async fn start(state: State) {
//!     tokio::spawn(flush_periodically(state.clone()));
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! async fn start(state: State, tasks: &TaskTracker) {
//!     tasks.spawn(flush_periodically(state.clone()));
//! }
//! ```
//! or keep the `JoinHandle` and `.await` it at shutdown, or use a `JoinSet`.
//!
//! One call away: the crate's own spawn wrapper — a sync fn that hands a
//! future parameter (or a future built from it) to `tokio::spawn` and is
//! declared to return the `JoinHandle` — called as a statement or bound to
//! `_` is flagged the same way, in any file of the run. A wrapper that drops
//! the handle itself is flagged inside, at its own `tokio::spawn(..);`, not
//! at every call.

use syn::spanned::Spanned;
use syn::{Expr, Pat, Stmt};

use super::helpers::{TASK_SPAWNS, spawns_future_param};
use super::{Cx, Rule};
use crate::engine::index::{Fact, RuleFact};
use crate::engine::resolve;

/// A sync fn that spawns a task from a future parameter and returns its `JoinHandle`.
const RETURNS_SPAWNED_HANDLE: RuleFact = RuleFact::new("detached_task::returns_spawned_handle");

/// See the module docs.
pub(crate) struct DetachedTask;

impl Rule for DetachedTask {
    fn check_expr(&self, cx: &mut Cx<'_>, expr: &Expr) {
        if !spawns_future_param(cx, expr) {
            return;
        }
        if cx
            .future_params()
            .1
            .is_some_and(|output| output.contains("JoinHandle"))
        {
            cx.record_fact(RETURNS_SPAWNED_HANDLE);
        }
    }

    fn check_stmt(&self, cx: &mut Cx<'_>, stmt: &Stmt) {
        let expr = match stmt {
            Stmt::Expr(expr, Some(_)) => expr,
            Stmt::Local(local) if matches!(local.pat, Pat::Wild(_)) => {
                let Some(init) = &local.init else { return };
                &init.expr
            }
            _ => return,
        };
        let Some(spawn) = spawn_name(cx, expr) else {
            if let Some((callee, written)) = cx.call_target(expr) {
                cx.report_if(
                    &callee,
                    &[Fact::Rule(RETURNS_SPAWNED_HANDLE)],
                    expr.span(),
                    format!("the `JoinHandle` returned by `{written}`, which spawns the future it is given, is dropped at once, so the task's panic or error is lost"),
                    "keep the handle and `.await` it at shutdown, or spawn into a `JoinSet` or `TaskTracker`",
                );
            }
            return;
        };
        cx.report(
            expr.span(),
            format!("the `JoinHandle` of `{spawn}` is dropped at once, so the task's panic or error is lost"),
            "keep the handle and `.await` it at shutdown, or spawn into a `JoinSet` or `TaskTracker`",
        );
    }
}

/// How to name the spawn in the message, when `expr` spawns a task and returns its handle.
fn spawn_name(cx: &Cx<'_>, expr: &Expr) -> Option<String> {
    match expr {
        Expr::Call(_) => {
            let callee = cx.callee(expr)?;
            TASK_SPAWNS
                .iter()
                .any(|s| resolve::is(&callee, s))
                .then(|| callee.join("::"))
        }
        Expr::MethodCall(call) if call.method == "spawn" => {
            let handle = cx.callee(&call.receiver)?;
            resolve::is(&handle, &["tokio", "runtime", "Handle", "current"])
                .then(|| "Handle::current().spawn".to_owned())
        }
        _ => None,
    }
}
