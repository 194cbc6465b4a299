//! Code actions (a finding's fix, "allow this rule on this line", fix all) and hover (the rule's documentation) for one open document.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Hover, HoverContents,
    MarkupContent, MarkupKind, Position, Range, TextEdit, Url, WorkspaceEdit,
};

use super::convert;
use super::documents::Document;
use crate::{Applicability, ColumnKind, Finding, LineIndex, RULES, Report};

/// The kind of the action that applies every machine-applicable fix of a document.
pub(crate) const FIX_ALL: CodeActionKind = CodeActionKind::new("source.fixAll.asyncheck");

/// The reason an inserted allow comment carries until the user writes one.
pub(crate) const REASON_PLACEHOLDER: &str = "TODO: say why this is fine here";

/// The actions for `params` on `doc`: for each finding whose range meets the
/// requested one, its fix and an allow comment; and fix-all for the document.
/// Only kinds the client asked for (`context.only`) are returned.
pub(crate) fn code_actions(
    doc: &Document,
    kind: ColumnKind,
    params: &CodeActionParams,
) -> Vec<CodeActionOrCommand> {
    let wanted = |action: &CodeActionKind| {
        params.context.only.as_ref().is_none_or(|only| {
            only.iter()
                .any(|asked| action.as_str().starts_with(asked.as_str()))
        })
    };
    let lines = LineIndex::new(&doc.text);
    let mut actions = Vec::new();
    if wanted(&CodeActionKind::QUICKFIX) {
        for finding in &doc.findings {
            let range = convert::range(&lines, finding.span, kind);
            if !overlaps(range, params.range) {
                continue;
            }
            let diagnostic = convert::diagnostic(&doc.uri, &lines, kind, finding);
            if let Some(fix) = &finding.fix {
                let edits = fix
                    .edits
                    .iter()
                    .map(|edit| TextEdit {
                        range: convert::range(&lines, edit.span, kind),
                        new_text: edit.replacement.clone(),
                    })
                    .collect();
                actions.push(action(
                    fix.description.clone(),
                    CodeActionKind::QUICKFIX,
                    vec![diagnostic.clone()],
                    fix.applicability == Applicability::MachineApplicable,
                    &doc.uri,
                    edits,
                ));
            }
            if let Some(edit) = allow_comment(&lines, finding) {
                actions.push(action(
                    format!("allow `{}` on this line", finding.rule),
                    CodeActionKind::QUICKFIX,
                    vec![diagnostic],
                    false,
                    &doc.uri,
                    vec![edit],
                ));
            }
        }
    }
    if wanted(&FIX_ALL) {
        if let Some(edit) = fix_all(doc, &lines, kind) {
            actions.push(action(
                "fix all asyncheck findings".to_owned(),
                FIX_ALL,
                Vec::new(),
                false,
                &doc.uri,
                vec![edit],
            ));
        }
    }
    actions
}

/// The document's text with every machine-applicable fix applied, as one
/// edit replacing the whole text; planned by the library's `--fix` planner
/// (overlapping fixes are left for the next time, a result that would not
/// parse is refused). `None` when there is nothing to fix.
fn fix_all(doc: &Document, lines: &LineIndex<'_>, kind: ColumnKind) -> Option<TextEdit> {
    let report = Report {
        findings: doc.findings.clone(),
        sources: HashMap::from([(doc.path.clone(), Arc::clone(&doc.text))]),
        files_checked: 1,
    };
    let fixed = report.fixes().ok()?.into_iter().next()?;
    Some(TextEdit {
        range: convert::whole(lines, kind),
        new_text: fixed.fixed,
    })
}

/// `// asyncheck: allow(<rule>) <reason>` on its own line above the finding's
/// first line, indented as that line; `None` for the engine's own findings
/// (a syntax error cannot be allowed).
fn allow_comment(lines: &LineIndex<'_>, finding: &Finding) -> Option<TextEdit> {
    RULES.iter().find(|r| r.name == finding.rule)?;
    let line = lines.line(finding.span.line)?;
    let indent = &line[..line.len() - line.trim_start().len()];
    let at = Position::new(u32::try_from(finding.span.line - 1).ok()?, 0);
    Some(TextEdit {
        range: Range::new(at, at),
        new_text: format!(
            "{indent}// asyncheck: allow({}) {REASON_PLACEHOLDER}\n",
            finding.rule
        ),
    })
}

fn action(
    title: String,
    kind: CodeActionKind,
    diagnostics: Vec<lsp_types::Diagnostic>,
    preferred: bool,
    uri: &Url,
    edits: Vec<TextEdit>,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        diagnostics: (!diagnostics.is_empty()).then_some(diagnostics),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    })
}

/// Whether two ranges share a position (an empty range touching another counts).
fn overlaps(a: Range, b: Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// The documentation of the rules of the findings under `at`, as Markdown.
pub(crate) fn hover(doc: &Document, kind: ColumnKind, at: Position) -> Option<Hover> {
    let lines = LineIndex::new(&doc.text);
    let mut shown = Vec::new();
    let mut value = String::new();
    let mut range = None;
    for finding in &doc.findings {
        let found = convert::range(&lines, finding.span, kind);
        if !(found.start <= at && at <= found.end) || shown.contains(&finding.rule) {
            continue;
        }
        let Some(rule) = RULES.iter().find(|r| r.name == finding.rule) else {
            continue;
        };
        shown.push(finding.rule);
        if !value.is_empty() {
            value.push_str("\n\n---\n\n");
        }
        let _ = write!(value, "# `{}`\n\n{}", rule.name, rule.docs());
        range.get_or_insert(found);
    }
    (!value.is_empty()).then_some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range,
    })
}
