//! Erasing the text of `///` and `//!` doc comments before parsing: same tokens, same spans, half the parse time on documented code.
//!
//! proc-macro2 turns each doc comment into a `#[doc = "…"]` attribute, escaping
//! its text char by char, and syn then parses that string literal back; on a
//! well-documented file (tokio's `sync/mpsc/bounded.rs`: 1,429 of its 1,967
//! lines are docs) that is half of the parse. No rule reads doc text, so
//! [`erase`] rewrites the first line doc comment of a run (doc comments of one
//! kind with only whitespace between them) as an attribute with an empty
//! string, padded with spaces to the comment's byte length (`/// Sends a value`
//! becomes `#[doc=""]        `), and the rest of the run as plain comments.
//! An attribute is allowed or not by its position alone, so syn accepts and
//! rejects exactly the same files, and sees the same token trees but for the
//! doc attributes; every other token keeps its line and column (a line
//! comment runs to the end of its line, and the line count does not change).
//!
//! Left as they are: block doc comments, the first doc comment of a run when
//! it is too short to hold the attribute, and any comment holding a bare
//! carriage return (which rustc rejects in doc comments). The lexing shares [`super::depth`]'s scanner,
//! which skips strings, raw strings, char literals and nested block comments.

use std::borrow::Cow;

use super::depth::{memchr, skip_literal_or_block_comment};

const OUTER: &[u8] = b"#[doc=\"\"]";
const INNER: &[u8] = b"#![doc=\"\"]";

/// `source` with the text of its line doc comments erased (see the module docs).
pub(crate) fn erase(source: &str) -> Cow<'_, str> {
    let bytes = source.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    // The kind and end of the doc comment that opened the current run of them.
    let mut run: Option<(&[u8], usize)> = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = line_end(bytes, i);
                let comment = &bytes[i..end];
                let Some(kind) = doc_kind(comment) else {
                    run = None;
                    i = end;
                    continue;
                };
                let continues = run.is_some_and(|(k, at)| {
                    k == kind && bytes[at..i].iter().all(u8::is_ascii_whitespace)
                });
                if comment.contains(&b'\r') {
                    run = None;
                } else if continues {
                    // One attribute per run is all the parser needs to see.
                    let out = out.get_or_insert_with(|| bytes.to_vec());
                    out[i + 2..end].fill(b' ');
                    run = Some((kind, end));
                } else {
                    if comment.len() >= kind.len() {
                        let out = out.get_or_insert_with(|| bytes.to_vec());
                        out[i..i + kind.len()].copy_from_slice(kind);
                        out[i + kind.len()..end].fill(b' ');
                    }
                    run = Some((kind, end));
                }
                i = end;
            }
            _ => i = skip_literal_or_block_comment(bytes, i),
        }
    }
    match out.map(String::from_utf8) {
        // Whole chars were replaced by ASCII, so this cannot fail; keep the text if it does.
        Some(Ok(erased)) => Cow::Owned(erased),
        _ => Cow::Borrowed(source),
    }
}

/// The end of the line comment starting at `i`: its `\r\n` or `\n`, or the end of the text.
fn line_end(bytes: &[u8], i: usize) -> usize {
    let newline = memchr(bytes, i, b'\n');
    if newline > i && bytes[newline - 1] == b'\r' {
        newline - 1
    } else {
        newline
    }
}

/// The attribute a line comment (line end excluded) stands for, when it is a doc comment.
fn doc_kind(comment: &[u8]) -> Option<&'static [u8]> {
    match comment {
        [b'/', b'/', b'/', b'/', ..] => None,
        [b'/', b'/', b'/', ..] => Some(OUTER),
        [b'/', b'/', b'!', ..] => Some(INNER),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proc_macro2::{TokenStream, TokenTree};

    use super::*;

    /// The token trees of `tokens`, flattened, with every doc attribute's string emptied.
    fn blank_docs(tokens: TokenStream, out: &mut Vec<String>) {
        for tree in tokens {
            match tree {
                TokenTree::Group(group) => {
                    let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                    let is_doc = matches!(&inner[..], [TokenTree::Ident(id), TokenTree::Punct(eq), TokenTree::Literal(_)]
                        if id == "doc" && eq.as_char() == '=');
                    out.push(format!("open {:?}", group.delimiter()));
                    if is_doc {
                        out.push("doc = \"\"".to_owned());
                    } else {
                        blank_docs(group.stream(), out);
                    }
                    out.push("close".to_owned());
                }
                other => out.push(other.to_string()),
            }
        }
    }

    /// `tokens` with each run of doc attributes (`#`, `[doc = ""]`, or `#!` …) shown once.
    fn collapse_runs(tokens: &[String]) -> Vec<String> {
        let doc = |at: usize| -> Option<usize> {
            let bang = usize::from(tokens.get(at + 1).is_some_and(|t| t == "!"));
            let attr = tokens.get(at..at + 4 + bang)?;
            (attr[0] == "#" && attr[1 + bang] == "open Bracket" && attr[2 + bang] == "doc = \"\"")
                .then_some(4 + bang)
        };
        let mut out: Vec<String> = Vec::new();
        let mut last: Option<Vec<String>> = None;
        let mut i = 0;
        while i < tokens.len() {
            if let Some(len) = doc(i) {
                let attr = tokens[i..i + len].to_vec();
                if last.as_ref() != Some(&attr) {
                    out.extend(attr.iter().cloned());
                }
                last = Some(attr);
                i += len;
            } else {
                last = None;
                out.push(tokens[i].clone());
                i += 1;
            }
        }
        out
    }

    /// The erased text lexes to the original's tokens with doc strings emptied,
    /// keeps its length and line count, and syn accepts both or neither.
    fn assert_same_tokens(src: &str) {
        let erased = erase(src);
        assert_eq!(erased.len(), src.len(), "{src:?}");
        assert_eq!(erased.lines().count(), src.lines().count(), "{src:?}");
        match (TokenStream::from_str(src), TokenStream::from_str(&erased)) {
            (Ok(a), Ok(b)) => {
                let (mut before, mut after) = (Vec::new(), Vec::new());
                blank_docs(a, &mut before);
                blank_docs(b, &mut after);
                assert_eq!(
                    collapse_runs(&before),
                    collapse_runs(&after),
                    "{src:?} -> {erased:?}"
                );
            }
            (Err(_), Err(_)) => {}
            (a, b) => panic!("lexing differs for {src:?} -> {erased:?}: {a:?} vs {b:?}"),
        }
        assert_eq!(
            syn::parse_file(src).is_ok(),
            syn::parse_file(&erased).is_ok(),
            "{src:?} -> {erased:?}"
        );
    }

    #[test]
    fn line_doc_comments_become_empty_attributes_of_the_same_length() {
        let src = "//! Crate docs here.\n/// Sends a value.\nfn send() {}\n";
        assert_eq!(
            erase(src),
            "#![doc=\"\"]          \n#[doc=\"\"]         \nfn send() {}\n"
        );
        assert_same_tokens(src);
    }

    #[test]
    fn a_run_of_doc_comments_keeps_one_attribute() {
        let src = "/// Sends a value.\n    /// More.\n///\n#[inline]\n/// After the attribute.\nfn send() {}\n";
        assert_eq!(
            erase(src),
            "#[doc=\"\"]         \n    //       \n// \n#[inline]\n#[doc=\"\"]               \nfn send() {}\n"
        );
        assert_same_tokens(src);
        // A plain comment between two doc comments ends the run.
        assert_same_tokens("/// One doc line.\n// plain\n/// Another doc line.\nfn f() {}\n");
    }

    #[test]
    fn plain_comments_strings_and_short_docs_are_left_alone() {
        for src in [
            "//// not a doc comment, four slashes\nfn f() {}\n",
            "// a plain comment /// with slashes\nfn f() {}\n",
            "fn f() { let s = \"/// not a comment\"; }\n",
            "fn f() { let s = r#\"\n/// inside a raw string\n\"#; }\n",
            "fn f() { let c = '/'; let d = '\\''; } // /// tail\n",
            "/* /* nested */ /// inside a block comment */ fn f() {}\n",
            "///\n/// x\nfn f() {}\n",
            "/** block doc comment, kept */ fn f() {}\n",
        ] {
            assert_same_tokens(src);
        }
        assert_eq!(erase("/// x\nfn f() {}\n"), "/// x\nfn f() {}\n");
        let raw = "fn f() { let s = r#\"\n/// inside a raw string\n\"#; }\n";
        assert!(matches!(erase(raw), Cow::Borrowed(_)));
    }

    #[test]
    fn crlf_bare_cr_and_misplaced_docs_keep_their_meaning() {
        assert_same_tokens("/// Windows line ends.\r\nfn f() {}\r\n");
        assert_eq!(
            erase("/// Windows line ends.\r\nfn f() {}\r\n"),
            "#[doc=\"\"]             \r\nfn f() {}\r\n"
        );
        // A bare CR is an error in a doc comment: the comment is kept, so it still is.
        let bare = "/// a bare \r carriage return\nfn f() {}\n";
        assert_eq!(erase(bare), bare);
        // Doc comments where no attribute may go are rejected before and after.
        for src in [
            "fn f() { let x = 1; /// trailing doc comment\n }\n",
            "fn f() {}\n/// a doc comment on nothing at all\n",
            "fn f() {}\n//! an inner doc comment too late\n",
            "struct S { /// field docs\n a: u8, /// dangling docs here\n }\n",
        ] {
            assert_same_tokens(src);
        }
    }

    #[test]
    fn every_rule_fixture_lexes_to_the_same_tokens() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let src = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            assert_same_tokens(&src);
            seen += 1;
        }
        assert!(seen >= 12, "only {seen} fixtures");
        // And this file, full of doc comments and tricky literals.
        assert_same_tokens(include_str!("docs.rs"));
        assert_same_tokens(include_str!("depth.rs"));
    }
}
