//! The fixes on every rule fixture: reviewed as diff snapshots, idempotent, and
//! present exactly for the rules whose docs have a `## Fix safety` section.

use std::path::Path;

use asyncheck_lint::{Linter, RULES};

#[test]
fn fixture_fix_diffs() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for rule in RULES {
        let source = std::fs::read_to_string(fixtures.join(format!("{}.rs", rule.name))).unwrap();
        let linter = Linter::new().select(&[rule.name]).unwrap();
        let path = format!("fixtures/{}.rs", rule.name);
        let fixes = linter.check_source(&path, &source).fixes().unwrap();
        let documented = rule.docs().lines().any(|l| l.trim() == "## Fix safety");
        assert_eq!(
            !fixes.is_empty(),
            documented,
            "rule `{}`: its fixture has {} fixed file(s) but its docs {} a `## Fix safety` section",
            rule.name,
            fixes.len(),
            if documented { "have" } else { "lack" }
        );
        let Some(file) = fixes.first() else { continue };
        let again = linter.check_source(&path, &file.fixed).fixes().unwrap();
        assert!(
            again.is_empty(),
            "rule `{}`: a second fix pass would change the fixture again",
            rule.name
        );
        insta::with_settings!({ snapshot_path => "fix_snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(rule.name, file.diff());
        });
    }
}
