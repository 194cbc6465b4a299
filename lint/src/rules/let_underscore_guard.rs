//! Flags `let _ = <async lock or semaphore>.await`, which releases the guard or permit at once.
//!
//! ## What it does
//! Finds `let _ = <init>;` (also `let _: T = <init>;`) where `<init>`, with a
//! trailing `?`, `.unwrap()` or `.expect(..)` taken off, is
//! - `x.lock().await`, `x.read().await` or `x.write().await` with no
//!   arguments: the async locks of tokio (`tokio::sync::Mutex`, `RwLock`),
//!   async-std, `async-lock` and `futures::lock::Mutex`. A std or
//!   `parking_lot` lock is not awaited; `AsyncReadExt::read(&mut buf)` and
//!   `AsyncWriteExt::write(&buf)` take an argument, so neither matches;
//! - `x.acquire().await`, `x.acquire_owned().await`, `x.acquire_many(n).await`
//!   or `x.acquire_many_owned(n).await` when `x` is known to be a semaphore:
//!   `Semaphore` is imported in that scope from `tokio::sync` (or
//!   `async_lock`, `smol::lock`), or `x` is a binding initialised with
//!   `Semaphore::new(..)` or `Arc::new(Semaphore::new(..))`. Other types
//!   have an async `acquire()` too — database pools hand out connections
//!   with it — so a receiver whose kind the syntax does not show is left alone.
//!   A semaphore bound in the same block to `Semaphore::new(0)` is a signal
//!   (other tasks call `add_permits`), and waiting for it with
//!   `let _ = done.acquire().await` is not flagged.
//!
//! This rule is pedantic: `let _ = m.lock().await` and
//! `let _ = sem.acquire().await` are also written on purpose, to wait until
//! the current holder is done or a signal arrives. Every finding of an early
//! version on the real-crates corpus (8, in moka, tokio, tokio-util and
//! async-std) was such a deliberate wait — in tests and a lock benchmark —
//! and none a lost critical section, so its precision on real code was far
//! below what a default rule needs. `drop(m.lock().await)` says "wait, then
//! release" and is never flagged.
//!
//! rustc's own `let_underscore_lock` lint (deny by default) covers only the
//! guards of `std::sync::Mutex` and `RwLock`; this rule does not flag those
//! (they are never `.await`ed), so nothing is reported twice.
//!
//! ## Why is this bad?
//! `let _ = expr;` binds nothing: the value is dropped at the end of the
//! statement, not at the end of the block. Dropping a `MutexGuard` unlocks
//! the mutex, and dropping a `SemaphorePermit` hands the permit back. So the
//! code after the `let` — the critical section the lock was taken for, or the
//! work the permit was meant to limit — runs with no lock held and no permit
//! taken: the race or the overload it was written to prevent is still there.
//! tokio's `Semaphore::acquire` returns `Result<SemaphorePermit<'_>, AcquireError>`
//! (`acquire_owned` an `OwnedSemaphorePermit`); the permit, not the call, is
//! what holds the slot.
//!
//! ## Example
//! ```rust,ignore
//! async fn append(log: &tokio::sync::Mutex<Vec<String>>, line: String) {
//!     let _ = log.lock().await;
//!     write_line(&line).await;
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! async fn append(log: &tokio::sync::Mutex<Vec<String>>, line: String) {
//!     let _guard = log.lock().await;
//!     write_line(&line).await;
//! }
//! ```
//! or `drop(log.lock().await);` when waiting for the lock and releasing it at
//! once really is the intent (it says so to the reader).
//!
//! ## Fix safety
//! `--fix` renames the `_` to `_guard` (locks) or `_permit` (semaphores), which
//! holds the guard to the end of the enclosing block, as the code after it
//! expects. It is applied only when the rest of that block does not mention
//! the lock's receiver (the first name of `x` in `x.lock()`) again: holding a
//! tokio `Mutex` guard while the same block locks it again would deadlock, so
//! there the fix is only suggested. Holding a lock longer can still deadlock
//! through a function that locks it on the receiver's behalf without naming
//! it; `--fix` cannot see that.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Expr, Local, Pat, Stmt};

use super::helpers::mentions;
use super::{Cx, Rule};
use crate::engine::resolve;
use crate::{Applicability, Edit, Fix, Span};

/// See the module docs.
pub(crate) struct LetUnderscoreGuard;

/// The semaphore types whose `acquire*` methods return a permit, as they resolve.
const SEMAPHORES: &[&[&str]] = &[
    &["tokio", "sync", "Semaphore"],
    &["async_lock", "Semaphore"],
    &["smol", "lock", "Semaphore"],
];

/// What `let _` throws away.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Held {
    Guard,
    Permit,
}

impl Rule for LetUnderscoreGuard {
    fn check_block(&self, cx: &mut Cx<'_>, block: &syn::Block) {
        for (index, stmt) in block.stmts.iter().enumerate() {
            let Stmt::Local(local) = stmt else { continue };
            let Some(wild) = wild_pattern(&local.pat) else {
                continue;
            };
            let Some(init) = &local.init else { continue };
            if init.diverge.is_some() {
                continue;
            }
            let Some(call) = awaited_call(&init.expr) else {
                continue;
            };
            let Some(held) = held_kind(cx, call, &block.stmts[..index]) else {
                continue;
            };
            let args = if call.args.is_empty() { "()" } else { "(..)" };
            let (name, what) = match held {
                Held::Guard => (
                    "_guard",
                    format!(
                        "`let _` drops the guard of `.{}{args}.await` at once, so the lock protects nothing",
                        call.method
                    ),
                ),
                Held::Permit => (
                    "_permit",
                    format!(
                        "`let _` returns the permit of `.{}{args}.await` at once, so the semaphore limits nothing",
                        call.method
                    ),
                ),
            };
            let rest: TokenStream = block.stmts[index + 1..]
                .iter()
                .flat_map(ToTokens::to_token_stream)
                .collect();
            let relocks = receiver_root(&call.receiver).is_none_or(|root| mentions(rest, &root));
            let fix = Fix {
                description: format!("bind it to `{name}` to hold it to the end of the block"),
                applicability: if relocks {
                    Applicability::MaybeIncorrect
                } else {
                    Applicability::MachineApplicable
                },
                edits: vec![Edit {
                    span: Span::from_pm2(wild),
                    replacement: name.to_owned(),
                }],
            };
            cx.report_with_fix(
                local.span(),
                what,
                format!(
                    "bind it to a name (`let {name} = …`) to hold it to the end of the block, or write `drop(…)` if releasing it at once is meant"
                ),
                fix,
            );
        }
    }
}

/// The span of `_` when `pat` is `_` or `_: T`.
fn wild_pattern(pat: &Pat) -> Option<proc_macro2::Span> {
    match pat {
        Pat::Wild(w) => Some(w.underscore_token.span),
        Pat::Type(t) => wild_pattern(&t.pat),
        _ => None,
    }
}

/// The method call awaited in `call(..).await`, `….await?`, `….await.unwrap()` or `….await.expect(..)`.
fn awaited_call(mut expr: &Expr) -> Option<&syn::ExprMethodCall> {
    loop {
        match expr {
            Expr::Try(t) => expr = &t.expr,
            Expr::MethodCall(m) if m.method == "unwrap" && m.args.is_empty() => {
                expr = &m.receiver;
            }
            Expr::MethodCall(m) if m.method == "expect" && m.args.len() == 1 => {
                expr = &m.receiver;
            }
            Expr::Await(a) => {
                let Expr::MethodCall(call) = &*a.base else {
                    return None;
                };
                return Some(call);
            }
            _ => return None,
        }
    }
}

/// Whether `call` (awaited) returns a lock guard or a semaphore permit;
/// `earlier` are the statements before it in its block.
fn held_kind(cx: &Cx<'_>, call: &syn::ExprMethodCall, earlier: &[Stmt]) -> Option<Held> {
    let method = call.method.to_string();
    match method.as_str() {
        "lock" | "read" | "write" if call.args.is_empty() => Some(Held::Guard),
        "acquire" | "acquire_owned" if call.args.is_empty() => {
            is_limiting_semaphore(cx, &call.receiver, earlier).then_some(Held::Permit)
        }
        "acquire_many" | "acquire_many_owned" if call.args.len() == 1 => {
            is_limiting_semaphore(cx, &call.receiver, earlier).then_some(Held::Permit)
        }
        _ => None,
    }
}

/// Whether `receiver` is known to be a semaphore, and not one created in
/// this block with no permits: `Semaphore::new(0)` is a signal that other
/// tasks release with `add_permits`, and `let _ = signal.acquire().await` the
/// usual way to wait for it.
fn is_limiting_semaphore(cx: &Cx<'_>, receiver: &Expr, earlier: &[Stmt]) -> bool {
    is_semaphore(cx, receiver, earlier)
        && !local_init(receiver, earlier).is_some_and(|init| starts_empty(cx, init))
}

/// The initialiser of the innermost `let` in `earlier` that binds the
/// variable `receiver` names (`x`, `&x`, `x.clone()`).
fn local_init<'e>(receiver: &Expr, earlier: &'e [Stmt]) -> Option<&'e Expr> {
    let receiver = match receiver {
        Expr::MethodCall(m) if m.method == "clone" && m.args.is_empty() => &m.receiver,
        Expr::Reference(r) => &r.expr,
        other => other,
    };
    let Expr::Path(path) = receiver else {
        return None;
    };
    let name = path.path.get_ident()?.to_string();
    earlier.iter().rev().find_map(|stmt| match stmt {
        Stmt::Local(local) if binds(local, &name) => local.init.as_ref().map(|i| &*i.expr),
        _ => None,
    })
}

/// `Semaphore::new(0)`, possibly inside `Arc::new(..)`.
fn starts_empty(cx: &Cx<'_>, init: &Expr) -> bool {
    let Expr::Call(call) = init else { return false };
    let Some(callee) = cx.callee(init) else {
        return false;
    };
    let [arg] = call.args.iter().collect::<Vec<_>>()[..] else {
        return false;
    };
    if is_semaphore_new(&callee) {
        return matches!(arg, Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(n), .. }) if n.base10_digits() == "0");
    }
    starts_empty(cx, arg)
}

/// Whether `receiver` is known to be a semaphore: `Semaphore` is imported
/// from a known crate in this scope, or `receiver` is a binding initialised
/// with `Semaphore::new(..)` (possibly in an `Arc::new(..)`).
fn is_semaphore(cx: &Cx<'_>, receiver: &Expr, earlier: &[Stmt]) -> bool {
    let ident = syn::Ident::new("Semaphore", proc_macro2::Span::call_site());
    if cx
        .resolve(&syn::Path::from(ident))
        .is_some_and(|canon| SEMAPHORES.iter().any(|s| resolve::is(&canon, s)))
    {
        return true;
    }
    let receiver = match receiver {
        Expr::MethodCall(m) if m.method == "clone" && m.args.is_empty() => &m.receiver,
        Expr::Reference(r) => &r.expr,
        other => other,
    };
    let Expr::Path(path) = receiver else {
        return false;
    };
    let Some(name) = path.path.get_ident().map(ToString::to_string) else {
        return false;
    };
    // The innermost `let name = ..` before the call in this block, else one in an enclosing block.
    let local_init = earlier.iter().rev().find_map(|stmt| match stmt {
        Stmt::Local(local) if binds(local, &name) => Some(local.init.as_ref().map(|i| &*i.expr)),
        _ => None,
    });
    match local_init {
        Some(Some(init)) => constructs_semaphore(cx, init),
        Some(None) => false,
        None => cx
            .binding(&name)
            .is_some_and(|canon| is_semaphore_new(canon)),
    }
}

/// Whether `local` binds `name` with a plain pattern.
fn binds(local: &Local, name: &str) -> bool {
    resolve::bound_name(&local.pat).is_some_and(|n| n == name)
}

/// `Semaphore::new(..)` or `Arc::new(Semaphore::new(..))`, resolved.
fn constructs_semaphore(cx: &Cx<'_>, init: &Expr) -> bool {
    let Some(callee) = cx.callee(init) else {
        return false;
    };
    if is_semaphore_new(&callee) {
        return true;
    }
    let Expr::Call(call) = init else { return false };
    let is_arc_new = resolve::is(&callee, &["std", "sync", "Arc", "new"])
        || resolve::is(&callee, &["Arc", "new"]);
    is_arc_new && call.args.len() == 1 && constructs_semaphore(cx, &call.args[0])
}

/// Whether `canon` is `<a known semaphore>::new`.
fn is_semaphore_new(canon: &[String]) -> bool {
    canon
        .split_last()
        .is_some_and(|(last, ty)| last == "new" && SEMAPHORES.iter().any(|s| resolve::is(ty, s)))
}

/// The first name of a receiver: `state` in `state.inner.lock()`, `self` in `self.lock.read()`.
fn receiver_root(mut expr: &Expr) -> Option<String> {
    loop {
        match expr {
            Expr::Field(f) => expr = &f.base,
            Expr::MethodCall(m) => expr = &m.receiver,
            Expr::Paren(p) => expr = &p.expr,
            Expr::Reference(r) => expr = &r.expr,
            Expr::Unary(u) => expr = &u.expr,
            Expr::Index(i) => expr = &i.expr,
            Expr::Path(p) => return p.path.segments.first().map(|s| s.ident.to_string()),
            _ => return None,
        }
    }
}
