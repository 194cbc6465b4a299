//! Code that allows clippy's lint for the same pattern is not checked again by the matching rule.

use asyncheck_lint::Linter;

const LOCK: &str = "
async fn flush(_: u8) {}

async fn held(state: &std::sync::Mutex<u8>) {
    let n = state.lock().unwrap();
    flush(*n).await;
}
";

/// The lines of `source`'s findings of `rule`.
fn lines(source: &str, rule: &str) -> Vec<usize> {
    let report = Linter::new()
        .select(&[rule])
        .expect("a registry rule")
        .check_source("src/lib.rs", source);
    report.findings().iter().map(|f| f.span.line).collect()
}

#[test]
fn await_holding_lock_allowed_on_the_fn_silences_sync_lock_across_await() {
    assert_eq!(lines(LOCK, "sync_lock_across_await"), [5]);
    let allowed = LOCK.replace(
        "async fn held",
        "#[allow(clippy::await_holding_lock)]\nasync fn held",
    );
    assert_eq!(
        lines(&allowed, "sync_lock_across_await"),
        Vec::<usize>::new()
    );
    let expected = LOCK.replace(
        "async fn held",
        "#[expect(clippy::await_holding_lock, reason = \"one task\")]\nasync fn held",
    );
    assert_eq!(
        lines(&expected, "sync_lock_across_await"),
        Vec::<usize>::new()
    );
}

#[test]
fn an_allow_on_the_module_or_the_file_reaches_every_item_inside() {
    let in_module = format!("#[allow(clippy::await_holding_lock)]\nmod m {{{LOCK}}}\n");
    assert_eq!(
        lines(&in_module, "sync_lock_across_await"),
        Vec::<usize>::new()
    );
    let in_file = format!("#![allow(clippy::await_holding_lock)]\n{LOCK}");
    assert_eq!(
        lines(&in_file, "sync_lock_across_await"),
        Vec::<usize>::new()
    );
}

#[test]
fn other_lints_other_tools_and_sibling_items_are_not_silenced() {
    for attr in [
        "#[allow(clippy::let_underscore_future)]",
        "#[allow(await_holding_lock)]",
        "#[allow(rustdoc::await_holding_lock)]",
        "#[cfg_attr(test, allow(clippy::await_holding_lock))]",
    ] {
        let source = LOCK.replace("async fn held", &format!("{attr}\nasync fn held"));
        assert_eq!(lines(&source, "sync_lock_across_await"), [6], "{attr}");
    }
    let sibling = format!("#[allow(clippy::await_holding_lock)]\nfn other() {{}}\n{LOCK}");
    assert_eq!(lines(&sibling, "sync_lock_across_await"), [7]);
}

#[test]
fn let_underscore_future_allowed_on_the_fn_or_the_let_silences_unawaited_future() {
    let source = "
async fn save() {}

async fn run() {
    let _ = save();
}
";
    assert_eq!(lines(source, "unawaited_future"), [5]);
    let on_fn = source.replace(
        "async fn run",
        "#[allow(clippy::let_underscore_future)]\nasync fn run",
    );
    assert_eq!(lines(&on_fn, "unawaited_future"), Vec::<usize>::new());
    let on_let = source.replace(
        "    let _ = save();",
        "    #[allow(clippy::let_underscore_future)]\n    let _ = save();",
    );
    assert_eq!(lines(&on_let, "unawaited_future"), Vec::<usize>::new());
    // The next statement is checked again.
    let next = on_let.replace(
        "let _ = save();\n",
        "let _ = save();\n    let _ = save();\n",
    );
    assert_eq!(lines(&next, "unawaited_future"), [7]);
}
