//! The pre-commit hook (`.pre-commit-hooks.yaml`): its entry run on a temporary git repository's staged files, as pre-commit runs it.
//!
//! pre-commit lists the staged files (`git diff --staged --name-only
//! --diff-filter=ACMRTUXB`), keeps those its `identify` library tags `rust` (regular
//! files named `*.rs`), and runs `entry args... files...` from the repository root
//! with the hook's installed binaries first on `PATH`. Here that binary is the one
//! cargo built for these tests, under the entry's name; that `cargo install --path .`
//! installs the same program under that name is checked against the root
//! `Cargo.toml`. (A real `pre-commit try-repo` builds the lint in release, too slow
//! for `cargo test`; the README says how to run one.)

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;
use yaml_rust2::{Yaml, YamlLoader};

const WORKER: &str = "use std::time::Duration;\n\npub async fn poll() {\n    std::thread::sleep(Duration::from_millis(5));\n}\n";
const CLEAN: &str = "pub async fn tick() {\n    tokio::time::sleep(std::time::Duration::from_millis(5)).await;\n}\n";

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The `asyncheck` hook from `.pre-commit-hooks.yaml`.
fn hook() -> Yaml {
    let path = repository().join(".pre-commit-hooks.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let documents = YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()));
    let hooks = documents[0].as_vec().expect("a list of hooks");
    hooks
        .iter()
        .find(|hook| hook["id"].as_str() == Some("asyncheck"))
        .expect("a hook with the id `asyncheck`")
        .clone()
}

fn strings(yaml: &Yaml) -> Vec<&str> {
    yaml.as_vec()
        .map(|items| items.iter().map(|i| i.as_str().unwrap()).collect())
        .unwrap_or_default()
}

/// The entry's program and its own arguments, split as pre-commit splits it (shell words; here plain words).
fn entry() -> Vec<String> {
    let hook = hook();
    let entry = hook["entry"].as_str().expect("an `entry`");
    assert!(
        !entry.contains(['"', '\'', '\\']),
        "the test splits the entry on whitespace: {entry}"
    );
    entry.split_whitespace().map(str::to_owned).collect()
}

/// A git repository with `files` staged, and a `PATH` directory holding the built lint under the entry's name.
struct Repo {
    dir: TempDir,
    bin: TempDir,
}

impl Repo {
    fn new(files: &[(&str, &str)]) -> Repo {
        let dir = common::tree(files);
        git(dir.path(), &["init", "--quiet"]);
        git(dir.path(), &["add", "--all"]);
        let bin = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(
            env!("CARGO_BIN_EXE_cargo-asyncheck"),
            bin.path().join(&entry()[0]),
        )
        .unwrap();
        Repo { dir, bin }
    }

    /// The staged files the hook is given: pre-commit's list, filtered by `types: [rust]`.
    fn hook_files(&self) -> Vec<String> {
        let output = git(
            self.dir.path(),
            &[
                "diff",
                "--staged",
                "--name-only",
                "--no-ext-diff",
                "-z",
                "--diff-filter=ACMRTUXB",
            ],
        );
        output
            .split('\0')
            .filter(|name| !name.is_empty())
            .filter(|name| {
                let path = self.dir.path().join(name);
                let is_file = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
                is_file && Path::new(name).extension().is_some_and(|e| e == "rs")
            })
            .map(str::to_owned)
            .collect()
    }

    /// Runs `entry args... files...` from the repository root, as pre-commit does.
    fn run_hook(&self, files: &[String]) -> common::Run {
        let hook = hook();
        let entry = entry();
        let mut path = self.bin.path().as_os_str().to_owned();
        path.push(":/usr/bin:/bin");
        let output = Command::new(&entry[0])
            .args(&entry[1..])
            .args(strings(&hook["args"]))
            .args(files)
            .current_dir(self.dir.path())
            .env("PATH", path)
            .env_remove("NO_COLOR")
            .output()
            .expect("the hook's entry runs");
        common::Run {
            code: output.status.code().expect("exited normally"),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_hook_runs_on_staged_rust_files_and_is_given_their_names() {
    let hook = hook();
    assert_eq!(hook["language"].as_str(), Some("rust"));
    assert_eq!(strings(&hook["types"]), ["rust"]);
    assert_ne!(
        hook["pass_filenames"].as_bool(),
        Some(false),
        "the lint must be given the staged files"
    );
    assert!(hook["name"].as_str().is_some_and(|n| !n.is_empty()));
}

#[test]
fn the_entry_is_the_lints_binary_as_cargo_install_path_dot_installs_it() {
    let manifest = |path: &Path| -> toml::Table {
        toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let bin_path = |manifest: &toml::Table, name: &str| -> Option<String> {
        manifest.get("bin")?.as_array()?.iter().find_map(|bin| {
            (bin.get("name")?.as_str()? == name)
                .then(|| bin.get("path")?.as_str().map(str::to_owned))?
        })
    };
    let root = manifest(&repository().join("Cargo.toml"));
    assert!(
        root.contains_key("package"),
        "`cargo install --path .` (what pre-commit runs) needs a package at the repository root"
    );
    let lint = manifest(&repository().join("lint/Cargo.toml"));
    let lint_main = bin_path(&lint, "cargo-asyncheck").expect("the lint's binary");
    let entry = entry();
    assert_eq!(
        bin_path(&root, &entry[0]),
        Some(format!("lint/{lint_main}")),
        "the root package's `{}` binary is the lint's own `main`",
        entry[0]
    );
}

#[test]
fn staged_rust_files_with_a_finding_exit_1_and_only_rust_files_are_checked() {
    let repo = Repo::new(&[
        ("src/lib.rs", CLEAN),
        ("src/worker.rs", WORKER),
        ("README.md", "# fixture\n"),
        ("notes.rs.txt", WORKER),
    ]);
    let files = repo.hook_files();
    assert_eq!(files, ["src/lib.rs", "src/worker.rs"]);
    let run = repo.run_hook(&files);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("warning[blocking_sleep]: blocking `std::thread::sleep` in async context"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("--> src/worker.rs:4:5"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .ends_with("1 finding in 1 file (2 files checked)\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn clean_staged_files_exit_0() {
    let repo = Repo::new(&[("src/lib.rs", CLEAN), ("build.rs", "fn main() {}\n")]);
    let files = repo.hook_files();
    assert_eq!(files, ["build.rs", "src/lib.rs"]);
    let run = repo.run_hook(&files);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "0 findings in 0 files (2 files checked)\n");
}

#[test]
fn a_bad_configuration_exits_2_naming_the_file_and_key() {
    let repo = Repo::new(&[
        (
            "asyncheck.toml",
            "fail-on = \"error\"\nselcet = [\"all\"]\n",
        ),
        ("src/worker.rs", WORKER),
    ]);
    let run = repo.run_hook(&repo.hook_files());
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("asyncheck.toml:2:1: unknown key `selcet`"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn the_configuration_is_found_walking_up_from_the_staged_files() {
    let repo = Repo::new(&[
        (
            "asyncheck.toml",
            "exclude = [\"crates/server/src/generated/**\"]\n\n[severity]\nblocking_sleep = \"error\"\n",
        ),
        ("crates/server/src/worker.rs", WORKER),
        ("crates/server/src/generated/client.rs", WORKER),
    ]);
    let files = repo.hook_files();
    assert_eq!(files.len(), 2, "{files:?}");
    let run = repo.run_hook(&files);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // The repository's configuration applied: its severity, and its `exclude` even for a file named on the command line.
    assert!(
        run.stdout.contains("error[blocking_sleep]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("--> crates/server/src/worker.rs:4:5"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("generated"), "{}", run.stdout);
}
