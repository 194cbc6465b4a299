//! What a rule hook sees and does: [`Cx`], the state of the walk at the current node, its questions and its reports.
//!
//! The [`Walker`](super::walker::Walker) keeps a `Cx` up to date as it walks
//! a file (bodies, loops, scopes, enclosing `.await`s and statements) and
//! hands it to each active rule's hooks with that rule as the current one:
//! the rule asks it where it is ("am I in async context?", "what does this
//! path resolve to?") and reports findings through it.

use std::path::PathBuf;

use syn::Expr;

use super::index::{Condition, Fact, FnIndex, FutureSource, RuleFact, free_key};
use super::resolve::{self, Canon, Scope};
use super::rule::{Plugin, RuleOption};
use super::types::TypeEnv;
use crate::{Finding, Span};

/// What kind of code body the walker is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyKind {
    /// Module level, a sync `fn`, a `const`/`static` initialiser.
    Sync,
    /// A sync closure: may run on another thread (`spawn_blocking`, `thread::spawn`).
    SyncClosure,
    /// An `async fn` (including `#[tokio::main]`/`#[tokio::test]` ones).
    AsyncFn,
    /// An `async` block.
    AsyncBlock,
    /// An `async` closure.
    AsyncClosure,
}

/// The kind of a loop enclosing the current code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LoopKind {
    /// `loop { }`
    Loop,
    /// `while cond { }` — can also be left by making `cond` false.
    While,
    /// `while let pat = expr { }`
    WhileLet,
    /// `for pat in iter { }`
    For,
}

/// A code body being walked: a function's, a closure's, an `async` block's or an initialiser's.
#[derive(Debug)]
pub(super) struct Frame {
    pub(super) kind: BodyKind,
    /// Loops inside this body, innermost last (a `break` cannot cross a body).
    pub(super) loops: Vec<LoopKind>,
    /// `Some` when this body is a function's.
    pub(super) def: Option<FnDef>,
}

/// A function whose body is being walked: what the index will list it as, and its facts so far.
#[derive(Debug)]
pub(super) struct FnDef {
    /// `None` for a function the index does not list (one inside another function's body).
    pub(super) callee: Option<FutureSource>,
    /// Whether calling it creates a future ([`Fact::Async`]).
    pub(super) is_async: bool,
    /// The rule facts recorded about it so far, each once.
    pub(super) facts: Vec<RuleFact>,
}

/// Where the file being checked sits, for findings and the cross-file index.
#[derive(Debug)]
pub(crate) struct FileCtx {
    pub(crate) path: PathBuf,
    pub(crate) crate_root: PathBuf,
    pub(crate) module_path: Vec<String>,
}

/// What a rule hook can see and do.
pub(crate) struct Cx<'f> {
    pub(super) file: &'f FileCtx,
    pub(super) frames: Vec<Frame>,
    pub(super) scopes: Vec<Scope>,
    /// The rule whose hook is running: its findings carry its name.
    pub(super) rule: &'f Plugin<'f>,
    /// Addresses of the operands of the `.await`s enclosing the current node.
    pub(super) awaited: Vec<usize>,
    /// Addresses of the expressions of the `expr;` statements enclosing the current node.
    pub(super) statements: Vec<usize>,
    /// How many macro bodies enclose the current node.
    pub(super) macro_depth: usize,
    pub(super) findings: Vec<Finding>,
    /// The conditions of the findings that wait for the cross-file index
    /// (first pass only; see [`Walker::new`](super::walker::Walker::new)).
    pub(super) pending: Vec<Condition>,
    /// This file's contributions to the cross-file index.
    pub(super) index: FnIndex,
    /// The merged index of every file, in the second pass.
    pub(super) settle: Option<&'f FnIndex>,
    /// What the code says about the types of names in scope (see [`Cx::declared_type`]).
    pub(super) types: TypeEnv,
}

impl Cx<'_> {
    /// Whether the current code runs as part of a future (async fn, async block, async closure).
    pub(crate) fn is_async(&self) -> bool {
        self.frames.last().is_some_and(|f| {
            matches!(
                f.kind,
                BodyKind::AsyncFn | BodyKind::AsyncBlock | BodyKind::AsyncClosure
            )
        })
    }

    /// The loops enclosing the current code within the current body, innermost last.
    pub(crate) fn loops(&self) -> &[LoopKind] {
        self.frames.last().map_or(&[], |f| &f.loops)
    }

    /// Resolves a path through the `use`s and items in scope; `None` when it names a local variable.
    pub(crate) fn resolve(&self, path: &syn::Path) -> Option<Canon> {
        resolve::resolve(&self.scopes, path)
    }

    /// The resolved path of the function `expr` calls, when it is a call of a plain path.
    pub(crate) fn callee(&self, expr: &Expr) -> Option<Canon> {
        let Expr::Call(call) = expr else { return None };
        let Expr::Path(func) = &*call.func else {
            return None;
        };
        if func.qself.is_some() {
            return None;
        }
        self.resolve(&func.path)
    }

    /// The declared type of `expr`, as the canonical path of its item, when the
    /// code says it: a local or parameter with a type annotation or built by a
    /// constructor, `self` in an `impl`, a field of a struct declared in this
    /// file, through `&`, `*`, `Arc`/`Rc`/`Box` and same-file type aliases
    /// (see [`types`](super::types)). `None` when unknown.
    ///
    /// ```rust,ignore
    /// // struct Server { state: Arc<parking_lot::Mutex<State>> } … impl Server { fn f(&self) {
    /// cx.declared_type(&parse_quote!(self.state)) // Some(["parking_lot", "Mutex"])
    /// ```
    pub(crate) fn declared_type(&self, expr: &Expr) -> Option<Canon> {
        self.types.type_of(expr)
    }

    /// For a `let name = path(..)` binding in scope, the resolved `path`.
    pub(crate) fn binding(&self, name: &str) -> Option<&Canon> {
        resolve::binding(&self.scopes, name)
    }

    /// For a `let name = path(..).method(..)?…` binding in scope (a method chain
    /// on a call, with no `.await` in it), the resolved `path` at its root.
    pub(crate) fn binding_root(&self, name: &str) -> Option<&Canon> {
        resolve::binding_root(&self.scopes, name)
    }

    /// Whether `option` of the current rule lists `canon`, a resolved path,
    /// exactly (`crate::net::get` lists neither `crate::get` nor `crate::net::get::x`).
    ///
    /// # Panics
    /// When the current rule's registry entry does not declare `option`.
    pub(crate) fn option_lists(&self, option: RuleOption, canon: &[String]) -> bool {
        lists(self.rule.option(option), canon)
    }

    /// The kind of body the current code is in (`None` at module level).
    pub(crate) fn body(&self) -> Option<BodyKind> {
        self.frames.last().map(|f| f.kind)
    }

    /// Whether `expr` is the whole expression of the innermost `expr;` statement,
    /// written directly in the source (not inside a macro body): where a fix may
    /// append `.await` or rewrite the call without changing the surrounding code.
    pub(crate) fn is_statement(&self, expr: &Expr) -> bool {
        self.macro_depth == 0 && self.statements.last() == Some(&std::ptr::from_ref(expr).addr())
    }

    /// Whether `expr` is the operand of an `.await` (`expr.await`).
    pub(crate) fn is_awaited(&self, expr: &Expr) -> bool {
        let addr = std::ptr::from_ref(expr).addr();
        self.awaited.contains(&addr)
    }

    /// The cross-file index key of a resolved path into the checked crate.
    pub(crate) fn free_fn_key(&self, canon: &[String]) -> Option<String> {
        free_key(&self.file.crate_root, canon)
    }

    /// Reports a finding of the current rule covering `span`.
    pub(crate) fn report(
        &mut self,
        span: proc_macro2::Span,
        message: String,
        help: impl Into<String>,
    ) {
        let finding = self.finding(span, message, help.into());
        self.findings.push(finding);
    }

    /// Reports a finding of the current rule covering `span`, with a fix.
    pub(crate) fn report_with_fix(
        &mut self,
        span: proc_macro2::Span,
        message: String,
        help: impl Into<String>,
        fix: crate::Fix,
    ) {
        let mut finding = self.finding(span, message, help.into());
        finding.fix = Some(fix);
        self.findings.push(finding);
    }

    /// Reports a finding of the current rule covering `span`, with notes: other
    /// places in the file, each with what it shows (see [`crate::Note`]).
    pub(crate) fn report_with_notes(
        &mut self,
        span: proc_macro2::Span,
        message: String,
        help: impl Into<String>,
        notes: impl IntoIterator<Item = (proc_macro2::Span, String)>,
    ) {
        let mut finding = self.finding(span, message, help.into());
        finding.notes = notes
            .into_iter()
            .map(|(span, message)| crate::Note {
                span: Span::from_pm2(span),
                message,
            })
            .collect();
        self.findings.push(finding);
    }

    /// Reports a finding that stands only if `source` turns out to be an `async fn` once all files are indexed.
    pub(crate) fn report_if_future(
        &mut self,
        source: &FutureSource,
        span: proc_macro2::Span,
        message: String,
        help: impl Into<String>,
    ) {
        self.report_if(source, &[Fact::Async], span, message, help);
    }

    /// Reports a finding that stands only if every definition `callee` may refer to
    /// turns out to have all of `facts` once all files are indexed.
    pub(crate) fn report_if(
        &mut self,
        callee: &FutureSource,
        facts: &'static [Fact],
        span: proc_macro2::Span,
        message: String,
        help: impl Into<String>,
    ) {
        if self.holds(Condition::new(callee, facts)) {
            let finding = self.finding(span, message, help.into());
            self.findings.push(finding);
        }
    }

    /// Records `fact` about the function whose every call runs the current code:
    /// the innermost enclosing `fn`, seen through `async` blocks but not through
    /// closures (which may run once, later or never). Does nothing outside a function.
    /// A rule records only its own facts (named `"<rule>::<fact>"`).
    pub(crate) fn record_fact(&mut self, fact: RuleFact) {
        debug_assert!(
            fact.name()
                .strip_prefix(self.rule.name)
                .is_some_and(|rest| rest.starts_with("::")),
            "rule `{}` records `{}`, which is not one of its facts",
            self.rule.name,
            fact.name()
        );
        for frame in self.frames.iter_mut().rev() {
            if let Some(def) = &mut frame.def {
                if !def.facts.contains(&fact) {
                    def.facts.push(fact);
                }
                return;
            }
            if frame.kind != BodyKind::AsyncBlock {
                return;
            }
        }
    }

    /// As [`report_if_future`](Self::report_if_future), with a fix for when it stands.
    pub(crate) fn report_if_future_with_fix(
        &mut self,
        source: &FutureSource,
        span: proc_macro2::Span,
        message: String,
        help: impl Into<String>,
        fix: crate::Fix,
    ) {
        let condition = Condition::new(source, &[Fact::Async]);
        if self.holds(condition) {
            let mut finding = self.finding(span, message, help.into());
            finding.fix = Some(fix);
            self.findings.push(finding);
        }
    }

    /// Whether a finding waiting for `condition` stands: in the second pass,
    /// whether the merged index says so; in the first, never — the condition is
    /// kept, and the file is checked again if it turns out to hold.
    fn holds(&mut self, condition: Condition) -> bool {
        if let Some(index) = self.settle {
            return index.holds(&condition);
        }
        self.pending.push(condition);
        false
    }

    fn finding(&self, span: proc_macro2::Span, message: String, help: String) -> Finding {
        Finding {
            rule: self.rule.name,
            severity: self.rule.severity,
            message,
            path: self.file.path.clone(),
            span: Span::from_pm2(span),
            help,
            fix: None,
            notes: Vec::new(),
        }
    }

    /// The module the current code is in, as a path from the crate root.
    pub(super) fn module_path(&self) -> &[String] {
        self.scopes
            .iter()
            .rev()
            .find_map(|s| s.module.as_deref())
            .unwrap_or(&[])
    }
}

/// Whether `canon` (a resolved path) is one of `list` (paths written `a::b::f`).
fn lists(list: &[String], canon: &[String]) -> bool {
    list.iter()
        .any(|entry| entry.split("::").count() == canon.len() && entry.split("::").eq(canon.iter()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_paths_match_resolved_paths_exactly() {
        let list = vec!["crate::net::get".to_owned()];
        let canon = |s: &str| s.split("::").map(str::to_owned).collect::<Vec<_>>();
        assert!(lists(&list, &canon("crate::net::get")));
        assert!(!lists(&list, &canon("crate::get")));
        assert!(!lists(&list, &canon("crate::net::get::x")));
    }
}
