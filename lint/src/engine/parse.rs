//! Reading a file and parsing it with syn; every failure becomes a finding, never an abort.

use std::path::Path;

use super::finding::EngineFinding;
use super::{depth, docs};
use crate::{ColumnKind, Finding, LineIndex, Span};

/// What an `io_error` about a file asks for.
const UNREADABLE_HELP: &str =
    "asyncheck skipped this file; make it readable UTF-8 Rust source to check it";

/// Reads `path` as UTF-8 text, or explains why it cannot be checked (rule `io_error`).
///
/// Only regular files (or links to them) are read: opening a FIFO would wait
/// for a writer forever, and a device is not source code.
pub(crate) fn read(path: &Path) -> Result<String, Box<Finding>> {
    let io_error = |message: String| {
        Box::new(EngineFinding::IoError.at(path, Span::FILE_START, message, UNREADABLE_HELP))
    };
    let kind = std::fs::metadata(path)
        .map_err(|err| io_error(format!("cannot read file: {err}")))?
        .file_type();
    if !kind.is_file() {
        return Err(io_error(format!(
            "not a regular file but {}: asyncheck reads only regular files",
            describe(kind)
        )));
    }
    let bytes = std::fs::read(path).map_err(|err| io_error(format!("cannot read file: {err}")))?;
    String::from_utf8(bytes).map_err(|err| {
        io_error(format!(
            "file is not valid UTF-8 (invalid byte at offset {})",
            err.utf8_error().valid_up_to()
        ))
    })
}

/// What a file that is not a regular file is, in words.
fn describe(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// Parses `source` as a Rust file, or reports syn's message at syn's position (rule `syntax_error`).
///
/// The doc comments' text is erased first ([`docs::erase`]): the same tokens
/// and spans, and the same files accepted, at a fraction of the cost.
pub(crate) fn parse(path: &Path, source: &str) -> Result<syn::File, Box<Finding>> {
    syn::parse_file(&docs::erase(source)).map_err(|err| {
        Box::new(EngineFinding::SyntaxError.at(
            path,
            Span::from_pm2(err.span()),
            format!("file does not parse: {err}"),
            "fix the syntax error; the other rules cannot check this file until it parses",
        ))
    })
}

/// The `too_complex` finding for a file nested deeper than [`depth::MAX_DEPTH`], at the delimiter that went past it.
pub(crate) fn too_complex(path: &Path, source: &str, too_deep: &depth::TooDeep) -> Finding {
    let (line, column) = LineIndex::new(source)
        .position(too_deep.offset, ColumnKind::Chars)
        .unwrap_or((1, 1));
    EngineFinding::TooComplex.at(
        path,
        Span {
            line,
            column,
            end_line: line,
            end_column: column + 1,
        },
        format!(
            "nesting depth {} exceeds the limit of {}: the file was not analysed",
            too_deep.depth,
            depth::MAX_DEPTH
        ),
        format!(
            "asyncheck skipped this file; nest brackets, parentheses and braces at most {} deep to check it",
            depth::MAX_DEPTH
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_complex_does_not_count_a_byte_order_mark_as_a_column() {
        let at = |source: &str| {
            let too_deep = depth::check(source).unwrap_err();
            let span = too_complex(Path::new("a.rs"), source, &too_deep).span;
            (span.line, span.column)
        };
        let plain = format!("fn f() {{ {} }}\n", "(".repeat(depth::MAX_DEPTH + 1));
        assert_eq!(at(&plain), (1, 9 + depth::MAX_DEPTH));
        assert_eq!(at(&format!("\u{feff}{plain}")), at(&plain));
    }
}
