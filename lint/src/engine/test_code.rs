//! Which code is test code: files under `tests/`, `benches/` or `examples/`, test functions and `#[cfg(test)]` items.
//!
//! The walker asks [`is_test_file`] once per file and [`is_test_item`] for
//! each function, module and `impl` it enters; a finding made inside test
//! code says so ([`Finding::in_test_code`](crate::Finding::in_test_code)),
//! and the configuration's `[test-code]` table decides what happens to it.

use std::path::{Component, Path};

/// The directories whose files are all test code: Cargo's integration tests,
/// benchmarks and examples (at any depth, so a workspace member's count too).
const TEST_DIRS: &[&str] = &["tests", "benches", "examples"];

/// Whether every line of the file at `path` is test code: it sits under a
/// `tests/`, `benches/` or `examples/` directory, or it is a `tests.rs` /
/// `test.rs` module file (the usual home of a `#[cfg(test)] mod tests;`).
pub(crate) fn is_test_file(path: &Path) -> bool {
    let parent_dirs = path.parent().into_iter().flat_map(Path::components);
    let in_test_dir = parent_dirs
        .filter_map(|c| match c {
            Component::Normal(name) => name.to_str(),
            _ => None,
        })
        .any(|name| TEST_DIRS.contains(&name));
    let test_module = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n == "tests.rs" || n == "test.rs");
    in_test_dir || test_module
}

/// Whether an item with these attributes is test code: a test function
/// (`#[test]`, `#[tokio::test]`, `#[asyncheck::test]`, any attribute path
/// ending in `test`) or an item compiled only for tests (`#[cfg(test)]`, or a
/// `cfg(all(..))` that requires `test`).
pub(crate) fn is_test_item(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let path = attr.path();
        if path.segments.last().is_some_and(|s| s.ident == "test") {
            return true;
        }
        if !path.is_ident("cfg") {
            return false;
        }
        attr.parse_args::<syn::Meta>()
            .is_ok_and(|meta| requires_test(&meta))
    })
}

/// Whether the `cfg` predicate `meta` holds only when compiling tests.
fn requires_test(meta: &syn::Meta) -> bool {
    match meta {
        syn::Meta::Path(p) => p.is_ident("test"),
        syn::Meta::List(list) if list.path.is_ident("all") => list
            .parse_args_with(
                syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
            )
            .is_ok_and(|preds| preds.iter().any(requires_test)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_under_tests_benches_and_examples_are_test_code() {
        for path in [
            "tests/cli.rs",
            "crates/core/tests/it/main.rs",
            "benches/throughput.rs",
            "examples/echo.rs",
            "src/tests.rs",
            "src/net/test.rs",
        ] {
            assert!(is_test_file(Path::new(path)), "{path}");
        }
        for path in [
            "src/lib.rs",
            "src/testing.rs",
            "src/tests_util/mod.rs",
            "tests.rs/src/main.rs",
            "src/examples.rs",
        ] {
            assert!(!is_test_file(Path::new(path)), "{path}");
        }
    }

    #[test]
    fn test_functions_and_cfg_test_items_are_test_code() {
        let attrs = |src: &str| {
            let item: syn::ItemFn = syn::parse_str(&format!("{src} fn f() {{}}")).unwrap();
            item.attrs
        };
        for src in [
            "#[test]",
            "#[tokio::test]",
            "#[tokio::test(flavor = \"multi_thread\")]",
            "#[asyncheck::test(timeout = \"1s\")]",
            "#[cfg(test)]",
            "#[cfg(all(test, feature = \"net\"))]",
            "#[inline] #[cfg(test)]",
        ] {
            assert!(is_test_item(&attrs(src)), "{src}");
        }
        for src in [
            "",
            "#[tokio::main]",
            "#[cfg(not(test))]",
            "#[cfg(any(test, feature = \"testing\"))]",
            "#[cfg(feature = \"test\")]",
            "#[testing]",
        ] {
            assert!(!is_test_item(&attrs(src)), "{src}");
        }
    }
}
