//! What a rule hook sees and does: [`Cx`], the state of the walk at the current node, its questions and its reports.
//!
//! The [`Walker`](super::walker::Walker) keeps a `Cx` up to date as it walks
//! a file (bodies, loops, scopes, enclosing `.await`s and statements) and
//! hands it to each active rule's hooks with that rule as the current one:
//! the rule asks it where it is ("am I in async context?", "what does this
//! path resolve to?") and reports findings through it.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use foldhash::HashMap;
use syn::Expr;

use super::index::{Condition, Fact, FnIndex, FutureSource, Key, RuleFact, free_key};
use super::macros::{self, MacroBody};
use super::resolve::{self, Canon, Scope};
use super::rule::{Plugin, RuleOption};
use super::summary::{Blocking, Chain, Effect, Site};
use super::suppress::Allows;
use super::types::TypeEnv;
use crate::{Finding, Span};

/// Where a macro's brackets open and close in the file.
type MacroAt = (proc_macro2::LineColumn, proc_macro2::LineColumn);

/// What kind of code body the walker is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyKind {
    /// Module level, a sync `fn`, a `const`/`static` initialiser.
    Sync,
    /// A sync closure: may run on another thread (`spawn_blocking`, `thread::spawn`).
    SyncClosure,
    /// A sync closure that a combinator runs before it returns (`opt.map(|x| ..)`,
    /// `v.iter().for_each(|x| ..)`; see [`super::inline`]): it runs in the body around it.
    InlineClosure,
    /// An `async fn` (including `#[tokio::main]`/`#[tokio::test]` ones).
    AsyncFn,
    /// An `async` block.
    AsyncBlock,
    /// An `async` closure.
    AsyncClosure,
}

impl BodyKind {
    /// Whether code in this body runs as part of a future.
    fn is_async(self) -> bool {
        matches!(
            self,
            BodyKind::AsyncFn | BodyKind::AsyncBlock | BodyKind::AsyncClosure
        )
    }
}

/// The kind of a loop enclosing the current code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LoopKind {
    /// `loop { }`
    Loop,
    /// `while cond { }` — can also be left by making `cond` false.
    While,
    /// `while let pat = expr { }`
    WhileLet,
    /// `for pat in iter { }`
    For,
}

/// A test that decides, before each pass of a loop's body, whether the loop
/// goes on: its `while` condition, or a leading `if c { ..; break }` of its body.
#[derive(Debug)]
pub(crate) enum LoopTest {
    /// `while cond { .. }`: the body runs again only while `cond` is true.
    RunsWhile(Expr),
    /// `loop { if cond { ..; break } .. }` (or `return`), as one of the first
    /// statements of the body: the loop ends when `cond` is true.
    LeavesIf(Expr),
}

/// What a `for pat in over { .. }` loop iterates: the names `pat` binds and
/// (a copy of) the expression `over`.
#[derive(Debug)]
pub(super) struct Iteration {
    pub(super) names: Vec<String>,
    pub(super) over: Expr,
}

/// A code body being walked: a function's, a closure's, an `async` block's or an initialiser's.
#[derive(Debug)]
pub(super) struct Frame {
    pub(super) kind: BodyKind,
    /// Loops inside this body, innermost last (a `break` cannot cross a body).
    pub(super) loops: Vec<LoopKind>,
    /// The [`LoopTest`]s of each loop in `loops`, in the same order.
    pub(super) loop_tests: Vec<Vec<LoopTest>>,
    /// For each loop in `loops`, in the same order: what it iterates, when it is a `for` loop.
    pub(super) iterations: Vec<Option<Iteration>>,
    /// `Some` when this body is a function's.
    pub(super) def: Option<FnDef>,
    /// A function's parameters declared as futures (see [`super::signature::is_future_param`]).
    pub(super) future_params: Vec<String>,
}

/// A function whose body is being walked: what the index will list it as, and its facts so far.
#[derive(Debug)]
pub(super) struct FnDef {
    /// The keys the index lists it under (its path; a trait impl's method also
    /// its trait's); empty for one the index does not list (one inside another
    /// function's body, a method of another crate's type).
    pub(super) keys: Vec<FutureSource>,
    /// How messages name it (`wait_for_quota`, `Cache::refresh`).
    pub(super) name: String,
    /// Its name's span.
    pub(super) span: Span,
    /// Whether calling it creates a future ([`Fact::Async`]).
    pub(super) is_async: bool,
    /// Whether calling it does nothing until its future is polled ([`Fact::Lazy`]).
    pub(super) is_lazy: bool,
    /// Whether it has a body (a trait method's declaration may not).
    pub(super) has_body: bool,
    /// The crate type alias its declared return type names, if any (a future when the alias is one).
    pub(super) returns_alias: Option<Key>,
    /// The rule facts recorded about it so far, each once.
    pub(super) facts: Vec<RuleFact>,
    /// Its body's first blocking operation (a sync fn's only).
    pub(super) blocking: Option<Blocking>,
    /// The calls its sync body makes to functions of the crate.
    pub(super) calls: Vec<(Key, Site)>,
    /// The first not-cancel-safe operation its body awaits (an `async fn`'s only).
    pub(super) cancel_unsafe: Option<Blocking>,
    /// The calls of functions of the crate its `async` body awaits.
    pub(super) awaited: Vec<(Key, Site)>,
    /// Its body's first `block_in_place` call (a sync or an `async fn`'s).
    pub(super) block_in_place: Option<Blocking>,
    /// The calls of functions of the crate its `async` body makes, awaited or not.
    pub(super) async_calls: Vec<(Key, Site)>,
    /// Its declared return type as text, kept only when it has future parameters.
    pub(super) output: Option<String>,
}

/// The `impl` or `trait` block whose items are being walked.
#[derive(Debug)]
pub(super) struct ImplCtx {
    /// `Self`: the implementing type's path (`None` when it is no plain path);
    /// in a trait, `None`.
    pub(super) self_ty: Option<Canon>,
    /// The trait's path (`impl Trait for T`, `trait Trait`).
    pub(super) trait_: Option<Canon>,
    /// The block's generic type parameters, each with its crate trait bound
    /// (see [`super::signature::generic_traits`]), for its methods' parameters.
    pub(super) generics: Vec<(String, Option<Canon>)>,
}

/// Where the file being checked sits, for findings and the cross-file index.
#[derive(Debug)]
pub(crate) struct FileCtx {
    pub(crate) path: PathBuf,
    /// The same path, shared by every [`Site`] recorded in this file.
    pub(crate) shared_path: Arc<Path>,
    pub(crate) crate_root: PathBuf,
    pub(crate) module_path: Vec<String>,
    /// Whether the whole file is test code (see [`super::test_code::is_test_file`]).
    pub(crate) is_test_file: bool,
}

/// What a rule hook can see and do.
pub(crate) struct Cx<'f> {
    pub(super) file: &'f FileCtx,
    pub(super) frames: Vec<Frame>,
    pub(super) scopes: Vec<Scope>,
    /// The rule whose hook is running: its findings carry its name.
    pub(super) rule: &'f Plugin<'f>,
    /// Its index in the run's list of active rules.
    pub(super) rule_index: usize,
    /// The `impl`/`trait` blocks enclosing the current code, innermost last.
    pub(super) impls: Vec<ImplCtx>,
    /// The file's allow comments: a blocking operation on an allowed line is not
    /// recorded in its function's summary.
    pub(super) allows: &'f Allows,
    /// Addresses of the operands of the `.await`s enclosing the current node.
    pub(super) awaited: Vec<usize>,
    /// Addresses of the expressions of the `expr;` statements enclosing the current node.
    pub(super) statements: Vec<usize>,
    /// How many test items (test functions, `#[cfg(test)]` modules, impls and
    /// functions) enclose the current node.
    pub(super) test_depth: usize,
    /// The clippy lints the enclosing items and the file allow or expect
    /// (`#[allow(clippy::await_holding_lock)]` gives `await_holding_lock`).
    pub(super) clippy_allowed: Vec<String>,
    /// How many macro bodies enclose the current node.
    pub(super) macro_depth: usize,
    pub(super) findings: Vec<Finding>,
    /// The conditions of the findings that wait for the cross-file index
    /// (first pass only; see [`Walker::new`](super::walker::Walker::new)).
    pub(super) pending: Vec<Condition>,
    /// This file's contributions to the cross-file index.
    pub(super) index: FnIndex,
    /// The merged index of every file, in the second pass.
    pub(super) settle: Option<&'f FnIndex>,
    /// While the hooks run at a call expression: its address and its
    /// [`callee`](Cx::callee), resolved once for every rule that asks (set and
    /// cleared by the walker around the hooks at that node; `None` elsewhere).
    pub(super) callee_here: Option<(usize, Option<Rc<Canon>>)>,
    /// The macro bodies of this file parsed so far (see [`Cx::macro_body`]).
    pub(super) macro_bodies: RefCell<HashMap<MacroAt, Rc<Option<MacroBody>>>>,
    /// What the code says about the types of names in scope (see [`Cx::declared_type`]).
    pub(super) types: TypeEnv,
}

impl Cx<'_> {
    /// Whether the current code runs as part of a future (async fn, async block, async closure).
    /// A sync closure run inline counts as the body around it.
    pub(crate) fn is_async(&self) -> bool {
        self.host().is_some_and(|f| f.kind.is_async())
    }

    /// Whether the current body itself is async, so that `.await` may be written
    /// here (not in a sync closure run inline in an async body).
    pub(crate) fn can_await(&self) -> bool {
        self.frames.last().is_some_and(|f| f.kind.is_async())
    }

    /// The innermost body that is not a closure run inline: the one the current code runs as part of.
    pub(super) fn host(&self) -> Option<&Frame> {
        self.frames
            .iter()
            .rev()
            .find(|f| f.kind != BodyKind::InlineClosure)
    }

    /// [`host`](Self::host), to record into.
    pub(super) fn host_mut(&mut self) -> Option<&mut Frame> {
        self.frames
            .iter_mut()
            .rev()
            .find(|f| f.kind != BodyKind::InlineClosure)
    }

    /// The loops enclosing the current code within the current body, innermost last.
    pub(crate) fn loops(&self) -> &[LoopKind] {
        self.frames.last().map_or(&[], |f| &f.loops)
    }

    /// The tests the innermost enclosing loop of the current body makes before
    /// each pass of its body (its `while` condition, its leading `if .. { break }`s).
    pub(crate) fn loop_tests(&self) -> &[LoopTest] {
        self.frames
            .last()
            .and_then(|f| f.loop_tests.last())
            .map_or(&[], Vec::as_slice)
    }

    /// The expression the innermost `for` loop of the current body whose
    /// pattern binds `name` iterates (`for chunk in jobs.chunks(8)` gives
    /// `jobs.chunks(8)` for `chunk`); `None` when no enclosing `for` binds it.
    pub(crate) fn iterated_by(&self, name: &str) -> Option<&Expr> {
        let frame = self.frames.last()?;
        frame
            .iterations
            .iter()
            .rev()
            .flatten()
            .find(|it| it.names.iter().any(|n| n == name))
            .map(|it| &it.over)
    }

    /// Resolves a path through the `use`s and items in scope; `None` when it names a local variable.
    pub(crate) fn resolve(&self, path: &syn::Path) -> Option<Canon> {
        resolve::resolve(&self.scopes, path)
    }

    /// The resolved callee at the root of a method chain `path(..).a(..)?.b(..)`
    /// (through `?` and parentheses); `None` when the chain awaits or starts elsewhere.
    pub(crate) fn chain_root(&self, mut expr: &Expr) -> Option<Canon> {
        loop {
            match expr {
                Expr::MethodCall(call) => expr = &call.receiver,
                Expr::Try(t) => expr = &t.expr,
                Expr::Paren(p) => expr = &p.expr,
                Expr::Call(_) => return self.callee(expr).map(Rc::unwrap_or_clone),
                _ => return None,
            }
        }
    }

    /// The resolved path of the function `expr` calls, when it is a call of a plain path.
    ///
    /// Shared, not copied: at a call, every rule that asks gets the one path
    /// the walker resolved for it.
    pub(crate) fn callee(&self, expr: &Expr) -> Option<Rc<Canon>> {
        match &self.callee_here {
            Some((at, callee)) if *at == std::ptr::from_ref(expr).addr() => callee.clone(),
            _ => self.resolve_callee(expr).map(Rc::new),
        }
    }

    /// The parsed body of `mac` ([`macros::parse`]), parsed once per file: a
    /// rule that walks a body on its own and the walker share it. Macros are
    /// told apart by where their brackets are, so a copy of a macro (a rule's
    /// clone of an expression) shares the original's body.
    pub(crate) fn macro_body(&self, mac: &syn::Macro) -> Rc<Option<MacroBody>> {
        let span = mac.delimiter.span().join();
        let at = (span.start(), span.end());
        let mut bodies = self.macro_bodies.borrow_mut();
        Rc::clone(
            bodies
                .entry(at)
                .or_insert_with(|| Rc::new(macros::parse(mac))),
        )
    }

    /// [`callee`](Self::callee), resolved now.
    pub(super) fn resolve_callee(&self, expr: &Expr) -> Option<Canon> {
        let Expr::Call(call) = expr else { return None };
        let Expr::Path(func) = &*call.func else {
            return None;
        };
        if func.qself.is_some() {
            return None;
        }
        self.resolve(&func.path)
    }

    /// The declared type of `expr`, as the canonical path of its item, when the
    /// code says it: a local or parameter with a type annotation or built by a
    /// constructor, `self` in an `impl` (its type) or a trait (the trait), a
    /// field of a struct declared in this file, through `&`, `*`,
    /// `Arc`/`Rc`/`Box` and same-file type aliases (see [`types`](super::types));
    /// a parameter declared `impl Trait`, `dyn Trait` or as a generic bounded
    /// by one trait of the crate has that trait as its type. `None` when
    /// unknown, or when a closure parameter, a pattern or a `let` of unknown
    /// type shadows the name.
    ///
    /// This is the one source of receiver types: the rules' type-dependent
    /// checks and the resolution of method calls for summaries both ask it.
    ///
    /// ```rust,ignore
    /// // struct Server { state: Arc<parking_lot::Mutex<State>> } … impl Server { fn f(&self) {
    /// cx.declared_type(&parse_quote!(self.state)) // Some(["parking_lot", "Mutex"])
    /// ```
    pub(crate) fn declared_type(&self, expr: &Expr) -> Option<Canon> {
        self.types.type_of(expr, self.self_type())
    }

    /// For a `let name = path(..)` binding in scope, the resolved `path`.
    pub(crate) fn binding(&self, name: &str) -> Option<&Canon> {
        resolve::binding(&self.scopes, name)
    }

    /// For a `let name = path(..).method(..)?…` binding in scope (a method chain
    /// on a call, with no `.await` in it), the resolved `path` at its root.
    pub(crate) fn binding_root(&self, name: &str) -> Option<&Canon> {
        resolve::binding_root(&self.scopes, name)
    }

    /// Whether `option` of the current rule lists `canon`, a resolved path,
    /// exactly (`crate::net::get` lists neither `crate::get` nor `crate::net::get::x`).
    ///
    /// # Panics
    /// When the current rule's registry entry does not declare `option`.
    pub(crate) fn option_lists(&self, option: RuleOption, canon: &[String]) -> bool {
        lists(self.rule.option(option), canon)
    }

    /// The kind of body the current code is in (`None` at module level).
    pub(crate) fn body(&self) -> Option<BodyKind> {
        self.frames.last().map(|f| f.kind)
    }

    /// Whether the current code is test code (see [`super::test_code`]: test
    /// functions, `#[cfg(test)]` items, files under `tests/`, `benches/`,
    /// `examples/`), the same judgement the `[test-code]` policy applies to
    /// findings.
    pub(crate) fn in_test_code(&self) -> bool {
        self.file.is_test_file || self.test_depth > 0
    }

    /// Whether the current code is test or example code as [`Cx::in_test_code`]
    /// judges it, or in a file whose name or directory starts with `test`
    /// (`test_helpers.rs`, `testing/`), which crates usually declare with a
    /// `#[cfg(test)] mod` in another file, where a one-file walk cannot see it.
    pub(crate) fn in_test_or_example_code(&self) -> bool {
        let test_like = |name: &std::ffi::OsStr| name.to_string_lossy().starts_with("test");
        let in_test_dir = |dir: &Path| dir.components().any(|c| test_like(c.as_os_str()));
        self.in_test_code()
            || self.file.path.parent().is_some_and(in_test_dir)
            || self.file.path.file_stem().is_some_and(test_like)
    }

    /// Whether `expr` is the whole expression of the innermost `expr;` statement,
    /// written directly in the source (not inside a macro body): where a fix may
    /// append `.await` or rewrite the call without changing the surrounding code.
    pub(crate) fn is_statement(&self, expr: &Expr) -> bool {
        self.macro_depth == 0 && self.statements.last() == Some(&std::ptr::from_ref(expr).addr())
    }

    /// Whether `expr` is the operand of an `.await` (`expr.await`).
    pub(crate) fn is_awaited(&self, expr: &Expr) -> bool {
        let addr = std::ptr::from_ref(expr).addr();
        self.awaited.contains(&addr)
    }

    /// The cross-file index key of a resolved path into the checked crate.
    pub(crate) fn free_fn_key(&self, canon: &[String]) -> Option<String> {
        free_key(&self.file.crate_root, canon)
    }

    /// Whether the current code is the body of a sync `fn` itself (not a closure
    /// in it, nor module level): where a blocking operation is recorded in the
    /// function's summary, for its callers in async context.
    pub(crate) fn in_sync_fn(&self) -> bool {
        self.host()
            .is_some_and(|f| f.kind == BodyKind::Sync && f.def.is_some())
    }

    /// Reports a blocking `operation` (as a message names it, `` `std::thread::sleep` ``)
    /// of the current rule at `span`: in async context, as a finding; in the body
    /// of a sync `fn` ([`in_sync_fn`](Self::in_sync_fn)), by recording it in the
    /// function's summary, so that calls of the function from async context are
    /// reported by this rule (see [`super::summary`]). Elsewhere it does nothing.
    /// A line whose allow comment names the current rule records nothing.
    pub(crate) fn report_blocking(
        &mut self,
        span: proc_macro2::Span,
        message: String,
        help: impl Into<String>,
        operation: &str,
    ) {
        if self.is_async() {
            self.report(span, message, help);
            return;
        }
        self.record_blocking(span, help, operation);
    }

    /// The sync-fn half of [`report_blocking`](Self::report_blocking), for a rule
    /// that reports its async-context findings itself (with a fix, say).
    pub(crate) fn record_blocking(
        &mut self,
        span: proc_macro2::Span,
        help: impl Into<String>,
        operation: &str,
    ) {
        self.record_effect(Effect::Blocks, span, help, operation);
    }

    /// Records `operation` at `span`, an operation of the current rule with
    /// `effect`, in the summary of the function whose body the current code is:
    /// for [`Effect::Blocks`] a sync `fn`'s ([`in_sync_fn`](Self::in_sync_fn)),
    /// for [`Effect::NotCancelSafe`] an `async fn`'s (not an `async` block or
    /// closure in it). Calls of the function are then reported by this rule
    /// (see [`report_through`](Self::report_through)). Only the first operation
    /// of a body is kept; a line whose allow comment names the current rule
    /// records nothing.
    pub(crate) fn record_effect(
        &mut self,
        effect: Effect,
        span: proc_macro2::Span,
        help: impl Into<String>,
        operation: &str,
    ) {
        let wanted: &[BodyKind] = match effect {
            Effect::Blocks => &[BodyKind::Sync],
            Effect::NotCancelSafe => &[BodyKind::AsyncFn],
            Effect::BlocksInPlace => &[BodyKind::Sync, BodyKind::AsyncFn],
        };
        let Some(frame) = self.host() else {
            return;
        };
        if !wanted.contains(&frame.kind) || frame.def.is_none() {
            return;
        }
        let span = Span::from_pm2(span);
        if self.allows.allows(self.rule.name, span.line) {
            return;
        }
        let operation = Blocking {
            rule: self.rule_index,
            operation: operation.to_owned(),
            help: help.into(),
            site: Site {
                path: Arc::clone(&self.file.shared_path),
                span,
            },
        };
        if let Some(def) = self.host_mut().and_then(|f| f.def.as_mut()) {
            match effect {
                Effect::Blocks => def.blocking.get_or_insert(operation),
                Effect::NotCancelSafe => def.cancel_unsafe.get_or_insert(operation),
                Effect::BlocksInPlace => def.block_in_place.get_or_insert(operation),
            };
        }
    }

    /// Reports a finding of the current rule at `span` that stands only if every
    /// definition `callee` may refer to has `effect` once all files are summarised;
    /// the message is built from the chain of calls down to the operation, and
    /// each hop becomes a note (with its file when not this one).
    pub(crate) fn report_through(
        &mut self,
        callee: &FutureSource,
        effect: Effect,
        span: proc_macro2::Span,
        message: impl FnOnce(&Chain) -> String,
        help: impl Into<String>,
    ) {
        self.report_through_with_notes(callee, effect, span, message, help, []);
    }

    /// As [`report_through`](Self::report_through), with `notes` in this file
    /// before the notes of the chain.
    pub(crate) fn report_through_with_notes(
        &mut self,
        callee: &FutureSource,
        effect: Effect,
        span: proc_macro2::Span,
        message: impl FnOnce(&Chain) -> String,
        help: impl Into<String>,
        notes: impl IntoIterator<Item = (proc_macro2::Span, String)>,
    ) {
        let key = Key::of(callee);
        let Some(index) = self.settle else {
            self.pending.push(Condition {
                callee: key,
                facts: match effect {
                    Effect::Blocks => &[Fact::Blocks],
                    Effect::NotCancelSafe => &[Fact::NotCancelSafe],
                    Effect::BlocksInPlace => &[Fact::BlocksInPlace],
                },
            });
            return;
        };
        let Some(chain) = index.chain(effect, key) else {
            return;
        };
        let mut finding = self.finding(span, message(&chain), help.into());
        finding.notes = notes_here(notes);
        finding.call_chain_from = Some(finding.notes.len());
        finding.notes.extend(self.chain_notes(effect, &chain));
        self.findings.push(finding);
    }

    /// The notes of a chain: "`a` calls `b` here", one per hop, with its file when not this one.
    pub(super) fn chain_notes(&self, effect: Effect, chain: &Chain) -> Vec<crate::Note> {
        chain
            .hops
            .iter()
            .map(|(caller, what, site)| crate::Note {
                span: site.span,
                message: format!("`{caller}` {} {what} here", effect.verb()),
                path: (site.path != self.file.shared_path).then(|| site.path.to_path_buf()),
            })
            .collect()
    }

    /// The function of the checked crate that `expr` calls, as the index keys it,
    /// and how to name the callee in a message: `f(..)`/`m::f(..)` by resolved path
    /// (`f`, `m::f`); `Type::f(..)` and `Self::f(..)` under the type's path
    /// (`Type::f`); `recv.f(..)` (`.f()`) when the receiver's declared type
    /// ([`declared_type`](Self::declared_type)) is a type or trait of the crate —
    /// `self` in an `impl` (its type) or a trait's default method (the trait), a
    /// parameter declared with a crate type, `impl Trait`, `dyn Trait` or a
    /// generic bounded by one crate trait, a `let` with a written type or built
    /// by a constructor, a field of a struct declared in this file.
    /// `None` for anything else: a method on a receiver of unknown type is not
    /// matched by name.
    pub(crate) fn call_target(&self, expr: &Expr) -> Option<(FutureSource, String)> {
        match expr {
            Expr::Call(call) => {
                let Expr::Path(func) = &*call.func else {
                    return None;
                };
                if func.qself.is_some() {
                    return None;
                }
                let written: Vec<String> = func
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                let canon = if written.first().is_some_and(|s| s == "Self") {
                    let mut canon = self.self_type()?.clone();
                    canon.extend_from_slice(&written[1..]);
                    canon
                } else {
                    resolve::resolve_with_globs(&self.scopes, &func.path)?
                };
                let key = self.free_fn_key(&canon)?;
                Some((FutureSource::Free(key), written.join("::")))
            }
            Expr::MethodCall(call) => {
                let mut canon = self.declared_type(&call.receiver)?;
                canon.push(call.method.to_string());
                let key = self.free_fn_key(&canon)?;
                Some((FutureSource::Free(key), format!(".{}()", call.method)))
            }
            _ => None,
        }
    }

    /// The parameters of the function whose every call runs the current code
    /// (seen through `async` blocks, not closures) that are declared as futures
    /// (`fut: impl Future`, `F: Future`, `BoxFuture`, …), and its declared
    /// return type as text; empty and `None` when it has no such parameter.
    pub(crate) fn future_params(&self) -> (&[String], Option<&str>) {
        for frame in self.frames.iter().rev() {
            if let Some(def) = &frame.def {
                return (&frame.future_params, def.output.as_deref());
            }
            if frame.kind != BodyKind::AsyncBlock {
                break;
            }
        }
        (&[], None)
    }

    /// What `Self` means here: the implementing type, or in a trait, the trait.
    fn self_type(&self) -> Option<&Canon> {
        let ctx = self.impls.last()?;
        ctx.self_ty.as_ref().or(ctx.trait_.as_ref())
    }

    /// Reports a finding of the current rule covering `span`.
    pub(crate) fn report(
        &mut self,
        span: proc_macro2::Span,
        message: String,
        help: impl Into<String>,
    ) {
        let finding = self.finding(span, message, help.into());
        self.findings.push(finding);
    }

    /// Reports a finding of the current rule covering `span`, with a fix.
    pub(crate) fn report_with_fix(
        &mut self,
        span: proc_macro2::Span,
        message: String,
        help: impl Into<String>,
        fix: crate::Fix,
    ) {
        let mut finding = self.finding(span, message, help.into());
        finding.fix = Some(fix);
        self.findings.push(finding);
    }

    /// Reports a finding of the current rule covering `span`, with notes: other
    /// places in the file, each with what it shows (see [`crate::Note`]).
    pub(crate) fn report_with_notes(
        &mut self,
        span: proc_macro2::Span,
        message: String,
        help: impl Into<String>,
        notes: impl IntoIterator<Item = (proc_macro2::Span, String)>,
    ) {
        let mut finding = self.finding(span, message, help.into());
        finding.notes = notes_here(notes);
        self.findings.push(finding);
    }

    /// Reports a finding that stands only if `source` turns out to be an `async fn` once all files are indexed.
    pub(crate) fn report_if_future(
        &mut self,
        source: &FutureSource,
        span: proc_macro2::Span,
        message: String,
        help: impl Into<String>,
    ) {
        self.report_if(source, &[Fact::Async], span, message, help);
    }

    /// Reports a finding that stands only if every definition `callee` may refer to
    /// turns out to have all of `facts` once all files are indexed.
    pub(crate) fn report_if(
        &mut self,
        callee: &FutureSource,
        facts: &'static [Fact],
        span: proc_macro2::Span,
        message: String,
        help: impl Into<String>,
    ) {
        if self.holds(Condition::new(callee, facts)) {
            let finding = self.finding(span, message, help.into());
            self.findings.push(finding);
        }
    }

    /// Records `fact` about the function whose every call runs the current code:
    /// the innermost enclosing `fn`, seen through `async` blocks but not through
    /// closures (which may run once, later or never). Does nothing outside a function.
    /// A rule records only its own facts (named `"<rule>::<fact>"`).
    pub(crate) fn record_fact(&mut self, fact: RuleFact) {
        debug_assert!(
            fact.name()
                .strip_prefix(self.rule.name)
                .is_some_and(|rest| rest.starts_with("::")),
            "rule `{}` records `{}`, which is not one of its facts",
            self.rule.name,
            fact.name()
        );
        for frame in self.frames.iter_mut().rev() {
            if let Some(def) = &mut frame.def {
                if !def.facts.contains(&fact) {
                    def.facts.push(fact);
                }
                return;
            }
            if frame.kind != BodyKind::AsyncBlock {
                return;
            }
        }
    }

    /// As [`report_if_future`](Self::report_if_future), with a fix for when it stands.
    pub(crate) fn report_if_future_with_fix(
        &mut self,
        source: &FutureSource,
        span: proc_macro2::Span,
        message: String,
        help: impl Into<String>,
        fix: crate::Fix,
    ) {
        let condition = Condition::new(source, &[Fact::Async]);
        if self.holds(condition) {
            let mut finding = self.finding(span, message, help.into());
            finding.fix = Some(fix);
            self.findings.push(finding);
        }
    }

    /// Whether a finding waiting for `condition` stands: in the second pass,
    /// whether the merged index says so; in the first, never — the condition is
    /// kept, and the file is checked again if it turns out to hold.
    fn holds(&mut self, condition: Condition) -> bool {
        if let Some(index) = self.settle {
            return index.holds(&condition);
        }
        self.pending.push(condition);
        false
    }

    fn finding(&self, span: proc_macro2::Span, message: String, help: String) -> Finding {
        Finding {
            rule: self.rule.name,
            severity: self.rule.severity,
            message,
            path: self.file.path.clone(),
            span: Span::from_pm2(span),
            help,
            fix: None,
            notes: Vec::new(),
            in_test_code: self.in_test_code(),
            call_chain_from: None,
        }
    }

    /// The module the current code is in, as a path from the crate root.
    pub(super) fn module_path(&self) -> &[String] {
        self.scopes
            .iter()
            .rev()
            .find_map(|s| s.module.as_deref())
            .unwrap_or(&[])
    }
}

/// Whether `canon` (a resolved path) is one of `list` (paths written `a::b::f`).
fn lists(list: &[String], canon: &[String]) -> bool {
    list.iter()
        .any(|entry| entry.split("::").count() == canon.len() && entry.split("::").eq(canon.iter()))
}

/// Notes at places in the finding's own file.
fn notes_here(notes: impl IntoIterator<Item = (proc_macro2::Span, String)>) -> Vec<crate::Note> {
    notes
        .into_iter()
        .map(|(span, message)| crate::Note {
            span: Span::from_pm2(span),
            message,
            path: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_paths_match_resolved_paths_exactly() {
        let list = vec!["crate::net::get".to_owned()];
        let canon = |s: &str| s.split("::").map(str::to_owned).collect::<Vec<_>>();
        assert!(lists(&list, &canon("crate::net::get")));
        assert!(!lists(&list, &canon("crate::get")));
        assert!(!lists(&list, &canon("crate::net::get::x")));
    }
}
