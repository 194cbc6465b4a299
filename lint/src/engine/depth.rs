//! A cheap pre-scan of a file's nesting depth, so that a file too deep to parse safely is reported instead of overflowing the stack.
//!
//! syn's parser, the rule walk and even dropping the syntax tree recurse once
//! per nesting level; no stack is deep enough for any input. [`scan`] counts
//! the depth of `(`, `[` and `{` in one pass over the bytes, skipping comments
//! (nested block comments too), string, byte-string, C-string and raw-string
//! literals and char literals (told apart from lifetimes and labels), so that
//! a `"(((("` in a string does not count. It does not parse: on text that
//! does not lex, it still terminates and syn reports the syntax error.

/// Files nested deeper than this are reported as `too_complex` and not parsed.
///
/// Real code nests a few dozen levels; generated code (parser tables, deeply
/// nested `vec![..]` literals) a few thousand. The limit sits well above
/// that (20,000 nested blocks are still checked), and the engine's worker
/// stack ([`super::STACK_SIZE`]) holds a file at the limit with room to
/// spare in a release build.
pub(crate) const MAX_DEPTH: usize = 25_000;

/// Where the nesting first went past [`MAX_DEPTH`], and how deep it got.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TooDeep {
    /// The deepest nesting in the file.
    pub(crate) depth: usize,
    /// Byte offset of the opening delimiter that went past the limit.
    pub(crate) offset: usize,
}

/// The maximum nesting depth of `source`, and where it first exceeds `limit` if it does.
pub(crate) fn scan(source: &str, limit: usize) -> (usize, Option<usize>) {
    let bytes = source.as_bytes();
    let (mut depth, mut max, mut first_over) = (0usize, 0usize, None);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    max = depth;
                    if depth > limit && first_over.is_none() {
                        first_over = Some(i);
                    }
                }
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = memchr(bytes, i, b'\n');
            }
            _ => i = skip_literal_or_block_comment(bytes, i),
        }
    }
    (max, first_over)
}

/// Checks `source` against [`MAX_DEPTH`].
///
/// Every level of nesting [`scan`] counts is an opening bracket byte, so a
/// file with no more opening brackets than the limit cannot exceed it: such a
/// file (nearly every file) is let through after one count of its bytes.
pub(crate) fn check(source: &str) -> Result<(), TooDeep> {
    if opening_brackets(source.as_bytes()) <= MAX_DEPTH {
        return Ok(());
    }
    match scan(source, MAX_DEPTH) {
        (_, None) => Ok(()),
        (depth, Some(offset)) => Err(TooDeep { depth, offset }),
    }
}

/// How many `(`, `[` and `{` bytes `bytes` holds, wherever they are. Counted
/// in chunks of at most 255 bytes with a byte-sized total each, which the
/// compiler turns into wide vector compares.
fn opening_brackets(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|chunk| {
            let in_chunk: u8 = chunk
                .iter()
                .map(|&b| u8::from(b == b'(') + u8::from(b == b'[') + u8::from(b == b'{'))
                .sum();
            usize::from(in_chunk)
        })
        .sum()
}

/// Offset of the next `byte` at or after `from`, or the end.
pub(super) fn memchr(bytes: &[u8], from: usize, byte: u8) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == byte)
        .map_or(bytes.len(), |p| from + p)
}

/// Just past the literal (string, byte or C string, raw string, char) or block
/// comment starting at `i`, whose brackets do not count; when none starts
/// there, just past the plain text from `i` (see [`plain_text_end`]).
pub(super) fn skip_literal_or_block_comment(bytes: &[u8], i: usize) -> usize {
    match bytes[i] {
        b'/' if bytes.get(i + 1) == Some(&b'*') => block_comment_end(bytes, i + 2),
        b'"' => string_end(bytes, i + 1),
        b'\'' => quote_end(bytes, i),
        b'r' if !ident_before(bytes, i) => raw_string_end(bytes, i),
        b'b' | b'c' if !ident_before(bytes, i) && bytes.get(i + 1) == Some(&b'r') => {
            raw_string_end(bytes, i + 1)
        }
        _ => plain_text_end(bytes, i + 1),
    }
}

/// The first byte at or after `i` that may start something a scanner here
/// looks at: a bracket, a `/` (comments), a quote, or an `r`, `b` or `c`
/// that starts an identifier (a raw string's prefix). Stepping over the plain
/// bytes in between at once, rather than one call per byte, is the same scan:
/// each of them would have been stepped over alone.
fn plain_text_end(bytes: &[u8], mut i: usize) -> usize {
    while let Some(&byte) = bytes.get(i) {
        let stops = match STOPS[usize::from(byte)] {
            Stop::Never => false,
            Stop::Always => true,
            Stop::AfterNonIdent => !ident_before(bytes, i),
        };
        if stops {
            break;
        }
        i += 1;
    }
    i
}

/// Whether [`plain_text_end`] stops at a byte.
#[derive(Clone, Copy)]
enum Stop {
    Never,
    Always,
    /// `r`, `b`, `c`: only where an identifier starts.
    AfterNonIdent,
}

/// [`Stop`] for every byte value, looked up once per byte.
const STOPS: [Stop; 256] = {
    let mut table = [Stop::Never; 256];
    let always = b"()[]{}/\"'";
    let mut k = 0;
    while k < always.len() {
        table[always[k] as usize] = Stop::Always;
        k += 1;
    }
    table[b'r' as usize] = Stop::AfterNonIdent;
    table[b'b' as usize] = Stop::AfterNonIdent;
    table[b'c' as usize] = Stop::AfterNonIdent;
    table
};

fn ident_before(bytes: &[u8], i: usize) -> bool {
    i > 0 && (bytes[i - 1] == b'_' || bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] >= 0x80)
}

/// Just past the `*/` closing the block comment whose body starts at `i`, counting nested comments.
fn block_comment_end(bytes: &[u8], mut i: usize) -> usize {
    let mut open = 1usize;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'/', Some(b'*')) => {
                open += 1;
                i += 2;
            }
            (b'*', Some(b'/')) => {
                open -= 1;
                i += 2;
                if open == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    i
}

/// Just past the `"` closing the (non-raw) string whose body starts at `i`.
fn string_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// Past a char literal starting with the `'` at `i`, or just past the `'` of a lifetime or label.
fn quote_end(bytes: &[u8], i: usize) -> usize {
    match bytes.get(i + 1) {
        // '\n', '\'', '\u{..}': an escape is always a char literal.
        Some(b'\\') => {
            let mut j = i + 3;
            while j < bytes.len() && bytes[j] != b'\'' && bytes[j] != b'\n' {
                j += 1;
            }
            j + 1
        }
        Some(&lead) => {
            // One char (of however many UTF-8 bytes) then `'`: a char literal, else a lifetime.
            let len = match lead {
                0xF0.. => 4,
                0xE0.. => 3,
                0xC0.. => 2,
                _ => 1,
            };
            if bytes.get(i + 1 + len) == Some(&b'\'') {
                i + 2 + len
            } else {
                i + 1
            }
        }
        None => i + 1,
    }
}

/// Past the raw string whose `r` is at `i` (`r"…"`, `r#"…"#`, …); just past the `r` when it is not one (`r#ident`, `r`).
fn raw_string_end(bytes: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while bytes.get(j) == Some(&b'#') {
        j += 1;
    }
    if bytes.get(j) != Some(&b'"') {
        return i + 1;
    }
    let hashes = j - i - 1;
    j += 1;
    while j < bytes.len() {
        if bytes[j] == b'"'
            && bytes.len() - (j + 1) >= hashes
            && bytes[j + 1..j + 1 + hashes].iter().all(|&b| b == b'#')
        {
            return j + 1 + hashes;
        }
        j += 1;
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(src: &str) -> usize {
        scan(src, usize::MAX).0
    }

    #[test]
    fn counts_all_three_delimiters() {
        assert_eq!(depth(""), 0);
        assert_eq!(depth("fn f() { g([1, (2)]); }"), 4);
        assert_eq!(depth("((((x))))"), 4);
    }

    #[test]
    fn skips_comments_and_literals() {
        assert_eq!(depth("// (((((\nfn f() {}"), 1);
        assert_eq!(depth("/* ((( /* nested ((( */ ((( */ fn f() {}"), 1);
        assert_eq!(depth(r#"fn f() { "(((\"((("; }"#), 1);
        assert_eq!(depth(r##"fn f() { r#"((("((("#; br"((("; }"##), 1);
        assert_eq!(depth("fn f() { b\"(((\"; c\"(((\"; }"), 1);
        assert_eq!(depth("fn f() { ['(', '\\'', '\\u{28}', b'[', 'é']; }"), 2);
    }

    #[test]
    fn lifetimes_labels_and_raw_identifiers_are_not_literals() {
        assert_eq!(depth("fn f<'a>(x: &'a (u8)) {}"), 2);
        assert_eq!(depth("fn f() { 'outer: loop { break 'outer; } }"), 2);
        assert_eq!(depth("fn r#fn() { r#match((1)); for_r(r); }"), 3);
    }

    #[test]
    fn reports_where_the_limit_is_first_exceeded() {
        assert_eq!(scan("a(b(c(d)))", 2), (3, Some(5)));
        assert_eq!(scan("((()))", 3), (3, None));
        let deep = format!("{}{}", "(".repeat(10), ")".repeat(10));
        assert_eq!(scan(&deep, 4), (10, Some(4)));
    }

    #[test]
    fn check_counts_brackets_first_and_scans_only_files_with_more_than_the_limit() {
        // At the limit without a scan; past it, the scan decides.
        assert_eq!(check(&"(".repeat(MAX_DEPTH)), Ok(()));
        let deep = "(".repeat(MAX_DEPTH + 1);
        let too_deep = TooDeep {
            depth: MAX_DEPTH + 1,
            offset: MAX_DEPTH,
        };
        assert_eq!(check(&deep), Err(too_deep));
        // More brackets than the limit, but shallow: scanned and let through.
        assert_eq!(check(&"fn f() {}\n".repeat(MAX_DEPTH)), Ok(()));
    }

    /// [`skip_literal_or_block_comment`] as it was, one step per plain byte.
    fn skip_one_byte_at_a_time(bytes: &[u8], i: usize) -> usize {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'*') => block_comment_end(bytes, i + 2),
            b'"' => string_end(bytes, i + 1),
            b'\'' => quote_end(bytes, i),
            b'r' if !ident_before(bytes, i) => raw_string_end(bytes, i),
            b'b' | b'c' if !ident_before(bytes, i) && bytes.get(i + 1) == Some(&b'r') => {
                raw_string_end(bytes, i + 1)
            }
            _ => i + 1,
        }
    }

    /// [`scan`] with [`skip_one_byte_at_a_time`].
    fn scan_one_byte_at_a_time(source: &str, limit: usize) -> (usize, Option<usize>) {
        let bytes = source.as_bytes();
        let (mut depth, mut max, mut first_over) = (0usize, 0usize, None);
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    if depth > max {
                        max = depth;
                        if depth > limit && first_over.is_none() {
                            first_over = Some(i);
                        }
                    }
                    i += 1;
                }
                b')' | b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    i += 1;
                }
                b'/' if bytes.get(i + 1) == Some(&b'/') => i = memchr(bytes, i, b'\n'),
                _ => i = skip_one_byte_at_a_time(bytes, i),
            }
        }
        (max, first_over)
    }

    proptest::proptest! {
        #[test]
        fn stepping_over_plain_text_at_once_scans_the_same(
            source in proptest::collection::vec(
                proptest::sample::select(vec![
                    "(", ")", "[", "]", "{", "}", "/", "*", "\"", "'", "r", "b", "c", "#",
                    "\\", "\n", " ", "a", "_", "1", "é", "x", "br", "r#", "//", "/*", "*/",
                ]),
                0..40,
            )
        ) {
            let source = source.concat();
            proptest::prop_assert_eq!(scan(&source, 2), scan_one_byte_at_a_time(&source, 2), "{:?}", source);
        }
    }

    #[test]
    fn unterminated_text_still_terminates() {
        for src in ["\"((", "r#\"((", "/* ((", "'", "'\\", "b'", "r#"] {
            let _ = scan(src, 1);
        }
    }
}
