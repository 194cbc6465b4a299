//! Helpers shared by the tests that drive the `cargo-asyncheck` binary: temp source trees and one run of the binary.
//!
//! Each test file that needs them declares `mod common;`; not every file uses every helper.
#![allow(
    dead_code,
    reason = "each test crate uses a different subset of these helpers"
)]

pub(crate) mod markers;
pub(crate) mod sarif;

use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;

/// A temp dir holding `files`: (path relative to the dir, contents).
pub(crate) fn tree<C: AsRef<[u8]>>(files: &[(&str, C)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, contents) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    dir
}

/// What one run of the binary printed, and how it exited.
pub(crate) struct Run {
    /// The exit status.
    pub(crate) code: i32,
    /// Standard output, as UTF-8.
    pub(crate) stdout: String,
    /// Standard error, as UTF-8.
    pub(crate) stderr: String,
}

/// Runs the binary in `cwd` with `args`; `NO_COLOR` is removed so colour is the binary's own decision.
pub(crate) fn run(cwd: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-asyncheck"))
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .args(args)
        .output()
        .unwrap();
    Run {
        code: output.status.code().expect("exited normally"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}
