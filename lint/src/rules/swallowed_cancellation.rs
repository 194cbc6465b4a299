//! Flags cancellation that is received and then ignored.
//!
//! ## What it does
//! (a) A `select!` inside a loop (`loop`, `while`, `while let`, `for`) with a
//! branch waiting for cancellation — `.cancelled()` on a `CancellationToken`
//! or `tokio::signal::ctrl_c()` — whose handler does not leave the loop: no
//! `break`, `return`, `?`, panic or `std::process::exit` in it (and, for a
//! `while cond` loop, no assignment that could make `cond` false). A loop that
//! checks the same token itself is honouring cancellation and is not flagged:
//! its `while` condition requires `!token.is_cancelled()` (alone or joined
//! with `&&`), or one of the first statements of its body is
//! `if token.is_cancelled() { ..; break }` (or `return`, the test alone or
//! joined with `||`) — a handler that falls through ends the loop there.
//!
//! (b) The result of awaiting a task's `JoinHandle` (bound from
//! `tokio::spawn`, `tokio::task::spawn`, `spawn_local` or `spawn_blocking`, or
//! awaited directly) is discarded: `h.await;`, `let _ = h.await;`,
//! `h.await.ok()`, `if let Ok(..) = h.await { .. }` without `else`, or a
//! `match` whose `Err(_)` arm does nothing. `?`, `.unwrap()`, `.expect(..)`
//! and arms that look at the error are fine.
//!
//! ## Why is this bad?
//! (a) The loop was told to stop and keeps going: shutdown hangs until the
//! process is killed, and every later `cancelled()` completes immediately, so
//! the loop may spin. (b) The `JoinError` is how a task's panic or
//! cancellation reaches its owner; discarding it makes a crashed task look
//! like a finished one.
//!
//! ## Example
//! ```rust,ignore
//! loop {
//!     tokio::select! {
//!         _ = token.cancelled() => { tracing::info!("stopping"); }
//!         msg = rx.recv() => handle(msg).await,
//!     }
//! }
//! let _ = worker.await;
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! loop {
//!     tokio::select! {
//!         _ = token.cancelled() => break,
//!         msg = rx.recv() => handle(msg).await,
//!     }
//! }
//! worker.await?;
//! ```

use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Expr, Pat, Stmt};

use super::helpers::{LoopExits, TASK_SPAWNS, leaves_loop, mentions};
use super::{Cx, Rule, Select};
use crate::engine::resolve;
use crate::engine::{LoopKind, LoopTest};

/// See the module docs.
pub(crate) struct SwallowedCancellation;

const JOIN_HELP: &str = "propagate it with `?`, `.unwrap()` or `.expect(..)`, or match `Err(e)` and check `e.is_panic()`";

impl Rule for SwallowedCancellation {
    fn check_select(&self, cx: &mut Cx<'_>, select: &Select) {
        let Some(&innermost) = cx.loops().last() else {
            return;
        };
        for branch in &select.branches {
            let Some(future) = &branch.future else {
                continue;
            };
            let Some(what) = cancellation_wait(cx, future) else {
                continue;
            };
            if leaves_loop(
                &branch.handler,
                LoopExits::any(innermost == LoopKind::While),
            ) || loop_checks_token(cx.loop_tests(), future)
            {
                continue;
            }
            cx.report(
                future.span(),
                format!("loop keeps running after `{what}` completes in `select!`"),
                "leave the loop in this handler with `break` or `return` so that cancellation stops it",
            );
        }
    }

    fn check_stmt(&self, cx: &mut Cx<'_>, stmt: &Stmt) {
        let awaited = match stmt {
            Stmt::Expr(expr, Some(_)) => expr,
            Stmt::Local(local) if matches!(local.pat, Pat::Wild(_)) => {
                let Some(init) = &local.init else { return };
                &init.expr
            }
            _ => return,
        };
        if is_join_await(cx, awaited) {
            report_join(cx, awaited, "is discarded");
        }
    }

    fn check_expr(&self, cx: &mut Cx<'_>, expr: &Expr) {
        match expr {
            Expr::MethodCall(call) if call.method == "ok" && is_join_await(cx, &call.receiver) => {
                report_join(cx, &call.receiver, "is turned into an `Option` by `.ok()`");
            }
            Expr::If(if_expr) if if_expr.else_branch.is_none() => {
                let Expr::Let(let_expr) = &*if_expr.cond else {
                    return;
                };
                if is_variant(&let_expr.pat, "Ok") && is_join_await(cx, &let_expr.expr) {
                    report_join(cx, &let_expr.expr, "is ignored when it is an `Err`");
                }
            }
            Expr::Match(m) if is_join_await(cx, &m.expr) => {
                let ignores_err = m.arms.iter().any(|arm| {
                    let catches_err = match &arm.pat {
                        Pat::Wild(_) => true,
                        pat => is_variant(pat, "Err") && err_binding_is_unused(pat, &arm.body),
                    };
                    catches_err && does_nothing(&arm.body)
                });
                if ignores_err {
                    report_join(cx, &m.expr, "is ignored when it is an `Err`");
                }
            }
            _ => {}
        }
    }
}

fn report_join(cx: &mut Cx<'_>, awaited: &Expr, how: &str) {
    cx.report(
        awaited.span(),
        format!("the `JoinError` of an awaited task {how}"),
        JOIN_HELP,
    );
}

/// `token.cancelled()` / `tokio::signal::ctrl_c()`: the name to show, when `future` waits for cancellation.
fn cancellation_wait(cx: &Cx<'_>, future: &Expr) -> Option<&'static str> {
    match future {
        Expr::Paren(p) => cancellation_wait(cx, &p.expr),
        Expr::Reference(r) => cancellation_wait(cx, &r.expr),
        Expr::MethodCall(call) if call.method == "cancelled" && call.args.is_empty() => {
            Some(".cancelled()")
        }
        Expr::MethodCall(call) if call.method == "cancelled_owned" && call.args.is_empty() => {
            Some(".cancelled_owned()")
        }
        Expr::Call(_) => {
            let callee = cx.callee(future)?;
            resolve::is(&callee, &["tokio", "signal", "ctrl_c"]).then_some("ctrl_c()")
        }
        _ => None,
    }
}

/// Whether the innermost loop's own tests end it once the token that
/// `future` (`token.cancelled()`) waits for is cancelled: a `while` condition
/// with `!token.is_cancelled()` as a `&&` operand, or a leading
/// `if token.is_cancelled() { break }` with it as a `||` operand.
fn loop_checks_token(tests: &[LoopTest], future: &Expr) -> bool {
    let Some(token) = cancelled_receiver(future) else {
        return false;
    };
    tests.iter().any(|test| match test {
        LoopTest::RunsWhile(cond) => {
            operands(cond, &syn::BinOp::And(syn::token::AndAnd::default()))
                .into_iter()
                .any(|operand| match strip_parens(operand) {
                    Expr::Unary(u) if matches!(u.op, syn::UnOp::Not(_)) => {
                        is_cancelled_check(&u.expr, &token)
                    }
                    _ => false,
                })
        }
        LoopTest::LeavesIf(cond) => operands(cond, &syn::BinOp::Or(syn::token::OrOr::default()))
            .into_iter()
            .any(|operand| is_cancelled_check(operand, &token)),
    })
}

/// The receiver of `token.cancelled()` / `token.clone().cancelled_owned()`,
/// as its tokens (without a trailing `.clone()`).
fn cancelled_receiver(future: &Expr) -> Option<String> {
    match future {
        Expr::Paren(p) => cancelled_receiver(&p.expr),
        Expr::Reference(r) => cancelled_receiver(&r.expr),
        Expr::MethodCall(call)
            if matches!(
                call.method.to_string().as_str(),
                "cancelled" | "cancelled_owned"
            ) =>
        {
            Some(token_key(&call.receiver))
        }
        _ => None,
    }
}

/// `token.is_cancelled()` for the given receiver tokens.
fn is_cancelled_check(expr: &Expr, token: &str) -> bool {
    match strip_parens(expr) {
        Expr::MethodCall(call) if call.method == "is_cancelled" && call.args.is_empty() => {
            token_key(&call.receiver) == token
        }
        _ => false,
    }
}

/// A receiver's tokens, with references, parentheses and a trailing `.clone()` stripped.
fn token_key(receiver: &Expr) -> String {
    match receiver {
        Expr::Paren(p) => token_key(&p.expr),
        Expr::Reference(r) => token_key(&r.expr),
        Expr::MethodCall(call) if call.method == "clone" && call.args.is_empty() => {
            token_key(&call.receiver)
        }
        _ => quote::ToTokens::to_token_stream(receiver).to_string(),
    }
}

/// The operands of a chain of the binary operator `op` (`a && b && c`), or `expr` alone.
fn operands<'e>(expr: &'e Expr, op: &syn::BinOp) -> Vec<&'e Expr> {
    match strip_parens(expr) {
        Expr::Binary(b) if std::mem::discriminant(&b.op) == std::mem::discriminant(op) => {
            let mut out = operands(&b.left, op);
            out.extend(operands(&b.right, op));
            out
        }
        other => vec![other],
    }
}

fn strip_parens(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(p) => strip_parens(&p.expr),
        _ => expr,
    }
}

/// `x.await` where `x` is a task's `JoinHandle`.
fn is_join_await(cx: &Cx<'_>, expr: &Expr) -> bool {
    let Expr::Await(awaited) = strip(expr) else {
        return false;
    };
    let base = strip(&awaited.base);
    let spawned = match base {
        Expr::Call(_) => cx.callee(base).map(std::rc::Rc::unwrap_or_clone),
        Expr::Path(p) => p
            .path
            .get_ident()
            .and_then(|i| cx.binding(&i.to_string()).cloned()),
        _ => None,
    };
    spawned.is_some_and(|c| {
        TASK_SPAWNS.iter().any(|s| resolve::is(&c, s))
            || resolve::is(&c, &["tokio", "task", "spawn_blocking"])
    })
}

fn strip(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(p) => strip(&p.expr),
        Expr::Reference(r) => strip(&r.expr),
        _ => expr,
    }
}

/// `Variant(..)` or `path::Variant(..)`.
fn is_variant(pat: &Pat, variant: &str) -> bool {
    match pat {
        Pat::TupleStruct(t) => t.path.segments.last().is_some_and(|s| s.ident == variant),
        _ => false,
    }
}

/// `Err(_)`, `Err(_e)`, or `Err(e)` where the body never mentions `e`.
fn err_binding_is_unused(pat: &Pat, body: &Expr) -> bool {
    let Pat::TupleStruct(t) = pat else {
        return false;
    };
    match t.elems.first() {
        None | Some(Pat::Wild(_)) => true,
        Some(Pat::Ident(id)) => {
            let mut finder = IdentFinder {
                name: id.ident.to_string(),
                found: false,
            };
            finder.visit_expr(body);
            !finder.found
        }
        _ => false,
    }
}

/// An arm body that does nothing: `{}`, `()`, `continue`.
fn does_nothing(body: &Expr) -> bool {
    match body {
        Expr::Block(b) => b.block.stmts.is_empty(),
        Expr::Tuple(t) => t.elems.is_empty(),
        Expr::Continue(_) => true,
        _ => false,
    }
}

struct IdentFinder {
    name: String,
    found: bool,
}

impl<'ast> Visit<'ast> for IdentFinder {
    fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
        if ident == self.name.as_str() {
            self.found = true;
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if mentions(mac.tokens.clone(), &self.name) {
            self.found = true;
        }
    }
}
