//! Output formats of a [`Report`](crate::Report); each format is one file.

pub(crate) mod cargo_json;
pub(crate) mod github;
pub(crate) mod human;
pub(crate) mod json;
pub(crate) mod sarif;
pub(crate) mod short;

/// How a report is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// rustc-style diagnostics with source snippets and a summary line.
    #[default]
    Human,
    /// One line per finding: `path:line:col: rule: message`.
    Short,
    /// A JSON array of finding objects.
    Json,
    /// A SARIF 2.1.0 log, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions annotations (`::warning file=…,line=…::message`).
    Github,
    /// Cargo's JSON messages with rustc-shaped diagnostics, for rust-analyzer.
    CargoJson,
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `N findings in M files (K files checked)`.
pub(crate) fn summary(report: &crate::Report) -> String {
    format!(
        "{} in {} ({} checked)",
        plural(report.findings().len(), "finding"),
        plural(report.files_with_findings(), "file"),
        plural(report.files_checked(), "file"),
    )
}
