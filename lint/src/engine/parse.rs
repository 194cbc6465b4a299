//! Reading a file and parsing it with syn; every failure becomes a finding, never an abort.

use std::path::Path;

use crate::{Finding, Severity, Span};

/// Reads `path` as UTF-8 text, or explains why it cannot be checked (rule `io_error`).
pub(crate) fn read(path: &Path) -> Result<String, Box<Finding>> {
    let bytes = std::fs::read(path).map_err(|err| {
        Box::new(file_error(
            path,
            "io_error",
            format!("cannot read file: {err}"),
            Span::FILE_START,
        ))
    })?;
    String::from_utf8(bytes).map_err(|err| {
        Box::new(file_error(
            path,
            "io_error",
            format!(
                "file is not valid UTF-8 (invalid byte at offset {})",
                err.utf8_error().valid_up_to()
            ),
            Span::FILE_START,
        ))
    })
}

/// Parses `source` as a Rust file, or reports syn's message at syn's position (rule `syntax_error`).
pub(crate) fn parse(path: &Path, source: &str) -> Result<syn::File, Box<Finding>> {
    syn::parse_file(source).map_err(|err| {
        let mut finding = file_error(
            path,
            "syntax_error",
            format!("file does not parse: {err}"),
            Span::from_pm2(err.span()),
        );
        finding.help =
            "fix the syntax error; the other rules cannot check this file until it parses".into();
        Box::new(finding)
    })
}

/// A finding about the file as a whole rather than about one rule's pattern.
pub(crate) fn file_error(path: &Path, rule: &'static str, message: String, span: Span) -> Finding {
    Finding {
        rule,
        severity: Severity::Error,
        message,
        path: path.to_path_buf(),
        span,
        help: "asyncheck skipped this file; make it readable UTF-8 Rust source to check it".into(),
        fix: None,
        notes: Vec::new(),
    }
}
