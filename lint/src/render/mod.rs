//! Output formats of a [`Report`](crate::Report); each format is one file.

pub(crate) mod human;
pub(crate) mod json;
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
