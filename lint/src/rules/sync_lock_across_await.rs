//! Flags a synchronous lock guard bound with `let` that is still alive at a later `.await`.
//!
//! ## What it does
//! In the body of an `async fn`, `async` block or `async` closure, finds
//! `let guard = <lock>;` where `<lock>` is
//! - `x.lock()`, `x.read()` or `x.write()` followed directly by `.unwrap()`,
//!   `.expect(..)` or `.unwrap_or_else(..)` — the poisoning API of
//!   `std::sync::Mutex` / `RwLock` (tokio's locks are `.await`ed instead);
//! - `x.lock()` (or `x.read()` / `x.write()`) on a plain variable or field,
//!   not `.await`ed, in a scope where `Mutex` (or `RwLock`) is imported from
//!   `parking_lot`;
//!
//! and reports it when a later statement of the same block `.await`s (or runs
//! a `select!` / `join!`) while the guard is alive. The finding is at the
//! `let`, with a note at the first `.await` (or `select!` / `join!`) reached
//! while the guard is alive.
//!
//! The guard counts as released — no finding — once it is passed to
//! `drop(..)`, moved anywhere (into a call, a closure, an `async` block,
//! another binding), reassigned or shadowed, even if that happens only on
//! one branch. Temporaries are never flagged: `let n = *m.lock().unwrap();`
//! and `let len = m.lock().unwrap().len();` drop the guard at the end of the
//! statement, and `let _ = m.lock();` drops it at once. Unlike clippy's
//! `await_holding_lock`, a guard dropped with `drop(guard)` before the
//! `.await` is not reported.
//!
//! ## Why is this bad?
//! The task may be suspended at the `.await` and resumed much later, or on
//! another thread, while it still holds the lock. Any other task — or the
//! same task's next iteration — that calls `.lock()` meanwhile blocks its
//! worker thread, and if it runs on the thread that should resume the holder,
//! the program deadlocks. With `std::sync::MutexGuard` the future is also not
//! `Send`, so `tokio::spawn` rejects it far from the cause.
//!
//! ## Example
//! ```rust,ignore
//! async fn record(state: &Mutex<State>, event: Event) {
//!     let mut state = state.lock().unwrap();
//!     state.pending.push(event);
//!     flush(&state.pending).await;
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! async fn record(state: &Mutex<State>, event: Event) {
//!     let pending = {
//!         let mut state = state.lock().unwrap();
//!         state.pending.push(event);
//!         state.pending.clone()
//!     };
//!     flush(&pending).await;
//! }
//! ```
//! or `tokio::sync::Mutex` when the lock really must be held across the `.await`.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, Local, Stmt};

use super::helpers::{Suspension, bound_name, first_await_while_held};
use super::{Cx, Rule};
use crate::engine::resolve;

/// See the module docs.
pub(crate) struct SyncLockAcrossAwait;

const HELP: &str = "drop the guard before the `.await` (end its block or call `drop(guard)`), or use `tokio::sync::Mutex` if it must be held across the `.await`";

impl Rule for SyncLockAcrossAwait {
    fn check_block(&self, cx: &mut Cx<'_>, block: &syn::Block) {
        if !cx.can_await() {
            return;
        }
        for (index, stmt) in block.stmts.iter().enumerate() {
            let Stmt::Local(local) = stmt else { continue };
            let Some((name, lock, suspension)) = held_guard(cx, local, &block.stmts[index + 1..])
            else {
                continue;
            };
            let note = format!("the guard is still alive at this `{}`", suspension.what);
            cx.report_with_notes(
                local.span(),
                format!("`{name}` holds a synchronous `{lock}` guard across an `.await`"),
                HELP,
                [(suspension.span, note)],
            );
        }
    }
}

/// For `let name = <sync lock guard>;` followed by an `.await` while it is alive:
/// the name, the lock call as written (`.lock()`), and the first such `.await`.
fn held_guard(cx: &Cx<'_>, local: &Local, rest: &[Stmt]) -> Option<(String, String, Suspension)> {
    let name = bound_name(&local.pat)?;
    let init = local.init.as_ref()?;
    if init.diverge.is_some() {
        return None;
    }
    let lock = sync_guard(cx, &init.expr)?;
    let suspension = first_await_while_held(rest, &name, &[])?;
    Some((name, lock, suspension))
}

/// `x.lock().unwrap()` and friends (std), or `x.lock()` with `parking_lot`'s
/// `Mutex`/`RwLock` imported: the lock call as written, e.g. `.lock()`.
fn sync_guard(cx: &Cx<'_>, expr: &Expr) -> Option<String> {
    let Expr::MethodCall(call) = expr else {
        return None;
    };
    if matches!(
        call.method.to_string().as_str(),
        "unwrap" | "expect" | "unwrap_or_else"
    ) {
        let Expr::MethodCall(lock) = &*call.receiver else {
            return None;
        };
        return lock_method(lock).map(|m| format!(".{m}()"));
    }
    let method = lock_method(call)?;
    if !matches!(&*call.receiver, Expr::Path(_) | Expr::Field(_)) {
        return None;
    }
    let lock_type = if method == "lock" { "Mutex" } else { "RwLock" };
    let ident = syn::Ident::new(lock_type, Span::call_site());
    let canon = cx.resolve(&syn::Path::from(ident))?;
    resolve::is(&canon, &["parking_lot", lock_type]).then(|| format!(".{method}()"))
}

/// `lock`, `read` or `write` when `call` is one of those with no arguments.
fn lock_method(call: &syn::ExprMethodCall) -> Option<&'static str> {
    if !call.args.is_empty() {
        return None;
    }
    ["lock", "read", "write"]
        .into_iter()
        .find(|m| call.method == m)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_guard_bound_with_ref_is_held_as_long_as_a_plain_one() {
        let src = "async fn f(m: &std::sync::Mutex<u8>) {\n    let ref g = m.lock().unwrap();\n    tick().await;\n    use_it(g);\n}\n";
        let report = crate::Linter::new().check_source("src/f.rs", src);
        let rules: Vec<_> = report.findings().iter().map(|f| f.rule).collect();
        assert_eq!(rules, ["sync_lock_across_await"]);
        assert_eq!(report.findings()[0].span.line, 2);
    }
}
