//! The `cargo-json` format: cargo's JSON message stream, so editors that run `cargo check` can run asyncheck instead.
//!
//! One `{"reason":"compiler-message",…}` line per finding, whose `message`
//! is a rustc-shaped diagnostic (code `asyncheck::<rule>`, a primary span
//! with byte offsets and 1-based char columns, a labelled secondary span per
//! note of the finding, a `help` child, a second
//! `help` child carrying the fix as suggested replacements when there is
//! one — rust-analyzer offers it as a quick fix — and the human rendering),
//! then one `{"reason":"build-finished",…}` line, whose
//! `success` is false when any finding is an error. The package and target
//! of a finding are those of the nearest `Cargo.toml` above its file.
//! rust-analyzer reads this through `rust-analyzer.check.overrideCommand`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::line_index::{LineIndex, LineIndexes};
use crate::{Finding, Report, Severity, Span};

pub(crate) fn render(report: &Report) -> String {
    let mut packages: HashMap<PathBuf, Value> = HashMap::new();
    let mut indexes = LineIndexes::default();
    let mut out = String::new();
    for finding in report.findings() {
        let lines = report
            .source(&finding.path)
            .map(|text| indexes.get(&finding.path, text));
        let absolute = std::path::absolute(&finding.path).unwrap_or_else(|_| finding.path.clone());
        let dir = absolute.parent().map(Path::to_path_buf).unwrap_or_default();
        let package = packages
            .entry(dir.clone())
            .or_insert_with(|| package(&dir, &absolute))
            .clone();
        let mut line = package;
        line["message"] = diagnostic(finding, lines);
        out.push_str(&line.to_string());
        out.push('\n');
    }
    let success = !report
        .findings()
        .iter()
        .any(|f| f.severity == Severity::Error);
    out.push_str(&json!({ "reason": "build-finished", "success": success }).to_string());
    out.push('\n');
    out
}

/// The `reason`, `package_id`, `manifest_path` and `target` of a message about a file in `dir`.
fn package(dir: &Path, file: &Path) -> Value {
    let found = dir.ancestors().find_map(|d| {
        let manifest = d.join("Cargo.toml");
        let table = std::fs::read_to_string(&manifest)
            .ok()?
            .parse::<toml::Table>()
            .ok()?;
        let package = table.get("package")?.as_table()?.clone();
        Some((d.to_path_buf(), manifest, package))
    });
    let (root, manifest, package) = found.unwrap_or_else(|| {
        (
            dir.to_path_buf(),
            dir.join("Cargo.toml"),
            toml::Table::new(),
        )
    });
    let field = |key: &str, default: &str| {
        package
            .get(key)
            .and_then(toml::Value::as_str)
            .unwrap_or(default)
            .to_owned()
    };
    let name = field("name", "unknown");
    let version = field("version", "0.0.0");
    let (kind, src_path) = if root.join("src/lib.rs").is_file() {
        ("lib", root.join("src/lib.rs"))
    } else if root.join("src/main.rs").is_file() {
        ("bin", root.join("src/main.rs"))
    } else {
        ("lib", file.to_path_buf())
    };
    json!({
        "reason": "compiler-message",
        "package_id": format!("path+file://{}#{name}@{version}", root.display()),
        "manifest_path": manifest.display().to_string(),
        "target": {
            "kind": [kind],
            "crate_types": [kind],
            "name": name.replace('-', "_"),
            "src_path": src_path.display().to_string(),
            "edition": field("edition", "2021"),
            "doc": true,
            "doctest": kind == "lib",
            "test": true,
        },
    })
}

/// A rustc JSON diagnostic for `f`, whose file's text `lines` indexes.
fn diagnostic(f: &Finding, lines: Option<&LineIndex<'_>>) -> Value {
    let level = match f.severity {
        Severity::Warning => "warning",
        Severity::Error => "error",
    };
    let mut rendered = super::human::render_one(f, lines, false);
    rendered.push('\n');
    let mut children = vec![json!({
        "$message_type": "diagnostic",
        "message": f.help,
        "code": null,
        "level": "help",
        "spans": [],
        "children": [],
        "rendered": null,
    })];
    if let (Some(fix), Some(lines)) = (&f.fix, lines) {
        let applicability = match fix.applicability {
            crate::Applicability::MachineApplicable => "MachineApplicable",
            crate::Applicability::MaybeIncorrect => "MaybeIncorrect",
        };
        let spans: Vec<Value> = fix
            .edits
            .iter()
            .filter_map(|edit| {
                let bytes = lines.byte_range(edit.span)?;
                Some(json!({
                    "file_name": f.path.display().to_string(),
                    "byte_start": bytes.start,
                    "byte_end": bytes.end,
                    "line_start": edit.span.line,
                    "line_end": edit.span.end_line,
                    "column_start": edit.span.column,
                    "column_end": edit.span.end_column,
                    "is_primary": true,
                    "text": [],
                    "label": null,
                    "suggested_replacement": edit.replacement,
                    "suggestion_applicability": applicability,
                    "expansion": null,
                }))
            })
            .collect();
        children.push(json!({
            "$message_type": "diagnostic",
            "message": fix.description,
            "code": null,
            "level": "help",
            "spans": spans,
            "children": [],
            "rendered": null,
        }));
    }
    let file_name = f.path.display().to_string();
    let mut spans = vec![span(lines, &file_name, f.span, None)];
    spans.extend(f.notes.iter().map(|note| match &note.path {
        // A note in another file: its text is not at hand, so no excerpt.
        Some(path) => span(
            None,
            &path.display().to_string(),
            note.span,
            Some(&note.message),
        ),
        None => span(lines, &file_name, note.span, Some(&note.message)),
    }));
    json!({
        "$message_type": "diagnostic",
        "message": f.message,
        "code": { "code": format!("asyncheck::{}", f.rule), "explanation": null },
        "level": level,
        "spans": spans,
        "children": children,
        "rendered": rendered,
    })
}

/// A rustc JSON span of `file_name`, whose text `lines` indexes: the primary
/// one without a label, a secondary one (a note) with its label.
fn span(lines: Option<&LineIndex<'_>>, file_name: &str, span: Span, label: Option<&str>) -> Value {
    let bytes = lines.and_then(|l| l.byte_range(span)).unwrap_or(0..0);
    let text: Vec<Value> = lines
        .map(|lines| {
            (span.line..=span.end_line)
                .map_while(|number| Some((number, line_text(lines, number)?)))
                .map(|(number, line)| {
                    let start = if number == span.line { span.column } else { 1 };
                    let end = if number == span.end_line {
                        span.end_column
                    } else {
                        line.chars().count() + 1
                    };
                    json!({ "text": line, "highlight_start": start, "highlight_end": end })
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "file_name": file_name,
        "byte_start": bytes.start,
        "byte_end": bytes.end,
        "line_start": span.line,
        "line_end": span.end_line,
        "column_start": span.column,
        "column_end": span.end_column,
        "is_primary": label.is_none(),
        "text": text,
        "label": label,
        "suggested_replacement": null,
        "suggestion_applicability": null,
        "expansion": null,
    })
}

/// The text of `line` as this format has always shown it, the way `str::lines`
/// cuts a text: without its line ending, on line 1 with the byte order mark
/// the file may start with, and no empty line after a final line ending.
fn line_text<'s>(lines: &LineIndex<'s>, line: usize) -> Option<&'s str> {
    let range = lines.line_range(line)?;
    let start = if line == 1 { 0 } else { range.start };
    let text = &lines.text()[start..range.end];
    (line < lines.line_count() || !text.is_empty()).then_some(text)
}
