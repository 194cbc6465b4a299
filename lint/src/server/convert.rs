//! Positions and diagnostics: a [`Finding`] as an LSP [`Diagnostic`], spans as LSP ranges in the negotiated column encoding, and back.

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, PositionEncodingKind, Range, Url,
};

use crate::{ColumnKind, Finding, LineIndex, RULES, Severity, Span};

/// The `source` of every diagnostic the server publishes.
pub(crate) const SOURCE: &str = "asyncheck";

/// The column encoding for a client that offers `offered` (in its order of
/// preference): UTF-8 when offered, else the protocol's default UTF-16.
pub(crate) fn negotiate(offered: Option<&[PositionEncodingKind]>) -> ColumnKind {
    let utf8 = offered.is_some_and(|kinds| kinds.contains(&PositionEncodingKind::UTF8));
    if utf8 {
        ColumnKind::Utf8
    } else {
        ColumnKind::Utf16
    }
}

/// The protocol's name of a column encoding the server speaks.
pub(crate) fn encoding_name(kind: ColumnKind) -> PositionEncodingKind {
    match kind {
        ColumnKind::Utf8 => PositionEncodingKind::UTF8,
        ColumnKind::Utf16 | ColumnKind::Chars => PositionEncodingKind::UTF16,
    }
}

/// The LSP position (0-based line and column in `kind`) of byte `offset`;
/// the start of the text when the offset is not in it.
pub(crate) fn position(lines: &LineIndex<'_>, offset: usize, kind: ColumnKind) -> Position {
    lines
        .position(offset, kind)
        .map_or(Position::new(0, 0), |(line, column)| {
            Position::new(to_u32(line - 1), to_u32(column - 1))
        })
}

/// The LSP range of `span`; an empty range at the start of the text when the
/// span is not in it (the text changed under a stale finding).
pub(crate) fn range(lines: &LineIndex<'_>, span: Span, kind: ColumnKind) -> Range {
    let bytes = lines.byte_range(span).unwrap_or(0..0);
    Range::new(
        position(lines, bytes.start, kind),
        position(lines, bytes.end, kind),
    )
}

/// The range of the whole text.
pub(crate) fn whole(lines: &LineIndex<'_>, kind: ColumnKind) -> Range {
    Range::new(
        Position::new(0, 0),
        position(lines, lines.text().len(), kind),
    )
}

/// The link to a rule's section of the rules reference.
pub(crate) fn rule_docs_url(rule: &str) -> Option<Url> {
    RULES.iter().find(|r| r.name == rule)?;
    Url::parse(&format!(
        "{}/blob/main/docs/rules.md#{rule}",
        env!("CARGO_PKG_REPOSITORY")
    ))
    .ok()
}

/// `finding` of the document at `uri` as a diagnostic: its span, severity,
/// rule as the code with a link to its docs, `help` under the message, and
/// its notes as related information.
pub(crate) fn diagnostic(
    uri: &Url,
    lines: &LineIndex<'_>,
    kind: ColumnKind,
    finding: &Finding,
) -> Diagnostic {
    let related: Vec<_> = finding
        .notes
        .iter()
        .map(|note| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), range(lines, note.span, kind)),
            message: note.message.clone(),
        })
        .collect();
    let message = if finding.help.is_empty() {
        finding.message.clone()
    } else {
        format!("{}\nhelp: {}", finding.message, finding.help)
    };
    Diagnostic {
        range: range(lines, finding.span, kind),
        severity: Some(match finding.severity {
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Error => DiagnosticSeverity::ERROR,
        }),
        code: Some(NumberOrString::String(finding.rule.to_owned())),
        code_description: rule_docs_url(finding.rule).map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// Positions are `u32` in the protocol; a text with more lines or columns is not one an editor holds.
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_by_default_and_bytes_when_negotiated() {
        let text = "let s = \"𝄞é\"; x\n";
        let lines = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(position(&lines, x, ColumnKind::Utf16), Position::new(0, 15));
        assert_eq!(position(&lines, x, ColumnKind::Utf8), Position::new(0, 18));
        let kind = negotiate(Some(&[PositionEncodingKind::UTF16]));
        assert_eq!(kind, ColumnKind::Utf16);
        let kind = negotiate(Some(&[
            PositionEncodingKind::UTF32,
            PositionEncodingKind::UTF8,
        ]));
        assert_eq!(kind, ColumnKind::Utf8);
        assert_eq!(negotiate(None), ColumnKind::Utf16);
    }
}
