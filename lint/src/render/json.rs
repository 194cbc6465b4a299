//! The `json` format: one array of flat finding objects, in report order.

use serde::Serialize;

use crate::{Report, Severity};

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    path: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    help: &'a str,
}

pub(crate) fn render(report: &Report) -> String {
    let findings: Vec<JsonFinding<'_>> = report
        .findings()
        .iter()
        .map(|f| JsonFinding {
            rule: f.rule,
            severity: f.severity,
            message: &f.message,
            path: f.path.display().to_string(),
            line: f.span.line,
            column: f.span.column,
            end_line: f.span.end_line,
            end_column: f.span.end_column,
            help: &f.help,
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&findings).unwrap_or_else(|_| "[]".to_owned());
    out.push('\n');
    out
}
