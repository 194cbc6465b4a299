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
//! current-thread runtime run on that same thread. A call reached only
//! through a helper function is not found yet (that needs function
//! summaries); nor is a call whose runtime is built in another function.
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
use crate::engine::resolve;

/// See the module docs.
pub(crate) struct BlockInPlaceCurrentThread;

const MESSAGE: &str = "`tokio::task::block_in_place` on a current-thread runtime panics";
const LOCAL_MESSAGE: &str = "`tokio::task::block_in_place` in a `LocalSet` task panics";
const HELP: &str = "use `tokio::task::spawn_blocking(..).await` instead, or run this code on a multi-thread runtime (`flavor = \"multi_thread\"`)";

impl Rule for BlockInPlaceCurrentThread {
    fn check_fn(&self, cx: &mut Cx<'_>, item: &ItemFn) {
        let Some((span, why)) = current_thread_attr(cx, item) else {
            return;
        };
        let mut calls = Calls::new(cx);
        calls.visit_block(&item.block);
        for call in calls.found {
            cx.report_with_notes(call, MESSAGE.to_owned(), HELP, [(span, why.clone())]);
        }
    }

    fn check_expr(&self, cx: &mut Cx<'_>, expr: &Expr) {
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
        for call in calls.found {
            cx.report_with_notes(call, message.to_owned(), HELP, [(span, why.clone())]);
        }
    }
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
        other => cx.callee(other),
    };
    canon.is_some_and(|c| resolve::is(&c, &["tokio", "task", "LocalSet", "new"]))
}

/// Collects the `block_in_place` calls of a body that run on its thread.
struct Calls<'c, 'f> {
    cx: &'c Cx<'f>,
    found: Vec<Span>,
}

impl<'c, 'f> Calls<'c, 'f> {
    fn new(cx: &'c Cx<'f>) -> Self {
        Calls {
            cx,
            found: Vec::new(),
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
            Expr::Call(call) => {
                if let Expr::Path(func) = &*call.func {
                    let is_block_in_place = func.qself.is_none()
                        && self
                            .cx
                            .resolve(&func.path)
                            .is_some_and(|c| resolve::is(&c, &["tokio", "task", "block_in_place"]));
                    if is_block_in_place {
                        self.found.push(call.func.span());
                    }
                }
                visit::visit_expr(self, expr);
            }
            _ => visit::visit_expr(self, expr),
        }
    }

    // Nested items are separate code.
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}
