//! Rule fixtures: the `//~ rule` markers must match the findings exactly, and the
//! rendered output of each fixture is an insta snapshot (`cargo insta review`).
//!
//! Each rule has `fixtures/<rule>.rs`; a capability of a rule that needs its own
//! page of cases has `fixtures/<rule>__<capability>.rs`, checked with that rule only.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use asyncheck_lint::{Linter, RULES, Report};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Runs only the fixture's rule over the fixture `name` (`<rule>` or
/// `<rule>__<capability>`), as if the file were at `fixtures/<name>.rs`.
fn check_fixture(name: &str) -> (String, Report) {
    let rule = fixture_rule(name);
    let path = fixtures_dir().join(format!("{name}.rs"));
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("rule `{rule}` has no fixture at {}: {err}", path.display()));
    let linter = Linter::new().select(&[rule]).expect("registry rule");
    let report = linter.check_source(format!("fixtures/{name}.rs"), &source);
    (source, report)
}

/// The rule a fixture is for: `<rule>` of `<rule>` or `<rule>__<capability>`.
fn fixture_rule(name: &str) -> &str {
    name.split_once("__").map_or(name, |(rule, _)| rule)
}

/// Every fixture's name (its file stem), sorted: one per rule, then the capability fixtures.
fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            path.file_stem().unwrap().to_string_lossy().into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn findings_match_markers_in_every_fixture() {
    let mut failures = Vec::new();
    for name in fixture_names() {
        let (source, report) = check_fixture(&name);
        let expected = common::markers::markers(&source);
        failures.extend(common::markers::mismatches(&name, &expected, &report));
        let flagged = expected.len();
        assert!(
            flagged >= 10,
            "fixture `{name}` has only {flagged} flagged cases (need 10)"
        );
    }
    assert!(
        failures.is_empty(),
        "fixture mismatches:\n{}",
        failures.join("\n")
    );
}

#[test]
fn fixture_snapshots() {
    for name in fixture_names() {
        let (_, report) = check_fixture(&name);
        insta::assert_snapshot!(name.as_str(), report.render_human(false));
    }
}

#[test]
fn every_fixture_and_snapshot_belongs_to_a_rule() {
    let names: BTreeSet<&str> = RULES.iter().map(|r| r.name).collect();
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(
            names.contains(fixture_rule(&stem)),
            "fixture {} has no rule of that name",
            path.display()
        );
    }
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir(&snapshots).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".snap.new") || name.ends_with(".pending-snap") {
            continue; // insta's pending snapshots, awaiting `cargo insta review`
        }
        let Some(rule) = name
            .strip_prefix("fixtures__")
            .and_then(|n| n.strip_suffix(".snap"))
        else {
            panic!("unexpected file {name} in {}", snapshots.display());
        };
        assert!(
            names.contains(fixture_rule(rule)),
            "snapshot {name} has no rule of that name"
        );
        seen.insert(rule.to_owned());
    }
    for name in &names {
        assert!(seen.contains(*name), "rule `{name}` has no snapshot");
    }
}

/// Messages and help lines start lowercase, have no trailing period, and put code in backticks.
fn assert_style(text: &str, what: &str, needs_code: bool) {
    let first = text
        .chars()
        .next()
        .unwrap_or_else(|| panic!("empty {what}"));
    assert!(!first.is_uppercase(), "{what} starts uppercase: {text:?}");
    assert!(!text.ends_with('.'), "{what} ends with a period: {text:?}");
    let ticks = text.matches('`').count();
    assert!(ticks % 2 == 0, "{what} has unbalanced backticks: {text:?}");
    if needs_code {
        assert!(ticks >= 2, "{what} names no code in backticks: {text:?}");
    }
}

#[test]
fn messages_follow_the_house_style() {
    let mut checked = 0;
    for name in fixture_names() {
        let (_, report) = check_fixture(&name);
        for finding in report.findings() {
            assert_style(&finding.message, "message", true);
            assert_style(&finding.help, "help", true);
            checked += 1;
        }
    }
    // Engine-level findings follow the same style.
    let engine =
        Linter::new().check_source("x.rs", "fn f( {}\n// asyncheck: allow(no_such_rule)\n");
    let broken =
        Linter::new().check_source("y.rs", "fn f() {} // asyncheck: allow(no_such_rule)\n");
    for finding in engine.findings().iter().chain(broken.findings()) {
        assert_style(&finding.message, "message", false);
        assert_style(&finding.help, "help", false);
        checked += 1;
    }
    assert!(checked > 20, "only {checked} findings were style-checked");
}
