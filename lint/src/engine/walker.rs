//! The single pass over a file: tracks bodies, loops, scopes and bindings, and calls the active rules' hooks at every node.
//!
//! [`Walker`] is the only `syn::visit::Visit` implementation that walks a
//! whole file. At every expression, statement, block and `select!` it calls
//! each active rule's hook with the [`Cx`] it keeps up to date; when it
//! leaves a function it lists the function in the file's part of the
//! cross-file index, with the facts recorded while walking its body.

use std::sync::Arc;

use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Pat};

use super::cx::{BodyKind, Cx, FileCtx, FnDef, Frame, ImplCtx, Iteration, LoopKind, LoopTest};
use super::index::{Condition, Fact, FnIndex, FutureSource, Key};
use super::inline;
use super::macros::{MacroBody, Select};
use super::resolve::{self, Canon, Scope};
use super::rule::{Plugin, Rule};
use super::signature::{self, Returns};
use super::summary::{DefSummary, Effect, Site};
use super::suppress::Allows;
use super::test_code;
use super::types::TypeEnv;
use crate::{Finding, Span};

/// What a function definition is, for [`Walker::in_fn`].
struct FnSpec<'a> {
    keys: Vec<FutureSource>,
    name: String,
    sig: &'a syn::Signature,
    is_async: bool,
    /// Its body (a trait method's declaration may have none).
    body: Option<&'a syn::Block>,
    /// The generics in scope for its parameters (the impl's and its own).
    generics: Vec<&'a syn::Generics>,
}

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
    /// Addresses of the closures ahead that run inline (see [`inline::mark`]).
    inline: Vec<usize>,
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
        allows: &'f Allows,
        settle: Option<&'f FnIndex>,
    ) -> Option<Self> {
        let first = rules.first()?;
        Some(Walker {
            cx: Cx {
                file,
                frames: Vec::new(),
                scopes: Vec::new(),
                rule: first,
                rule_index: 0,
                impls: Vec::new(),
                allows,
                awaited: Vec::new(),
                statements: Vec::new(),
                test_depth: 0,
                clippy_allowed: Vec::new(),
                macro_depth: 0,
                findings: Vec::new(),
                pending: Vec::new(),
                index: FnIndex::default(),
                settle,
                callee_here: None,
                macro_bodies: std::cell::RefCell::default(),
                types: TypeEnv::default(),
            },
            rules,
            inline: Vec::new(),
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
        for (index, rule) in self.rules.iter().enumerate() {
            if rule
                .clippy_lints
                .iter()
                .any(|lint| self.cx.clippy_allowed.iter().any(|a| a == lint))
            {
                continue;
            }
            self.cx.rule = rule;
            self.cx.rule_index = index;
            hook(rule.hooks, &mut self.cx);
        }
    }

    fn in_body(&mut self, kind: BodyKind, walk: impl FnOnce(&mut Self)) {
        self.cx.frames.push(Frame {
            kind,
            loops: Vec::new(),
            loop_tests: Vec::new(),
            iterations: Vec::new(),
            def: None,
            future_params: Vec::new(),
        });
        walk(self);
        self.cx.frames.pop();
    }

    /// Binds a function's parameters in a new scope of declared types: each
    /// plain one with the path calls on it resolve by (see
    /// [`signature::param_type`]), any other pattern's names as unknown.
    fn bind_params(&mut self, spec: &FnSpec<'_>) {
        self.cx.types.enter_scope();
        let self_ty = self.cx.impls.last().and_then(|i| i.self_ty.clone());
        let no_outer = Vec::new();
        let outer = self.cx.impls.last().map_or(&no_outer, |i| &i.generics);
        for input in &spec.sig.inputs {
            let syn::FnArg::Typed(param) = input else {
                continue;
            };
            let Some(name) = resolve::bound_name(&param.pat) else {
                self.cx.types.hide(&param.pat);
                continue;
            };
            let ty = signature::param_type(
                &param.ty,
                &spec.generics,
                outer,
                &self.cx.scopes,
                self_ty.as_ref(),
            )
            .map(|canon| self.cx.types.unalias(canon));
            self.cx.types.bind(name, ty);
        }
    }

    /// A function's parameters declared as futures.
    fn future_params_of(&self, spec: &FnSpec<'_>) -> Vec<String> {
        spec.sig
            .inputs
            .iter()
            .filter_map(|arg| match arg {
                syn::FnArg::Typed(t)
                    if signature::is_future_param(&t.ty, &spec.generics, &self.cx.scopes) =>
                {
                    resolve::bound_name(&t.pat)
                }
                _ => None,
            })
            .collect()
    }

    /// Walks a function's body, then lists the function in the index under
    /// each of its keys with the facts recorded while walking it, and, for a
    /// sync function that blocks or calls functions of the crate, its summary.
    fn in_fn(&mut self, spec: FnSpec<'_>, walk: impl FnOnce(&mut Self)) {
        let future_params = self.future_params_of(&spec);
        self.bind_params(&spec);
        let output = (!future_params.is_empty()).then(|| match &spec.sig.output {
            syn::ReturnType::Default => String::new(),
            syn::ReturnType::Type(_, ty) => quote::ToTokens::to_token_stream(ty).to_string(),
        });
        let (is_async, returns_alias) = match signature::returns(&spec.sig.output, &self.cx.scopes)
        {
            Returns::Future => (true, None),
            Returns::Alias(canon) => (
                spec.is_async,
                self.cx
                    .free_fn_key(&canon)
                    .map(|k| Key::of(&FutureSource::Free(k))),
            ),
            Returns::Other => (spec.is_async, None),
        };
        let is_lazy =
            spec.sig.asyncness.is_some() || spec.body.is_some_and(signature::only_builds_a_future);
        let kind = Self::body_kind(spec.sig.asyncness.as_ref());
        self.cx.frames.push(Frame {
            kind,
            loops: Vec::new(),
            loop_tests: Vec::new(),
            iterations: Vec::new(),
            def: Some(FnDef {
                keys: spec.keys,
                name: spec.name,
                span: Span::from_pm2(spec.sig.ident.span()),
                is_async,
                is_lazy,
                has_body: spec.body.is_some(),
                returns_alias,
                facts: Vec::new(),
                blocking: None,
                calls: Vec::new(),
                cancel_unsafe: None,
                awaited: Vec::new(),
                block_in_place: None,
                async_calls: Vec::new(),
                output,
            }),
            future_params,
        });
        walk(self);
        self.cx.types.leave_scope();
        let Some(def) = self.cx.frames.pop().and_then(|f| f.def) else {
            return;
        };
        for key in &def.keys {
            self.cx
                .index
                .add_def(key, def.is_async, def.is_lazy, def.has_body, &def.facts);
            if let Some(alias) = def.returns_alias {
                self.cx
                    .index
                    .summaries
                    .returns_alias
                    .push((Key::of(key), alias));
            }
        }
        if !def.keys.is_empty()
            && (def.blocking.is_some()
                || !def.calls.is_empty()
                || def.cancel_unsafe.is_some()
                || !def.awaited.is_empty()
                || def.block_in_place.is_some()
                || !def.async_calls.is_empty())
        {
            self.cx.index.summaries.add(DefSummary {
                keys: def.keys.iter().map(Key::of).collect(),
                name: def.name,
                site: Site {
                    path: Arc::clone(&self.cx.file.shared_path),
                    span: def.span,
                },
                blocking: def.blocking,
                calls: def.calls,
                cancel_unsafe: def.cancel_unsafe,
                awaited: def.awaited,
                block_in_place: def.block_in_place,
                async_calls: def.async_calls,
            });
        }
    }

    /// The index key of `crate::<module>::<path..>::<name>`, when `path` is into the crate.
    fn key_under(&self, path: Option<&Canon>, name: &syn::Ident) -> Option<FutureSource> {
        let mut canon = path?.clone();
        canon.push(name.to_string());
        self.cx.free_fn_key(&canon).map(FutureSource::Free)
    }

    /// At a call in a sync function's body: records the call in its summary.
    /// At a call in async context: reports it when the callee blocks (second
    /// pass), or keeps the condition for the merged index (first pass).
    fn summary_call(&mut self, expr: &Expr) {
        let in_sync_fn = self.cx.in_sync_fn();
        if !in_sync_fn && !self.cx.is_async() {
            return;
        }
        let Some((callee, written)) = self.cx.call_target(expr) else {
            return;
        };
        let key = Key::of(&callee);
        let span = match expr {
            Expr::MethodCall(call) => call
                .method
                .span()
                .join(call.paren_token.span.close())
                .unwrap_or_else(|| call.method.span()),
            _ => expr.span(),
        };
        let span = Span::from_pm2(span);
        if in_sync_fn {
            let site = Site {
                path: Arc::clone(&self.cx.file.shared_path),
                span,
            };
            if let Some(def) = self.cx.host_mut().and_then(|f| f.def.as_mut()) {
                if !def.calls.iter().any(|(k, _)| *k == key) {
                    def.calls.push((key, site));
                }
            }
            return;
        }
        // An `async fn`'s own calls, awaited or not (for "blocks in place").
        if let Some(frame) = self.cx.frames.last_mut() {
            if let (BodyKind::AsyncFn, Some(def)) = (frame.kind, frame.def.as_mut()) {
                if !def.async_calls.iter().any(|(k, _)| *k == key) {
                    let site = Site {
                        path: Arc::clone(&self.cx.file.shared_path),
                        span,
                    };
                    def.async_calls.push((key, site));
                }
            }
        }
        let Some(index) = self.cx.settle else {
            self.cx.pending.push(Condition {
                callee: key,
                facts: &[Fact::Blocks],
            });
            return;
        };
        let Some(chain) = index.chain(Effect::Blocks, key) else {
            return;
        };
        let Some(rule) = self.rules.get(chain.rule) else {
            return;
        };
        // A path call is named as written (`util::nap`), a method call by its definition (`Limiter::acquire`).
        let written = match expr {
            Expr::MethodCall(_) => chain
                .hops
                .first()
                .map_or(written.as_str(), |h| h.0.as_str()),
            _ => written.as_str(),
        };
        let notes = self.cx.chain_notes(Effect::Blocks, &chain);
        self.cx.findings.push(Finding {
            rule: rule.name,
            severity: rule.severity,
            message: format!(
                "`{written}` blocks the executor: it calls {}",
                chain.operation
            ),
            path: self.cx.file.path.clone(),
            span,
            help: chain.help,
            fix: None,
            notes,
            in_test_code: self.cx.in_test_code(),
            call_chain_from: Some(0),
        });
    }

    /// At an `.await` directly in an `async fn`'s body: records an awaited call
    /// of a crate function in the function's summary (for "not cancel-safe").
    fn summary_await(&mut self, base: &Expr) {
        let in_async_fn = self
            .cx
            .frames
            .last()
            .is_some_and(|f| f.kind == BodyKind::AsyncFn && f.def.is_some());
        if !in_async_fn {
            return;
        }
        let mut base = base;
        while let Expr::Paren(p) = base {
            base = &p.expr;
        }
        let Some((callee, _)) = self.cx.call_target(base) else {
            return;
        };
        let key = Key::of(&callee);
        let site = Site {
            path: Arc::clone(&self.cx.file.shared_path),
            span: Span::from_pm2(base.span()),
        };
        if let Some(def) = self.cx.frames.last_mut().and_then(|f| f.def.as_mut()) {
            if !def.awaited.iter().any(|(k, _)| *k == key) {
                def.awaited.push((key, site));
            }
        }
    }

    fn in_loop(
        &mut self,
        kind: LoopKind,
        tests: Vec<LoopTest>,
        iteration: Option<Iteration>,
        walk: impl FnOnce(&mut Self),
    ) {
        let pushed = if let Some(frame) = self.cx.frames.last_mut() {
            frame.loops.push(kind);
            frame.loop_tests.push(tests);
            frame.iterations.push(iteration);
            true
        } else {
            false
        };
        walk(self);
        if pushed {
            if let Some(frame) = self.cx.frames.last_mut() {
                frame.loops.pop();
                frame.loop_tests.pop();
                frame.iterations.pop();
            }
        }
    }

    /// Walks an item, counted as test code when its attributes make it so.
    fn in_item(&mut self, attrs: &[syn::Attribute], walk: impl FnOnce(&mut Self)) {
        let is_test = test_code::is_test_item(attrs);
        let allowed = self.cx.clippy_allowed.len();
        self.cx.clippy_allowed.extend(clippy_lints_allowed(attrs));
        self.cx.test_depth += usize::from(is_test);
        walk(self);
        self.cx.test_depth -= usize::from(is_test);
        self.cx.clippy_allowed.truncate(allowed);
    }

    /// Walks a function item with its parameters bound in a scope of their own:
    /// a parameter's name is a local variable, not the item or import of that name.
    fn with_params(&mut self, sig: &syn::Signature, walk: impl FnOnce(&mut Self)) {
        let mut scope = Scope::default();
        for input in &sig.inputs {
            let syn::FnArg::Typed(param) = input else {
                continue;
            };
            if let Some(name) = resolve::bound_name(&param.pat) {
                scope.bind(name, None);
            }
        }
        self.cx.scopes.push(scope);
        walk(self);
        self.cx.scopes.pop();
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
        match &*self.cx.macro_body(mac) {
            Some(MacroBody::Select(select)) => self.visit_select(select),
            Some(MacroBody::Exprs(exprs)) => exprs.iter().for_each(|e| self.visit_expr(e)),
            Some(MacroBody::Stmts(stmts)) => stmts.iter().for_each(|s| self.visit_stmt(s)),
            Some(MacroBody::Block(block)) => self.visit_block(block),
            Some(MacroBody::Stream(block)) => {
                self.in_body(BodyKind::AsyncBlock, |w| w.visit_block(block));
            }
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
    /// Also lists in the index the module's `pub use` re-exports of the
    /// crate's items and its glob imports of the crate's modules (see
    /// [`resolve::resolve_with_globs`]).
    fn add_types(&mut self, module: &[String], items: &[syn::Item]) {
        self.cx.types.add_module(module, items, &self.cx.scopes);
        let Some(scope) = self.cx.scopes.last() else {
            return;
        };
        if scope.reexports.is_empty() && scope.crate_globs.is_empty() {
            return;
        }
        let mut module_canon = vec!["crate".to_owned()];
        module_canon.extend_from_slice(module);
        let Some(module_key) = self.cx.free_fn_key(&module_canon) else {
            return;
        };
        let names = scope
            .reexports
            .iter()
            .filter_map(|(name, target)| Some((Some(name.as_str()), self.cx.free_fn_key(target)?)));
        let globs = scope
            .crate_globs
            .iter()
            .filter_map(|source| Some((None, self.cx.free_fn_key(source)?)));
        let reexports: Vec<(Option<&str>, String)> = names.chain(globs).collect();
        self.cx.index.add_reexports(&module_key, &reexports);
    }

    /// Records the declared type of what a `let` binds (see [`TypeEnv`]).
    fn bind_type(&mut self, local: &syn::Local) {
        let Some(name) = resolve::bound_name(&local.pat) else {
            self.cx.types.hide(&local.pat);
            return;
        };
        let scopes = &self.cx.scopes;
        let ty = match &local.pat {
            Pat::Type(t) => self.cx.types.declared(&t.ty, scopes),
            _ => local
                .init
                .as_ref()
                .and_then(|init| self.cx.types.constructed(&init.expr, scopes)),
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
        self.cx.clippy_allowed = clippy_lints_allowed(&file.attrs);
        self.cx.scopes.push(Scope::module(&module, &file.items));
        self.add_types(&module, &file.items);
        visit::visit_file(self, file);
        self.cx.scopes.pop();
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs: &[syn::Attribute] = match item {
            syn::Item::Fn(i) => &i.attrs,
            syn::Item::Mod(i) => &i.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Trait(i) => &i.attrs,
            _ => &[],
        };
        self.in_item(attrs, |w| visit::visit_item(w, item));
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
        self.hooks(|rule, cx| rule.check_fn(cx, item));
        let spec = FnSpec {
            keys: key.map(FutureSource::Free).into_iter().collect(),
            name: item.sig.ident.to_string(),
            sig: &item.sig,
            is_async: item.sig.asyncness.is_some() && !runs_own_runtime,
            body: Some(&item.block),
            generics: vec![&item.sig.generics],
        };
        // A fn item inside an impl's method does not see the impl's `Self`.
        let impls = std::mem::take(&mut self.cx.impls);
        self.in_fn(spec, |w| {
            w.with_params(&item.sig, |w| visit::visit_item_fn(w, item));
        });
        self.cx.impls = impls;
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let self_ty = match &*item.self_ty {
            syn::Type::Path(p) if p.qself.is_none() => {
                resolve::resolve_with_globs(&self.cx.scopes, &p.path)
            }
            _ => None,
        };
        let trait_ = item
            .trait_
            .as_ref()
            .and_then(|(_, path, _)| resolve::resolve_with_globs(&self.cx.scopes, path));
        self.cx.impls.push(ImplCtx {
            self_ty,
            trait_,
            generics: signature::generic_traits(&item.generics, &self.cx.scopes),
        });
        visit::visit_item_impl(self, item);
        self.cx.impls.pop();
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        let mut canon = vec!["crate".to_owned()];
        canon.extend_from_slice(self.cx.module_path());
        canon.push(item.ident.to_string());
        self.cx.impls.push(ImplCtx {
            self_ty: None,
            trait_: self.cx.frames.is_empty().then_some(canon),
            generics: signature::generic_traits(&item.generics, &self.cx.scopes),
        });
        visit::visit_item_trait(self, item);
        self.cx.impls.pop();
    }

    fn visit_item_type(&mut self, item: &'ast syn::ItemType) {
        if self.cx.frames.is_empty() && signature::is_future_type(&item.ty, &self.cx.scopes) {
            let mut canon = vec!["crate".to_owned()];
            canon.extend_from_slice(self.cx.module_path());
            canon.push(item.ident.to_string());
            if let Some(key) = self.cx.free_fn_key(&canon) {
                let key = Key::of(&FutureSource::Free(key));
                self.cx.index.summaries.future_aliases.insert(key);
            }
        }
        visit::visit_item_type(self, item);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        let (keys, name) = {
            let ctx = self.cx.impls.last();
            let self_ty = ctx.and_then(|c| c.self_ty.as_ref());
            let trait_ = ctx.and_then(|c| c.trait_.as_ref());
            let keys: Vec<FutureSource> = if self.cx.frames.is_empty() {
                [self_ty, trait_]
                    .into_iter()
                    .filter_map(|path| self.key_under(path, &item.sig.ident))
                    .collect()
            } else {
                Vec::new()
            };
            let ty_name = self_ty.and_then(|t| t.last()).cloned();
            let name = match ty_name {
                Some(ty) => format!("{ty}::{}", item.sig.ident),
                None => item.sig.ident.to_string(),
            };
            (keys, name)
        };
        let spec = FnSpec {
            keys,
            name,
            sig: &item.sig,
            is_async: item.sig.asyncness.is_some(),
            body: Some(&item.block),
            generics: vec![&item.sig.generics],
        };
        self.in_item(&item.attrs, |w| {
            w.in_fn(spec, |w| {
                w.with_params(&item.sig, |w| visit::visit_impl_item_fn(w, item));
            });
        });
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        let (keys, name) = {
            let ctx = self.cx.impls.last();
            let trait_ = ctx.and_then(|c| c.trait_.as_ref());
            let keys: Vec<FutureSource> = self
                .key_under(trait_, &item.sig.ident)
                .into_iter()
                .collect();
            let name = match trait_.and_then(|t| t.last()) {
                Some(t) => format!("{t}::{}", item.sig.ident),
                None => item.sig.ident.to_string(),
            };
            (keys, name)
        };
        let spec = FnSpec {
            keys,
            name,
            sig: &item.sig,
            is_async: item.sig.asyncness.is_some(),
            body: item.default.as_ref(),
            generics: vec![&item.sig.generics],
        };
        self.in_fn(spec, |w| {
            w.with_params(&item.sig, |w| visit::visit_trait_item_fn(w, item));
        });
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
        let allowed = self.cx.clippy_allowed.len();
        if let syn::Stmt::Local(local) = stmt {
            self.cx
                .clippy_allowed
                .extend(clippy_lints_allowed(&local.attrs));
        }
        if let syn::Stmt::Expr(expr, Some(_)) = stmt {
            self.cx.statements.push(std::ptr::from_ref(expr).addr());
            self.hooks(|rule, cx| rule.check_stmt(cx, stmt));
            visit::visit_stmt(self, stmt);
            self.cx.statements.pop();
        } else {
            self.hooks(|rule, cx| rule.check_stmt(cx, stmt));
            visit::visit_stmt(self, stmt);
        }
        self.cx.clippy_allowed.truncate(allowed);
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        visit::visit_local(self, local);
        let init = local
            .init
            .as_ref()
            .and_then(|init| self.cx.callee(&init.expr))
            .map(std::rc::Rc::unwrap_or_clone);
        self.bind(&local.pat, init);
        self.bind_type(local);
        if let (Some(name), Some(init)) = (resolve::bound_name(&local.pat), &local.init) {
            if let Some(root) = self.cx.chain_root(&init.expr) {
                if let Some(scope) = self.cx.scopes.last_mut() {
                    scope.bind_root(name, root);
                }
            }
        }
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        // Most rules ask for the callee of a call: resolve it once for all of them.
        if let Expr::Call(_) = expr {
            let callee = self.cx.resolve_callee(expr).map(std::rc::Rc::new);
            self.cx.callee_here = Some((std::ptr::from_ref(expr).addr(), callee));
        }
        self.hooks(|rule, cx| rule.check_expr(cx, expr));
        if matches!(expr, Expr::Call(_) | Expr::MethodCall(_)) {
            self.summary_call(expr);
        }
        self.cx.callee_here = None;
        match expr {
            Expr::Call(_) | Expr::MethodCall(_) | Expr::Try(_) | Expr::Await(_) => {
                inline::mark(expr, false, &mut self.inline);
            }
            Expr::ForLoop(f) => inline::mark(&f.expr, true, &mut self.inline),
            _ => {}
        }
        match expr {
            Expr::Closure(c) => {
                let addr = std::ptr::from_ref(expr).addr();
                let kind = if c.asyncness.is_some() {
                    BodyKind::AsyncClosure
                } else if let Some(at) = self.inline.iter().position(|a| *a == addr) {
                    self.inline.swap_remove(at);
                    BodyKind::InlineClosure
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
                self.summary_await(&a.base);
                self.cx.awaited.push(std::ptr::from_ref(&*a.base).addr());
                visit::visit_expr(self, expr);
                self.cx.awaited.pop();
            }
            Expr::Loop(l) => self.in_loop(LoopKind::Loop, loop_tests(None, &l.body), None, |w| {
                visit::visit_expr(w, expr);
            }),
            Expr::ForLoop(f) => {
                let iteration = Some(Iteration {
                    names: pattern_names(&f.pat),
                    over: (*f.expr).clone(),
                });
                self.cx.types.enter_scope();
                self.cx.types.hide(&f.pat);
                self.in_loop(LoopKind::For, loop_tests(None, &f.body), iteration, |w| {
                    visit::visit_expr(w, expr);
                });
                self.cx.types.leave_scope();
            }
            Expr::While(w) => {
                let (kind, cond) = if matches!(*w.cond, Expr::Let(_)) {
                    (LoopKind::WhileLet, None)
                } else {
                    (LoopKind::While, Some(&*w.cond))
                };
                self.in_loop(kind, loop_tests(cond, &w.body), None, |w| {
                    visit::visit_expr(w, expr);
                });
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

/// The [`LoopTest`]s of a loop with this `while` condition (if any) and body:
/// the condition, and the leading statements `if c { ..; break }` (or
/// `return`) of the body, up to the first statement that is not such an `if`.
fn loop_tests(cond: Option<&Expr>, body: &syn::Block) -> Vec<LoopTest> {
    let mut tests: Vec<LoopTest> = cond.cloned().map(LoopTest::RunsWhile).into_iter().collect();
    for stmt in &body.stmts {
        let syn::Stmt::Expr(Expr::If(test), _) = stmt else {
            break;
        };
        let leaves = test.else_branch.is_none()
            && matches!(
                test.then_branch.stmts.last(),
                Some(syn::Stmt::Expr(Expr::Break(_) | Expr::Return(_), _))
            );
        if !leaves {
            break;
        }
        tests.push(LoopTest::LeavesIf((*test.cond).clone()));
    }
    tests
}

/// Every name a pattern binds.
fn pattern_names(pat: &Pat) -> Vec<String> {
    struct Names(Vec<String>);
    impl<'ast> Visit<'ast> for Names {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.push(p.ident.to_string());
            visit::visit_pat_ident(self, p);
        }
    }
    let mut names = Names(Vec::new());
    names.visit_pat(pat);
    names.0
}

/// The clippy lints `#[allow(..)]` / `#[expect(..)]` attributes name
/// (`clippy::await_holding_lock` gives `await_holding_lock`).
fn clippy_lints_allowed(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut lints = Vec::new();
    for attr in attrs {
        if !(attr.path().is_ident("allow") || attr.path().is_ident("expect")) {
            continue;
        }
        // `reason = ".."` is a name-value, not a lint.
        let Ok(metas) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        for meta in metas {
            let syn::Meta::Path(path) = meta else {
                continue;
            };
            if let [tool, lint] = path.segments.iter().collect::<Vec<_>>().as_slice() {
                if tool.ident == "clippy" {
                    lints.push(lint.ident.to_string());
                }
            }
        }
    }
    lints
}
