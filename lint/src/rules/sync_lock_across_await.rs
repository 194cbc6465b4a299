//! Flags a synchronous lock guard alive at an `.await`: bound with `let`, or a temporary of the statement that awaits.
//!
//! ## What it does
//! In the body of an `async fn`, `async` block or `async` closure, finds
//! synchronous lock guards:
//! - `x.lock()`, `x.read()` or `x.write()` followed directly by `.unwrap()`,
//!   `.expect(..)` or `.unwrap_or_else(..)` — the poisoning API of
//!   `std::sync::Mutex` / `RwLock` (tokio's locks are `.await`ed instead);
//! - `match x.lock() { Ok(g) => g, Err(p) => p.into_inner() }`, and
//!   `x.lock()` as the scrutinee of a `match` with an `Ok(g)` arm or of an
//!   `if let Ok(g) =`;
//! - `x.lock()` (or `x.read()` / `x.write()`) not `.await`ed, when `x` is
//!   declared as a `parking_lot` lock (a parameter, a `let` or a field of a
//!   struct declared in the same file, through `&`, `Arc`, `Box` and type
//!   aliases: `state: Arc<parking_lot::Mutex<State>>`), or, when its type is
//!   not known, is a plain variable or field in a scope where `Mutex` (or
//!   `RwLock`) is imported from `parking_lot`.
//!
//! A receiver declared as a tokio (or other async) lock, or as a type that
//! is not a lock (`std::io::Stdout`), is never a guard.
//!
//! It reports
//! - `let guard = <guard>;` when a later statement of the same block
//!   `.await`s (or runs a `select!` / `join!`) while the guard is alive, at
//!   the `let`;
//! - a guard that is a temporary — used in place as a receiver
//!   (`m.lock().unwrap().send(x).await`), a field base, or under `*` / `&`
//!   — when the same statement `.await`s after creating it, at the lock call.
//!   A temporary lives to the end of its statement (or `let`), and a `match`
//!   scrutinee's for the whole `match`, a `for` loop's iterator's for the
//!   whole loop, a `while let` scrutinee's for the loop body and an `if let`
//!   scrutinee's for its first block. The condition of an `if` or `while`,
//!   each operand of `&&` / `||`, a `match` arm and a block are temporary
//!   scopes of their own: a guard created there is dropped before code
//!   outside them runs. Only the first block of an `if let` counts, as since
//!   edition 2024 its scrutinee's temporaries are dropped before the `else`
//!   block (the Rust reference, "Destructors", temporary scopes).
//!
//! The note points at the first `.await` (or `select!` / `join!`) reached
//! while the guard is alive.
//!
//! A bound guard counts as released — no finding — once it is passed to
//! `drop(..)`, moved anywhere (into a call, a closure, an `async` block,
//! another binding), reassigned or shadowed, even if that happens only on
//! one branch. `let n = *m.lock().unwrap();` and
//! `let len = m.lock().unwrap().len();` drop the guard at the end of the
//! `let`, and `let _ = m.lock();` drops it at once; a guard passed by value
//! (`consume(m.lock().unwrap())`) is moved, not a temporary. Unlike clippy's
//! `await_holding_lock`, a guard dropped with `drop(guard)` before the
//! `.await` is not reported.
//!
//! Code under `#[allow(clippy::await_holding_lock)]` (or `expect`) — on an enclosing
//! item, a `let` statement or the file — is not checked: clippy's lint for
//! the same pattern is already silenced there on purpose.
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
//! and as a temporary: `self.client.lock().unwrap().send(req).await` holds
//! the client's lock until the response arrives.
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
use crate::engine::types::LockKind;

/// See the module docs.
pub(crate) struct SyncLockAcrossAwait;

const TEMPORARY_HELP: &str = "bind the guard in a block that ends before the `.await` (`let v = { let g = m.lock().unwrap(); g.clone() };`), or use `tokio::sync::Mutex` if it must be held across the `.await`";

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

    fn check_stmt(&self, cx: &mut Cx<'_>, stmt: &Stmt) {
        if !cx.is_async() {
            return;
        }
        let root = match stmt {
            Stmt::Expr(expr, _) => expr,
            Stmt::Local(local) => {
                let Some(init) = &local.init else { return };
                // `let x = &…` may extend its temporaries to the end of the block.
                if matches!(&*init.expr, Expr::Reference(_)) {
                    return;
                }
                &init.expr
            }
            _ => return,
        };
        let bound = matches!(stmt, Stmt::Local(_)).then_some(root);
        temporaries::check(cx, root, bound);
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

/// `x.lock().unwrap()` and friends (std), `match x.lock() { Ok(g) => g, Err(p) => .. }`,
/// or `x.lock()` on a `parking_lot` lock (by declared type, or with `parking_lot`'s
/// `Mutex`/`RwLock` imported): the lock call as written, e.g. `.lock()`.
fn sync_guard(cx: &Cx<'_>, expr: &Expr) -> Option<String> {
    if let Expr::Match(m) = expr {
        return poison_match_guard(cx, m).map(|lock| format!(".{}()", lock.method));
    }
    guard_call(cx, expr).map(|lock| format!(".{}()", lock.method))
}

/// The lock call (`x.lock()`) of an expression whose value is a synchronous guard.
fn guard_call<'e>(cx: &Cx<'_>, expr: &'e Expr) -> Option<&'e syn::ExprMethodCall> {
    let Expr::MethodCall(call) = expr else {
        return None;
    };
    if call.method == "unwrap" || call.method == "expect" || call.method == "unwrap_or_else" {
        let Expr::MethodCall(lock) = &*call.receiver else {
            return None;
        };
        lock_method(lock)?;
        // A receiver of known type must be a std or parking_lot lock.
        return match receiver_kind(cx, &lock.receiver) {
            Known::Lock(LockKind::Std | LockKind::ParkingLot) | Known::Unknown => Some(lock),
            Known::Lock(LockKind::Async) | Known::Other => None,
        };
    }
    let method = lock_method(call)?;
    match receiver_kind(cx, &call.receiver) {
        Known::Lock(LockKind::ParkingLot) => return Some(call),
        Known::Lock(_) | Known::Other => return None,
        Known::Unknown => {}
    }
    if !matches!(&*call.receiver, Expr::Path(_) | Expr::Field(_)) {
        return None;
    }
    let lock_type = if method == "lock" { "Mutex" } else { "RwLock" };
    let ident = syn::Ident::new(lock_type, Span::call_site());
    let canon = cx.resolve(&syn::Path::from(ident))?;
    resolve::is(&canon, &["parking_lot", lock_type]).then_some(call)
}

/// What the declared type of a lock call's receiver says.
enum Known {
    Lock(LockKind),
    /// A type that is not a lock this rule knows.
    Other,
    Unknown,
}

/// The kind of the receiver's declared type. A type of the checked crate (which
/// may wrap a lock) or a name that did not resolve counts as unknown.
fn receiver_kind(cx: &Cx<'_>, receiver: &Expr) -> Known {
    let Some(canon) = cx.declared_type(receiver) else {
        return Known::Unknown;
    };
    if let Some(kind) = LockKind::of(&canon) {
        return Known::Lock(kind);
    }
    let ours = canon.len() < 2 || canon[0] == "crate" || canon[0] == "{block}";
    if ours { Known::Unknown } else { Known::Other }
}

/// `match x.lock() { Ok(g) => g, Err(p) => .. }`: a std guard, poisoned or not.
fn poison_match_guard<'e>(cx: &Cx<'_>, m: &'e syn::ExprMatch) -> Option<&'e syn::ExprMethodCall> {
    let lock = std_lock_result(cx, &m.expr)?;
    let takes_ok = m.arms.iter().any(|arm| {
        let Some(name) = ok_binding(&arm.pat) else {
            return false;
        };
        matches!(&*arm.body, Expr::Path(p) if p.path.is_ident(&name))
    });
    takes_ok.then_some(lock)
}

/// `x.lock()` (or `.read()`/`.write()` on a declared std `RwLock`) not unwrapped: a `LockResult`.
fn std_lock_result<'e>(cx: &Cx<'_>, expr: &'e Expr) -> Option<&'e syn::ExprMethodCall> {
    let Expr::MethodCall(call) = peel_parens(expr) else {
        return None;
    };
    let method = lock_method(call)?;
    match receiver_kind(cx, &call.receiver) {
        Known::Lock(LockKind::Std) => Some(call),
        Known::Unknown if method == "lock" => Some(call),
        _ => None,
    }
}

/// The name `Ok(name)` binds (`Ok(mut name)`, `Ok(ref name)` too).
fn ok_binding(pat: &syn::Pat) -> Option<String> {
    let syn::Pat::TupleStruct(ts) = pat else {
        return None;
    };
    if !ts.path.is_ident("Ok") || ts.elems.len() != 1 {
        return None;
    }
    bound_name(&ts.elems[0])
}

fn peel_parens(mut expr: &Expr) -> &Expr {
    while let Expr::Paren(p) = expr {
        expr = &p.expr;
    }
    expr
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

/// Guards that are temporaries of a statement (`m.lock().unwrap().push(x)`), and
/// the `.await`s they live across.
///
/// A temporary lives to the end of its temporary scope: the whole statement
/// (or `let`), except inside a block, a closure or an `async` block, an arm
/// of a `match` and its guard, the condition of an `if`/`while`, and either
/// operand of `&&`/`||`, which are scopes of their own. A `match` scrutinee's
/// temporaries live for the whole `match`, a `for` iterator's for the whole
/// loop, a `while let` scrutinee's for the loop body, and an `if let`
/// scrutinee's for its `then` block (the Rust reference, "Temporary scopes";
/// since edition 2024 they are dropped before the `else` block, so an
/// `.await` only in the `else` block is not counted).
mod temporaries {
    use proc_macro2::LineColumn;
    use syn::spanned::Spanned;
    use syn::visit::{self, Visit};
    use syn::{BinOp, Expr};

    use super::{Cx, Suspension, TEMPORARY_HELP, guard_call, peel_parens, std_lock_result};

    /// Where the `.await`s that a guard lives across can be.
    #[derive(Clone, Copy)]
    enum Region<'e> {
        /// After the guard, to the end of the temporary scope `root`.
        Rest(&'e Expr),
        /// Anywhere in this block (the body of an `if let` or `while let`).
        Block(&'e syn::Block),
    }

    struct Guard<'e> {
        lock: &'e syn::ExprMethodCall,
        end: LineColumn,
        region: Region<'e>,
    }

    /// Reports each temporary guard of `root` (a statement's expression or a
    /// `let` initialiser, `bound` when the `let` binds it whole) held across an `.await`.
    pub(super) fn check(cx: &mut Cx<'_>, root: &Expr, bound: Option<&Expr>) {
        let mut roots = vec![root];
        while let Some(root) = roots.pop() {
            let mut finder = Finder {
                cx,
                guards: Vec::new(),
                roots: Vec::new(),
            };
            if bound.is_some_and(|b| std::ptr::eq(b, root)) && super::sync_guard(cx, root).is_some()
            {
                // Bound by the `let`: the block-level check follows it.
                finder.walk_lock_receiver(root, Region::Rest(root));
            } else {
                finder.walk(root, Region::Rest(root));
            }
            let Finder {
                guards,
                roots: more,
                ..
            } = finder;
            roots.extend(more);
            for guard in guards {
                let Some(suspension) = first_suspension(guard.region, guard.end) else {
                    continue;
                };
                let lock = guard.lock;
                let span = lock
                    .method
                    .span()
                    .join(lock.paren_token.span.close())
                    .unwrap_or_else(|| lock.method.span());
                let note = format!("the guard is still alive at this `{}`", suspension.what);
                cx.report_with_notes(
                    span,
                    format!(
                        "temporary synchronous `.{}()` guard is held across an `.await`",
                        lock.method
                    ),
                    TEMPORARY_HELP,
                    [(suspension.span, note)],
                );
            }
        }
    }

    struct Finder<'c, 'x, 'e> {
        cx: &'c Cx<'x>,
        guards: Vec<Guard<'e>>,
        /// Sub-expressions that are temporary scopes of their own.
        roots: Vec<&'e Expr>,
    }

    impl<'e> Finder<'_, '_, 'e> {
        /// Looks for guards among the temporaries of `expr`, which live as long as `region` says.
        fn walk(&mut self, expr: &'e Expr, region: Region<'e>) {
            match expr {
                Expr::MethodCall(m) => {
                    self.temporary(&m.receiver, region);
                    m.args.iter().for_each(|a| self.walk(a, region));
                }
                Expr::Field(f) => self.temporary(&f.base, region),
                Expr::Unary(u) => self.temporary(&u.expr, region),
                Expr::Reference(r) => self.temporary(&r.expr, region),
                Expr::Index(i) => {
                    self.temporary(&i.expr, region);
                    self.walk(&i.index, region);
                }
                Expr::Match(m) => {
                    self.scrutinee(&m.expr, region, &m.arms);
                    for arm in &m.arms {
                        if let Some((_, guard)) = &arm.guard {
                            self.roots.push(guard);
                        }
                        self.sub_root(&arm.body);
                    }
                }
                Expr::If(i) => {
                    if let Expr::Let(l) = &*i.cond {
                        self.scrutinee(&l.expr, Region::Block(&i.then_branch), &[]);
                    } else {
                        self.roots.push(&i.cond);
                    }
                    if let Some((_, otherwise)) = &i.else_branch {
                        if matches!(&**otherwise, Expr::If(_)) {
                            self.walk(otherwise, region);
                        }
                    }
                }
                Expr::While(w) => {
                    if let Expr::Let(l) = &*w.cond {
                        self.scrutinee(&l.expr, Region::Block(&w.body), &[]);
                    } else {
                        self.roots.push(&w.cond);
                    }
                }
                Expr::ForLoop(f) => self.walk(&f.expr, region),
                Expr::Binary(b) if matches!(b.op, BinOp::And(_) | BinOp::Or(_)) => {
                    self.roots.push(&b.left);
                    self.roots.push(&b.right);
                }
                Expr::Binary(b) => {
                    self.walk(&b.left, region);
                    self.walk(&b.right, region);
                }
                Expr::Call(c) => {
                    self.walk(&c.func, region);
                    c.args.iter().for_each(|a| self.walk(a, region));
                }
                Expr::Array(a) => a.elems.iter().for_each(|e| self.walk(e, region)),
                Expr::Tuple(t) => t.elems.iter().for_each(|e| self.walk(e, region)),
                Expr::Struct(s) => {
                    s.fields.iter().for_each(|f| self.walk(&f.expr, region));
                    if let Some(rest) = &s.rest {
                        self.walk(rest, region);
                    }
                }
                // `place = value` evaluates `value` first, then the place: a
                // guard in the place is taken after the value's `.await`s.
                Expr::Assign(a) => {
                    self.walk(&a.left, Region::Rest(&a.left));
                    self.walk(&a.right, region);
                }
                Expr::Cast(c) => self.walk(&c.expr, region),
                Expr::Try(t) => self.walk(&t.expr, region),
                Expr::Await(a) => self.walk(&a.base, region),
                Expr::Paren(p) => self.walk(&p.expr, region),
                Expr::Group(g) => self.walk(&g.expr, region),
                Expr::Let(l) => self.walk(&l.expr, region),
                Expr::Return(r) => {
                    if let Some(e) = &r.expr {
                        self.walk(e, region);
                    }
                }
                Expr::Break(b) => {
                    if let Some(e) = &b.expr {
                        self.walk(e, region);
                    }
                }
                Expr::Range(r) => {
                    if let Some(e) = &r.start {
                        self.walk(e, region);
                    }
                    if let Some(e) = &r.end {
                        self.walk(e, region);
                    }
                }
                // Blocks (their statements are checked on their own), closures,
                // `async` blocks, macros and the rest: nothing of this scope.
                _ => {}
            }
        }

        /// `expr` is used in place (a receiver, a field base, `*expr`, `&expr`):
        /// if it is a guard, it is a temporary of this scope.
        fn temporary(&mut self, expr: &'e Expr, region: Region<'e>) {
            let expr = peel_parens(expr);
            if let Some(lock) = guard_call(self.cx, expr) {
                self.guards.push(Guard {
                    lock,
                    end: expr.span().end(),
                    region,
                });
                self.walk(&lock.receiver, region);
            } else {
                self.walk(expr, region);
            }
        }

        /// A `match`/`if let`/`while let` scrutinee: its temporaries live for `region`.
        fn scrutinee(&mut self, expr: &'e Expr, region: Region<'e>, arms: &[syn::Arm]) {
            let expr = peel_parens(expr);
            // `match m.lock() { Ok(g) => .., Err(_) => .. }`, `if let Ok(g) = m.lock()`
            let lock_result = std_lock_result(self.cx, expr).filter(|_| {
                arms.is_empty() || arms.iter().any(|a| super::ok_binding(&a.pat).is_some())
            });
            match lock_result {
                Some(lock) => {
                    self.guards.push(Guard {
                        lock,
                        end: expr.span().end(),
                        region,
                    });
                    self.walk(&lock.receiver, region);
                }
                None => self.temporary(expr, region),
            }
        }

        /// A `let` initialiser that the `let` binds whole: only its receiver's temporaries.
        fn walk_lock_receiver(&mut self, expr: &'e Expr, region: Region<'e>) {
            if let Some(lock) = guard_call(self.cx, expr) {
                self.walk(&lock.receiver, region);
            }
        }

        /// A match arm's body: a block is checked statement by statement; any other expression is a scope of its own.
        fn sub_root(&mut self, body: &'e Expr) {
            if !matches!(body, Expr::Block(_)) {
                self.roots.push(body);
            }
        }
    }

    /// The first suspension point in `region` after `after`.
    fn first_suspension(region: Region<'_>, after: LineColumn) -> Option<Suspension> {
        let mut scan = AwaitScan { after, first: None };
        match region {
            Region::Rest(root) => scan.visit_expr(root),
            Region::Block(block) => scan.visit_block(block),
        }
        scan.first.map(|(_, s)| s)
    }

    struct AwaitScan {
        after: LineColumn,
        first: Option<(LineColumn, Suspension)>,
    }

    impl AwaitScan {
        fn saw(&mut self, at: LineColumn, suspension: impl FnOnce() -> Suspension) {
            let earlier = (at.line, at.column) > (self.after.line, self.after.column)
                && self
                    .first
                    .as_ref()
                    .is_none_or(|(first, _)| (at.line, at.column) < (first.line, first.column));
            if earlier {
                self.first = Some((at, suspension()));
            }
        }
    }

    impl<'ast> Visit<'ast> for AwaitScan {
        fn visit_expr(&mut self, expr: &'ast Expr) {
            match expr {
                // Other bodies: their `.await`s suspend them, not this code.
                Expr::Closure(_) | Expr::Async(_) => {}
                Expr::Await(a) => {
                    self.visit_expr(&a.base);
                    let span = a
                        .dot_token
                        .span
                        .join(a.await_token.span)
                        .unwrap_or(a.await_token.span);
                    self.saw(a.await_token.span.start(), || Suspension {
                        span,
                        what: ".await".to_owned(),
                    });
                }
                _ => visit::visit_expr(self, expr),
            }
        }

        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            let name = mac.path.segments.last().map(|s| s.ident.to_string());
            if matches!(
                name.as_deref(),
                Some("select" | "select_biased" | "join" | "try_join")
            ) || crate::rules::helpers::mentions(mac.tokens.clone(), "await")
            {
                let path = mac.path.span();
                let span = path.join(mac.bang_token.span).unwrap_or(path);
                self.saw(path.start(), || Suspension {
                    span,
                    what: format!("{}!", quote::ToTokens::to_token_stream(&mac.path))
                        .replace(' ', ""),
                });
            }
        }

        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
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
