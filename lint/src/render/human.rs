//! The `human` format: rustc-style diagnostics drawn by annotate-snippets, then a summary line.

use std::fmt::Write;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use crate::{Finding, Report, Severity};

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
        let group: Group<'_> = match report
            .source(&finding.path)
            .and_then(|s| excerpt(s, finding))
        {
            Some((text, range)) => title
                .element(
                    Snippet::source(text)
                        .line_start(finding.span.line)
                        .path(path.as_str())
                        .annotation(AnnotationKind::Primary.span(range)),
                )
                .element(help),
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

/// The lines a finding covers and the byte range of its span within them.
fn excerpt<'s>(source: &'s str, finding: &Finding) -> Option<(&'s str, std::ops::Range<usize>)> {
    let span = finding.span;
    let mut line_starts = std::iter::once(0).chain(source.match_indices('\n').map(|(i, _)| i + 1));
    let start_of_first = line_starts.nth(span.line - 1)?;
    let rest = &source[start_of_first..];
    let line_count = span.end_line.checked_sub(span.line)? + 1;
    let text_len = rest
        .match_indices('\n')
        .nth(line_count - 1)
        .map_or(rest.len(), |(i, _)| i);
    let text = &rest[..text_len];
    let start = byte_offset(text, 0, span.column)?;
    let last_line_start = match line_count {
        1 => 0,
        n => text
            .match_indices('\n')
            .nth(n - 2)
            .map_or(0, |(i, _)| i + 1),
    };
    let end = byte_offset(text, last_line_start, span.end_column)?;
    Some((text, start..end.max(start)))
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
