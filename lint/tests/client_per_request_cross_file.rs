//! `client_per_request` across files: a loop in one file calling an `async fn`
//! that builds a `reqwest::Client` in another, checked together as one run.

mod common;

use std::path::PathBuf;

use asyncheck_lint::{Linter, Report};
use common::tree;

const NET: &str = r"
pub async fn fetch(url: &str) -> reqwest::Result<String> {
    let client = reqwest::Client::new();
    client.get(url).send().await?.text().await
}

pub async fn fetch_with(client: &reqwest::Client, url: &str) -> reqwest::Result<String> {
    client.get(url).send().await?.text().await
}
";

const API: &str = r#"
pub struct Api;

impl Api {
    pub async fn load_user(&self, id: u64) -> reqwest::Result<String> {
        let client = reqwest::ClientBuilder::new().user_agent("app").build()?;
        client.get(format!("https://api/{id}")).send().await?.text().await
    }
}
"#;

const JOBS: &str = r"
use crate::api::Api;
use crate::net::{fetch, fetch_with as fetch_shared};

pub async fn crawl(urls: Vec<String>) {
    for url in &urls {
        let _ = fetch(url).await;
    }
    let client = reqwest::Client::new();
    for url in &urls {
        let _ = fetch_shared(&client, url).await;
    }
    let _ = fetch(&urls[0]).await;
}

pub async fn users(api: &Api, mut ids: tokio::sync::mpsc::Receiver<u64>) {
    while let Some(id) = ids.recv().await {
        let _ = api.load_user(id).await;
    }
}
";

/// Checks the crate made of `files` (paths under `app/src/`) with only `client_per_request`.
fn check(files: &[(&str, &str)]) -> (Report, Vec<(String, usize, String)>) {
    let files: Vec<(String, &str)> = files
        .iter()
        .map(|(path, text)| (format!("app/src/{path}"), *text))
        .collect();
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    let dir = tree(&files);
    let report = Linter::new()
        .select(&["client_per_request"])
        .expect("registry rule")
        .check_paths(&[PathBuf::from(dir.path())])
        .expect("the temp dir exists")
        .relative_to(dir.path());
    let found = report
        .findings()
        .iter()
        .map(|f| {
            let path = f.path.to_string_lossy().replace('\\', "/");
            (path, f.span.line, f.message.clone())
        })
        .collect();
    (report, found)
}

#[test]
fn a_loop_calling_another_files_client_building_fn_is_flagged_at_the_call() {
    let lib = "pub mod api;\npub mod jobs;\npub mod net;\n";
    let (report, found) = check(&[
        ("lib.rs", lib),
        ("net.rs", NET),
        ("api.rs", API),
        ("jobs.rs", JOBS),
    ]);
    let lines: Vec<(&str, usize)> = found.iter().map(|(p, l, _)| (p.as_str(), *l)).collect();
    assert_eq!(
        lines,
        [("app/src/jobs.rs", 7), ("app/src/jobs.rs", 18)],
        "expected the `fetch` call in the `for` and the `load_user` call in the \
         `while let` (not the call with a shared client, nor the one outside the loop); got:\n{}",
        report.render_human(false)
    );
    assert!(
        found[0]
            .2
            .starts_with("async fn `net::fetch` builds a new `reqwest::Client`"),
        "the message names the function where the client is built: {}",
        found[0].2
    );
    assert!(
        found[1].2.starts_with("async method `load_user` builds"),
        "{}",
        found[1].2
    );
}

#[test]
fn a_same_named_method_of_another_type_does_not_hide_the_one_that_builds_a_client() {
    let cache = r"
pub struct Cache;

impl Cache {
    pub async fn load_user(&self, _id: u64) -> reqwest::Result<String> {
        Ok(String::new())
    }
}
";
    let lib = "pub mod api;\npub mod cache;\npub mod jobs;\npub mod net;\n";
    let (report, found) = check(&[
        ("lib.rs", lib),
        ("net.rs", NET),
        ("api.rs", API),
        ("cache.rs", cache),
        ("jobs.rs", JOBS),
    ]);
    let lines: Vec<usize> = found.iter().map(|(_, l, _)| *l).collect();
    assert_eq!(
        lines,
        [7, 18],
        "`api: &Api` resolves `api.load_user(id)` to `Api::load_user`, so `Cache::load_user` \
         (which builds no client) does not matter; got:\n{}",
        report.render_human(false)
    );
}

#[test]
fn a_same_named_fn_in_another_module_is_not_confused_with_the_builder() {
    let jobs = r"
use crate::cached::fetch;

pub async fn crawl(urls: Vec<String>) {
    for url in &urls {
        let _ = fetch(url).await;
    }
}
";
    let cached = r"
static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();

pub async fn fetch(url: &str) -> reqwest::Result<String> {
    let client = CLIENT.get_or_init(reqwest::Client::new);
    client.get(url).send().await?.text().await
}
";
    let lib = "pub mod cached;\npub mod jobs;\npub mod net;\n";
    let (report, found) = check(&[
        ("lib.rs", lib),
        ("net.rs", NET),
        ("cached.rs", cached),
        ("jobs.rs", jobs),
    ]);
    assert!(
        found.is_empty(),
        "`cached::fetch` shares one client; only `net::fetch` builds one per call:\n{}",
        report.render_human(false)
    );
}
