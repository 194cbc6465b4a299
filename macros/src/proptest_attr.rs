//! `#[asyncheck::proptest]`: parse `async fn name(#[strategy(s)] x: T, y: U)` and
//! the options, and expand into a `#[test]` running each case on a fresh test runtime.
//!
//! rustc parses an attribute's item before the attribute sees it, so proptest's
//! `x in strategy` (valid only inside its function-like `proptest!`) cannot be
//! written here; a strategy goes in a `#[strategy(…)]` attribute on the argument,
//! as in proptest's own `#[property_test]`.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::{Attribute, Block, Error, Expr, Ident, Meta, ReturnType, Token, Type, Visibility};

use crate::options::{self, Errors, positive_int};
use crate::test_attr::{Builder, runner};

/// `async fn name(args) { … }` where an argument is `#[strategy(s)] x: Type` or `x: Type`.
struct PropertyFn {
    attrs: Vec<Attribute>,
    vis: Visibility,
    asyncness: Option<Token![async]>,
    fn_token: Token![fn],
    ident: Ident,
    args: Punctuated<Arg, Token![,]>,
    output: ReturnType,
    block: Block,
}

struct Arg {
    name: Ident,
    ty: Type,
    /// The strategy: the `#[strategy(…)]` expression, or `any::<Type>()`; an
    /// invalid attribute is reported with the other errors.
    strategy: Result<TokenStream, Error>,
}

impl Parse for PropertyFn {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let asyncness = input.parse()?;
        let fn_token = input.parse()?;
        let ident = input.parse()?;
        let content;
        syn::parenthesized!(content in input);
        let args = content.parse_terminated(Arg::parse, Token![,])?;
        let output = input.parse()?;
        let block = input.parse()?;
        Ok(Self {
            attrs,
            vis,
            asyncness,
            fn_token,
            ident,
            args,
            output,
            block,
        })
    }
}

impl Parse for Arg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let name: Ident = input.parse()?;
        input.parse::<Token![:]>()?;
        let ty: Type = input.parse()?;
        let strategy = strategy_of(attrs).map(|strategy| {
            strategy.unwrap_or_else(|| {
                quote_spanned!(ty.span()=> ::asyncheck::__private::proptest::arbitrary::any::<#ty>())
            })
        });
        Ok(Self { name, ty, strategy })
    }
}

/// The strategy of an argument's `#[strategy(…)]` or `#[strategy = …]`, if any.
fn strategy_of(attrs: Vec<Attribute>) -> Result<Option<TokenStream>, Error> {
    let mut strategy = None;
    for attr in attrs {
        if !attr.path().is_ident("strategy") || strategy.is_some() {
            return Err(Error::new_spanned(
                &attr,
                "an argument of a property test takes one attribute, `#[strategy(...)]`",
            ));
        }
        let expr: Expr = match &attr.meta {
            Meta::List(list) => list.parse_args()?,
            Meta::NameValue(nv) => nv.value.clone(),
            Meta::Path(path) => {
                return Err(Error::new(
                    path.span(),
                    "`#[strategy]` needs a strategy, e.g. `#[strategy(0..100u32)]`",
                ));
            }
        };
        strategy = Some(expr.to_token_stream());
    }
    Ok(strategy)
}

/// Expands `#[asyncheck::proptest(args)] item`. When the function itself parses,
/// errors are emitted next to a stub `#[test]` of the same name, so that the rest
/// of the file still resolves.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let func: PropertyFn = match syn::parse2(item) {
        Ok(func) => func,
        Err(err) => return err.to_compile_error(),
    };
    let mut builder = Builder::default();
    let mut cases = None;
    let mut errors = Errors::default();
    errors.check(options::parse(
        args,
        &[options::PROPTEST_OWN, options::TEST],
        |name, meta| {
            if name == "cases" {
                let (n, _) = positive_int::<u32>(meta, name, "a number of cases", "cases = 64")?;
                cases = Some(n);
                return Ok(());
            }
            builder.option(name, meta)
        },
    ));
    if func.asyncness.is_none() {
        errors.add(Error::new(
            func.fn_token.span,
            "the `async` keyword is missing from the function declaration: \
             `#[asyncheck::proptest]` runs an `async fn`",
        ));
    }
    for arg in &func.args {
        if let Err(err) = &arg.strategy {
            errors.add(err.clone());
        }
    }
    if func.args.is_empty() {
        errors.add(Error::new(
            func.ident.span(),
            "a property test needs at least one argument, `#[strategy(s)] name: Type` or \
             `name: Type`",
        ));
    }
    if let ReturnType::Type(_, ty) = &func.output {
        errors.add(Error::new(
            ty.span(),
            "a property test returns nothing: fail it with `assert!` or `prop_assert!`",
        ));
    }
    let config = errors.check(builder.build());
    match (errors.finish(), config) {
        (Ok(()), Some(mut config)) => {
            config.body_pauses = crate::pause::calls_pause(&func.block);
            expand_property(&func, &config, cases)
        }
        (result, _) => {
            let err = result
                .expect_err("build() returns a config or an error")
                .to_compile_error();
            let PropertyFn {
                attrs, vis, ident, ..
            } = &func;
            quote! {
                #[::core::prelude::v1::test]
                #(#attrs)*
                #vis fn #ident() {}
                #err
            }
        }
    }
}

fn expand_property(
    func: &PropertyFn,
    config: &crate::test_attr::Config,
    cases: Option<u32>,
) -> TokenStream {
    let PropertyFn {
        attrs,
        vis,
        ident,
        args,
        block,
        ..
    } = func;
    let builder = runner(config, ident);
    let names: Vec<&Ident> = args.iter().map(|a| &a.name).collect();
    let types = args.iter().map(|a| &a.ty);
    let strategies = args.iter().filter_map(|a| a.strategy.as_ref().ok());
    let cases = cases.map_or_else(
        || quote!(::core::option::Option::None),
        |n| quote!(::core::option::Option::Some(#n)),
    );
    let body = quote_spanned! {block.span()=>
        let _: () = #block;
        ::core::result::Result::<(), ::asyncheck::__private::proptest::test_runner::TestCaseError>::Ok(())
    };
    quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis fn #ident() {
            ::asyncheck::__private::run_property(
                &#builder,
                #cases,
                ::core::option::Option::Some(::core::file!()),
                &(#(#strategies,)*),
                |__asyncheck_input| {
                    let (#(#names,)*) = __asyncheck_input;
                    ::std::vec![#(::std::format!(
                        "{} = {:?}",
                        ::core::stringify!(#names),
                        #names
                    )),*]
                },
                |(#(#names,)*): (#(#types,)*)| async move { #body },
            );
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
    fn strategies_options_and_cases_reach_the_runner() {
        let out = expand_str(
            "cases = 64, timeout = \"1s\"",
            "async fn p(#[strategy(0..100u32)] x: u32, flag: bool) { assert!(x < 100 || flag); }",
        );
        assert!(out.contains("run_property"), "{out}");
        assert!(out.contains("Some (64u32)"), "{out}");
        assert!(out.contains("& (0 .. 100u32 ,"), "{out}");
        assert!(out.contains("arbitrary :: any :: < bool > ()"), "{out}");
        assert!(out.contains("from_millis (1000u64)"), "{out}");
        assert!(!out.contains("tokio"), "{out}");
        assert!(!out.contains("compile_error"), "{out}");
    }

    #[test]
    fn errors_keep_a_test_of_the_same_name() {
        let out = expand_str("case = 3", "async fn p(#[strategy(0..3u8)] x: u8) {}");
        assert!(
            out.contains("unknown option `case`; did you mean `cases`?"),
            "{out}"
        );
        assert!(out.contains("fn p ()"), "{out}");
        let out = expand_str("", "fn p() {}");
        assert!(out.contains("the `async` keyword is missing"), "{out}");
        assert!(out.contains("needs at least one argument"), "{out}");
        let out = expand_str("cases = 0", "async fn p(x: u8) {}");
        assert!(out.contains("`cases` must be at least 1"), "{out}");
        let out = expand_str("", "async fn p(#[strat(1..2)] x: u8) {}");
        assert!(
            out.contains("takes one attribute, `#[strategy(...)]`"),
            "{out}"
        );
        assert!(out.contains("fn p ()"), "{out}");
    }
}
