//! The `human` format: rustc-style diagnostics drawn by annotate-snippets, then a summary line.

use std::borrow::Cow;
use std::fmt::Write;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use crate::{Finding, Note, Report, Severity, Span};

pub(crate) fn render(report: &Report, color: bool) -> String {
    let mut out = String::new();
    for finding in report.findings() {
        let _ = writeln!(out, "{}\n", render_one(report, finding, color));
    }
    out.push_str(&super::summary(report));
    out.push('\n');
    out
}

/// One finding as rustc would draw it (no trailing newline).
pub(crate) fn render_one(report: &Report, finding: &Finding, color: bool) -> String {
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
        let source = report.source(&finding.path);
        let with_notes = source.and_then(|s| excerpt(s, finding.span, &finding.notes));
        let shown = with_notes.or_else(|| source.and_then(|s| excerpt(s, finding.span, &[])));
        let group: Group<'_> = match &shown {
            Some(Excerpt {
                text,
                first_line,
                primary,
                notes,
            }) => {
                let mut snippet = Snippet::source(text.as_ref())
                    .line_start(*first_line)
                    .path(path.as_str())
                    .annotation(AnnotationKind::Primary.span(primary.clone()));
                for (range, note) in notes.iter().zip(&finding.notes) {
                    snippet = snippet.annotation(
                        AnnotationKind::Context
                            .span(range.clone())
                            .label(note.message.as_str()),
                    );
                }
                title.element(snippet).element(help)
            }
            None => title
                .element(
                    Origin::path(path.as_str())
                        .line(finding.span.line)
                        .char_column(finding.span.column),
                )
                .element(help),
        };
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

/// The excerpt of `source` from the first to the last line of `span` and `notes`
/// (all of `notes`, or `None`).
fn excerpt<'s>(source: &'s str, span: Span, notes: &[Note]) -> Option<Excerpt<'s>> {
    let spans = || std::iter::once(span).chain(notes.iter().map(|n| n.span));
    let first_line = spans().map(|s| s.line).min()?;
    let last_line = spans().map(|s| s.end_line).max()?;
    let mut line_starts = std::iter::once(crate::first_line_start(source))
        .chain(source.match_indices('\n').map(|(i, _)| i + 1));
    let start_of_first = line_starts.nth(first_line.checked_sub(1)?)?;
    let rest = &source[start_of_first..];
    let line_count = last_line.checked_sub(first_line)? + 1;
    let text_len = rest
        .match_indices('\n')
        .nth(line_count - 1)
        .map_or(rest.len(), |(i, _)| i);
    let text = &rest[..text_len];
    // Columns count chars before the line end, so they are the same without the `\r`s.
    let text = if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").trim_end_matches('\r').to_owned())
    } else {
        Cow::Borrowed(text)
    };
    let range = |span: Span| -> Option<std::ops::Range<usize>> {
        let line_start = |line: usize| match line - first_line {
            0 => Some(0),
            n => text.match_indices('\n').nth(n - 1).map(|(i, _)| i + 1),
        };
        let start = byte_offset(&text, line_start(span.line)?, span.column)?;
        let end = byte_offset(&text, line_start(span.end_line)?, span.end_column)?;
        Some(start..end.max(start))
    };
    Some(Excerpt {
        primary: range(span)?,
        notes: notes.iter().map(|n| range(n.span)).collect::<Option<_>>()?,
        text,
        first_line,
    })
}

/// Byte offset of 1-based char `column` on the line starting at byte `line_start` of `text`.
fn byte_offset(text: &str, line_start: usize, column: usize) -> Option<usize> {
    let line = &text[line_start..];
    let line = line.split('\n').next()?;
    let chars = column.checked_sub(1)?;
    let within = line
        .char_indices()
        .nth(chars)
        .map_or(line.len(), |(i, _)| i);
    Some(line_start + within)
}
