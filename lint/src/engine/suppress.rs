//! `// asyncheck: allow(rule, ...) reason` comments: which rules are silenced on which lines.
//!
//! syn drops comments, so they are found in the source text. A candidate is
//! only a comment when it is not inside a string literal or doc comment, which
//! is checked by lexing the file with proc-macro2 — only for files that contain
//! the marker at all.

use foldhash::HashMap;
use std::path::Path;

use proc_macro2::{LineColumn, TokenStream, TokenTree};

use super::finding::EngineFinding;
use crate::{Finding, LineIndex, Span};

const MARKER: &str = "asyncheck:";

/// The allow comments of one file.
#[derive(Debug, Default)]
pub(crate) struct Allows {
    /// line (1-based) → rules allowed on that line.
    lines: HashMap<usize, Vec<String>>,
}

impl Allows {
    /// Whether `finding` is silenced: by a trailing comment on its first line, or
    /// by a comment on a line of its own directly above it.
    pub(crate) fn silences(&self, finding: &Finding) -> bool {
        self.lines
            .get(&finding.span.line)
            .is_some_and(|rules| rules.iter().any(|r| r == finding.rule))
    }

    /// Whether an allow comment silences `rule` on `line` (as [`silences`](Self::silences)).
    pub(crate) fn allows(&self, rule: &str, line: usize) -> bool {
        self.lines
            .get(&line)
            .is_some_and(|rules| rules.iter().any(|r| r == rule))
    }
}

/// Finds the allow comments in `source`; a name not among `known` comes back as an `unknown_rule_in_allow` finding.
pub(crate) fn scan(path: &Path, source: &str, known: &[&str]) -> (Allows, Vec<Finding>) {
    let mut allows = Allows::default();
    let mut findings = Vec::new();
    if !source.contains(MARKER) {
        return (allows, findings);
    }
    let literals = literal_spans(source);
    let lines = LineIndex::new(source);
    for line_no in 1..=lines.line_count() {
        let Some(line) = lines.line(line_no) else {
            continue;
        };
        let Some((comment_col, list_col, list)) = allow_list(line) else {
            continue;
        };
        let at = LineColumn {
            line: line_no,
            column: comment_col,
        };
        if literals
            .iter()
            .any(|(start, end)| *start <= at && at < *end)
        {
            continue;
        }
        let mut rules = Vec::new();
        let mut offset = 0;
        for name in list.split(',') {
            let trimmed = name.trim();
            let start = list_col + offset + (name.len() - name.trim_start().len());
            offset += name.len() + 1;
            if trimmed.is_empty() {
                continue;
            }
            if known.contains(&trimmed) {
                rules.push(trimmed.to_owned());
            } else {
                let column = line[..start].chars().count() + 1;
                findings.push(EngineFinding::UnknownRuleInAllow.at(
                    path,
                    Span {
                        line: line_no,
                        column,
                        end_line: line_no,
                        end_column: column + trimmed.chars().count(),
                    },
                    format!("unknown rule `{trimmed}` in an allow comment"),
                    format!("known rules are `{}`", known.join("`, `")),
                ));
            }
        }
        let own_line = line[..line.find("//").unwrap_or(0)].trim().is_empty();
        let target = if own_line { line_no + 1 } else { line_no };
        allows.lines.entry(target).or_default().extend(rules);
    }
    (allows, findings)
}

/// Parses `// asyncheck: allow(a, b) reason` out of a line: (column of `//` in chars, byte offset of the list, the list).
fn allow_list(line: &str) -> Option<(usize, usize, &str)> {
    let slash = line.find("//")?;
    let rest = line[slash + 2..].trim_start();
    let rest = rest.strip_prefix(MARKER)?.trim_start();
    let rest = rest.strip_prefix("allow")?.trim_start();
    let rest = rest.strip_prefix('(')?;
    let close = rest.find(')')?;
    let list_start = line.len() - rest.len();
    Some((line[..slash].chars().count(), list_start, &rest[..close]))
}

/// Start and end of every literal token (doc comments included), so markers inside strings are ignored.
fn literal_spans(source: &str) -> Vec<(LineColumn, LineColumn)> {
    fn walk(stream: TokenStream, out: &mut Vec<(LineColumn, LineColumn)>) {
        for tree in stream {
            match tree {
                TokenTree::Literal(lit) => out.push((lit.span().start(), lit.span().end())),
                TokenTree::Group(group) => walk(group.stream(), out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    if let Ok(stream) = source.parse::<TokenStream>() {
        walk(stream, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;

    const KNOWN: &[&str] = &["blocking_sleep", "nested_runtime"];

    fn finding(rule: &'static str, line: usize) -> Finding {
        Finding {
            rule,
            severity: Severity::Warning,
            message: String::new(),
            path: "a.rs".into(),
            span: Span {
                line,
                column: 1,
                end_line: line,
                end_column: 2,
            },
            help: String::new(),
            fix: None,
            notes: Vec::new(),
            in_test_code: false,
            call_chain_from: None,
        }
    }

    #[test]
    fn allow_covers_the_commented_line() {
        let src = "fn a() {}\n// asyncheck: allow(blocking_sleep) startup only\nx();\ny(); // asyncheck: allow(nested_runtime, blocking_sleep)\nz();\n";
        let (allows, unknown) = scan(Path::new("a.rs"), src, KNOWN);
        assert!(unknown.is_empty());
        assert!(!allows.silences(&finding("blocking_sleep", 1)));
        assert!(
            allows.silences(&finding("blocking_sleep", 3)),
            "own-line comment covers the next line"
        );
        assert!(!allows.silences(&finding("blocking_sleep", 4 + 1)));
        assert!(
            !allows.silences(&finding("nested_runtime", 3)),
            "only the named rules"
        );
        assert!(
            allows.silences(&finding("nested_runtime", 4)),
            "trailing comment covers its line"
        );
        assert!(
            !allows.silences(&finding("nested_runtime", 5)),
            "trailing comment does not cover the next line"
        );
    }

    #[test]
    fn unknown_names_are_reported_at_their_column() {
        let src = "x(); // asyncheck: allow(blocking_sleep, blocking_slep)\n";
        let (_, unknown) = scan(Path::new("a.rs"), src, KNOWN);
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0].rule, EngineFinding::UnknownRuleInAllow.name());
        assert_eq!(
            (unknown[0].span.column, unknown[0].span.end_column),
            (42, 55)
        );
    }

    #[test]
    fn a_byte_order_mark_is_not_a_column_of_line_one() {
        let src = "\u{feff}x(); // asyncheck: allow(nope)\n";
        let (_, unknown) = scan(Path::new("a.rs"), src, KNOWN);
        assert_eq!(
            (unknown[0].span.column, unknown[0].span.end_column),
            (26, 30)
        );
    }

    #[test]
    fn markers_inside_strings_are_not_comments() {
        let src = "const S: &str = \"// asyncheck: allow(nope)\";\n";
        let (allows, unknown) = scan(Path::new("a.rs"), src, KNOWN);
        assert!(unknown.is_empty());
        assert!(allows.lines.is_empty());
    }
}
