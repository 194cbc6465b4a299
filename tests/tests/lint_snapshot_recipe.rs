//! The snapshot recipe from the README, applied to a small crate in this repository.
//!
//! A test in the linted crate runs the linter through the library and snapshots
//! the short rendering with insta, so any change in findings shows up in
//! `cargo insta review` and in code review. Paths are made relative to the
//! crate's root, so the snapshot is the same on every machine.

use std::path::Path;

use asyncheck_lint::{Config, Linter};

#[test]
fn asyncheck_findings() {
    // In a user's crate this is `Path::new(env!("CARGO_MANIFEST_DIR"))`.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/snapshot_recipe");
    let config = Config::discover(&root).expect("valid asyncheck configuration");
    let report = Linter::with_config(&config)
        .check_paths(&[root.join("src")])
        .expect("the crate's src/ exists")
        .relative_to(&root);
    insta::assert_snapshot!(report.render_short());
}
