//! The `sarif` format: a SARIF 2.1.0 log, as GitHub code scanning accepts it.
//!
//! One run whose tool driver lists every rule (id, short and full
//! description, the rule's Markdown docs as help, default level) and the
//! engine's own findings; one result per finding with a physical location,
//! and the finding's notes as `relatedLocations` (same file, the note's
//! message as the location's message).
//! Paths under the current directory are relative URIs against the
//! `%SRCROOT%` base id (what code scanning resolves against the checkout);
//! others are absolute `file://` URIs. Columns count Unicode code points,
//! as the run's `columnKind` says. Each result carries the baseline
//! fingerprint (rule, path, normalised line, occurrence) as its
//! `partialFingerprints`, so code scanning tracks an alert across edits
//! that move it.

use std::fmt::Write;

use serde_json::{Value, json};

use crate::engine::EngineFinding;
use crate::{Finding, RULES, Report, Severity};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub(crate) fn render(report: &Report) -> String {
    let mut rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            let docs = rule.docs();
            json!({
                "id": rule.name,
                "name": rule.name,
                "shortDescription": { "text": rule.summary() },
                "fullDescription": { "text": what_it_does(&docs) },
                "help": { "text": docs, "markdown": docs },
                "defaultConfiguration": { "level": level(rule.severity) },
                "properties": { "tags": ["async", rule.group.to_string()] },
            })
        })
        .collect();
    rules.extend(EngineFinding::ALL.iter().map(|kind| {
        json!({
            "id": kind.name(),
            "name": kind.name(),
            "shortDescription": { "text": kind.description() },
            "fullDescription": { "text": kind.description() },
            "defaultConfiguration": { "level": level(kind.severity()) },
        })
    }));
    let ids: Vec<&str> = RULES
        .iter()
        .map(|r| r.name)
        .chain(EngineFinding::ALL.iter().map(|kind| kind.name()))
        .collect();
    let fingerprints = crate::baseline::fingerprints(report);
    let results: Vec<Value> = report
        .findings()
        .iter()
        .zip(&fingerprints)
        .map(|(f, fingerprint)| {
            let mut result = result(f, ids.iter().position(|id| *id == f.rule));
            result["partialFingerprints"] = json!({ "asyncheck/v1": fingerprint });
            result
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "asyncheck",
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

/// A SARIF `artifactLocation` of `path`.
fn artifact_of(path: &std::path::Path) -> Value {
    let mut artifact = json!({ "uri": uri(path) });
    if !path.is_absolute() {
        artifact["uriBaseId"] = json!("%SRCROOT%");
    }
    artifact
}

fn result(f: &Finding, rule_index: Option<usize>) -> Value {
    let artifact = artifact_of(&f.path);
    let mut result = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": { "text": format!("{}\nhelp: {}", f.message, f.help) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact.clone(),
                "region": {
                    "startLine": f.span.line,
                    "startColumn": f.span.column,
                    "endLine": f.span.end_line,
                    "endColumn": f.span.end_column,
                }
            }
        }],
    });
    if !f.notes.is_empty() {
        let related: Vec<Value> = f
            .notes
            .iter()
            .enumerate()
            .map(|(id, note)| {
                let artifact = note
                    .path
                    .as_deref()
                    .map_or_else(|| artifact.clone(), artifact_of);
                json!({
                    "id": id,
                    "physicalLocation": {
                        "artifactLocation": artifact,
                        "region": {
                            "startLine": note.span.line,
                            "startColumn": note.span.column,
                            "endLine": note.span.end_line,
                            "endColumn": note.span.end_column,
                        }
                    },
                    "message": { "text": note.message },
                })
            })
            .collect();
        result["relatedLocations"] = json!(related);
    }
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    result
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

/// The `## What it does` section of a rule's docs, as one paragraph of plain text.
fn what_it_does(docs: &str) -> String {
    let section: Vec<&str> = docs
        .lines()
        .skip_while(|l| l.trim() != "## What it does")
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .map(str::trim)
        .collect();
    section.join(" ").trim().to_owned()
}

/// A URI reference for `path`: relative paths stay relative (with `/`), absolute ones become `file://` URIs.
fn uri(path: &std::path::Path) -> String {
    let text = path.display().to_string().replace('\\', "/");
    let mut out = String::new();
    if path.is_absolute() {
        out.push_str("file://");
        if !text.starts_with('/') {
            out.push('/');
        }
    }
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded_and_absolute_paths_become_file_uris() {
        assert_eq!(
            uri(std::path::Path::new("src/my file.rs")),
            "src/my%20file.rs"
        );
        assert_eq!(uri(std::path::Path::new("src/é.rs")), "src/%C3%A9.rs");
        assert_eq!(uri(std::path::Path::new("/tmp/a.rs")), "file:///tmp/a.rs");
    }
}
