//! Flags an async file or buffered writer that is written and then dropped without being flushed.
//!
//! ## What it does
//! In the body of an `async fn`, `async` block or `async` closure, finds
//! `let w = <writer>;` where `<writer>` is
//! - a `tokio::fs::File` opened for writing: `File::create(..)`,
//!   `File::create_new(..)`, `File::options()…open(..)` or
//!   `OpenOptions::new()…open(..)` (awaited, with `?`, `.unwrap()` or
//!   `.expect(..)`), or `File::from_std(..)`;
//! - a buffered writer: `tokio::io::BufWriter::new(..)` /
//!   `with_capacity(..)`, or `async_std::io::BufWriter`;
//!
//! and reports it when the rest of the block writes to it (`w.write_all(..)`,
//! `w.write(..)`, `w.write_buf(..)`, any `w.write_*(..)`) and never calls
//! `w.flush()`, `w.shutdown()`, `w.close()`, `w.sync_all()`, `w.sync_data()`
//! or `w.into_std()` after the last write. The finding is at the `let`, with
//! a note at the last write.
//!
//! Nothing is reported when the writer leaves the block's hands, as the code
//! that gets it may flush it: when `w` is used other than as the receiver of
//! a method call — passed to a function (`copy(&mut r, &mut w)`,
//! `finish(w)`), returned, stored in a struct, moved into a closure or an
//! `async` block, mentioned in a macro, or shadowed. A flush anywhere after
//! the last write counts, even on one branch only, and so does a flush in a
//! loop that also contains the last write (it runs after the write of the
//! previous iteration). Paths that leave early with `?` are not considered:
//! an error path that skips the flush is not what the rule is about.
//! `async_std::fs::File` is not flagged (it flushes when dropped, blocking the
//! thread to do so).
//!
//! ## Why is this bad?
//! Dropping an async writer cannot wait for anything. tokio's `File` hands
//! each write to a blocking thread and returns before it is done; its
//! documentation says a dropped file is not closed while operations are
//! pending and to call `flush` before dropping it. So a file written and
//! dropped may still be empty or short when it is read right after — a
//! classic source of flaky tests. tokio's and async-std's `BufWriter` do not
//! write their buffer when dropped at all: whatever is still buffered is
//! silently lost. Errors of the final write are lost either way.
//!
//! ## Example
//! ```rust,ignore
//! async fn save(path: &Path, report: &Report) -> io::Result<()> {
//!     let mut file = tokio::fs::File::create(path).await?;
//!     file.write_all(&report.to_bytes()).await?;
//!     Ok(())
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! async fn save(path: &Path, report: &Report) -> io::Result<()> {
//!     let mut file = tokio::fs::File::create(path).await?;
//!     file.write_all(&report.to_bytes()).await?;
//!     file.flush().await?;
//!     Ok(())
//! }
//! ```
//! (`sync_all().await?` when the data must also reach the disk, or
//! `tokio::fs::write(path, bytes).await?` for a single write.)
//!
//! There is no automatic fix: where the flush belongs, and what to do with
//! its error, depends on the function. Appending `w.flush().await?;` after
//! the last write needs a function that returns a compatible `Result`
//! (else `.unwrap()`, `let _ =` or logging — a choice for the author), and
//! a flush inside a loop would run per item when one after the loop was meant.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Stmt};

use super::helpers::{bound_name, mentions};
use super::{Cx, Rule};
use crate::engine::resolve;

/// See the module docs.
pub(crate) struct UnflushedAsyncWrite;

/// Constructors of a `tokio::fs::File` that may be written, awaited.
const FILE_OPENERS: &[&[&str]] = &[
    &["tokio", "fs", "File", "create"],
    &["tokio", "fs", "File", "create_new"],
    &["tokio", "fs", "File", "options"],
    &["tokio", "fs", "OpenOptions", "new"],
];

/// Buffered async writers that drop their buffer when dropped.
const BUF_WRITERS: &[&[&str]] = &[
    &["tokio", "io", "BufWriter"],
    &["async_std", "io", "BufWriter"],
];

/// Methods that wait for the pending writes.
const FLUSHES: &[&str] = &[
    "flush",
    "shutdown",
    "close",
    "sync_all",
    "sync_data",
    "into_std",
];

impl Rule for UnflushedAsyncWrite {
    fn check_block(&self, cx: &mut Cx<'_>, block: &syn::Block) {
        if !cx.is_async() {
            return;
        }
        for (index, stmt) in block.stmts.iter().enumerate() {
            let Stmt::Local(local) = stmt else { continue };
            let Some(name) = bound_name(&local.pat) else {
                continue;
            };
            let Some(init) = &local.init else { continue };
            if init.diverge.is_some() {
                continue;
            }
            let Some(kind) = writer_kind(cx, &init.expr) else {
                continue;
            };
            let mut uses = Uses::new(&name);
            for stmt in &block.stmts[index + 1..] {
                uses.visit_stmt(stmt);
            }
            let Some(last_write) = uses.unflushed_last_write() else {
                continue;
            };
            cx.report_with_notes(
                local.span(),
                format!("`{name}` ({kind}) is written but dropped without `.flush().await`"),
                format!("call `{name}.flush().await` after the last write (or `shutdown()`, or `sync_all()` for a file that must reach the disk)"),
                [(last_write, "the last write; nothing waits for it after this".to_owned())],
            );
        }
    }
}

/// What `init` makes, when it is a writer this rule knows: how a message names it.
fn writer_kind(cx: &Cx<'_>, init: &Expr) -> Option<&'static str> {
    let mut expr = init;
    // `….await?`, `….await.unwrap()`, `….await.expect(..)`
    loop {
        match expr {
            Expr::Try(t) => expr = &t.expr,
            Expr::MethodCall(m)
                if (m.method == "unwrap" && m.args.is_empty())
                    || (m.method == "expect" && m.args.len() == 1) =>
            {
                expr = &m.receiver;
            }
            _ => break,
        }
    }
    if let Expr::Await(awaited) = expr {
        let root = cx.chain_root(&awaited.base)?;
        return FILE_OPENERS
            .iter()
            .any(|opener| resolve::is(&root, opener))
            .then_some("a `tokio::fs::File`");
    }
    let callee = cx.callee(expr)?;
    let (function, ty) = callee.split_last()?;
    if resolve::is(ty, &["tokio", "fs", "File"]) && function == "from_std" {
        return Some("a `tokio::fs::File`");
    }
    let is_buf_writer = BUF_WRITERS.iter().any(|w| resolve::is(ty, w));
    (is_buf_writer && (function == "new" || function == "with_capacity")).then_some("a `BufWriter`")
}

/// What the rest of a block does with the writer, in source order.
struct Uses<'n> {
    name: &'n str,
    /// The writes: their span and the loops around them (ids).
    writes: Vec<(Span, Vec<usize>, usize)>,
    /// The flushes: the loops around them and their position.
    flushes: Vec<(Vec<usize>, usize)>,
    /// The writer is used in a way this rule cannot follow.
    escaped: bool,
    loops: Vec<usize>,
    next_loop: usize,
    position: usize,
}

impl<'n> Uses<'n> {
    fn new(name: &'n str) -> Self {
        Uses {
            name,
            writes: Vec::new(),
            flushes: Vec::new(),
            escaped: false,
            loops: Vec::new(),
            next_loop: 0,
            position: 0,
        }
    }

    fn is_name(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Path(p) if p.qself.is_none() && p.path.is_ident(self.name))
    }

    /// The last write, when no flush follows it (see the module docs).
    fn unflushed_last_write(&self) -> Option<Span> {
        if self.escaped {
            return None;
        }
        let (span, loops, position) = self.writes.last()?;
        let flushed = self.flushes.iter().any(|(flush_loops, flush_position)| {
            flush_position > position || flush_loops.iter().any(|l| loops.contains(l))
        });
        (!flushed).then_some(*span)
    }

    fn in_loop(&mut self, walk: impl FnOnce(&mut Self)) {
        self.loops.push(self.next_loop);
        self.next_loop += 1;
        walk(self);
        self.loops.pop();
    }
}

impl<'ast> Visit<'ast> for Uses<'_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        self.position += 1;
        match expr {
            Expr::MethodCall(m) if self.is_name(&m.receiver) => {
                let method = m.method.to_string();
                if method.starts_with("write") {
                    self.writes
                        .push((m.span(), self.loops.clone(), self.position));
                } else if FLUSHES.contains(&method.as_str()) {
                    self.flushes.push((self.loops.clone(), self.position));
                } else if method == "into_inner" {
                    self.escaped = true;
                }
                m.args.iter().for_each(|a| self.visit_expr(a));
            }
            Expr::Path(_) if self.is_name(expr) => self.escaped = true,
            Expr::Closure(_) | Expr::Async(_) => {
                if mentions(quote::ToTokens::to_token_stream(expr), self.name) {
                    self.escaped = true;
                }
            }
            Expr::Loop(_) | Expr::ForLoop(_) | Expr::While(_) => {
                self.in_loop(|uses| visit::visit_expr(uses, expr));
            }
            _ => visit::visit_expr(self, expr),
        }
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        visit::visit_local(self, local);
        // Shadowed: later uses are of another value.
        if mentions(quote::ToTokens::to_token_stream(&local.pat), self.name) {
            self.escaped = true;
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if mentions(mac.tokens.clone(), self.name) {
            self.escaped = true;
        }
    }

    // Nested items are separate code.
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}
