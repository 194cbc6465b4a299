//! Turns the paths given on the command line into the sorted list of `.rs` files to check.

use std::path::{Path, PathBuf};

use crate::Error;

/// Expands `paths` (default: the current directory) into files.
///
/// Directories are walked recursively with the `ignore` crate: `.gitignore`
/// (even outside a git repository), `.ignore` and hidden-file rules apply as in
/// ripgrep, and any directory named `target` is skipped. Files named explicitly
/// are always checked, whatever their extension. Paths come back relative to
/// the current directory when they are under it, sorted and deduplicated.
pub(crate) fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let roots = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    if let Some(missing) = roots.iter().find(|p| !p.exists()) {
        return Err(Error::MissingPath(missing.clone()));
    }
    let cwd = std::env::current_dir().ok();
    let mut files = Vec::new();
    for root in &roots {
        if !root.is_dir() {
            files.push(display_path(root, cwd.as_deref()));
            continue;
        }
        let walker = ignore::WalkBuilder::new(root)
            .require_git(false)
            .filter_entry(|entry| {
                !(entry.depth() > 0
                    && entry.file_type().is_some_and(|t| t.is_dir())
                    && entry.file_name() == "target")
            })
            .build();
        // Entries the walker cannot read (permissions, broken links) are skipped
        // here; a file that is listed but unreadable is reported by the engine.
        for entry in walker.flatten() {
            let is_rs = entry.path().extension().is_some_and(|e| e == "rs");
            if is_rs && entry.file_type().is_some_and(|t| t.is_file()) {
                files.push(display_path(entry.path(), cwd.as_deref()));
            }
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
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
