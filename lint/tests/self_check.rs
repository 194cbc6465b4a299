//! The linter run on this repository, with the repository's own `asyncheck.toml`, reports nothing.
//!
//! That configuration selects every rule and excludes only the trees that are
//! wrong on purpose (rule fixtures, demo crates); deliberate findings elsewhere
//! carry an `asyncheck: allow(...)` comment or a documented per-file ignore.

use std::path::Path;

use asyncheck_lint::{Config, Linter};

#[test]
fn this_repository_is_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let config = Config::discover(root).expect("the repository's asyncheck.toml is valid");
    let report = Linter::with_config(&config)
        .check_paths(&[root.to_path_buf()])
        .unwrap()
        .relative_to(root);
    assert!(
        report.files_checked() >= 50,
        "only {} files checked: is the walk skipping the workspace?",
        report.files_checked()
    );
    assert!(
        report.findings().is_empty(),
        "asyncheck flags its own repository:\n{}",
        report.render_short()
    );
}

#[test]
fn the_rule_fixtures_are_excluded_by_configuration_not_by_accident() {
    // The exclusion above must be what keeps the fixtures out: checked on their
    // own, they are full of findings.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let fixtures = root.join("lint/tests/fixtures");
    let report = Linter::new()
        .select(&["all"])
        .unwrap()
        .check_paths(&[fixtures])
        .unwrap();
    assert!(
        report.findings().len() > 100,
        "the fixtures produced only {} findings",
        report.findings().len()
    );
}
