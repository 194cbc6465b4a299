//! Flags a `reqwest::Client` built per iteration of a loop or per item of an iterator or stream, directly or by calling an `async fn` that builds one.
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
//! It also finds, in those same places, a call (awaited or not) of an
//! `async fn` of the checked code that builds a client itself: one whose
//! body — outside closures, `async` blocks included — builds a client as above
//! and calls `.send()` or `.execute(..)`. The function may be defined in any
//! file of the run. Calls are matched by path, as `unawaited_future` matches
//! them: a free function through `use`s and aliases, `Type::f`/`Self::f`,
//! `self.f()` inside an `impl`, `x.f()` on a parameter declared with a crate
//! type or trait; a method on a receiver of unknown type is not matched by
//! name. Every definition the call may refer to must be such an `async fn`.
//! The finding is at the call inside the loop and names the function.
//!
//! Not flagged: a client built once before the loop, in a closure that is not
//! a per-item combinator's (`CLIENT.get_or_init(|| Client::new())` runs
//! once), and loops that build
//! clients without sending anything (e.g. one client per configured region,
//! stored in a map); likewise a function that is called only outside loops,
//! that takes its client as a parameter, that builds a client without
//! sending, or that is not `async` (calls are followed one level deep only).
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
//!
//! async fn fetch(url: &str) -> reqwest::Result<String> {
//!     reqwest::Client::new().get(url).send().await?.text().await
//! }
//! for url in urls {
//!     save(fetch(&url).await?).await?;
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
//!
//! async fn fetch(client: &reqwest::Client, url: &str) -> reqwest::Result<String> {
//!     client.get(url).send().await?.text().await
//! }
//! for url in urls {
//!     save(fetch(&client, &url).await?).await?;
//! }
//! ```
//! `Client` is an `Arc` inside: clone it into tasks instead of building new ones.

use proc_macro2::Span;
use quote::ToTokens;
use syn::Expr;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

use super::helpers::mentions_any;
use super::{Cx, Rule};
use crate::engine::index::{Fact, FutureSource, RuleFact};
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

/// A function whose body builds a `reqwest::Client` (outside closures).
const BUILDS_CLIENT: RuleFact = RuleFact::new("client_per_request::builds_client");

/// A function whose body calls a method named `send` or `execute` (outside closures).
const SENDS_REQUEST: RuleFact = RuleFact::new("client_per_request::sends_request");

/// What a called function must be for its call in a loop to be flagged.
const BUILDS_PER_CALL: &[Fact] = &[
    Fact::Async,
    Fact::Rule(BUILDS_CLIENT),
    Fact::Rule(SENDS_REQUEST),
];

const HELP: &str =
    "build one `reqwest::Client` outside the loop and reuse it (clones share its connection pool)";

const HELP_CALL: &str = "build one `reqwest::Client` outside the loop and pass it in as an argument (clones share its connection pool)";

/// Code that runs once per iteration or item.
enum PerItem<'a> {
    Block(&'a syn::Block),
    Closure(&'a Expr),
}

impl Rule for ClientPerRequest {
    fn check_expr(&self, cx: &mut Cx<'_>, expr: &Expr) {
        record_facts(cx, expr);
        let (body, per) = match expr {
            Expr::ForLoop(f) => (PerItem::Block(&f.body), "iteration of this loop"),
            Expr::While(w) => (PerItem::Block(&w.body), "iteration of this loop"),
            Expr::Loop(l) => (PerItem::Block(&l.body), "iteration of this loop"),
            Expr::MethodCall(call) if PER_ITEM.iter().any(|m| call.method == m) => {
                let Some(closure) = call.args.iter().find_map(|arg| match arg {
                    Expr::Closure(closure) => Some(&*closure.body),
                    _ => None,
                }) else {
                    return;
                };
                (PerItem::Closure(closure), "item")
            }
            _ => return,
        };
        let mut finder = Finder {
            cx,
            built: Vec::new(),
            calls: Vec::new(),
        };
        let sends = match body {
            PerItem::Block(block) => {
                finder.visit_block(block);
                mentions_any(block.to_token_stream(), SENDS)
            }
            PerItem::Closure(closure) => {
                finder.visit_expr(closure);
                mentions_any(closure.to_token_stream(), SENDS)
            }
        };
        let Finder { built, calls, .. } = finder;
        if sends {
            for (span, how) in built {
                cx.report(
                    span,
                    format!("a new `reqwest::Client` is built with `{how}` for every {per}, so its connection pool is never reused"),
                    HELP,
                );
            }
        }
        for (span, callee, what) in calls {
            cx.report_if(
                &callee,
                BUILDS_PER_CALL,
                span,
                format!("{what} builds a new `reqwest::Client` on every call, and it is called for every {per}, so no connection is ever reused"),
                HELP_CALL,
            );
        }
    }
}

/// Records what a function's body does, for calls of it in loops (here or in other files).
fn record_facts(cx: &mut Cx<'_>, expr: &Expr) {
    if let Expr::MethodCall(call) = expr {
        if SENDS.iter().any(|m| call.method == m) {
            cx.record_fact(SENDS_REQUEST);
            return;
        }
    }
    if client_construction(cx, expr).is_some() {
        cx.record_fact(BUILDS_CLIENT);
    }
}

/// Collects client constructions and calls of the checked code's functions,
/// not looking into nested loops or closures.
struct Finder<'c, 'f> {
    cx: &'c Cx<'f>,
    built: Vec<(Span, &'static str)>,
    /// Each call: where, what it calls, and how to name that in a message.
    calls: Vec<(Span, FutureSource, String)>,
}

impl<'ast> Visit<'ast> for Finder<'_, '_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            // Closures run when called, maybe once (`OnceLock::get_or_init(|| ..)`);
            // per-item combinator closures are checked on their own.
            Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) | Expr::Closure(_) => return,
            _ => {}
        }
        if let Some(how) = client_construction(self.cx, expr) {
            self.built.push((expr.span(), how));
        } else if let Some((callee, what)) = indexed_callee(self.cx, expr) {
            self.calls.push((expr.span(), callee, what));
        }
        visit::visit_expr(self, expr);
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// For a call of a function the index may know: what it calls, and how to name that.
fn indexed_callee(cx: &Cx<'_>, expr: &Expr) -> Option<(FutureSource, String)> {
    let (callee, written) = cx.call_target(expr)?;
    let what = match expr {
        Expr::MethodCall(call) => format!("async method `{}`", call.method),
        // `Type::assoc(..)` / `Self::assoc(..)`: named as written.
        _ if written
            .rsplit("::")
            .nth(1)
            .is_some_and(|t| t.starts_with(char::is_uppercase)) =>
        {
            format!("async fn `{written}`")
        }
        _ => {
            let canon = cx.callee(expr)?;
            format!("async fn `{}`", canon[1..].join("::"))
        }
    };
    Some((callee, what))
}

/// `Client::new()` or `Client::builder()…build()` of reqwest: how it is built.
fn client_construction(cx: &Cx<'_>, expr: &Expr) -> Option<&'static str> {
    match expr {
        Expr::Call(call) => {
            // Cheap shape check first: this runs at every call of every function.
            let Expr::Path(func) = &*call.func else {
                return None;
            };
            if func.path.segments.last()?.ident != "new" {
                return None;
            }
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
