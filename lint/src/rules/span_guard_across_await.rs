//! Flags a `tracing` span guard bound with `let` that is still alive at a later `.await`.
//!
//! ## What it does
//! In the body of an `async fn`, `async` block or `async` closure, finds
//! `let guard = <span>.enter();` or `let guard = <span>.entered();` where
//! `<span>` is known to be a `tracing` span:
//! - a span macro: `span!`, `trace_span!`, `debug_span!`, `info_span!`,
//!   `warn_span!` or `error_span!` (written bare or as `tracing::…!`);
//! - `Span::current()` or `Span::none()` with `Span` resolving to `tracing::Span`;
//! - a variable bound in the same function by one of those (`let span = info_span!(..);`);
//! - a variable or field named `span` or ending in `_span` in a scope where
//!   `Span` is imported from `tracing`.
//!
//! and reports it when a later statement of the same block `.await`s (or runs
//! a `select!` / `join!`) while the guard is alive. The finding is at the
//! `let`, with a note at the first such `.await`. The guard counts as released
//! once it is passed to `drop(..)`, moved, shadowed, or exited with
//! `guard.exit()` (for an `EnteredSpan`). Other types have an `enter()` too —
//! tokio's `Runtime::enter` and `Handle::enter` return a runtime context
//! guard — so a receiver not known to be a span is left alone.
//!
//! ## Why is this bad?
//! `Span::enter` (and `Span::entered`, which returns the owned `EnteredSpan`)
//! marks the span as the current one *of the thread* until the guard is
//! dropped. When the task is suspended at an `.await` the guard stays alive,
//! so the span stays entered on that thread while the executor runs other
//! tasks there: their events and spans are recorded inside this span, and
//! when the task resumes on another thread its own events miss it. tracing's
//! documentation of `Span::enter` warns that holding its guard across an
//! `.await` gives wrong traces and points to `Instrument` instead.
//!
//! ## Example
//! ```rust,ignore
//! async fn handle(request: Request) -> Response {
//!     let span = tracing::info_span!("handle", id = request.id);
//!     let _enter = span.enter();
//!     let user = load_user(&request).await;
//!     render(user)
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! use tracing::Instrument;
//!
//! async fn handle(request: Request) -> Response {
//!     let span = tracing::info_span!("handle", id = request.id);
//!     async move {
//!         let user = load_user(&request).await;
//!         render(user)
//!     }
//!     .instrument(span)
//!     .await
//! }
//! ```
//! `#[tracing::instrument]` on the function does the same; for synchronous
//! work inside the span, `span.in_scope(|| ..)` exits it before the next `.await`.

use syn::spanned::Spanned;
use syn::{Expr, Local, Stmt};

use super::helpers::{bound_name, first_await_while_held};
use super::{Cx, Rule};
use crate::engine::resolve;

/// See the module docs.
pub(crate) struct SpanGuardAcrossAwait;

const HELP: &str = "instrument the future with the span instead (`.instrument(span)` from `tracing::Instrument`, or `#[tracing::instrument]`), or use `span.in_scope(|| ..)` for the synchronous part";

/// The macros of `tracing` that build a span.
const SPAN_MACROS: &[&str] = &[
    "span",
    "trace_span",
    "debug_span",
    "info_span",
    "warn_span",
    "error_span",
];

impl Rule for SpanGuardAcrossAwait {
    fn check_block(&self, cx: &mut Cx<'_>, block: &syn::Block) {
        if !cx.is_async() {
            return;
        }
        for (index, stmt) in block.stmts.iter().enumerate() {
            let Stmt::Local(local) = stmt else { continue };
            let Some((name, method)) = span_guard(cx, local, &block.stmts[..index]) else {
                continue;
            };
            let Some(suspension) =
                first_await_while_held(&block.stmts[index + 1..], &name, &["exit"])
            else {
                continue;
            };
            cx.report_with_notes(
                local.span(),
                format!(
                    "`{name}` keeps a `tracing` span entered (`.{method}()`) across an `.await`"
                ),
                HELP,
                [(
                    suspension.span,
                    format!("the span is still entered at this `{}`", suspension.what),
                )],
            );
        }
    }
}

/// For `let name = <span>.enter();` / `.entered()`: the name and the method.
fn span_guard(cx: &Cx<'_>, local: &Local, earlier: &[Stmt]) -> Option<(String, &'static str)> {
    let name = bound_name(&local.pat)?;
    let init = local.init.as_ref()?;
    if init.diverge.is_some() {
        return None;
    }
    let Expr::MethodCall(call) = &*init.expr else {
        return None;
    };
    if !call.args.is_empty() {
        return None;
    }
    let method = ["enter", "entered"]
        .into_iter()
        .find(|m| call.method == m)?;
    is_span(cx, &call.receiver, earlier).then_some((name, method))
}

/// Whether `expr` is known to be a `tracing::Span` (see the module docs).
fn is_span(cx: &Cx<'_>, expr: &Expr, earlier: &[Stmt]) -> bool {
    match expr {
        Expr::Macro(m) => is_span_macro(cx, &m.mac.path),
        Expr::Call(_) => cx.callee(expr).is_some_and(|callee| {
            resolve::is(&callee, &["tracing", "Span", "current"])
                || resolve::is(&callee, &["tracing", "Span", "none"])
        }),
        Expr::Field(f) => match &f.member {
            syn::Member::Named(field) => {
                span_like_name(&field.to_string()) && span_type_imported(cx)
            }
            syn::Member::Unnamed(_) => false,
        },
        Expr::Reference(r) => is_span(cx, &r.expr, earlier),
        Expr::Paren(p) => is_span(cx, &p.expr, earlier),
        Expr::Path(p) => {
            let Some(ident) = p.path.get_ident() else {
                return false;
            };
            let name = ident.to_string();
            let local_init = earlier.iter().rev().find_map(|stmt| match stmt {
                Stmt::Local(local) if bound_name(&local.pat).as_deref() == Some(&name) => {
                    Some(local.init.as_ref().map(|i| &*i.expr))
                }
                _ => None,
            });
            let by_name = || span_like_name(&name) && span_type_imported(cx);
            match local_init {
                // Bound in this block: by what?
                Some(Some(init)) => is_span(cx, init, &[]) || by_name(),
                Some(None) => by_name(),
                None => {
                    let bound_by_call = cx.binding(&name).is_some_and(|canon| {
                        resolve::is(canon, &["tracing", "Span", "current"])
                            || resolve::is(canon, &["tracing", "Span", "none"])
                    });
                    bound_by_call || by_name()
                }
            }
        }
        _ => false,
    }
}

/// `span`, or a name ending in `_span`.
fn span_like_name(name: &str) -> bool {
    name == "span" || name.ends_with("_span")
}

/// Whether a macro path is one of `tracing`'s span macros, bare or qualified.
fn is_span_macro(cx: &Cx<'_>, path: &syn::Path) -> bool {
    let Some(last) = path.segments.last() else {
        return false;
    };
    let last = last.ident.to_string();
    if !SPAN_MACROS.contains(&last.as_str()) {
        return false;
    }
    match cx.resolve(path) {
        Some(canon) => {
            resolve::is(&canon, &["tracing", &last]) || (canon.len() == 1 && last != "span")
        }
        None => false,
    }
}

/// Whether `Span` resolves to `tracing::Span` here.
fn span_type_imported(cx: &Cx<'_>) -> bool {
    let ident = syn::Ident::new("Span", proc_macro2::Span::call_site());
    cx.resolve(&syn::Path::from(ident))
        .is_some_and(|canon| resolve::is(&canon, &["tracing", "Span"]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_guard_exited_before_the_await_is_not_reported() {
        let src = "use tracing::info_span;\nasync fn f() {\n    let g = info_span!(\"x\").entered();\n    let span = g.exit();\n    tick().await;\n    drop(span);\n}\n";
        let report = crate::Linter::new()
            .select(&["span_guard_across_await"])
            .unwrap()
            .check_source("src/f.rs", src);
        assert!(report.findings().is_empty(), "{:?}", report.findings());
    }
}
