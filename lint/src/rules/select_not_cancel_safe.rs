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

/// See the module docs.
pub(crate) struct SelectNotCancelSafe;

/// Methods tokio documents as losing data when cancelled (besides the multi-byte
/// reads, see [`is_multi_byte_read`]): `select!`'s list, and `read_line`.
const NOT_CANCEL_SAFE: &[&str] = &[
    "read_exact",
    "read_to_end",
    "read_to_string",
    "write_all",
    "read_line",
];

/// `read_u16`, `read_i32_le`, `read_f64`, …: `AsyncReadExt`'s reads of more than one byte.
fn is_multi_byte_read(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("read_") else {
        return false;
    };
    let rest = rest.strip_suffix("_le").unwrap_or(rest);
    matches!(
        rest,
        "u16" | "i16" | "u32" | "i32" | "u64" | "i64" | "u128" | "i128" | "f32" | "f64"
    )
}

const HELP: &str = "create the future once before the loop, `tokio::pin!` it and select on `&mut fut`, or use a cancel-safe method (`read`, `read_buf`, `write`, `write_buf`)";

impl Rule for SelectNotCancelSafe {
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
            let Some(method) = branch.future.as_ref().and_then(unsafe_method) else {
                continue;
            };
            let others_leave = select
                .branches
                .iter()
                .enumerate()
                .filter(|(i, b)| *i != index && b.future.is_some())
                .all(|(_, b)| leaves_loop(&b.handler, LoopExits::EXPLICIT));
            if others_leave {
                continue;
            }
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
            (NOT_CANCEL_SAFE.contains(&name.as_str()) || is_multi_byte_read(&name)).then_some(name)
        }
        _ => None,
    }
}
