//! Protocol tests of `cargo asyncheck server`: a client over an in-memory connection drives the server through every request and notification it handles.

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use asyncheck_lint::server;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    ClientCapabilities, CodeActionContext, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    Diagnostic, DiagnosticSeverity, DidChangeTextDocumentParams,
    DidChangeWatchedFilesClientCapabilities, DidChangeWatchedFilesParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    FileChangeType, FileEvent, GeneralClientCapabilities, HoverContents, HoverParams,
    InitializeParams, InitializeResult, MessageType, NumberOrString, Position,
    PositionEncodingKind, PublishDiagnosticsParams, Range, ShowMessageParams,
    TextDocumentContentChangeEvent, TextDocumentIdentifier, TextDocumentItem,
    TextDocumentPositionParams, TextEdit, Url, VersionedTextDocumentIdentifier,
    WindowClientCapabilities, WorkspaceClientCapabilities, WorkspaceFolder,
};
use serde_json::{Value, json};

/// How long any one expected message may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(20);

/// A test client: the server runs on its own thread over an in-memory connection.
struct Client {
    connection: Connection,
    server: Option<JoinHandle<Result<(), asyncheck_lint::Error>>>,
    next_id: i32,
    /// Every notification and request received from the server, in order.
    received: Vec<Message>,
    initialized: InitializeResult,
}

#[derive(Default)]
struct Setup {
    root: Option<PathBuf>,
    utf8: bool,
    progress: bool,
    watch: bool,
    debounce_ms: Option<u64>,
}

impl Client {
    #[allow(deprecated, reason = "`root_uri` as older clients send it")]
    fn start(setup: Setup) -> Client {
        let (server_end, client_end) = Connection::memory();
        let server = std::thread::spawn(move || server::run(&server_end));
        let capabilities = ClientCapabilities {
            general: setup.utf8.then(|| GeneralClientCapabilities {
                position_encodings: Some(vec![
                    PositionEncodingKind::UTF8,
                    PositionEncodingKind::UTF16,
                ]),
                ..GeneralClientCapabilities::default()
            }),
            window: Some(WindowClientCapabilities {
                work_done_progress: Some(setup.progress),
                ..WindowClientCapabilities::default()
            }),
            workspace: Some(WorkspaceClientCapabilities {
                did_change_watched_files: Some(DidChangeWatchedFilesClientCapabilities {
                    dynamic_registration: Some(setup.watch),
                    relative_pattern_support: None,
                }),
                ..WorkspaceClientCapabilities::default()
            }),
            ..ClientCapabilities::default()
        };
        let root_uri = setup.root.map(|root| uri(&root));
        let params = InitializeParams {
            capabilities,
            root_uri: root_uri.clone(),
            workspace_folders: root_uri.map(|uri| {
                vec![WorkspaceFolder {
                    uri,
                    name: "root".to_owned(),
                }]
            }),
            initialization_options: Some(json!({ "debounceMs": setup.debounce_ms.unwrap_or(0) })),
            ..InitializeParams::default()
        };
        let mut client = Client {
            connection: client_end,
            server: Some(server),
            next_id: 0,
            received: Vec::new(),
            initialized: InitializeResult::default(),
        };
        let response = client.request("initialize", params);
        client.initialized = serde_json::from_value(response.result.expect("initialize result"))
            .expect("an `InitializeResult`");
        client.notify("initialized", json!({}));
        client
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        self.connection
            .sender
            .send(Notification::new(method.to_owned(), params).into())
            .expect("the server is listening");
    }

    fn request(&mut self, method: &str, params: impl serde::Serialize) -> Response {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.connection
            .sender
            .send(Request::new(id.clone(), method.to_owned(), params).into())
            .expect("the server is listening");
        loop {
            match self.next_message(&format!("the response to `{method}`")) {
                Message::Response(response) if response.id == id => return response,
                _ => {}
            }
        }
    }

    /// The next message from the server; answers the server's requests with an empty result.
    fn next_message(&mut self, waiting_for: &str) -> Message {
        let message = self
            .connection
            .receiver
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|_| {
                panic!(
                    "no message from the server in {PATIENCE:?} while waiting for {waiting_for}; received so far: {:#?}",
                    self.received
                )
            });
        if let Message::Request(request) = &message {
            self.connection
                .sender
                .send(Response::new_ok(request.id.clone(), Value::Null).into())
                .unwrap();
        }
        if !matches!(message, Message::Response(_)) {
            self.received.push(message.clone());
        }
        message
    }

    /// Waits for a notification `method` whose params satisfy `accept`.
    fn wait_for<T: serde::de::DeserializeOwned>(
        &mut self,
        method: &str,
        accept: impl Fn(&T) -> bool,
    ) -> T {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if let Message::Notification(n) = self.next_message(method) {
                if n.method == method {
                    let params: T = serde_json::from_value(n.params).unwrap();
                    if accept(&params) {
                        return params;
                    }
                }
            }
        }
        panic!("no matching `{method}` in {PATIENCE:?}");
    }

    /// The diagnostics of the next publication for `file`.
    fn diagnostics(&mut self, file: &Url) -> PublishDiagnosticsParams {
        self.wait_for(
            "textDocument/publishDiagnostics",
            |p: &PublishDiagnosticsParams| p.uri == *file,
        )
    }

    fn open(&mut self, file: &Url, text: &str) -> PublishDiagnosticsParams {
        self.notify(
            "textDocument/didOpen",
            DidOpenTextDocumentParams {
                text_document: TextDocumentItem::new(
                    file.clone(),
                    "rust".to_owned(),
                    1,
                    text.to_owned(),
                ),
            },
        );
        self.diagnostics(file)
    }

    fn change(&mut self, file: &Url, version: i32, text: &str) -> PublishDiagnosticsParams {
        self.notify(
            "textDocument/didChange",
            DidChangeTextDocumentParams {
                text_document: VersionedTextDocumentIdentifier::new(file.clone(), version),
                content_changes: vec![TextDocumentContentChangeEvent {
                    range: None,
                    range_length: None,
                    text: text.to_owned(),
                }],
            },
        );
        self.wait_for(
            "textDocument/publishDiagnostics",
            |p: &PublishDiagnosticsParams| p.uri == *file && p.version == Some(version),
        )
    }

    fn code_actions(
        &mut self,
        file: &Url,
        range: Range,
        only: Option<Vec<CodeActionKind>>,
    ) -> Vec<lsp_types::CodeAction> {
        let response = self.request(
            "textDocument/codeAction",
            CodeActionParams {
                text_document: TextDocumentIdentifier::new(file.clone()),
                range,
                context: CodeActionContext {
                    diagnostics: Vec::new(),
                    only,
                    trigger_kind: None,
                },
                work_done_progress_params: lsp_types::WorkDoneProgressParams::default(),
                partial_result_params: lsp_types::PartialResultParams::default(),
            },
        );
        let actions: Vec<CodeActionOrCommand> =
            serde_json::from_value(response.result.expect("a code action result")).unwrap();
        actions
            .into_iter()
            .map(|a| match a {
                CodeActionOrCommand::CodeAction(action) => action,
                CodeActionOrCommand::Command(c) => panic!("a bare command: {c:?}"),
            })
            .collect()
    }

    /// Sends `shutdown` and `exit`, and returns what the server's run returned.
    fn shut_down(mut self) -> Result<(), asyncheck_lint::Error> {
        let response = self.request("shutdown", Value::Null);
        assert!(response.error.is_none(), "{response:?}");
        self.notify("exit", Value::Null);
        self.server
            .take()
            .unwrap()
            .join()
            .expect("the server thread panicked")
    }
}

fn uri(path: &Path) -> Url {
    Url::from_file_path(path).expect("an absolute path")
}

/// The text `edits` make of `text` (positions in UTF-16 columns, edits not overlapping).
fn apply(text: &str, edits: &[TextEdit]) -> String {
    let index = asyncheck_lint::LineIndex::new(text);
    let offset = |p: Position| {
        index
            .offset(
                p.line as usize + 1,
                p.character as usize + 1,
                asyncheck_lint::ColumnKind::Utf16,
            )
            .unwrap_or_else(|| panic!("{p:?} is not in the text"))
    };
    let mut edits: Vec<_> = edits
        .iter()
        .map(|e| (offset(e.range.start), offset(e.range.end), &e.new_text))
        .collect();
    edits.sort();
    let mut out = text.to_owned();
    for (start, end, new_text) in edits.into_iter().rev() {
        out.replace_range(start..end, new_text);
    }
    out
}

fn edits_of(action: &lsp_types::CodeAction, file: &Url) -> Vec<TextEdit> {
    action.edit.as_ref().unwrap().changes.as_ref().unwrap()[file].clone()
}

fn rules_of(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| match &d.code {
            Some(NumberOrString::String(code)) => code.clone(),
            other => panic!("diagnostic without a rule code: {other:?}"),
        })
        .collect()
}

/// A scratch crate: `Cargo.toml` and the given files under its directory.
fn scratch(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"scratch\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const SLEEPY: &str =
    "async fn tick(d: std::time::Duration) {\n    let _clef = \"𝄞\"; std::thread::sleep(d);\n}\n";

#[test]
fn initialize_offers_sync_code_actions_and_hover_in_utf16_unless_utf8_is_offered() {
    let client = Client::start(Setup::default());
    let caps = &client.initialized.capabilities;
    assert_eq!(caps.position_encoding, Some(PositionEncodingKind::UTF16));
    assert!(caps.hover_provider.is_some(), "{caps:?}");
    let actions = serde_json::to_value(&caps.code_action_provider).unwrap();
    assert_eq!(
        actions["codeActionKinds"],
        json!(["quickfix", "source.fixAll.asyncheck"])
    );
    assert_eq!(
        serde_json::to_value(&caps.text_document_sync).unwrap()["change"],
        json!(1),
        "full sync"
    );
    client.shut_down().unwrap();
    let client = Client::start(Setup {
        utf8: true,
        ..Setup::default()
    });
    assert_eq!(
        client.initialized.capabilities.position_encoding,
        Some(PositionEncodingKind::UTF8)
    );
    client.shut_down().unwrap();
}

#[test]
fn an_unsaved_buffer_gets_diagnostics_with_utf16_columns_severity_code_and_docs_link() {
    let dir = scratch(&[]);
    let file = uri(&dir.path().join("src/never_saved.rs"));
    let mut client = Client::start(Setup::default());
    let published = client.open(&file, SLEEPY);
    assert_eq!(published.version, Some(1));
    let [diagnostic] = published.diagnostics.as_slice() else {
        panic!("one diagnostic expected: {:#?}", published.diagnostics)
    };
    // 21 chars precede `std` on line 2, `𝄞` among them, which takes two UTF-16 units.
    let start = Position::new(1, 22);
    assert_eq!(diagnostic.range, Range::new(start, Position::new(1, 43)));
    assert_eq!(diagnostic.severity, Some(DiagnosticSeverity::WARNING));
    assert_eq!(
        diagnostic.code,
        Some(NumberOrString::String("blocking_sleep".to_owned()))
    );
    assert_eq!(diagnostic.source.as_deref(), Some("asyncheck"));
    let href = diagnostic
        .code_description
        .as_ref()
        .expect("a docs link")
        .href
        .as_str();
    assert!(href.ends_with("docs/rules.md#blocking_sleep"), "{href}");
    assert!(
        diagnostic
            .message
            .starts_with("blocking `std::thread::sleep`"),
        "{}",
        diagnostic.message
    );
    assert!(
        diagnostic.message.contains("\nhelp: "),
        "{}",
        diagnostic.message
    );
    client.shut_down().unwrap();
}

#[test]
fn utf8_columns_count_bytes_when_negotiated() {
    let dir = scratch(&[]);
    let file = uri(&dir.path().join("src/a.rs"));
    let mut client = Client::start(Setup {
        utf8: true,
        ..Setup::default()
    });
    let published = client.open(&file, SLEEPY);
    // `𝄞` is 4 bytes: 24 bytes precede `std` on line 2.
    assert_eq!(published.diagnostics[0].range.start, Position::new(1, 24));
    client.shut_down().unwrap();
}

#[test]
fn notes_become_related_information_in_the_same_file() {
    let dir = scratch(&[]);
    let file = uri(&dir.path().join("src/lock.rs"));
    let mut client = Client::start(Setup::default());
    let text = "async fn f(m: &std::sync::Mutex<u8>) {\n    let g = m.lock().unwrap();\n    g2().await;\n}\n";
    let published = client.open(&file, text);
    assert_eq!(rules_of(&published.diagnostics), ["sync_lock_across_await"]);
    let related = published.diagnostics[0]
        .related_information
        .as_ref()
        .expect("related information");
    assert_eq!(related[0].location.uri, file);
    assert_eq!(related[0].location.range.start, Position::new(2, 8));
    assert_eq!(
        related[0].message,
        "the guard is still alive at this `.await`"
    );
    client.shut_down().unwrap();
}

#[test]
fn a_change_is_linted_without_saving_and_a_save_lints_too() {
    let dir = scratch(&[]);
    let file = uri(&dir.path().join("src/a.rs"));
    let mut client = Client::start(Setup {
        debounce_ms: Some(20),
        ..Setup::default()
    });
    let clean = "async fn tick() {}\n";
    assert!(client.open(&file, clean).diagnostics.is_empty());
    let published = client.change(&file, 2, SLEEPY);
    assert_eq!(rules_of(&published.diagnostics), ["blocking_sleep"]);
    let published = client.change(&file, 3, clean);
    assert!(published.diagnostics.is_empty());
    client.notify(
        "textDocument/didSave",
        DidSaveTextDocumentParams {
            text_document: TextDocumentIdentifier::new(file.clone()),
            text: Some(SLEEPY.to_owned()),
        },
    );
    assert_eq!(
        rules_of(&client.diagnostics(&file).diagnostics),
        ["blocking_sleep"]
    );
    client.notify(
        "textDocument/didClose",
        DidCloseTextDocumentParams {
            text_document: TextDocumentIdentifier::new(file.clone()),
        },
    );
    assert!(
        client.diagnostics(&file).diagnostics.is_empty(),
        "closing clears its diagnostics"
    );
    client.shut_down().unwrap();
}

#[test]
fn a_burst_of_changes_is_linted_once_after_the_debounce() {
    let dir = scratch(&[]);
    let file = uri(&dir.path().join("src/a.rs"));
    let mut client = Client::start(Setup {
        debounce_ms: Some(300),
        ..Setup::default()
    });
    client.open(&file, "async fn tick() {}\n");
    for version in 2..6 {
        client.notify(
            "textDocument/didChange",
            DidChangeTextDocumentParams {
                text_document: VersionedTextDocumentIdentifier::new(file.clone(), version),
                content_changes: vec![TextDocumentContentChangeEvent {
                    range: None,
                    range_length: None,
                    text: SLEEPY.to_owned(),
                }],
            },
        );
    }
    let published = client.diagnostics(&file);
    assert_eq!(
        published.version,
        Some(5),
        "only the last version of the burst is linted"
    );
    client.shut_down().unwrap();
}

#[test]
fn a_syntax_error_is_a_diagnostic_and_the_server_goes_on() {
    let dir = scratch(&[]);
    let file = uri(&dir.path().join("src/a.rs"));
    let mut client = Client::start(Setup::default());
    let published = client.open(&file, "fn broken( {\n");
    assert_eq!(rules_of(&published.diagnostics), ["syntax_error"]);
    assert_eq!(
        published.diagnostics[0].severity,
        Some(DiagnosticSeverity::ERROR)
    );
    assert!(
        published.diagnostics[0].code_description.is_none(),
        "no rule docs for the engine's own findings"
    );
    assert_eq!(
        rules_of(&client.change(&file, 2, SLEEPY).diagnostics),
        ["blocking_sleep"]
    );
    client.shut_down().unwrap();
}

#[test]
fn the_quick_fix_the_allow_comment_and_fix_all_edit_the_buffer_as_expected() {
    let dir = scratch(&[]);
    let file = uri(&dir.path().join("src/a.rs"));
    let mut client = Client::start(Setup::default());
    let published = client.open(&file, SLEEPY);
    let range = published.diagnostics[0].range;
    let actions = client.code_actions(&file, range, None);
    let titles: Vec<_> = actions.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    let fix = &actions[0];
    assert_eq!(fix.kind, Some(CodeActionKind::QUICKFIX));
    assert_eq!(fix.is_preferred, Some(true));
    assert_eq!(fix.diagnostics.as_ref().unwrap()[0].range, range);
    let fixed = "async fn tick(d: std::time::Duration) {\n    let _clef = \"𝄞\"; tokio::time::sleep(d).await;\n}\n";
    assert_eq!(apply(SLEEPY, &edits_of(fix, &file)), fixed);
    let allow = &actions[1];
    assert_eq!(allow.title, "allow `blocking_sleep` on this line");
    let allowed = apply(SLEEPY, &edits_of(allow, &file));
    assert_eq!(
        allowed,
        "async fn tick(d: std::time::Duration) {\n    // asyncheck: allow(blocking_sleep) TODO: say why this is fine here\n    let _clef = \"𝄞\"; std::thread::sleep(d);\n}\n"
    );
    assert!(
        client.change(&file, 2, &allowed).diagnostics.is_empty(),
        "the inserted comment silences the finding"
    );
    assert_eq!(
        actions[2].kind,
        Some(CodeActionKind::new("source.fixAll.asyncheck"))
    );
    assert_eq!(apply(SLEEPY, &edits_of(&actions[2], &file)), fixed);
    client.shut_down().unwrap();
}

#[test]
fn code_actions_honour_the_requested_kinds_and_range() {
    let dir = scratch(&[]);
    let file = uri(&dir.path().join("src/a.rs"));
    let mut client = Client::start(Setup::default());
    client.open(&file, SLEEPY);
    let fix_all = client.code_actions(
        &file,
        Range::new(Position::new(0, 0), Position::new(0, 0)),
        Some(vec![CodeActionKind::SOURCE_FIX_ALL]),
    );
    let kinds: Vec<_> = fix_all.iter().map(|a| a.kind.clone().unwrap()).collect();
    assert_eq!(kinds, [CodeActionKind::new("source.fixAll.asyncheck")]);
    let elsewhere = client.code_actions(
        &file,
        Range::new(Position::new(0, 0), Position::new(0, 3)),
        Some(vec![CodeActionKind::QUICKFIX]),
    );
    assert!(
        elsewhere.is_empty(),
        "no quick fix away from the finding: {elsewhere:?}"
    );
    client.shut_down().unwrap();
}

#[test]
fn hover_over_a_diagnostic_shows_the_rule_documentation() {
    let dir = scratch(&[]);
    let file = uri(&dir.path().join("src/a.rs"));
    let mut client = Client::start(Setup::default());
    client.open(&file, SLEEPY);
    let hover = |client: &mut Client, at: Position| {
        client.request(
            "textDocument/hover",
            HoverParams {
                text_document_position_params: TextDocumentPositionParams::new(
                    TextDocumentIdentifier::new(file.clone()),
                    at,
                ),
                work_done_progress_params: lsp_types::WorkDoneProgressParams::default(),
            },
        )
    };
    let response = hover(&mut client, Position::new(1, 25));
    let hover_result: lsp_types::Hover = serde_json::from_value(response.result.unwrap()).unwrap();
    let HoverContents::Markup(markup) = hover_result.contents else {
        panic!("markdown expected")
    };
    assert_eq!(markup.kind, lsp_types::MarkupKind::Markdown);
    assert!(
        markup.value.starts_with("# `blocking_sleep`"),
        "{}",
        markup.value
    );
    assert!(
        markup.value.contains("## Why is this bad?"),
        "{}",
        markup.value
    );
    let response = hover(&mut client, Position::new(0, 2));
    assert_eq!(
        response.result,
        Some(Value::Null),
        "nothing to show away from a finding"
    );
    client.shut_down().unwrap();
}

#[test]
fn an_unknown_request_is_method_not_found() {
    let mut client = Client::start(Setup::default());
    let response = client.request("textDocument/rename", json!({}));
    let error = response.error.expect("an error");
    assert_eq!(error.code, lsp_server::ErrorCode::MethodNotFound as i32);
    client.shut_down().unwrap();
}

#[test]
fn exit_without_shutdown_is_an_error() {
    let client = Client::start(Setup::default());
    client.notify("exit", Value::Null);
    let mut client = client;
    let result = client.server.take().unwrap().join().unwrap();
    assert!(result.is_err(), "{result:?}");
}

#[test]
fn the_workspace_is_indexed_with_progress_and_a_cross_file_change_refreshes_other_open_files() {
    let lib = "mod util;\nasync fn run() {\n    util::helper();\n}\n";
    let dir = scratch(&[
        ("src/lib.rs", lib),
        ("src/util.rs", "pub fn helper() -> u8 { 1 }\n"),
    ]);
    let mut client = Client::start(Setup {
        root: Some(dir.path().to_path_buf()),
        progress: true,
        ..Setup::default()
    });
    let end = client.wait_for("$/progress", |p: &Value| p["value"]["kind"] == "end");
    assert_eq!(end["value"]["message"], "indexed 2 files");
    let created = client
        .received
        .iter()
        .any(|m| matches!(m, Message::Request(r) if r.method == "window/workDoneProgress/create"));
    assert!(created, "the progress token is created first");
    let begun = client.received.iter().any(|m| matches!(m, Message::Notification(n) if n.method == "$/progress" && n.params["value"]["kind"] == "begin"));
    assert!(begun);
    let lib_uri = uri(&dir.path().join("src/lib.rs"));
    let util_uri = uri(&dir.path().join("src/util.rs"));
    assert!(client.open(&lib_uri, lib).diagnostics.is_empty());
    client.open(&util_uri, "pub fn helper() -> u8 { 1 }\n");
    client.change(&util_uri, 2, "pub async fn helper() -> u8 { 1 }\n");
    let refreshed = client.diagnostics(&lib_uri);
    assert_eq!(
        rules_of(&refreshed.diagnostics),
        ["unawaited_future"],
        "unsaved `async` in util.rs settles lib.rs"
    );
    client.change(&util_uri, 3, "pub fn helper() -> u8 { 1 }\n");
    assert!(client.diagnostics(&lib_uri).diagnostics.is_empty());
    client.shut_down().unwrap();
}

#[test]
fn a_bad_configuration_is_shown_and_marked_and_the_last_good_one_stays_until_it_is_fixed() {
    let dir = scratch(&[("asyncheck.toml", "[severity]\nblocking_sleep = \"off\"\n")]);
    let file = uri(&dir.path().join("src/a.rs"));
    let mut client = Client::start(Setup {
        root: Some(dir.path().to_path_buf()),
        watch: true,
        ..Setup::default()
    });
    let registered = client.wait_for_request("client/registerCapability");
    let watchers = &registered["registrations"][0]["registerOptions"]["watchers"];
    assert!(
        watchers
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["globPattern"] == "**/asyncheck.toml"),
        "{watchers}"
    );
    assert!(
        client.open(&file, SLEEPY).diagnostics.is_empty(),
        "`blocking_sleep` is off"
    );
    let config = dir.path().join("asyncheck.toml");
    std::fs::write(
        &config,
        "[severity]\nblocking_sleep = \"off\"\nselec = [\"all\"]\n",
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        DidChangeWatchedFilesParams {
            changes: vec![FileEvent::new(uri(&config), FileChangeType::CHANGED)],
        },
    );
    let shown: ShowMessageParams =
        client.wait_for("window/showMessage", |_: &ShowMessageParams| true);
    assert_eq!(shown.typ, MessageType::ERROR);
    assert!(
        shown.message.contains("last good configuration"),
        "{}",
        shown.message
    );
    assert!(shown.message.contains("selec"), "{}", shown.message);
    let marked = client.diagnostics(&uri(&config));
    assert_eq!(marked.diagnostics.len(), 1, "{marked:?}");
    assert_eq!(marked.diagnostics[0].range.start.line, 2);
    assert!(
        client.diagnostics(&file).diagnostics.is_empty(),
        "the last good configuration still has `blocking_sleep` off"
    );
    std::fs::write(&config, "fail-on = \"error\"\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        DidChangeWatchedFilesParams {
            changes: vec![FileEvent::new(uri(&config), FileChangeType::CHANGED)],
        },
    );
    assert!(
        client.diagnostics(&uri(&config)).diagnostics.is_empty(),
        "fixed: its diagnostics are cleared"
    );
    assert_eq!(
        rules_of(&client.diagnostics(&file).diagnostics),
        ["blocking_sleep"]
    );
    client.shut_down().unwrap();
}

impl Client {
    /// Waits for a request `method` from the server and returns its params.
    fn wait_for_request(&mut self, method: &str) -> Value {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if let Message::Request(r) = self.next_message(method) {
                if r.method == method {
                    return r.params;
                }
            }
        }
        panic!("no `{method}` request in {PATIENCE:?}");
    }
}

#[test]
fn a_bad_configuration_at_start_up_falls_back_to_the_defaults_and_says_so() {
    let dir = scratch(&[("asyncheck.toml", "select = [\"blocking_slep\"]\n")]);
    let mut client = Client::start(Setup {
        root: Some(dir.path().to_path_buf()),
        ..Setup::default()
    });
    let shown: ShowMessageParams =
        client.wait_for("window/showMessage", |_: &ShowMessageParams| true);
    assert!(shown.message.contains("blocking_slep"), "{}", shown.message);
    assert!(
        shown.message.contains("the default configuration"),
        "{}",
        shown.message
    );
    let marked = client.diagnostics(&uri(&dir.path().join("asyncheck.toml")));
    assert_eq!(marked.diagnostics[0].range.start.line, 0);
    let file = uri(&dir.path().join("src/a.rs"));
    assert_eq!(
        rules_of(&client.open(&file, SLEEPY).diagnostics),
        ["blocking_sleep"]
    );
    client.shut_down().unwrap();
}

#[test]
fn a_rust_file_changed_outside_the_editor_updates_the_index_for_open_files() {
    let lib = "mod util;\nasync fn run() {\n    util::helper();\n}\n";
    let dir = scratch(&[
        ("src/lib.rs", lib),
        ("src/util.rs", "pub fn helper() -> u8 { 1 }\n"),
    ]);
    let mut client = Client::start(Setup {
        root: Some(dir.path().to_path_buf()),
        ..Setup::default()
    });
    let lib_uri = uri(&dir.path().join("src/lib.rs"));
    assert!(client.open(&lib_uri, lib).diagnostics.is_empty());
    let util = dir.path().join("src/util.rs");
    std::fs::write(&util, "pub async fn helper() -> u8 { 1 }\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        DidChangeWatchedFilesParams {
            changes: vec![FileEvent::new(uri(&util), FileChangeType::CHANGED)],
        },
    );
    assert_eq!(
        rules_of(&client.diagnostics(&lib_uri).diagnostics),
        ["unawaited_future"]
    );
    std::fs::remove_file(&util).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        DidChangeWatchedFilesParams {
            changes: vec![FileEvent::new(uri(&util), FileChangeType::DELETED)],
        },
    );
    assert!(
        client.diagnostics(&lib_uri).diagnostics.is_empty(),
        "a deleted file leaves the index"
    );
    client.shut_down().unwrap();
}
