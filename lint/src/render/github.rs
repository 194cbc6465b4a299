//! The `github` format: GitHub Actions workflow commands, so findings show as annotations on the pull request.
//!
//! One line per finding:
//! `::warning file=src/lib.rs,line=4,col=5,endLine=4,endColumn=50,title=asyncheck(blocking_sleep)::message`
//! (`::error` for error severity). The message and the properties are escaped
//! as the runner expects: `%`, `\r` and `\n` everywhere, and `:` and `,` in
//! properties too.

use std::fmt::Write;

use crate::{Report, Severity};

pub(crate) fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in report.findings() {
        let command = match f.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        let path = f.path.display().to_string().replace('\\', "/");
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&path),
            f.span.line,
            f.span.column,
            f.span.end_line,
            f.span.end_column,
            escape_property(&format!("asyncheck({})", f.rule)),
            escape_data(&format!("{}\nhelp: {}", f.message, f.help)),
        );
    }
    out
}

/// Escapes a command's message: `%`, `\r`, `\n`.
pub(crate) fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property's value: as [`escape_data`], plus `:` and `,`.
pub(crate) fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped_per_the_workflow_command_rules() {
        assert_eq!(escape_data("100%\r\nok: a,b"), "100%25%0D%0Aok: a,b");
        assert_eq!(escape_property("dir,x/a:b%.rs\n"), "dir%2Cx/a%3Ab%25.rs%0A");
    }
}
