//! Flags a task spawned on every iteration of a loop that has no concurrency bound.
//!
//! ## What it does
//! Finds `tokio::spawn`, `tokio::task::spawn` and `tokio::task::spawn_local`
//! called directly in the body of a `for`, `while`, `while let` or `loop`,
//! when nothing in that loop body bounds how many tasks run at once: no
//! semaphore permit (`acquire`, `acquire_owned`, `try_acquire`, …), no
//! `JoinSet` drained as it fills (`join_next`, `try_join_next`), no
//! `buffer_unordered` / `buffered`, and the task's handle is not awaited in
//! the same iteration.
//!
//! One call away: a call of the crate's own spawn wrapper — a sync fn that
//! hands a future parameter (or a future built from it) to `tokio::spawn`,
//! or to `spawn` / `spawn_on` / `spawn_local` of a parameter or local declared
//! as a `tokio::task::JoinSet` (`set: &mut JoinSet<()>`) — in such a loop is
//! flagged the same way, in any file of the run. The
//! wrapper's own body is not looked at for bounds: a wrapper that takes a
//! permit itself is flagged too (allow it at the call).
//!
//! Not flagged: `for` loops over a range (`for i in 0..workers` starts a fixed
//! pool, not one task per input), `while` and `loop` loops that never
//! `.await` (hand-written `poll` state machines, draining a local queue),
//! spawns inside closures or `async` blocks
//! in the loop (they run elsewhere), and loops whose body bounds the work in
//! any of the ways above — even inside the spawned task. Nor a loop that runs
//! one task at a time: the new handle replaces the previous one
//! (`handle = tokio::spawn(..)`, `self.task = Some(tokio::spawn(..))`, also
//! inside a tuple, or through a `let` binding of the spawn) and the
//! loop body `.abort()`s a task or awaits the previous handle (an `.await` on
//! an expression naming the same place, or in an `if let` on it) — a respawn
//! or debounce loop.
//!
//! Nor a fixed fan-out: a `for` loop that keeps every handle it spawns in a
//! collection (`handles.push(tokio::spawn(..))`, also through a `let` binding,
//! `tasks.insert(id, ..)`, in a tuple or a tuple struct, into a
//! `FuturesUnordered`) that a later statement of the same block joins (an
//! `.await` on an expression naming it — `join_all(handles).await`,
//! `try_join_all`, `select_all`, `running.next().await`, `.collect().await` —
//! or a `for` loop over it that awaits) or hands on (the block's value or a
//! `return` names it, `Ok(handles)`, or a struct literal does,
//! `Self { listeners }`), when the collection the loop iterates is configuration or state
//! rather than input: a field (`&self.servers`, `config.upstreams.iter()`,
//! `self.levels.iter().enumerate()`), an array or `vec![..]` literal, a
//! `SCREAMING_CASE` constant or static, or a `let` of one of these earlier
//! in the loop's block. Nor the same over a chunk — the binding of an enclosing
//! `for chunk in jobs.chunks(n)` (`chunks_exact`, `array_chunks`, `rchunks`)
//! — whose handles are joined in the chunk's body after the inner loop: at
//! most `n` tasks run at once. This provenance test is a heuristic on how the
//! code is written, with no types: a field may hold request data, and a
//! parameter may hold a fixed list. A collection that is a parameter of the
//! function (request items), a value received from a channel, a stream or a
//! socket, or a call's result stays flagged, as do handles that are dropped
//! or joined before the loop or inside a task. A `for` loop is looked at as
//! a statement of a block, which is nearly every one (not one written
//! directly among the statements of a macro's arguments).
//!
//! ## Why is this bad?
//! One task per input item means memory, sockets and database connections
//! grow with the input: a burst of connections or a long queue spawns
//! thousands of tasks that all compete at once, and nothing pushes back on
//! the producer.
//!
//! ## Example
//! ```rust,ignore
//! while let Some(job) = rx.recv().await {
//!     tokio::spawn(process(job));
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! let limit = Arc::new(Semaphore::new(64));
//! while let Some(job) = rx.recv().await {
//!     let permit = limit.clone().acquire_owned().await?;
//!     tokio::spawn(async move {
//!         process(job).await;
//!         drop(permit);
//!     });
//! }
//! ```
//! or collect into a `JoinSet` and `join_next().await` when it is full, or
//! `stream.map(process).buffer_unordered(64)`.

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Stmt};

use super::helpers::{TASK_SPAWNS, mentions_any, spawns_future_param};
use super::{Cx, Rule};
use crate::engine::index::{Fact, FutureSource, RuleFact};
use crate::engine::resolve;

/// A sync fn that spawns a task from a future parameter (a spawn wrapper).
const SPAWNS_ARG: RuleFact = RuleFact::new("unbounded_spawn::spawns_arg");

/// See the module docs.
pub(crate) struct UnboundedSpawn;

/// Identifiers whose presence in a loop body means someone bounds the tasks it spawns.
const BOUNDS: &[&str] = &[
    "acquire",
    "acquire_owned",
    "acquire_many",
    "acquire_many_owned",
    "try_acquire",
    "try_acquire_owned",
    "join_next",
    "join_next_with_id",
    "try_join_next",
    "buffer_unordered",
    "buffered",
];

impl Rule for UnboundedSpawn {
    fn check_expr(&self, cx: &mut Cx<'_>, expr: &Expr) {
        if spawns_future_param(cx, expr) {
            cx.record_fact(SPAWNS_ARG);
        }
        let body = match expr {
            // `while`/`loop` iterate per input only when they wait for it; without an
            // `.await` they are state machines (`poll` loops) or drain a local queue.
            Expr::While(w) if awaits(&w.cond) || awaits_in(&w.body) => &w.body,
            Expr::Loop(l) if awaits_in(&l.body) => &l.body,
            _ => return,
        };
        check_loop(cx, body, None);
    }

    // A `for` loop is looked at as a statement of its block, which shows the
    // statements around it: what the collection it iterates is bound to, and
    // whether the handles it keeps are joined after it.
    fn check_block(&self, cx: &mut Cx<'_>, block: &syn::Block) {
        for (at, stmt) in block.stmts.iter().enumerate() {
            let Stmt::Expr(Expr::ForLoop(f), _) = stmt else {
                continue;
            };
            if matches!(&*f.expr, Expr::Range(_)) {
                continue;
            }
            let fan_out = FanOut {
                over: &f.expr,
                before: &block.stmts[..at],
                after: &block.stmts[at + 1..],
            };
            check_loop(cx, &f.body, Some(&fan_out));
        }
    }
}

/// Reports the spawns of one loop `body` that nothing bounds; `fan_out` is
/// the `for` loop's surroundings, when it is one.
fn check_loop(cx: &mut Cx<'_>, body: &syn::Block, fan_out: Option<&FanOut<'_>>) {
    if mentions_any(body.to_token_stream(), BOUNDS) {
        return;
    }
    let mut spawns = SpawnFinder {
        cx,
        found: Vec::new(),
        wrappers: Vec::new(),
        awaited: Vec::new(),
        replaced: Vec::new(),
        kept: Vec::new(),
    };
    spawns.visit_block(body);
    let SpawnFinder {
        found,
        wrappers,
        awaited,
        replaced,
        kept,
        ..
    } = spawns;
    // Whether a spawn at `span`, bound to `bound_to`, is kept in a collection
    // that is joined after a fixed fan-out.
    let mut fixed = None;
    let mut joined_fan_out = |cx: &Cx<'_>, span: Span, bound_to: Option<&String>| {
        let Some(fan_out) = fan_out else {
            return false;
        };
        let collections: Vec<&String> = kept
            .iter()
            .filter(|(what, _)| match what {
                Replacement::Spawn(at) => *at == span.start(),
                Replacement::Binding(name) => bound_to == Some(name),
            })
            .map(|(_, collection)| collection)
            .collect();
        !collections.is_empty()
            && collections.iter().all(|c| fan_out.joins(c))
            && *fixed.get_or_insert_with(|| is_fixed(cx, fan_out.over, fan_out.before, 0))
    };
    for (span, callee, name, bound_to) in wrappers {
        if bound_to.as_ref().is_some_and(|b| awaited.contains(b)) {
            continue;
        }
        if joined_fan_out(cx, span, bound_to.as_ref()) {
            continue;
        }
        cx.report_if(
            &callee,
            &[Fact::Rule(SPAWNS_ARG)],
            span,
            format!("a task is spawned with `{name}`, which spawns the future it is given, on every iteration of this loop, with no bound on how many run at once"),
            "acquire a `Semaphore` permit before spawning, wait on a `JoinSet` with `join_next().await` when it is full, or use `buffer_unordered`",
        );
    }
    for (span, name, bound_to) in found {
        if bound_to.as_ref().is_some_and(|b| awaited.contains(b)) {
            continue;
        }
        let is_replaced = |value: &Replacement| match value {
            Replacement::Spawn(at) => *at == span.start(),
            Replacement::Binding(name) => bound_to.as_ref() == Some(name),
        };
        if replaced
            .iter()
            .any(|(value, place)| is_replaced(value) && releases_previous(body, place))
        {
            continue;
        }
        if joined_fan_out(cx, span, bound_to.as_ref()) {
            continue;
        }
        cx.report(
            span,
            format!("a task is spawned with `{name}` on every iteration of this loop, with no bound on how many run at once"),
            "acquire a `Semaphore` permit before spawning, wait on a `JoinSet` with `join_next().await` when it is full, or use `buffer_unordered`",
        );
    }
}

/// A `for` loop in its block: what it iterates, and the statements before and after it.
struct FanOut<'b> {
    over: &'b Expr,
    before: &'b [Stmt],
    after: &'b [Stmt],
}

impl FanOut<'_> {
    /// Whether a statement after the loop joins the handles kept in
    /// `collection`: an `.await` on an expression that names it
    /// (`join_all(handles).await`, `set.next().await`,
    /// `while let Some(r) = tasks.join_next().await`), or a `for` loop over it
    /// whose body awaits (`for h in handles { h.await?; }`) — outside closures
    /// and `async` blocks, which may run later or never. Handing the
    /// collection on counts too: the block's value or a `return` names it
    /// (`Ok(handles)`), or a struct literal does (`Self { listeners }`).
    fn joins(&self, collection: &str) -> bool {
        let mut finder = JoinFinder {
            collection,
            found: false,
        };
        for stmt in self.after {
            finder.visit_stmt(stmt);
        }
        let handed_on = match self.after.last() {
            Some(Stmt::Expr(tail, None)) => mentions_any(tail.to_token_stream(), &[collection]),
            _ => false,
        };
        finder.found || handed_on
    }
}

struct JoinFinder<'c> {
    collection: &'c str,
    found: bool,
}

impl<'ast> Visit<'ast> for JoinFinder<'_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::Closure(_) | Expr::Async(_) => return,
            Expr::Await(a) if mentions_any(a.base.to_token_stream(), &[self.collection]) => {
                self.found = true;
            }
            Expr::ForLoop(f)
                if mentions_any(f.expr.to_token_stream(), &[self.collection])
                    && awaits_in(&f.body) =>
            {
                self.found = true;
            }
            Expr::Return(r)
                if r.expr
                    .as_ref()
                    .is_some_and(|e| mentions_any(e.to_token_stream(), &[self.collection])) =>
            {
                self.found = true;
            }
            Expr::Struct(s)
                if s.fields
                    .iter()
                    .any(|f| mentions_any(f.expr.to_token_stream(), &[self.collection])) =>
            {
                self.found = true;
            }
            _ => {}
        }
        visit::visit_expr(self, expr);
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Methods that keep a handle in a collection: `handles.push(spawn(..))`,
/// `tasks.insert(id, spawn(..))`, `futures.push_back(handle)`.
const KEEPS: &[&str] = &["push", "push_back", "push_front", "insert"];

/// Methods that yield (a view of) the collection they are called on, or of a
/// part of it, so that the collection they iterate is fixed when their receiver is.
const ADAPTERS: &[&str] = &[
    "iter",
    "iter_mut",
    "into_iter",
    "enumerate",
    "cloned",
    "copied",
    "clone",
    "keys",
    "values",
    "values_mut",
    "into_keys",
    "into_values",
    "to_vec",
    "to_owned",
    "as_slice",
    "as_ref",
    "filter",
    "filter_map",
    "map",
    "rev",
    "skip",
    "take",
    "zip",
    "collect",
    "lock",
    "read",
    "unwrap",
    "expect",
];

/// Methods that split a collection into pieces of a bounded size.
const CHUNKS: &[&str] = &[
    "chunks",
    "chunks_exact",
    "chunks_mut",
    "chunks_exact_mut",
    "rchunks",
    "array_chunks",
];

/// Whether the collection `expr` is configuration or state rather than input
/// that can grow — a heuristic on how it is written, with no types:
///
/// - a field (`self.servers`, `config.upstreams`), an array or `vec![..]`
///   literal, a `SCREAMING_CASE` path (a `const` or `static`);
/// - a `let` binding, in the statements `before` the loop, of such a value;
/// - the binding of an enclosing `for` over `x.chunks(n)` (and the other
///   `CHUNKS`), which holds at most `n` items, or over such a collection;
/// - any of these through `&`, `.iter()`, `.enumerate()` and the other `ADAPTERS`.
///
/// Anything else — a parameter (request items), a value received from a
/// channel, a stream or a socket, a call's result — is not.
fn is_fixed(cx: &Cx<'_>, expr: &Expr, before: &[Stmt], depth: u8) -> bool {
    if depth > 4 {
        return false;
    }
    match expr {
        Expr::Reference(r) => is_fixed(cx, &r.expr, before, depth),
        Expr::Paren(p) => is_fixed(cx, &p.expr, before, depth),
        Expr::Try(t) => is_fixed(cx, &t.expr, before, depth),
        Expr::MethodCall(m) if ADAPTERS.iter().any(|a| m.method == a) => {
            is_fixed(cx, &m.receiver, before, depth)
        }
        Expr::Field(_) | Expr::Array(_) => true,
        Expr::Macro(m) => m.mac.path.is_ident("vec"),
        Expr::Path(p) if p.qself.is_none() => {
            let Some(ident) = p.path.get_ident() else {
                return p
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| is_const_name(&s.ident));
            };
            let name = ident.to_string();
            if let Some((init, earlier)) = last_let(before, &name) {
                return is_fixed(cx, init, earlier, depth + 1);
            }
            if let Some(over) = cx.iterated_by(&name) {
                return is_chunks(over) || is_fixed(cx, over, &[], depth + 1);
            }
            is_const_name(ident)
        }
        _ => false,
    }
}

/// `x.chunks(n)` and the other `CHUNKS`, through `&`, parentheses and `ADAPTERS`.
fn is_chunks(expr: &Expr) -> bool {
    match expr {
        Expr::Reference(r) => is_chunks(&r.expr),
        Expr::Paren(p) => is_chunks(&p.expr),
        Expr::MethodCall(m) if CHUNKS.iter().any(|c| m.method == c) => true,
        Expr::MethodCall(m) if ADAPTERS.iter().any(|a| m.method == a) => is_chunks(&m.receiver),
        _ => false,
    }
}

/// `SERVERS`, `DEFAULT_LEVELS`: how `const` and `static` items are named.
fn is_const_name(ident: &syn::Ident) -> bool {
    let name = ident.to_string();
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The initialiser of the last `let name = init;` among `stmts`, with the statements before it.
fn last_let<'s>(stmts: &'s [Stmt], name: &str) -> Option<(&'s Expr, &'s [Stmt])> {
    stmts.iter().enumerate().rev().find_map(|(at, stmt)| {
        let Stmt::Local(local) = stmt else {
            return None;
        };
        let pat = match &local.pat {
            syn::Pat::Type(t) => &*t.pat,
            other => other,
        };
        let syn::Pat::Ident(p) = pat else {
            return None;
        };
        if p.ident != name {
            return None;
        }
        local.init.as_ref().map(|init| (&*init.expr, &stmts[..at]))
    })
}

/// Collects the spawns of one loop body (not of nested loops, closures or
/// `async` blocks), and the names whose `.await` the body contains.
struct SpawnFinder<'c, 'f> {
    cx: &'c Cx<'f>,
    /// Span, spawn path as resolved, and the `let` name it is bound to.
    found: Vec<(Span, String, Option<String>)>,
    /// Calls of the crate's functions that may be spawn wrappers: span, callee,
    /// how it is written, and the `let` name it is bound to.
    wrappers: Vec<(Span, FutureSource, String, Option<String>)>,
    awaited: Vec<String>,
    /// Handles assigned to a place (`place = spawn(..)`, `place = Some(spawn(..))`,
    /// `place = Some((spawn(..), tx))`, `place = Some(handle)`): what is
    /// assigned, and the place's last identifier.
    replaced: Vec<(Replacement, String)>,
    /// Handles kept in a collection (`handles.push(spawn(..))`,
    /// `tasks.insert(id, handle)`, also inside a tuple): what is kept, and the
    /// collection's last identifier.
    kept: Vec<(Replacement, String)>,
}

/// What an assignment stores in a place, or a collection keeps: a spawn or a
/// wrapper's call (by where it starts), or a binding (by name).
enum Replacement {
    Spawn(proc_macro2::LineColumn),
    Binding(String),
}

impl SpawnFinder<'_, '_> {
    /// Notes the spawns, wrapper calls and bindings that `collection.push(..)`
    /// (or another of `KEEPS`) keeps, also as parts of a tuple.
    fn note_kept(&mut self, call: &syn::ExprMethodCall) {
        if !KEEPS.iter().any(|k| call.method == k) {
            return;
        }
        let Some(collection) = last_ident(&call.receiver) else {
            return;
        };
        for arg in &call.args {
            let parts: Vec<&Expr> = match arg {
                Expr::Tuple(t) => t.elems.iter().collect(),
                other => vec![other],
            };
            for part in parts {
                // `ServerHandle(tokio::spawn(..))`: a tuple struct wrapping the handle.
                let part = match part {
                    Expr::Call(wrap) if wrap.args.len() == 1 && is_constructor(&wrap.func) => {
                        &wrap.args[0]
                    }
                    other => other,
                };
                if self.spawn_path(part).is_some() || self.cx.call_target(part).is_some() {
                    let at = Replacement::Spawn(part.span().start());
                    self.kept.push((at, collection.clone()));
                } else if let Expr::Path(p) = part {
                    if let Some(name) = p.path.get_ident() {
                        let binding = Replacement::Binding(name.to_string());
                        self.kept.push((binding, collection.clone()));
                    }
                }
            }
        }
    }

    fn spawn_path(&self, expr: &Expr) -> Option<String> {
        let callee = self.cx.callee(expr)?;
        TASK_SPAWNS
            .iter()
            .any(|s| resolve::is(&callee, s))
            .then(|| callee.join("::"))
    }
}

impl<'ast> Visit<'ast> for SpawnFinder<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'ast Stmt) {
        if let Stmt::Local(local) = stmt {
            if let (syn::Pat::Ident(p), Some(init)) = (&local.pat, &local.init) {
                if let Some(name) = self.spawn_path(&init.expr) {
                    self.found
                        .push((init.expr.span(), name, Some(p.ident.to_string())));
                    visit::visit_expr(self, &init.expr);
                    return;
                }
                // `let task = { let x = x.clone(); tokio::spawn(..) };`
                if let Expr::Block(block) = &*init.expr {
                    if let Some(Stmt::Expr(tail, None)) = block.block.stmts.last() {
                        if let Some(name) = self.spawn_path(tail) {
                            self.found
                                .push((tail.span(), name, Some(p.ident.to_string())));
                            for stmt in &block.block.stmts[..block.block.stmts.len() - 1] {
                                self.visit_stmt(stmt);
                            }
                            visit::visit_expr(self, tail);
                            return;
                        }
                    }
                }
                if let Some((callee, written)) = self.cx.call_target(&init.expr) {
                    self.wrappers.push((
                        init.expr.span(),
                        callee,
                        written,
                        Some(p.ident.to_string()),
                    ));
                    visit::visit_expr(self, &init.expr);
                    return;
                }
            }
        }
        visit::visit_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::Closure(_)
            | Expr::Async(_)
            | Expr::ForLoop(_)
            | Expr::While(_)
            | Expr::Loop(_) => {}
            Expr::Assign(assign) => {
                let value = match &*assign.right {
                    Expr::Call(call) if is_some_call(call) && call.args.len() == 1 => &call.args[0],
                    other => other,
                };
                let parts: Vec<&Expr> = match value {
                    Expr::Tuple(t) => t.elems.iter().collect(),
                    other => vec![other],
                };
                if let Some(place) = last_ident(&assign.left) {
                    for part in parts {
                        if self.spawn_path(part).is_some() {
                            let at = Replacement::Spawn(part.span().start());
                            self.replaced.push((at, place.clone()));
                        } else if let Expr::Path(p) = part {
                            if let Some(name) = p.path.get_ident() {
                                let binding = Replacement::Binding(name.to_string());
                                self.replaced.push((binding, place.clone()));
                            }
                        }
                    }
                }
                visit::visit_expr(self, expr);
            }
            Expr::Await(a) => {
                if let Expr::Path(p) = &*a.base {
                    if let Some(ident) = p.path.get_ident() {
                        self.awaited.push(ident.to_string());
                    }
                }
                // A spawn awaited on the spot runs one task at a time.
                if self.spawn_path(&a.base).is_some() {
                    return;
                }
                // So does a wrapper's: its arguments are still looked at.
                match &*a.base {
                    Expr::Call(call) if self.cx.call_target(&a.base).is_some() => {
                        call.args.iter().for_each(|arg| self.visit_expr(arg));
                    }
                    Expr::MethodCall(call) if self.cx.call_target(&a.base).is_some() => {
                        self.visit_expr(&call.receiver);
                        call.args.iter().for_each(|arg| self.visit_expr(arg));
                    }
                    _ => visit::visit_expr(self, expr),
                }
            }
            _ => {
                if let Expr::MethodCall(call) = expr {
                    self.note_kept(call);
                }
                if let Some(name) = self.spawn_path(expr) {
                    self.found.push((expr.span(), name, None));
                } else if let Some((callee, written)) = self.cx.call_target(expr) {
                    self.wrappers.push((expr.span(), callee, written, None));
                }
                visit::visit_expr(self, expr);
            }
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// A path that names a tuple struct or variant by how it is written (`ServerHandle`, `Some`).
fn is_constructor(func: &Expr) -> bool {
    let Expr::Path(p) = func else { return false };
    p.path.segments.last().is_some_and(|s| {
        s.ident
            .to_string()
            .starts_with(|c: char| c.is_ascii_uppercase())
    })
}

/// `Some(x)`.
fn is_some_call(call: &syn::ExprCall) -> bool {
    matches!(&*call.func, Expr::Path(p) if p.path.is_ident("Some"))
}

/// The last identifier of a place: `handle`, `self.task`, `tasks[i]` (`tasks`).
fn last_ident(place: &Expr) -> Option<String> {
    match place {
        Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
        Expr::Field(f) => match &f.member {
            syn::Member::Named(name) => Some(name.to_string()),
            syn::Member::Unnamed(_) => last_ident(&f.base),
        },
        Expr::Index(i) => last_ident(&i.expr),
        Expr::Paren(p) => last_ident(&p.expr),
        Expr::Unary(u) => last_ident(&u.expr),
        _ => None,
    }
}

/// Whether the loop body ends the task held in `place` before replacing it:
/// it calls `.abort()`, awaits an expression that names `place`, or has an
/// `if let`/`while let` on an expression naming `place` whose body awaits.
fn releases_previous(body: &syn::Block, place: &str) -> bool {
    let mut finder = ReleaseFinder {
        place,
        found: false,
    };
    finder.visit_block(body);
    finder.found
}

struct ReleaseFinder<'p> {
    place: &'p str,
    found: bool,
}

impl<'ast> Visit<'ast> for ReleaseFinder<'_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::Closure(_) | Expr::Async(_) => return,
            Expr::MethodCall(call) if call.method == "abort" && call.args.is_empty() => {
                self.found = true;
            }
            Expr::Await(a) if mentions_any(a.base.to_token_stream(), &[self.place]) => {
                self.found = true;
            }
            Expr::If(i) => {
                if let Expr::Let(l) = &*i.cond {
                    if mentions_any(l.expr.to_token_stream(), &[self.place])
                        && awaits_in(&i.then_branch)
                    {
                        self.found = true;
                    }
                }
            }
            _ => {}
        }
        visit::visit_expr(self, expr);
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Whether `block` awaits, outside closures and `async` blocks.
fn awaits_in(block: &syn::Block) -> bool {
    let mut finder = AwaitFinder { found: false };
    finder.visit_block(block);
    finder.found
}

/// Whether `expr` awaits, outside closures and `async` blocks.
fn awaits(expr: &Expr) -> bool {
    let mut finder = AwaitFinder { found: false };
    finder.visit_expr(expr);
    finder.found
}

struct AwaitFinder {
    found: bool,
}

impl<'ast> Visit<'ast> for AwaitFinder {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::Closure(_) | Expr::Async(_) => {}
            Expr::Await(_) => self.found = true,
            _ => visit::visit_expr(self, expr),
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.found |= mentions_any(mac.tokens.clone(), &["await", "select", "join"]);
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}
