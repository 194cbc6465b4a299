//! The single pass over a file: tracks bodies, loops, scopes and bindings, and calls the active rules' hooks at every node.
//!
//! [`Walker`] is the only `syn::visit::Visit` implementation that walks a
//! whole file. At every expression, statement, block and `select!` it calls
//! each active rule's hook with the [`Cx`] it keeps up to date; when it
//! leaves a function it lists the function in the file's part of the
//! cross-file index, with the facts recorded while walking its body.

use syn::visit::{self, Visit};
use syn::{Expr, Pat};

use super::cx::{BodyKind, Cx, FileCtx, FnDef, Frame, LoopKind};
use super::index::{FnIndex, FutureSource};
use super::macros::{self, MacroBody, Select};
use super::resolve::{self, Canon, Scope};
use super::rule::{Plugin, Rule};
use super::types::TypeEnv;

/// What walking a file produced.
#[derive(Debug)]
pub(crate) struct WalkOutcome {
    /// The findings that stand on this file alone.
    pub(crate) findings: Vec<crate::Finding>,
    /// The conditions of the findings that wait for the merged index (first pass only).
    pub(crate) pending: Vec<super::index::Condition>,
    /// This file's part of the cross-file index.
    pub(crate) index: FnIndex,
}

/// The one visitor per file.
pub(crate) struct Walker<'f> {
    cx: Cx<'f>,
    rules: &'f [Plugin<'f>],
}

impl<'f> Walker<'f> {
    /// A walker running `rules` over the file described by `file`; `None` when
    /// no rule is active, as there is nothing to walk for then.
    ///
    /// Without `settle` (the first pass), a finding that depends on other files
    /// is not reported; its condition is kept in [`Cx::pending`]. With the
    /// merged index of every file (the second pass, for the files where one of
    /// those conditions holds), such findings are reported when they stand.
    pub(crate) fn new(
        file: &'f FileCtx,
        rules: &'f [Plugin<'f>],
        settle: Option<&'f FnIndex>,
    ) -> Option<Self> {
        let first = rules.first()?;
        Some(Walker {
            cx: Cx {
                file,
                frames: Vec::new(),
                scopes: Vec::new(),
                rule: first,
                awaited: Vec::new(),
                statements: Vec::new(),
                macro_depth: 0,
                findings: Vec::new(),
                pending: Vec::new(),
                index: FnIndex::default(),
                settle,
                types: TypeEnv::default(),
            },
            rules,
        })
    }

    /// Walks a parsed file and returns what the rules found: the findings,
    /// the conditions of the findings waiting for the merged index, and the
    /// file's part of the index.
    pub(crate) fn run(mut self, file: &syn::File) -> WalkOutcome {
        self.visit_file(file);
        WalkOutcome {
            findings: self.cx.findings,
            pending: self.cx.pending,
            index: self.cx.index,
        }
    }

    /// Calls `hook` of every active rule, each as the current rule of the [`Cx`].
    fn hooks(&mut self, hook: impl Fn(&dyn Rule, &mut Cx<'f>)) {
        for rule in self.rules {
            self.cx.rule = rule;
            hook(rule.hooks, &mut self.cx);
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
        sig: &syn::Signature,
        walk: impl FnOnce(&mut Self),
    ) {
        self.cx.types.enter_scope();
        for input in &sig.inputs {
            let syn::FnArg::Typed(param) = input else {
                continue;
            };
            match resolve::bound_name(&param.pat) {
                Some(name) => {
                    let scopes = &self.cx.scopes;
                    let ty = self
                        .cx
                        .types
                        .declared(&param.ty, &|p| resolve::resolve(scopes, p));
                    self.cx.types.bind(name, ty);
                }
                None => self.cx.types.hide(&param.pat),
            }
        }
        self.cx.frames.push(Frame {
            kind,
            loops: Vec::new(),
            def: Some(FnDef {
                callee,
                is_async,
                facts: Vec::new(),
            }),
        });
        walk(self);
        let def = self.cx.frames.pop().and_then(|f| f.def);
        if let Some(FnDef {
            callee: Some(callee),
            is_async,
            facts,
        }) = def
        {
            self.cx.index.add(&callee, is_async, &facts);
        }
        self.cx.types.leave_scope();
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

    fn visit_macro_body(&mut self, mac: &syn::Macro) {
        match macros::parse(mac) {
            Some(MacroBody::Select(select)) => self.visit_select(&select),
            Some(MacroBody::Exprs(exprs)) => exprs.iter().for_each(|e| self.visit_expr(e)),
            Some(MacroBody::Stmts(stmts)) => stmts.iter().for_each(|s| self.visit_stmt(s)),
            None => {}
        }
    }

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

    /// Records the struct fields and type aliases of a module whose scope was just pushed.
    fn add_types(&mut self, module: &[String], items: &[syn::Item]) {
        let scopes = &self.cx.scopes;
        self.cx
            .types
            .add_module(module, items, &|p| resolve::resolve(scopes, p));
    }

    /// Records the declared type of what a `let` binds (see [`TypeEnv`]).
    fn bind_type(&mut self, local: &syn::Local) {
        let Some(name) = resolve::bound_name(&local.pat) else {
            self.cx.types.hide(&local.pat);
            return;
        };
        let scopes = &self.cx.scopes;
        let res = |p: &syn::Path| resolve::resolve(scopes, p);
        let ty = match &local.pat {
            Pat::Type(t) => self.cx.types.declared(&t.ty, &res),
            _ => local
                .init
                .as_ref()
                .and_then(|init| self.cx.types.constructed(&init.expr, &res)),
        };
        self.cx.types.bind(name, ty);
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
        self.add_types(&module, &file.items);
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
        self.add_types(&module, items);
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
        self.in_fn(
            key.map(FutureSource::Free),
            is_async,
            kind,
            &item.sig,
            |w| {
                visit::visit_item_fn(w, item);
            },
        );
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        let callee = FutureSource::Method(item.sig.ident.to_string());
        let is_async = item.sig.asyncness.is_some();
        let kind = Self::body_kind(item.sig.asyncness.as_ref());
        self.in_fn(Some(callee), is_async, kind, &item.sig, |w| {
            visit::visit_impl_item_fn(w, item);
        });
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        let callee = FutureSource::Method(item.sig.ident.to_string());
        let is_async = item.sig.asyncness.is_some();
        let kind = Self::body_kind(item.sig.asyncness.as_ref());
        self.in_fn(Some(callee), is_async, kind, &item.sig, |w| {
            visit::visit_trait_item_fn(w, item);
        });
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let scopes = &self.cx.scopes;
        self.cx
            .types
            .enter_impl(&item.self_ty, &|p| resolve::resolve(scopes, p));
        visit::visit_item_impl(self, item);
        self.cx.types.leave_impl();
    }

    fn visit_arm(&mut self, arm: &'ast syn::Arm) {
        self.cx.types.enter_scope();
        self.cx.types.hide(&arm.pat);
        visit::visit_arm(self, arm);
        self.cx.types.leave_scope();
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
        self.cx.types.enter_scope();
        self.hooks(|rule, cx| rule.check_block(cx, block));
        visit::visit_block(self, block);
        self.cx.types.leave_scope();
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
        self.bind_type(local);
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
                self.cx.types.enter_scope();
                c.inputs.iter().for_each(|p| self.cx.types.hide(p));
                self.in_body(kind, |w| visit::visit_expr(w, expr));
                self.cx.types.leave_scope();
            }
            Expr::Let(l) => {
                // Binds for the rest of the `if`/`while`: hiding them here hides them
                // a little longer, which only forgets types.
                self.cx.types.hide(&l.pat);
                visit::visit_expr(self, expr);
            }
            Expr::Async(_) => self.in_body(BodyKind::AsyncBlock, |w| visit::visit_expr(w, expr)),
            Expr::Await(a) => {
                self.cx.awaited.push(std::ptr::from_ref(&*a.base).addr());
                visit::visit_expr(self, expr);
                self.cx.awaited.pop();
            }
            Expr::Loop(_) => self.in_loop(LoopKind::Loop, |w| visit::visit_expr(w, expr)),
            Expr::ForLoop(f) => {
                self.cx.types.enter_scope();
                self.cx.types.hide(&f.pat);
                self.in_loop(LoopKind::For, |w| visit::visit_expr(w, expr));
                self.cx.types.leave_scope();
            }
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
