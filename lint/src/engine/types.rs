//! Declared types, read from the syntax alone: the type of a local, a parameter, `self` or `self.field`, as a canonical path.
//!
//! No type checking happens here. A name's type is known when the code says
//! it: a `let x: T` annotation, a typed parameter `x: &T`, a constructor
//! (`T::new(..)`, `T::open(p).await?`, `T::builder()…build()`, `T { .. }`,
//! `Arc::new(T::new())`), `self` inside `impl T`, or `self.field` /
//! `x.field` when the struct is declared in the same file. Type aliases
//! declared in the same file are followed. Everything else is unknown, and
//! rules stay silent about what they cannot know.
//!
//! A type is given as the canonical path of its item (see
//! [`resolve`](super::resolve)), after peeling what does not change which
//! methods a value has: references, parentheses, and the smart pointers
//! `Arc`, `Rc` and `Box`. Locks are not peeled: the type of
//! `state: Arc<parking_lot::Mutex<State>>` is `parking_lot::Mutex`. A
//! written type is read by [`signature::param_type`], so a parameter (or
//! field) declared `impl Store`, `dyn Store` or as a generic bounded by one
//! trait of the crate has that trait as its type.
//!
//! The [`TypeEnv`] lives in the walker's [`Cx`](super::Cx); rules ask
//! through [`Cx::declared_type`](super::Cx::declared_type) and name what a
//! path is with [`LockKind`] or by comparing the path. It is the engine's one
//! source of receiver types: method calls resolve to the crate's functions
//! for summaries through it too ([`Cx::call_target`](super::Cx::call_target)).

use foldhash::{HashMap, HashMapExt};

use syn::{Expr, Type};

use super::resolve::{self, Canon, Scope};
use super::signature;

/// How many type aliases are followed before giving up (a cycle, or an alias of an alias of …).
const MAX_ALIAS_HOPS: usize = 8;

/// Methods that build a value of the type they are called on (`T::new(..)`), possibly wrapped
/// in a `Result`/`Option` or a future that `?`, `.await`, `.unwrap()` or `.expect(..)` peels.
const CONSTRUCTORS: &[&str] = &[
    "new",
    "default",
    "open",
    "create",
    "create_new",
    "connect",
    "connect_timeout",
    "bind",
    "from_std",
    "with_capacity",
];

/// What this file declares: struct fields and type aliases, by canonical path.
#[derive(Debug, Default)]
pub(crate) struct TypeEnv {
    /// `crate::m::S` → its named fields, each with its declared type (canonical, peeled).
    fields: HashMap<Canon, HashMap<String, Canon>>,
    /// `crate::m::Alias` → the canonical path of what it stands for (peeled).
    aliases: HashMap<Canon, Canon>,
    /// Local names, innermost scope last: `None` records a binding whose type is unknown,
    /// which hides any outer binding of that name.
    locals: Vec<HashMap<String, Option<Canon>>>,
}

/// The kind of a lock type, for telling a guard that blocks from one that is awaited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LockKind {
    /// `std::sync::Mutex` / `RwLock`: `.lock()` returns a `LockResult` of a guard.
    Std,
    /// `parking_lot`'s `Mutex`, `RwLock`, `FairMutex`, `ReentrantMutex`: `.lock()` returns the guard.
    ParkingLot,
    /// A lock whose `.lock()` is `.await`ed: tokio's, `futures::lock`, `async_lock`, `async_std`.
    Async,
}

impl LockKind {
    /// The kind of the lock type at `canon`, when it is a lock this module knows.
    pub(crate) fn of(canon: &[String]) -> Option<LockKind> {
        let path: Vec<&str> = canon.iter().map(String::as_str).collect();
        match path[..] {
            ["std", "sync", "Mutex" | "RwLock"] => Some(LockKind::Std),
            [
                "parking_lot",
                "Mutex" | "RwLock" | "FairMutex" | "ReentrantMutex",
            ] => Some(LockKind::ParkingLot),
            ["tokio" | "async_std", "sync", "Mutex" | "RwLock"]
            | ["futures" | "futures_util", "lock", "Mutex"]
            | ["async_lock" | "async_std" | "smol", "Mutex" | "RwLock"] => Some(LockKind::Async),
            _ => None,
        }
    }
}

impl TypeEnv {
    /// Records the struct fields and type aliases among the `items` of the module at
    /// `module_path`, resolving their types in `scopes` (the module's scope innermost).
    pub(crate) fn add_module(
        &mut self,
        module_path: &[String],
        items: &[syn::Item],
        scopes: &[Scope],
    ) {
        let canon_of = |ident: &syn::Ident| {
            let mut canon = vec!["crate".to_owned()];
            canon.extend_from_slice(module_path);
            canon.push(ident.to_string());
            canon
        };
        for item in items {
            match item {
                syn::Item::Struct(s) => {
                    let syn::Fields::Named(named) = &s.fields else {
                        continue;
                    };
                    let fields: HashMap<String, Canon> = named
                        .named
                        .iter()
                        .filter_map(|f| Some((f.ident.as_ref()?.to_string(), peel(&f.ty, scopes)?)))
                        .collect();
                    if !fields.is_empty() {
                        self.fields.insert(canon_of(&s.ident), fields);
                    }
                }
                syn::Item::Type(alias) if alias.generics.params.is_empty() => {
                    if let Some(target) = peel(&alias.ty, scopes) {
                        self.aliases.insert(canon_of(&alias.ident), target);
                    }
                }
                _ => {}
            }
        }
    }

    /// Opens a scope for local names (a block, a function's parameters, a closure's).
    pub(crate) fn enter_scope(&mut self) {
        self.locals.push(HashMap::new());
    }

    /// Closes the innermost scope of local names.
    pub(crate) fn leave_scope(&mut self) {
        self.locals.pop();
    }

    /// Records that `name` is bound here with type `ty` (`None`: unknown, hiding outer bindings).
    pub(crate) fn bind(&mut self, name: String, ty: Option<Canon>) {
        if let Some(scope) = self.locals.last_mut() {
            scope.insert(name, ty);
        }
    }

    /// Records every name `pat` binds as of unknown type (a closure parameter, a
    /// `match` arm, an `if let`): they hide outer bindings of the same names.
    pub(crate) fn hide(&mut self, pat: &syn::Pat) {
        if self.locals.is_empty() {
            return;
        }
        for name in pattern_names(pat) {
            // Only a name with a known type in an outer scope needs hiding.
            if self.local(&name).is_some() {
                self.bind(name, None);
            }
        }
    }

    /// The declared type of a local name, if a binding in scope says it.
    fn local(&self, name: &str) -> Option<&Canon> {
        for scope in self.locals.iter().rev() {
            if let Some(ty) = scope.get(name) {
                return ty.as_ref();
            }
        }
        None
    }

    /// Follows same-file type aliases from `canon`.
    pub(crate) fn unalias(&self, canon: Canon) -> Canon {
        let mut canon = canon;
        for _ in 0..MAX_ALIAS_HOPS {
            match self.aliases.get(&canon) {
                Some(target) => canon = target.clone(),
                None => break,
            }
        }
        canon
    }

    /// The declared type of `expr`: a local or parameter, `self` (whose type is
    /// `self_ty`: the enclosing `impl`'s type, or trait), a field of a value of
    /// known struct type (see the module docs).
    pub(crate) fn type_of(&self, expr: &Expr, self_ty: Option<&Canon>) -> Option<Canon> {
        let canon = match expr {
            Expr::Paren(p) => return self.type_of(&p.expr, self_ty),
            Expr::Reference(r) => return self.type_of(&r.expr, self_ty),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                return self.type_of(&u.expr, self_ty);
            }
            Expr::Path(p) if p.qself.is_none() => {
                let ident = p.path.get_ident()?;
                if ident == "self" {
                    self_ty?.clone()
                } else {
                    self.local(&ident.to_string())?.clone()
                }
            }
            Expr::Field(f) => {
                let syn::Member::Named(name) = &f.member else {
                    return None;
                };
                let owner = self.type_of(&f.base, self_ty)?;
                self.fields.get(&owner)?.get(&name.to_string())?.clone()
            }
            // `x.clone()` of an `Arc<T>` or a `T`.
            Expr::MethodCall(m) if m.method == "clone" && m.args.is_empty() => {
                return self.type_of(&m.receiver, self_ty);
            }
            _ => return None,
        };
        Some(self.unalias(canon))
    }

    /// The type a `let` initialiser builds, when it is a constructor call (see the module docs).
    pub(crate) fn constructed(&self, init: &Expr, scopes: &[Scope]) -> Option<Canon> {
        let resolve = |path: &syn::Path| resolve::resolve_with_globs(scopes, path);
        let canon = match unwrap_result(init) {
            Expr::Call(call) => {
                let Expr::Path(func) = &*call.func else {
                    return None;
                };
                if func.qself.is_some() {
                    return None;
                }
                let mut canon = resolve(&func.path)?;
                let f = canon.pop()?;
                let wrapper = canon.last().map(String::as_str);
                if f == "new"
                    && matches!(wrapper, Some("Arc" | "Rc" | "Box"))
                    && call.args.len() == 1
                {
                    return self.constructed(&call.args[0], scopes);
                }
                if !CONSTRUCTORS.contains(&f.as_str())
                    || !wrapper.is_some_and(|t| t.starts_with(char::is_uppercase))
                {
                    return None;
                }
                canon
            }
            // `T::builder()….build()`
            Expr::MethodCall(m) if m.method == "build" => {
                let mut root = &*m.receiver;
                while let Expr::MethodCall(inner) = root {
                    root = &inner.receiver;
                }
                let Expr::Call(call) = root else { return None };
                let Expr::Path(func) = &*call.func else {
                    return None;
                };
                let mut canon = resolve(&func.path)?;
                if canon.pop()? != "builder" {
                    return None;
                }
                canon
            }
            Expr::Struct(s) if s.qself.is_none() => resolve(&s.path)?,
            _ => return None,
        };
        Some(self.unalias(canon))
    }

    /// The declared type of a written type (`&Arc<T>` → `T`), aliases followed.
    pub(crate) fn declared(&self, ty: &Type, scopes: &[Scope]) -> Option<Canon> {
        peel(ty, scopes).map(|canon| self.unalias(canon))
    }
}

/// `e?`, `e.await`, `e.unwrap()`, `e.expect(..)` → `e`, repeatedly.
fn unwrap_result(mut expr: &Expr) -> &Expr {
    loop {
        match expr {
            Expr::Try(t) => expr = &t.expr,
            Expr::Await(a) => expr = &a.base,
            Expr::Paren(p) => expr = &p.expr,
            Expr::MethodCall(m) if m.method == "unwrap" || m.method == "expect" => {
                expr = &m.receiver;
            }
            _ => return expr,
        }
    }
}

/// The canonical path of `ty` after peeling references, parentheses and
/// `Arc`/`Rc`/`Box` (see [`signature::param_type`], which also knows
/// `impl Trait` and `dyn Trait` of a crate trait), outside any generics.
fn peel(ty: &Type, scopes: &[Scope]) -> Option<Canon> {
    signature::param_type(ty, &[], &[], scopes, None)
}

/// Every name a pattern binds.
fn pattern_names(pat: &syn::Pat) -> Vec<String> {
    let mut out = Vec::new();
    collect_names(pat, &mut out);
    out
}

fn collect_names(pat: &syn::Pat, out: &mut Vec<String>) {
    match pat {
        syn::Pat::Ident(p) => {
            out.push(p.ident.to_string());
            if let Some((_, sub)) = &p.subpat {
                collect_names(sub, out);
            }
        }
        syn::Pat::Type(p) => collect_names(&p.pat, out),
        syn::Pat::Reference(p) => collect_names(&p.pat, out),
        syn::Pat::Paren(p) => collect_names(&p.pat, out),
        syn::Pat::Tuple(p) => p.elems.iter().for_each(|e| collect_names(e, out)),
        syn::Pat::TupleStruct(p) => p.elems.iter().for_each(|e| collect_names(e, out)),
        syn::Pat::Slice(p) => p.elems.iter().for_each(|e| collect_names(e, out)),
        syn::Pat::Or(p) => p.cases.iter().for_each(|e| collect_names(e, out)),
        syn::Pat::Struct(p) => p.fields.iter().for_each(|f| collect_names(&f.pat, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The declared type of `expr` in the body of the last fn of `src` (module `m`),
    /// with that fn's parameters and `let`s bound as the walker binds them.
    fn type_in(src: &str, expr: &str) -> Option<String> {
        let file: syn::File = syn::parse_str(src).unwrap();
        let module = vec!["m".to_owned()];
        let scopes = vec![Scope::module(&module, &file.items)];
        let mut env = TypeEnv::default();
        env.add_module(&module, &file.items, &scopes);
        let mut body: Option<(Option<&Type>, &syn::Signature, &syn::Block)> = None;
        for item in &file.items {
            match item {
                syn::Item::Fn(f) => body = Some((None, &f.sig, &f.block)),
                syn::Item::Impl(i) => {
                    for it in &i.items {
                        if let syn::ImplItem::Fn(f) = it {
                            body = Some((Some(&i.self_ty), &f.sig, &f.block));
                        }
                    }
                }
                _ => {}
            }
        }
        let (self_ty, sig, block) = body.unwrap();
        let self_ty = self_ty.and_then(|ty| env.declared(ty, &scopes));
        env.enter_scope();
        for input in &sig.inputs {
            if let syn::FnArg::Typed(t) = input {
                let name = crate::engine::resolve::bound_name(&t.pat).unwrap();
                let ty = env.declared(&t.ty, &scopes);
                env.bind(name, ty);
            }
        }
        for stmt in &block.stmts {
            if let syn::Stmt::Local(local) = stmt {
                let name = crate::engine::resolve::bound_name(&local.pat).unwrap();
                let ty = match &local.pat {
                    syn::Pat::Type(t) => env.declared(&t.ty, &scopes),
                    _ => local
                        .init
                        .as_ref()
                        .and_then(|i| env.constructed(&i.expr, &scopes)),
                };
                env.bind(name, ty);
            }
        }
        let expr: Expr = syn::parse_str(expr).unwrap();
        env.type_of(&expr, self_ty.as_ref()).map(|c| c.join("::"))
    }

    #[test]
    fn parameters_annotations_and_constructors_give_a_type() {
        let src = "use std::sync::{Arc, Mutex}; use tokio::fs::File;
            fn f(a: &Arc<Mutex<u8>>, b: &mut File, c: Box<std::net::TcpStream>) {
                let d: parking_lot::RwLock<u8> = x();
                let e = File::open(p).await?;
                let g = reqwest::blocking::Client::builder().timeout(t).build().unwrap();
                let h = Arc::new(Mutex::new(0));
                let i = compute();
            }";
        assert_eq!(type_in(src, "a").as_deref(), Some("std::sync::Mutex"));
        assert_eq!(type_in(src, "*b").as_deref(), Some("tokio::fs::File"));
        assert_eq!(type_in(src, "c").as_deref(), Some("std::net::TcpStream"));
        assert_eq!(type_in(src, "d").as_deref(), Some("parking_lot::RwLock"));
        assert_eq!(type_in(src, "e").as_deref(), Some("tokio::fs::File"));
        assert_eq!(
            type_in(src, "g").as_deref(),
            Some("reqwest::blocking::Client")
        );
        assert_eq!(
            type_in(src, "h.clone()").as_deref(),
            Some("std::sync::Mutex")
        );
        assert_eq!(type_in(src, "i"), None);
        assert_eq!(type_in(src, "unknown"), None);
    }

    #[test]
    fn fields_of_self_and_aliases_are_followed() {
        let src = "use parking_lot::Mutex; type Shared = Arc<Mutex<State>>; type Again = Shared;
            struct Server { state: Again, client: reqwest::blocking::Client, inner: Inner }
            struct Inner { file: std::fs::File }
            impl Server { fn f(&self) {} }";
        assert_eq!(
            type_in(src, "self.state").as_deref(),
            Some("parking_lot::Mutex")
        );
        assert_eq!(
            type_in(src, "self.client").as_deref(),
            Some("reqwest::blocking::Client")
        );
        assert_eq!(
            type_in(src, "self.inner.file").as_deref(),
            Some("std::fs::File")
        );
        assert_eq!(type_in(src, "self.missing"), None);
    }

    #[test]
    fn lock_kinds_tell_std_parking_lot_and_async_locks_apart() {
        let kind = |s: &str| LockKind::of(&s.split("::").map(str::to_owned).collect::<Vec<_>>());
        assert_eq!(kind("std::sync::Mutex"), Some(LockKind::Std));
        assert_eq!(kind("parking_lot::RwLock"), Some(LockKind::ParkingLot));
        assert_eq!(kind("tokio::sync::Mutex"), Some(LockKind::Async));
        assert_eq!(kind("crate::m::Mutex"), None);
    }
}
