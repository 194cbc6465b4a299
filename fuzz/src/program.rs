//! A small async Rust program generated from fuzz bytes (via `arbitrary`) and printed as source that always parses.
//!
//! The grammar is the lint's subject matter: async and sync fns, async blocks
//! and closures, blocking calls (`std::thread::sleep`, `std::fs::read`, locks),
//! `.await`s, spawns, `tokio::select!`, runtimes and `block_on`, loops and
//! `let` bindings, nested to at most [`MAX_DEPTH`] levels. Only the syntax has
//! to be valid: names need not resolve and types need not check.
//!
//! ```
//! use asyncheck_fuzz::program::{Attr, Block, Dur, Expr, Item, Name, PathStyle, Program, Stmt};
//!
//! let sleep = Expr::Sleep(PathStyle::Full, Dur::Millis(5));
//! let program = Program {
//!     uses: vec![],
//!     items: vec![Item::Fn {
//!         attr: Attr::None,
//!         is_async: true,
//!         name: Name::A,
//!         params: vec![],
//!         body: Block(vec![Stmt::Semi(sleep)]),
//!     }],
//! };
//! assert_eq!(
//!     program.to_string(),
//!     "async fn a() {\n    std::thread::sleep(Duration::from_millis(5));\n}\n"
//! );
//! ```

use std::fmt::{self, Write};

use libfuzzer_sys::arbitrary::{self, Arbitrary};

/// Deeper than this, the printer writes a leaf (`a`, or an empty block), so that programs stay small.
pub const MAX_DEPTH: usize = 10;

/// At most this many items, statements, branches or arguments are printed from any one list.
const MAX_LIST: usize = 6;

/// A whole file: `use` declarations, then items.
#[derive(Arbitrary, Debug)]
pub struct Program {
    /// Imports, which change what bare and shortened paths mean.
    pub uses: Vec<Use>,
    /// Functions, impls and modules.
    pub items: Vec<Item>,
}

/// A `use` declaration.
#[derive(Arbitrary, Debug, Clone, Copy)]
#[allow(missing_docs)]
pub enum Use {
    ThreadSleep,
    ThreadGlob,
    Thread,
    Fs,
    FsAlias,
    FsRead,
    FsFile,
    TokioSpawn,
    Runtime,
    Builder,
    Handle,
    BlockOn,
    StdMutex,
    ParkingLotMutex,
    TokioMutex,
    Duration,
}

/// A fn, an impl block or a module.
#[derive(Arbitrary, Debug)]
pub enum Item {
    /// `#[attr] async fn name(params) { body }`
    Fn {
        /// `#[tokio::main]` and friends.
        attr: Attr,
        /// `async fn` or plain `fn`.
        is_async: bool,
        /// The fn's name.
        name: Name,
        /// Parameters with types the rules look at.
        params: Vec<Param>,
        /// The body.
        body: Block,
    },
    /// `impl Worker { fn ... }`: methods taking `&self`.
    Impl(Vec<(bool, Name, Block)>),
    /// `mod name { items }`.
    Mod(Name, Vec<Item>),
}

/// An attribute on a fn.
#[derive(Arbitrary, Debug, Clone, Copy)]
#[allow(missing_docs)]
pub enum Attr {
    None,
    TokioMain,
    TokioTest,
    Test,
}

/// A typed parameter; each type matters to some rule.
#[derive(Arbitrary, Debug, Clone, Copy)]
#[allow(missing_docs)]
pub enum Param {
    StdMutex(Name),
    TokioMutex(Name),
    Receiver(Name),
    Token(Name),
    Stream(Name),
    Duration(Name),
}

/// An identifier; the names hint at what a value is, as real code does.
#[derive(Arbitrary, Debug, Clone, Copy)]
#[allow(missing_docs)]
pub enum Name {
    A,
    B,
    M,
    Rx,
    Token,
    Socket,
    Rt,
    Handle,
    Client,
    Guard,
}

/// `{ stmts }`
#[derive(Arbitrary, Debug)]
pub struct Block(pub Vec<Stmt>);

/// A statement.
#[derive(Arbitrary, Debug)]
#[allow(missing_docs)]
pub enum Stmt {
    /// `let [mut] name = expr;` or `let _ = expr;`
    Let(Option<Name>, bool, Expr),
    /// `expr;`
    Semi(Expr),
    Loop(Block),
    While(Cond, Block),
    /// `for name in 0..n { body }`
    For(Name, Block),
    If(Cond, Block, Option<Block>),
    Break,
    Continue,
    Return,
    /// A statement under an `// asyncheck: allow(rule)` comment.
    Allowed(RuleName, Box<Stmt>),
    /// A fn defined inside a block.
    Item(Box<Item>),
}

/// A rule name in an allow comment; `Misspelt` is not a rule.
#[derive(Arbitrary, Debug, Clone, Copy)]
#[allow(missing_docs)]
pub enum RuleName {
    BlockingSleep,
    BlockingIo,
    SyncLockAcrossAwait,
    UnawaitedFuture,
    NestedRuntime,
    DetachedTask,
    SwallowedCancellation,
    Misspelt,
}

/// The condition of `while` and `if`.
#[derive(Arbitrary, Debug, Clone, Copy)]
#[allow(missing_docs)]
pub enum Cond {
    Flag(Name),
    NotEmpty(Name),
    /// `let Some(b) = rx.recv().await`
    LetRecv,
    NotCancelled,
    True,
}

/// An expression.
#[derive(Arbitrary, Debug)]
#[allow(missing_docs)]
pub enum Expr {
    Var(Name),
    Lit(u8),
    /// A call to one of the generated fns: `a()`.
    Call(Name),
    MethodCall(Box<Expr>, Method),
    Await(Box<Expr>),
    Try(Box<Expr>),
    /// `std::thread::sleep(..)` in one of its spellings.
    Sleep(PathStyle, Dur),
    /// A blocking `std::fs` call.
    Fs(FsFn, PathStyle),
    /// `m.lock().unwrap()` and friends.
    Lock(Name, LockKind),
    TokioSleep(Dur),
    Spawn(SpawnFn, Box<Expr>),
    SpawnBlocking(Block),
    ThreadSpawn(Block),
    /// `tokio::select! { biased; branches else => {} }`
    Select {
        biased: bool,
        first: Box<Branch>,
        rest: Vec<Branch>,
        otherwise: Option<Block>,
    },
    /// `tokio::join!(..)`
    Join(Vec<Expr>),
    /// `println!("{:?}", expr)`
    Println(Box<Expr>),
    RuntimeNew(RuntimeStyle),
    BlockOn(BlockOnStyle, Box<Expr>),
    ClientNew,
    AsyncBlock {
        is_move: bool,
        body: Block,
    },
    Closure {
        is_async: bool,
        is_move: bool,
        body: Block,
    },
    Block(Block),
}

/// One `pattern = future, if guard => { handler }` branch of a `select!`.
#[derive(Arbitrary, Debug)]
pub struct Branch {
    /// What the future's output is bound to.
    pub pattern: BranchPattern,
    /// The future.
    pub future: Expr,
    /// `, if name`
    pub guard: Option<Name>,
    /// The handler block.
    pub handler: Block,
}

/// A `select!` branch's pattern.
#[derive(Arbitrary, Debug, Clone, Copy)]
#[allow(missing_docs)]
pub enum BranchPattern {
    Wild,
    Bind(Name),
    Some(Name),
}

/// A method called with `.name(..)`.
#[derive(Arbitrary, Debug, Clone, Copy)]
#[allow(missing_docs)]
pub enum Method {
    Reload,
    Unwrap,
    Clone,
    Send,
    Recv,
    ReadExact,
    WriteAll,
    Tick,
    Cancelled,
    BlockingRecv,
    BlockingSend,
    Fuse,
    Get,
}

/// How a path to a std function is spelt, given the imports.
#[derive(Arbitrary, Debug, Clone, Copy)]
#[allow(missing_docs)]
pub enum PathStyle {
    /// `std::thread::sleep`
    Full,
    /// `thread::sleep`
    Module,
    /// `sleep`
    Bare,
    /// `disk::read` (for `use std::fs as disk`)
    Alias,
}

/// The argument of a sleep.
#[derive(Arbitrary, Debug, Clone, Copy)]
#[allow(missing_docs)]
pub enum Dur {
    Millis(u8),
    Var(Name),
}

/// A blocking file-system function.
#[derive(Arbitrary, Debug, Clone, Copy)]
#[allow(missing_docs)]
pub enum FsFn {
    Read,
    ReadToString,
    Write,
    FileOpen,
}

/// How a lock is taken.
#[derive(Arbitrary, Debug, Clone, Copy)]
#[allow(missing_docs)]
pub enum LockKind {
    LockUnwrap,
    LockAwait,
    LockBare,
    ReadUnwrap,
    WriteExpect,
}

/// What spawns a task.
#[derive(Arbitrary, Debug, Clone, Copy)]
#[allow(missing_docs)]
pub enum SpawnFn {
    Tokio,
    Task,
    Bare,
    Local,
    Handle,
    JoinSet,
}

/// How a runtime is built.
#[derive(Arbitrary, Debug, Clone, Copy)]
#[allow(missing_docs)]
pub enum RuntimeStyle {
    New,
    FullPath,
    CurrentThread,
    MultiThread,
}

/// What blocks on a future.
#[derive(Arbitrary, Debug, Clone, Copy)]
#[allow(missing_docs)]
pub enum BlockOnStyle {
    Runtime,
    Futures,
    Bare,
    HandleCurrent,
    TokioTest,
    Pollster,
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut printer = Printer::default();
        for import in self.uses.iter().take(MAX_LIST) {
            printer.line(import.source());
        }
        for item in self.items.iter().take(MAX_LIST) {
            printer.item(item);
        }
        f.write_str(&printer.out)
    }
}

impl Use {
    fn source(self) -> &'static str {
        match self {
            Use::ThreadSleep => "use std::thread::sleep;",
            Use::ThreadGlob => "use std::thread::*;",
            Use::Thread => "use std::thread;",
            Use::Fs => "use std::fs;",
            Use::FsAlias => "use std::fs as disk;",
            Use::FsRead => "use std::fs::{read, read_to_string, write};",
            Use::FsFile => "use std::fs::File;",
            Use::TokioSpawn => "use tokio::spawn;",
            Use::Runtime => "use tokio::runtime::Runtime;",
            Use::Builder => "use tokio::runtime::Builder;",
            Use::Handle => "use tokio::runtime::Handle;",
            Use::BlockOn => "use futures::executor::block_on;",
            Use::StdMutex => "use std::sync::{Mutex, RwLock};",
            Use::ParkingLotMutex => "use parking_lot::Mutex;",
            Use::TokioMutex => "use tokio::sync::Mutex;",
            Use::Duration => "use std::time::Duration;",
        }
    }
}

impl Name {
    fn ident(self) -> &'static str {
        match self {
            Name::A => "a",
            Name::B => "b",
            Name::M => "m",
            Name::Rx => "rx",
            Name::Token => "token",
            Name::Socket => "socket",
            Name::Rt => "rt",
            Name::Handle => "handle",
            Name::Client => "client",
            Name::Guard => "guard",
        }
    }
}

impl RuleName {
    fn name(self) -> &'static str {
        match self {
            RuleName::BlockingSleep => "blocking_sleep",
            RuleName::BlockingIo => "blocking_io",
            RuleName::SyncLockAcrossAwait => "sync_lock_across_await",
            RuleName::UnawaitedFuture => "unawaited_future",
            RuleName::NestedRuntime => "nested_runtime",
            RuleName::DetachedTask => "detached_task",
            RuleName::SwallowedCancellation => "swallowed_cancellation",
            RuleName::Misspelt => "blocking_slep",
        }
    }
}

/// Writes source text with indentation, tracking how deep it is.
#[derive(Default)]
struct Printer {
    out: String,
    indent: usize,
    depth: usize,
}

impl Printer {
    /// Writes `text` on a line of its own at the current indentation.
    fn line(&mut self, text: &str) {
        self.start_line();
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn start_line(&mut self) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
    }

    fn push(&mut self, text: &str) {
        self.out.push_str(text);
    }

    /// Runs `print` one nesting level deeper; returns false, printing nothing, past [`MAX_DEPTH`].
    fn nested(&mut self, print: impl FnOnce(&mut Self)) -> bool {
        if self.depth >= MAX_DEPTH {
            return false;
        }
        self.depth += 1;
        print(self);
        self.depth -= 1;
        true
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Fn {
                attr,
                is_async,
                name,
                params,
                body,
            } => {
                let attr = match attr {
                    Attr::None => None,
                    Attr::TokioMain => Some("#[tokio::main]"),
                    Attr::TokioTest => Some("#[tokio::test]"),
                    Attr::Test => Some("#[test]"),
                };
                if let Some(attr) = attr {
                    self.line(attr);
                }
                let params: Vec<String> = params.iter().take(3).map(|p| p.source()).collect();
                let asyncness = if *is_async { "async " } else { "" };
                self.start_line();
                let _ = write!(
                    self.out,
                    "{asyncness}fn {}({}) ",
                    name.ident(),
                    params.join(", ")
                );
                self.block(body);
                self.push("\n");
            }
            Item::Impl(methods) => {
                self.line("impl Worker {");
                self.indent += 1;
                for (is_async, name, body) in methods.iter().take(MAX_LIST) {
                    let asyncness = if *is_async { "async " } else { "" };
                    self.start_line();
                    let _ = write!(self.out, "{asyncness}fn {}(&self) ", name.ident());
                    self.block(body);
                    self.push("\n");
                }
                self.indent -= 1;
                self.line("}");
            }
            Item::Mod(name, items) => {
                self.line(&format!("mod {} {{", name.ident()));
                self.indent += 1;
                self.nested(|p| {
                    for item in items.iter().take(MAX_LIST) {
                        p.item(item);
                    }
                });
                self.indent -= 1;
                self.line("}");
            }
        }
    }

    /// `{ stmts }`, starting where the cursor is and ending after the `}`.
    fn block(&mut self, block: &Block) {
        self.push("{\n");
        self.indent += 1;
        self.nested(|p| {
            for stmt in block.0.iter().take(MAX_LIST) {
                p.stmt(stmt);
            }
        });
        self.indent -= 1;
        self.start_line();
        self.push("}");
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Let(name, is_mut, value) => {
                self.start_line();
                match (name, is_mut) {
                    (None, _) => self.push("let _ = "),
                    (Some(name), true) => {
                        let _ = write!(self.out, "let mut {} = ", name.ident());
                    }
                    (Some(name), false) => {
                        let _ = write!(self.out, "let {} = ", name.ident());
                    }
                }
                self.expr(value);
                self.push(";\n");
            }
            Stmt::Semi(expr) => {
                self.start_line();
                self.expr(expr);
                self.push(";\n");
            }
            Stmt::Loop(body) => self.keyword_block("loop ", body),
            Stmt::While(cond, body) => {
                self.keyword_block(&format!("while {} ", cond.source()), body);
            }
            Stmt::For(name, body) => {
                self.keyword_block(&format!("for {} in 0..3 ", name.ident()), body);
            }
            Stmt::If(cond, then, otherwise) => {
                self.start_line();
                let _ = write!(self.out, "if {} ", cond.source());
                self.block(then);
                if let Some(otherwise) = otherwise {
                    self.push(" else ");
                    self.block(otherwise);
                }
                self.push("\n");
            }
            Stmt::Break => self.line("break;"),
            Stmt::Continue => self.line("continue;"),
            Stmt::Return => self.line("return;"),
            Stmt::Allowed(rule, stmt) => {
                self.line(&format!(
                    "// asyncheck: allow({}) generated by the fuzzer",
                    rule.name()
                ));
                self.stmt(stmt);
            }
            Stmt::Item(item) => {
                self.nested(|p| p.item(item));
            }
        }
    }

    fn keyword_block(&mut self, head: &str, body: &Block) {
        self.start_line();
        self.push(head);
        self.block(body);
        self.push("\n");
    }

    /// An expression, or `a` past [`MAX_DEPTH`].
    fn expr(&mut self, expr: &Expr) {
        if !self.nested(|p| p.expr_here(expr)) {
            self.push("a");
        }
    }

    /// An expression that a postfix (`.await`, `.m()`, `?`) follows: parenthesised unless it is a plain path or call.
    fn receiver(&mut self, expr: &Expr) {
        let bare = matches!(
            expr,
            Expr::Var(_) | Expr::Call(_) | Expr::MethodCall(..) | Expr::Await(_) | Expr::Try(_)
        );
        if bare {
            self.expr(expr);
        } else {
            self.push("(");
            self.expr(expr);
            self.push(")");
        }
    }

    fn expr_here(&mut self, expr: &Expr) {
        match expr {
            Expr::Var(name) => self.push(name.ident()),
            Expr::Lit(n) => {
                let _ = write!(self.out, "{n}");
            }
            Expr::Call(name) => {
                let _ = write!(self.out, "{}()", name.ident());
            }
            Expr::MethodCall(receiver, method) => {
                self.receiver(receiver);
                self.push(method.source());
            }
            Expr::Await(future) => {
                self.receiver(future);
                self.push(".await");
            }
            Expr::Try(value) => {
                self.receiver(value);
                self.push("?");
            }
            Expr::Sleep(style, dur) => {
                let _ = write!(self.out, "{}({})", style.sleep(), dur.source());
            }
            Expr::Fs(function, style) => self.fs_call(*function, *style),
            Expr::Lock(name, kind) => {
                let _ = write!(self.out, "{}{}", name.ident(), kind.source());
            }
            Expr::TokioSleep(dur) => {
                let _ = write!(self.out, "tokio::time::sleep({})", dur.source());
            }
            Expr::Spawn(spawn, task) => {
                let function = match spawn {
                    SpawnFn::Tokio => "tokio::spawn",
                    SpawnFn::Task => "tokio::task::spawn",
                    SpawnFn::Bare => "spawn",
                    SpawnFn::Local => "tokio::task::spawn_local",
                    SpawnFn::Handle => "handle.spawn",
                    SpawnFn::JoinSet => "set.spawn",
                };
                self.call(function, |p| p.expr(task));
            }
            Expr::SpawnBlocking(body) => self.call("tokio::task::spawn_blocking", |p| {
                p.push("move || ");
                p.block(body);
            }),
            Expr::ThreadSpawn(body) => self.call("std::thread::spawn", |p| {
                p.push("move || ");
                p.block(body);
            }),
            Expr::Select {
                biased,
                first,
                rest,
                otherwise,
            } => self.select(*biased, first, rest, otherwise.as_ref()),
            Expr::Join(futures) => self.call("tokio::join!", |p| {
                for (i, future) in futures.iter().take(MAX_LIST).enumerate() {
                    if i > 0 {
                        p.push(", ");
                    }
                    p.expr(future);
                }
            }),
            Expr::Println(value) => self.call("println!", |p| {
                p.push("\"{:?}\", ");
                p.expr(value);
            }),
            Expr::RuntimeNew(style) => self.push(style.source()),
            Expr::BlockOn(style, future) => self.call(style.function(), |p| p.expr(future)),
            Expr::ClientNew => self.push("reqwest::Client::new()"),
            Expr::AsyncBlock { is_move, body } => {
                self.push(if *is_move { "async move " } else { "async " });
                self.block(body);
            }
            Expr::Closure {
                is_async,
                is_move,
                body,
            } => {
                if *is_async {
                    self.push("async ");
                }
                if *is_move {
                    self.push("move ");
                }
                self.push("|| ");
                self.block(body);
            }
            Expr::Block(body) => self.block(body),
        }
    }

    /// `function(args)`, the arguments written by `args`.
    fn call(&mut self, function: &str, args: impl FnOnce(&mut Self)) {
        self.push(function);
        self.push("(");
        args(self);
        self.push(")");
    }

    fn fs_call(&mut self, function: FsFn, style: PathStyle) {
        let module = match style {
            PathStyle::Full => "std::fs::",
            PathStyle::Module => "fs::",
            PathStyle::Bare => "",
            PathStyle::Alias => "disk::",
        };
        let (function, args) = match function {
            FsFn::Read => ("read", "\"config.toml\""),
            FsFn::ReadToString => ("read_to_string", "&path"),
            FsFn::Write => ("write", "path, b\"data\""),
            FsFn::FileOpen => ("File::open", "path"),
        };
        let _ = write!(self.out, "{module}{function}({args})");
    }

    fn select(&mut self, biased: bool, first: &Branch, rest: &[Branch], otherwise: Option<&Block>) {
        self.push("tokio::select! {\n");
        self.indent += 1;
        if biased {
            self.line("biased;");
        }
        for branch in std::iter::once(first).chain(rest.iter().take(MAX_LIST - 1)) {
            self.start_line();
            self.push(&branch.pattern.source());
            self.push(" = ");
            self.expr(&branch.future);
            if let Some(guard) = branch.guard {
                let _ = write!(self.out, ", if {}", guard.ident());
            }
            self.push(" => ");
            self.block(&branch.handler);
            self.push(",\n");
        }
        if let Some(otherwise) = otherwise {
            self.start_line();
            self.push("else => ");
            self.block(otherwise);
            self.push(",\n");
        }
        self.indent -= 1;
        self.start_line();
        self.push("}");
    }
}

impl Param {
    fn source(self) -> String {
        let (name, ty) = match self {
            Param::StdMutex(n) => (n, "&std::sync::Mutex<u32>"),
            Param::TokioMutex(n) => (n, "&tokio::sync::Mutex<u32>"),
            Param::Receiver(n) => (n, "&mut tokio::sync::mpsc::Receiver<u8>"),
            Param::Token(n) => (n, "tokio_util::sync::CancellationToken"),
            Param::Stream(n) => (n, "tokio::net::TcpStream"),
            Param::Duration(n) => (n, "std::time::Duration"),
        };
        format!("{}: {ty}", name.ident())
    }
}

impl Cond {
    fn source(self) -> String {
        match self {
            Cond::Flag(name) => name.ident().to_owned(),
            Cond::NotEmpty(name) => format!("!{}.is_empty()", name.ident()),
            Cond::LetRecv => "let Some(b) = rx.recv().await".to_owned(),
            Cond::NotCancelled => "!token.is_cancelled()".to_owned(),
            Cond::True => "true".to_owned(),
        }
    }
}

impl PathStyle {
    /// `std::thread::sleep` spelt this way.
    fn sleep(self) -> &'static str {
        match self {
            PathStyle::Full | PathStyle::Alias => "std::thread::sleep",
            PathStyle::Module => "thread::sleep",
            PathStyle::Bare => "sleep",
        }
    }
}

impl LockKind {
    fn source(self) -> &'static str {
        match self {
            LockKind::LockUnwrap => ".lock().unwrap()",
            LockKind::LockAwait => ".lock().await",
            LockKind::LockBare => ".lock()",
            LockKind::ReadUnwrap => ".read().unwrap()",
            LockKind::WriteExpect => ".write().expect(\"poisoned\")",
        }
    }
}

impl Dur {
    fn source(self) -> String {
        match self {
            Dur::Millis(ms) => format!("Duration::from_millis({ms})"),
            Dur::Var(name) => name.ident().to_owned(),
        }
    }
}

impl Method {
    fn source(self) -> &'static str {
        match self {
            Method::Reload => ".reload()",
            Method::Unwrap => ".unwrap()",
            Method::Clone => ".clone()",
            Method::Send => ".send(b)",
            Method::Recv => ".recv()",
            Method::ReadExact => ".read_exact(&mut buf)",
            Method::WriteAll => ".write_all(&buf)",
            Method::Tick => ".tick()",
            Method::Cancelled => ".cancelled()",
            Method::BlockingRecv => ".blocking_recv()",
            Method::BlockingSend => ".blocking_send(a)",
            Method::Fuse => ".fuse()",
            Method::Get => ".get(\"http://localhost/\").send()",
        }
    }
}

impl BranchPattern {
    fn source(self) -> String {
        match self {
            BranchPattern::Wild => "_".to_owned(),
            BranchPattern::Bind(name) => name.ident().to_owned(),
            BranchPattern::Some(name) => format!("Some({})", name.ident()),
        }
    }
}

impl RuntimeStyle {
    fn source(self) -> &'static str {
        match self {
            RuntimeStyle::New => "Runtime::new().unwrap()",
            RuntimeStyle::FullPath => "tokio::runtime::Runtime::new().unwrap()",
            RuntimeStyle::CurrentThread => {
                "Builder::new_current_thread().enable_all().build().unwrap()"
            }
            RuntimeStyle::MultiThread => {
                "tokio::runtime::Builder::new_multi_thread().build().unwrap()"
            }
        }
    }
}

impl BlockOnStyle {
    fn function(self) -> &'static str {
        match self {
            BlockOnStyle::Runtime => "rt.block_on",
            BlockOnStyle::Futures => "futures::executor::block_on",
            BlockOnStyle::Bare => "block_on",
            BlockOnStyle::HandleCurrent => "Handle::current().block_on",
            BlockOnStyle::TokioTest => "tokio_test::block_on",
            BlockOnStyle::Pollster => "pollster::block_on",
        }
    }
}
