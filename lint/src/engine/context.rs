//! The single pass over a file: tracks async context, scopes, loops and bindings, and calls the rule hooks.
//!
//! [`Walker`] is the only `syn::visit::Visit` implementation that walks a
//! whole file. At every expression, statement, block and `select!` it hands
//! the active rules a [`Cx`], which answers the questions rules ask ("am I in
//! async context?", "what does this path resolve to?") and collects findings.

use std::path::PathBuf;

use syn::visit::{self, Visit};
use syn::{Expr, Pat};

use super::index::{AsyncIndex, Condition, Fact, Facts, FutureSource, free_key};
use super::macros::{self, MacroBody, Select};
use super::resolve::{self, Canon, Scope};
use crate::rules::RuleInfo;
use crate::{Finding, Span};

/// What kind of code body the walker is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyKind {
    /// Module level, a sync `fn`, a `const`/`static` initialiser.
    Sync,
    /// A sync closure: may run on another thread (`spawn_blocking`, `thread::spawn`).
    SyncClosure,
    /// An `async fn` (including `#[tokio::main]`/`#[tokio::test]` ones).
    AsyncFn,
    /// An `async` block.
    AsyncBlock,
    /// An `async` closure.
    AsyncClosure,
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

#[derive(Debug)]
struct Frame {
    kind: BodyKind,
    /// Loops inside this body, innermost last (a `break` cannot cross a body).
    loops: Vec<LoopKind>,
    /// `Some` when this body is a function's.
    def: Option<FnDef>,
}

/// A function whose body is being walked: what the index will list it as, and its facts so far.
#[derive(Debug)]
struct FnDef {
    /// `None` for a function the index does not list (one inside another function's body).
    callee: Option<FutureSource>,
    facts: Facts,
}

/// Where the file being checked sits, for findings and the cross-file index.
#[derive(Debug)]
pub(crate) struct FileCtx {
    pub(crate) path: PathBuf,
    pub(crate) crate_root: PathBuf,
    pub(crate) module_path: Vec<String>,
    /// The configured rule options (extra blocking and async functions).
    pub(crate) options: std::sync::Arc<crate::config::RuleOptions>,
}

/// What a rule hook can see and do.
pub(crate) struct Cx<'f> {
    file: &'f FileCtx,
    frames: Vec<Frame>,
    scopes: Vec<Scope>,
    rule: &'static RuleInfo,
    /// Addresses of the operands of the `.await`s enclosing the current node.
    awaited: Vec<usize>,
    /// Addresses of the expressions of the `expr;` statements enclosing the current node.
    statements: Vec<usize>,
    /// How many macro bodies enclose the current node.
    macro_depth: usize,
    pub(crate) findings: Vec<Finding>,
    /// The conditions of the findings that wait for the cross-file index
    /// (first pass only; see [`Walker::new`]).
    pub(crate) pending: Vec<Condition>,
    /// This file's contributions to the cross-file index.
    pub(crate) index: AsyncIndex,
    /// The merged index of every file, in the second pass.
    settle: Option<&'f AsyncIndex>,
}

impl Cx<'_> {
    /// Whether the current code runs as part of a future (async fn, async block, async closure).
    pub(crate) fn is_async(&self) -> bool {
        self.frames.last().is_some_and(|f| {
            matches!(
                f.kind,
                BodyKind::AsyncFn | BodyKind::AsyncBlock | BodyKind::AsyncClosure
            )
        })
    }

    /// The loops enclosing the current code within the current body, innermost last.
    pub(crate) fn loops(&self) -> &[LoopKind] {
        self.frames.last().map_or(&[], |f| &f.loops)
    }

    /// Resolves a path through the `use`s and items in scope; `None` when it names a local variable.
    pub(crate) fn resolve(&self, path: &syn::Path) -> Option<Canon> {
        resolve::resolve(&self.scopes, path)
    }

    /// The resolved path of the function `expr` calls, when it is a call of a plain path.
    pub(crate) fn callee(&self, expr: &Expr) -> Option<Canon> {
        let Expr::Call(call) = expr else { return None };
        let Expr::Path(func) = &*call.func else {
            return None;
        };
        if func.qself.is_some() {
            return None;
        }
        self.resolve(&func.path)
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

    /// The configured rule options: extra functions the rules treat as blocking or async.
    pub(crate) fn options(&self) -> &crate::config::RuleOptions {
        &self.file.options
    }

    /// The kind of body the current code is in (`None` at module level).
    pub(crate) fn body(&self) -> Option<BodyKind> {
        self.frames.last().map(|f| f.kind)
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
        finding.notes = notes
            .into_iter()
            .map(|(span, message)| crate::Note {
                span: Span::from_pm2(span),
                message,
            })
            .collect();
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
        self.report_if(source, Facts::of(&[Fact::Async]), span, message, help);
    }

    /// Reports a finding that stands only if every definition `callee` may refer to
    /// turns out to have all of `facts` once all files are indexed.
    pub(crate) fn report_if(
        &mut self,
        callee: &FutureSource,
        facts: Facts,
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
    pub(crate) fn record_fact(&mut self, fact: Fact) {
        for frame in self.frames.iter_mut().rev() {
            if let Some(def) = &mut frame.def {
                def.facts.insert(fact);
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
        let condition = Condition::new(source, Facts::of(&[Fact::Async]));
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
        }
    }

    fn module_path(&self) -> &[String] {
        self.scopes
            .iter()
            .rev()
            .find_map(|s| s.module.as_deref())
            .unwrap_or(&[])
    }
}

/// The one visitor per file.
pub(crate) struct Walker<'f> {
    cx: Cx<'f>,
    rules: &'f [&'static RuleInfo],
}

impl<'f> Walker<'f> {
    /// A walker running `rules` (non-empty) over the file described by `file`.
    ///
    /// Without `settle` (the first pass), a finding that depends on other files
    /// is not reported; its condition is kept in [`Cx::pending`]. With the
    /// merged index of every file (the second pass, for the files where one of
    /// those conditions holds), such findings are reported when they stand.
    pub(crate) fn new(
        file: &'f FileCtx,
        rules: &'f [&'static RuleInfo],
        settle: Option<&'f AsyncIndex>,
    ) -> Self {
        Walker {
            cx: Cx {
                file,
                frames: Vec::new(),
                scopes: Vec::new(),
                rule: rules[0],
                awaited: Vec::new(),
                statements: Vec::new(),
                macro_depth: 0,
                findings: Vec::new(),
                pending: Vec::new(),
                index: AsyncIndex::default(),
                settle,
            },
            rules,
        }
    }

    /// Walks a parsed file and returns what the rules found.
    pub(crate) fn run(mut self, file: &syn::File) -> Cx<'f> {
        self.visit_file(file);
        self.cx
    }

    fn hooks(&mut self, call: impl Fn(&dyn crate::rules::Rule, &mut Cx<'f>)) {
        for &rule in self.rules {
            self.cx.rule = rule;
            call(rule.hooks, &mut self.cx);
        }
    }

    fn in_body(&mut self, kind: BodyKind, walk: impl FnOnce(&mut Self)) {
        self.cx.frames.push(Frame {
            kind,
            loops: Vec::new(),
            def: None,
        });
        walk(self);
        self.cx.frames.pop();
    }

    /// Walks a function's body, then lists the function in the index (when
    /// `callee` is `Some`) with the facts recorded while walking it.
    fn in_fn(
        &mut self,
        callee: Option<FutureSource>,
        is_async: bool,
        kind: BodyKind,
        walk: impl FnOnce(&mut Self),
    ) {
        let mut facts = Facts::default();
        if is_async {
            facts.insert(Fact::Async);
        }
        self.cx.frames.push(Frame {
            kind,
            loops: Vec::new(),
            def: Some(FnDef { callee, facts }),
        });
        walk(self);
        let def = self.cx.frames.pop().and_then(|f| f.def);
        if let Some(FnDef {
            callee: Some(callee),
            facts,
        }) = def
        {
            self.cx.index.add(&callee, facts);
        }
    }

    fn in_loop(&mut self, kind: LoopKind, walk: impl FnOnce(&mut Self)) {
        let pushed = if let Some(frame) = self.cx.frames.last_mut() {
            frame.loops.push(kind);
            true
        } else {
            false
        };
        walk(self);
        if pushed {
            if let Some(frame) = self.cx.frames.last_mut() {
                frame.loops.pop();
            }
        }
    }

    fn bind(&mut self, pat: &Pat, init: Option<Canon>) {
        match pat {
            Pat::Ident(p) => {
                if let Some(scope) = self.cx.scopes.last_mut() {
                    scope.bind(p.ident.to_string(), init);
                }
            }
            Pat::Type(p) => self.bind(&p.pat, init),
            Pat::Reference(p) => self.bind(&p.pat, None),
            Pat::Tuple(p) => p.elems.iter().for_each(|e| self.bind(e, None)),
            Pat::TupleStruct(p) => p.elems.iter().for_each(|e| self.bind(e, None)),
            Pat::Slice(p) => p.elems.iter().for_each(|e| self.bind(e, None)),
            Pat::Struct(p) => p.fields.iter().for_each(|f| self.bind(&f.pat, None)),
            _ => {}
        }
    }

    fn body_kind(asyncness: Option<&syn::token::Async>) -> BodyKind {
        if asyncness.is_some() {
            BodyKind::AsyncFn
        } else {
            BodyKind::Sync
        }
    }
}

impl<'ast> Visit<'ast> for Walker<'_> {
    fn visit_file(&mut self, file: &'ast syn::File) {
        let module = self.cx.file.module_path.clone();
        self.cx.scopes.push(Scope::module(&module, &file.items));
        visit::visit_file(self, file);
        self.cx.scopes.pop();
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        let Some((_, items)) = &item.content else {
            return;
        };
        let mut module = self.cx.module_path().to_vec();
        module.push(item.ident.to_string());
        self.cx.scopes.push(Scope::module(&module, items));
        // An inline module starts outside any function body.
        let frames = std::mem::take(&mut self.cx.frames);
        for item in items {
            self.visit_item(item);
        }
        self.cx.frames = frames;
        self.cx.scopes.pop();
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        let key = if self.cx.frames.is_empty() {
            let mut canon = vec!["crate".to_owned()];
            canon.extend_from_slice(self.cx.module_path());
            canon.push(item.sig.ident.to_string());
            self.cx.free_fn_key(&canon)
        } else {
            None
        };
        // `#[tokio::main] async fn` is a sync fn once the attribute has expanded.
        let runs_own_runtime = item.attrs.iter().any(|a| {
            a.path()
                .segments
                .last()
                .is_some_and(|s| s.ident == "main" || s.ident == "test")
        });
        let is_async = item.sig.asyncness.is_some() && !runs_own_runtime;
        let kind = Self::body_kind(item.sig.asyncness.as_ref());
        self.in_fn(key.map(FutureSource::Free), is_async, kind, |w| {
            visit::visit_item_fn(w, item);
        });
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        let callee = FutureSource::Method(item.sig.ident.to_string());
        let is_async = item.sig.asyncness.is_some();
        let kind = Self::body_kind(item.sig.asyncness.as_ref());
        self.in_fn(Some(callee), is_async, kind, |w| {
            visit::visit_impl_item_fn(w, item);
        });
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        let callee = FutureSource::Method(item.sig.ident.to_string());
        let is_async = item.sig.asyncness.is_some();
        let kind = Self::body_kind(item.sig.asyncness.as_ref());
        self.in_fn(Some(callee), is_async, kind, |w| {
            visit::visit_trait_item_fn(w, item);
        });
    }

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        self.in_body(BodyKind::Sync, |w| visit::visit_item_const(w, item));
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        self.in_body(BodyKind::Sync, |w| visit::visit_item_static(w, item));
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        let scope = Scope::block(&block.stmts, self.cx.module_path());
        self.cx.scopes.push(scope);
        self.hooks(|rule, cx| rule.check_block(cx, block));
        visit::visit_block(self, block);
        self.cx.scopes.pop();
    }

    fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
        if let syn::Stmt::Expr(expr, Some(_)) = stmt {
            self.cx.statements.push(std::ptr::from_ref(expr).addr());
            self.hooks(|rule, cx| rule.check_stmt(cx, stmt));
            visit::visit_stmt(self, stmt);
            self.cx.statements.pop();
        } else {
            self.hooks(|rule, cx| rule.check_stmt(cx, stmt));
            visit::visit_stmt(self, stmt);
        }
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        visit::visit_local(self, local);
        let init = local
            .init
            .as_ref()
            .and_then(|init| self.cx.callee(&init.expr));
        self.bind(&local.pat, init);
        if let (Some(name), Some(init)) = (resolve::bound_name(&local.pat), &local.init) {
            if let Some(root) = chain_root(&self.cx, &init.expr) {
                if let Some(scope) = self.cx.scopes.last_mut() {
                    scope.bind_root(name, root);
                }
            }
        }
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        self.hooks(|rule, cx| rule.check_expr(cx, expr));
        match expr {
            Expr::Closure(c) => {
                let kind = if c.asyncness.is_some() {
                    BodyKind::AsyncClosure
                } else {
                    BodyKind::SyncClosure
                };
                self.in_body(kind, |w| visit::visit_expr(w, expr));
            }
            Expr::Async(_) => self.in_body(BodyKind::AsyncBlock, |w| visit::visit_expr(w, expr)),
            Expr::Await(a) => {
                self.cx.awaited.push(std::ptr::from_ref(&*a.base).addr());
                visit::visit_expr(self, expr);
                self.cx.awaited.pop();
            }
            Expr::Loop(_) => self.in_loop(LoopKind::Loop, |w| visit::visit_expr(w, expr)),
            Expr::ForLoop(_) => self.in_loop(LoopKind::For, |w| visit::visit_expr(w, expr)),
            Expr::While(w) => {
                let kind = if matches!(*w.cond, Expr::Let(_)) {
                    LoopKind::WhileLet
                } else {
                    LoopKind::While
                };
                self.in_loop(kind, |w| visit::visit_expr(w, expr));
            }
            _ => visit::visit_expr(self, expr),
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.cx.macro_depth += 1;
        self.visit_macro_body(mac);
        self.cx.macro_depth -= 1;
    }
}

impl Walker<'_> {
    fn visit_macro_body(&mut self, mac: &syn::Macro) {
        match macros::parse(mac) {
            Some(MacroBody::Select(select)) => self.visit_select(&select),
            Some(MacroBody::Exprs(exprs)) => exprs.iter().for_each(|e| self.visit_expr(e)),
            Some(MacroBody::Stmts(stmts)) => stmts.iter().for_each(|s| self.visit_stmt(s)),
            None => {}
        }
    }
}

/// The resolved callee at the root of `path(..).a(..)?.b(..)`; `None` when the chain awaits.
fn chain_root(cx: &Cx<'_>, mut expr: &Expr) -> Option<Canon> {
    loop {
        match expr {
            Expr::MethodCall(call) => expr = &call.receiver,
            Expr::Try(t) => expr = &t.expr,
            Expr::Paren(p) => expr = &p.expr,
            Expr::Call(_) => return cx.callee(expr),
            _ => return None,
        }
    }
}

impl Walker<'_> {
    fn visit_select(&mut self, select: &Select) {
        self.hooks(|rule, cx| rule.check_select(cx, select));
        for branch in &select.branches {
            if let Some(future) = &branch.future {
                self.visit_expr(future);
            }
            if let Some(guard) = &branch.guard {
                self.visit_expr(guard);
            }
            self.visit_expr(&branch.handler);
        }
    }
}
