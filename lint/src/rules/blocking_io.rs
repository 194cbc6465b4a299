//! Flags blocking file, network, process and HTTP I/O called in async context.
//!
//! ## What it does
//! In the body of an `async fn`, `async` block or `async` closure, finds calls
//! that block the thread on I/O, resolved through the file's `use`s (so
//! `use tokio::fs::File;` makes `File::open` fine, `use std::fs::File;` does not):
//! - the functions of `std::fs` (`read`, `write`, `read_to_string`, `metadata`, …),
//!   `std::fs::File::{open, create, create_new}`, and `.open(..)` at the end
//!   of a `std::fs::File::options()` / `std::fs::OpenOptions::new()` chain;
//! - the same functions and types of `fs_err`, the drop-in replacement of
//!   `std::fs` (`fs_err::read_to_string`, `fs_err::File::open`, and through
//!   `use fs_err as fs;`) — not its async module `fs_err::tokio`;
//! - the `std::path::Path` methods that ask the file system (`exists`,
//!   `try_exists`, `is_file`, `is_dir`, `is_symlink`, `metadata`,
//!   `symlink_metadata`, `canonicalize`, `read_link`, `read_dir`), only when
//!   the receiver is known from the code to be a `Path` or `PathBuf`: built by
//!   `Path::new(..)`, `PathBuf::from(..)` or `PathBuf::new()` (directly, through
//!   `.join(..)` and the like, or through a `let` binding), or a binding
//!   declared with that type (`path: &Path`, `let p: PathBuf = ..`). The
//!   method name alone never counts: `exists` and `metadata` are common names;
//! - reads from `std::io::stdin()` (`read_line`, `read_to_string`, `lines`, …);
//! - `std::net::TcpStream::connect`, `std::net::TcpListener::bind`,
//!   `std::net::UdpSocket::bind`;
//! - `.output()` and `.status()` of a `std::process::Command`, and `.wait()` /
//!   `.wait_with_output()` of a child it spawned — never `tokio::process::Command`;
//! - any function of `reqwest::blocking`, and the request functions of `ureq`
//!   (`ureq::get`, `ureq::post`, …);
//! - methods that block, called on a receiver whose type the code declares
//!   (a typed parameter or `let`, a constructor, `self.field` of a struct
//!   declared in the same file, through `&`, `Arc`, `Box` and type aliases):
//!   reads, writes, `sync_all`, `set_len` and `metadata` of a `std::fs::File`;
//!   reads, writes and `peek` of a `std::net::TcpStream`; `accept` of a
//!   `std::net::TcpListener`; sends and receives of a `std::net::UdpSocket`;
//!   `execute` of a `reqwest::blocking::Client`, and `.send()` at the end of
//!   a request built from one (`self.http.get(url).header(..).send()`).
//!   The same method on a value of another type (`tokio::fs::File`, a type
//!   of the checked crate) or of unknown type is not flagged, nor on a local
//!   bound to what a call this rule reports returned (`let mut s =
//!   std::net::TcpStream::connect(a)?;`): that call is the finding;
//! - the functions listed under `[rules.blocking_io] extra-functions` in the
//!   configuration, such as a project's own `crate::net::sync_http_get`.
//!
//! Sync closures (`spawn_blocking`, `block_in_place`, `std::thread::spawn`,
//! stored or returned ones) and nested `fn` items are not async context; a
//! closure that a combinator runs before it returns (`opt.map(|p| ..)`,
//! `paths.iter().map(|p| ..).collect()`) is, inside async code.
//!
//! ## Why is this bad?
//! A blocking call holds the worker thread until the disk, the network or the
//! child process answers. Every other task on that thread waits meanwhile; on
//! a current-thread runtime the whole program stalls. `reqwest::blocking`
//! goes further and panics when used inside a tokio runtime.
//!
//! ## Example
//! ```rust,ignore
//! async fn load(path: &Path) -> io::Result<Config> {
//!     let text = std::fs::read_to_string(path)?;
//!     Ok(toml::from_str(&text)?)
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! async fn load(path: &Path) -> io::Result<Config> {
//!     let text = tokio::fs::read_to_string(path).await?;
//!     Ok(toml::from_str(&text)?)
//! }
//! ```
//! `tokio::net`, `tokio::process::Command` and the async `reqwest::Client`
//! replace the others; for work that has no async version, use
//! `tokio::task::spawn_blocking`.

use syn::Expr;
use syn::spanned::Spanned;

use super::{Cx, Rule, RuleOption};
use crate::engine::resolve::{self, Canon};

/// See the module docs.
pub(crate) struct BlockingIo;

/// `extra-functions`: more functions to treat as blocking, as they resolve.
pub(crate) const EXTRA_FUNCTIONS: RuleOption = RuleOption::paths("extra-functions");

/// Associated functions that block on I/O, with the tokio replacement to suggest.
const BLOCKING_FNS: &[(&[&str], &str)] = &[
    (&["std", "fs", "File", "open"], "tokio::fs::File::open"),
    (&["std", "fs", "File", "create"], "tokio::fs::File::create"),
    (
        &["std", "fs", "File", "create_new"],
        "tokio::fs::File::create_new",
    ),
    (
        &["std", "net", "TcpStream", "connect"],
        "tokio::net::TcpStream::connect",
    ),
    (
        &["std", "net", "TcpStream", "connect_timeout"],
        "tokio::time::timeout(d, tokio::net::TcpStream::connect(..))",
    ),
    (
        &["std", "net", "TcpListener", "bind"],
        "tokio::net::TcpListener::bind",
    ),
    (
        &["std", "net", "UdpSocket", "bind"],
        "tokio::net::UdpSocket::bind",
    ),
];

/// The `std::path::Path` methods that ask the file system, with the tokio replacement to suggest.
const PATH_FS_METHODS: &[(&str, &str)] = &[
    ("exists", "tokio::fs::try_exists(..).await"),
    ("try_exists", "tokio::fs::try_exists(..).await"),
    ("is_file", "tokio::fs::metadata(..).await"),
    ("is_dir", "tokio::fs::metadata(..).await"),
    ("is_symlink", "tokio::fs::symlink_metadata(..).await"),
    ("metadata", "tokio::fs::metadata(..).await"),
    ("symlink_metadata", "tokio::fs::symlink_metadata(..).await"),
    ("canonicalize", "tokio::fs::canonicalize(..).await"),
    ("read_link", "tokio::fs::read_link(..).await"),
    ("read_dir", "tokio::fs::read_dir(..).await"),
];

/// `Path`/`PathBuf` methods that return a path and touch no file system.
const PATH_TO_PATH_METHODS: &[&str] = &[
    "join",
    "with_extension",
    "with_file_name",
    "to_path_buf",
    "as_path",
];

/// The request functions of `ureq`; building an `Agent` does no I/O.
const UREQ_FNS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "trace",
    "request",
    "request_url",
];

/// Methods reading from a `std::io::stdin()` handle (or its lock).
const STDIN_READS: &[&str] = &[
    "read",
    "read_exact",
    "read_line",
    "read_to_end",
    "read_to_string",
    "lines",
];

impl Rule for BlockingIo {
    fn check_expr(&self, cx: &mut Cx<'_>, expr: &Expr) {
        if !(cx.is_async() || cx.in_sync_fn()) || cx.is_awaited(expr) {
            return;
        }
        let Some((what, instead)) = blocking_call(cx, expr) else {
            return;
        };
        // A configured function has no known replacement (`instead` is empty).
        let instead = if instead.is_empty() {
            "an async alternative".to_owned()
        } else {
            format!("`{instead}`")
        };
        cx.report_blocking(
            expr.span(),
            format!("blocking {what} in async context"),
            format!("use {instead}, or move the blocking work into `tokio::task::spawn_blocking`"),
            &what,
        );
    }
}

/// What a blocking call does (for the message) and its async replacement (for the help).
fn blocking_call(cx: &Cx<'_>, expr: &Expr) -> Option<(String, String)> {
    match expr {
        Expr::Call(_) => {
            let written_callee = cx.callee(expr)?;
            // Messages are built only for a blocking call: this runs at every call.
            let written = || format!("`{}`", written_callee.join("::"));
            let callee = as_std_fs(&written_callee);
            if let Some((_, instead)) = BLOCKING_FNS.iter().find(|(f, _)| resolve::is(&callee, f)) {
                return Some((written(), (*instead).to_owned()));
            }
            match callee.iter().map(String::as_str).collect::<Vec<_>>()[..] {
                ["std", "fs", name] if name.starts_with(char::is_lowercase) => {
                    Some((written(), format!("tokio::fs::{name}(..).await")))
                }
                ["reqwest", "blocking", ..] => Some((written(), "reqwest::Client".to_owned())),
                ["ureq", name] if UREQ_FNS.contains(&name) => {
                    Some((written(), "reqwest::Client".to_owned()))
                }
                _ if cx.option_lists(EXTRA_FUNCTIONS, &callee) => Some((
                    format!("{} (configured in `extra-functions`)", written()),
                    String::new(),
                )),
                _ => None,
            }
        }
        Expr::MethodCall(call) => {
            let method = call.method.to_string();
            if let Some(found) = blocking_method_of_declared_type(cx, call, &method) {
                return Some(found);
            }
            if let Some((_, instead)) = PATH_FS_METHODS.iter().find(|(m, _)| *m == method) {
                return is_path(cx, &call.receiver)
                    .then(|| (format!("`Path::{method}`"), (*instead).to_owned()));
            }
            let root = receiver_root(cx, &call.receiver)?;
            let canon = as_std_fs(&root.canon);
            let on = |path: &[&str]| resolve::is(&canon, path);
            let what = || format!("`.{method}()`");
            match method.as_str() {
                "open"
                    if on(&["std", "fs", "OpenOptions", "new"])
                        || on(&["std", "fs", "File", "options"]) =>
                {
                    let owner = if root.canon.first().is_some_and(|c| c == "fs_err") {
                        "fs_err::OpenOptions"
                    } else {
                        "std::fs::OpenOptions"
                    };
                    Some((
                        format!("{} of `{owner}`", what()),
                        "tokio::fs::OpenOptions".to_owned(),
                    ))
                }
                m if STDIN_READS.contains(&m) && on(&["std", "io", "stdin"]) => Some((
                    format!("{} on `std::io::stdin()`", what()),
                    "tokio::io::stdin()".to_owned(),
                )),
                "output" | "status"
                    if on(&["std", "process", "Command", "new"]) && !root.spawned =>
                {
                    Some((
                        format!("{} of `std::process::Command`", what()),
                        "tokio::process::Command".to_owned(),
                    ))
                }
                "wait" | "wait_with_output"
                    if on(&["std", "process", "Command", "new"]) && root.spawned =>
                {
                    Some((
                        format!("{} on a `std::process::Child`", what()),
                        "tokio::process::Command".to_owned(),
                    ))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Methods that block when called on a value of a declared std I/O type, with the async type to use instead.
const BLOCKING_METHODS: &[(&[&str], &[&str], &str)] = &[
    (
        &["std", "fs", "File"],
        &[
            "read",
            "read_exact",
            "read_to_end",
            "read_to_string",
            "read_vectored",
            "write",
            "write_all",
            "write_vectored",
            "sync_all",
            "sync_data",
            "set_len",
            "metadata",
        ],
        "tokio::fs::File",
    ),
    (
        &["std", "net", "TcpStream"],
        &[
            "read",
            "read_exact",
            "read_to_end",
            "read_to_string",
            "read_vectored",
            "write",
            "write_all",
            "write_vectored",
            "peek",
        ],
        "tokio::net::TcpStream",
    ),
    (
        &["std", "net", "TcpListener"],
        &["accept"],
        "tokio::net::TcpListener",
    ),
    (
        &["std", "net", "UdpSocket"],
        &["recv", "recv_from", "send", "send_to", "peek", "peek_from"],
        "tokio::net::UdpSocket",
    ),
    (
        &["reqwest", "blocking", "Client"],
        &["execute"],
        "reqwest::Client",
    ),
];

/// The methods of `reqwest::blocking::Client` that start a request, and of
/// `reqwest::blocking::RequestBuilder` that build one: a chain of them ending
/// in `.send()` sends it.
const REQUEST_CHAIN: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "request",
    "header",
    "headers",
    "basic_auth",
    "bearer_auth",
    "body",
    "timeout",
    "query",
    "form",
    "json",
    "multipart",
    "version",
];

/// A blocking method called on a receiver whose declared type is a blocking
/// std or `reqwest::blocking` type (see [`Cx::declared_type`]): `file.read_to_end(..)`
/// with `file: std::fs::File`, `self.http.get(url).send()` with `http: reqwest::blocking::Client`.
fn blocking_method_of_declared_type(
    cx: &Cx<'_>,
    call: &syn::ExprMethodCall,
    method: &str,
) -> Option<(String, String)> {
    if method == "send" && call.args.is_empty() {
        let mut root = &*call.receiver;
        while let Expr::MethodCall(inner) = root {
            if !REQUEST_CHAIN.iter().any(|m| inner.method == m) {
                return None;
            }
            root = &inner.receiver;
        }
        if built_by_reported_call(cx, root) {
            return None;
        }
        let ty = cx.declared_type(root)?;
        let sends = (resolve::is(&ty, &["reqwest", "blocking", "Client"])
            && matches!(&*call.receiver, Expr::MethodCall(_)))
            || resolve::is(&ty, &["reqwest", "blocking", "RequestBuilder"]);
        return sends.then(|| {
            (
                "`.send()` of a `reqwest::blocking` request".to_owned(),
                "reqwest::Client".to_owned(),
            )
        });
    }
    // Cheap first: only a method on one of the lists needs the receiver's type.
    if !BLOCKING_METHODS
        .iter()
        .any(|(_, methods, _)| methods.contains(&method))
    {
        return None;
    }
    if built_by_reported_call(cx, &call.receiver) {
        return None;
    }
    let ty = cx.declared_type(&call.receiver)?;
    let (owner, _, instead) = BLOCKING_METHODS
        .iter()
        .find(|(owner, methods, _)| resolve::is(&ty, owner) && methods.contains(&method))?;
    Some((
        format!("`.{method}()` of `{}`", owner.join("::")),
        (*instead).to_owned(),
    ))
}

/// Whether `receiver` is a local bound to what a call this rule reports returned
/// (`let mut s = std::net::TcpStream::connect(a)?;`, `let c = reqwest::blocking::Client::new();`):
/// that call is the finding, and each use of the value would repeat it.
fn built_by_reported_call(cx: &Cx<'_>, receiver: &Expr) -> bool {
    let mut receiver = receiver;
    loop {
        match receiver {
            Expr::Paren(p) => receiver = &p.expr,
            Expr::Reference(r) => receiver = &r.expr,
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => receiver = &u.expr,
            _ => break,
        }
    }
    let Expr::Path(p) = receiver else {
        return false;
    };
    let Some(name) = p.path.get_ident().map(ToString::to_string) else {
        return false;
    };
    let Some(root) = cx.binding(&name).or_else(|| cx.binding_root(&name)) else {
        return false;
    };
    let path: Vec<&str> = root.iter().map(String::as_str).collect();
    BLOCKING_FNS.iter().any(|(f, _)| resolve::is(root, f))
        || matches!(path[..], ["reqwest", "blocking", ..])
        || matches!(
            path[..],
            ["std", "fs", "File", "options"] | ["std", "fs", "OpenOptions", "new"]
        )
}

/// `fs_err::x` as the `std::fs::x` it wraps (the same blocking calls); any other path unchanged.
/// `fs_err::tokio::x` is async and maps to nothing blocking.
fn as_std_fs(canon: &Canon) -> Canon {
    match canon.split_first() {
        Some((first, rest)) if first == "fs_err" && rest.first().is_none_or(|s| s != "tokio") => {
            let mut out = vec!["std".to_owned(), "fs".to_owned()];
            out.extend_from_slice(rest);
            out
        }
        _ => canon.clone(),
    }
}

/// Whether `expr` is known from the code to be a `std::path::Path` or `PathBuf`.
fn is_path(cx: &Cx<'_>, expr: &Expr) -> bool {
    const BUILDERS: &[&[&str]] = &[
        &["std", "path", "Path", "new"],
        &["std", "path", "PathBuf", "from"],
        &["std", "path", "PathBuf", "new"],
    ];
    const TYPES: &[&[&str]] = &[&["std", "path", "Path"], &["std", "path", "PathBuf"]];
    match expr {
        Expr::Paren(p) => is_path(cx, &p.expr),
        Expr::Reference(r) => is_path(cx, &r.expr),
        Expr::Call(_) => cx
            .callee(expr)
            .is_some_and(|c| BUILDERS.iter().any(|b| resolve::is(&c, b))),
        Expr::MethodCall(call) => {
            PATH_TO_PATH_METHODS.iter().any(|m| call.method == m) && is_path(cx, &call.receiver)
        }
        Expr::Path(p) => {
            let Some(name) = p.path.get_ident().map(ToString::to_string) else {
                return false;
            };
            cx.binding(&name)
                .is_some_and(|c| BUILDERS.iter().any(|b| resolve::is(c, b)))
                || cx
                    .declared_type(expr)
                    .is_some_and(|t| TYPES.iter().any(|ty| resolve::is(&t, ty)))
        }
        _ => false,
    }
}

/// The call a method chain starts from, and whether the chain passes through `.spawn()`.
struct Root {
    canon: Canon,
    spawned: bool,
}

/// Follows `receiver` back through method calls, `?` and parentheses to the
/// call it starts from — directly, or through a `let` binding.
fn receiver_root(cx: &Cx<'_>, mut expr: &Expr) -> Option<Root> {
    let mut spawned = false;
    loop {
        match expr {
            Expr::MethodCall(call) => {
                spawned |= call.method == "spawn";
                expr = &call.receiver;
            }
            Expr::Try(t) => expr = &t.expr,
            Expr::Paren(p) => expr = &p.expr,
            Expr::Call(_) => {
                return cx.callee(expr).map(|canon| Root {
                    canon: std::rc::Rc::unwrap_or_clone(canon),
                    spawned,
                });
            }
            Expr::Path(p) => {
                let name = p.path.get_ident()?.to_string();
                if let Some(canon) = cx.binding(&name) {
                    return Some(Root {
                        canon: canon.clone(),
                        spawned,
                    });
                }
                // `let child = Command::new(..).spawn()?;`: a `Command` chain bound
                // with `let` borrows a temporary unless it ends in `.spawn()`,
                // `.output()` or `.status()`, and only the child has methods that block.
                let canon = cx.binding_root(&name)?;
                return Some(Root {
                    canon: canon.clone(),
                    spawned: true,
                });
            }
            _ => return None,
        }
    }
}
