//! Hostile file contents: a BOM, CRLF line endings, a 1 MB line, 20,000 async fns, empty files, non-ASCII names, bytes that are not UTF-8.
//!
//! Each input is generated here and run through the binary, which must finish,
//! keep checking the other files, put every span and fix where the text is, and
//! exit with 0 or 1 (2 is only for usage errors).

mod common;
use std::fmt::Write as _;

use common::{Run, run, tree};

fn short(dir: &std::path::Path) -> Run {
    run(dir, &["--format", "short", "."])
}

#[test]
fn a_byte_order_mark_is_not_a_column_and_survives_a_fix() {
    let src = "\u{feff}async fn f(d: D) { std::thread::sleep(d); }\n";
    let dir = tree(&[("bom.rs", src)]);
    let out = short(dir.path());
    assert_eq!(out.code, 1, "{}", out.stderr);
    // Columns count from the first character after the mark, as rustc's do.
    assert_eq!(
        out.stdout,
        "bom.rs:1:20: blocking_sleep: blocking `std::thread::sleep` in async context\n"
    );
    let fixed = run(dir.path(), &["--fix", "--format", "short", "."]);
    assert_eq!(fixed.code, 0, "{}{}", fixed.stdout, fixed.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bom.rs")).unwrap(),
        "\u{feff}async fn f(d: D) { tokio::time::sleep(d).await; }\n"
    );
}

#[test]
fn crlf_line_endings_keep_columns_snippets_and_fixes_right() {
    let src = "use std::time::Duration;\r\n\r\nasync fn f(d: Duration) {\r\n    std::thread::sleep(d);\r\n}\r\n";
    let dir = tree(&[("crlf.rs", src)]);
    let out = short(dir.path());
    assert_eq!(
        out.stdout,
        "crlf.rs:4:5: blocking_sleep: blocking `std::thread::sleep` in async context\n"
    );
    let human = run(dir.path(), &["--color", "never", "."]);
    assert!(
        !human.stdout.contains('\r'),
        "a carriage return leaked into the snippet:\n{:?}",
        human.stdout
    );
    assert!(
        human.stdout.contains("4 |     std::thread::sleep(d);\n"),
        "{}",
        human.stdout
    );
    let fixed = run(dir.path(), &["--fix", "."]);
    assert_eq!(fixed.code, 0, "{}{}", fixed.stdout, fixed.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("crlf.rs")).unwrap(),
        src.replace("std::thread::sleep(d);", "tokio::time::sleep(d).await;")
    );
}

#[test]
fn a_one_megabyte_line_is_checked_and_its_snippet_is_cut_to_size() {
    let filler = "0, ".repeat(350_000);
    let src = format!("async fn f(d: D) {{ let v = [{filler}]; std::thread::sleep(d); }}\n");
    assert!(src.len() > 1_000_000);
    let column = src.find("std::thread").unwrap() + 1;
    let dir = tree(&[("long.rs", src.as_str())]);
    let out = short(dir.path());
    assert_eq!(
        out.stdout,
        format!(
            "long.rs:1:{column}: blocking_sleep: blocking `std::thread::sleep` in async context\n"
        )
    );
    let human = run(dir.path(), &["--color", "never", "."]);
    assert_eq!(human.code, 1);
    assert!(
        human.stdout.contains("std::thread::sleep(d)"),
        "{}",
        &human.stdout[..human.stdout.len().min(2000)]
    );
    assert!(
        human.stdout.len() < 4_000,
        "the snippet of a 1 MB line should be cut around the span, got {} bytes",
        human.stdout.len()
    );
}

#[test]
fn twenty_thousand_async_fns_in_one_file_are_all_indexed_and_checked() {
    let n = 20_000;
    let mut src = String::from("async fn caller(d: D) {\n");
    for i in 0..n {
        let _ = writeln!(src, "    f{i}(d);");
    }
    src.push_str("}\n");
    for i in 0..n {
        let _ = writeln!(src, "async fn f{i}(d: D) {{ std::thread::sleep(d); }}");
    }
    let dir = tree(&[("many.rs", src)]);
    let out = run(dir.path(), &["--format", "json", "."]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let findings: Vec<serde_json::Value> = serde_json::from_str(&out.stdout).unwrap();
    let count = |rule: &str| findings.iter().filter(|f| f["rule"] == rule).count();
    assert_eq!(count("blocking_sleep"), n);
    // Every call drops the future of an async fn defined further down.
    assert_eq!(count("unawaited_future"), n);
    assert_eq!(findings.len(), 2 * n);
}

#[test]
fn empty_blank_and_comment_only_files_are_clean() {
    let dir = tree(&[
        ("empty.rs", ""),
        ("blank.rs", "\n\n   \n"),
        (
            "comments.rs",
            "// nothing here\n/* async fn f() { std::thread::sleep(d) } */\n",
        ),
        ("bom_only.rs", "\u{feff}"),
    ]);
    let out = run(dir.path(), &["--format", "json", "."]);
    assert_eq!((out.code, out.stdout.trim()), (0, "[]"), "{}", out.stderr);
    let human = run(dir.path(), &["."]);
    assert!(human.stdout.contains("4 files checked"), "{}", human.stdout);
}

#[test]
fn non_ascii_identifiers_count_as_one_column_each() {
    let src = "async fn größe(d: D) { let 名前 = 1; std::thread::sleep(d); }\n";
    let dir = tree(&[("ident.rs", src)]);
    let out = short(dir.path());
    let column = src[..src.find("std::").unwrap()].chars().count() + 1;
    assert_eq!(
        out.stdout,
        format!(
            "ident.rs:1:{column}: blocking_sleep: blocking `std::thread::sleep` in async context\n"
        )
    );
    let fixed = run(dir.path(), &["--fix", "."]);
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("ident.rs")).unwrap(),
        "async fn größe(d: D) { let 名前 = 1; tokio::time::sleep(d).await; }\n"
    );
}

#[test]
fn a_file_that_is_not_utf8_is_reported_and_the_others_are_still_checked() {
    let dir = tree(&[
        ("latin1.rs", &b"// caf\xe9\nasync fn f() {}\n"[..]),
        (
            "ok.rs",
            &b"async fn g(d: D) { std::thread::sleep(d); }\n"[..],
        ),
    ]);
    let out = short(dir.path());
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        "latin1.rs:1:1: io_error: file is not valid UTF-8 (invalid byte at offset 6)\n\
         ok.rs:1:20: blocking_sleep: blocking `std::thread::sleep` in async context\n"
    );
}
