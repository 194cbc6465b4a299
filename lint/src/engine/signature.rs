//! What a function's signature says without type inference: the types of its parameters that calls on them resolve by, and whether its declared return type is a future.

use syn::{GenericParam, Generics, ReturnType, Type, TypeParamBound, WherePredicate};

use super::resolve::{self, Canon, Scope};

/// The path a method call on a parameter declared as `ty` resolves by — the
/// declared type [`TypeEnv`](super::types::TypeEnv) keeps for it:
///
/// - a type, through `&`, `&mut`, `Box<_>`, `Arc<_>`, `Rc<_>` (`cache: &Cache`
///   → `crate::store::Cache`, `file: &mut std::fs::File` → `std::fs::File`),
///   `Self` → `self_ty`;
/// - `impl Trait`, `dyn Trait` (also boxed), or a generic parameter bounded by
///   a trait (`T: Store`, `where T: Store`) → the trait, when exactly one bound
///   is a trait of the crate (`Send`, `Clone`, another crate's traits are
///   ignored: a method both had would not compile without naming the trait).
///
/// `None` otherwise.
///
/// `outer` are the generic parameters of the enclosing `impl`/`trait`, each
/// with its trait as [`generic_traits`] found it.
pub(crate) fn param_type(
    ty: &Type,
    generics: &[&Generics],
    outer: &[(String, Option<Canon>)],
    scopes: &[Scope],
    self_ty: Option<&Canon>,
) -> Option<Canon> {
    let recurse = |ty: &Type| param_type(ty, generics, outer, scopes, self_ty);
    match ty {
        Type::Reference(r) => recurse(&r.elem),
        Type::Paren(p) => recurse(&p.elem),
        Type::Group(g) => recurse(&g.elem),
        Type::ImplTrait(t) => crate_trait(t.bounds.iter(), scopes),
        Type::TraitObject(t) => crate_trait(t.bounds.iter(), scopes),
        Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            if p.path.segments.len() == 1 && last.ident == "Self" {
                return self_ty.cloned();
            }
            if p.path.segments.len() == 1 && last.arguments.is_none() {
                if let Some(bounds) = generic_bounds(&last.ident, generics) {
                    return crate_trait(bounds.into_iter(), scopes);
                }
                if let Some((_, bound)) = outer.iter().find(|(n, _)| last.ident == n) {
                    return bound.clone();
                }
            }
            if matches!(last.ident.to_string().as_str(), "Box" | "Arc" | "Rc") {
                return recurse(only_type_argument(last)?);
            }
            resolve::resolve_with_globs(scopes, &p.path)
        }
        _ => None,
    }
}

/// Each generic type parameter of `generics` with its one crate trait bound
/// (inline or in the `where` clause), if it has exactly one.
pub(crate) fn generic_traits(
    generics: &Generics,
    scopes: &[Scope],
) -> Vec<(String, Option<Canon>)> {
    generics
        .type_params()
        .map(|t| {
            let bounds = generic_bounds(&t.ident, &[generics]).unwrap_or_default();
            (t.ident.to_string(), crate_trait(bounds.into_iter(), scopes))
        })
        .collect()
}

/// The one type argument of `Box<T>`-like segments.
fn only_type_argument(segment: &syn::PathSegment) -> Option<&Type> {
    let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    });
    let first = types.next()?;
    types.next().is_none().then_some(first)
}

/// The bounds of the generic parameter `name` of any of `generics` (inline and `where`), if it is one.
fn generic_bounds<'g>(
    name: &syn::Ident,
    generics: &[&'g Generics],
) -> Option<Vec<&'g TypeParamBound>> {
    let mut found = false;
    let mut bounds = Vec::new();
    for g in generics {
        for param in &g.params {
            if let GenericParam::Type(t) = param {
                if t.ident == *name {
                    found = true;
                    bounds.extend(t.bounds.iter());
                }
            }
        }
        for predicate in g.where_clause.iter().flat_map(|w| &w.predicates) {
            if let WherePredicate::Type(p) = predicate {
                if let Type::Path(tp) = &p.bounded_ty {
                    if tp.qself.is_none() && tp.path.is_ident(name) {
                        bounds.extend(p.bounds.iter());
                    }
                }
            }
        }
    }
    found.then_some(bounds)
}

/// The one bound among `bounds` that is a trait of the checked crate.
fn crate_trait<'b>(
    bounds: impl Iterator<Item = &'b TypeParamBound>,
    scopes: &[Scope],
) -> Option<Canon> {
    let mut traits = bounds.filter_map(|b| match b {
        TypeParamBound::Trait(t) => {
            let canon = resolve::resolve(scopes, &t.path)?;
            canon.first().is_some_and(|s| s == "crate").then_some(canon)
        }
        _ => None,
    });
    let first = traits.next()?;
    traits.next().is_none().then_some(first)
}

/// Whether a parameter declared as `ty` is a future: `impl Future<..>`,
/// `Pin<Box<dyn Future<..>>>`, `BoxFuture`/`LocalBoxFuture`, or a generic
/// parameter of `generics` bounded by `Future` (inline or in a `where` clause).
pub(crate) fn is_future_param(ty: &Type, generics: &[&Generics], scopes: &[Scope]) -> bool {
    match ty {
        Type::ImplTrait(t) => has_future_bound(t.bounds.iter(), scopes),
        Type::Path(p) if p.qself.is_none() => {
            if let Some(ident) = p.path.get_ident() {
                if let Some(bounds) = generic_bounds(ident, generics) {
                    return has_future_bound(bounds.into_iter(), scopes);
                }
            }
            is_future_type(ty, scopes)
        }
        _ => false,
    }
}

/// What a declared return type says about calling the function.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Returns {
    /// A future: `impl Future<..>`, `Pin<Box<dyn Future<..> + ..>>`,
    /// `futures`' `BoxFuture`/`LocalBoxFuture`.
    Future,
    /// A type alias of the checked crate (`crate::…`), a future if the alias is one.
    Alias(Canon),
    /// Anything else.
    Other,
}

/// What calling a function declared to return `output` gives.
pub(crate) fn returns(output: &ReturnType, scopes: &[Scope]) -> Returns {
    let ReturnType::Type(_, ty) = output else {
        return Returns::Other;
    };
    match &**ty {
        Type::ImplTrait(t) if has_future_bound(t.bounds.iter(), scopes) => Returns::Future,
        Type::Path(p) if p.qself.is_none() => {
            if is_pinned_boxed_future(ty, scopes) {
                return Returns::Future;
            }
            let Some(canon) = resolve::resolve(scopes, &p.path) else {
                return Returns::Other;
            };
            if is_boxed_future_alias(&canon) {
                Returns::Future
            } else if canon.first().is_some_and(|s| s == "crate") {
                Returns::Alias(canon)
            } else {
                Returns::Other
            }
        }
        _ => Returns::Other,
    }
}

/// Whether the type of `type Alias = ty;` is a future (as [`returns`] sees it,
/// not following another alias).
pub(crate) fn is_future_type(ty: &Type, scopes: &[Scope]) -> bool {
    match ty {
        Type::Path(p) if p.qself.is_none() => {
            is_pinned_boxed_future(ty, scopes)
                || resolve::resolve(scopes, &p.path).is_some_and(|c| is_boxed_future_alias(&c))
        }
        _ => false,
    }
}

/// `futures`' own aliases of a pinned, boxed future.
fn is_boxed_future_alias(canon: &[String]) -> bool {
    let Some((name, path)) = canon.split_last() else {
        return false;
    };
    matches!(name.as_str(), "BoxFuture" | "LocalBoxFuture")
        && matches!(
            path.iter().map(String::as_str).collect::<Vec<_>>()[..],
            ["futures" | "futures_util" | "futures_core", "future"]
                | ["futures" | "futures_util" | "futures_core"]
        )
}

/// `Pin<Box<dyn Future<..> + ..>>` (with `Pin`/`Box` written with any path).
fn is_pinned_boxed_future(ty: &Type, scopes: &[Scope]) -> bool {
    let Type::Path(p) = ty else { return false };
    let Some(pin) = p.path.segments.last() else {
        return false;
    };
    if pin.ident != "Pin" {
        return false;
    }
    let Some(Type::Path(boxed)) = only_type_argument(pin) else {
        return false;
    };
    let Some(boxed) = boxed.path.segments.last() else {
        return false;
    };
    if boxed.ident != "Box" {
        return false;
    }
    matches!(only_type_argument(boxed), Some(Type::TraitObject(t)) if has_future_bound(t.bounds.iter(), scopes))
}

/// Whether one of `bounds` is the `Future` trait (std's, core's or futures' re-export).
fn has_future_bound<'b>(
    mut bounds: impl Iterator<Item = &'b TypeParamBound>,
    scopes: &[Scope],
) -> bool {
    bounds.any(|b| match b {
        TypeParamBound::Trait(t) => resolve::resolve(scopes, &t.path).is_some_and(|canon| {
            canon.last().is_some_and(|s| s == "Future")
                && canon.first().is_none_or(|s| s != "crate" && s != "{block}")
        }),
        _ => false,
    })
}

/// Whether a function body does nothing but build a future that has not
/// started: its only statement is `async { .. }`, `Box::pin(async { .. })` or
/// `async { .. }.boxed()` / `.boxed_local()` (see [`Fact::Lazy`](super::index::Fact::Lazy)).
pub(crate) fn only_builds_a_future(body: &syn::Block) -> bool {
    let [syn::Stmt::Expr(tail, None)] = body.stmts.as_slice() else {
        return false;
    };
    is_unstarted_future(tail)
}

fn is_unstarted_future(expr: &syn::Expr) -> bool {
    match expr {
        syn::Expr::Async(_) => true,
        syn::Expr::Paren(p) => is_unstarted_future(&p.expr),
        syn::Expr::Call(call) => {
            let syn::Expr::Path(func) = &*call.func else {
                return false;
            };
            let is_pin = func.path.segments.len() >= 2
                && func
                    .path
                    .segments
                    .iter()
                    .rev()
                    .take(2)
                    .map(|s| s.ident.to_string())
                    .eq(["pin", "Box"]);
            is_pin && call.args.len() == 1 && is_unstarted_future(&call.args[0])
        }
        syn::Expr::MethodCall(call) => {
            (call.method == "boxed" || call.method == "boxed_local")
                && call.args.is_empty()
                && is_unstarted_future(&call.receiver)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(src: &str) -> Vec<Scope> {
        let file: syn::File = syn::parse_str(src).unwrap();
        vec![Scope::module(&["m".to_owned()], &file.items)]
    }

    fn returns_of(src: &str, sig: &str) -> Returns {
        let f: syn::ItemFn = syn::parse_str(&format!("{sig} {{}}")).unwrap();
        returns(&f.sig.output, &scopes(src))
    }

    #[test]
    fn declared_futures_are_futures() {
        let src = "use std::future::Future; use futures::future::BoxFuture; use std::pin::Pin; type Fut = u8; struct Future;";
        for sig in [
            "fn f() -> impl std::future::Future<Output = u8>",
            "fn f() -> impl core::future::Future<Output = u8> + Send + 'static",
            "fn f<'a>() -> BoxFuture<'a, u8>",
            "fn f() -> futures::future::LocalBoxFuture<'static, ()>",
            "fn f() -> Pin<Box<dyn std::future::Future<Output = ()> + Send>>",
        ] {
            let src = src.replace("struct Future;", "");
            assert_eq!(returns_of(&src, sig), Returns::Future, "{sig}");
        }
        assert_eq!(
            returns_of(src, "fn f() -> Fut"),
            Returns::Alias(vec!["crate".into(), "m".into(), "Fut".into()])
        );
        for sig in [
            "fn f() -> u8",
            "fn f()",
            "fn f() -> impl Iterator<Item = u8>",
            "fn f() -> Box<dyn std::future::Future<Output = ()>>",
            "fn f() -> impl Future",
        ] {
            assert_eq!(
                returns_of(src, sig),
                Returns::Other,
                "{sig}: `Future` is the crate's own type here"
            );
        }
    }

    #[test]
    fn parameter_types_resolve_to_their_paths_and_single_crate_traits() {
        let src = "struct Cache; trait Store {} use std::sync::Arc;";
        let scopes = scopes(src);
        let ty = |sig: &str| {
            let f: syn::ItemFn = syn::parse_str(&format!("{sig} {{}}")).unwrap();
            let syn::FnArg::Typed(arg) = &f.sig.inputs[0] else {
                unreachable!()
            };
            param_type(&arg.ty, &[&f.sig.generics], &[], &scopes, None).map(|c| c.join("::"))
        };
        assert_eq!(ty("fn f(c: &Cache)").as_deref(), Some("crate::m::Cache"));
        assert_eq!(
            ty("fn f(c: Arc<Cache>)").as_deref(),
            Some("crate::m::Cache")
        );
        assert_eq!(
            ty("fn f(s: &impl Store)").as_deref(),
            Some("crate::m::Store")
        );
        assert_eq!(
            ty("fn f(s: Box<dyn Store + Send>)").as_deref(),
            Some("crate::m::Store")
        );
        assert_eq!(
            ty("fn f<T: Store + Clone>(s: &T)").as_deref(),
            Some("crate::m::Store")
        );
        assert_eq!(
            ty("fn f<T>(s: T) where T: Store").as_deref(),
            Some("crate::m::Store")
        );
        assert_eq!(
            ty("fn f(c: &mut std::process::Command)").as_deref(),
            Some("std::process::Command")
        );
        assert_eq!(ty("fn f(s: &impl Iterator<Item = u8>)"), None);
        assert_eq!(ty("fn f<T: Clone>(c: T)"), None);
        assert_eq!(ty("fn f(c: (Cache, u8))"), None);
    }
}
