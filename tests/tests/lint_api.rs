//! The `asyncheck_lint` library API as a user sees it: lint a tree, inspect findings, snapshot the output.
//!
//! (The CLI's end-to-end tests are in `lint/tests/cli.rs`: only the package
//! that owns the `cargo-asyncheck` binary gets `CARGO_BIN_EXE_*` from cargo.)

use std::path::PathBuf;

use asyncheck_lint::{Format, Linter};

const SERVICE: &str = r"use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub async fn flush(db: &Db) {
    db.write_all().await;
}

pub async fn serve(db: Db, token: CancellationToken) {
    loop {
        tokio::select! {
            _ = token.cancelled() => {
                flush(&db);
            }
            _ = tokio::time::sleep(Duration::from_secs(1)) => {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}
";

#[test]
fn linting_a_tree_through_the_library() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), SERVICE).unwrap();
    std::fs::write(
        dir.path().join("src/clean.rs"),
        "pub fn add(a: u8, b: u8) -> u8 { a + b }\n",
    )
    .unwrap();

    let report = Linter::new()
        .check_paths(&[dir.path().join("src")])
        .unwrap();
    assert_eq!(report.files_checked(), 2);
    let rules: Vec<&str> = report.findings().iter().map(|f| f.rule).collect();
    assert_eq!(
        rules,
        [
            "swallowed_cancellation",
            "unawaited_future",
            "blocking_sleep"
        ]
    );

    // Snapshot-friendly: check the same text under a stable path.
    let report = Linter::new().check_source("src/lib.rs", SERVICE);
    insta::assert_snapshot!("service_short", report.render(Format::Short, false));
    insta::assert_snapshot!("service_human", report.render_human(false));
}

#[test]
fn rule_selection_and_missing_paths() {
    let only_sleep = Linter::new().select(&["blocking_sleep"]).unwrap();
    assert_eq!(
        only_sleep.selected().collect::<Vec<_>>(),
        ["blocking_sleep"]
    );
    let report = only_sleep.check_source("src/lib.rs", SERVICE);
    assert!(report.findings().iter().all(|f| f.rule == "blocking_sleep"));
    assert_eq!(report.findings().len(), 1);

    let err = Linter::new().select(&["blocking_sleeps"]).unwrap_err();
    assert!(
        err.to_string().contains("known rules: blocking_sleep"),
        "{err}"
    );

    let err = Linter::new()
        .check_paths(&[PathBuf::from("/no/such/asyncheck/dir")])
        .unwrap_err();
    assert!(err.to_string().contains("/no/such/asyncheck/dir"), "{err}");
}
