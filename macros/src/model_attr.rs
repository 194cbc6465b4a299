//! `#[asyncheck::model]`: parse `preemption_bound` / `max_branches`, and expand a
//! sync or async fn into a `#[test]` that runs its body under `loom::model`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{Error, ItemFn, ReturnType};

use crate::options::{self, Errors, int, positive_int, with_error};

/// Expands `#[asyncheck::model(args)] item`; on error the function is emitted
/// unchanged next to `compile_error!`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(func) => func,
        Err(err) => return with_error(item, &err),
    };
    let mut preemption_bound: Option<(usize, Span)> = None;
    let mut max_branches: Option<(usize, Span)> = None;
    let mut errors = Errors::default();
    errors.check(options::parse(args, &[options::MODEL], |name, meta| {
        match name {
            "preemption_bound" => {
                preemption_bound = Some(int(meta, name, "a number", "preemption_bound = 3")?);
            }
            "max_branches" => {
                max_branches = Some(positive_int(meta, name, "a number", "max_branches = 1000")?);
            }
            _ => unreachable!("option `{name}` is not in the table"),
        }
        Ok(())
    }));
    let sig = &func.sig;
    if !sig.inputs.is_empty() {
        errors.add(Error::new(
            sig.inputs.span(),
            "a model function cannot take arguments",
        ));
    }
    if !sig.generics.params.is_empty() {
        errors.add(Error::new(
            sig.generics.span(),
            "a model function cannot be generic",
        ));
    }
    if let ReturnType::Type(_, ty) = &sig.output {
        errors.add(Error::new(
            ty.span(),
            "a model function returns nothing: loom runs it once per interleaving",
        ));
    }
    if let Err(err) = errors.finish() {
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
        let out = expand_str("max_branch = 2", "fn m() {}");
        assert!(
            out.contains("unknown option `max_branch`; did you mean `max_branches`?"),
            "{out}"
        );
        let out = expand_str("max_branches = 9, max_branches = 9", "fn m() {}");
        assert!(
            out.contains("option `max_branches` is given more than once"),
            "{out}"
        );
        let out = expand_str("max_branches = 0", "fn m(x: u8) -> u8 { x }");
        assert!(out.contains("`max_branches` must be at least 1"), "{out}");
        assert!(out.contains("cannot take arguments"), "{out}");
        assert!(out.contains("returns nothing"), "{out}");
    }
}
