//! `--format github` annotations and `--message-format cargo-json` messages, read back the way their consumers read them.

use std::io::BufReader;

use cargo_metadata::Message;
use cargo_metadata::diagnostic::DiagnosticLevel;

mod common;
use common::{Run, run, tree};

// `é` before the call makes char columns and byte offsets differ.
const SOURCE: &str = "pub async fn tick(d: std::time::Duration) {\n    let é = 1; std::thread::sleep(d);\n}\n\npub async fn nested() {\n    let rt = tokio::runtime::Runtime::new().unwrap();\n}\n";

// A guard held across an `.await`: reported at the `let` (line 4) with a note at the `.await` (line 6).
const LOCK: &str = "use std::sync::Mutex;\n\npub async fn record(state: &Mutex<Vec<u8>>) {\n    let mut pending = state.lock().unwrap();\n    pending.push(1);\n    flush().await;\n}\n\nasync fn flush() {}\n";

#[test]
fn json_notes_point_at_the_await_while_the_finding_points_at_the_let() {
    let dir = tree(&[("src/lib.rs", LOCK)]);
    let Run { code, stdout, .. } = run(dir.path(), &["--format", "json"]);
    assert_eq!(code, 1);
    let findings: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        findings,
        serde_json::json!([{
            "rule": "sync_lock_across_await",
            "severity": "warning",
            "message": "`pending` holds a synchronous `.lock()` guard across an `.await`",
            "path": "src/lib.rs",
            "line": 4,
            "column": 5,
            "end_line": 4,
            "end_column": 45,
            "help": findings[0]["help"],
            "notes": [{
                "message": "the guard is still alive at this `.await`",
                "line": 6,
                "column": 12,
                "end_line": 6,
                "end_column": 18,
            }],
        }]),
        "{stdout}"
    );
    let line = |n: usize| LOCK.lines().nth(n - 1).unwrap();
    assert_eq!(&line(4)[4..44], "let mut pending = state.lock().unwrap();");
    assert_eq!(&line(6)[11..17], ".await");
}

#[test]
fn human_output_shows_the_note_on_its_own_line() {
    let dir = tree(&[("src/lib.rs", LOCK)]);
    let Run { stdout, .. } = run(dir.path(), &["--format", "human", "--color", "never"]);
    let snippet = [
        "4 |     let mut pending = state.lock().unwrap();",
        "  |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        "5 |     pending.push(1);",
        "6 |     flush().await;",
        "  |            ------ the guard is still alive at this `.await`",
    ]
    .join("\n");
    assert!(stdout.contains(&snippet), "{stdout}");
    let Run { stdout, .. } = run(dir.path(), &["--format", "short"]);
    assert_eq!(
        stdout.lines().count(),
        1,
        "short stays one line per finding: {stdout}"
    );
}

#[test]
fn cargo_json_carries_notes_as_labelled_secondary_spans() {
    let dir = tree(&[("src/lib.rs", LOCK)]);
    let Run { stdout, .. } = run(dir.path(), &["--message-format", "cargo-json"]);
    let first = Message::parse_stream(BufReader::new(stdout.as_bytes()))
        .next()
        .unwrap()
        .unwrap();
    let Message::CompilerMessage(msg) = first else {
        panic!("not a compiler-message: {first:?}");
    };
    let spans = &msg.message.spans;
    assert_eq!(spans.len(), 2, "{spans:?}");
    let (primary, note) = (&spans[0], &spans[1]);
    assert!(primary.is_primary && primary.label.is_none());
    assert!(!note.is_primary);
    assert_eq!(
        note.label.as_deref(),
        Some("the guard is still alive at this `.await`")
    );
    let text = |s: &cargo_metadata::diagnostic::DiagnosticSpan| {
        &LOCK[s.byte_start as usize..s.byte_end as usize]
    };
    assert_eq!(text(primary), "let mut pending = state.lock().unwrap();");
    assert_eq!(text(note), ".await");
    assert_eq!(
        (
            note.line_start,
            note.column_start,
            note.line_end,
            note.column_end
        ),
        (6, 12, 6, 18)
    );
    assert_eq!(note.text[0].text, "    flush().await;");
    assert_eq!(
        (note.text[0].highlight_start, note.text[0].highlight_end),
        (12, 18)
    );
    let rendered = msg.message.rendered.as_deref().unwrap();
    assert!(
        rendered.contains("------ the guard is still alive at this `.await`"),
        "{rendered}"
    );
}

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
