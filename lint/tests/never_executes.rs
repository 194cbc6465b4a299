//! The linter never executes the code it analyses: no build script, no proc macro,
//! no `cargo` (metadata or otherwise), no `rustc`, in any output format or with `--fix`.
//!
//! The crate under test is built to leave a marker file behind if any of those
//! runs: its `build.rs` and proc macro write one, `.cargo/config.toml` routes
//! rustc through a wrapper that writes one, and `cargo` and `rustc` on `PATH`
//! are stand-ins that write one.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use assert_cmd::Command;

/// A shell script at `path` that records that it ran, under `marker`.
fn tattletale(path: &Path, marker: &Path) {
    std::fs::write(
        path,
        format!(
            "#!/bin/sh\necho \"$0 $*\" >> '{}'\nexit 1\n",
            marker.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn build_scripts_proc_macros_cargo_and_rustc_are_never_run() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("MARKER");
    let krate = dir.path().join("victim");
    let write = |rel: &str, text: &str| {
        let path = krate.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let touch = format!(
        "std::fs::write(r\"{}\", \"ran\").unwrap();",
        marker.display()
    );
    write(
        "Cargo.toml",
        "[package]\nname = \"victim\"\nversion = \"0.1.0\"\nedition = \"2021\"\nbuild = \"build.rs\"\n\n\
         [dependencies]\nvictim-macros = { path = \"macros\" }\n",
    );
    write("build.rs", &format!("fn main() {{ {touch} }}\n"));
    write(
        "macros/Cargo.toml",
        "[package]\nname = \"victim-macros\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[lib]\nproc-macro = true\n",
    );
    write(
        "macros/src/lib.rs",
        &format!(
            "#[proc_macro_attribute]\npub fn touch(_: proc_macro::TokenStream, item: proc_macro::TokenStream) -> proc_macro::TokenStream {{ {touch} item }}\n"
        ),
    );
    write(
        "src/lib.rs",
        "#[victim_macros::touch]\npub async fn tick(d: std::time::Duration) {\n    std::thread::sleep(d);\n}\n",
    );
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["cargo", "rustc", "rustc-wrapper"] {
        tattletale(&bin.join(tool), &marker);
    }
    write(
        ".cargo/config.toml",
        &format!(
            "[build]\nrustc-wrapper = \"{}\"\n",
            bin.join("rustc-wrapper").display()
        ),
    );

    let formats = ["human", "short", "json", "sarif", "github", "cargo-json"];
    let runs = formats
        .iter()
        .map(|f| vec!["--format", f, "."])
        .chain([vec!["--diff", "."], vec!["--fix", "."]]);
    for args in runs {
        let output = Command::new(env!("CARGO_BIN_EXE_cargo-asyncheck"))
            .current_dir(&krate)
            .env("PATH", &bin)
            .env("CARGO", bin.join("cargo"))
            .env("RUSTC", bin.join("rustc"))
            .env("RUSTC_WRAPPER", bin.join("rustc-wrapper"))
            .args(&args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{args:?}: {output:?}"
        );
        if args[0] == "--format" {
            assert!(stdout.contains("blocking_sleep"), "{args:?}: {stdout}");
        }
        assert!(
            !marker.exists(),
            "{args:?} ran analysed code or a tool: {}",
            std::fs::read_to_string(&marker).unwrap_or_default()
        );
    }
    // The fix went in, so the crate was really analysed, not skipped.
    let fixed = std::fs::read_to_string(krate.join("src/lib.rs")).unwrap();
    assert!(fixed.contains("tokio::time::sleep(d).await"), "{fixed}");
}
