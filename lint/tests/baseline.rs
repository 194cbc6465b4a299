//! Baselines: recorded findings stay silent through unrelated edits; new ones are reported.

mod common;
use common::{Run, run};

const BEFORE: &str = "use std::time::Duration;

pub async fn retry() {
    std::thread::sleep(Duration::from_millis(100));
}

pub async fn poll() {
    std::thread::sleep(Duration::from_millis(100));
}
";

/// The same file after edits: a new function and comments above the baselined
/// findings, one of them re-indented, and one new blocking call.
const AFTER: &str = "use std::time::Duration;

/// Added later: a helper above the old code.
pub fn helper() -> u32 {
    // several lines
    // of unrelated
    // changes
    42
}

pub async fn retry() {
    if true {
            std::thread::sleep(Duration::from_millis(100));
    }
}

pub async fn poll() {
    std::thread::sleep(Duration::from_millis(100));
}

pub async fn fresh() {
    std::thread::sleep(Duration::from_millis(100));
    let text = std::fs::read_to_string(\"x\");
}
";

#[test]
fn baselined_findings_survive_edits_above_them_and_new_ones_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), BEFORE).unwrap();

    let Run {
        code,
        stdout,
        stderr,
    } = run(dir.path(), &["--write-baseline", "asyncheck-baseline.json"]);
    assert_eq!(code, 0, "writing a baseline succeeds: {stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(
        stderr.trim_end(),
        "recorded 2 findings in `asyncheck-baseline.json`"
    );

    let Run { code, stdout, .. } = run(
        dir.path(),
        &["--format", "short", "--baseline", "asyncheck-baseline.json"],
    );
    assert_eq!((code, stdout.as_str()), (0, ""), "everything is baselined");

    std::fs::write(dir.path().join("src/lib.rs"), AFTER).unwrap();
    let Run { code, stdout, .. } = run(dir.path(), &["--format", "short"]);
    assert_eq!(code, 1);
    assert_eq!(stdout.lines().count(), 4, "without the baseline: {stdout}");

    let Run { code, stdout, .. } = run(
        dir.path(),
        &["--format", "short", "--baseline", "asyncheck-baseline.json"],
    );
    assert_eq!(code, 1, "new findings still fail");
    assert_eq!(
        stdout,
        "src/lib.rs:22:5: blocking_sleep: blocking `std::thread::sleep` in async context\n\
         src/lib.rs:23:16: blocking_io: blocking `std::fs::read_to_string` in async context\n",
        "only the findings added in `fresh` are new"
    );
}

#[test]
fn the_baseline_file_is_sorted_stable_and_independent_of_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("app/src")).unwrap();
    std::fs::write(dir.path().join("app/src/lib.rs"), BEFORE).unwrap();

    // Written from the project directory and from its parent: same bytes, paths
    // relative to the baseline file.
    run(&dir.path().join("app"), &["--write-baseline", "base.json"]);
    let first = std::fs::read_to_string(dir.path().join("app/base.json")).unwrap();
    run(dir.path(), &["app", "--write-baseline", "app/base.json"]);
    let second = std::fs::read_to_string(dir.path().join("app/base.json")).unwrap();
    assert_eq!(first, second);

    let file: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(file["version"], 1);
    let findings = file["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    let fingerprints: Vec<&str> = findings
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    let mut sorted = fingerprints.clone();
    sorted.sort_unstable();
    assert_eq!(fingerprints, sorted, "entries are sorted");
    assert_ne!(
        fingerprints[0], fingerprints[1],
        "identical lines differ by occurrence index"
    );
    for finding in findings {
        assert_eq!(finding["path"], "src/lib.rs");
        assert_eq!(finding["rule"], "blocking_sleep");
    }

    // A third identical line is new; the first two stay baselined.
    let three = format!(
        "{BEFORE}\npub async fn again() {{\n    std::thread::sleep(Duration::from_millis(100));\n}}\n"
    );
    std::fs::write(dir.path().join("app/src/lib.rs"), three).unwrap();
    let Run { code, stdout, .. } = run(
        &dir.path().join("app"),
        &["--format", "short", "--baseline", "base.json"],
    );
    assert_eq!(code, 1);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
}

#[test]
fn a_missing_or_invalid_baseline_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lib.rs"), BEFORE).unwrap();
    let Run { code, stderr, .. } = run(dir.path(), &["--baseline", "nope.json"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: baseline `nope.json`: "),
        "{stderr}"
    );
    std::fs::write(
        dir.path().join("bad.json"),
        "{\"version\": 2, \"findings\": []}",
    )
    .unwrap();
    let Run { code, stderr, .. } = run(dir.path(), &["--baseline", "bad.json"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("version 2 is not supported"), "{stderr}");
}
