//! Configuration: discovery, validation (all problems at once, with positions), and its effect on a run.

use asyncheck_lint::{Config, Linter, Severity};

mod common;
use common::{Run, run, tree};

const SLEEPS: &str =
    "pub async fn tick() {\n    std::thread::sleep(std::time::Duration::from_millis(5));\n}\n";
const NESTED: &str = "pub async fn nested() {\n    let rt = tokio::runtime::Runtime::new().unwrap();\n    rt.block_on(async {});\n}\n";

#[test]
fn every_problem_is_reported_at_once_with_file_line_column_and_key() {
    let text = r#"select = ["default", "blocking_slep"]
colour = true
fail-on = "sometimes"

[severity]
nested_runtime = "fatal"
no_such_rule = "off"

[per-file-ignores]
"tests/**" = ["blocking_sleep", "nope"]

[rules.blocking_io]
extra-functions = ["crate::net::sync_http_get", "not a path"]
extra-fns = []

[rules.nested_runtime]
extra-functions = []

[test-code]
blocking_sleep = "quiet"
no_such_rule = "off"
all = 1
"#;
    let err = Config::parse("conf/asyncheck.toml", text).unwrap_err();
    let expected = [
        "conf/asyncheck.toml:1:22: unknown rule `blocking_slep`",
        "conf/asyncheck.toml:2:1: unknown key `colour` (expected one of `select`, `ignore`, `fail-on`, `exclude`, `severity`, `per-file-ignores`, `test-code`, `rules`)",
        "conf/asyncheck.toml:3:11: `fail-on` must be \"warning\" or \"error\"",
        "conf/asyncheck.toml:6:18: severity of `nested_runtime` must be \"error\", \"warning\" or \"off\"",
        "conf/asyncheck.toml:7:1: unknown rule `no_such_rule`",
        "conf/asyncheck.toml:10:33: unknown rule `nope`",
        "conf/asyncheck.toml:13:49: `not a path` is not a path like `crate::module::function`",
        "conf/asyncheck.toml:14:1: unknown key `extra-fns` (expected one of `extra-functions`)",
        "conf/asyncheck.toml:17:1: unknown key `extra-functions` (rule `nested_runtime` has no options)",
        "conf/asyncheck.toml:20:18: test-code policy of `blocking_sleep` must be \"default\", \"warning\" or \"off\"",
        "conf/asyncheck.toml:21:1: unknown rule `no_such_rule` (or group: all, default, pedantic)",
        "conf/asyncheck.toml:22:7: test-code policy of `all` must be \"default\", \"warning\" or \"off\"",
    ];
    assert_eq!(err.problems, expected, "{err}");
}

#[test]
fn invalid_toml_is_an_error_with_its_position() {
    let err = Config::parse("asyncheck.toml", "select = [\n").unwrap_err();
    assert_eq!(err.problems.len(), 1);
    assert!(
        err.problems[0].starts_with("asyncheck.toml:") && err.problems[0].contains("invalid TOML"),
        "{err}"
    );
}

#[test]
fn the_cli_exits_2_and_lists_every_config_problem() {
    let dir = tree(&[
        (
            "asyncheck.toml",
            "colour = true\nignore = [\"blocking_slep\"]\n",
        ),
        ("src/lib.rs", SLEEPS),
    ]);
    let Run {
        code,
        stdout,
        stderr,
    } = run(dir.path(), &[]);
    assert_eq!(code, 2, "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.is_empty(), "nothing is checked: {stdout}");
    let expected = "error: {}:1:1: unknown key `colour` (expected one of `select`, `ignore`, `fail-on`, `exclude`, `severity`, `per-file-ignores`, `test-code`, `rules`)\nerror: {}:2:11: unknown rule `blocking_slep`\n";
    let path = dir.path().join("asyncheck.toml");
    let path = path.display().to_string();
    assert_eq!(stderr, expected.replace("{}", &path));
}

#[test]
fn config_is_found_upwards_dotfile_and_cargo_metadata_too() {
    // asyncheck.toml in an ancestor of the checked path.
    let dir = tree(&[
        ("asyncheck.toml", "ignore = [\"blocking_sleep\"]\n"),
        ("crates/a/src/lib.rs", SLEEPS),
    ]);
    let Run { code, stdout, .. } = run(dir.path(), &["--format", "short", "crates/a/src"]);
    assert_eq!((code, stdout.as_str()), (0, ""));

    // .asyncheck.toml.
    let dir = tree(&[
        (".asyncheck.toml", "ignore = [\"blocking_sleep\"]\n"),
        ("src/lib.rs", SLEEPS),
    ]);
    let Run { code, stdout, .. } = run(&dir.path().join("src"), &["--format", "short"]);
    assert_eq!((code, stdout.as_str()), (0, ""));

    // [workspace.metadata.asyncheck] in the workspace's Cargo.toml, reached from a member
    // whose own manifest has no such table.
    let dir = tree(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"a\"]\n\n[workspace.metadata.asyncheck]\nignore = [\"blocking_sleep\"]\n",
        ),
        ("a/Cargo.toml", "[package]\nname = \"a\"\n"),
        ("a/src/lib.rs", SLEEPS),
    ]);
    let Run { code, stdout, .. } = run(dir.path(), &["--format", "short", "a"]);
    assert_eq!((code, stdout.as_str()), (0, ""));

    // An unknown key in Cargo.toml metadata is reported with its position in Cargo.toml.
    let dir = tree(&[
        (
            "Cargo.toml",
            "[package]\nname = \"a\"\n\n[package.metadata.asyncheck]\nignroe = []\n",
        ),
        ("src/lib.rs", SLEEPS),
    ]);
    let Run { code, stderr, .. } = run(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("Cargo.toml:5:1: unknown key `ignroe`"),
        "{stderr}"
    );
}

#[test]
fn the_nearest_configuration_wins_whether_a_file_or_cargo_metadata() {
    // A crate's own Cargo.toml metadata is nearer than an asyncheck.toml further up
    // (a home directory's, a monorepo's): the crate's wins.
    let dir = tree(&[
        ("asyncheck.toml", "select = [\"blocking_sleep\"]\n"),
        (
            "crates/a/Cargo.toml",
            "[package]\nname = \"a\"\n\n[package.metadata.asyncheck]\nignore = [\"blocking_sleep\"]\n",
        ),
        ("crates/a/src/lib.rs", SLEEPS),
    ]);
    let Run { code, stdout, .. } = run(dir.path(), &["--format", "short", "crates/a"]);
    assert_eq!((code, stdout.as_str()), (0, ""));

    // The other way round: an asyncheck.toml beside the crate wins over the
    // workspace's metadata table further up.
    let dir = tree(&[
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"a\"]\n\n[workspace.metadata.asyncheck]\nignore = [\"blocking_sleep\"]\n",
        ),
        ("a/Cargo.toml", "[package]\nname = \"a\"\n"),
        ("a/asyncheck.toml", "select = [\"blocking_sleep\"]\n"),
        ("a/src/lib.rs", SLEEPS),
    ]);
    let Run { code, stdout, .. } = run(dir.path(), &["--format", "short", "a"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("blocking_sleep"), "{stdout}");
}

#[test]
fn config_flag_overrides_discovery_and_cli_flags_override_the_file() {
    let dir = tree(&[
        ("asyncheck.toml", "select = [\"nested_runtime\"]\n"),
        ("other.toml", "ignore = [\"all\"]\n"),
        ("src/lib.rs", SLEEPS),
    ]);
    // The discovered file selects only nested_runtime: nothing is reported.
    let Run { code, stdout, .. } = run(dir.path(), &["--format", "short"]);
    assert_eq!((code, stdout.as_str()), (0, ""));
    // `--select` replaces the file's selection.
    let Run { code, stdout, .. } = run(
        dir.path(),
        &["--format", "short", "--select", "blocking_sleep"],
    );
    assert_eq!(code, 1);
    assert!(
        stdout.contains("src/lib.rs:2:5: blocking_sleep:"),
        "{stdout}"
    );
    // `--config` wins over the discovered file; a group name is accepted.
    let Run { code, stdout, .. } =
        run(dir.path(), &["--format", "short", "--config", "other.toml"]);
    assert_eq!((code, stdout.as_str()), (0, ""));
}

#[test]
fn default_severities_error_for_runtime_panics_warning_otherwise() {
    let linter = Linter::new();
    assert_eq!(linter.severity_of("nested_runtime"), Severity::Error);
    assert_eq!(linter.severity_of("tokio_blocking_method"), Severity::Error);
    assert_eq!(linter.severity_of("blocking_sleep"), Severity::Warning);
    assert_eq!(linter.severity_of("unawaited_future"), Severity::Warning);
    let report = linter.check_source("src/lib.rs", NESTED);
    assert_eq!(report.findings()[0].rule, "nested_runtime");
    assert_eq!(report.findings()[0].severity, Severity::Error);
    assert!(
        report
            .render_human(false)
            .starts_with("error[nested_runtime]: "),
        "{}",
        report.render_human(false)
    );
}

#[test]
fn configured_severities_change_findings_and_off_removes_the_rule() {
    let config = Config::parse(
        "asyncheck.toml",
        "[severity]\nblocking_sleep = \"error\"\nnested_runtime = \"off\"\n",
    )
    .unwrap();
    let linter = Linter::with_config(&config);
    let report = linter.check_source("src/lib.rs", &format!("{SLEEPS}{NESTED}"));
    let found: Vec<_> = report
        .findings()
        .iter()
        .map(|f| (f.rule, f.severity))
        .collect();
    assert_eq!(found, [("blocking_sleep", Severity::Error)]);
    assert!(report.render_human(false).contains("error[blocking_sleep]"));
}

#[test]
fn fail_on_and_exit_zero_decide_the_exit_status() {
    let warnings_only = tree(&[("src/lib.rs", SLEEPS)]);
    assert_eq!(
        run(warnings_only.path(), &[]).code,
        1,
        "warnings fail by default"
    );
    assert_eq!(run(warnings_only.path(), &["--fail-on", "error"]).code, 0);
    assert_eq!(run(warnings_only.path(), &["--exit-zero"]).code, 0);
    std::fs::write(
        warnings_only.path().join("asyncheck.toml"),
        "fail-on = \"error\"\n",
    )
    .unwrap();
    let Run { code, stdout, .. } = run(warnings_only.path(), &[]);
    assert_eq!(code, 0, "fail-on = error lets warnings through: {stdout}");
    assert!(stdout.contains("warning[blocking_sleep]"), "still reported");
    assert_eq!(
        run(warnings_only.path(), &["--fail-on", "warning"]).code,
        1,
        "the flag overrides the file"
    );

    let with_error = tree(&[
        ("asyncheck.toml", "fail-on = \"error\"\n"),
        ("src/lib.rs", NESTED),
    ]);
    assert_eq!(run(with_error.path(), &[]).code, 1);
    assert_eq!(run(with_error.path(), &["--exit-zero"]).code, 0);
}

#[test]
fn exclude_and_per_file_ignores_match_paths_relative_to_the_config() {
    let dir = tree(&[
        (
            "asyncheck.toml",
            "exclude = [\"generated/**\", \"*_pb.rs\"]\n\n[per-file-ignores]\n\"tests/**\" = [\"blocking_sleep\"]\n",
        ),
        ("src/lib.rs", SLEEPS),
        ("src/msg_pb.rs", SLEEPS),
        ("generated/x.rs", SLEEPS),
        ("tests/it.rs", &format!("{SLEEPS}{NESTED}")),
    ]);
    let config = Config::discover(&dir.path().join("src")).unwrap();
    assert_eq!(
        config.path(),
        Some(dir.path().join("asyncheck.toml").as_path())
    );
    let report = Linter::with_config(&config)
        .check_paths(&[dir.path().to_path_buf()])
        .unwrap();
    assert_eq!(report.files_checked(), 2, "excluded files are not checked");
    let found: Vec<_> = report
        .findings()
        .iter()
        .map(|f| {
            let rel = f.path.strip_prefix(dir.path()).unwrap_or(&f.path);
            format!("{}:{}:{}", rel.display(), f.span.line, f.rule)
        })
        .collect();
    assert_eq!(
        found,
        [
            "src/lib.rs:2:blocking_sleep",
            "tests/it.rs:5:nested_runtime",
            "tests/it.rs:6:nested_runtime"
        ]
    );
}

#[test]
fn extra_functions_are_blocking_and_extra_async_fns_are_futures() {
    let config = Config::parse(
        "asyncheck.toml",
        r#"
[rules.blocking_io]
extra-functions = ["crate::net::sync_http_get"]

[rules.blocking_sleep]
extra-functions = ["crate::util::pause"]

[rules.unawaited_future]
extra-async-fns = ["vendored::flush"]
"#,
    )
    .unwrap();
    let source = r"use crate::net::sync_http_get;
use crate::net::other_get;

pub async fn handler() {
    let body = sync_http_get(URL);
    let fine = other_get(URL);
    crate::util::pause(1);
    vendored::flush(&conn);
    vendored::flush(&conn).await;
}

pub fn sync_code() {
    let body = sync_http_get(URL);
    crate::util::pause(1);
}
";
    let found = |linter: &Linter| -> Vec<String> {
        linter
            .check_source("app/src/lib.rs", source)
            .findings()
            .iter()
            .map(|f| format!("{}:{}: {}", f.span.line, f.rule, f.message))
            .collect()
    };
    assert_eq!(
        found(&Linter::with_config(&config)),
        [
            "5:blocking_io: blocking `crate::net::sync_http_get` (configured in `extra-functions`) in async context",
            "7:blocking_sleep: blocking sleep `crate::util::pause` (configured in `extra-functions`) in async context",
            "8:unawaited_future: future returned by `vendored::flush` is dropped without being awaited",
        ]
    );
    assert!(
        found(&Linter::new()).is_empty(),
        "without the configuration these functions are unknown"
    );
}

/// A file with the same blocking sleep outside tests, in a `#[tokio::test]`, in a
/// `#[cfg(test)]` module and in a `#[test]` fn's async block, and a nested runtime in a test.
const MIXED: &str = "pub async fn tick() {
    std::thread::sleep(std::time::Duration::from_millis(5));
}

#[tokio::test]
async fn ticks() {
    std::thread::sleep(std::time::Duration::from_millis(5));
}

#[cfg(test)]
mod tests {
    pub async fn helper() {
        std::thread::sleep(std::time::Duration::from_millis(5));
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {});
    }

    #[test]
    fn sync_test() {
        let _ = async { std::thread::sleep(std::time::Duration::from_millis(5)) };
    }
}
";

fn lines_and_severities(
    config: &str,
    path: &str,
    source: &str,
) -> Vec<(usize, &'static str, Severity)> {
    let config = Config::parse("asyncheck.toml", config).unwrap();
    Linter::with_config(&config)
        .check_source(path, source)
        .findings()
        .iter()
        .map(|f| (f.span.line, f.rule, f.severity))
        .collect()
}

#[test]
fn test_code_findings_are_unchanged_by_default_and_marked_as_test_code() {
    let report = Linter::new().check_source("src/lib.rs", MIXED);
    let found: Vec<_> = report
        .findings()
        .iter()
        .map(|f| (f.span.line, f.rule, f.in_test_code()))
        .collect();
    assert_eq!(
        found,
        [
            (2, "blocking_sleep", false),
            (7, "blocking_sleep", true),
            (13, "blocking_sleep", true),
            (14, "nested_runtime", true),
            (15, "nested_runtime", true),
            (20, "unawaited_future", true),
            (20, "blocking_sleep", true),
        ]
    );
    assert_eq!(
        lines_and_severities("[test-code]\nall = \"default\"\n", "src/lib.rs", MIXED).len(),
        7
    );
}

#[test]
fn test_code_off_drops_and_warning_downgrades_per_rule_or_group() {
    assert_eq!(
        lines_and_severities("[test-code]\nall = \"off\"\n", "src/lib.rs", MIXED),
        [(2, "blocking_sleep", Severity::Warning)]
    );
    assert_eq!(
        lines_and_severities(
            "[test-code]\nblocking_sleep = \"off\"\n",
            "src/lib.rs",
            MIXED
        ),
        [
            (2, "blocking_sleep", Severity::Warning),
            (14, "nested_runtime", Severity::Error),
            (15, "nested_runtime", Severity::Error),
            (20, "unawaited_future", Severity::Warning)
        ]
    );
    // A rule's own entry wins over its group's, whatever the order in the file.
    assert_eq!(
        lines_and_severities(
            "[test-code]\nnested_runtime = \"warning\"\ndefault = \"off\"\n",
            "src/lib.rs",
            MIXED
        ),
        [
            (2, "blocking_sleep", Severity::Warning),
            (14, "nested_runtime", Severity::Warning),
            (15, "nested_runtime", Severity::Warning)
        ]
    );
    // "warning" beats a `[severity]` of "error" in test code only.
    assert_eq!(
        lines_and_severities(
            "[severity]\nblocking_sleep = \"error\"\n[test-code]\nall = \"warning\"\n",
            "src/lib.rs",
            SLEEPS
        ),
        [(2, "blocking_sleep", Severity::Error)]
    );
    assert_eq!(
        lines_and_severities(
            "[severity]\nblocking_sleep = \"error\"\n[test-code]\nall = \"warning\"\n",
            "tests/it.rs",
            SLEEPS
        ),
        [(2, "blocking_sleep", Severity::Warning)]
    );
}

#[test]
fn files_under_tests_benches_and_examples_are_test_code_in_a_run() {
    let dir = tree(&[
        ("asyncheck.toml", "[test-code]\nall = \"off\"\n"),
        ("src/lib.rs", SLEEPS),
        ("src/tests.rs", SLEEPS),
        ("tests/it.rs", SLEEPS),
        ("benches/b.rs", SLEEPS),
        ("examples/e.rs", SLEEPS),
        ("examples/demo/src/main.rs", SLEEPS),
    ]);
    let Run { code, stdout, .. } = run(dir.path(), &["--format", "short"]);
    assert_eq!(code, 1, "{stdout}");
    let flagged: Vec<_> = stdout
        .lines()
        .filter(|l| l.contains("blocking_sleep"))
        .collect();
    assert_eq!(flagged.len(), 1, "{stdout}");
    assert!(flagged[0].contains("src/lib.rs"), "{stdout}");
}
