//! Hostile inputs: files nested so deeply that a naive parse overflows the stack and aborts the whole run.
//!
//! The inputs are generated here rather than committed. They run through the
//! binary in a child process, so that an abort shows up as a failed exit
//! status instead of taking the test runner down.

mod common;
use common::{Run, run, tree};

const SLEEP: &str = "std::thread::sleep(d);";
const OK: &str = "async fn g() {\n    std::thread::sleep(d);\n}\n";

/// `async fn f() {` + `n` nested blocks around a blocking sleep, all on line 1.
fn nested_blocks(n: usize) -> String {
    format!(
        "async fn f() {{ {}{SLEEP}{} }}\n",
        "{ ".repeat(n),
        " }".repeat(n)
    )
}

fn short(files: &[(&str, String)]) -> Run {
    let dir = tree(files);
    let out = run(dir.path(), &["--format", "short", "."]);
    assert!(
        !out.stderr.contains("overflowed its stack"),
        "the run overflowed its stack:\n{}",
        out.stderr
    );
    out
}

#[test]
fn fifty_thousand_parentheses_are_too_complex_and_the_other_files_are_still_checked() {
    let n = 50_000;
    let parens = format!(
        "fn f() {{ let x = {}1{}; }}\n",
        "(".repeat(n),
        ")".repeat(n)
    );
    let out = short(&[("parens.rs", parens), ("ok.rs", OK.to_owned())]);
    assert_eq!(
        out.code, 1,
        "stdout: {}\nstderr: {}",
        out.stdout, out.stderr
    );
    // `fn f() { let x = ` is 17 chars; the 25,000th `(` is depth 25,001.
    assert_eq!(
        out.stdout,
        "ok.rs:2:5: blocking_sleep: blocking `std::thread::sleep` in async context\n\
         parens.rs:1:25017: too_complex: nesting depth 50001 exceeds the limit of 25000: the file was not analysed\n",
    );
}

#[test]
fn too_complex_is_an_error_with_help_in_every_format() {
    let deep = format!(
        "fn f() {{ {}{} }}\n",
        "[".repeat(30_000),
        "]".repeat(30_000)
    );
    let dir = tree(&[("deep.rs", deep)]);
    let human = run(dir.path(), &["."]);
    assert_eq!(human.code, 1, "{}", human.stderr);
    assert!(
        human
            .stdout
            .contains("error[too_complex]: nesting depth 30001 exceeds the limit of 25000"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("= help: asyncheck skipped this file"),
        "{}",
        human.stdout
    );
    let sarif = run(dir.path(), &["--format", "sarif", "."]);
    assert!(sarif.stdout.contains("\"too_complex\""), "{}", sarif.stdout);
}

#[test]
fn a_blocking_sleep_inside_twenty_thousand_nested_blocks_is_found() {
    let n = 20_000;
    let out = short(&[("blocks.rs", nested_blocks(n))]);
    assert_eq!(out.code, 1, "stderr: {}", out.stderr);
    // `async fn f() { ` is 15 chars, then 2 per block.
    assert_eq!(
        out.stdout,
        format!(
            "blocks.rs:1:{}: blocking_sleep: blocking `std::thread::sleep` in async context\n",
            15 + 2 * n + 1
        )
    );
}

#[test]
fn a_blocking_sleep_inside_five_thousand_nested_closures_is_found() {
    let n = 5_000;
    let closures = format!(
        "fn f() {{ let c = {}async {{ {SLEEP} }}; }}\n",
        "|| ".repeat(n)
    );
    let blocky = format!(
        "async fn f() {{ let c = {}async {{ {SLEEP} }}{}; }}\n",
        "|| { ".repeat(n),
        " }".repeat(n)
    );
    let out = short(&[("closures.rs", closures), ("blocky.rs", blocky)]);
    assert_eq!(out.code, 1, "stderr: {}", out.stderr);
    // `fn f() { let c = ` is 17 chars, then 3 per `|| `, then `async { `;
    // `async fn f() { let c = ` is 23 chars, then 5 per `|| { `, then `async { `.
    assert_eq!(
        out.stdout,
        format!(
            "blocky.rs:1:{}: blocking_sleep: blocking `std::thread::sleep` in async context\n\
             closures.rs:1:{}: blocking_sleep: blocking `std::thread::sleep` in async context\n",
            23 + 5 * n + 8 + 1,
            17 + 3 * n + 8 + 1,
        )
    );
}

#[test]
fn a_blocking_sleep_inside_five_thousand_nested_macro_calls_is_found() {
    let n = 5_000;
    let vecs = format!(
        "async fn f() {{ let v = {}std::thread::sleep(d){}; }}\n",
        "vec![".repeat(n),
        "]".repeat(n)
    );
    let out = short(&[("vecs.rs", vecs)]);
    assert_eq!(out.code, 1, "stderr: {}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "vecs.rs:1:{}: blocking_sleep: blocking `std::thread::sleep` in async context\n",
            23 + 5 * n + 1
        )
    );
}

#[test]
fn check_source_survives_twenty_thousand_nested_blocks_on_the_callers_small_stack() {
    // A 2 MiB thread, like a test's or a tokio worker's: the library must not parse on it.
    let report = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| asyncheck_lint::Linter::new().check_source("blocks.rs", &nested_blocks(20_000)))
        .unwrap()
        .join()
        .unwrap();
    let rules: Vec<_> = report.findings().iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["blocking_sleep"]);
    assert_eq!(report.findings()[0].span.column, 15 + 2 * 20_000 + 1);
}

#[test]
fn fix_rechecks_a_deeply_nested_file_on_the_large_stack() {
    // `--fix` parses the fixed text again before writing it; that parse must not
    // run on the caller's small stack either.
    let dir = tree(&[("src/lib.rs", nested_blocks(20_000))]);
    let out = run(dir.path(), &["--fix", "--format", "short", "."]);
    assert!(
        !out.stderr.contains("overflowed its stack"),
        "the run overflowed its stack:\n{}",
        out.stderr
    );
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    let fixed = std::fs::read_to_string(dir.path().join("src/lib.rs")).unwrap();
    assert_eq!(
        fixed,
        nested_blocks(20_000).replace(SLEEP, "tokio::time::sleep(d).await;")
    );
}
