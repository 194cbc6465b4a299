//! Flags futures that are created and dropped without ever being awaited.
//!
//! ## What it does
//! Finds a future that is created and then thrown away without being
//! awaited, spawned, joined, selected, pinned, returned, stored or passed on:
//! `f();`, `let _ = f();`, `drop(f())`, and `let x = f();` when `x` is never
//! mentioned again in that block (an `_x` name counts too: binding a future
//! to `_x` still never runs it).
//!
//! A call yields a future when it calls
//! - an `async fn` of the checked code: a free function by its resolved path
//!   (across all files of the run), or a method / associated function by name
//!   when *every* method of that name in the checked code is `async` and the
//!   name is not a common std method name (`send`, `next`, `get`, …);
//! - a well-known async function: `tokio::time::{sleep, sleep_until, timeout}`,
//!   the functions of `tokio::fs`, `tokio::task::yield_now`,
//!   `tokio::signal::ctrl_c`, `tokio::fs::File::open`, `tokio::net::TcpStream::connect`, …
//!
//! An `async { .. }` block used as a statement is flagged too. This rule
//! applies in sync code as well. `tokio::spawn(..)` returns a `JoinHandle`,
//! not a future that needs polling: the task runs either way.
//!
//! ## Why is this bad?
//! Futures are lazy: nothing in an `async fn` runs until the future is
//! polled. Calling it and dropping the result silently does nothing — the
//! write is not written, the message is not sent, the sleep does not sleep.
//! rustc's `unused_must_use` warning does not fire for `let _ = f();` or when
//! the future is stored in a variable and forgotten.
//!
//! ## Example
//! ```rust,ignore
//! async fn save(state: &State) { /* … */ }
//!
//! async fn shutdown(state: &State) {
//!     let _ = save(state);
//!     tokio::time::sleep(Duration::from_millis(10));
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! async fn shutdown(state: &State) {
//!     save(state).await;
//!     tokio::time::sleep(Duration::from_millis(10)).await;
//! }
//! ```
//! or `tokio::spawn(save(state.clone()))` when it should run in the background.

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Expr, Pat, Stmt};

use super::{Cx, Rule};
use crate::engine::index::FutureSource;
use crate::engine::resolve;

/// See the module docs.
pub(crate) struct UnawaitedFuture;

/// Functions of other crates that are `async fn` (or return a future and nothing else).
const KNOWN_ASYNC: &[&[&str]] = &[
    &["tokio", "time", "sleep"],
    &["tokio", "time", "sleep_until"],
    &["tokio", "time", "timeout"],
    &["tokio", "time", "timeout_at"],
    &["tokio", "task", "yield_now"],
    &["tokio", "signal", "ctrl_c"],
    &["tokio", "fs", "File", "open"],
    &["tokio", "fs", "File", "create"],
    &["tokio", "fs", "File", "create_new"],
    &["tokio", "net", "TcpStream", "connect"],
    &["tokio", "net", "TcpListener", "bind"],
    &["tokio", "net", "UdpSocket", "bind"],
    &["tokio", "net", "UnixStream", "connect"],
];

/// The free functions of `tokio::fs`, all `async`.
const TOKIO_FS: &[&str] = &[
    "canonicalize",
    "copy",
    "create_dir",
    "create_dir_all",
    "hard_link",
    "metadata",
    "read",
    "read_dir",
    "read_link",
    "read_to_string",
    "remove_dir",
    "remove_dir_all",
    "remove_file",
    "rename",
    "set_permissions",
    "symlink",
    "symlink_metadata",
    "try_exists",
    "write",
];

/// Method names that std and common crates define as sync methods: a user
/// `async fn` of the same name is not enough to call a `.name()` call a future.
const COMMON_METHODS: &[&str] = &[
    "new",
    "default",
    "get",
    "get_mut",
    "set",
    "insert",
    "remove",
    "push",
    "pop",
    "send",
    "recv",
    "try_send",
    "try_recv",
    "next",
    "read",
    "write",
    "flush",
    "close",
    "lock",
    "clone",
    "poll",
    "wait",
    "join",
    "spawn",
    "shutdown",
    "connect",
    "accept",
    "len",
    "is_empty",
    "iter",
    "map",
    "and_then",
    "then",
    "take",
    "replace",
    "call",
    "run",
    "start",
    "stop",
    "finish",
    "build",
    "open",
    "load",
    "store",
    "update",
    "drop",
    "into",
    "from",
    "as_ref",
    "to_string",
    "unwrap",
    "expect",
    "ok",
    "err",
    "collect",
    "extend",
    "clear",
    "contains",
    "parse",
    "fmt",
    "eq",
    "cmp",
    "hash",
    "apply",
    "execute",
    "handle",
    "process",
    "reset",
    "notify",
    "acquire",
    "write_all",
    "write_fmt",
    "write_str",
    "read_exact",
    "read_to_end",
    "read_to_string",
    "read_line",
    "set_len",
    "sync_all",
    "sync_data",
    "seek",
    "truncate",
    "resize",
    "reserve",
    "retain",
    "sort",
    "dedup",
    "append",
    "drain",
    "lines",
    "split",
    "copy",
    "metadata",
    "bind",
    "listen",
    "peek",
    "send_to",
    "recv_from",
    "abort",
    "cancel",
    "tick",
    "elapsed",
    "sleep",
    "ready",
];

const HELP: &str = "`.await` it, or pass it to `tokio::spawn` to run it in the background; a future does nothing until it is polled";

/// Where a future-producing expression's future comes from.
enum Source {
    /// Certainly a future (well-known function, `async` block).
    Known,
    /// A future if the index agrees.
    Indexed(FutureSource),
}

impl Rule for UnawaitedFuture {
    fn check_stmt(&self, cx: &mut Cx<'_>, stmt: &Stmt) {
        let expr = match stmt {
            Stmt::Expr(expr, Some(_)) => dropped_argument(cx, expr).unwrap_or(expr),
            Stmt::Local(local) if is_wild(&local.pat) => {
                let Some(init) = &local.init else { return };
                &init.expr
            }
            _ => return,
        };
        let Some((source, what)) = future_source(cx, expr) else {
            return;
        };
        report(
            cx,
            source,
            expr.span(),
            format!("{what} is dropped without being awaited"),
        );
    }

    fn check_block(&self, cx: &mut Cx<'_>, block: &syn::Block) {
        for (index, stmt) in block.stmts.iter().enumerate() {
            let Stmt::Local(local) = stmt else { continue };
            let Some(init) = &local.init else { continue };
            if init.diverge.is_some() {
                continue;
            }
            let Some(name) = bound_ident(&local.pat) else {
                continue;
            };
            let Some((source, what)) = future_source(cx, &init.expr) else {
                continue;
            };
            if block.stmts[index + 1..]
                .iter()
                .any(|s| mentions(s.to_token_stream(), &name))
            {
                continue;
            }
            let message = format!("{what} is bound to `{name}` and never awaited");
            report(cx, source, init.expr.span(), message);
        }
    }
}

fn report(cx: &mut Cx<'_>, source: Source, span: proc_macro2::Span, message: String) {
    match source {
        Source::Known => cx.report(span, message, HELP),
        Source::Indexed(source) => cx.report_if_future(source, span, message, HELP),
    }
}

/// For `drop(x)` / `std::mem::drop(x)`, the `x`.
fn dropped_argument<'e>(cx: &Cx<'_>, expr: &'e Expr) -> Option<&'e Expr> {
    let Expr::Call(call) = expr else { return None };
    let callee = cx.callee(expr)?;
    let is_drop = resolve::is(&callee, &["drop"])
        || resolve::is(&callee, &["std", "mem", "drop"])
        || resolve::is(&callee, &["core", "mem", "drop"]);
    (is_drop && call.args.len() == 1).then(|| &call.args[0])
}

/// Whether `expr` creates a future, and how to name it in a message.
fn future_source(cx: &Cx<'_>, expr: &Expr) -> Option<(Source, String)> {
    match expr {
        Expr::Paren(p) => future_source(cx, &p.expr),
        Expr::Async(_) => Some((Source::Known, "`async` block".to_owned())),
        Expr::Call(call) => {
            let Expr::Path(func) = &*call.func else {
                return None;
            };
            let written = path_text(&func.path);
            let what = format!("future returned by `{written}`");
            let canon = cx.callee(expr)?;
            if KNOWN_ASYNC.iter().any(|k| resolve::is(&canon, k))
                || (canon.len() == 3
                    && canon[..2] == ["tokio", "fs"]
                    && TOKIO_FS.contains(&canon[2].as_str()))
            {
                return Some((Source::Known, what));
            }
            // `Type::assoc(..)` / `Self::assoc(..)`: an associated function, matched by name.
            let (name, ty) = canon.split_last()?;
            if ty.last().is_some_and(|t| t.starts_with(char::is_uppercase)) {
                return (!COMMON_METHODS.contains(&name.as_str()))
                    .then(|| (Source::Indexed(FutureSource::Method(name.clone())), what));
            }
            let key = cx.free_fn_key(&canon)?;
            Some((Source::Indexed(FutureSource::Free(key)), what))
        }
        Expr::MethodCall(call) => {
            let name = call.method.to_string();
            if COMMON_METHODS.contains(&name.as_str()) {
                return None;
            }
            let what = format!("future returned by `.{name}()`");
            Some((Source::Indexed(FutureSource::Method(name)), what))
        }
        _ => None,
    }
}

fn path_text(path: &syn::Path) -> String {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    segments.join("::")
}

fn is_wild(pat: &Pat) -> bool {
    match pat {
        Pat::Wild(_) => true,
        Pat::Type(t) => is_wild(&t.pat),
        _ => false,
    }
}

fn bound_ident(pat: &Pat) -> Option<String> {
    match pat {
        Pat::Ident(p) if p.subpat.is_none() => Some(p.ident.to_string()),
        Pat::Type(t) => bound_ident(&t.pat),
        _ => None,
    }
}

/// Whether the identifier `name` occurs anywhere in `tokens` (macro bodies included).
fn mentions(tokens: proc_macro2::TokenStream, name: &str) -> bool {
    tokens.into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(ident) => ident == name,
        proc_macro2::TokenTree::Group(group) => mentions(group.stream(), name),
        _ => false,
    })
}
