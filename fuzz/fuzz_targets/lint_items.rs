//! Generated valid async programs: they parse, no rule crashes, linting is deterministic, and fixed code still lints cleanly.
#![no_main]

use asyncheck_fuzz::invariants;
use asyncheck_fuzz::program::Program;
use libfuzzer_sys::fuzz_target;

/// The engine's findings for a file it could not check; a generated program must never get one.
const CANNOT_CHECK: &[&str] = &["syntax_error", "too_complex", "internal_error"];

fuzz_target!(|program: Program| {
    let source = program.to_string();
    let report = invariants::lint(&source);
    assert_checked(&source, &report);
    invariants::check_report(&source, &report);

    let again = invariants::lint(&source).render_json();
    assert!(
        report.render_json() == again,
        "linting the same program twice gave different json:\n{source}"
    );

    for fixed in report.fixes().unwrap_or_default() {
        let report = invariants::lint(&fixed.fixed);
        assert_checked(&fixed.fixed, &report);
        invariants::check_report(&fixed.fixed, &report);
    }
});

fn assert_checked(source: &str, report: &asyncheck_lint::Report) {
    if let Some(finding) = report
        .findings()
        .iter()
        .find(|f| CANNOT_CHECK.contains(&f.rule))
    {
        panic!(
            "`{}` on a generated program: {}\n{source}",
            finding.rule, finding.message
        );
    }
}
