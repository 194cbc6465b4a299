//! Reading the Rust code inside macro invocations: `select!` branches, expression lists, and the bodies of macros we do not know.
//!
//! Anything that does not parse is skipped silently — a macro we cannot read
//! is a macro we do not check.
//!
//! The arguments of a macro we do not know (a project's `retry!(3, fetch())`,
//! `rt_test! { async fn .. }`) are checked when they parse as comma-separated
//! expressions or as a block of statements and items, in the body the macro
//! stands in; `stream!`/`try_stream!` bodies as `async` blocks. Not read: a
//! `macro_rules!` definition, macros whose bodies are code to generate or
//! another language (`quote!`, `html!`, `sql!`, `json!`, …) or are not
//! evaluated (`stringify!`, `cfg!`, …), and macros whose name says they run
//! their arguments elsewhere (`spawn_*!`, `*block*!`, `*thread*!`).

use syn::parse::discouraged::Speculative;
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
    /// An unknown macro's statements, as a block of their own.
    Block(syn::Block),
    /// The body of an async generator (`stream! { .. }`): an `async` block.
    Stream(syn::Block),
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

/// Macros whose bodies are not Rust code run where the macro stands: code
/// generation, other languages, text, compile-time values, definitions.
const OPAQUE_MACROS: &[&str] = &[
    "macro_rules",
    "quote",
    "quote_spanned",
    "parse_quote",
    "parse_quote_spanned",
    "format_ident",
    "parse_macro_input",
    "stringify",
    "concat",
    "concat_idents",
    "include",
    "include_str",
    "include_bytes",
    "env",
    "option_env",
    "cfg",
    "compile_error",
    "line",
    "column",
    "file",
    "module_path",
    "matches",
    "html",
    "rsx",
    "view",
    "sql",
    "json",
    "css",
    "xml",
    "toml",
    "yaml",
    "lazy_static",
    "thread_local",
    "task_local",
];

/// Async generators: their body runs as a stream's, when it is polled.
const STREAM_MACROS: &[&str] = &["stream", "try_stream"];

/// Parses the body of a macro we know the shape of, or of one we do not know
/// (see the module docs).
pub(crate) fn parse(mac: &syn::Macro) -> Option<MacroBody> {
    let name = mac.path.segments.last()?.ident.to_string();
    if name == "select" || name == "select_biased" {
        return mac
            .parse_body_with(parse_select)
            .ok()
            .map(MacroBody::Select);
    }
    if !EXPR_MACROS.contains(&name.as_str()) {
        return parse_unknown(mac, &name);
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

fn parse_unknown(mac: &syn::Macro, name: &str) -> Option<MacroBody> {
    let elsewhere = ["spawn", "block", "thread"]
        .iter()
        .any(|word| name.contains(word));
    if OPAQUE_MACROS.contains(&name) || elsewhere {
        return None;
    }
    let block = |stmts| syn::Block {
        brace_token: syn::token::Brace {
            span: *mac.delimiter.span(),
        },
        stmts,
    };
    if STREAM_MACROS.contains(&name) {
        let stmts = mac.parse_body_with(syn::Block::parse_within).ok()?;
        return Some(MacroBody::Stream(block(stmts)));
    }
    // Expressions if the whole body is a list of them, else statements; one
    // parse of the body's tokens for both tries (each `parse_body_with` copies
    // them all first).
    let exprs_or_stmts = |input: ParseStream<'_>| {
        let exprs = input.fork();
        if let Ok(list) = Punctuated::<Expr, Token![,]>::parse_terminated(&exprs) {
            input.advance_to(&exprs);
            return Ok(MacroBody::Exprs(list.into_iter().collect()));
        }
        syn::Block::parse_within(input).map(|stmts| MacroBody::Block(block(stmts)))
    };
    mac.parse_body_with(exprs_or_stmts).ok()
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
        let dsl: syn::Macro = syn::parse_str("my_dsl! { a => b; }").unwrap();
        assert!(parse(&dsl).is_none());
        let template: syn::Macro = syn::parse_str("quote! { fn f() { g() } }").unwrap();
        assert!(parse(&template).is_none());
        let odd: syn::Macro = syn::parse_str("assert!(=> nonsense)").unwrap();
        assert!(parse(&odd).is_none());
        let repeat: syn::Macro = syn::parse_str("vec![0u8; n]").unwrap();
        assert!(matches!(parse(&repeat), Some(MacroBody::Exprs(v)) if v.len() == 2));
    }

    #[test]
    fn unknown_macros_read_as_expressions_or_statements() {
        let args: syn::Macro = syn::parse_str("retry!(3, fetch(url))").unwrap();
        assert!(matches!(parse(&args), Some(MacroBody::Exprs(v)) if v.len() == 2));
        let body: syn::Macro = syn::parse_str("rt_test! { let x = f(); async fn g() {} }").unwrap();
        assert!(matches!(parse(&body), Some(MacroBody::Block(b)) if b.stmts.len() == 2));
        let stream: syn::Macro = syn::parse_str("stream! { yield f(); }").unwrap();
        assert!(matches!(parse(&stream), Some(MacroBody::Stream(_))));
        let offloaded: syn::Macro = syn::parse_str("spawn_blocking!(f())").unwrap();
        assert!(parse(&offloaded).is_none());
    }
}
