//! `--fix` and `--diff`: what is rewritten, what is not, and the guarantees around writing.

use std::path::{Path, PathBuf};

use asyncheck_lint::{FixError, Linter};

mod common;
use common::{Run, run, tree};

const BEFORE: &str = r"use std::time::Duration;

mod store {
    pub async fn save(id: u32) {}
}

/// Comments and odd formatting around the fixes stay as they are.
pub async fn tick(d: Duration) {
    // before
    std::thread::sleep( d ); // trailing comment
    let   x = 1 ;   /* block */
    store::save(x);
    tokio::time::sleep(d);
}

pub async fn not_fixed(d: Duration) {
    let _ = std::thread::sleep(d);
    let f = async move { std::thread::sleep(d); };
    let c = async move || { std::thread::sleep(d); };
    tokio::select! { _ = ready() => { std::thread::sleep(d); } }
    std::thread::sleep(d)
}

pub fn sync_code(d: Duration) {
    std::thread::sleep(d);
    store::save(1);
}
";

const AFTER: &str = r"use std::time::Duration;

mod store {
    pub async fn save(id: u32) {}
}

/// Comments and odd formatting around the fixes stay as they are.
pub async fn tick(d: Duration) {
    // before
    tokio::time::sleep( d ).await; // trailing comment
    let   x = 1 ;   /* block */
    store::save(x).await;
    tokio::time::sleep(d).await;
}

pub async fn not_fixed(d: Duration) {
    let _ = std::thread::sleep(d);
    let f = async move { tokio::time::sleep(d).await; };
    let c = async move || { std::thread::sleep(d); };
    tokio::select! { _ = ready() => { std::thread::sleep(d); } }
    std::thread::sleep(d)
}

pub fn sync_code(d: Duration) {
    std::thread::sleep(d);
    store::save(1);
}
";

fn project(source: &str) -> tempfile::TempDir {
    tree(&[("src/lib.rs", source)])
}

fn read(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("src/lib.rs")).unwrap()
}

#[test]
fn diff_prints_the_fixes_and_writes_nothing() {
    let dir = project(BEFORE);
    let Run { code, stdout, .. } = run(dir.path(), &["--diff"]);
    assert_eq!(code, 1, "there are fixes to make");
    assert_eq!(read(dir.path()), BEFORE, "--diff must not write");
    let expected = "--- a/src/lib.rs
+++ b/src/lib.rs
@@ -7,15 +7,15 @@
 /// Comments and odd formatting around the fixes stay as they are.
 pub async fn tick(d: Duration) {
     // before
-    std::thread::sleep( d ); // trailing comment
+    tokio::time::sleep( d ).await; // trailing comment
     let   x = 1 ;   /* block */
-    store::save(x);
-    tokio::time::sleep(d);
+    store::save(x).await;
+    tokio::time::sleep(d).await;
 }
 
 pub async fn not_fixed(d: Duration) {
     let _ = std::thread::sleep(d);
-    let f = async move { std::thread::sleep(d); };
+    let f = async move { tokio::time::sleep(d).await; };
     let c = async move || { std::thread::sleep(d); };
     tokio::select! { _ = ready() => { std::thread::sleep(d); } }
     std::thread::sleep(d)
";
    assert_eq!(stdout, expected);
}

#[test]
fn fix_rewrites_only_the_safe_cases_keeps_the_rest_parses_and_is_idempotent() {
    let dir = project(BEFORE);
    let Run {
        code,
        stdout,
        stderr,
    } = run(dir.path(), &["--fix", "--format", "short"]);
    assert_eq!(stderr, "fixed 4 findings in 1 file\n");
    assert_eq!(read(dir.path()), AFTER, "exactly the fixable calls changed");
    syn::parse_file(&read(dir.path())).expect("the fixed file parses");
    // What could not be fixed is still reported, and still fails the run.
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "src/lib.rs:17:13: blocking_sleep: blocking `std::thread::sleep` in async context\n\
         src/lib.rs:18:13: unawaited_future: `async` block is bound to `f` and never awaited\n\
         src/lib.rs:19:29: blocking_sleep: blocking `std::thread::sleep` in async context\n\
         src/lib.rs:20:39: blocking_sleep: blocking `std::thread::sleep` in async context\n\
         src/lib.rs:21:5: blocking_sleep: blocking `std::thread::sleep` in async context\n\
         src/lib.rs:26:5: unawaited_future: future returned by `store::save` is dropped without being awaited\n"
    );

    let Run { stderr, .. } = run(dir.path(), &["--fix", "--format", "short"]);
    assert_eq!(stderr, "fixed 0 findings in 0 files\n");
    assert_eq!(read(dir.path()), AFTER, "a second --fix changes nothing");
    let Run { code, stdout, .. } = run(dir.path(), &["--diff"]);
    assert_eq!((code, stdout.as_str()), (0, ""));
}

#[cfg(unix)]
#[test]
fn files_are_replaced_atomically_with_their_permissions() {
    use std::io::Read;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    let dir = project(BEFORE);
    let path = dir.path().join("src/lib.rs");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let inode = std::fs::metadata(&path).unwrap().ino();
    // A reader that opened the file before the fix keeps seeing the whole old
    // file: the new contents arrive by rename, never by rewriting in place.
    let mut reader = std::fs::File::open(&path).unwrap();

    run(dir.path(), &["--fix"]);

    let mut old = String::new();
    reader.read_to_string(&mut old).unwrap();
    assert_eq!(old, BEFORE);
    assert_eq!(read(dir.path()), AFTER);
    let metadata = std::fs::metadata(&path).unwrap();
    assert_ne!(
        metadata.ino(),
        inode,
        "the file was replaced, not rewritten"
    );
    assert_eq!(metadata.permissions().mode() & 0o777, 0o640);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("src"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "lib.rs")
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[cfg(unix)]
#[test]
fn a_symlink_to_a_file_outside_the_paths_is_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside/lib.rs");
    std::fs::create_dir_all(outside.parent().unwrap()).unwrap();
    std::fs::write(&outside, BEFORE).unwrap();
    std::fs::create_dir_all(dir.path().join("app/src")).unwrap();
    let link = dir.path().join("app/src/lib.rs");
    std::os::unix::fs::symlink(&outside, &link).unwrap();

    // Named explicitly, the link is checked (through the link) but not fixed;
    // a file next to it still is, and the link's finding is still reported.
    std::fs::write(dir.path().join("app/src/other.rs"), BEFORE).unwrap();
    let Run {
        code,
        stdout,
        stderr,
    } = run(
        &dir.path().join("app"),
        &["--fix", "--format", "short", "src/lib.rs", "src/other.rs"],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stderr,
        "warning: not fixing `src/lib.rs`: it is not a regular file\n\
         fixed 4 findings in 1 file\n"
    );
    let lines_of = |file: &str| stdout.lines().filter(|l| l.starts_with(file)).count();
    assert!(
        lines_of("src/lib.rs:") > lines_of("src/other.rs:"),
        "the link keeps its findings, the fixed file loses some:\n{stdout}"
    );
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), BEFORE);
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    assert_ne!(
        std::fs::read_to_string(dir.path().join("app/src/other.rs")).unwrap(),
        BEFORE
    );
}

#[test]
fn writes_are_refused_outside_the_roots_and_after_a_concurrent_change() {
    let dir = project(BEFORE);
    let file = dir.path().join("src/lib.rs");
    let report = Linter::new()
        .check_paths(std::slice::from_ref(&file))
        .unwrap();
    let fixes = report.fixes().unwrap();
    assert_eq!(fixes.len(), 1);

    let elsewhere = tempfile::tempdir().unwrap();
    let err = fixes[0]
        .write(&[elsewhere.path().to_path_buf()])
        .unwrap_err();
    assert!(matches!(err, FixError::OutsideRoots(_)), "{err}");
    assert_eq!(read(dir.path()), BEFORE);

    let edited = format!("{BEFORE}// edited meanwhile\n");
    std::fs::write(&file, &edited).unwrap();
    let roots: Vec<PathBuf> = vec![dir.path().to_path_buf()];
    let err = fixes[0].write(&roots).unwrap_err();
    assert!(matches!(err, FixError::ChangedSinceChecked(_)), "{err}");
    assert_eq!(read(dir.path()), edited, "the newer contents are kept");
}
