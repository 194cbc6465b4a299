//! The linter run on this repository's own source reports nothing (rule fixtures excluded).

use std::path::{Path, PathBuf};

use asyncheck_lint::Linter;

/// Findings that are deliberate and owned by someone else: the harness's own
/// tests block the executor on purpose to prove the harness detects it. They
/// should carry `asyncheck: allow(blocking_sleep)` comments; until they do,
/// exactly these (file, rule) pairs are tolerated — nothing else is.
const DELIBERATE: &[(&str, &str)] = &[
    ("tests/tests/harness_failures.rs", "blocking_sleep"),
    // Pedantic `detached_task`: these tests leak or fire-and-forget tasks on
    // purpose (leak detection, virtual-time helpers).
    ("tests/tests/harness_failures.rs", "detached_task"),
    ("tests/tests/harness_runtime.rs", "detached_task"),
    ("tests/tests/harness_time.rs", "detached_task"),
];

/// Trees of deliberately wrong code under `tests/fixtures/` (the snapshot
/// recipe's demo crate, …): their findings are the point, so they are skipped.
const FIXTURE_TREES: &str = "tests/fixtures";

#[test]
fn this_repository_is_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut paths: Vec<PathBuf> = vec![
        root.join("lint/src"),
        root.join("macros"),
        root.join("harness"),
        root.join("tests"),
    ];
    // `lint/tests/*.rs`, but not `lint/tests/fixtures/`, which is wrong on purpose.
    for entry in std::fs::read_dir(root.join("lint/tests")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            paths.push(path);
        }
    }
    let report = Linter::new()
        .select(&["all"])
        .unwrap()
        .check_paths(&paths)
        .unwrap();
    assert!(
        report.files_checked() >= 20,
        "only {} files checked",
        report.files_checked()
    );
    let unexpected: Vec<String> = report
        .findings()
        .iter()
        .filter(|f| !f.path.starts_with(root.join(FIXTURE_TREES)))
        .filter(|f| {
            !DELIBERATE
                .iter()
                .any(|(path, rule)| f.path.ends_with(path) && f.rule == *rule)
        })
        .map(|f| {
            format!(
                "{}:{}:{}: {}: {}",
                f.path.display(),
                f.span.line,
                f.span.column,
                f.rule,
                f.message
            )
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "asyncheck flags its own repository:\n{}",
        unexpected.join("\n")
    );
}
