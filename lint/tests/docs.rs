//! `docs/rules.md` is generated from the registry and the rules' doc comments; this test fails when it is stale.
//!
//! Regenerate with `ASYNCHECK_BLESS=1 cargo test -p asyncheck-lint --test docs`.

use std::path::Path;

use asyncheck_lint::RULES;

#[test]
fn docs_rules_md_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules.md");
    let generated = asyncheck_lint::rules_reference();
    if std::env::var_os("ASYNCHECK_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "docs/rules.md is stale (a rule or its docs changed); regenerate it with \
         `ASYNCHECK_BLESS=1 cargo test -p asyncheck-lint --test docs` and review the diff"
    );
}

#[test]
fn the_reference_has_a_section_and_a_table_row_per_rule() {
    let md = asyncheck_lint::rules_reference();
    for rule in RULES {
        assert!(
            md.contains(&format!("\n## `{}`\n", rule.name)),
            "no section for `{}`",
            rule.name
        );
        assert!(
            md.contains(&format!("| [`{0}`](#{0}) |", rule.name)),
            "no table row for `{}`",
            rule.name
        );
    }
    assert!(md.contains("| [`blocking_sleep`](#blocking_sleep) | default | warning | yes |"));
    assert!(md.contains("| [`nested_runtime`](#nested_runtime) | default | error | no |"));
    assert!(
        !md.contains("```rust,ignore"),
        "code blocks are plain `rust` for GitHub"
    );
}
