//! The GitHub Action (`action.yml` at the repository root), run step by step on a fixture repository.
//!
//! `runner.rs` plays GitHub's runner: it reads `action.yml`, evaluates inputs and
//! conditions, and runs each `run:` step with bash. The install step's `cargo` is a
//! fake on `PATH` that records its arguments and "installs" the binary cargo built
//! for these tests where `--root` says, so the steps run this build of the lint.
//! `uses:` steps (the SARIF upload) are GitHub's: the tests check that they would
//! run, and with what.

#[path = "../common/mod.rs"]
mod common;
mod expr;
mod runner;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use common::sarif::{schema_errors, schema_validator};
use runner::{Action, JobRun, Outcome, Runner};
use tempfile::TempDir;

/// A blocking sleep in async code: one `blocking_sleep` warning on line 4, columns 5–49.
const WORKER: &str = "use std::time::Duration;\n\npub async fn poll() {\n    std::thread::sleep(Duration::from_millis(5));\n}\n";
const CLEAN: &str = "pub async fn tick() {\n    tokio::time::sleep(std::time::Duration::from_millis(5)).await;\n}\n";
/// The annotation the runner turns into a warning on `src/worker.rs`.
const WORKER_ANNOTATION: &str = "::warning file=src/worker.rs,line=4,col=5,endLine=4,endColumn=49,title=asyncheck(blocking_sleep)::blocking `std::thread::sleep` in async context%0Ahelp: use `tokio::time::sleep(d).await`, or move the blocking work into `tokio::task::spawn_blocking`";

/// Stands in for `cargo`: records each call's arguments (one per line, then a blank
/// line), and for `install` links the lint built for these tests into `<root>/bin`.
const FAKE_CARGO: &str = r#"#!/usr/bin/env bash
set -eo pipefail
printf '%s\n' "$@" "" >> "$FAKE_CARGO_LOG"
[[ "$1" == install ]] || { echo "fake cargo: unexpected \`cargo $1\`" >&2; exit 101; }
root=""
while [[ $# -gt 0 ]]; do
  if [[ "$1" == --root ]]; then root="$2"; fi
  shift
done
[[ -n "$root" ]] || { echo "fake cargo: no --root" >&2; exit 101; }
mkdir -p "$root/bin"
ln -sf "$ASYNCHECK_BUILT" "$root/bin/cargo-asyncheck"
"#;

/// This repository: the directory the action's files are checked out to.
fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn action() -> Action {
    Action::load(&repository().join("action.yml"))
}

/// A fixture repository, a runner temp dir and a `PATH` with the fake `cargo` (or none).
struct Setup {
    workspace: TempDir,
    temp: TempDir,
    bin: TempDir,
    cargo_log: PathBuf,
}

impl Setup {
    fn new(files: &[(&str, &str)], with_cargo: bool) -> Setup {
        let mut all = vec![
            (
                "Cargo.toml",
                "[package]\nname = \"fixture\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
            ),
            ("src/lib.rs", CLEAN),
            ("src/worker.rs", WORKER),
            ("examples/clean start.rs", CLEAN),
        ];
        all.extend_from_slice(files);
        let workspace = common::tree(&all);
        let temp = tempfile::tempdir().unwrap();
        let bin = tempfile::tempdir().unwrap();
        if with_cargo {
            let cargo = bin.path().join("cargo");
            std::fs::write(&cargo, FAKE_CARGO).unwrap();
            make_executable(&cargo);
        }
        let cargo_log = temp.path().join("cargo.log");
        Setup {
            workspace,
            temp,
            bin,
            cargo_log,
        }
    }

    fn run(&self, inputs: &[(&str, &str)]) -> JobRun {
        let repository = repository();
        // The fake `cargo`, then the system's tools (bash, coreutils), and no real cargo.
        let mut path = OsString::from(self.bin.path());
        path.push(":/usr/bin:/bin");
        let runner = Runner {
            action_path: &repository,
            workspace: self.workspace.path(),
            temp: self.temp.path(),
            path,
            env: vec![
                ("FAKE_CARGO_LOG".into(), self.cargo_log.clone().into()),
                (
                    "ASYNCHECK_BUILT".into(),
                    env!("CARGO_BIN_EXE_cargo-asyncheck").into(),
                ),
            ],
        };
        runner.run(&action(), inputs)
    }

    /// The calls the fake `cargo` received, each as its arguments.
    fn cargo_calls(&self) -> Vec<Vec<String>> {
        let log = std::fs::read_to_string(&self.cargo_log).unwrap_or_default();
        log.split_terminator("\n\n")
            .map(|call| call.lines().map(str::to_owned).collect())
            .collect()
    }
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

#[test]
fn every_step_is_a_bash_step_or_an_action_and_no_script_splices_an_expression() {
    let action = action();
    assert_eq!(action.yaml["runs"]["using"].as_str(), Some("composite"));
    for step in action.steps() {
        let name = runner::text(&step["name"]).expect("every step is named");
        if let Some(script) = runner::text(&step["run"]) {
            assert_eq!(
                runner::text(&step["shell"]).as_deref(),
                Some("bash"),
                "{name}"
            );
            // Inputs reach scripts through `env:`, so no input value is run as shell code.
            assert!(
                !script.contains("${{"),
                "step {name:?} splices an expression into its script:\n{script}"
            );
        } else {
            let uses = runner::text(&step["uses"]).expect("a step runs a script or an action");
            assert!(uses.contains('@'), "step {name:?} pins no version: {uses}");
        }
    }
}

#[test]
fn by_default_it_installs_from_the_action_path_annotates_and_fails_on_a_warning() {
    let setup = Setup::new(&[], true);
    let job = setup.run(&[]);

    assert_eq!(job.step("Check the inputs").outcome, Outcome::Success);
    assert_eq!(job.step("install").outcome, Outcome::Success, "{job:#?}");
    let root = setup.temp.path().join("asyncheck");
    let lint_dir = repository().join("lint");
    assert_eq!(
        setup.cargo_calls(),
        vec![vec![
            "install".to_owned(),
            "--locked".to_owned(),
            "--root".to_owned(),
            root.display().to_string(),
            "--path".to_owned(),
            lint_dir.display().to_string(),
        ]],
        "the install step builds this repository's `lint` package at the action's ref"
    );

    let lint = job.step("lint");
    assert_eq!(lint.code, Some(1), "{lint:#?}");
    assert_eq!(lines(&lint.stdout), [WORKER_ANNOTATION], "{lint:#?}");
    assert_eq!(lint.stderr, "");
    assert_eq!(job.step("sarif").outcome, Outcome::Skipped);
    assert_eq!(
        job.step("Upload SARIF to code scanning").outcome,
        Outcome::Skipped
    );
    assert!(
        job.failed,
        "a warning fails the job under the default fail-on"
    );
    assert_eq!(job.outputs["sarif-file"], "");
}

#[test]
fn fail_on_error_still_annotates_warnings_but_passes() {
    let setup = Setup::new(&[], true);
    let job = setup.run(&[("fail-on", "error")]);
    let lint = job.step("lint");
    assert_eq!(lint.code, Some(0), "{lint:#?}");
    assert_eq!(lines(&lint.stdout), [WORKER_ANNOTATION]);
    assert!(!job.failed, "{job:#?}");

    // An error-severity finding fails it.
    let setup = Setup::new(
        &[(
            "src/runtime.rs",
            "pub async fn serve() {\n    let rt = tokio::runtime::Runtime::new().unwrap();\n}\n",
        )],
        true,
    );
    let job = setup.run(&[("fail-on", "error")]);
    let lint = job.step("lint");
    assert_eq!(lint.code, Some(1), "{lint:#?}");
    assert_eq!(
        lines(&lint.stdout),
        [
            "::error file=src/runtime.rs,line=2,col=14,endLine=2,endColumn=44,title=asyncheck(nested_runtime)::building a tokio runtime with `Runtime::new` in async context%0Ahelp: `.await` the future instead; sync code that must wait belongs in `tokio::task::spawn_blocking`",
            WORKER_ANNOTATION,
        ]
    );
    assert!(job.failed);
}

#[test]
fn the_configurations_fail_on_applies_when_the_input_is_empty() {
    let setup = Setup::new(&[("asyncheck.toml", "fail-on = \"error\"\n")], true);
    let job = setup.run(&[]);
    assert_eq!(job.step("lint").code, Some(0), "{job:#?}");
    assert_eq!(lines(&job.step("lint").stdout), [WORKER_ANNOTATION]);

    // The input wins over the configuration.
    let job = setup.run(&[("fail-on", "warning")]);
    assert_eq!(job.step("lint").code, Some(1), "{job:#?}");
}

#[test]
fn sarif_true_writes_a_valid_log_after_the_failing_lint_and_wires_the_upload() {
    let setup = Setup::new(&[], true);
    let job = setup.run(&[("sarif", "true")]);
    assert_eq!(job.step("lint").code, Some(1));

    let sarif = job.step("sarif");
    assert_eq!(sarif.outcome, Outcome::Success, "{sarif:#?}");
    let file = setup.temp.path().join("asyncheck.sarif");
    assert_eq!(sarif.outputs["sarif-file"], file.display().to_string());
    assert_eq!(job.outputs["sarif-file"], file.display().to_string());
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let errors = schema_errors(&schema_validator(), &log);
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:#?}");
    assert_eq!(results[0]["ruleId"], "blocking_sleep");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "src/worker.rs",
        "paths are relative to the repository root, as code scanning resolves them"
    );

    let upload = job.step("Upload SARIF to code scanning");
    assert_eq!(upload.outcome, Outcome::Success, "{upload:#?}");
    let (uses, with) = upload.uses.as_ref().expect("a `uses:` step");
    assert!(
        uses.starts_with("github/codeql-action/upload-sarif@"),
        "{uses}"
    );
    assert_eq!(with["sarif_file"], file.display().to_string());
    assert_eq!(with["category"], "asyncheck");
    assert!(job.failed, "the warning still fails the job");

    let job = setup.run(&[("sarif", "true"), ("sarif-category", "asyncheck-server")]);
    let (_, with) = job
        .step("Upload SARIF to code scanning")
        .uses
        .clone()
        .unwrap();
    assert_eq!(with["category"], "asyncheck-server");
}

#[test]
fn paths_are_one_per_line_and_args_split_on_whitespace() {
    let setup = Setup::new(&[], true);
    // Blank lines and surrounding spaces are dropped; a name keeps its inner space.
    let job = setup.run(&[("paths", "  src/lib.rs\n\nexamples/clean start.rs  \n")]);
    let lint = job.step("lint");
    assert_eq!(
        (lint.code, lint.stdout.as_str()),
        (Some(0), ""),
        "{lint:#?}"
    );

    let job = setup.run(&[("paths", "src/lib.rs\nsrc/worker.rs")]);
    assert_eq!(lines(&job.step("lint").stdout), [WORKER_ANNOTATION]);

    let job = setup.run(&[("args", "--select default\n  --ignore blocking_sleep")]);
    let lint = job.step("lint");
    assert_eq!(
        (lint.code, lint.stdout.as_str()),
        (Some(0), ""),
        "{lint:#?}"
    );

    // Words are not globbed: `*` reaches the lint as a path that does not exist.
    let job = setup.run(&[("paths", "src/*.rs")]);
    let lint = job.step("lint");
    assert_eq!(lint.code, Some(2), "{lint:#?}");
    assert!(lint.stderr.contains("src/*.rs"), "{}", lint.stderr);
}

#[test]
fn bad_inputs_stop_the_action_before_the_install() {
    let setup = Setup::new(&[], true);
    let job = setup.run(&[("fail-on", "fatal"), ("sarif", "yes")]);
    let check = job.step("Check the inputs");
    assert_eq!(check.code, Some(2));
    assert_eq!(
        lines(&check.stdout),
        [
            "::error title=asyncheck::input `fail-on` is `fatal`; expected `warning`, `error` or nothing",
            "::error title=asyncheck::input `sarif` is `yes`; expected `true` or `false`",
        ]
    );
    for step in ["install", "lint", "sarif", "Upload SARIF to code scanning"] {
        assert_eq!(job.step(step).outcome, Outcome::Skipped, "{step}");
    }
    assert!(setup.cargo_calls().is_empty());
    assert!(job.failed);
}

#[test]
fn without_cargo_on_the_runner_the_check_says_so() {
    let setup = Setup::new(&[], false);
    let job = setup.run(&[]);
    let check = job.step("Check the inputs");
    assert_eq!(check.code, Some(2));
    assert_eq!(
        lines(&check.stdout),
        [
            "::error title=asyncheck::`cargo` is not on PATH; install a Rust toolchain before this action"
        ]
    );
    assert_eq!(job.step("install").outcome, Outcome::Skipped);
}

#[test]
fn a_configuration_error_fails_both_runs_and_nothing_is_uploaded() {
    let setup = Setup::new(&[("asyncheck.toml", "selcet = [\"all\"]\n")], true);
    let job = setup.run(&[("sarif", "true")]);
    for step in ["lint", "sarif"] {
        let run = job.step(step);
        assert_eq!(run.code, Some(2), "{run:#?}");
        assert!(
            run.stderr
                .contains("asyncheck.toml:1:1: unknown key `selcet`"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(
        job.step("Upload SARIF to code scanning").outcome,
        Outcome::Skipped
    );
    assert!(job.failed);
}
