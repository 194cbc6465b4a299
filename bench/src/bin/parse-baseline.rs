//! `parse-baseline`: the floor for any syn-based linter: walk, read and parse, nothing else.
//!
//! It walks the given directories exactly as `cargo-asyncheck` does (the
//! `ignore` crate, `.gitignore` honoured without git, `target` directories
//! skipped, `.rs` files only, sorted), then reads and `syn::parse_file`s each
//! file on rayon's default pool (one thread per core, as the lint), dropping
//! each tree at once. It prints the number of files, lines and parse failures
//! as one line of JSON; with `--list-rejects`, then the path of every file syn
//! rejects, one per line, in sorted order.
//!
//! ```text
//! parse-baseline [--list-rejects] target/bench-corpus/1x
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use rayon::prelude::*;

/// What parsing one file gave.
#[derive(Default, Clone, Copy)]
struct Tally {
    files: usize,
    lines: usize,
    unreadable: usize,
    parse_failures: usize,
}

impl Tally {
    fn add(self, other: Tally) -> Tally {
        Tally {
            files: self.files + other.files,
            lines: self.lines + other.lines,
            unreadable: self.unreadable + other.unreadable,
            parse_failures: self.parse_failures + other.parse_failures,
        }
    }
}

fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let list_rejects = args.iter().any(|a| a == "--list-rejects");
    args.retain(|a| a != "--list-rejects");
    let roots: Vec<PathBuf> = args.into_iter().map(PathBuf::from).collect();
    if roots.is_empty() {
        eprintln!("usage: parse-baseline [--list-rejects] <dir or file>...");
        return ExitCode::from(2);
    }
    let files = collect(&roots);
    // One tally per file, in the order of `files`.
    let tallies: Vec<Tally> = files.par_iter().map(|path| parse_one(path)).collect();
    let tally = tallies.iter().copied().fold(Tally::default(), Tally::add);
    println!(
        "{{\"files\":{},\"lines\":{},\"unreadable\":{},\"parse_failures\":{}}}",
        tally.files, tally.lines, tally.unreadable, tally.parse_failures
    );
    if list_rejects {
        for (path, file) in files.iter().zip(&tallies) {
            if file.parse_failures > 0 {
                println!("{}", path.display());
            }
        }
    }
    ExitCode::SUCCESS
}

/// The `.rs` files under `roots`, with the walk settings of `lint/src/engine/walk.rs`.
fn collect(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for root in roots {
        if !root.is_dir() {
            files.push(root.clone());
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
        for entry in walker.flatten() {
            let is_rs = entry.path().extension().is_some_and(|e| e == "rs");
            if is_rs && entry.file_type().is_some_and(|t| t.is_file()) {
                files.push(entry.into_path());
            }
        }
    }
    files.sort();
    files.dedup();
    files
}

/// Reads and parses one file; the tree is dropped before returning.
fn parse_one(path: &std::path::Path) -> Tally {
    let mut tally = Tally {
        files: 1,
        ..Tally::default()
    };
    let Ok(source) = std::fs::read_to_string(path) else {
        tally.unreadable = 1;
        return tally;
    };
    tally.lines = source.lines().count();
    if syn::parse_file(&source).is_err() {
        tally.parse_failures = 1;
    }
    // As the lint does: free proc-macro2's per-thread map of source positions,
    // which otherwise grows with every file parsed on this thread.
    proc_macro2::extra::invalidate_current_thread_spans();
    tally
}
