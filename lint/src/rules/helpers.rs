//! Helpers shared by the rules: token searches, bound names, loop exits, guards held across `.await` and name lists, each with one behaviour.
//!
//! A helper lives here as soon as a second rule needs it (the way clippy keeps
//! `clippy_utils` and ruff its per-linter `helpers.rs`); a rule's private
//! helpers stay in its own file.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Stmt};

use super::Cx;
use crate::engine::resolve;

pub(crate) use crate::engine::resolve::bound_name;

/// The tokio functions that run a future as a task and return its `JoinHandle`.
pub(crate) const TASK_SPAWNS: &[&[&str]] = &[
    &["tokio", "spawn"],
    &["tokio", "task", "spawn"],
    &["tokio", "task", "spawn_local"],
];

/// The methods of `tokio::task::JoinSet` that run a future as a task of the set.
const JOIN_SET_SPAWNS: &[&str] = &["spawn", "spawn_on", "spawn_local", "spawn_local_on"];

/// Whether `expr` is a call of one of [`TASK_SPAWNS`], or of a spawning method
/// of a receiver declared as a `tokio::task::JoinSet` (`set.spawn(fut)`,
/// `set.spawn_on(fut, handle)`, see [`Cx::declared_type`]), written directly
/// in the body of a sync `fn` whose task is built from one of the fn's future
/// parameters (`tokio::spawn(fut)`, `tokio::spawn(async move { fut.await })`,
/// `tokio::spawn(fut.instrument(span))`): the fn is a spawn wrapper, and each
/// call of it spawns the future it is given.
pub(crate) fn spawns_future_param(cx: &Cx<'_>, expr: &Expr) -> bool {
    let (task, spawns) = match expr {
        Expr::Call(call) => (call.args.first(), true),
        Expr::MethodCall(call) => (
            call.args.first(),
            JOIN_SET_SPAWNS.iter().any(|m| call.method == m),
        ),
        _ => return false,
    };
    if !spawns || !cx.in_sync_fn() {
        return false;
    }
    let (params, _) = cx.future_params();
    if params.is_empty() {
        return false;
    }
    let Some(task) = task else {
        return false;
    };
    let names: Vec<&str> = params.iter().map(String::as_str).collect();
    if !mentions_any(task.to_token_stream(), &names) {
        return false;
    }
    match expr {
        Expr::MethodCall(call) => cx.declared_type(&call.receiver).is_some_and(|ty| {
            resolve::is(&ty, &["tokio", "task", "JoinSet"])
                || resolve::is(&ty, &["tokio", "task", "join_set", "JoinSet"])
        }),
        _ => cx
            .callee(expr)
            .is_some_and(|callee| TASK_SPAWNS.iter().any(|s| resolve::is(&callee, s))),
    }
}

/// Whether the identifier `name` occurs anywhere in `tokens`, inside groups
/// (and so inside macro bodies) too. Only whole identifiers count: `xs` does
/// not mention `x`, and neither does the string literal `"x"`.
pub(crate) fn mentions(tokens: TokenStream, name: &str) -> bool {
    mentions_any(tokens, &[name])
}

/// Whether any of `names` occurs as an identifier in `tokens` (see [`mentions`]).
pub(crate) fn mentions_any(tokens: TokenStream, names: &[&str]) -> bool {
    tokens.into_iter().any(|tree| match tree {
        TokenTree::Ident(ident) => names.iter().any(|n| ident == n),
        TokenTree::Group(group) => mentions_any(group.stream(), names),
        _ => false,
    })
}

/// What counts as leaving the loop that runs some code, besides `break` and
/// `return`, which always do.
///
/// A rule that stays quiet when code *may* leave the loop asks for every
/// way out ([`LoopExits::any`]); one that stays quiet only when code
/// *always* leaves asks for the explicit ones only ([`LoopExits::EXPLICIT`]),
/// as `?` or a `panic!` leave only on some paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LoopExits {
    /// `expr?`, which returns on an error.
    pub(crate) try_operator: bool,
    /// An assignment, which may make the condition of a `while` false.
    pub(crate) assignment: bool,
    /// A call of a function named `exit` or `abort`, and `panic!`,
    /// `unreachable!`, `todo!` and `unimplemented!`.
    pub(crate) diverging: bool,
}

impl LoopExits {
    /// Only `break` and `return`.
    pub(crate) const EXPLICIT: LoopExits = LoopExits {
        try_operator: false,
        assignment: false,
        diverging: false,
    };

    /// Every way out of a loop of the given kind: assignments count only in a `while`.
    pub(crate) fn any(in_while: bool) -> LoopExits {
        LoopExits {
            try_operator: true,
            assignment: in_while,
            diverging: true,
        }
    }
}

/// Whether `code` can leave the loop it runs in, counting the `exits` given.
/// Code in closures and `async` blocks runs elsewhere and does not count; a
/// macro whose body is not parsed counts when `break` or `return` appears at
/// its top level.
pub(crate) fn leaves_loop(code: &Expr, exits: LoopExits) -> bool {
    let mut finder = ExitFinder {
        exits,
        found: false,
    };
    finder.visit_expr(code);
    finder.found
}

struct ExitFinder {
    exits: LoopExits,
    found: bool,
}

impl<'ast> Visit<'ast> for ExitFinder {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::Break(_) | Expr::Return(_) => self.found = true,
            Expr::Try(_) if self.exits.try_operator => self.found = true,
            Expr::Assign(_) if self.exits.assignment => self.found = true,
            Expr::Closure(_) | Expr::Async(_) => {}
            Expr::Call(call) if self.exits.diverging => {
                if let Expr::Path(p) = &*call.func {
                    let last = p.path.segments.last().map(|s| s.ident.to_string());
                    if matches!(last.as_deref(), Some("exit" | "abort")) {
                        self.found = true;
                    }
                }
                visit::visit_expr(self, expr);
            }
            _ => visit::visit_expr(self, expr),
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let name = mac.path.segments.last().map(|s| s.ident.to_string());
        let diverges = matches!(
            name.as_deref(),
            Some("panic" | "unreachable" | "todo" | "unimplemented")
        );
        // `break`/`return` inside a macro that is not parsed: assume it leaves.
        let leaves = mac
            .tokens
            .clone()
            .into_iter()
            .any(|t| matches!(&t, TokenTree::Ident(i) if i == "break" || i == "return"));
        self.found |= (self.exits.diverging && diverges) || leaves;
    }
}

/// A point where the task may be suspended: an `.await`, or a macro that awaits.
pub(crate) struct Suspension {
    /// The `.await` (dot and keyword), or the macro's path and `!`.
    pub(crate) span: Span,
    /// How it reads in a note: `.await`, `tokio::select!`.
    pub(crate) what: String,
}

/// The first `.await` in `stmts` (in order) reached while the binding `name`
/// is still alive; `None` once a statement releases it, even alongside an
/// `.await`. Released means passed to `drop(..)`, moved anywhere (into a call,
/// a closure, an `async` block, another binding), reassigned or shadowed, or
/// the receiver of one of the `consuming` methods (`guard.exit()`); using it
/// as a receiver of other methods, a field base or behind `&`/`*` only borrows it.
pub(crate) fn first_await_while_held(
    stmts: &[Stmt],
    name: &str,
    consuming: &[&str],
) -> Option<Suspension> {
    for stmt in stmts {
        let mut scan = Scan {
            name,
            consuming,
            released: false,
            suspension: None,
        };
        scan.visit_stmt(stmt);
        if scan.released {
            return None;
        }
        if scan.suspension.is_some() {
            return scan.suspension;
        }
    }
    None
}

/// Looks through one statement for suspension points and for anything that releases the binding.
struct Scan<'n> {
    name: &'n str,
    consuming: &'n [&'n str],
    released: bool,
    suspension: Option<Suspension>,
}

impl Scan<'_> {
    fn is_name(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Path(p) if p.qself.is_none() && p.path.is_ident(self.name))
    }

    fn saw_await(&mut self, span: Span, what: impl FnOnce() -> String) {
        self.suspension
            .get_or_insert_with(|| Suspension { span, what: what() });
    }

    /// Visits `expr` where using the binding only borrows it (`guard.x`, `*guard`, `&guard`).
    fn visit_borrowed(&mut self, expr: &Expr) {
        if !self.is_name(expr) {
            self.visit_expr(expr);
        }
    }
}

impl<'ast> Visit<'ast> for Scan<'_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            // Another body: it runs elsewhere, and mentioning the binding moves it there.
            Expr::Closure(_) | Expr::Async(_) => {
                if mentions(quote::ToTokens::to_token_stream(expr), self.name) {
                    self.released = true;
                }
            }
            Expr::Await(a) => {
                self.visit_expr(&a.base);
                let span = a.dot_token.span.join(a.await_token.span);
                self.saw_await(span.unwrap_or(a.await_token.span), || ".await".to_owned());
            }
            Expr::MethodCall(m) => {
                if self.is_name(&m.receiver) && self.consuming.iter().any(|c| m.method == c) {
                    self.released = true;
                }
                self.visit_borrowed(&m.receiver);
                m.args.iter().for_each(|a| self.visit_expr(a));
            }
            Expr::Field(f) => self.visit_borrowed(&f.base),
            Expr::Index(i) => {
                self.visit_borrowed(&i.expr);
                self.visit_expr(&i.index);
            }
            Expr::Reference(r) => self.visit_borrowed(&r.expr),
            Expr::Unary(u) => self.visit_borrowed(&u.expr),
            Expr::Binary(b) => {
                self.visit_borrowed(&b.left);
                self.visit_borrowed(&b.right);
            }
            Expr::Path(_) if self.is_name(expr) => self.released = true,
            _ => visit::visit_expr(self, expr),
        }
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        visit::visit_local(self, local);
        // Shadowed (conservatively: any binding of that name) or moved into the new binding.
        if mentions(quote::ToTokens::to_token_stream(&local.pat), self.name) {
            self.released = true;
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let name = mac.path.segments.last().map(|s| s.ident.to_string());
        if matches!(
            name.as_deref(),
            Some("select" | "select_biased" | "join" | "try_join")
        ) || mentions(mac.tokens.clone(), "await")
        {
            let path = mac.path.span();
            let span = path.join(mac.bang_token.span).unwrap_or(path);
            self.saw_await(span, || {
                format!("{}!", quote::ToTokens::to_token_stream(&mac.path)).replace(' ', "")
            });
        }
        if matches!(name.as_deref(), Some("drop")) && mentions(mac.tokens.clone(), self.name) {
            self.released = true;
        }
    }

    // Nested items are separate code.
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    #[test]
    fn mentions_finds_whole_identifiers_at_any_depth() {
        let tokens = quote! { f(a, { g![b.c] }, "d", xs) };
        for name in ["f", "a", "g", "b", "c", "xs"] {
            assert!(mentions(tokens.clone(), name), "{name}");
        }
        assert!(!mentions(tokens.clone(), "d"), "inside a string literal");
        assert!(!mentions(tokens.clone(), "x"), "a prefix of `xs`");
        assert!(mentions_any(tokens.clone(), &["nope", "c"]));
        assert!(!mentions_any(tokens, &["nope", "d"]));
    }

    #[test]
    fn bound_name_accepts_plain_typed_mut_and_ref_bindings_only() {
        let name = |pat: &str| {
            let local: syn::Stmt = syn::parse_str(&format!("let {pat} = v;")).unwrap();
            let syn::Stmt::Local(local) = local else {
                unreachable!()
            };
            bound_name(&local.pat)
        };
        for pat in ["x", "x: Guard<'_>", "mut x", "ref x", "ref mut x: T"] {
            assert_eq!(name(pat).as_deref(), Some("x"), "`let {pat}`");
        }
        for pat in ["_", "(x, y)", "x @ Some(_)", "Some(x)", "&x"] {
            assert_eq!(name(pat), None, "`let {pat}`");
        }
    }

    #[test]
    fn explicit_exits_are_break_and_return_outside_closures_and_async_blocks() {
        let leaves = |code: &str| leaves_loop(&syn::parse_str(code).unwrap(), LoopExits::EXPLICIT);
        assert!(leaves("{ if done { break; } }"));
        assert!(leaves("match x { Some(_) => return, None => {} }"));
        assert!(leaves("{ log!(\"bye\"); my_macro!(return) }"));
        assert!(
            !leaves("{ let f = || return 1; }"),
            "a closure returns from itself"
        );
        assert!(!leaves("{ spawn(async { return; }); }"));
        assert!(!leaves("{ fallible()?; }"), "`?` leaves only on errors");
        assert!(!leaves("{ done = true; }"));
        assert!(!leaves("{ std::process::exit(1) }"));
        assert!(!leaves("{ panic!(\"stop\") }"));
    }

    #[test]
    fn any_exit_also_counts_try_diverging_calls_and_macros_and_assignments_in_a_while() {
        let leaves = |code: &str, in_while| {
            leaves_loop(&syn::parse_str(code).unwrap(), LoopExits::any(in_while))
        };
        assert!(leaves("{ fallible()?; }", false));
        assert!(leaves("{ std::process::exit(1) }", false));
        assert!(leaves("{ abort() }", false));
        assert!(leaves("{ unreachable!() }", false));
        assert!(leaves("{ done = true; }", true));
        assert!(
            !leaves("{ done = true; }", false),
            "assignments end only a `while`"
        );
        assert!(!leaves("{ let f = || exit(1); }", false));
        assert!(!leaves("{ tick().await; }", true));
    }

    #[test]
    fn a_binding_is_held_until_moved_dropped_shadowed_or_consumed() {
        let held = |body: &str, consuming: &[&str]| {
            let block: syn::Block = syn::parse_str(&format!("{{ {body} }}")).unwrap();
            first_await_while_held(&block.stmts, "g", consuming).map(|s| s.what)
        };
        assert_eq!(held("g.len(); io().await;", &[]).as_deref(), Some(".await"));
        assert_eq!(
            held("let n = *g; tokio::select! { _ = a => {} }", &[]).as_deref(),
            Some("tokio::select!")
        );
        assert_eq!(held("drop(g); io().await;", &[]), None);
        assert_eq!(held("consume(g); io().await;", &[]), None);
        assert_eq!(held("let g = 1; io().await;", &[]), None);
        assert_eq!(held("spawn(async move { g; }); io().await;", &[]), None);
        assert_eq!(held("g.exit(); io().await;", &["exit"]), None);
        assert_eq!(
            held("g.exit(); io().await;", &[]).as_deref(),
            Some(".await"),
            "`exit` only consumes when the rule says so"
        );
        assert_eq!(held("sync_only();", &[]), None);
    }
}
