//! Flags a `reqwest::Client` built per iteration of a loop, or per item of an iterator or stream.
//!
//! ## What it does
//! Finds `reqwest::Client::new()` and `reqwest::Client::builder()` /
//! `reqwest::ClientBuilder::new()` … `.build()` (however imported)
//! - in the body of a `for`, `while`, `while let` or `loop` — including
//!   `async` blocks in that body, which are created per iteration — when
//!   the same body also sends a request (`.send()` or `.execute(..)`);
//! - in a closure passed to a per-item combinator (`map`, `then`,
//!   `for_each`, `for_each_concurrent`, `filter_map`, `and_then`, …) that
//!   also sends a request.
//!
//! Not flagged: a client built once before the loop, in a closure that is not
//! a per-item combinator's (`CLIENT.get_or_init(|| Client::new())` runs
//! once), and loops that build
//! clients without sending anything (e.g. one client per configured region,
//! stored in a map). A client built inside an `async fn` that a loop calls
//! is not seen: that takes following calls across functions.
//!
//! ## Why is this bad?
//! A `reqwest::Client` owns a connection pool, a DNS resolver and TLS
//! configuration. Building one per request throws all of it away: every
//! request pays a new TCP (and TLS) handshake, sockets pile up in
//! `TIME_WAIT`, and loading the system's root certificates each time costs
//! milliseconds of CPU.
//!
//! ## Example
//! ```rust,ignore
//! for url in urls {
//!     let body = reqwest::Client::new().get(url).send().await?.text().await?;
//!     save(body).await?;
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! let client = reqwest::Client::new();
//! for url in urls {
//!     let body = client.get(url).send().await?.text().await?;
//!     save(body).await?;
//! }
//! ```
//! `Client` is an `Arc` inside: clone it into tasks instead of building new ones.

use proc_macro2::Span;
use quote::ToTokens;
use syn::Expr;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

use super::{Cx, Rule};
use crate::engine::resolve;

/// See the module docs.
pub(crate) struct ClientPerRequest;

/// Combinators that call their closure once per item.
const PER_ITEM: &[&str] = &[
    "map",
    "then",
    "for_each",
    "for_each_concurrent",
    "filter_map",
    "flat_map",
    "and_then",
    "try_for_each",
    "try_for_each_concurrent",
];

/// Identifiers that show a request being sent.
const SENDS: &[&str] = &["send", "execute"];

const HELP: &str =
    "build one `reqwest::Client` outside the loop and reuse it (clones share its connection pool)";

impl Rule for ClientPerRequest {
    fn check_expr(&self, cx: &mut Cx<'_>, expr: &Expr) {
        let (body, per) = match expr {
            Expr::ForLoop(f) => (f.body.to_token_stream(), "iteration of this loop"),
            Expr::While(w) => (w.body.to_token_stream(), "iteration of this loop"),
            Expr::Loop(l) => (l.body.to_token_stream(), "iteration of this loop"),
            Expr::MethodCall(call) if PER_ITEM.iter().any(|m| call.method == m) => {
                let Some(Expr::Closure(closure)) = call.args.first() else {
                    return;
                };
                (closure.body.to_token_stream(), "item")
            }
            _ => return,
        };
        if !mentions_any(body, SENDS) {
            return;
        }
        let mut finder = ClientFinder {
            cx,
            found: Vec::new(),
        };
        match expr {
            Expr::ForLoop(f) => finder.visit_block(&f.body),
            Expr::While(w) => finder.visit_block(&w.body),
            Expr::Loop(l) => finder.visit_block(&l.body),
            Expr::MethodCall(call) => {
                if let Some(Expr::Closure(closure)) = call.args.first() {
                    finder.visit_expr(&closure.body);
                }
            }
            _ => {}
        }
        let found = finder.found;
        for (span, how) in found {
            cx.report(
                span,
                format!("a new `reqwest::Client` is built with `{how}` for every {per}, so its connection pool is never reused"),
                HELP,
            );
        }
    }
}

/// Collects client constructions, not looking into nested loops or closures.
struct ClientFinder<'c, 'f> {
    cx: &'c Cx<'f>,
    found: Vec<(Span, &'static str)>,
}

impl<'ast> Visit<'ast> for ClientFinder<'_, '_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            // Closures run when called, maybe once (`OnceLock::get_or_init(|| ..)`);
            // per-item combinator closures are checked on their own.
            Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) | Expr::Closure(_) => return,
            _ => {}
        }
        if let Some(how) = client_construction(self.cx, expr) {
            self.found.push((expr.span(), how));
        }
        visit::visit_expr(self, expr);
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// `Client::new()` or `Client::builder()…build()` of reqwest: how it is built.
fn client_construction(cx: &Cx<'_>, expr: &Expr) -> Option<&'static str> {
    match expr {
        Expr::Call(_) => {
            let callee = cx.callee(expr)?;
            resolve::is(&callee, &["reqwest", "Client", "new"]).then_some("Client::new()")
        }
        Expr::MethodCall(call) if call.method == "build" && call.args.is_empty() => {
            let mut root = &*call.receiver;
            while let Expr::MethodCall(inner) = root {
                root = &inner.receiver;
            }
            let callee = cx.callee(root)?;
            if resolve::is(&callee, &["reqwest", "Client", "builder"]) {
                Some("Client::builder()…build()")
            } else if resolve::is(&callee, &["reqwest", "ClientBuilder", "new"]) {
                Some("ClientBuilder::new()…build()")
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Whether any of `names` occurs as an identifier in `tokens`.
fn mentions_any(tokens: proc_macro2::TokenStream, names: &[&str]) -> bool {
    tokens.into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(ident) => names.iter().any(|n| ident == n),
        proc_macro2::TokenTree::Group(group) => mentions_any(group.stream(), names),
        _ => false,
    })
}
