//! End-to-end tests of the `cargo-asyncheck` binary on small crates written to temp dirs.
//!
//! They live in the `asyncheck-lint` package because only there does cargo
//! build the binary before the tests and tell them where it is
//! (`CARGO_BIN_EXE_cargo-asyncheck`).

mod common;
use common::{Run, run, tree};

const BLOCKING: &str = "use std::time::Duration;\n\npub async fn tick() {\n    std::thread::sleep(Duration::from_millis(5));\n}\n";
const CLEAN: &str = "pub async fn tick() {\n    tokio::time::sleep(std::time::Duration::from_millis(5)).await;\n}\n";

fn json(run: &Run) -> Vec<serde_json::Value> {
    serde_json::from_str::<serde_json::Value>(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", run.stdout))
        .as_array()
        .expect("a JSON array")
        .clone()
}

#[test]
fn exit_status_is_0_when_clean_and_1_with_findings() {
    let clean = tree(&[("src/lib.rs", CLEAN.as_bytes())]);
    let out = run(clean.path(), &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(
        out.stdout.trim_end(),
        "0 findings in 0 files (1 file checked)"
    );

    let dirty = tree(&[
        ("src/lib.rs", BLOCKING.as_bytes()),
        ("src/other.rs", CLEAN.as_bytes()),
    ]);
    let out = run(dirty.path(), &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("warning[blocking_sleep]: blocking `std::thread::sleep` in async context")
    );
    assert!(out.stdout.contains("--> src/lib.rs:4:5"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("= help: use `tokio::time::sleep(d).await`"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .ends_with("1 finding in 1 file (2 files checked)\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_leading_asyncheck_argument_is_dropped_as_cargo_passes_it() {
    let dir = tree(&[("src/lib.rs", BLOCKING.as_bytes())]);
    let out = run(dir.path(), &["asyncheck", "--format", "short", "src"]);
    assert_eq!(out.code, 1, "stderr: {}", out.stderr);
    assert_eq!(
        out.stdout,
        "src/lib.rs:4:5: blocking_sleep: blocking `std::thread::sleep` in async context\n"
    );
}

#[test]
fn unknown_rules_are_usage_errors_listing_the_known_names() {
    let dir = tree(&[("src/lib.rs", BLOCKING.as_bytes())]);
    for args in [
        &["--select", "blocking_sleep,blockng_sleep"][..],
        &["--ignore", "nope"][..],
        &["--explain", "nope"][..],
    ] {
        let out = run(dir.path(), args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stdout.is_empty(),
            "{args:?} printed findings: {}",
            out.stdout
        );
        for name in [
            "blocking_sleep",
            "unawaited_future",
            "nested_runtime",
            "swallowed_cancellation",
        ] {
            assert!(
                out.stderr.contains(name),
                "{args:?}: stderr does not list `{name}`: {}",
                out.stderr
            );
        }
    }
    let out = run(dir.path(), &["--format", "xml"]);
    assert_eq!(out.code, 2, "bad --format value: {}", out.stderr);
}

#[test]
fn a_missing_path_is_a_usage_error_naming_it() {
    let dir = tree(&[("src/lib.rs", BLOCKING.as_bytes())]);
    let out = run(dir.path(), &["src", "no/such/dir"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no/such/dir"), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "nothing is checked: {}", out.stdout);
}

#[test]
fn select_and_ignore_choose_rules() {
    let src = "async fn f(rt: &tokio::runtime::Runtime) {\n    std::thread::sleep(d);\n    rt.block_on(g());\n}\n";
    let dir = tree(&[("a.rs", src.as_bytes())]);
    let rules = |args: &[&str]| -> Vec<String> {
        json(&run(dir.path(), args))
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        rules(&["--format", "json"]),
        ["blocking_sleep", "nested_runtime"]
    );
    assert_eq!(
        rules(&["--format", "json", "--select", "nested_runtime"]),
        ["nested_runtime"]
    );
    assert_eq!(
        rules(&["--format", "json", "--ignore", "nested_runtime"]),
        ["blocking_sleep"]
    );
    assert_eq!(
        rules(&[
            "--format",
            "json",
            "--select",
            "all",
            "--ignore",
            "blocking_sleep"
        ]),
        ["nested_runtime"]
    );
}

#[test]
fn json_has_the_documented_shape_sorted_with_relative_paths() {
    let dir = tree(&[
        ("src/b.rs", BLOCKING.as_bytes()),
        ("src/a.rs", b"async fn f() { g(); std::thread::sleep(d); }\nasync fn h() {\n    std::thread::sleep(d);\n}\n"),
    ]);
    // An absolute path under the current directory comes out relative.
    let abs = dir.path().join("src");
    let out = run(dir.path(), &["--format", "json", abs.to_str().unwrap()]);
    assert_eq!(out.code, 1);
    let findings = json(&out);
    let positions: Vec<(String, u64, u64)> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        positions,
        [
            ("src/a.rs".to_owned(), 1, 21),
            ("src/a.rs".to_owned(), 3, 5),
            ("src/b.rs".to_owned(), 4, 5)
        ]
    );
    let first = findings[0].as_object().unwrap();
    let mut keys: Vec<&str> = first.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "column",
            "end_column",
            "end_line",
            "help",
            "line",
            "message",
            "notes",
            "path",
            "rule",
            "severity"
        ]
    );
    assert_eq!(first["notes"], serde_json::json!([]), "no notes is `[]`");
    assert_eq!(first["severity"], "warning");
    assert_eq!(first["end_line"], 1);
    // `std::thread::sleep(d)` is 21 chars; the end column is exclusive.
    assert_eq!(first["end_column"], 21 + 21);

    let clean = tree(&[("src/lib.rs", CLEAN.as_bytes())]);
    let out = run(clean.path(), &["--format", "json"]);
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout.trim(), "[]");
}

#[test]
fn paths_outside_the_current_directory_are_shown_as_given() {
    let dir = tree(&[("src/lib.rs", BLOCKING.as_bytes())]);
    let elsewhere = tempfile::tempdir().unwrap();
    let file = dir.path().join("src/lib.rs");
    let out = run(
        elsewhere.path(),
        &["--format", "short", file.to_str().unwrap()],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .starts_with(&format!("{}:4:5: blocking_sleep:", file.display())),
        "{}",
        out.stdout
    );
}

#[test]
fn broken_files_are_reported_and_the_others_still_checked() {
    let dir = tree(&[
        ("src/a_broken.rs", &b"fn f( {\n"[..]),
        ("src/b_latin1.rs", b"// caf\xe9\nfn f() {}\n"),
        ("src/c_real.rs", BLOCKING.as_bytes()),
    ]);
    let out = run(dir.path(), &["--format", "json"]);
    assert_eq!(out.code, 1);
    let findings = json(&out);
    let summary: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [
            ("src/a_broken.rs", "syntax_error"),
            ("src/b_latin1.rs", "io_error"),
            ("src/c_real.rs", "blocking_sleep")
        ]
    );
    assert_eq!(findings[0]["severity"], "error");
    assert!(findings[1]["message"].as_str().unwrap().contains("UTF-8"));

    let human = run(dir.path(), &[]);
    assert!(
        human.stdout.contains("error[syntax_error]"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .ends_with("3 findings in 3 files (3 files checked)\n"),
        "{}",
        human.stdout
    );
}

#[test]
fn gitignore_and_target_are_honoured_but_explicit_files_are_checked() {
    let dir = tree(&[
        (".gitignore", &b"generated/\n"[..]),
        ("src/lib.rs", CLEAN.as_bytes()),
        ("generated/bad.rs", BLOCKING.as_bytes()),
        ("target/debug/build/out.rs", BLOCKING.as_bytes()),
        ("nested/target/x.rs", BLOCKING.as_bytes()),
    ]);
    let out = run(dir.path(), &[]);
    assert_eq!(out.code, 0, "ignored files were checked:\n{}", out.stdout);
    assert!(out.stdout.contains("(1 file checked)"), "{}", out.stdout);

    let out = run(dir.path(), &["--format", "short", "generated/bad.rs"]);
    assert_eq!(out.code, 1, "an explicitly named file is always checked");
    assert!(
        out.stdout.starts_with("generated/bad.rs:4:5:"),
        "{}",
        out.stdout
    );
}

#[test]
fn explain_prints_the_rule_docs_and_list_rules_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--explain", "swallowed_cancellation"]);
    assert_eq!(out.code, 0);
    for section in [
        "# swallowed_cancellation",
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
    ] {
        assert!(
            out.stdout.contains(section),
            "missing {section}:\n{}",
            out.stdout
        );
    }
    assert!(
        !out.stdout.contains("//!"),
        "doc comment markers leaked:\n{}",
        out.stdout
    );

    let out = run(dir.path(), &["--list-rules"]);
    assert_eq!(out.code, 0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), asyncheck_lint::RULES.len(), "{}", out.stdout);
    for (line, rule) in lines.iter().zip(asyncheck_lint::RULES) {
        assert!(line.starts_with(rule.name), "{line}");
        assert!(line.contains(&rule.group.to_string()), "{line}");
        assert!(line.ends_with(&rule.summary()), "{line}");
    }
    assert!(
        lines[0].starts_with("blocking_sleep") && lines[0].contains("default"),
        "{}",
        lines[0]
    );
}

#[test]
fn colour_follows_the_color_flag() {
    let dir = tree(&[("src/lib.rs", BLOCKING.as_bytes())]);
    let always = run(dir.path(), &["--color", "always"]);
    assert!(
        always.stdout.contains("\u{1b}["),
        "no ANSI escapes with --color always"
    );
    let never = run(dir.path(), &["--color", "never"]);
    assert!(!never.stdout.contains('\u{1b}'));
    // Not a terminal: `auto` means no colour.
    let auto = run(dir.path(), &[]);
    assert!(!auto.stdout.contains('\u{1b}'));
}

#[test]
fn futures_of_async_fns_in_other_files_are_found() {
    let dir = tree(&[
        ("app/src/lib.rs", &b"mod net;\nmod store;\n\nfn main() {\n    crate::net::fetch();\n    net::sync_only();\n    store::Db::open_db(1);\n}\n"[..]),
        ("app/src/net.rs", b"pub async fn fetch() {}\npub fn sync_only() {}\n"),
        ("app/src/store/mod.rs", b"pub struct Db;\nimpl Db {\n    pub async fn open_db(_: u8) {}\n}\n"),
        ("other/src/lib.rs", b"pub async fn sync_only() {}\n"),
    ]);
    let out = run(dir.path(), &["--format", "short"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "app/src/lib.rs:5:5: unawaited_future: future returned by `crate::net::fetch` is dropped without being awaited\n\
         app/src/lib.rs:7:5: unawaited_future: future returned by `store::Db::open_db` is dropped without being awaited\n"
    );
}

#[test]
fn allow_comments_silence_findings_and_typos_are_reported() {
    let src = "async fn f() {\n    // asyncheck: allow(blocking_sleep) warm-up only\n    std::thread::sleep(d);\n    std::thread::sleep(d); // asyncheck: allow(blocking_slep)\n}\n";
    let dir = tree(&[("a.rs", src.as_bytes())]);
    let out = run(dir.path(), &["--format", "short"]);
    assert_eq!(
        out.stdout,
        "a.rs:4:5: blocking_sleep: blocking `std::thread::sleep` in async context\n\
         a.rs:4:48: unknown_rule_in_allow: unknown rule `blocking_slep` in an allow comment\n"
    );
}
