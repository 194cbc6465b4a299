//! `cargo asyncheck server`: a Language Server over stdio that lints unsaved buffers, keeps the cross-file index current, and offers fixes and the rules' docs.
//!
//! Built on `lsp-server` and `lsp-types`, rust-analyzer's own crates: a
//! synchronous loop over a channel of messages, which suits a lint that
//! answers in milliseconds — no async runtime to carry. The loop owns all
//! state; each incoming message is handled to the end before the next.
//!
//! - on `initialized`, the workspace is linted once (with `$/progress` when
//!   the client supports it) to build the cross-file index;
//! - `didOpen` and `didSave` lint the buffer at once, `didChange` after a
//!   debounce (`initializationOptions.debounceMs`, default
//!   [`DEFAULT_DEBOUNCE`]); the buffer's text is linted, saved or not, and
//!   other open documents whose cross-file findings changed are published
//!   again;
//! - `workspace/didChangeWatchedFiles` re-reads the configuration, and
//!   updates the index for Rust files changed outside the editor;
//! - code actions and hover: see [`actions`].
//!
//! Positions are UTF-16 columns unless the client offers UTF-8
//! (`general.positionEncodings`). Nothing a document holds stops the
//! server: a parse error is a diagnostic, a panic in a rule an
//! `internal_error` diagnostic for that file (the engine catches it).

mod actions;
mod convert;
mod documents;
mod settings;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, Progress, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{
    CodeActionRequest, HoverRequest, RegisterCapability, Request as _, WorkDoneProgressCreate,
};
use lsp_types::{
    CodeActionOptions, CodeActionProviderCapability, Diagnostic, DiagnosticSeverity,
    DidChangeWatchedFilesRegistrationOptions, FileChangeType, FileSystemWatcher, GlobPattern,
    HoverProviderCapability, InitializeParams, InitializeResult, MessageType, NumberOrString,
    Position, ProgressParams, ProgressParamsValue, PublishDiagnosticsParams, Range, Registration,
    RegistrationParams, ServerCapabilities, ServerInfo, ShowMessageParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Url, WorkDoneProgress, WorkDoneProgressBegin,
    WorkDoneProgressCreateParams, WorkDoneProgressEnd, WorkDoneProgressReport,
};

use crate::engine::session::Workspace;
use crate::{ColumnKind, Config, Error, Finding, Linter, Report};
use documents::Documents;

/// How long the server waits after the last `didChange` of a burst before linting.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(50);

/// The progress token of the workspace lint at start-up.
const PROGRESS_TOKEN: &str = "asyncheck/workspace";

/// How many files are checked between two progress reports.
const PROGRESS_CHUNK: usize = 64;

/// Runs the server on stdin and stdout until the client says `exit`.
///
/// # Errors
/// [`Error::Server`] when the connection breaks or the client breaks the
/// protocol (an `exit` without `shutdown` included, as the protocol asks a
/// server to exit with a failure status then).
pub fn run_stdio() -> Result<(), Error> {
    let (connection, io_threads) = Connection::stdio();
    run(&connection)?;
    drop(connection);
    io_threads
        .join()
        .map_err(|err| Error::Server(format!("stdio: {err}")))
}

/// Runs the server on `connection` (stdio, or an in-memory pair in tests)
/// from `initialize` to `exit`.
///
/// # Errors
/// As [`run_stdio`].
pub fn run(connection: &Connection) -> Result<(), Error> {
    let protocol = |err: lsp_server::ProtocolError| Error::Server(err.to_string());
    let (id, params) = connection.initialize_start().map_err(protocol)?;
    let params: InitializeParams = serde_json::from_value(params)
        .map_err(|err| Error::Server(format!("bad `initialize` parameters: {err}")))?;
    let mut server = Server::new(connection, &params);
    let result = InitializeResult {
        capabilities: server.capabilities(),
        server_info: Some(ServerInfo {
            name: "asyncheck".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    };
    let result = serde_json::to_value(result).map_err(|err| Error::Server(err.to_string()))?;
    connection.initialize_finish(id, result).map_err(protocol)?;
    server.started();
    server.serve()
}

/// Per open document, which of its findings waiting for the index stand (see [`Workspace::standing`]).
type Standing = Vec<(Url, Vec<bool>)>;

/// What the client said it can do, from `initialize`.
#[derive(Debug, Default)]
struct ClientSupport {
    progress: bool,
    watch_registration: bool,
}

/// The server's state, owned by the loop.
struct Server<'c> {
    connection: &'c Connection,
    columns: ColumnKind,
    debounce: Duration,
    client: ClientSupport,
    /// The workspace folder linted at start-up and searched for the configuration.
    root: Option<PathBuf>,
    linter: Linter,
    /// Whether `linter` was set up by a configuration read without error (else: the defaults).
    config_read: bool,
    /// The configuration file whose problems are published, to clear them once fixed.
    bad_config: Vec<Url>,
    workspace: Workspace,
    documents: Documents,
    /// Documents changed since they were last linted, and when to lint them.
    dirty: Vec<Url>,
    deadline: Option<Instant>,
    /// The `window/workDoneProgress/create` request the workspace lint waits for.
    progress_request: Option<RequestId>,
    next_request: i32,
}

impl<'c> Server<'c> {
    #[allow(
        deprecated,
        reason = "`root_uri` is deprecated for `workspace_folders`, which older clients do not send"
    )]
    fn new(connection: &'c Connection, params: &InitializeParams) -> Self {
        let capabilities = &params.capabilities;
        let offered = capabilities
            .general
            .as_ref()
            .and_then(|general| general.position_encodings.as_deref());
        let debounce = params
            .initialization_options
            .as_ref()
            .and_then(|options| options.get("debounceMs"))
            .and_then(serde_json::Value::as_u64)
            .map_or(DEFAULT_DEBOUNCE, Duration::from_millis);
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|folders| folders.first())
            .map(|folder| &folder.uri)
            .or(params.root_uri.as_ref())
            .and_then(|uri| uri.to_file_path().ok());
        Server {
            connection,
            columns: convert::negotiate(offered),
            debounce,
            client: ClientSupport {
                progress: capabilities
                    .window
                    .as_ref()
                    .and_then(|w| w.work_done_progress)
                    .unwrap_or(false),
                watch_registration: capabilities
                    .workspace
                    .as_ref()
                    .and_then(|w| w.did_change_watched_files.as_ref())
                    .and_then(|w| w.dynamic_registration)
                    .unwrap_or(false),
            },
            root,
            linter: Linter::new(),
            config_read: false,
            bad_config: Vec::new(),
            workspace: Workspace::default(),
            documents: Documents::default(),
            dirty: Vec::new(),
            deadline: None,
            progress_request: None,
            next_request: 0,
        }
    }

    fn capabilities(&self) -> ServerCapabilities {
        ServerCapabilities {
            position_encoding: Some(convert::encoding_name(self.columns)),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::FULL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp_types::CodeActionKind::QUICKFIX,
                    actions::FIX_ALL,
                ]),
                ..CodeActionOptions::default()
            })),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            ..ServerCapabilities::default()
        }
    }

    /// After `initialized`: reads the configuration, asks to watch the
    /// configuration files, and lints the workspace (once the client has
    /// created the progress token, when it shows progress).
    fn started(&mut self) {
        self.reload_config();
        if self.client.watch_registration {
            let watchers = settings::WATCHED
                .iter()
                .map(|glob| FileSystemWatcher {
                    glob_pattern: GlobPattern::String((*glob).to_owned()),
                    kind: None,
                })
                .collect();
            let options = DidChangeWatchedFilesRegistrationOptions { watchers };
            self.request::<RegisterCapability>(RegistrationParams {
                registrations: vec![Registration {
                    id: "asyncheck/watched-files".to_owned(),
                    method: DidChangeWatchedFiles::METHOD.to_owned(),
                    register_options: serde_json::to_value(options).ok(),
                }],
            });
        }
        if self.root.is_none() {
            return;
        }
        if self.client.progress {
            let id = self.request::<WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                token: NumberOrString::String(PROGRESS_TOKEN.to_owned()),
            });
            self.progress_request = Some(id);
        } else {
            self.load_workspace(false);
        }
    }

    /// The loop: one message at a time, linting changed documents when their debounce ends.
    fn serve(&mut self) -> Result<(), Error> {
        loop {
            let received = match self.deadline {
                Some(deadline) => match self.connection.receiver.recv_deadline(deadline) {
                    Ok(message) => Some(message),
                    Err(err) if err.is_timeout() => None,
                    Err(_) => return Err(disconnected()),
                },
                None => Some(
                    self.connection
                        .receiver
                        .recv()
                        .map_err(|_| disconnected())?,
                ),
            };
            let Some(message) = received else {
                self.lint_dirty();
                continue;
            };
            match message {
                Message::Request(request) => {
                    let shutdown = self
                        .connection
                        .handle_shutdown(&request)
                        .map_err(|err| Error::Server(err.to_string()))?;
                    if shutdown {
                        return Ok(());
                    }
                    let id = request.id.clone();
                    let method = request.method.clone();
                    if let Err(reason) = self.guarded(|server| {
                        server.lint_dirty();
                        server.on_request(request);
                    }) {
                        self.send(
                            Response::new_err(
                                id,
                                ErrorCode::InternalError as i32,
                                format!("asyncheck crashed on `{method}`: {reason}"),
                            )
                            .into(),
                        );
                    }
                }
                Message::Notification(notification) => {
                    if notification.method == lsp_types::notification::Exit::METHOD {
                        return Err(Error::Server(
                            "the client sent `exit` without `shutdown`".to_owned(),
                        ));
                    }
                    let _ = self.guarded(|server| server.on_notification(notification));
                }
                Message::Response(response) => {
                    if self.progress_request.as_ref() == Some(&response.id) {
                        self.progress_request = None;
                        self.load_workspace(response.error.is_none());
                    }
                }
            }
        }
    }

    /// Runs `handle`, catching a panic (a bug in the server, not in a rule: the
    /// engine catches those per file) so that the server outlives it; the panic
    /// is logged on stderr and its reason returned.
    fn guarded(&mut self, handle: impl FnOnce(&mut Self)) -> Result<(), String> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handle(self))).map_err(|panic| {
            let reason = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            eprintln!("asyncheck server: internal error, message skipped: {reason}");
            reason
        })
    }

    fn on_request(&mut self, request: Request) {
        let id = request.id.clone();
        let response = match request.method.as_str() {
            CodeActionRequest::METHOD => {
                match request.extract::<lsp_types::CodeActionParams>(CodeActionRequest::METHOD) {
                    Ok((id, params)) => {
                        let actions = self
                            .documents
                            .get(&params.text_document.uri)
                            .map(|doc| actions::code_actions(doc, self.columns, &params));
                        Response::new_ok(id, actions)
                    }
                    Err(err) => bad_params(id, &err),
                }
            }
            HoverRequest::METHOD => {
                match request.extract::<lsp_types::HoverParams>(HoverRequest::METHOD) {
                    Ok((id, params)) => {
                        let at = params.text_document_position_params;
                        let hover = self
                            .documents
                            .get(&at.text_document.uri)
                            .and_then(|doc| actions::hover(doc, self.columns, at.position));
                        Response::new_ok(id, hover)
                    }
                    Err(err) => bad_params(id, &err),
                }
            }
            _ => Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("asyncheck does not handle `{}`", request.method),
            ),
        };
        self.send(response.into());
    }

    fn on_notification(&mut self, notification: Notification) {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(params) = notification
                    .extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                else {
                    return;
                };
                let doc = params.text_document;
                if self.documents.open(doc.uri.clone(), doc.version, doc.text) {
                    self.lint(&doc.uri);
                }
            }
            DidChangeTextDocument::METHOD => {
                let Ok(params) = notification.extract::<lsp_types::DidChangeTextDocumentParams>(
                    DidChangeTextDocument::METHOD,
                ) else {
                    return;
                };
                // Full sync: the last change holds the whole text.
                let Some(change) = params.content_changes.into_iter().last() else {
                    return;
                };
                let uri = params.text_document.uri;
                if self
                    .documents
                    .change(&uri, params.text_document.version, change.text)
                {
                    if !self.dirty.contains(&uri) {
                        self.dirty.push(uri);
                    }
                    self.deadline = Some(Instant::now() + self.debounce);
                }
            }
            DidSaveTextDocument::METHOD => {
                let Ok(params) = notification
                    .extract::<lsp_types::DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
                else {
                    return;
                };
                let uri = params.text_document.uri;
                self.dirty.retain(|d| *d != uri);
                if let Some(text) = params.text {
                    let version = self.documents.get(&uri).map_or(0, |d| d.version);
                    self.documents.change(&uri, version, text);
                }
                self.lint(&uri);
            }
            DidCloseTextDocument::METHOD => {
                let Ok(params) = notification
                    .extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                else {
                    return;
                };
                let uri = params.text_document.uri;
                self.dirty.retain(|d| *d != uri);
                if let Some(doc) = self.documents.close(&uri) {
                    // The file on disk is what the index holds again.
                    self.reindex_from_disk(&doc.path);
                    self.publish(uri, Vec::new(), None);
                    self.refresh_others(None);
                }
            }
            DidChangeWatchedFiles::METHOD => {
                let Ok(params) = notification.extract::<lsp_types::DidChangeWatchedFilesParams>(
                    DidChangeWatchedFiles::METHOD,
                ) else {
                    return;
                };
                self.on_watched_files(&params.changes);
            }
            _ => {}
        }
    }

    fn on_watched_files(&mut self, changes: &[lsp_types::FileEvent]) {
        let mut config_changed = false;
        for change in changes {
            let Ok(path) = change.uri.to_file_path() else {
                continue;
            };
            if settings::is_config_file(&path) {
                config_changed = true;
            } else if path.extension().is_some_and(|e| e == "rs") && !self.documents.is_open(&path)
            {
                if change.typ == FileChangeType::DELETED {
                    self.workspace.remove(&path);
                } else {
                    self.reindex_from_disk(&path);
                }
            }
        }
        if config_changed {
            self.reload_config();
        }
        for uri in self.documents.uris() {
            self.lint(&uri);
        }
    }

    /// Lints the workspace folder from disk into the index, with progress
    /// reports when `progress`; then lints the open documents again from
    /// their buffers.
    fn load_workspace(&mut self, progress: bool) {
        let Some(root) = self.root.clone() else {
            return;
        };
        let files = match crate::engine::walk::collect(&[root]) {
            Ok(walked) => walked.files,
            Err(_) => Vec::new(),
        };
        let files: Vec<PathBuf> = files.into_iter().filter(|f| !self.excluded(f)).collect();
        let total = files.len();
        if progress {
            self.progress(WorkDoneProgress::Begin(WorkDoneProgressBegin {
                title: "asyncheck".to_owned(),
                message: Some(format!("indexing {total} files")),
                percentage: Some(0),
                cancellable: Some(false),
            }));
        }
        let rules = self.linter.rule_set();
        let connection = self.connection;
        self.workspace = Workspace::load(&rules, &files, PROGRESS_CHUNK, |done| {
            if progress {
                let percentage = u32::try_from(done * 100 / total.max(1)).unwrap_or(100);
                send_progress(
                    connection,
                    WorkDoneProgress::Report(WorkDoneProgressReport {
                        message: Some(format!("{done}/{total} files")),
                        percentage: Some(percentage),
                        cancellable: Some(false),
                    }),
                );
            }
        });
        for uri in self.documents.uris() {
            self.lint(&uri);
        }
        if progress {
            self.progress(WorkDoneProgress::End(WorkDoneProgressEnd {
                message: Some(format!("indexed {total} files")),
            }));
        }
    }

    fn excluded(&self, path: &Path) -> bool {
        self.linter
            .filters
            .as_ref()
            .is_some_and(|filters| filters.excludes(path))
    }

    /// Re-reads `path` from disk into the index (the editor no longer holds it).
    fn reindex_from_disk(&mut self, path: &Path) {
        match std::fs::read_to_string(path) {
            Ok(text) if !self.excluded(path) => {
                let rules = self.linter.rule_set();
                self.workspace.update(&rules, path, &Arc::from(text));
            }
            _ => self.workspace.remove(path),
        }
    }

    fn lint_dirty(&mut self) {
        self.deadline = None;
        for uri in std::mem::take(&mut self.dirty) {
            self.lint(&uri);
        }
    }

    /// Lints the open document `uri` from its buffer, publishes its
    /// diagnostics, and publishes again the other open documents whose
    /// cross-file findings the change settled differently.
    fn lint(&mut self, uri: &Url) {
        let Some(doc) = self.documents.get(uri) else {
            return;
        };
        let (path, text, version) = (doc.path.clone(), Arc::clone(&doc.text), doc.version);
        if self.excluded(&path) {
            self.publish(uri.clone(), Vec::new(), Some(version));
            return;
        }
        let before = self.standing_of_others(uri);
        let rules = self.linter.rule_set();
        let findings = self.workspace.update(&rules, &path, &text);
        let findings = self.configure(findings);
        self.publish(uri.clone(), findings, Some(version));
        self.refresh_others(Some(before));
    }

    /// Which waiting findings stand in each open document but `except`.
    fn standing_of_others(&self, except: &Url) -> Standing {
        self.documents
            .uris()
            .into_iter()
            .filter(|u| u != except)
            .filter_map(|u| {
                let doc = self.documents.get(&u)?;
                Some((u, self.workspace.standing(&doc.path)))
            })
            .collect()
    }

    /// Settles and publishes again the open documents whose standing changed
    /// from `before` (all of them but the changed one, when `None`).
    fn refresh_others(&mut self, before: Option<Standing>) {
        let stale: Vec<Url> = match before {
            Some(before) => before
                .into_iter()
                .filter(|(uri, was)| {
                    self.documents
                        .get(uri)
                        .is_some_and(|doc| self.workspace.standing(&doc.path) != *was)
                })
                .map(|(uri, _)| uri)
                .collect(),
            None => self.documents.uris(),
        };
        for uri in stale {
            let Some(doc) = self.documents.get(&uri) else {
                continue;
            };
            if self.excluded(&doc.path) {
                continue;
            }
            let rules = self.linter.rule_set();
            let findings = self.workspace.settle(&rules, &doc.path, &doc.text);
            let version = doc.version;
            let findings = self.configure(findings);
            self.publish(uri, findings, Some(version));
        }
    }

    /// Configured severities and per-file ignores, as a run applies them; a
    /// crash inside a rule (already an `internal_error` finding for its file)
    /// is logged on stderr too, which editors keep as the server's log.
    fn configure(&self, findings: Vec<Finding>) -> Vec<Finding> {
        let crashed = crate::engine::EngineFinding::InternalError.name();
        for finding in findings.iter().filter(|f| f.rule == crashed) {
            eprintln!(
                "asyncheck server: {}: {} (file skipped)",
                finding.path.display(),
                finding.message
            );
        }
        let report = Report {
            findings,
            ..Report::default()
        };
        self.linter.configure(report).findings
    }

    /// Keeps `findings` as the document's and publishes them.
    fn publish(&mut self, uri: Url, findings: Vec<Finding>, version: Option<i32>) {
        let diagnostics = match self.documents.get_mut(&uri) {
            Some(doc) => {
                doc.findings = findings;
                let lines = crate::LineIndex::new(&doc.text);
                doc.findings
                    .iter()
                    .map(|f| convert::diagnostic(&uri, &lines, self.columns, f))
                    .collect()
            }
            None => Vec::new(),
        };
        self.notify::<PublishDiagnostics>(PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        });
    }

    /// Reads the configuration for the workspace root again. A bad one is
    /// shown to the user and published as diagnostics in its file, and the
    /// last good configuration stays in force.
    fn reload_config(&mut self) {
        // Without a workspace folder there is no place to look from: the defaults.
        let Some(start) = self.root.clone() else {
            return;
        };
        let cleared = std::mem::take(&mut self.bad_config);
        match Config::discover(&start) {
            Ok(config) => {
                self.linter = Linter::with_config(&config);
                self.config_read = true;
                for uri in cleared {
                    self.notify::<PublishDiagnostics>(PublishDiagnosticsParams {
                        uri,
                        diagnostics: Vec::new(),
                        version: None,
                    });
                }
            }
            Err(error) => {
                self.notify::<ShowMessage>(ShowMessageParams {
                    typ: MessageType::ERROR,
                    message: format!(
                        "asyncheck: invalid configuration; linting goes on with {}\n{error}",
                        if self.config_read {
                            "the last good configuration"
                        } else {
                            "the default configuration"
                        }
                    ),
                });
                let problems = settings::problems(&error);
                let mut files: Vec<&Path> = problems.iter().map(|p| p.path.as_path()).collect();
                files.dedup();
                for file in files {
                    let Ok(uri) =
                        Url::from_file_path(std::path::absolute(file).unwrap_or_default())
                    else {
                        continue;
                    };
                    let diagnostics = problems
                        .iter()
                        .filter(|p| p.path == file)
                        .map(|p| Diagnostic {
                            range: Range::new(
                                Position::new(p.line, p.column),
                                Position::new(p.line, p.column + 1),
                            ),
                            severity: Some(DiagnosticSeverity::ERROR),
                            source: Some(convert::SOURCE.to_owned()),
                            message: p.message.clone(),
                            ..Diagnostic::default()
                        })
                        .collect();
                    self.bad_config.push(uri.clone());
                    self.notify::<PublishDiagnostics>(PublishDiagnosticsParams {
                        uri,
                        diagnostics,
                        version: None,
                    });
                }
            }
        }
    }

    fn progress(&self, value: WorkDoneProgress) {
        send_progress(self.connection, value);
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_owned(), params).into());
    }

    fn request<R: lsp_types::request::Request>(&mut self, params: R::Params) -> RequestId {
        self.next_request += 1;
        let id = RequestId::from(format!("asyncheck-{}", self.next_request));
        self.send(Request::new(id.clone(), R::METHOD.to_owned(), params).into());
        id
    }

    fn send(&self, message: Message) {
        // A closed channel ends the loop at its next receive.
        let _ = self.connection.sender.send(message);
    }
}

fn send_progress(connection: &Connection, value: WorkDoneProgress) {
    let params = ProgressParams {
        token: NumberOrString::String(PROGRESS_TOKEN.to_owned()),
        value: ProgressParamsValue::WorkDone(value),
    };
    let _ = connection
        .sender
        .send(Notification::new(Progress::METHOD.to_owned(), params).into());
}

fn bad_params(id: RequestId, err: &lsp_server::ExtractError<Request>) -> Response {
    Response::new_err(id, ErrorCode::InvalidParams as i32, format!("{err}"))
}

fn disconnected() -> Error {
    Error::Server("the client closed the connection without `exit`".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_handling_a_message_is_caught_and_the_server_goes_on() {
        let (connection, _client) = Connection::memory();
        let mut server = Server::new(&connection, &InitializeParams::default());
        let caught = server.guarded(|_| panic!("boom in a handler"));
        assert_eq!(caught, Err("boom in a handler".to_owned()));
        assert_eq!(server.guarded(Server::lint_dirty), Ok(()));
    }
}
