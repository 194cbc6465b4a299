//! Applying fixes: from a report's machine-applicable [`Fix`]es to new file contents, diffs, and safe writes.
//!
//! For each file, the fixes are taken in source order; a fix whose edits
//! overlap one already taken is left for the next run. The edits are applied
//! to the text the file was checked from, and the result must still parse
//! (with syn) or the file is not touched. Writing ([`FileFix::write`])
//! refuses anything but a regular file inside the given roots, refuses a file
//! that changed since it was checked, and replaces the file atomically: a
//! temporary file in the same directory, with the original's permissions,
//! renamed over it — a crash leaves either the old or the new file, never a
//! half-written one.

use std::fmt;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::{Applicability, Fix, LineIndex, Report};

/// The fixed contents of one file.
///
/// ```
/// use asyncheck_lint::Linter;
///
/// let src = "async fn f(d: std::time::Duration) {\n    std::thread::sleep(d);\n}\n";
/// let report = Linter::new().check_source("src/a.rs", src);
/// let fixes = report.fixes().unwrap();
/// assert_eq!(fixes[0].fixed, "async fn f(d: std::time::Duration) {\n    tokio::time::sleep(d).await;\n}\n");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileFix {
    /// The file, as the report names it.
    pub path: PathBuf,
    /// The text it was checked from.
    pub original: String,
    /// The text with the fixes applied.
    pub fixed: String,
    /// How many fixes were applied.
    pub applied: usize,
    /// How many machine-applicable fixes overlapped another and were left for the next run.
    pub skipped: usize,
}

/// Why a fix could not be computed or written; the file is left untouched.
#[derive(Debug)]
pub enum FixError {
    /// The path is not under any of the roots the run was given.
    OutsideRoots(PathBuf),
    /// The path is a symlink or not a file.
    NotARegularFile(PathBuf),
    /// The file's contents differ from the text that was checked.
    ChangedSinceChecked(PathBuf),
    /// The fixed text does not parse (a bug in a rule's fix).
    WouldNotParse(PathBuf, String),
    /// Reading or writing failed.
    Io(PathBuf, std::io::Error),
}

impl fmt::Display for FixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FixError::OutsideRoots(p) => write!(
                f,
                "not fixing `{}`: it is outside the paths given",
                p.display()
            ),
            FixError::NotARegularFile(p) => {
                write!(f, "not fixing `{}`: it is not a regular file", p.display())
            }
            FixError::ChangedSinceChecked(p) => write!(
                f,
                "not fixing `{}`: it changed while it was being checked",
                p.display()
            ),
            FixError::WouldNotParse(p, e) => write!(
                f,
                "not fixing `{}`: the fixed file would not parse ({e}); this is a bug in asyncheck",
                p.display()
            ),
            FixError::Io(p, e) => write!(f, "cannot fix `{}`: {e}", p.display()),
        }
    }
}

impl std::error::Error for FixError {}

/// The fixed contents of every file of `report` with machine-applicable fixes, in path order.
pub(crate) fn plan(report: &Report) -> Result<Vec<FileFix>, FixError> {
    let mut out: Vec<FileFix> = Vec::new();
    let mut by_file: Vec<(&Path, Vec<&Fix>)> = Vec::new();
    for finding in report.findings() {
        let Some(fix) = &finding.fix else { continue };
        if fix.applicability != Applicability::MachineApplicable {
            continue;
        }
        match by_file.last_mut() {
            Some((path, fixes)) if *path == finding.path.as_path() => fixes.push(fix),
            _ => by_file.push((&finding.path, vec![fix])),
        }
    }
    for (path, fixes) in by_file {
        let Some(original) = report.source(path) else {
            continue;
        };
        let file = apply(path, original, &fixes)?;
        if file.applied > 0 {
            out.push(file);
        }
    }
    Ok(out)
}

/// Applies the non-overlapping `fixes` to `original`.
fn apply(path: &Path, original: &str, fixes: &[&Fix]) -> Result<FileFix, FixError> {
    let lines = LineIndex::new(original);
    let mut resolved: Vec<Vec<(Range<usize>, &str)>> = fixes
        .iter()
        .filter_map(|fix| {
            fix.edits
                .iter()
                .map(|e| Some((lines.byte_range(e.span)?, e.replacement.as_str())))
                .collect::<Option<Vec<_>>>()
        })
        .collect();
    let unresolved = fixes.len() - resolved.len();
    resolved.sort_by_key(|edits| edits.iter().map(|(r, _)| r.start).min());
    let mut taken: Vec<(Range<usize>, &str)> = Vec::new();
    let mut applied = 0;
    for edits in resolved {
        let clashes = edits
            .iter()
            .any(|(new, _)| taken.iter().any(|(old, _)| overlaps(new, old)));
        if !clashes {
            taken.extend(edits);
            applied += 1;
        }
    }
    taken.sort_by_key(|(range, _)| (range.start, range.end));
    let mut text = original.to_owned();
    for (range, replacement) in taken.iter().rev() {
        text.replace_range(range.clone(), replacement);
    }
    if applied > 0 {
        // On the engine's large-stack threads: the file may nest deeply, and the
        // parse (and the drop of its tree) recurses once per level.
        crate::engine::on_pool(|| syn::parse_file(&text).map(drop).map_err(|e| e.to_string()))
            .map_err(|e| FixError::WouldNotParse(path.to_path_buf(), e))?;
    }
    Ok(FileFix {
        path: path.to_path_buf(),
        original: original.to_owned(),
        fixed: text,
        applied,
        skipped: fixes.len() - applied - unresolved,
    })
}

/// Whether two edits touch the same text; two insertions at one point clash too.
fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    (a.start < b.end && b.start < a.end) || a.start == b.start
}

impl FileFix {
    /// A unified diff from the original to the fixed text, with `a/` and `b/` headers.
    pub fn diff(&self) -> String {
        let name = self.path.display().to_string().replace('\\', "/");
        similar::TextDiff::from_lines(&self.original, &self.fixed)
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{name}"), &format!("b/{name}"))
            .to_string()
    }

    /// Writes the fixed text over the file, atomically; see the module docs for the checks.
    ///
    /// # Errors
    /// When the file is outside `roots`, not a regular file, changed since it
    /// was checked, or cannot be replaced; it is then left as it was.
    pub fn write(&self, roots: &[PathBuf]) -> Result<(), FixError> {
        let path = &self.path;
        let io = |e: std::io::Error| FixError::Io(path.clone(), e);
        let metadata = std::fs::symlink_metadata(path).map_err(io)?;
        if !metadata.file_type().is_file() {
            return Err(FixError::NotARegularFile(path.clone()));
        }
        let real = path.canonicalize().map_err(io)?;
        let inside = roots.iter().any(|root| {
            root.canonicalize()
                .is_ok_and(|root| real == root || real.starts_with(&root) && root.is_dir())
        });
        if !inside {
            return Err(FixError::OutsideRoots(path.clone()));
        }
        let current = std::fs::read(path).map_err(io)?;
        if current != self.original.as_bytes() {
            return Err(FixError::ChangedSinceChecked(path.clone()));
        }
        let dir = real.parent().unwrap_or(Path::new("."));
        let mut temp = tempfile::Builder::new()
            .prefix(".asyncheck-fix-")
            .tempfile_in(dir)
            .map_err(io)?;
        temp.write_all(self.fixed.as_bytes()).map_err(io)?;
        temp.as_file().sync_all().map_err(io)?;
        std::fs::set_permissions(temp.path(), metadata.permissions()).map_err(io)?;
        temp.persist(&real).map_err(|e| io(e.error))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Edit, Span};

    fn insert(line: usize, column: usize, text: &str) -> Fix {
        Fix {
            description: String::new(),
            applicability: Applicability::MachineApplicable,
            edits: vec![Edit {
                span: Span {
                    line,
                    column,
                    end_line: line,
                    end_column: column,
                },
                replacement: text.to_owned(),
            }],
        }
    }

    #[test]
    fn overlapping_fixes_are_left_for_the_next_run() {
        let src = "fn f() { g(); }\n";
        let (a, b, c) = (
            insert(1, 13, ".x"),
            insert(1, 13, ".y"),
            insert(1, 10, "h();"),
        );
        let file = apply(Path::new("a.rs"), src, &[&a, &b, &c]).unwrap();
        assert_eq!(file.fixed, "fn f() { h();g().x; }\n");
        assert_eq!((file.applied, file.skipped), (2, 1));
    }

    #[test]
    fn a_fix_that_breaks_the_syntax_is_refused() {
        let broken = insert(1, 1, "{");
        let err = apply(Path::new("a.rs"), "fn f() {}\n", &[&broken]).unwrap_err();
        assert!(matches!(err, FixError::WouldNotParse(..)), "{err}");
    }
}
