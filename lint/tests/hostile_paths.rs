//! Hostile file systems: FIFOs and devices, unreadable files, symbolic link loops and
//! links out of the tree, broken links, files that vanish, and names with spaces or
//! bytes that are not UTF-8.
//!
//! In every case the run must finish, still check every other file, report the
//! problem with its path and reason, and exit with 1 for findings (2 is only for
//! usage errors). Symbolic links are followed (see `Linter::check_paths`).
#![cfg(unix)]

mod common;
use std::os::unix::fs::symlink;
use std::path::Path;

use common::{Run, run, tree};

const FLAGGED: &str = "async fn g(d: D) { std::thread::sleep(d); }\n";

fn short(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["--format", "short"];
    all.extend_from_slice(args);
    run(dir, &all)
}

fn sleep_finding(path: &str) -> String {
    format!("{path}:1:20: blocking_sleep: blocking `std::thread::sleep` in async context\n")
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

#[test]
fn a_fifo_is_reported_without_waiting_for_a_writer() {
    let dir = tree(&[("ok.rs", FLAGGED)]);
    mkfifo(&dir.path().join("pipe.rs"));
    // Walked, and named explicitly: neither may open the FIFO (that would hang).
    for args in [&["."][..], &["pipe.rs", "ok.rs"][..]] {
        let out = short(dir.path(), args);
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert_eq!(
            out.stdout,
            format!(
                "{}pipe.rs:1:1: io_error: not a regular file but a FIFO (named pipe): asyncheck reads only regular files\n",
                sleep_finding("ok.rs")
            )
        );
    }
}

#[test]
fn a_device_named_on_the_command_line_is_reported() {
    let dir = tree(&[("ok.rs", FLAGGED)]);
    let out = short(dir.path(), &["/dev/null", "ok.rs"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "/dev/null:1:1: io_error: not a regular file but a character device: asyncheck reads only regular files\n{}",
            sleep_finding("ok.rs")
        )
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_file_that_cannot_be_read_is_reported_with_the_reason() {
    // A regular file whose read fails even for root (the tests may run as root,
    // to whom permission bits mean nothing).
    let dir = tree(&[("ok.rs", FLAGGED)]);
    let out = short(dir.path(), &["/proc/self/mem", "ok.rs"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with("/proc/self/mem:1:1: io_error: cannot read file: "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.ends_with(&sleep_finding("ok.rs")),
        "{}",
        out.stdout
    );
}

#[test]
fn a_symlink_loop_is_reported_once_and_the_tree_is_still_checked() {
    let dir = tree(&[("src/a.rs", FLAGGED)]);
    symlink("..", dir.path().join("src/up")).unwrap();
    let out = short(dir.path(), &["."]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "{}src/up:1:1: io_error: symbolic link loop: `src/up` leads back to its ancestor `.`; not followed again\n",
            sleep_finding("src/a.rs")
        )
    );
}

#[test]
fn a_broken_symlink_is_reported() {
    let dir = tree(&[("ok.rs", FLAGGED)]);
    symlink("does-not-exist.rs", dir.path().join("gone.rs")).unwrap();
    let out = short(dir.path(), &["."]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "gone.rs:1:1: io_error: broken symbolic link: its target does not exist\n{}",
            sleep_finding("ok.rs")
        )
    );
}

#[test]
fn links_are_followed_once_even_out_of_the_tree_and_a_file_is_checked_once() {
    let outside = tree(&[("shared/net.rs", FLAGGED)]);
    let dir = tree(&[("app/src/lib.rs", FLAGGED)]);
    let app = dir.path().join("app");
    // A directory link out of the tree, and a second path to a file inside it.
    symlink(outside.path().join("shared"), app.join("src/shared")).unwrap();
    symlink("lib.rs", app.join("src/again.rs")).unwrap();
    let out = short(&app, &["."]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    // `src/again.rs` sorts first, so the file is reported under that path, once.
    assert_eq!(
        out.stdout,
        format!(
            "{}{}",
            sleep_finding("src/again.rs"),
            sleep_finding("src/shared/net.rs")
        )
    );
    // `--fix` fixes nothing reached through a link, and says why.
    let fixed = run(&app, &["--fix", "--format", "short", "."]);
    assert_eq!(fixed.code, 1, "{}", fixed.stderr);
    assert!(
        fixed
            .stderr
            .contains("not fixing `src/again.rs`: it is not a regular file"),
        "{}",
        fixed.stderr
    );
    assert!(
        fixed
            .stderr
            .contains("not fixing `src/shared/net.rs`: it is outside the paths given"),
        "{}",
        fixed.stderr
    );
    assert_eq!(
        std::fs::read_to_string(outside.path().join("shared/net.rs")).unwrap(),
        FLAGGED
    );
}

#[test]
fn a_file_that_vanishes_before_it_is_read_is_reported() {
    // The walk lists a path that exists; reading it finds no file. A dangling
    // link named explicitly takes that path through the engine, as a file
    // deleted between the walk and the read does.
    let dir = tree(&[("ok.rs", FLAGGED)]);
    symlink("deleted.rs", dir.path().join("gone.rs")).unwrap();
    let out = short(dir.path(), &["gone.rs", "ok.rs"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "gone.rs:1:1: io_error: cannot read file: No such file or directory (os error 2)\n{}",
            sleep_finding("ok.rs")
        )
    );
}

#[test]
fn names_with_spaces_and_non_utf8_bytes_are_checked_and_rendered() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tree(&[("my crate/src/a b.rs", FLAGGED)]);
    let odd = std::ffi::OsStr::from_bytes(b"caf\xe9.rs");
    std::fs::write(dir.path().join("my crate/src").join(odd), FLAGGED).unwrap();
    let out = short(dir.path(), &["my crate"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "{}{}",
            sleep_finding("my crate/src/a b.rs"),
            sleep_finding("my crate/src/caf\u{fffd}.rs")
        )
    );
    let json = run(dir.path(), &["--format", "json", "my crate"]);
    let findings: Vec<serde_json::Value> = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(findings.len(), 2);
    let sarif = run(dir.path(), &["--format", "sarif", "my crate"]);
    assert!(
        sarif.stdout.contains("\"my%20crate/src/a%20b.rs\""),
        "{}",
        sarif.stdout
    );
}
