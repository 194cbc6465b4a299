//! Flags `tokio::task::block_in_place` called where it runs on a current-thread runtime or a `LocalSet`, where tokio panics.
//!
//! ## What it does
//! Finds calls of `tokio::task::block_in_place` (however imported) that run
//! - in the body of a function marked `#[tokio::test]` or `#[asyncheck::test]`
//!   without `flavor = "multi_thread"` (their default runtime is a
//!   current-thread one), or `#[tokio::main(flavor = "current_thread")]`;
//! - in an `async` block passed to `rt.block_on(..)` where `rt` was built in
//!   the same function from `tokio::runtime::Builder::new_current_thread()`
//!   (bound with `let`, or the chain itself);
//! - in an `async` block passed to `LocalSet::run_until`, `LocalSet::block_on`
//!   or `spawn_local` (`tokio::task::spawn_local`, or `.spawn_local(..)` on a
//!   `LocalSet`), on any runtime.
//!
//! Inside those bodies, code in sync closures (which may run on another
//! thread, via `spawn_blocking` or `std::thread::spawn`) and in nested `fn`
//! items is not counted; `async` blocks are, as tasks spawned from a
//! current-thread runtime run on that same thread. A call whose runtime is
//! built in another function is not found.
//!
//! Through the crate's own helpers, in any file of the run: a call in such a
//! body of a sync or `async` fn of the crate whose body calls
//! `block_in_place` — directly, or through the crate functions it calls
//! (awaited or not, outside closures) — is reported at the call, naming the
//! helper, with a note per hop (`` `load` calls `tokio::task::block_in_place` here ``).
//! A helper that is only called from multi-thread bodies is never reported.
//!
//! ## Why is this bad?
//! `block_in_place` tells a multi-thread runtime's worker to hand its other
//! tasks to a new worker before the closure blocks the thread. A
//! current-thread runtime has no other worker to hand them to, and a
//! `LocalSet`'s tasks cannot move to another thread, so tokio documents that
//! it cannot be used there: it panics with "can call blocking only when
//! running on the multi-threaded runtime". A plain `#[tokio::test]` is the
//! usual way to hit this: the code works under `#[tokio::main]` (multi-thread
//! by default) and panics in its tests.
//!
//! ## Example
//! ```rust,ignore
//! #[tokio::test]
//! async fn imports_the_archive() {
//!     let rows = tokio::task::block_in_place(|| parse_archive("fixtures/a.tar"));
//!     assert_eq!(rows.len(), 3);
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! #[tokio::test]
//! async fn imports_the_archive() {
//!     let rows = tokio::task::spawn_blocking(|| parse_archive("fixtures/a.tar"))
//!         .await
//!         .unwrap();
//!     assert_eq!(rows.len(), 3);
//! }
//! ```
//! or `#[tokio::test(flavor = "multi_thread")]` when the code under test must
//! call `block_in_place` itself.

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, ItemFn};

use super::{Cx, Rule};
use crate::engine::index::FutureSource;
use crate::engine::macros::MacroBody;
use crate::engine::resolve;
use crate::engine::summary::Effect;

/// See the module docs.
pub(crate) struct BlockInPlaceCurrentThread;

const MESSAGE: &str = "`tokio::task::block_in_place` on a current-thread runtime panics";
const LOCAL_MESSAGE: &str = "`tokio::task::block_in_place` in a `LocalSet` task panics";
const HELP: &str = "use `tokio::task::spawn_blocking(..).await` instead, or run this code on a multi-thread runtime (`flavor = \"multi_thread\"`)";
/// How messages and notes name the operation.
const OPERATION: &str = "`tokio::task::block_in_place`";

impl Rule for BlockInPlaceCurrentThread {
    fn check_fn(&self, cx: &mut Cx<'_>, item: &ItemFn) {
        let Some((span, why)) = current_thread_attr(cx, item) else {
            return;
        };
        let mut calls = Calls::new(cx);
        calls.visit_block(&item.block);
        let Calls { found, helpers, .. } = calls;
        for call in found {
            cx.report_with_notes(call, MESSAGE.to_owned(), HELP, [(span, why.clone())]);
        }
        report_helpers(
            cx,
            helpers,
            "panics on a current-thread runtime",
            (span, &why),
        );
    }

    fn check_expr(&self, cx: &mut Cx<'_>, expr: &Expr) {
        if let Some(call) = block_in_place_call(cx, expr) {
            cx.record_effect(Effect::BlocksInPlace, call, HELP, OPERATION);
        }
        let Some((body, span, why)) = single_threaded_body(cx, expr) else {
            return;
        };
        let message = if why.contains("LocalSet") {
            LOCAL_MESSAGE
        } else {
            MESSAGE
        };
        let mut calls = Calls::new(cx);
        calls.visit_expr_async(body);
        let Calls { found, helpers, .. } = calls;
        for call in found {
            cx.report_with_notes(call, message.to_owned(), HELP, [(span, why.clone())]);
        }
        let panics = if message == LOCAL_MESSAGE {
            "panics in a `LocalSet` task"
        } else {
            "panics on a current-thread runtime"
        };
        report_helpers(cx, helpers, panics, (span, &why));
    }
}

/// Reports the calls of crate functions that block in place, found in a
/// single-threaded body, once every file is summarised; `runtime` is the
/// note saying why the body runs on one thread.
fn report_helpers(cx: &mut Cx<'_>, helpers: Vec<Helper>, panics: &str, runtime: (Span, &String)) {
    for helper in helpers {
        let Helper {
            span,
            callee,
            written,
            is_method,
        } = helper;
        cx.report_through_with_notes(
            &callee,
            Effect::BlocksInPlace,
            span,
            |chain| {
                // A path call is named as written (`util::load`), a method call by its definition (`Store::flush`).
                let name = match chain.hops.first() {
                    Some((def, _, _)) if is_method => def.as_str(),
                    _ => written.as_str(),
                };
                format!("`{name}` calls {OPERATION}, which {panics}")
            },
            HELP,
            [(runtime.0, runtime.1.clone())],
        );
    }
}

/// The span of the callee of a direct `tokio::task::block_in_place(..)` call (however imported).
fn block_in_place_call(cx: &Cx<'_>, expr: &Expr) -> Option<Span> {
    let Expr::Call(call) = expr else { return None };
    let callee = cx.callee(expr)?;
    resolve::is(&callee, &["tokio", "task", "block_in_place"]).then(|| call.func.span())
}

/// For a function whose attribute runs it on a current-thread runtime: the
/// attribute's span and a note saying so.
fn current_thread_attr(cx: &Cx<'_>, item: &ItemFn) -> Option<(Span, String)> {
    item.sig.asyncness.as_ref()?;
    item.attrs.iter().find_map(|attr| {
        let canon = cx.resolve(attr.path())?;
        let name = canon.join("::");
        let is_test = matches!(name.as_str(), "tokio::test" | "asyncheck::test");
        let is_main = name == "tokio::main";
        if !is_test && !is_main {
            return None;
        }
        let flavor = match &attr.meta {
            syn::Meta::Path(_) => None,
            syn::Meta::List(list) => {
                let args = list
                    .parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
                    .ok()?;
                args.iter().find_map(|meta| match meta {
                    syn::Meta::NameValue(nv) if nv.path.is_ident("flavor") => match &nv.value {
                        Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(s),
                            ..
                        }) => Some(s.value()),
                        _ => Some(String::new()),
                    },
                    _ => None,
                })
            }
            syn::Meta::NameValue(_) => return None,
        };
        let current = match flavor.as_deref() {
            None => is_test,
            Some("current_thread") => true,
            Some(_) => false,
        };
        current.then(|| {
            let why = if flavor.is_some() {
                format!("`#[{name}(flavor = \"current_thread\")]` runs this function on a current-thread runtime")
            } else {
                format!("`#[{name}]` runs this function on a current-thread runtime (add `flavor = \"multi_thread\"`)")
            };
            (attr.span(), why)
        })
    })
}

/// For `rt.block_on(async { .. })` on a current-thread runtime built in this
/// function, `local.run_until(async { .. })` and `spawn_local(async { .. })`:
/// the `async` block, the span to point at and why it runs on one thread.
fn single_threaded_body<'e>(
    cx: &Cx<'_>,
    expr: &'e Expr,
) -> Option<(&'e syn::ExprAsync, Span, String)> {
    match expr {
        Expr::MethodCall(call) if call.args.len() == 1 => {
            let Expr::Async(body) = &call.args[0] else {
                return None;
            };
            let method = call.method.to_string();
            let why = match method.as_str() {
                "block_on" if is_current_thread_runtime(cx, &call.receiver) => {
                    "this runtime is built with `Builder::new_current_thread()`"
                }
                "run_until" | "block_on" | "spawn_local" if is_local_set(cx, &call.receiver) => {
                    "the tasks of a `LocalSet` run on one thread"
                }
                _ => return None,
            };
            Some((body, call.method.span(), why.to_owned()))
        }
        Expr::Call(call) if call.args.len() == 1 => {
            let callee = cx.callee(expr)?;
            if !resolve::is(&callee, &["tokio", "task", "spawn_local"]) {
                return None;
            }
            let Expr::Async(body) = &call.args[0] else {
                return None;
            };
            Some((
                body,
                call.func.span(),
                "`spawn_local` runs the task on a `LocalSet`, on one thread".to_owned(),
            ))
        }
        _ => None,
    }
}

/// A runtime built from `Builder::new_current_thread()`: the chain itself, or
/// a variable bound to it.
fn is_current_thread_runtime(cx: &Cx<'_>, receiver: &Expr) -> bool {
    let root = match receiver {
        Expr::Path(p) => p
            .path
            .get_ident()
            .and_then(|ident| cx.binding_root(&ident.to_string()).cloned()),
        other => cx.chain_root(other),
    };
    root.is_some_and(|root| {
        resolve::is(
            &root,
            &["tokio", "runtime", "Builder", "new_current_thread"],
        )
    })
}

/// A `LocalSet::new()` call, or a variable bound to one (directly or by reference).
fn is_local_set(cx: &Cx<'_>, receiver: &Expr) -> bool {
    let receiver = match receiver {
        Expr::Reference(r) => &*r.expr,
        other => other,
    };
    let canon = match receiver {
        Expr::Path(p) => p
            .path
            .get_ident()
            .and_then(|ident| cx.binding(&ident.to_string()).cloned()),
        other => cx.callee(other).map(std::rc::Rc::unwrap_or_clone),
    };
    canon.is_some_and(|c| resolve::is(&c, &["tokio", "task", "LocalSet", "new"]))
}

/// Collects the `block_in_place` calls of a body that run on its thread, and
/// its calls of the crate's functions (which may call it).
struct Calls<'c, 'f> {
    cx: &'c Cx<'f>,
    found: Vec<Span>,
    helpers: Vec<Helper>,
}

/// A call of a crate function in a single-threaded body.
struct Helper {
    /// The call (a method call from its name).
    span: Span,
    callee: FutureSource,
    /// How the call names it (`load`, `util::load`, `.flush()`).
    written: String,
    is_method: bool,
}

impl<'c, 'f> Calls<'c, 'f> {
    fn new(cx: &'c Cx<'f>) -> Self {
        Calls {
            cx,
            found: Vec::new(),
            helpers: Vec::new(),
        }
    }
}

impl<'ast> Visit<'ast> for Calls<'_, '_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            // A sync closure may run on another thread; an async one is a future like any other.
            Expr::Closure(c) if c.asyncness.is_none() => {}
            // Reported where it is, with its own reason.
            _ if single_threaded_body(self.cx, expr).is_some() => {}
            Expr::Call(_) | Expr::MethodCall(_) => {
                if let Some(span) = block_in_place_call(self.cx, expr) {
                    self.found.push(span);
                } else if let Some((callee, written)) = self.cx.call_target(expr) {
                    let (span, is_method) = match expr {
                        Expr::MethodCall(call) => (
                            call.method
                                .span()
                                .join(call.paren_token.span.close())
                                .unwrap_or_else(|| call.method.span()),
                            true,
                        ),
                        _ => (expr.span(), false),
                    };
                    self.helpers.push(Helper {
                        span,
                        callee,
                        written,
                        is_method,
                    });
                }
                visit::visit_expr(self, expr);
            }
            _ => visit::visit_expr(self, expr),
        }
    }

    // The arguments of the macros the engine parses (`assert_eq!`, `select!`, …).
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        match &*self.cx.macro_body(mac) {
            Some(MacroBody::Exprs(exprs)) => exprs.iter().for_each(|e| self.visit_expr(e)),
            Some(MacroBody::Stmts(stmts)) => stmts.iter().for_each(|s| self.visit_stmt(s)),
            Some(MacroBody::Select(select)) => {
                for branch in &select.branches {
                    branch.future.iter().for_each(|e| self.visit_expr(e));
                    branch.guard.iter().for_each(|e| self.visit_expr(e));
                    self.visit_expr(&branch.handler);
                }
            }
            // An unknown macro's statements; a `stream!` body is an async block, a future like any other.
            Some(MacroBody::Block(block) | MacroBody::Stream(block)) => self.visit_block(block),
            None => {}
        }
    }

    // Nested items are separate code.
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}
