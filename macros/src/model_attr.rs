//! `#[asyncheck::model]`: parse `preemption_bound` / `max_branches`, and expand a
//! sync or async fn into a `#[test]` that runs its body under `loom::model`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::parse::Parser;
use syn::spanned::Spanned as _;
use syn::{Error, ItemFn, Lit, ReturnType};

use crate::test_attr::{literal, with_error};

/// Every option, in the order listed in error messages.
const OPTIONS: &[&str] = &["preemption_bound", "max_branches"];

/// Expands `#[asyncheck::model(args)] item`; on error the function is emitted
/// unchanged next to `compile_error!`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(func) => func,
        Err(err) => return with_error(item, &err),
    };
    let mut preemption_bound: Option<(usize, Span)> = None;
    let mut max_branches: Option<(usize, Span)> = None;
    let parsed = syn::meta::parser(|meta| {
        let name = meta
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        let slot = match name.as_str() {
            "preemption_bound" => &mut preemption_bound,
            "max_branches" => &mut max_branches,
            _ => {
                let valid: Vec<String> = OPTIONS.iter().map(|o| format!("`{o}`")).collect();
                return Err(meta.error(format!(
                    "unknown option `{}`; valid options are: {}",
                    quote::ToTokens::to_token_stream(&meta.path),
                    valid.join(", ")
                )));
            }
        };
        if slot.is_some() {
            return Err(meta.error(format!("option `{name}` is given more than once")));
        }
        let lit = literal(&meta, &name, "a number, e.g. `= 3`")?;
        let Lit::Int(n) = &lit else {
            return Err(Error::new(
                lit.span(),
                format!("`{name}` expects a number, e.g. `{name} = 3`"),
            ));
        };
        *slot = Some((n.base10_parse()?, lit.span()));
        Ok(())
    })
    .parse2(args);
    let mut errors = parsed.err();
    let mut add = |err: Error| match &mut errors {
        Some(all) => all.combine(err),
        None => errors = Some(err),
    };
    if let Some((0, span)) = max_branches {
        add(Error::new(span, "`max_branches` must be at least 1"));
    }
    let sig = &func.sig;
    if !sig.inputs.is_empty() {
        add(Error::new(
            sig.inputs.span(),
            "a model function cannot take arguments",
        ));
    }
    if !sig.generics.params.is_empty() {
        add(Error::new(
            sig.generics.span(),
            "a model function cannot be generic",
        ));
    }
    if let ReturnType::Type(_, ty) = &sig.output {
        add(Error::new(
            ty.span(),
            "a model function returns nothing: loom runs it once per interleaving",
        ));
    }
    if let Some(err) = errors {
        return with_error(item, &err);
    }

    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = &func;
    let ident = &sig.ident;
    let option = |o: Option<(usize, Span)>| {
        o.map_or_else(
            || quote!(::core::option::Option::None),
            |(n, _)| quote!(::core::option::Option::Some(#n)),
        )
    };
    let (preemption_bound, max_branches) = (option(preemption_bound), option(max_branches));
    let body = if sig.asyncness.is_some() {
        quote_spanned! {block.span()=>
            || ::asyncheck::__private::loom::future::block_on(async #block)
        }
    } else {
        quote_spanned! {block.span()=> || #block }
    };
    quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis fn #ident() {
            ::asyncheck::__private::run_model(#preemption_bound, #max_branches, #body);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_str(args: &str, item: &str) -> String {
        expand(args.parse().unwrap(), item.parse().unwrap()).to_string()
    }

    #[test]
    fn bounds_reach_loom_and_async_bodies_use_its_block_on() {
        let out = expand_str(
            "preemption_bound = 2, max_branches = 500",
            "async fn m() { work().await; }",
        );
        assert!(out.contains("run_model (:: core :: option :: Option :: Some (2usize) , :: core :: option :: Option :: Some (500usize)"), "{out}");
        assert!(out.contains("loom :: future :: block_on (async"), "{out}");
        let out = expand_str("", "fn m() {}");
        assert!(
            out.contains("run_model (:: core :: option :: Option :: None"),
            "{out}"
        );
        assert!(!out.contains("block_on"), "{out}");
    }

    #[test]
    fn errors_keep_the_function() {
        let out = expand_str("preemption = 2", "fn still_here() {}");
        assert!(
            out.contains(
                "unknown option `preemption`; valid options are: `preemption_bound`, `max_branches`"
            ),
            "{out}"
        );
        assert!(out.contains("fn still_here"), "{out}");
        let out = expand_str("max_branches = 0", "fn m(x: u8) -> u8 { x }");
        assert!(out.contains("`max_branches` must be at least 1"), "{out}");
        assert!(out.contains("cannot take arguments"), "{out}");
        assert!(out.contains("returns nothing"), "{out}");
    }
}
