//! The `human` format: rustc-style diagnostics drawn by annotate-snippets, then a summary line.

use std::borrow::Cow;
use std::fmt::Write;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use crate::line_index::{LineIndex, LineIndexes};
use crate::{Finding, Note, Report, Severity, Span};

pub(crate) fn render(report: &Report, color: bool) -> String {
    let mut out = String::new();
    let mut indexes = LineIndexes::default();
    for finding in report.findings() {
        let lines = report
            .source(&finding.path)
            .map(|text| indexes.get(&finding.path, text));
        let _ = writeln!(out, "{}\n", render_one(finding, lines, color));
    }
    out.push_str(&super::summary(report));
    out.push('\n');
    out
}

/// One finding as rustc would draw it (no trailing newline), with a snippet of
/// its file when `lines` indexes the file's text.
pub(crate) fn render_one(finding: &Finding, lines: Option<&LineIndex<'_>>, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    {
        let path = finding.path.display().to_string();
        let level = match finding.severity {
            Severity::Warning => Level::WARNING,
            Severity::Error => Level::ERROR,
        };
        let title = level
            .primary_title(finding.message.as_str())
            .id(finding.rule);
        let help = Level::HELP.message(finding.help.as_str());
        // Notes in the finding's file are labels in its snippet; notes in other
        // files (the hops of a chain of calls) are `note:` lines naming their place.
        let (here, elsewhere): (Vec<&Note>, Vec<&Note>) =
            finding.notes.iter().partition(|n| n.path.is_none());
        let here: Vec<Note> = here.into_iter().cloned().collect();
        let elsewhere: Vec<String> = elsewhere
            .into_iter()
            .map(|n| {
                let at = n.path.as_deref().unwrap_or(&finding.path).display();
                format!("{} at {at}:{}:{}", n.message, n.span.line, n.span.column)
            })
            .collect();
        let with_notes = lines.and_then(|l| excerpt(l, finding.span, &here));
        let shown = with_notes.or_else(|| lines.and_then(|l| excerpt(l, finding.span, &[])));
        let mut group: Group<'_> = if let Some(Excerpt {
            text,
            first_line,
            primary,
            notes,
        }) = &shown
        {
            let mut snippet = Snippet::source(text.as_ref())
                .line_start(*first_line)
                .path(path.as_str())
                .annotation(AnnotationKind::Primary.span(primary.clone()));
            for (range, note) in notes.iter().zip(&here) {
                snippet = snippet.annotation(
                    AnnotationKind::Context
                        .span(range.clone())
                        .label(note.message.as_str()),
                );
            }
            title.element(snippet)
        } else {
            title.element(
                Origin::path(path.as_str())
                    .line(finding.span.line)
                    .char_column(finding.span.column),
            )
        };
        for note in &elsewhere {
            group = group.element(Level::NOTE.message(note.as_str()));
        }
        let group = group.element(help);
        renderer.render(&[group])
    }
}

/// The lines a finding's span and notes cover, and the byte ranges of the spans within them.
struct Excerpt<'s> {
    /// The lines, with `\r\n` line ends shown as `\n`.
    text: Cow<'s, str>,
    /// The line number of the first line of `text`.
    first_line: usize,
    primary: std::ops::Range<usize>,
    notes: Vec<std::ops::Range<usize>>,
}

/// The excerpt of the indexed text from the first to the last line of `span`
/// and `notes` (all of `notes`, or `None`).
fn excerpt<'s>(lines: &LineIndex<'s>, span: Span, notes: &[Note]) -> Option<Excerpt<'s>> {
    let spans = || std::iter::once(span).chain(notes.iter().map(|n| n.span));
    let first_line = spans().map(|s| s.line).min()?;
    let last_line = spans().map(|s| s.end_line).max()?;
    if last_line < first_line {
        return None;
    }
    let source = lines.text();
    let start = lines.line_range(first_line)?.start;
    let end = lines.line_range(last_line)?.end;
    let raw = &source[start..end];
    // Columns count chars before the line end, so they are the same without the `\r`s.
    let text = if raw.contains('\r') {
        Cow::Owned(raw.replace("\r\n", "\n").trim_end_matches('\r').to_owned())
    } else {
        Cow::Borrowed(raw)
    };
    // A byte offset of the source as an offset into `text`, which lacks the `\r` of each `\r\n`.
    let in_text = |at: usize| -> Option<usize> {
        let removed = match text {
            Cow::Borrowed(_) => 0,
            Cow::Owned(_) => source.get(start..at)?.matches("\r\n").count(),
        };
        let at = at.checked_sub(start)?.checked_sub(removed)?;
        (at <= text.len()).then_some(at)
    };
    let range = |span: Span| -> Option<std::ops::Range<usize>> {
        let bytes = lines.byte_range(span)?;
        Some(in_text(bytes.start)?..in_text(bytes.end)?)
    };
    Some(Excerpt {
        primary: range(span)?,
        notes: notes.iter().map(|n| range(n.span)).collect::<Option<_>>()?,
        text,
        first_line,
    })
}
