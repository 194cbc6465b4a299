//! The option layer every attribute shares: the table of options per attribute, one
//! parser that rejects unknown (with a did-you-mean) and repeated keys, the value
//! readers, and [`Errors`], which gathers every problem into one `compile_error!`.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Error, Lit};

/// Options of `#[asyncheck::test]`, in the order listed in error messages.
pub(crate) const TEST: &[&str] = &[
    "timeout",
    "real_time",
    "flavor",
    "worker_threads",
    "blocking_threshold",
    "leak_check",
    "allow_task_panics",
    "start_paused",
    "wall_timeout",
    "idle_limit",
    "unhandled_panic",
    "crate",
];

/// Options of `#[asyncheck::proptest]`: its own, then those of `#[asyncheck::test]`.
pub(crate) const PROPTEST_OWN: &[&str] = &["cases"];

/// Options of `#[asyncheck::model]`.
pub(crate) const MODEL: &[&str] = &["preemption_bound", "max_branches"];

/// Every error found while expanding one attribute, reported together.
#[derive(Default)]
pub(crate) struct Errors(Option<Error>);

impl Errors {
    /// Adds `err` to the report.
    pub(crate) fn add(&mut self, err: Error) {
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }

    /// The value of `result`, or `None` after adding its error to the report.
    pub(crate) fn check<T>(&mut self, result: Result<T, Error>) -> Option<T> {
        result.map_err(|err| self.add(err)).ok()
    }

    /// `Ok` when nothing was reported, else every error as one.
    pub(crate) fn finish(self) -> Result<(), Error> {
        self.0.map_or(Ok(()), Err)
    }
}

/// Parses `args` as `key`, `key = value`, … against the options `tables` (listed in
/// that order in the "unknown option" error): a key that is not a plain name or not
/// in the tables, or a key given twice, is an error; every other key is handed to
/// `option` with its name, to read its value. Stops at the first error, as syn's
/// meta parser does.
pub(crate) fn parse(
    args: TokenStream,
    tables: &[&[&'static str]],
    mut option: impl FnMut(&str, &ParseNestedMeta<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut seen: Vec<&'static str> = Vec::new();
    syn::meta::parser(|meta| {
        let valid = || tables.iter().flat_map(|t| t.iter().copied());
        let Some(ident) = meta.path.get_ident() else {
            return Err(meta.error(unknown_option(
                &meta.path.to_token_stream().to_string(),
                valid(),
            )));
        };
        let name = ident.to_string();
        let Some(known) = valid().find(|o| *o == name) else {
            return Err(Error::new(ident.span(), unknown_option(&name, valid())));
        };
        if seen.contains(&known) {
            return Err(Error::new(
                ident.span(),
                format!("option `{name}` is given more than once"),
            ));
        }
        option(known, &meta)?;
        seen.push(known);
        Ok(())
    })
    .parse2(args)
}

/// "unknown option `name`; did you mean `…`? valid options are: …".
pub(crate) fn unknown_option<'a>(name: &str, valid: impl Iterator<Item = &'a str>) -> String {
    let all: Vec<&str> = valid.collect();
    let listed: Vec<String> = all.iter().map(|o| format!("`{o}`")).collect();
    let suggestion = all
        .iter()
        .map(|o| (edit_distance(name, o), o))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, o)| format!("did you mean `{o}`? "))
        .unwrap_or_default();
    format!(
        "unknown option `{name}`; {suggestion}valid options are: {}",
        listed.join(", ")
    )
}

/// Levenshtein distance, for "did you mean" suggestions.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// The user's item, unchanged, followed by `compile_error!`s for `err`, so that
/// editors keep resolving and completing inside it.
pub(crate) fn with_error(item: TokenStream, err: &Error) -> TokenStream {
    let mut out = item;
    out.extend(err.to_compile_error());
    out
}

/// `#[asyncheck::<attribute>]` used while the `feature` of `asyncheck` is off: an
/// error naming the feature, spanned on the function's name, and an empty
/// `#[test]` of that name (the item may not compile without the attribute, as a
/// property test's `#[strategy]` arguments do not).
pub(crate) fn without_feature(attribute: &str, feature: &str, item: TokenStream) -> TokenStream {
    let mut tokens = item.into_iter();
    let message = format!(
        "`#[asyncheck::{attribute}]` needs the `{feature}` feature of `asyncheck`: \
         `asyncheck = {{ version = \"0.1\", features = [\"{feature}\"] }}` in \
         `[dev-dependencies]`"
    );
    // The name of `fn <name>`, wherever the attributes and qualifiers end.
    let name = tokens
        .by_ref()
        .find(|t| matches!(t, proc_macro2::TokenTree::Ident(i) if i == "fn"))
        .and_then(|_| tokens.next());
    let Some(proc_macro2::TokenTree::Ident(name)) = name else {
        return Error::new(Span::call_site(), message).to_compile_error();
    };
    let err = Error::new(name.span(), message).to_compile_error();
    quote::quote! {
        #[::core::prelude::v1::test]
        fn #name() {}
        #err
    }
}

/// Reads a flag: `name` alone, no value.
pub(crate) fn flag(meta: &ParseNestedMeta<'_>, name: &str) -> Result<(), Error> {
    if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
        return Err(meta.error(format!(
            "`{name}` is a flag and takes no value: write just `{name}`"
        )));
    }
    Ok(())
}

/// Reads the literal of `name = <literal>`; `expected` describes the value in the
/// error for a missing one.
pub(crate) fn literal(
    meta: &ParseNestedMeta<'_>,
    name: &str,
    expected: &str,
) -> Result<Lit, Error> {
    if !meta.input.peek(syn::Token![=]) {
        return Err(meta.error(format!("`{name}` needs a value: {expected}")));
    }
    meta.value()?.parse()
}

/// Reads `name = N`; `what` describes the number and `example` writes the option
/// out (`cases = 64`), for the errors.
pub(crate) fn int<N>(
    meta: &ParseNestedMeta<'_>,
    name: &str,
    what: &str,
    example: &str,
) -> Result<(N, Span), Error>
where
    N: std::str::FromStr,
    N::Err: std::fmt::Display,
{
    let lit = literal(meta, name, &format!("{what}, e.g. `{example}`"))?;
    let Lit::Int(n) = &lit else {
        return Err(Error::new(
            lit.span(),
            format!("`{name}` expects {what}, e.g. `{example}`"),
        ));
    };
    Ok((n.base10_parse()?, lit.span()))
}

/// Reads `name = N` with `N` at least 1, like [`int`].
pub(crate) fn positive_int<N>(
    meta: &ParseNestedMeta<'_>,
    name: &str,
    what: &str,
    example: &str,
) -> Result<(N, Span), Error>
where
    N: std::str::FromStr + PartialEq + From<u8>,
    N::Err: std::fmt::Display,
{
    let (value, span) = int::<N>(meta, name, what, example)?;
    if value == N::from(0) {
        return Err(Error::new(span, format!("`{name}` must be at least 1")));
    }
    Ok((value, span))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(args: &str, tables: &[&[&'static str]]) -> Result<Vec<String>, String> {
        let mut names = Vec::new();
        parse(args.parse().unwrap(), tables, |name, meta| {
            names.push(name.to_owned());
            if meta.input.peek(syn::Token![=]) {
                let _: Lit = meta.value()?.parse()?;
            }
            Ok(())
        })
        .map(|()| names)
        .map_err(|e| e.to_string())
    }

    #[test]
    fn keys_are_checked_against_the_tables_in_order() {
        assert_eq!(
            names("timeout = \"1s\", cases = 3", &[PROPTEST_OWN, TEST]),
            Ok(vec!["timeout".to_owned(), "cases".to_owned()])
        );
        let err = names("case = 3", &[PROPTEST_OWN, TEST]).unwrap_err();
        assert!(
            err.starts_with(
                "unknown option `case`; did you mean `cases`? valid options are: `cases`, \
                 `timeout`,"
            ),
            "{err}"
        );
        let err = names("a::b", &[MODEL]).unwrap_err();
        assert_eq!(
            err,
            "unknown option `a :: b`; valid options are: `preemption_bound`, `max_branches`"
        );
    }

    #[test]
    fn a_repeated_key_is_an_error_whatever_the_attribute() {
        for (args, table) in [
            ("max_branches = 1, max_branches = 2", MODEL),
            ("leak_check, leak_check", TEST),
        ] {
            let err = names(args, &[table]).unwrap_err();
            assert!(err.contains("is given more than once"), "{args}: {err}");
        }
    }

    #[test]
    fn unknown_options_suggest_the_closest_valid_one() {
        let test = || TEST.iter().copied();
        assert!(unknown_option("timout", test()).contains("did you mean `timeout`?"));
        assert!(unknown_option("realtime", test()).contains("did you mean `real_time`?"));
        assert!(!unknown_option("runtime", test()).contains("did you mean"));
        assert!(
            unknown_option("max_branch", MODEL.iter().copied())
                .contains("did you mean `max_branches`?")
        );
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn errors_gather_into_one() {
        let mut errors = Errors::default();
        assert!(errors.check(Ok::<u8, Error>(1)) == Some(1));
        errors.add(Error::new(Span::call_site(), "first"));
        assert!(
            errors
                .check(Err::<u8, _>(Error::new(Span::call_site(), "second")))
                .is_none()
        );
        let all: Vec<String> = errors
            .finish()
            .unwrap_err()
            .into_iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(all, ["first", "second"]);
    }
}
