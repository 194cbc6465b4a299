//! The rule registry: the one list of rules, with their group, severity, documentation, hooks and options.
//!
//! The engine (`engine/`) knows no rule: it defines the plug-in interface
//! (`engine/rule.rs`: the `Rule` trait and its hooks, `RuleOption`; `engine/cx.rs`:
//! what a hook can ask and report) and runs the rules `lib.rs` picks from
//! [`RULES`]. Helpers that more than one rule needs live in `rules/helpers.rs`.
//!
//! # Adding a rule
//! These are all the files a new rule touches; nothing under `engine/` changes.
//! 1. `lint/src/rules/<rule_name>.rs` (new): a `//!` doc comment with the
//!    sections `## What it does`, `## Why is this bad?`, `## Example` and
//!    `## Use instead` (it *is* the rule's documentation, shown by
//!    `--explain`), and a unit struct implementing `Rule` — override only the
//!    hooks you need. Its helpers stay in this file unless another rule needs
//!    them too (then `rules/helpers.rs`, with a unit test). Facts it records
//!    about functions for calls in other files are `RuleFact` constants named
//!    `"<rule_name>::<fact>"` in this file; its options are `RuleOption`
//!    constants in this file.
//! 2. `lint/src/rules/mod.rs` (this file): the `mod` line, and one `rule!`
//!    line in [`RULES`] (with `; options: [..]` listing its option constants).
//! 3. `lint/tests/fixtures/<rule_name>.rs` (new): at least 10 flagged lines,
//!    each with a `//~ <rule_name>` marker, and clean look-alikes beside them.
//! 4. `lint/tests/snapshots/fixtures__<rule_name>.snap` (new): accept it after
//!    reading it (`cargo insta review`); with a fix, also
//!    `lint/tests/fix_snapshots/<rule_name>.snap`.
//! 5. `docs/rules.md`: regenerate it (`ASYNCHECK_BLESS=1 cargo test -p
//!    asyncheck-lint --test docs`) and read the diff; the test fails while it is stale.
//! 6. Only for a rule with options: `lint/src/config.rs`, whose `//!` example
//!    must show every option (a test checks it).
//!
//! A rule that panics at run time when hit is registered with `Error` as its
//! default severity (`rule!(name, hooks, Group, Error)`). A rule with a
//! `--fix` attaches a [`Fix`](crate::Fix) with `Cx::report_with_fix` and
//! documents when it applies in a `## Fix safety` section.

use std::fmt;

use crate::Severity;
use crate::config::RuleOptions;
use crate::engine::Plugin;
pub(crate) use crate::engine::{Cx, Rule, RuleOption, Select};

mod block_in_place_current_thread;
mod blocking_io;
mod blocking_sleep;
mod busy_wait;
mod client_per_request;
mod detached_task;
pub(crate) mod helpers;
mod let_underscore_guard;
mod missing_timeout;
mod nested_runtime;
mod select_not_cancel_safe;
mod span_guard_across_await;
mod swallowed_cancellation;
mod sync_lock_across_await;
mod tokio_blocking_method;
mod unawaited_future;
mod unbounded_spawn;
mod unflushed_async_write;

/// Whether a rule runs by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// Runs unless ignored: likely bugs with few false positives.
    Default,
    /// Runs only when selected (`--select name` or `--select all`).
    Pedantic,
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Group::Default => "default",
            Group::Pedantic => "pedantic",
        })
    }
}

/// A rule's registry entry.
pub struct RuleInfo {
    /// The rule's name, as used by `--select` and allow comments.
    pub name: &'static str,
    /// Whether it runs by default.
    pub group: Group,
    /// The default severity of its findings: `Error` for patterns that panic at run time, else `Warning`.
    pub severity: Severity,
    /// The text of the rule's source file; its leading `//!` lines are the docs.
    pub(crate) source: &'static str,
    pub(crate) hooks: &'static dyn Rule,
    /// The options it accepts under `[rules.<name>]` in the configuration
    /// (its option schema); empty for most rules.
    pub(crate) options: &'static [RuleOption],
    /// The clippy lints that catch the same pattern (`await_holding_lock`):
    /// code that allows or expects one of them (`#[allow(clippy::..)]` on an
    /// enclosing item, or `#![allow(clippy::..)]` in the file) is not checked by this rule.
    pub(crate) clippy_lints: &'static [&'static str],
}

impl fmt::Debug for RuleInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleInfo")
            .field("name", &self.name)
            .field("group", &self.group)
            .field("severity", &self.severity)
            .finish_non_exhaustive()
    }
}

impl RuleInfo {
    /// The rule's documentation: its source file's leading `//!` comment, as Markdown.
    ///
    /// ```
    /// let docs = asyncheck_lint::rule("blocking_sleep").unwrap().docs();
    /// assert!(docs.contains("## Why is this bad?"));
    /// ```
    pub fn docs(&self) -> String {
        let mut out = String::new();
        for line in self.source.lines().map_while(|l| l.strip_prefix("//!")) {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }

    /// The rule as the engine runs it, with the values `configured` gives its options.
    pub(crate) fn plugin<'l>(&self, configured: &'l RuleOptions) -> Plugin<'l> {
        Plugin {
            name: self.name,
            severity: self.severity,
            hooks: self.hooks,
            clippy_lints: self.clippy_lints,
            options: self
                .options
                .iter()
                .map(|&option| (option, configured.get(self.name, option)))
                .collect(),
        }
    }

    /// The first line of the docs: what the rule flags, in one sentence.
    pub fn summary(&self) -> String {
        self.docs().lines().next().unwrap_or_default().to_owned()
    }
}

/// `rule!(name, hooks, Group)` registers a rule whose findings are warnings;
/// `rule!(name, hooks, Group, Error)` one whose findings are errors by default
/// (for patterns that panic at run time). Configuration can override either.
/// A rule with options lists them after a `;`:
/// `rule!(name, hooks, Group; options: [name::AN_OPTION])`.
/// A rule that a clippy lint matches names it after a `;`:
/// `rule!(name, hooks, Group; clippy: ["await_holding_lock"])`.
macro_rules! rule {
    (@severity) => {
        Severity::Warning
    };
    (@severity $severity:ident) => {
        Severity::$severity
    };
    ($name:ident, $hooks:path, $group:ident $(, $severity:ident)? $(; options: [$($option:path),* $(,)?])? $(; clippy: [$($lint:literal),* $(,)?])?) => {
        RuleInfo {
            name: stringify!($name),
            group: Group::$group,
            severity: rule!(@severity $($severity)?),
            source: include_str!(concat!(stringify!($name), ".rs")),
            hooks: &$hooks,
            options: &[$($($option),*)?],
            clippy_lints: &[$($($lint),*)?],
        }
    };
}

/// Every rule, in the order `--list-rules` shows them.
pub static RULES: &[RuleInfo] = &[
    rule!(
        blocking_sleep,
        blocking_sleep::BlockingSleep,
        Default;
        options: [blocking_sleep::EXTRA_FUNCTIONS]
    ),
    rule!(
        unawaited_future,
        unawaited_future::UnawaitedFuture,
        Default;
        options: [unawaited_future::EXTRA_ASYNC_FNS];
        clippy: ["let_underscore_future"]
    ),
    rule!(
        nested_runtime,
        nested_runtime::NestedRuntime,
        Default,
        Error
    ),
    rule!(
        swallowed_cancellation,
        swallowed_cancellation::SwallowedCancellation,
        Default
    ),
    rule!(
        blocking_io,
        blocking_io::BlockingIo,
        Default;
        options: [blocking_io::EXTRA_FUNCTIONS]
    ),
    rule!(
        tokio_blocking_method,
        tokio_blocking_method::TokioBlockingMethod,
        Default,
        Error
    ),
    rule!(
        sync_lock_across_await,
        sync_lock_across_await::SyncLockAcrossAwait,
        Default;
        clippy: ["await_holding_lock"]
    ),
    rule!(
        select_not_cancel_safe,
        select_not_cancel_safe::SelectNotCancelSafe,
        Default
    ),
    rule!(
        span_guard_across_await,
        span_guard_across_await::SpanGuardAcrossAwait,
        Default
    ),
    rule!(
        block_in_place_current_thread,
        block_in_place_current_thread::BlockInPlaceCurrentThread,
        Default,
        Error
    ),
    rule!(
        unflushed_async_write,
        unflushed_async_write::UnflushedAsyncWrite,
        Default
    ),
    rule!(detached_task, detached_task::DetachedTask, Pedantic),
    rule!(unbounded_spawn, unbounded_spawn::UnboundedSpawn, Pedantic),
    rule!(busy_wait, busy_wait::BusyWait, Pedantic),
    rule!(
        client_per_request,
        client_per_request::ClientPerRequest,
        Pedantic
    ),
    rule!(
        let_underscore_guard,
        let_underscore_guard::LetUnderscoreGuard,
        Pedantic
    ),
    rule!(missing_timeout, missing_timeout::MissingTimeout, Pedantic),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_documents_every_section() {
        for rule in RULES {
            let docs = rule.docs();
            assert!(
                !rule.summary().is_empty(),
                "rule `{}` has no summary line",
                rule.name
            );
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead",
            ] {
                assert!(
                    docs.lines().any(|l| l.trim() == section),
                    "rule `{}` lacks the `{section}` section in its `//!` docs",
                    rule.name
                );
            }
        }
    }

    #[test]
    fn rule_names_are_unique_snake_case() {
        let mut names: Vec<_> = RULES.iter().map(|r| r.name).collect();
        assert!(
            names
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        );
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RULES.len(), "duplicate rule names");
    }
}
