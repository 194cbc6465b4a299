//! Flags a `select!` branch, inside a loop, whose future loses data when another branch wins.
//!
//! ## What it does
//! In a `tokio::select!` (or `futures::select!`) inside a `loop`, `while`,
//! `while let` or `for`, finds a branch whose future is created in the branch
//! by a call of a method that tokio documents as not cancellation safe, losing
//! data read or written so far when the future is dropped:
//! - `read_exact`, `read_to_end`, `read_to_string` (`AsyncReadExt`) and
//!   `write_all` (`AsyncWriteExt`), the data-loss list of `tokio::select!`'s
//!   "Cancellation safety" section;
//! - `read_line` (`AsyncBufReadExt`), whose own "Cancel safety" section says
//!   the partially read line is lost;
//! - the multi-byte integer and float reads of `AsyncReadExt` (`read_u16`,
//!   `read_i32`, `read_u64_le`, `read_f64`, … — every width from 16 to 128
//!   bits, big and little endian), each documented as not cancel safe because
//!   the bytes read so far are dropped with the future.
//!
//! Checked against tokio 1.54's documentation on docs.rs (the "Cancel safety"
//! sections of `tokio::io::AsyncReadExt`, `AsyncWriteExt` and
//! `AsyncBufReadExt`, and the "Cancellation safety" section of
//! `tokio::select!`).
//!
//! One call away: a branch that calls an `async fn` of the checked crate
//! which awaits one of these — directly or through other `async fn`s of the
//! crate it awaits, in any file — is flagged too, with a note at each hop
//! (calls resolved by path as `unawaited_future` resolves them; every
//! definition the call may refer to must be such a function).
//!
//! Not flagged:
//! - a future created and pinned before the loop and polled as `&mut fut`:
//!   it survives losing a round and continues where it stopped;
//! - a `select!` with a single future branch (nothing else can win);
//! - a `select!` whose other branches all leave the loop (`break`, `return`),
//!   so the lost data goes with the connection anyway;
//! - `write_all_buf`: tokio documents that it advances the buffer as it
//!   writes, so a new call resumes where the cancelled one stopped;
//! - `read_until`: tokio documents that the bytes read so far stay appended to
//!   the buffer, so calling it again with the same buffer continues;
//! - `read_u8` / `read_i8` (a single byte: documented as cancel safe), `read`,
//!   `read_buf`, `write`, `write_buf`, `flush`, `fill_buf` (documented as
//!   cancel safe);
//! - `write_u16` and the other multi-byte writes, whose cancel safety tokio
//!   does not document.
//!
//! ## Why is this bad?
//! When another branch completes first, `select!` drops the unfinished
//! future. `read_exact` may already have consumed part of a frame from the
//! socket into its buffer; the next iteration starts a fresh read and the
//! stream is out of sync. `write_all` may have written part of the buffer; the
//! next iteration writes it again from the start.
//!
//! ## Example
//! ```rust,ignore
//! loop {
//!     tokio::select! {
//!         r = socket.read_exact(&mut header) => handle(r?, &header).await,
//!         _ = ticker.tick() => send_ping().await,
//!     }
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! let read = socket.read_exact(&mut header);
//! tokio::pin!(read);
//! loop {
//!     tokio::select! {
//!         r = &mut read => { handle(r?).await; break; }
//!         _ = ticker.tick() => send_ping().await,
//!     }
//! }
//! ```
//! or read with a cancel-safe method (`read`, `read_buf`) into a buffer that
//! lives outside the loop, e.g. through `tokio_util::codec::FramedRead`.

use syn::Expr;
use syn::spanned::Spanned;

use super::helpers::{LoopExits, leaves_loop};
use super::{Cx, Rule, Select};
use crate::engine::summary::Effect;

/// See the module docs.
pub(crate) struct SelectNotCancelSafe;

/// Methods tokio documents as losing data when cancelled (see the module docs
/// for the source of each): `select!`'s list, `read_line`, and the multi-byte
/// integer and float reads of `AsyncReadExt`.
const NOT_CANCEL_SAFE: &[&str] = &[
    "read_exact",
    "read_to_end",
    "read_to_string",
    "write_all",
    "read_line",
    "read_u16",
    "read_i16",
    "read_u32",
    "read_i32",
    "read_u64",
    "read_i64",
    "read_u128",
    "read_i128",
    "read_f32",
    "read_f64",
    "read_u16_le",
    "read_i16_le",
    "read_u32_le",
    "read_i32_le",
    "read_u64_le",
    "read_i64_le",
    "read_u128_le",
    "read_i128_le",
    "read_f32_le",
    "read_f64_le",
];

const HELP: &str = "create the future once before the loop, `tokio::pin!` it and select on `&mut fut`, or use a cancel-safe method (`read`, `read_buf`, `write`, `write_buf`)";

impl Rule for SelectNotCancelSafe {
    /// Records, in an `async fn`'s summary, an operation from the list that it awaits.
    fn check_expr(&self, cx: &mut Cx<'_>, expr: &Expr) {
        let Expr::Await(awaited) = expr else {
            return;
        };
        let Some(method) = unsafe_method(&awaited.base) else {
            return;
        };
        cx.record_effect(
            Effect::NotCancelSafe,
            awaited.base.span(),
            HELP,
            &format!("`.{method}(..)`"),
        );
    }

    fn check_select(&self, cx: &mut Cx<'_>, select: &Select) {
        if cx.loops().is_empty() {
            return;
        }
        let futures = select
            .branches
            .iter()
            .filter(|b| b.future.is_some())
            .count();
        if futures < 2 {
            return;
        }
        for (index, branch) in select.branches.iter().enumerate() {
            let Some(future) = &branch.future else {
                continue;
            };
            let method = unsafe_method(future);
            let crate_fn = if method.is_none() {
                fresh_call(future).and_then(|call| cx.call_target(call))
            } else {
                None
            };
            if method.is_none() && crate_fn.is_none() {
                continue;
            }
            let others_leave = select
                .branches
                .iter()
                .enumerate()
                .filter(|(i, b)| *i != index && b.future.is_some())
                .all(|(_, b)| leaves_loop(&b.handler, LoopExits::EXPLICIT));
            if others_leave {
                continue;
            }
            if let Some((callee, written)) = crate_fn {
                let written = written.trim_end_matches("()").to_owned();
                cx.report_through(
                    &callee,
                    Effect::NotCancelSafe,
                    future.span(),
                    |chain| {
                        format!(
                            "`{written}(..)` is not cancel-safe in a looping `select!`: it awaits {}, whose progress is lost when another branch wins",
                            chain.operation
                        )
                    },
                    HELP,
                );
                continue;
            }
            let Some(method) = method else { continue };
            cx.report(
                branch.future.span(),
                format!(
                    "`.{method}(..)` is not cancel-safe in a looping `select!`: its progress is lost when another branch wins"
                ),
                HELP,
            );
        }
    }
}

/// The call that creates `future` afresh (through parentheses and `.fuse()`).
fn fresh_call(future: &Expr) -> Option<&Expr> {
    match future {
        Expr::Paren(p) => fresh_call(&p.expr),
        Expr::MethodCall(call) if call.method == "fuse" && call.args.is_empty() => {
            fresh_call(&call.receiver)
        }
        Expr::Call(_) | Expr::MethodCall(_) => Some(future),
        _ => None,
    }
}

/// The method name when `future` is a fresh call of a method that is not cancel-safe.
fn unsafe_method(future: &Expr) -> Option<String> {
    match future {
        Expr::Paren(p) => unsafe_method(&p.expr),
        // `futures::select!` needs fused futures.
        Expr::MethodCall(call) if call.method == "fuse" && call.args.is_empty() => {
            unsafe_method(&call.receiver)
        }
        Expr::MethodCall(call) => {
            let name = call.method.to_string();
            NOT_CANCEL_SAFE.contains(&name.as_str()).then_some(name)
        }
        _ => None,
    }
}
