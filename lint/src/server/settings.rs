//! The configuration the server lints with: found from the workspace root, re-read when a configuration file changes, and a bad one reported where it is wrong.

use std::path::{Path, PathBuf};

use crate::{CONFIG_FILE_NAMES, ConfigError};

/// What the client is asked to watch (`workspace/didChangeWatchedFiles`): the
/// configuration files, and Rust files changed outside the editor (which
/// change the cross-file index).
pub(crate) const WATCHED: &[&str] = &[
    "**/asyncheck.toml",
    "**/.asyncheck.toml",
    "**/Cargo.toml",
    "**/*.rs",
];

/// Whether a change to `path` may change the configuration.
pub(crate) fn is_config_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name == "Cargo.toml" || CONFIG_FILE_NAMES.contains(&name))
}

/// One problem of a bad configuration: where (0-based line and column in
/// chars, the start of the file when the problem has no position) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) path: PathBuf,
    pub(crate) line: u32,
    pub(crate) column: u32,
    pub(crate) message: String,
}

/// The problems of `error`, each split from its `path:line:col: message` form.
pub(crate) fn problems(error: &ConfigError) -> Vec<Problem> {
    error.problems.iter().filter_map(|p| split(p)).collect()
}

/// `path:line:col: message` or `path: message` → a [`Problem`]; the path is
/// everything before the first `:line:col: ` (a path may hold colons).
fn split(problem: &str) -> Option<Problem> {
    for (at, _) in problem.match_indices(':') {
        let rest = &problem[at + 1..];
        let mut parts = rest.splitn(3, ':');
        let (Some(line), Some(column), Some(message)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (Ok(line), Ok(column)) = (line.parse::<u32>(), column.parse::<u32>()) else {
            continue;
        };
        return Some(Problem {
            path: PathBuf::from(&problem[..at]),
            line: line.saturating_sub(1),
            column: column.saturating_sub(1),
            message: message.trim_start().to_owned(),
        });
    }
    let (path, message) = problem.split_once(": ")?;
    Some(Problem {
        path: PathBuf::from(path),
        line: 0,
        column: 0,
        message: message.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_splits_into_path_position_and_message_even_with_colons_in_the_path() {
        let problem =
            split("/w/a:b/asyncheck.toml:3:7: unknown key `selec`; valid keys: x").unwrap();
        assert_eq!(problem.path, Path::new("/w/a:b/asyncheck.toml"));
        assert_eq!((problem.line, problem.column), (2, 6));
        assert_eq!(problem.message, "unknown key `selec`; valid keys: x");
        let unreadable = split("/w/asyncheck.toml: cannot read configuration: denied").unwrap();
        assert_eq!((unreadable.line, unreadable.column), (0, 0));
        assert_eq!(unreadable.message, "cannot read configuration: denied");
    }

    #[test]
    fn configuration_files_are_recognised_by_name() {
        assert!(is_config_file(Path::new("/w/Cargo.toml")));
        assert!(is_config_file(Path::new("/w/.asyncheck.toml")));
        assert!(!is_config_file(Path::new("/w/src/lib.rs")));
    }
}
