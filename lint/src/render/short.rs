//! The `short` format: `path:line:col: rule: message`, one finding per line.

use std::fmt::Write;

use crate::Report;

pub(crate) fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in report.findings() {
        let _ = writeln!(
            out,
            "{}:{}:{}: {}: {}",
            f.path.display(),
            f.span.line,
            f.span.column,
            f.rule,
            f.message
        );
    }
    out
}
