//! Flags network waits with no deadline: a `reqwest::Client` built without a timeout, and a TCP or Unix connect awaited with no timeout around it (a heuristic).
//!
//! ## What it does
//! Finds
//! - `reqwest::Client::new()` and `reqwest::Client::default()`;
//! - a `reqwest::Client::builder()` (or `reqwest::ClientBuilder::new()`)
//!   chain ending in `.build()` with none of `.timeout(..)`,
//!   `.connect_timeout(..)` or `.read_timeout(..)` in it. A builder kept in a
//!   variable and configured over several statements is not followed;
//! - `tokio::net::TcpStream::connect(..).await` and
//!   `tokio::net::UnixStream::connect(..).await` written directly in the body
//!   of an async `main` run by a runtime attribute (`#[tokio::main]`), outside
//!   closures and `async` blocks. A connect that is not itself `.await`ed —
//!   passed to `tokio::time::timeout(..)`/`timeout_at(..)`, or the future of a
//!   `select!` branch racing a `sleep` — is not flagged.
//!
//! This is a heuristic, hence pedantic, and it stays silent wherever a
//! deadline may come from code it cannot see. A connect in any other `async
//! fn` is not flagged: that function has callers, and libraries commonly wrap
//! their whole connect helper in a `timeout` at the call site (async-nats'
//! connector and rumqttc's event loop do). Nor is one in an `async` block,
//! which may be the future a `timeout` wraps. A default client whose requests
//! set their own deadline is not flagged either: the method chain it starts
//! calls `.timeout(..)` (`Client::new().get(url).timeout(d)`), or it is bound
//! by a `let` and every later use of the binding in that block is a request
//! chain that calls `.timeout(..)` (a binding passed on or named in a macro is
//! a use the rule cannot read, so the client is flagged).
//! Test and example code is skipped: functions marked `#[test]` or
//! `#[..::test]`, items under `#[cfg(test)]`, and files under `tests/`,
//! `benches/` or `examples/` or whose name starts with `test` (a test usually
//! connects to a listener it has just bound, which cannot hang).
//! `reqwest::blocking::Client` is not flagged: its default timeout is 30
//! seconds.
//!
//! ## Why is this bad?
//! Guides on async services say to put a deadline on everything that waits
//! on the network. reqwest's `ClientBuilder` starts with no total timeout, no
//! read timeout and no connect timeout (`Client::new()` is
//! `ClientBuilder::new().build()`), so a server that accepts the connection
//! and never answers keeps the request — and the task awaiting it, and
//! whatever that task holds — waiting forever. tokio's `TcpStream::connect`
//! has no deadline of its own either: it waits as long as the operating
//! system keeps retrying, which can be minutes for an address that drops
//! packets.
//!
//! ## Example
//! ```rust,ignore
//! let client = reqwest::Client::new();
//! let stream = tokio::net::TcpStream::connect(addr).await?;
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! let client = reqwest::Client::builder()
//!     .connect_timeout(Duration::from_secs(5))
//!     .timeout(Duration::from_secs(30))
//!     .build()?;
//! let stream = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr)).await??;
//! ```

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, ItemFn};

use super::{Cx, Rule};
use crate::engine::resolve;
use crate::rules::helpers::bound_name;

/// See the module docs.
pub(crate) struct MissingTimeout;

/// The builder methods that bound how long a reqwest request may wait.
const TIMEOUT_METHODS: &[&str] = &["timeout", "connect_timeout", "read_timeout"];

/// The constructors of a client with reqwest's defaults: no timeout at all.
const DEFAULT_CLIENTS: &[&[&str]] = &[
    &["reqwest", "Client", "new"],
    &["reqwest", "Client", "default"],
];

/// The roots of a builder chain, as resolved.
const BUILDERS: &[&[&str]] = &[
    &["reqwest", "Client", "builder"],
    &["reqwest", "ClientBuilder", "new"],
];

/// Connects that wait as long as the operating system does.
const CONNECTS: &[&[&str]] = &[
    &["tokio", "net", "TcpStream", "connect"],
    &["tokio", "net", "UnixStream", "connect"],
];

impl Rule for MissingTimeout {
    fn check_expr(&self, cx: &mut Cx<'_>, expr: &Expr) {
        match expr {
            // In a body, `check_block` sees the client with its requests.
            Expr::Call(_) if cx.body().is_none() => check_default_client(cx, expr),
            Expr::MethodCall(call) if call.method == "build" && call.args.is_empty() => {
                check_builder(cx, expr, &call.receiver);
            }
            _ => {}
        }
    }

    fn check_block(&self, cx: &mut Cx<'_>, block: &syn::Block) {
        for (index, stmt) in block.stmts.iter().enumerate() {
            let mut clients = DefaultClients {
                cx,
                found: Vec::new(),
            };
            clients.visit_stmt(stmt);
            for (call, sets_timeout) in clients.found {
                let bound = match stmt {
                    syn::Stmt::Local(local) => local
                        .init
                        .as_ref()
                        .filter(|init| std::ptr::eq(peel_parens(&init.expr), call))
                        .and_then(|_| bound_name(&local.pat)),
                    _ => None,
                };
                let every_request_sets_timeout = bound.is_some_and(|name| {
                    let mut uses = Uses::new(&name);
                    block.stmts[index + 1..]
                        .iter()
                        .for_each(|s| uses.visit_stmt(s));
                    uses.all > 0 && uses.all == uses.with_timeout
                });
                if !sets_timeout && !every_request_sets_timeout {
                    check_default_client(cx, call);
                }
            }
        }
    }

    fn check_fn(&self, cx: &mut Cx<'_>, item: &ItemFn) {
        if item.sig.ident != "main" || item.sig.asyncness.is_none() {
            return;
        }
        let runs_on_runtime = item.attrs.iter().any(|a| {
            a.path()
                .segments
                .last()
                .is_some_and(|segment| segment.ident == "main")
        });
        if !runs_on_runtime || cx.in_test_or_example_code() {
            return;
        }
        let mut connects = Connects {
            cx,
            found: Vec::new(),
        };
        connects.visit_block(&item.block);
        for (span, ty) in connects.found {
            cx.report(
                span,
                format!("`{ty}::connect(..).await` with no timeout"),
                format!(
                    "wrap it: `tokio::time::timeout(duration, {ty}::connect(..)).await`, or race it against a `sleep` in `select!`"
                ),
            );
        }
    }
}

/// The connects awaited directly in a body: not in closures, `async` blocks or nested items.
struct Connects<'a, 'c> {
    cx: &'a Cx<'c>,
    /// Each awaited connect's span and type name (`TcpStream`).
    found: Vec<(Span, String)>,
}

impl<'ast> Visit<'ast> for Connects<'_, '_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::Closure(_) | Expr::Async(_) => {}
            Expr::Await(awaited) => {
                if let Some(callee) = self.cx.callee(&awaited.base) {
                    if CONNECTS.iter().any(|c| resolve::is(&callee, c)) {
                        self.found.push((expr.span(), callee[2].clone()));
                    }
                }
                visit::visit_expr(self, expr);
            }
            _ => visit::visit_expr(self, expr),
        }
    }

    fn visit_item(&mut self, _item: &'ast syn::Item) {}
}

/// The default-client calls of one statement, outside its nested blocks
/// (each has its own `check_block`) and items, each with whether the method
/// chain it starts sets a timeout (`Client::new().get(url).timeout(d)`: a
/// per-request timeout).
struct DefaultClients<'a, 'c, 'ast> {
    cx: &'a Cx<'c>,
    found: Vec<(&'ast Expr, bool)>,
}

impl<'ast> Visit<'ast> for DefaultClients<'_, '_, 'ast> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        if let Expr::MethodCall(_) = expr {
            let (root, methods) = chain_of(expr);
            if self.is_default_client(root) {
                let sets_timeout = methods
                    .iter()
                    .any(|m| TIMEOUT_METHODS.contains(&m.as_str()));
                self.found.push((root, sets_timeout));
                visit_chain_arguments(self, expr);
                return;
            }
        }
        if self.is_default_client(expr) {
            self.found.push((expr, false));
        }
        visit::visit_expr(self, expr);
    }

    fn visit_block(&mut self, _block: &'ast syn::Block) {}

    fn visit_item(&mut self, _item: &'ast syn::Item) {}
}

impl DefaultClients<'_, '_, '_> {
    fn is_default_client(&self, expr: &Expr) -> bool {
        // Resolve only calls that end in a constructor's name: this runs on every call of every block.
        let Expr::Call(call) = expr else { return false };
        let Expr::Path(func) = &*call.func else {
            return false;
        };
        let named_like_one = func.path.segments.last().is_some_and(|last| {
            DEFAULT_CLIENTS
                .iter()
                .any(|c| c.last().is_some_and(|name| last.ident == name))
        });
        named_like_one
            && self
                .cx
                .callee(expr)
                .is_some_and(|callee| DEFAULT_CLIENTS.iter().any(|c| resolve::is(&callee, c)))
    }
}

/// The root of a method chain (through `?`, `.await` and parentheses) and its methods.
fn chain_of(mut expr: &Expr) -> (&Expr, Vec<String>) {
    let mut methods = Vec::new();
    loop {
        match expr {
            Expr::MethodCall(call) => {
                methods.push(call.method.to_string());
                expr = &call.receiver;
            }
            Expr::Try(t) => expr = &t.expr,
            Expr::Await(a) => expr = &a.base,
            Expr::Paren(p) => expr = &p.expr,
            _ => return (expr, methods),
        }
    }
}

/// Visits the arguments of every call in a method chain, not its root.
fn visit_chain_arguments<'ast>(visitor: &mut impl Visit<'ast>, mut expr: &'ast Expr) {
    loop {
        match expr {
            Expr::MethodCall(call) => {
                call.args.iter().for_each(|a| visitor.visit_expr(a));
                expr = &call.receiver;
            }
            Expr::Try(t) => expr = &t.expr,
            Expr::Await(a) => expr = &a.base,
            Expr::Paren(p) => expr = &p.expr,
            _ => return,
        }
    }
}

fn peel_parens(mut expr: &Expr) -> &Expr {
    while let Expr::Paren(p) = expr {
        expr = &p.expr;
    }
    expr
}

/// How often a client binding is named, and how often as the root of a
/// request chain that sets a timeout (`client.post(url).timeout(d).send()`).
struct Uses<'n> {
    name: &'n str,
    all: usize,
    with_timeout: usize,
}

impl<'n> Uses<'n> {
    fn new(name: &'n str) -> Self {
        Uses {
            name,
            all: 0,
            with_timeout: 0,
        }
    }

    fn names_binding(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Path(p) if p.path.is_ident(self.name))
    }
}

impl<'ast> Visit<'ast> for Uses<'_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        if let Expr::MethodCall(_) = expr {
            let (root, methods) = chain_of(expr);
            if self.names_binding(root) {
                self.all += 1;
                if methods.iter().any(|m| m == "timeout") {
                    self.with_timeout += 1;
                }
                visit_chain_arguments(self, expr);
                return;
            }
        }
        if self.names_binding(expr) {
            self.all += 1;
        }
        visit::visit_expr(self, expr);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // A binding named in a macro is a use the rule cannot read.
        if crate::rules::helpers::mentions(mac.tokens.clone(), self.name) {
            self.all += 1;
        }
    }
}

/// `reqwest::Client::new()` / `::default()`.
fn check_default_client(cx: &mut Cx<'_>, call: &Expr) {
    let Some(callee) = cx.callee(call) else {
        return;
    };
    if !DEFAULT_CLIENTS.iter().any(|c| resolve::is(&callee, c)) {
        return;
    }
    if cx.in_test_or_example_code() {
        return;
    }
    cx.report(
        call.span(),
        format!(
            "`reqwest::Client::{}()` builds a client with no timeout",
            callee[2]
        ),
        "build it with `reqwest::Client::builder().connect_timeout(..).timeout(..).build()`",
    );
}

/// `reqwest::Client::builder()….build()` with no timeout in the chain.
fn check_builder(cx: &mut Cx<'_>, build: &Expr, chain: &Expr) {
    let Some(root) = unbounded_builder_root(cx, chain) else {
        return;
    };
    if cx.in_test_or_example_code() {
        return;
    }
    cx.report(
        build.span(),
        format!("a `reqwest` client built from `{root}` with no timeout"),
        "add `.connect_timeout(..)` and `.timeout(..)` (or `.read_timeout(..)`) to the builder",
    );
}

/// For a `Client::builder()…` chain (the receiver of `.build()`) that sets
/// no timeout: how its root is written (`reqwest::Client::builder()`).
fn unbounded_builder_root(cx: &Cx<'_>, mut expr: &Expr) -> Option<String> {
    loop {
        match expr {
            Expr::MethodCall(call) => {
                if TIMEOUT_METHODS.iter().any(|m| call.method == m) {
                    return None;
                }
                expr = &call.receiver;
            }
            Expr::Paren(p) => expr = &p.expr,
            Expr::Call(_) => {
                let callee = cx.callee(expr)?;
                return BUILDERS
                    .iter()
                    .any(|b| resolve::is(&callee, b))
                    .then(|| format!("{}()", callee.join("::")));
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Linter;

    const DIAL: &str = "use tokio::net::TcpStream;\n\
        #[tokio::main]\n\
        async fn main() -> std::io::Result<()> {\n\
            let _stream = TcpStream::connect(\"db.internal:5432\").await?;\n\
            Ok(())\n\
        }\n";

    fn findings(path: &str) -> usize {
        let linter = Linter::new().select(&["missing_timeout"]).unwrap();
        linter.check_source(path, DIAL).findings().len()
    }

    #[test]
    fn test_and_example_files_are_skipped() {
        assert_eq!(findings("net/src/main.rs"), 1, "a binary is checked");
        assert_eq!(
            findings("net/src/bin/contest.rs"),
            1,
            "`test` must start the name"
        );
        assert_eq!(
            findings("net/tests/common/mod.rs"),
            0,
            "integration-test helpers"
        );
        assert_eq!(findings("net/benches/dial.rs"), 0, "benchmarks");
        assert_eq!(findings("net/examples/dial.rs"), 0, "examples");
        assert_eq!(
            findings("net/src/test_helpers.rs"),
            0,
            "a test-only module file"
        );
        assert_eq!(
            findings("net/src/testing/main.rs"),
            0,
            "a test-only module directory"
        );
    }
}
