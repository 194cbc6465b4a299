//! Properties of the linter's results, over generated Rust sources (proptest):
//! they do not depend on the number of worker threads or on the order files are
//! given; blank lines and comments move spans but change no finding; a flagged
//! blocking call moved into a `spawn_blocking` closure is no longer flagged; and
//! two runs give byte-identical output in every format.

mod common;
use std::fmt::Write as _;
use std::path::PathBuf;

use asyncheck_lint::{Format, Linter, Report};
use proptest::prelude::*;

/// A blocking call that is flagged inside `async` code and fine inside a
/// `spawn_blocking` closure, with the rule that flags it.
const BLOCKING: &[(&str, &str)] = &[
    ("std::thread::sleep(d)", "blocking_sleep"),
    ("std::fs::read_to_string(p).unwrap()", "blocking_io"),
    ("std::fs::write(p, b\"x\").unwrap()", "blocking_io"),
    ("std::net::TcpStream::connect(p).unwrap()", "blocking_io"),
    ("rx.blocking_recv()", "tokio_blocking_method"),
    ("futures::executor::block_on(ready())", "nested_runtime"),
];

/// Statements that are never flagged.
const CLEAN: &[&str] = &[
    "let x = 1;",
    "tokio::time::sleep(d).await;",
    "let n = tx.send(1).await.is_ok();",
    "println!(\"{}\", p);",
    "let v: Vec<u8> = Vec::new();",
];

/// One statement of a generated function body.
#[derive(Clone, Debug)]
enum Stmt {
    Clean(usize),
    Blocking(usize),
    /// An async fn defined in the file, called without `.await`.
    Unawaited,
    /// A block around more statements.
    Block(Vec<Stmt>),
}

/// A generated function: async or not, with a body.
#[derive(Clone, Debug)]
struct Func {
    is_async: bool,
    body: Vec<Stmt>,
}

fn stmt() -> impl Strategy<Value = Stmt> {
    let leaf = prop_oneof![
        (0..CLEAN.len()).prop_map(Stmt::Clean),
        (0..BLOCKING.len()).prop_map(Stmt::Blocking),
        Just(Stmt::Unawaited),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop::collection::vec(inner, 1..4).prop_map(Stmt::Block)
    })
}

fn func() -> impl Strategy<Value = Func> {
    (any::<bool>(), prop::collection::vec(stmt(), 1..6))
        .prop_map(|(is_async, body)| Func { is_async, body })
}

fn file() -> impl Strategy<Value = Vec<Func>> {
    prop::collection::vec(func(), 1..5)
}

/// Writes `stmt` at `depth`; `gap` is written before every statement (blank
/// lines or comments, each on lines of their own).
fn write_stmt(out: &mut String, stmt: &Stmt, depth: usize, gap: &str) {
    let indent = "    ".repeat(depth);
    out.push_str(gap);
    match stmt {
        Stmt::Clean(i) => {
            let _ = writeln!(out, "{indent}{}", CLEAN[*i]);
        }
        Stmt::Blocking(i) => {
            let _ = writeln!(out, "{indent}{};", BLOCKING[*i].0);
        }
        Stmt::Unawaited => {
            let _ = writeln!(out, "{indent}refresh();");
        }
        Stmt::Block(stmts) => {
            let _ = writeln!(out, "{indent}{{");
            for s in stmts {
                write_stmt(out, s, depth + 1, gap);
            }
            let _ = writeln!(out, "{indent}}}");
        }
    }
}

/// The source of a generated file, with `gap` before every statement.
fn source(funcs: &[Func], gap: &str) -> String {
    let mut out = String::from("async fn refresh() {}\nasync fn ready() {}\n");
    for (i, f) in funcs.iter().enumerate() {
        out.push_str(gap);
        let asyncness = if f.is_async { "async " } else { "" };
        let _ = writeln!(
            out,
            "{asyncness}fn f{i}(d: Duration, p: &str, rx: Receiver<u8>, tx: Sender<u8>) {{"
        );
        for stmt in &f.body {
            write_stmt(&mut out, stmt, 1, gap);
        }
        out.push_str("}\n");
    }
    out
}

/// The findings of `report` without their lines: what must not change when only lines move.
fn findings_without_lines(report: &Report) -> Vec<(String, String, usize, usize)> {
    let mut v: Vec<_> = report
        .findings()
        .iter()
        .map(|f| {
            (
                f.rule.to_owned(),
                f.message.clone(),
                f.span.column,
                f.span.end_column,
            )
        })
        .collect();
    v.sort();
    v
}

fn linter() -> Linter {
    Linter::new().select(&["all"]).unwrap()
}

const FORMATS: [Format; 6] = [
    Format::Human,
    Format::Short,
    Format::Json,
    Format::Sarif,
    Format::Github,
    Format::CargoJson,
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn blank_lines_and_comments_move_spans_but_not_findings(
        funcs in file(),
        gap in prop_oneof![
            Just("\n"),
            Just("// a comment\n"),
            Just("/* a block\n   comment */\n"),
            Just("\n\n"),
        ],
    ) {
        let plain = linter().check_source("a.rs", &source(&funcs, ""));
        let spaced = linter().check_source("a.rs", &source(&funcs, gap));
        prop_assert_eq!(findings_without_lines(&plain), findings_without_lines(&spaced));
        if !plain.findings().is_empty() {
            // Every statement got lines before it, so every finding moved down.
            for (a, b) in plain.findings().iter().zip(spaced.findings()) {
                prop_assert!(b.span.line > a.span.line, "{a:?} -> {b:?}");
            }
        }
    }

    #[test]
    fn a_blocking_call_in_spawn_blocking_is_not_flagged(
        call in 0..BLOCKING.len(),
        before in prop::collection::vec(0..CLEAN.len(), 0..3),
        after in prop::collection::vec(0..CLEAN.len(), 0..3),
    ) {
        let (expr, rule) = BLOCKING[call];
        let body = |middle: &str| {
            let mut s = String::from("async fn ready() {}\nasync fn f(d: Duration, p: &str, rx: Receiver<u8>, tx: Sender<u8>) {\n");
            for &i in &before {
                let _ = writeln!(s, "    {}", CLEAN[i]);
            }
            let _ = writeln!(s, "    {middle}");
            for &i in &after {
                let _ = writeln!(s, "    {}", CLEAN[i]);
            }
            s.push_str("}\n");
            s
        };
        let direct = linter().check_source("a.rs", &body(&format!("{expr};")));
        let rules: Vec<_> = direct.findings().iter().map(|f| f.rule).collect();
        prop_assert_eq!(rules, vec![rule]);
        let wrapped = body(&format!(
            "tokio::task::spawn_blocking(move || {{ {expr}; }}).await.unwrap();"
        ));
        let moved = linter().check_source("a.rs", &wrapped);
        prop_assert!(moved.findings().is_empty(), "{}", moved.render_short());
    }

    #[test]
    fn two_runs_render_byte_identical_output(funcs in file()) {
        let src = source(&funcs, "");
        let first = linter().check_source("a.rs", &src);
        let second = linter().check_source("a.rs", &src);
        for format in FORMATS {
            prop_assert_eq!(first.render(format, true), second.render(format, true));
        }
    }
}

proptest! {
    // Each case writes a tree and runs the binary three times.
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn findings_do_not_depend_on_threads_or_file_order(
        files in prop::collection::vec(file(), 2..6),
        order in any::<u64>(),
    ) {
        let sources: Vec<(String, String)> = files
            .iter()
            .enumerate()
            .map(|(i, funcs)| (format!("src/m{i}.rs"), source(funcs, "")))
            .collect();
        let dir = common::tree(&sources.iter().map(|(p, s)| (p.as_str(), s.as_str())).collect::<Vec<_>>());
        let run_with = |threads: &str, paths: &[String]| {
            let mut args = vec!["--select", "all", "--format", "json"];
            args.extend(paths.iter().map(String::as_str));
            let output = assert_cmd::Command::new(env!("CARGO_BIN_EXE_cargo-asyncheck"))
                .current_dir(dir.path())
                .env("RAYON_NUM_THREADS", threads)
                .args(&args)
                .output()
                .unwrap();
            String::from_utf8(output.stdout).unwrap()
        };
        let mut paths: Vec<String> = sources.iter().map(|(p, _)| p.clone()).collect();
        let one = run_with("1", &paths);
        // A deterministic shuffle from the generated seed.
        let mut seed = order;
        for i in (1..paths.len()).rev() {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let j = usize::try_from(seed >> 33).unwrap() % (i + 1);
            paths.swap(i, j);
        }
        prop_assert_eq!(&one, &run_with("2", &paths));
        prop_assert_eq!(&one, &run_with("7", &paths));
        // And the library agrees with itself over permuted file lists.
        let absolute: Vec<PathBuf> = paths.iter().map(|p| dir.path().join(p)).collect();
        let mut reversed = absolute.clone();
        reversed.reverse();
        let a = linter().check_paths(&absolute).unwrap().render_json();
        let b = linter().check_paths(&reversed).unwrap().render_json();
        prop_assert_eq!(a, b);
    }
}
