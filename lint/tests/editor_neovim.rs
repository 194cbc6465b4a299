//! End-to-end: headless Neovim (0.7+, its built-in LSP client) drives `cargo asyncheck server`
//! through `tests/editor/neovim.lua`: diagnostics on open, the quick fix, an unsaved edit.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The whole session's budget; each step of the script waits at most 30 s.
const BUDGET: Duration = Duration::from_secs(120);

#[test]
fn neovim_shows_the_finding_applies_the_quick_fix_and_reports_an_unsaved_pitfall() {
    let nvim = Command::new("nvim").arg("--version").output();
    assert!(
        nvim.as_ref().is_ok_and(|out| out.status.success()),
        "this test needs Neovim 0.7 or later on PATH (`nvim`): install it with \
         `apt-get install -y neovim` (`.ci/run` does so when it is missing)"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    let file = dir.path().join("src/lib.rs");
    let original = "async fn tick(d: std::time::Duration) {\n    std::thread::sleep(d);\n}\n";
    std::fs::write(&file, original).unwrap();
    let result = dir.path().join("result.txt");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/editor/neovim.lua");

    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("ASYNCHECK_SERVER", env!("CARGO_BIN_EXE_cargo-asyncheck"))
        .env("ASYNCHECK_ROOT", dir.path())
        .env("ASYNCHECK_FILE", &file)
        .env("ASYNCHECK_RESULT", &result)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nvim starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > BUDGET {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "Neovim did not finish within {BUDGET:?}; the script's last word: {:?}",
                std::fs::read_to_string(&result).ok()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let said = std::fs::read_to_string(&result).unwrap_or_else(|_| {
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
        }
        format!("(the script wrote no result; nvim exited with {status}; stderr: {stderr})")
    });
    assert!(
        status.success() && said.starts_with("ok:"),
        "the Neovim session failed: {said}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        original,
        "the server or the editor wrote the file; everything happened in the buffer"
    );
}
