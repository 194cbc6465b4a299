//! Turns the paths given on the command line into the sorted list of `.rs` files to check,
//! and reports every entry of the walk that could not be looked at.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::finding::EngineFinding;
use crate::{Error, Finding, Span};

/// What walking the given paths found.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    /// The files to check, sorted, each real file once.
    pub(crate) files: Vec<PathBuf>,
    /// One `io_error` finding per entry the walk could not look at: an
    /// unreadable directory, a broken symbolic link, a symbolic link loop.
    pub(crate) problems: Vec<Finding>,
}

/// Expands `paths` (default: the current directory) into files.
///
/// Directories are walked recursively with the `ignore` crate: `.gitignore`
/// (even outside a git repository), `.ignore` and hidden-file rules apply as in
/// ripgrep, and any directory named `target` is skipped. Files named explicitly
/// are always checked, whatever their extension. Paths come back relative to
/// the current directory when they are under it, sorted and deduplicated.
///
/// Symbolic links are followed, as rustc follows them when it loads a module:
/// a linked file or directory is checked under the path of the link, also when
/// it points outside the given paths (`--fix` never writes there). A file
/// reached by several paths is checked once, under the first in sorted order;
/// a link that points back to one of its ancestors is reported and not
/// followed again.
pub(crate) fn collect(paths: &[PathBuf]) -> Result<Walked, Error> {
    let roots = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    if let Some(missing) = roots.iter().find(|p| std::fs::symlink_metadata(p).is_err()) {
        return Err(Error::MissingPath(missing.clone()));
    }
    let cwd = std::env::current_dir().ok();
    let mut found = Walked::default();
    let mut through_link = false;
    for root in &roots {
        if !root.is_dir() {
            found.files.push(display_path(root, cwd.as_deref()));
            continue;
        }
        let walker = ignore::WalkBuilder::new(root)
            .require_git(false)
            .follow_links(true)
            .filter_entry(|entry| {
                !(entry.depth() > 0
                    && entry.file_type().is_some_and(|t| t.is_dir())
                    && entry.file_name() == "target")
            })
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    found.problems.push(problem(&err, root, cwd.as_deref()));
                    continue;
                }
            };
            through_link |= entry.path_is_symlink();
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            // A `.rs` FIFO, socket or device is listed too: reading it reports
            // what it is (see `parse::read`) instead of skipping it unseen.
            if !is_dir && entry.path().extension().is_some_and(|e| e == "rs") {
                found.files.push(display_path(entry.path(), cwd.as_deref()));
            }
        }
    }
    found.files.sort();
    found.files.dedup();
    if through_link {
        let mut seen = HashSet::new();
        found
            .files
            .retain(|f| seen.insert(f.canonicalize().unwrap_or_else(|_| f.clone())));
    }
    found.problems.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

/// The `io_error` finding for an entry the walk could not look at, at the
/// deepest path the error names (else the root), with the line of an ignore
/// file's bad glob when it has one.
fn problem(err: &ignore::Error, root: &Path, cwd: Option<&Path>) -> Finding {
    let mut path = root;
    let mut line = 1;
    let mut inner = err;
    let reason = loop {
        match inner {
            ignore::Error::WithPath { path: p, err } => {
                path = p;
                inner = err;
            }
            ignore::Error::WithDepth { err, .. } => inner = err,
            ignore::Error::WithLineNumber { line: l, err } => {
                line = usize::try_from(*l).unwrap_or(usize::MAX);
                inner = err;
            }
            ignore::Error::Loop { ancestor, child } => {
                path = child;
                break format!(
                    "symbolic link loop: `{}` leads back to its ancestor `{}`; not followed again",
                    display_path(child, cwd).display(),
                    display_path(ancestor, cwd).display()
                );
            }
            ignore::Error::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
                break "broken symbolic link: its target does not exist".to_owned();
            }
            other => break format!("cannot read this entry: {other}"),
        }
    };
    let span = Span {
        line,
        column: 1,
        end_line: line,
        end_column: 1,
    };
    EngineFinding::IoError.at(
        &display_path(path, cwd),
        span,
        reason,
        "asyncheck could not look inside; fix or remove the entry, or list it under `exclude` in `asyncheck.toml`",
    )
}

/// `path` relative to `cwd` when it is under it, without a leading `./`.
fn display_path(path: &Path, cwd: Option<&Path>) -> PathBuf {
    let path = match cwd {
        Some(cwd) if path.is_absolute() => path.strip_prefix(cwd).unwrap_or(path),
        _ => path,
    };
    let path = path.strip_prefix(".").unwrap_or(path);
    if path.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        path.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_are_relative_to_cwd_and_drop_dot_slash() {
        let cwd = Path::new("/home/u/proj");
        assert_eq!(
            display_path(Path::new("/home/u/proj/src/a.rs"), Some(cwd)),
            PathBuf::from("src/a.rs")
        );
        assert_eq!(
            display_path(Path::new("./src/a.rs"), Some(cwd)),
            PathBuf::from("src/a.rs")
        );
        assert_eq!(
            display_path(Path::new("/elsewhere/a.rs"), Some(cwd)),
            PathBuf::from("/elsewhere/a.rs")
        );
    }
}
