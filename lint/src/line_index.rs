//! Positions in a source text: byte offsets ↔ 1-based lines and columns, with columns in chars, UTF-8 bytes or UTF-16 code units.
//!
//! A [`LineIndex`] is built once per text (one pass to find the line starts)
//! and answers every lookup from there, so a renderer, a fix or a baseline
//! does not rescan the text per finding. Its conventions are the ones of
//! [`Span`]:
//!
//! - lines and columns are 1-based;
//! - a line ends at `\n` or `\r\n`, and the line ending is not part of the
//!   line's text (a `\r` not followed by `\n` is text);
//! - a byte order mark at the start of the text is not part of line 1, so it
//!   is not a column (as in rustc and in editors);
//! - the column just past a line's last character is its end; a column
//!   beyond that is *not* on the line (`None`), and nothing is clamped.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use crate::Span;

/// How a column counts the characters before it on its line.
///
/// [`Span`]s count [`Chars`](ColumnKind::Chars), as rustc does; editors speak
/// UTF-16 (the Language Server Protocol's default) or UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColumnKind {
    /// Unicode scalar values (Rust `char`s; SARIF's `unicodeCodePoints`).
    Chars,
    /// UTF-8 bytes.
    Utf8,
    /// UTF-16 code units: a character outside the Basic Multilingual Plane counts 2.
    Utf16,
}

impl ColumnKind {
    /// How many columns `c` takes.
    fn width(self, c: char) -> usize {
        match self {
            ColumnKind::Chars => 1,
            ColumnKind::Utf8 => c.len_utf8(),
            ColumnKind::Utf16 => c.len_utf16(),
        }
    }
}

/// The lines of one text, for converting between byte offsets and lines and columns.
///
/// ```
/// use asyncheck_lint::{ColumnKind, LineIndex};
///
/// let index = LineIndex::new("\u{feff}fn f() {}\r\nlet é𝄞 = 1;\n");
/// assert_eq!(index.line(1), Some("fn f() {}"));
/// // `=` is the 8th char of line 2, its 9th UTF-16 code unit and its 12th byte.
/// let at = index.offset(2, 8, ColumnKind::Chars).unwrap();
/// assert_eq!(&index.text()[at..at + 1], "=");
/// assert_eq!(index.position(at, ColumnKind::Utf16), Some((2, 9)));
/// assert_eq!(index.position(at, ColumnKind::Utf8), Some((2, 12)));
/// // Past the end of a line is not on it.
/// assert_eq!(index.offset(1, 11, ColumnKind::Chars), None);
/// ```
#[derive(Clone, Debug)]
pub struct LineIndex<'s> {
    text: &'s str,
    /// The byte offset where each line's text starts: after a byte order mark
    /// for line 1, after a `\n` for the others. Never empty.
    starts: Vec<usize>,
}

impl<'s> LineIndex<'s> {
    /// Indexes the lines of `text`.
    pub fn new(text: &'s str) -> Self {
        let first = if text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        let mut starts = vec![first];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { text, starts }
    }

    /// The indexed text.
    pub fn text(&self) -> &'s str {
        self.text
    }

    /// How many lines the text has: one more than its `\n`s (a text ending in
    /// `\n` has an empty last line; an empty text has one empty line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The byte range of the text of `line`: without its line ending, and for
    /// line 1 without a byte order mark. `None` for line 0 or past the last line.
    pub fn line_range(&self, line: usize) -> Option<Range<usize>> {
        let index = line.checked_sub(1)?;
        let start = *self.starts.get(index)?;
        let end = match self.starts.get(index + 1) {
            // The next line starts after this one's `\n`; a `\r` before it belongs to the ending.
            Some(&next) => {
                let before_newline = next - 1;
                if before_newline > start && self.text.as_bytes()[before_newline - 1] == b'\r' {
                    before_newline - 1
                } else {
                    before_newline
                }
            }
            None => self.text.len(),
        };
        Some(start..end)
    }

    /// The text of `line` (see [`line_range`](Self::line_range)).
    pub fn line(&self, line: usize) -> Option<&'s str> {
        self.line_range(line).map(|range| &self.text[range])
    }

    /// The byte offset of 1-based `column`, counted in `kind`, on 1-based `line`.
    ///
    /// The column just past the line's last character is the end of its text.
    /// `None` for line or column 0, a line past the last, a column past the
    /// end of the line, and a column that falls inside a character (a UTF-8
    /// or UTF-16 column in the middle of a multi-unit character).
    pub fn offset(&self, line: usize, column: usize, kind: ColumnKind) -> Option<usize> {
        let range = self.line_range(line)?;
        let wanted = column.checked_sub(1)?;
        let text = &self.text[range.clone()];
        if text.is_ascii() {
            return (wanted <= text.len()).then_some(range.start + wanted);
        }
        let mut counted = 0;
        for (at, c) in text.char_indices() {
            if counted == wanted {
                return Some(range.start + at);
            }
            if counted > wanted {
                return None;
            }
            counted += kind.width(c);
        }
        (counted == wanted).then_some(range.end)
    }

    /// The 1-based line and column (counted in `kind`) of byte `offset`.
    ///
    /// An offset in a line ending is the end of that line's text; offset 0 of a
    /// text that starts with a byte order mark is line 1, column 1. `None` for an
    /// offset past the end of the text or not on a character boundary.
    pub fn position(&self, offset: usize, kind: ColumnKind) -> Option<(usize, usize)> {
        if !self.text.is_char_boundary(offset) {
            return None;
        }
        // The last line starting at or before `offset` (line 1 when it is in the mark).
        let index = self.starts.partition_point(|&s| s <= offset).max(1) - 1;
        let line = index + 1;
        let range = self.line_range(line)?;
        let end = offset.clamp(range.start, range.end);
        let before = &self.text[range.start..end];
        let column = if before.is_ascii() {
            before.len()
        } else {
            before.chars().map(|c| kind.width(c)).sum()
        };
        Some((line, column + 1))
    }

    /// The byte range `span` (columns in chars) covers; `None` when either end
    /// is not in the text (see [`offset`](Self::offset)). An end before the
    /// start gives an empty range at the start.
    pub fn byte_range(&self, span: Span) -> Option<Range<usize>> {
        let start = self.offset(span.line, span.column, ColumnKind::Chars)?;
        let end = self.offset(span.end_line, span.end_column, ColumnKind::Chars)?;
        Some(start..end.max(start))
    }
}

/// A [`LineIndex`] per file, each built the first time it is asked for: what
/// a renderer, the fixes or a baseline use to resolve the spans of a report.
#[derive(Debug, Default)]
pub(crate) struct LineIndexes<'r> {
    indexes: HashMap<&'r Path, LineIndex<'r>>,
}

impl<'r> LineIndexes<'r> {
    /// The index of `text`, the contents of `path`.
    pub(crate) fn get(&mut self, path: &'r Path, text: &'r str) -> &LineIndex<'r> {
        self.indexes
            .entry(path)
            .or_insert_with(|| LineIndex::new(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ColumnKind::{Chars, Utf8, Utf16};

    /// Every char boundary of `text` goes to a position and back, in every kind.
    fn round_trips(text: &str) {
        let index = LineIndex::new(text);
        for offset in (index.starts[0]..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let in_ending = text[offset..].starts_with('\n') || text[offset..].starts_with("\r\n");
            for kind in [Chars, Utf8, Utf16] {
                let (line, column) = index.position(offset, kind).unwrap();
                let back = index.offset(line, column, kind).unwrap();
                if in_ending {
                    assert_eq!(
                        back,
                        index.line_range(line).unwrap().end,
                        "{text:?} {offset}"
                    );
                } else {
                    assert_eq!(back, offset, "{text:?} {offset} {kind:?}");
                }
            }
        }
    }

    #[test]
    fn lines_end_at_lf_or_crlf_and_line_one_starts_after_a_bom() {
        let index = LineIndex::new("\u{feff}a\r\nb\n\rc\r\n");
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.line(1), Some("a"));
        assert_eq!(index.line(2), Some("b"));
        assert_eq!(index.line(3), Some("\rc"), "a lone `\\r` is text");
        assert_eq!(index.line(4), Some(""));
        assert_eq!(index.line(0), None);
        assert_eq!(index.line(5), None);
        assert_eq!(LineIndex::new("").line(1), Some(""));
        assert_eq!(LineIndex::new("\r\n").line(1), Some(""));
    }

    #[test]
    fn multi_byte_and_astral_characters_take_one_char_and_their_utf8_or_utf16_width() {
        // é: 2 bytes, 1 UTF-16 unit; 𝄞: 4 bytes, 2 UTF-16 units (a surrogate pair).
        let index = LineIndex::new("é𝄞x\n");
        let x = "é𝄞".len();
        assert_eq!(index.offset(1, 3, Chars), Some(x));
        assert_eq!(index.offset(1, 7, Utf8), Some(x));
        assert_eq!(index.offset(1, 4, Utf16), Some(x));
        assert_eq!(index.position(x, Chars), Some((1, 3)));
        assert_eq!(index.position(x, Utf8), Some((1, 7)));
        assert_eq!(index.position(x, Utf16), Some((1, 4)));
        // A column inside a character is not a position in the text.
        assert_eq!(index.offset(1, 3, Utf16), None, "inside the surrogate pair");
        assert_eq!(index.offset(1, 2, Utf8), None, "inside `é`");
        assert_eq!(index.position(1, Chars), None, "offset inside `é`");
        round_trips("é𝄞x\n\u{1F600}\u{1F600}\nab\n");
    }

    #[test]
    fn a_byte_order_mark_is_not_a_column() {
        let index = LineIndex::new("\u{feff}ab\ncd");
        assert_eq!(index.offset(1, 1, Chars), Some(3));
        assert_eq!(index.position(3, Chars), Some((1, 1)));
        assert_eq!(index.position(0, Utf16), Some((1, 1)), "before the mark");
        assert_eq!(index.position(1, Chars), None, "inside the mark");
        assert_eq!(index.offset(2, 1, Chars), Some(6));
        round_trips("\u{feff}ab\ncd");
        round_trips("\u{feff}");
    }

    #[test]
    fn crlf_endings_are_not_columns() {
        let text = "ab\r\ncd\r\n";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(1, 3, Chars), Some(2), "the end of `ab`");
        assert_eq!(index.offset(1, 4, Chars), None, "the `\\r` is not a column");
        assert_eq!(index.position(2, Chars), Some((1, 3)), "at the `\\r`");
        assert_eq!(index.position(3, Chars), Some((1, 3)), "at the `\\n`");
        assert_eq!(index.offset(2, 1, Chars), Some(4));
        assert_eq!(index.position(text.len(), Chars), Some((3, 1)));
        round_trips(text);
    }

    #[test]
    fn past_the_end_of_a_line_or_of_the_text_is_nowhere() {
        let index = LineIndex::new("ab\ncé");
        assert_eq!(
            index.offset(1, 3, Chars),
            Some(2),
            "just past the last char"
        );
        assert_eq!(index.offset(1, 4, Chars), None);
        assert_eq!(index.offset(2, 3, Chars), Some(index.text().len()));
        assert_eq!(index.offset(2, 4, Chars), None);
        assert_eq!(index.offset(2, 4, Utf8), Some(index.text().len()));
        assert_eq!(index.offset(3, 1, Chars), None, "past the last line");
        assert_eq!(index.offset(0, 1, Chars), None);
        assert_eq!(index.offset(1, 0, Chars), None);
        assert_eq!(index.position(index.text().len() + 1, Chars), None);
        assert_eq!(
            index.position(index.text().len(), Chars),
            Some((2, 3)),
            "the end of the text"
        );
    }

    #[test]
    fn spans_become_byte_ranges() {
        let index = LineIndex::new("fn f() {}\n  é!;\n");
        let span = Span {
            line: 2,
            column: 3,
            end_line: 2,
            end_column: 5,
        };
        assert_eq!(&index.text()[index.byte_range(span).unwrap()], "é!");
        let backwards = Span {
            end_column: 1,
            ..span
        };
        assert_eq!(index.byte_range(backwards), Some(12..12));
        let outside = Span {
            end_line: 9,
            ..span
        };
        assert_eq!(index.byte_range(outside), None);
    }
}
