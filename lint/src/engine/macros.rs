//! Reading the Rust code inside macro invocations: `select!` branches and expression lists.
//!
//! Anything that does not parse is skipped silently — a macro we cannot read
//! is a macro we do not check.

use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Pat, Stmt, Token};

/// A `tokio::select!` / `futures::select!` invocation.
#[derive(Debug)]
pub(crate) struct Select {
    /// The branches in source order, `else`/`default`/`complete` included.
    pub(crate) branches: Vec<SelectBranch>,
}

/// One `pattern = future, if guard => handler` branch.
#[derive(Debug)]
pub(crate) struct SelectBranch {
    /// `None` for `else`, `default` and `complete` branches.
    pub(crate) future: Option<Expr>,
    /// The precondition after `, if`.
    pub(crate) guard: Option<Expr>,
    /// What runs when the branch is chosen.
    pub(crate) handler: Expr,
}

/// What the walker should visit inside a macro.
pub(crate) enum MacroBody {
    Select(Select),
    Exprs(Vec<Expr>),
    Stmts(Vec<Stmt>),
}

/// Macros whose arguments are comma-separated expressions.
const EXPR_MACROS: &[&str] = &[
    "join",
    "try_join",
    "pin",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "vec",
    "println",
    "print",
    "eprintln",
    "eprint",
    "format",
    "format_args",
    "write",
    "writeln",
    "panic",
    "dbg",
    "todo",
    "unreachable",
    "unimplemented",
];

/// Parses the body of a macro we know the shape of.
pub(crate) fn parse(mac: &syn::Macro) -> Option<MacroBody> {
    let name = mac.path.segments.last()?.ident.to_string();
    if name == "select" || name == "select_biased" {
        return mac
            .parse_body_with(parse_select)
            .ok()
            .map(MacroBody::Select);
    }
    if !EXPR_MACROS.contains(&name.as_str()) {
        return None;
    }
    if let Ok(list) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
        return Some(MacroBody::Exprs(list.into_iter().collect()));
    }
    if name == "vec" {
        let repeat = |input: ParseStream<'_>| {
            let elem: Expr = input.parse()?;
            input.parse::<Token![;]>()?;
            let len: Expr = input.parse()?;
            Ok(vec![elem, len])
        };
        return mac.parse_body_with(repeat).ok().map(MacroBody::Exprs);
    }
    if name == "pin" {
        return syn::Block::parse_within
            .parse2(mac.tokens.clone())
            .ok()
            .map(MacroBody::Stmts);
    }
    None
}

fn parse_select(input: ParseStream<'_>) -> syn::Result<Select> {
    if input.peek(syn::Ident) && input.peek2(Token![;]) {
        let ident: syn::Ident = input.parse()?;
        if ident != "biased" {
            return Err(syn::Error::new(ident.span(), "expected `biased`"));
        }
        input.parse::<Token![;]>()?;
    }
    let mut branches = Vec::new();
    while !input.is_empty() {
        let is_fallback =
            (input.peek(Token![else]) || input.peek(Token![default]) || input.peek(syn::Ident))
                && input.peek2(Token![=>]);
        let (future, guard) = if is_fallback {
            input.parse::<proc_macro2::TokenTree>()?;
            (None, None)
        } else {
            let _pat: Pat = Pat::parse_multi_with_leading_vert(input)?;
            input.parse::<Token![=]>()?;
            let future: Expr = input.parse()?;
            let guard = if input.peek(Token![,]) && input.peek2(Token![if]) {
                input.parse::<Token![,]>()?;
                input.parse::<Token![if]>()?;
                Some(input.parse::<Expr>()?)
            } else {
                None
            };
            (Some(future), guard)
        };
        input.parse::<Token![=>]>()?;
        let handler: Expr = input.parse()?;
        branches.push(SelectBranch {
            future,
            guard,
            handler,
        });
        if !input.is_empty() {
            input.parse::<Token![,]>().or_else(|err| {
                // A block handler may omit the comma.
                if matches!(branches.last().map(|b| &b.handler), Some(Expr::Block(_))) {
                    Ok(Token![,](proc_macro2::Span::call_site()))
                } else {
                    Err(err)
                }
            })?;
        }
    }
    Ok(Select { branches })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_branches_parse_with_guards_fallbacks_and_bare_blocks() {
        let mac: syn::Macro = syn::parse_str(
            "tokio::select! { biased; Some(v) = rx.recv(), if open => { handle(v) } _ = token.cancelled() => break, else => {} }",
        )
        .unwrap();
        let Some(MacroBody::Select(select)) = parse(&mac) else {
            panic!("select! body did not parse");
        };
        assert_eq!(select.branches.len(), 3);
        assert!(select.branches[0].guard.is_some());
        assert!(select.branches[2].future.is_none());
    }

    #[test]
    fn unknown_and_unparsable_macros_are_skipped() {
        let unknown: syn::Macro = syn::parse_str("html! { <div></div> }").unwrap();
        assert!(parse(&unknown).is_none());
        let odd: syn::Macro = syn::parse_str("assert!(=> nonsense)").unwrap();
        assert!(parse(&odd).is_none());
        let repeat: syn::Macro = syn::parse_str("vec![0u8; n]").unwrap();
        assert!(matches!(parse(&repeat), Some(MacroBody::Exprs(v)) if v.len() == 2));
    }
}
