//! One call away: findings reported through function summaries and through
//! calls resolved by path (`Type::f`, `self.f()`, typed parameters), in one
//! file (fixtures under `tests/one_call_away/`, snapshots in its `snapshots/`, with `//~ rule` markers and an
//! insta snapshot each) and across the files of a crate.

mod common;

use std::path::{Path, PathBuf};

use asyncheck_lint::{Linter, Report};
use common::tree;

/// Each fixture, with the rules it is checked with.
const FIXTURES: &[(&str, &[&str])] = &[
    (
        "blocking_helpers",
        &[
            "blocking_sleep",
            "blocking_io",
            "nested_runtime",
            "tokio_blocking_method",
        ],
    ),
    ("returns_future", &["unawaited_future"]),
    ("cancel_safety", &["select_not_cancel_safe"]),
    ("spawn_wrappers", &["unbounded_spawn", "detached_task"]),
    (
        "globs_and_reexports",
        &["blocking_sleep", "blocking_io", "unawaited_future"],
    ),
];

fn check_fixture(name: &str, rules: &[&str]) -> (String, Report) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/one_call_away")
        .join(format!("{name}.rs"));
    let source = std::fs::read_to_string(&path).expect("fixture exists");
    let report = Linter::new()
        .select(rules)
        .expect("registry rules")
        .check_source(format!("one_call_away/{name}.rs"), &source);
    (source, report)
}

#[test]
fn findings_match_markers_in_every_fixture() {
    let mut failures = Vec::new();
    for (name, rules) in FIXTURES {
        let (source, report) = check_fixture(name, rules);
        let expected = common::markers::markers(&source);
        failures.extend(common::markers::mismatches(name, &expected, &report));
        assert!(
            expected.len() >= 10,
            "fixture `{name}` has only {} flagged cases",
            expected.len()
        );
    }
    assert!(
        failures.is_empty(),
        "fixture mismatches:\n{}",
        failures.join("\n")
    );
}

#[test]
fn fixture_snapshots() {
    for (name, rules) in FIXTURES {
        let (_, report) = check_fixture(name, rules);
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("one_call_away/snapshots");
        settings.bind(|| insta::assert_snapshot!(*name, report.render_human(false)));
    }
}

/// Checks the crate made of `files` (paths under `app/src/`) with `rules`.
fn check_crate(files: &[(&str, &str)], rules: &[&str]) -> (tempfile::TempDir, Report) {
    let files: Vec<(String, &str)> = files
        .iter()
        .map(|(path, text)| (format!("app/src/{path}"), *text))
        .collect();
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    let dir = tree(&files);
    let report = Linter::new()
        .select(rules)
        .expect("registry rules")
        .check_paths(&[PathBuf::from(dir.path())])
        .expect("the temp dir exists")
        .relative_to(dir.path());
    (dir, report)
}

const QUOTA: &str = r"
use std::time::Duration;

pub fn wait_for_quota() {
    std::thread::sleep(Duration::from_millis(50));
}
";

const RETRY: &str = r"
use crate::quota::wait_for_quota;

pub struct Retry;

impl Retry {
    pub fn backoff(&self) {
        wait_for_quota();
    }
}
";

const HANDLER: &str = r"
use crate::retry::Retry;

pub async fn handle(retry: &Retry) {
    retry.backoff();
}

pub async fn offload(retry: std::sync::Arc<Retry>) {
    tokio::task::spawn_blocking(move || retry.backoff()).await.unwrap();
}
";

#[test]
fn a_blocking_chain_across_files_is_reported_at_the_async_call_with_a_note_per_hop() {
    let lib = "pub mod handler;\npub mod quota;\npub mod retry;\n";
    let (_dir, report) = check_crate(
        &[
            ("lib.rs", lib),
            ("quota.rs", QUOTA),
            ("retry.rs", RETRY),
            ("handler.rs", HANDLER),
        ],
        &["blocking_sleep"],
    );
    let [finding] = report.findings() else {
        panic!(
            "expected one finding, at `retry.backoff()` in `handle`:\n{}",
            report.render_human(false)
        );
    };
    assert_eq!(finding.path, Path::new("app/src/handler.rs"));
    assert_eq!((finding.span.line, finding.span.column), (5, 11));
    assert_eq!(
        finding.message,
        "`Retry::backoff` blocks the executor: it calls `std::thread::sleep`"
    );
    let notes: Vec<(Option<&Path>, usize, &str)> = finding
        .notes
        .iter()
        .map(|n| (n.path.as_deref(), n.span.line, n.message.as_str()))
        .collect();
    assert_eq!(
        notes,
        [
            (
                Some(Path::new("app/src/retry.rs")),
                8,
                "`Retry::backoff` calls `wait_for_quota` here"
            ),
            (
                Some(Path::new("app/src/quota.rs")),
                5,
                "`wait_for_quota` calls `std::thread::sleep` here"
            ),
        ]
    );
    let human = report.render_human(false);
    assert!(
        human.contains(
            "note: `wait_for_quota` calls `std::thread::sleep` here at app/src/quota.rs:5:5"
        ),
        "the human format names each hop's file:\n{human}"
    );
    let json = report.render_json();
    assert!(json.contains("\"path\": \"app/src/quota.rs\""), "{json}");
    let sarif = report.render_sarif();
    assert!(sarif.contains("\"uri\": \"app/src/quota.rs\""), "{sarif}");
    let cargo = report.render_cargo_json();
    assert!(
        cargo.contains("\"file_name\":\"app/src/quota.rs\""),
        "{cargo}"
    );
}

#[test]
fn an_allow_on_the_helpers_blocking_line_silences_every_call_site() {
    let quota = QUOTA.replace(
        "from_millis(50));",
        "from_millis(50)); // asyncheck: allow(blocking_sleep) bounded, measured",
    );
    let lib = "pub mod handler;\npub mod quota;\npub mod retry;\n";
    let (_dir, report) = check_crate(
        &[
            ("lib.rs", lib),
            ("quota.rs", &quota),
            ("retry.rs", RETRY),
            ("handler.rs", HANDLER),
        ],
        &["blocking_sleep"],
    );
    assert!(
        report.findings().is_empty(),
        "{}",
        report.render_human(false)
    );
}

#[test]
fn a_blocking_helper_is_reported_only_by_its_rule_when_that_rule_is_selected() {
    let lib = "pub mod handler;\npub mod quota;\npub mod retry;\n";
    let (_dir, report) = check_crate(
        &[
            ("lib.rs", lib),
            ("quota.rs", QUOTA),
            ("retry.rs", RETRY),
            ("handler.rs", HANDLER),
        ],
        &["blocking_io", "nested_runtime"],
    );
    assert!(
        report.findings().is_empty(),
        "{}",
        report.render_human(false)
    );
}

#[test]
fn a_future_returning_fn_or_trait_method_in_another_file_is_unawaited_when_dropped() {
    let types = r"
pub type Job = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

pub trait Store {
    fn load(&self) -> Job;
}
";
    let disk = r"
use crate::types::{Job, Store};

pub struct Disk;

impl Store for Disk {
    fn load(&self) -> Job {
        Box::pin(async {})
    }
}

pub fn schedule() -> Job {
    Box::pin(async {})
}

pub fn count() -> usize {
    0
}
";
    let main = r"
use crate::disk::{count, schedule, Disk};
use crate::types::Store;

pub async fn run(disk: &Disk, store: &dyn Store) {
    schedule();
    store.load();
    disk.load();
    count();
    schedule().await;
}
";
    let lib = "pub mod disk;\npub mod run;\npub mod types;\n";
    let (_dir, report) = check_crate(
        &[
            ("lib.rs", lib),
            ("types.rs", types),
            ("disk.rs", disk),
            ("run.rs", main),
        ],
        &["unawaited_future"],
    );
    let found: Vec<(String, usize)> = report
        .findings()
        .iter()
        .map(|f| (f.path.display().to_string(), f.span.line))
        .collect();
    assert_eq!(
        found,
        [
            ("app/src/run.rs".to_owned(), 6),
            ("app/src/run.rs".to_owned(), 7),
            ("app/src/run.rs".to_owned(), 8),
        ],
        "`schedule`, `Store::load` and `Disk::load` return a `Job` future (an alias in \
         another file); `count` does not:\n{}",
        report.render_human(false)
    );
}

#[test]
fn a_method_on_a_receiver_of_unknown_type_is_not_matched_by_name() {
    let client = r"
pub struct Client;

impl Client {
    pub async fn status(&self) -> u8 {
        0
    }
}
";
    let main = r"
pub async fn run(items: Vec<u8>) {
    let mut cmd = std::process::Command::new(String::from_utf8_lossy(&items).as_ref());
    cmd.status();
    items.iter().count();
}
";
    let lib = "pub mod client;\npub mod run;\n";
    let (_dir, report) = check_crate(
        &[("lib.rs", lib), ("client.rs", client), ("run.rs", main)],
        &["unawaited_future"],
    );
    assert!(
        report.findings().is_empty(),
        "`Command::status` is not the crate's `async fn status`:\n{}",
        report.render_human(false)
    );
}

#[test]
fn a_select_branch_calling_another_files_fn_that_is_not_cancel_safe_is_flagged() {
    let conn = r"
use tokio::io::AsyncReadExt;

pub async fn read_frame(socket: &mut tokio::net::TcpStream, header: &mut [u8; 4]) -> std::io::Result<()> {
    socket.read_exact(header).await?;
    Ok(())
}

pub async fn read_some(socket: &mut tokio::net::TcpStream, buf: &mut [u8]) -> std::io::Result<usize> {
    socket.read(buf).await
}
";
    let server = r"
use crate::conn::{read_frame, read_some};

pub async fn serve(mut socket: tokio::net::TcpStream, mut ticks: tokio::time::Interval) {
    let mut header = [0; 4];
    loop {
        tokio::select! {
            r = read_frame(&mut socket, &mut header) => { let _ = r; }
            _ = ticks.tick() => {}
        }
        tokio::select! {
            r = read_some(&mut socket, &mut header) => { let _ = r; }
            _ = ticks.tick() => {}
        }
    }
}
";
    let lib = "pub mod conn;\npub mod server;\n";
    let (_dir, report) = check_crate(
        &[("lib.rs", lib), ("conn.rs", conn), ("server.rs", server)],
        &["select_not_cancel_safe"],
    );
    let [finding] = report.findings() else {
        panic!(
            "expected one finding, at the `read_frame` branch:\n{}",
            report.render_human(false)
        );
    };
    assert_eq!(finding.path, Path::new("app/src/server.rs"));
    assert_eq!(finding.span.line, 8);
    assert!(
        finding.message.starts_with("`read_frame(..)` is not cancel-safe in a looping `select!`: it awaits `.read_exact(..)`"),
        "{}",
        finding.message
    );
    let notes: Vec<(Option<&Path>, usize)> = finding
        .notes
        .iter()
        .map(|n| (n.path.as_deref(), n.span.line))
        .collect();
    assert_eq!(notes, [(Some(Path::new("app/src/conn.rs")), 5)]);
}

#[test]
fn another_files_spawn_wrapper_called_per_item_or_with_its_handle_dropped_is_flagged() {
    let tasks = r"
pub fn spawn_named<F>(name: &str, fut: F) -> tokio::task::JoinHandle<()>
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let _ = name;
    tokio::spawn(fut)
}

pub fn spawn_worker(id: u32) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let _ = id;
    })
}
";
    let server = r#"
use crate::tasks::{spawn_named, spawn_worker};

async fn handle(job: u32) {
    let _ = job;
}

pub async fn serve(mut rx: tokio::sync::mpsc::Receiver<u32>) {
    while let Some(job) = rx.recv().await {
        let _ = spawn_named("job", handle(job));
    }
    while let Some(job) = rx.recv().await {
        let _ = spawn_worker(job);
    }
}
"#;
    let lib = "pub mod server;\npub mod tasks;\n";
    let (_dir, report) = check_crate(
        &[("lib.rs", lib), ("tasks.rs", tasks), ("server.rs", server)],
        &["unbounded_spawn", "detached_task"],
    );
    let found: Vec<(&str, String, usize)> = report
        .findings()
        .iter()
        .map(|f| (f.rule, f.path.display().to_string(), f.span.line))
        .collect();
    assert_eq!(
        found,
        [
            ("detached_task", "app/src/server.rs".to_owned(), 10),
            ("unbounded_spawn", "app/src/server.rs".to_owned(), 10),
        ],
        "`spawn_named` spawns the future it is given; `spawn_worker` spawns its own:\n{}",
        report.render_human(false)
    );
}

const ARCHIVE: &str = r"
pub fn parse(path: &str) -> usize {
    path.len()
}

pub fn load(path: &str) -> usize {
    tokio::task::block_in_place(|| parse(path))
}
";

const IMPORTER: &str = r#"
use crate::archive;

pub async fn import_all() -> usize {
    archive::load("a.tar") + archive::load("b.tar")
}
"#;

const IMPORTER_TESTS: &str = r#"
use crate::importer::import_all;

#[tokio::test]
async fn imports_on_the_default_runtime() {
    assert_eq!(import_all().await, 10);
}

#[tokio::test(flavor = "multi_thread")]
async fn imports_on_a_multi_thread_runtime() {
    assert_eq!(import_all().await, 10);
}
"#;

#[test]
fn block_in_place_through_helpers_in_other_files_is_reported_in_current_thread_tests_only() {
    let lib = "pub mod archive;\npub mod importer;\n#[cfg(test)]\nmod importer_tests;\n";
    let (_dir, report) = check_crate(
        &[
            ("lib.rs", lib),
            ("archive.rs", ARCHIVE),
            ("importer.rs", IMPORTER),
            ("importer_tests.rs", IMPORTER_TESTS),
        ],
        &["block_in_place_current_thread"],
    );
    let [finding] = report.findings() else {
        panic!(
            "expected one finding, at `import_all()` in the current-thread test:\n{}",
            report.render_human(false)
        );
    };
    assert_eq!(finding.path, Path::new("app/src/importer_tests.rs"));
    assert_eq!((finding.span.line, finding.span.column), (6, 16));
    assert_eq!(
        finding.message,
        "`import_all` calls `tokio::task::block_in_place`, which panics on a current-thread runtime"
    );
    let notes: Vec<(Option<&Path>, usize, &str)> = finding
        .notes
        .iter()
        .map(|n| (n.path.as_deref(), n.span.line, n.message.as_str()))
        .collect();
    assert_eq!(
        notes,
        [
            (
                None,
                4,
                "`#[tokio::test]` runs this function on a current-thread runtime (add `flavor = \"multi_thread\"`)"
            ),
            (
                Some(Path::new("app/src/importer.rs")),
                5,
                "`import_all` calls `load` here"
            ),
            (
                Some(Path::new("app/src/archive.rs")),
                7,
                "`load` calls `tokio::task::block_in_place` here"
            ),
        ]
    );
}

#[test]
fn names_from_another_files_glob_import_and_pub_use_reexports_are_resolved() {
    let lib = "pub mod handlers;\npub mod net;\npub mod timer;\npub mod util;\npub mod workers;\npub use net::*;\npub use util::Throttle;\n";
    let util = r"
pub fn nap() {
    std::thread::sleep(std::time::Duration::from_millis(5));
}

pub struct Throttle;

impl Throttle {
    pub fn wait(&self) {
        nap();
    }
}
";
    let timer = "pub async fn sleep(_for: std::time::Duration) {}\n";
    let net = "mod inner;\npub use inner::Store;\npub use inner::*;\n";
    let inner = r#"
pub fn fetch_blocking() -> Vec<u8> {
    std::fs::read("/var/cache/app").unwrap_or_default()
}

pub struct Store;

impl Store {
    pub fn flush_sync(&self) {
        std::fs::write("/var/lib/app", b"").ok();
    }
}
"#;
    let handlers = r"
use crate::timer::*;
use crate::util::*;

pub async fn handle(store: &crate::net::Store) {
    nap();
    store.flush_sync();
    crate::fetch_blocking();
    sleep(std::time::Duration::from_millis(1)).await;
}

pub fn sync_caller() {
    nap();
}
";
    let workers = r"
use super::*;

pub async fn work(throttle: &Throttle) {
    throttle.wait();
}
";
    let (_dir, report) = check_crate(
        &[
            ("lib.rs", lib),
            ("workers.rs", workers),
            ("util.rs", util),
            ("timer.rs", timer),
            ("net.rs", net),
            ("net/inner.rs", inner),
            ("handlers.rs", handlers),
        ],
        &["blocking_sleep", "blocking_io"],
    );
    let found: Vec<(String, &str, usize, &str)> = report
        .findings()
        .iter()
        .map(|f| {
            let file = f.path.display().to_string();
            (file, f.rule, f.span.line, f.message.as_str())
        })
        .collect();
    let at = |file: &str, rule, line, message| (format!("app/src/{file}"), rule, line, message);
    assert_eq!(
        found,
        [
            at(
                "handlers.rs",
                "blocking_sleep",
                6,
                "`nap` blocks the executor: it calls `std::thread::sleep`"
            ),
            at(
                "handlers.rs",
                "blocking_io",
                7,
                "`Store::flush_sync` blocks the executor: it calls `std::fs::write`"
            ),
            at(
                "handlers.rs",
                "blocking_io",
                8,
                "`crate::fetch_blocking` blocks the executor: it calls `std::fs::read`"
            ),
            at(
                "workers.rs",
                "blocking_sleep",
                5,
                "`Throttle::wait` blocks the executor: it calls `std::thread::sleep`"
            ),
        ],
        "`nap` through one of two globs (the other, `timer`'s, brings an async `sleep`), \
         `net`'s re-exported type, the root's glob re-export of `net`'s glob re-export, \
         a type the crate root re-exports, through `use super::*`:\n{}",
        report.render_human(false)
    );
}

#[test]
fn a_join_set_spawn_wrapper_called_per_item_is_an_unbounded_spawn() {
    let tasks = r"
use std::future::Future;
use tokio::task::JoinSet;

pub fn add_to<F>(set: &mut JoinSet<()>, fut: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    set.spawn(fut);
}

pub fn add_on(set: &mut JoinSet<()>, fut: impl Future<Output = ()> + Send + 'static) {
    set.spawn_on(fut, &tokio::runtime::Handle::current());
}

pub struct Pool;

impl Pool {
    pub fn spawn(&mut self, fut: impl Future<Output = ()> + Send + 'static) {
        drop(fut);
    }
}

pub fn add_to_pool(pool: &mut Pool, fut: impl Future<Output = ()> + Send + 'static) {
    pool.spawn(fut);
}

pub fn add_to_unknown<S: Sink>(set: &mut S, fut: impl Future<Output = ()> + Send + 'static) {
    set.spawn(fut);
}

pub trait Sink {
    fn spawn(&mut self, fut: impl Future<Output = ()> + Send + 'static);
}
";
    let server = r"
use crate::tasks::{add_on, add_to, add_to_pool, add_to_unknown, Pool, Sink};
use tokio::task::JoinSet;

async fn handle(job: u32) {
    let _ = job;
}

pub async fn serve(mut rx: tokio::sync::mpsc::Receiver<u32>, sink: &mut impl Sink) {
    let mut set = JoinSet::new();
    let mut pool = Pool;
    while let Some(job) = rx.recv().await {
        add_to(&mut set, handle(job));
    }
    while let Some(job) = rx.recv().await {
        add_on(&mut set, handle(job));
    }
    while let Some(job) = rx.recv().await {
        add_to(&mut set, handle(job));
        if set.len() > 64 {
            set.join_next().await;
        }
    }
    while let Some(job) = rx.recv().await {
        add_to_pool(&mut pool, handle(job));
    }
    while let Some(job) = rx.recv().await {
        add_to_unknown(sink, handle(job));
    }
}
";
    let lib = "pub mod server;\npub mod tasks;\n";
    let (_dir, report) = check_crate(
        &[("lib.rs", lib), ("tasks.rs", tasks), ("server.rs", server)],
        &["unbounded_spawn", "detached_task"],
    );
    let found: Vec<(&str, usize)> = report
        .findings()
        .iter()
        .map(|f| (f.rule, f.span.line))
        .collect();
    assert_eq!(
        found,
        [("unbounded_spawn", 13), ("unbounded_spawn", 16)],
        "`add_to` and `add_on` spawn into a `JoinSet`, and nothing drains it in the first two \
         loops; `Pool::spawn` and a `Sink`'s `spawn` are not a `JoinSet`'s:\n{}",
        report.render_human(false)
    );
}
