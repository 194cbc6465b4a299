//! The properties every report must have whatever the input, checked by both fuzz targets.
//!
//! Each check panics with a message saying which property broke, so that a
//! crash found by libFuzzer explains itself.

use std::sync::OnceLock;

use asyncheck_lint::{FixError, Format, Linter, Report, Span};

/// The path every fuzz input is linted as.
pub const PATH: &str = "fuzz.rs";

/// Every output format, the human one with and without colour.
const RENDERINGS: [(Format, bool); 7] = [
    (Format::Human, true),
    (Format::Human, false),
    (Format::Short, false),
    (Format::Json, false),
    (Format::Sarif, false),
    (Format::Github, false),
    (Format::CargoJson, false),
];

/// The engine's own findings for a file it could not check, which carry no rule's span.
const FILE_LEVEL: &[&str] = &["syntax_error", "io_error", "too_complex", "internal_error"];

/// A linter running every rule, pedantic ones included; built once per process.
///
/// # Panics
/// On first use, when spans carry no line numbers: proc-macro2 drops span
/// locations under `--cfg fuzzing`, which cargo-fuzz sets unless it is run
/// with `--no-cfg-fuzzing`, and every span check would then fail spuriously.
pub fn linter() -> &'static Linter {
    static LINTER: OnceLock<Linter> = OnceLock::new();
    LINTER.get_or_init(|| {
        let linter = Linter::new()
            .select(&["all"])
            .expect("`all` is a rule group");
        let probe = linter.check_source(PATH, "async fn f() {\n    std::thread::sleep(d);\n}\n");
        assert!(
            probe.findings().first().is_some_and(|f| f.span.line == 2),
            "spans have no line numbers: build the fuzz targets with `cargo fuzz build --no-cfg-fuzzing`"
        );
        linter
    })
}

/// Lints `text` as [`PATH`] with every rule.
pub fn lint(text: &str) -> Report {
    linter().check_source(PATH, text)
}

/// Checks everything about `report`, the result of linting `text`: findings,
/// every rendering and the fixes.
///
/// # Panics
/// When any property does not hold; the message says which.
pub fn check_report(text: &str, report: &Report) {
    check_findings(text, report);
    check_renderings(report, &RENDERINGS);
    check_fixes(report);
}

/// The cheap part of [`check_report`], for the bulk target: findings, the
/// `short` and `json` renderings and the fixes. The other formats draw the
/// same findings at a far higher cost per input (SARIF carries every rule's
/// documentation, `human` lays out snippets), and `lint_bytes` checks them.
///
/// # Panics
/// When any property does not hold; the message says which.
pub fn check_report_core(text: &str, report: &Report) {
    check_findings(text, report);
    check_renderings(report, &[(Format::Short, false), (Format::Json, false)]);
    check_fixes(report);
}

/// Every finding has a message and help, and its spans (and its notes' and
/// edits') lie inside `text`; no rule panicked.
fn check_findings(text: &str, report: &Report) {
    for finding in report.findings() {
        assert_ne!(
            finding.rule, "internal_error",
            "a rule panicked (caught by the engine): {}",
            finding.message
        );
        assert_non_empty("finding message", &finding.message, finding.rule);
        assert_non_empty("finding help", &finding.help, finding.rule);
        let file_level = FILE_LEVEL.contains(&finding.rule) && finding.span == FILE_START;
        if !file_level {
            assert_resolves(text, finding.span, finding.rule, "finding");
        }
        for note in &finding.notes {
            assert_non_empty("note message", &note.message, finding.rule);
            assert_resolves(text, note.span, finding.rule, "note");
        }
        if let Some(fix) = &finding.fix {
            assert_non_empty("fix description", &fix.description, finding.rule);
            for edit in &fix.edits {
                assert_resolves(text, edit.span, finding.rule, "fix edit");
            }
        }
    }
}

fn check_renderings(report: &Report, renderings: &[(Format, bool)]) {
    for &(format, color) in renderings {
        check_rendering(format, &report.render(format, color));
    }
}

/// No machine-applicable fix breaks the file.
fn check_fixes(report: &Report) {
    if let Err(err @ FixError::WouldNotParse(..)) = report.fixes() {
        panic!("a machine-applicable fix breaks the file: {err}");
    }
}

/// [`Span`]'s start of file, used for findings about the whole file.
const FILE_START: Span = Span {
    line: 1,
    column: 1,
    end_line: 1,
    end_column: 1,
};

fn assert_non_empty(what: &str, text: &str, rule: &str) {
    assert!(!text.trim().is_empty(), "empty {what} from rule `{rule}`");
}

/// The span lies inside `text` and does not end before it starts.
fn assert_resolves(text: &str, span: Span, rule: &str, what: &str) {
    assert!(
        (span.line, span.column) <= (span.end_line, span.end_column),
        "{what} span of rule `{rule}` ends before it starts: {span:?}"
    );
    let range = span.byte_range(text);
    assert!(
        range.is_some(),
        "{what} span of rule `{rule}` lies outside the text: {span:?}"
    );
}

/// The machine-readable formats are valid JSON (cargo-json: one document per line).
fn check_rendering(format: Format, output: &str) {
    // `IgnoredAny` checks the whole document's syntax without building a tree.
    let parse = |doc: &str| {
        if let Err(err) = serde_json::from_str::<serde::de::IgnoredAny>(doc) {
            panic!("{format:?} output is not valid JSON ({err}):\n{doc}");
        }
    };
    match format {
        Format::Json | Format::Sarif => parse(output),
        Format::CargoJson => output.lines().filter(|l| !l.is_empty()).for_each(parse),
        Format::Human | Format::Short | Format::Github => {}
    }
}
