//! A local stand-in for the GitHub runner: reads `action.yml` and runs its composite steps in order on a fixture repository.
//!
//! What it models, after GitHub's documentation of composite actions: inputs with
//! their defaults (an input the action does not declare is an error), `${{ }}` in
//! `env`, `working-directory` and `with`, `if:` with the implicit `success()`,
//! `continue-on-error`, step outcomes and `$GITHUB_OUTPUT`, and `run:` steps run as
//! `bash --noprofile --norc -eo pipefail <script>` (GitHub's command for
//! `shell: bash`) with `$GITHUB_ACTION_PATH`, `$GITHUB_WORKSPACE` and `$RUNNER_TEMP`
//! set. `uses:` steps are not run (they are GitHub's own actions): the run records
//! that they would have run and with what.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

use crate::expr::{self, Contexts, Value};

/// The keys GitHub documents for a composite action's step.
const STEP_KEYS: &[&str] = &[
    "name",
    "id",
    "if",
    "run",
    "shell",
    "env",
    "working-directory",
    "uses",
    "with",
    "continue-on-error",
];

/// `action.yml`, parsed.
pub(crate) struct Action {
    /// The whole document.
    pub(crate) yaml: Yaml,
}

impl Action {
    /// Reads and parses the action metadata file at `path`.
    pub(crate) fn load(path: &Path) -> Action {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let mut documents = YamlLoader::load_from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()));
        assert_eq!(documents.len(), 1, "{} holds one document", path.display());
        Action {
            yaml: documents.remove(0),
        }
    }

    /// The composite steps, checked to use only the keys GitHub knows.
    pub(crate) fn steps(&self) -> &[Yaml] {
        let steps = self.yaml["runs"]["steps"]
            .as_vec()
            .expect("`runs.steps` is a list");
        for step in steps {
            for key in step.as_hash().expect("each step is a mapping").keys() {
                let key = key.as_str().expect("step keys are strings");
                assert!(
                    STEP_KEYS.contains(&key),
                    "step {:?} has the key `{key}`, which composite actions do not know (they know {STEP_KEYS:?})",
                    text(&step["name"])
                );
            }
        }
        steps
    }

    /// The default of each declared input (an input without one defaults to `''`).
    pub(crate) fn input_defaults(&self) -> BTreeMap<String, String> {
        self.yaml["inputs"]
            .as_hash()
            .expect("`inputs` is a mapping")
            .iter()
            .map(|(name, input)| {
                let name = name.as_str().expect("input names are strings").to_owned();
                (name, text(&input["default"]).unwrap_or_default())
            })
            .collect()
    }
}

/// A scalar as GitHub reads it: every scalar is text (`false` is `"false"`).
pub(crate) fn text(yaml: &Yaml) -> Option<String> {
    match yaml {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// How a step ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Success,
    Failure,
    Skipped,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Skipped => "skipped",
        }
    }
}

/// One step of one run of the action.
#[derive(Debug)]
pub(crate) struct StepRun {
    /// The step's `id`, or its `name` when it has none.
    pub(crate) key: String,
    /// How it ended; a `uses:` step that would have run counts as a success.
    pub(crate) outcome: Outcome,
    /// The shell's exit status (`run:` steps that ran).
    pub(crate) code: Option<i32>,
    /// Standard output and error of a `run:` step.
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    /// What a `run:` step wrote to `$GITHUB_OUTPUT`.
    pub(crate) outputs: BTreeMap<String, String>,
    /// For a `uses:` step that would have run: the action and its evaluated `with:`.
    pub(crate) uses: Option<(String, BTreeMap<String, String>)>,
}

/// Everything a run of the action did.
#[derive(Debug)]
pub(crate) struct JobRun {
    /// The steps, in order.
    pub(crate) steps: Vec<StepRun>,
    /// Whether the action failed (a step failed without `continue-on-error`).
    pub(crate) failed: bool,
    /// The action's `outputs`, evaluated after its last step.
    pub(crate) outputs: BTreeMap<String, String>,
}

impl JobRun {
    /// The step with this id (or name).
    pub(crate) fn step(&self, key: &str) -> &StepRun {
        self.steps
            .iter()
            .find(|s| s.key == key)
            .unwrap_or_else(|| panic!("no step `{key}` in {self:#?}"))
    }
}

/// Where and with what the action runs.
pub(crate) struct Runner<'a> {
    /// The action's own directory (`$GITHUB_ACTION_PATH`).
    pub(crate) action_path: &'a Path,
    /// The repository being checked (`$GITHUB_WORKSPACE`).
    pub(crate) workspace: &'a Path,
    /// `$RUNNER_TEMP`.
    pub(crate) temp: &'a Path,
    /// The `PATH` the steps see.
    pub(crate) path: OsString,
    /// More environment for every step (the fake `cargo`'s settings).
    pub(crate) env: Vec<(String, OsString)>,
}

struct State<'a> {
    runner: &'a Runner<'a>,
    inputs: BTreeMap<String, String>,
    steps: BTreeMap<String, (Outcome, BTreeMap<String, String>)>,
    failed: bool,
}

impl Contexts for State<'_> {
    fn lookup(&self, path: &[&str]) -> Value {
        let text = |s: &str| Value::Str(s.to_owned());
        let path_text = |p: &Path| Value::Str(p.display().to_string());
        match path {
            ["inputs", name] => text(self.inputs.get(*name).unwrap_or_else(|| {
                panic!("the action reads `inputs.{name}`, which it does not declare")
            })),
            ["github", "workspace"] => path_text(self.runner.workspace),
            ["github", "action_path"] => path_text(self.runner.action_path),
            ["runner", "temp"] => path_text(self.runner.temp),
            ["runner", "os"] => text("Linux"),
            ["steps", id, rest @ ..] => {
                let Some((outcome, outputs)) = self.steps.get(*id) else {
                    return Value::Null;
                };
                match rest {
                    ["outcome" | "conclusion"] => text(outcome.as_str()),
                    ["outputs", name] => outputs.get(*name).map_or(Value::Null, |v| text(v)),
                    _ => panic!("unknown property `steps.{id}.{}`", rest.join(".")),
                }
            }
            _ => panic!(
                "the test runner does not model the context `{}`",
                path.join(".")
            ),
        }
    }

    fn status(&self, function: &str) -> bool {
        match function {
            "success" => !self.failed,
            "failure" => self.failed,
            "always" => true,
            "cancelled" => false,
            _ => panic!("the test runner does not model the function `{function}()`"),
        }
    }
}

impl Runner<'_> {
    /// Runs every step of `action` with these inputs (the others take their defaults).
    pub(crate) fn run(&self, action: &Action, inputs: &[(&str, &str)]) -> JobRun {
        let mut all_inputs = action.input_defaults();
        for (name, value) in inputs {
            assert!(
                all_inputs.contains_key(*name),
                "the action has no input `{name}` (it has {:?})",
                all_inputs.keys()
            );
            all_inputs.insert((*name).to_owned(), (*value).to_owned());
        }
        let mut state = State {
            runner: self,
            inputs: all_inputs,
            steps: BTreeMap::new(),
            failed: false,
        };
        let mut runs = Vec::new();
        for (index, step) in action.steps().iter().enumerate() {
            let key = text(&step["id"])
                .or_else(|| text(&step["name"]))
                .unwrap_or_else(|| index.to_string());
            let run = if expr::condition_holds(text(&step["if"]).as_deref(), &state) {
                self.run_step(step, &key, &state)
            } else {
                StepRun {
                    key: key.clone(),
                    outcome: Outcome::Skipped,
                    code: None,
                    stdout: String::new(),
                    stderr: String::new(),
                    outputs: BTreeMap::new(),
                    uses: None,
                }
            };
            let continue_on_error = text(&step["continue-on-error"]).as_deref() == Some("true");
            if run.outcome == Outcome::Failure && !continue_on_error {
                state.failed = true;
            }
            if let Some(id) = text(&step["id"]) {
                state.steps.insert(id, (run.outcome, run.outputs.clone()));
            }
            runs.push(run);
        }
        let outputs = action.yaml["outputs"]
            .as_hash()
            .map(|outputs| {
                outputs
                    .iter()
                    .map(|(name, output)| {
                        let value = text(&output["value"]).expect("an output has a `value`");
                        (text(name).unwrap(), expr::substitute(&value, &state))
                    })
                    .collect()
            })
            .unwrap_or_default();
        JobRun {
            steps: runs,
            failed: state.failed,
            outputs,
        }
    }

    fn run_step(&self, step: &Yaml, key: &str, state: &State<'_>) -> StepRun {
        if let Some(uses) = text(&step["uses"]) {
            let with = step["with"]
                .as_hash()
                .map(|with| {
                    with.iter()
                        .map(|(k, v)| {
                            let value = text(v).unwrap_or_default();
                            (text(k).unwrap(), expr::substitute(&value, state))
                        })
                        .collect()
                })
                .unwrap_or_default();
            return StepRun {
                key: key.to_owned(),
                outcome: Outcome::Success,
                code: None,
                stdout: String::new(),
                stderr: String::new(),
                outputs: BTreeMap::new(),
                uses: Some((uses, with)),
            };
        }
        let script = text(&step["run"])
            .unwrap_or_else(|| panic!("step `{key}` has neither `run` nor `uses`"));
        assert_eq!(
            text(&step["shell"]).as_deref(),
            Some("bash"),
            "step `{key}`: the steps are written for bash"
        );
        let dir = tempfile::tempdir_in(self.temp).unwrap();
        let script_file = dir.path().join("step.sh");
        std::fs::write(&script_file, expr::substitute(&script, state)).unwrap();
        let output_file = dir.path().join("output");
        std::fs::write(&output_file, "").unwrap();
        let working_directory = text(&step["working-directory"]).map_or_else(
            || self.workspace.to_path_buf(),
            |d| PathBuf::from(expr::substitute(&d, state)),
        );
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_file)
            .current_dir(working_directory)
            .env_clear()
            .env("PATH", &self.path)
            .env("HOME", self.temp)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_ACTION_PATH", self.action_path)
            .env("GITHUB_WORKSPACE", self.workspace)
            .env("RUNNER_TEMP", self.temp)
            .env("RUNNER_OS", "Linux")
            .env("GITHUB_OUTPUT", &output_file);
        for (name, value) in &self.env {
            command.env(name, value);
        }
        if let Some(env) = step["env"].as_hash() {
            for (name, value) in env {
                let value = text(value).unwrap_or_default();
                command.env(text(name).unwrap(), expr::substitute(&value, state));
            }
        }
        let output = command.output().expect("bash runs");
        let code = output.status.code().expect("the step exited normally");
        StepRun {
            key: key.to_owned(),
            outcome: if code == 0 {
                Outcome::Success
            } else {
                Outcome::Failure
            },
            code: Some(code),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
            outputs: read_outputs(&std::fs::read_to_string(&output_file).unwrap()),
            uses: None,
        }
    }
}

/// Parses `$GITHUB_OUTPUT`: `name=value` lines and `name<<DELIMITER` blocks.
fn read_outputs(text: &str) -> BTreeMap<String, String> {
    let mut outputs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
            outputs.insert(name.to_owned(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            outputs.insert(name.to_owned(), value.to_owned());
        } else {
            assert!(line.is_empty(), "malformed `$GITHUB_OUTPUT` line `{line}`");
        }
    }
    outputs
}
