//! `--format github` annotations and `--message-format cargo-json` messages, read back the way their consumers read them.

use std::io::BufReader;

use cargo_metadata::Message;
use cargo_metadata::diagnostic::DiagnosticLevel;

mod common;
use common::{Run, run, tree};

// `é` before the call makes char columns and byte offsets differ.
const SOURCE: &str = "pub async fn tick(d: std::time::Duration) {\n    let é = 1; std::thread::sleep(d);\n}\n\npub async fn nested() {\n    let rt = tokio::runtime::Runtime::new().unwrap();\n}\n";

#[test]
fn github_annotations_have_positions_titles_and_escaped_text() {
    let dir = tree(&[("src/a,b.rs", SOURCE)]);
    let Run { code, stdout, .. } = run(dir.path(), &["--format", "github"]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "::warning file=src/a%2Cb.rs,line=2,col=16,endLine=2,endColumn=37,title=asyncheck(blocking_sleep)::blocking `std::thread::sleep` in async context%0Ahelp: use `tokio::time::sleep(d).await`, or move the blocking work into `tokio::task::spawn_blocking`",
            "::error file=src/a%2Cb.rs,line=6,col=14,endLine=6,endColumn=44,title=asyncheck(nested_runtime)::building a tokio runtime with `Runtime::new` in async context%0Ahelp: `.await` the future instead; sync code that must wait belongs in `tokio::task::spawn_blocking`",
        ]
    );
}

#[test]
fn cargo_json_parses_as_cargo_messages_with_exact_byte_offsets() {
    let dir = tree(&[
        (
            "Cargo.toml",
            "[package]\nname = \"demo-app\"\nversion = \"1.2.3\"\nedition = \"2021\"\n",
        ),
        ("src/lib.rs", SOURCE),
    ]);
    let Run { code, stdout, .. } = run(dir.path(), &["--message-format", "cargo-json"]);
    assert_eq!(code, 1);
    let Run {
        code: same,
        stdout: same_stdout,
        ..
    } = run(dir.path(), &["--format", "cargo-json"]);
    assert_eq!((same, same_stdout.as_str()), (code, stdout.as_str()));

    let messages: Vec<Message> = Message::parse_stream(BufReader::new(stdout.as_bytes()))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(messages.len(), 3, "{stdout}");
    let mut diagnostics = Vec::new();
    for message in &messages[..2] {
        let Message::CompilerMessage(msg) = message else {
            panic!("not a compiler-message (cargo_metadata read it as {message:?})");
        };
        assert_eq!(msg.target.name, "demo_app");
        assert!(
            msg.package_id.repr.contains("demo-app@1.2.3"),
            "{}",
            msg.package_id
        );
        diagnostics.push(&msg.message);
    }
    let Message::BuildFinished(finished) = &messages[2] else {
        panic!("last message is not build-finished: {:?}", messages[2]);
    };
    assert!(!finished.success, "an error-level finding fails the build");

    let sleep = diagnostics[0];
    assert_eq!(
        sleep.code.as_ref().unwrap().code,
        "asyncheck::blocking_sleep"
    );
    assert_eq!(sleep.level, DiagnosticLevel::Warning);
    assert_eq!(
        sleep.message,
        "blocking `std::thread::sleep` in async context"
    );
    let span = &sleep.spans[0];
    assert!(span.is_primary);
    assert_eq!(span.file_name, "src/lib.rs");
    let (start, end) = (span.byte_start as usize, span.byte_end as usize);
    assert_eq!(&SOURCE[start..end], "std::thread::sleep(d)");
    assert_eq!(
        (
            span.line_start,
            span.column_start,
            span.line_end,
            span.column_end
        ),
        (2, 16, 2, 37)
    );
    assert_eq!(span.text[0].text, "    let é = 1; std::thread::sleep(d);");
    assert_eq!(
        (span.text[0].highlight_start, span.text[0].highlight_end),
        (16, 37)
    );
    assert_eq!(sleep.children[0].level, DiagnosticLevel::Help);
    assert!(
        sleep.children[0]
            .message
            .starts_with("use `tokio::time::sleep(d).await`")
    );
    let rendered = sleep.rendered.as_deref().unwrap();
    assert!(
        rendered.starts_with("warning[blocking_sleep]: blocking `std::thread::sleep`"),
        "{rendered}"
    );
    assert_eq!(diagnostics[1].level, DiagnosticLevel::Error);
    assert_eq!(
        diagnostics[1].children.len(),
        1,
        "no fix for nested_runtime"
    );
}

#[test]
fn a_clean_run_is_just_a_successful_build_finished() {
    let dir = tree(&[("src/lib.rs", "pub fn add(a: u8) -> u8 { a }\n")]);
    let Run { code, stdout, .. } = run(dir.path(), &["--message-format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "{\"reason\":\"build-finished\",\"success\":true}\n");
}

#[test]
fn cargo_json_carries_fixes_as_suggestions() {
    let dir = tree(&[("src/lib.rs", SOURCE)]);
    let Run { stdout, .. } = run(dir.path(), &["--message-format", "cargo-json"]);
    let first = Message::parse_stream(BufReader::new(stdout.as_bytes()))
        .next()
        .unwrap()
        .unwrap();
    let Message::CompilerMessage(msg) = first else {
        panic!("not a compiler-message: {first:?}");
    };
    let sleep = &msg.message;
    // The fix, as suggestions rust-analyzer can apply.
    let fix = &sleep.children[1];
    assert_eq!(fix.message, "replace with `tokio::time::sleep(d).await`");
    let edits: Vec<(&str, Option<&str>)> = fix
        .spans
        .iter()
        .map(|s| {
            (
                &SOURCE[s.byte_start as usize..s.byte_end as usize],
                s.suggested_replacement.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        edits,
        [
            ("std::thread::sleep", Some("tokio::time::sleep")),
            ("", Some(".await"))
        ]
    );
    assert_eq!(
        fix.spans[1].suggestion_applicability,
        Some(cargo_metadata::diagnostic::Applicability::MachineApplicable)
    );
}
