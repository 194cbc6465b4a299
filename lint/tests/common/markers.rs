//! `//~ rule` markers in fixtures: the findings a fixture announces, and how a report differs from them.

use std::collections::BTreeSet;

use asyncheck_lint::Report;

/// The `(line, rule)` pairs announced by `//~ rule` markers.
pub(crate) fn markers(source: &str) -> BTreeSet<(usize, String)> {
    let mut out = BTreeSet::new();
    for (index, line) in source.lines().enumerate() {
        if let Some((_, rules)) = line.split_once("//~") {
            for rule in rules.split(',') {
                out.insert((index + 1, rule.trim().to_owned()));
            }
        }
    }
    out
}

/// One line per marked finding the report lacks and per finding it has unmarked, for fixture `name`.
pub(crate) fn mismatches(
    name: &str,
    expected: &BTreeSet<(usize, String)>,
    report: &Report,
) -> Vec<String> {
    let found: BTreeSet<(usize, String)> = report
        .findings()
        .iter()
        .map(|f| (f.span.line, f.rule.to_owned()))
        .collect();
    let missing = expected
        .difference(&found)
        .map(|(line, rule)| format!("{name}.rs:{line}: marked `{rule}` but not flagged"));
    let extra = found
        .difference(expected)
        .map(|(line, rule)| format!("{name}.rs:{line}: flagged `{rule}` but not marked"));
    missing.chain(extra).collect()
}
