//! The engine: from files to a sorted [`Report`], one parse and one walk per file, in parallel.
//!
//! Per file (on a rayon worker): read → parse → walk with every rule the
//! [`RuleSet`] holds → drop suppressed findings. Each file also hands back its
//! part of the cross-file index of functions and their facts, and the
//! findings that depend on it; those are settled once all files are done. A
//! panic while checking a file is caught and becomes an `internal_error`
//! finding for that file.
//!
//! The engine knows no rule: the rules plug in through [`rule`] (their hooks,
//! their names and severities, the facts they record), and `lib.rs` hands the
//! engine the selected ones.
//!
//! A stack overflow cannot be caught, and parsing, walking and dropping a
//! syntax tree all recurse once per nesting level. So files are checked on
//! the engine's own thread pool, whose workers have a [`STACK_SIZE`] stack,
//! and a file nested deeper than [`depth::MAX_DEPTH`] is reported as
//! `too_complex` without being parsed.

pub(crate) mod cx;
pub(crate) mod depth;
pub(crate) mod docs;
pub(crate) mod finding;
pub(crate) mod index;
pub(crate) mod inline;
pub(crate) mod macros;
pub(crate) mod parse;
pub(crate) mod resolve;
pub(crate) mod rule;
pub(crate) mod session;
pub(crate) mod signature;
pub(crate) mod summary;
pub(crate) mod suppress;
pub(crate) mod test_code;
pub(crate) mod types;
pub(crate) mod walk;
pub(crate) mod walker;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::{Finding, Report, Span};
use cx::FileCtx;
pub(crate) use cx::{BodyKind, Cx, LoopKind, LoopTest};
pub(crate) use finding::EngineFinding;
use index::{Condition, FnIndex};
pub(crate) use macros::Select;
pub(crate) use rule::{Plugin, Rule, RuleOption, RuleSet};
use walker::Walker;

/// What checking one file produced.
#[derive(Default)]
struct FileOutcome {
    findings: Vec<Finding>,
    /// The conditions of the findings that wait for the merged index, without
    /// duplicates (first pass only).
    pending: Vec<Condition>,
    index: FnIndex,
    /// The text, kept only when there are findings to render it for.
    source: Option<Arc<str>>,
}

impl FileOutcome {
    /// The outcome of a file that could not be checked at all.
    fn failed(finding: Finding) -> Self {
        FileOutcome {
            findings: vec![finding],
            ..FileOutcome::default()
        }
    }
}

/// The stack of each of the engine's worker threads.
///
/// Parsing, walking and dropping one nesting level takes (measured, syn 2,
/// per bracket level) 3–11 KiB of stack in a release build: 3 KiB for `(`,
/// 5 KiB for a block, 11 KiB for `|| {`; and 13–45 KiB in a debug build. So
/// a file at [`depth::MAX_DEPTH`] needs at most ~270 MiB in release, and
/// 25,000 nested blocks ~525 MiB in debug. Nesting without brackets
/// (`|| || x`: ~4 KiB a level in release) is bounded only by this stack.
/// The stack is reserved address space: only the pages a deep file touches
/// are ever backed by memory.
pub(crate) const STACK_SIZE: usize = 1 << 30;

/// The engine's thread pool: rayon's default number of threads, each with a
/// [`STACK_SIZE`] stack. It is its own pool, not the global one, so that a
/// program using this library keeps its own rayon configuration; `None` when
/// the threads cannot be created, and the caller's threads are used instead.
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("asyncheck-{i}"))
            .stack_size(STACK_SIZE)
            .build()
            .ok()
    })
    .as_ref()
}

/// Runs `op` on the engine's pool (see [`pool`]): anything that parses or walks
/// a whole file must, as deep nesting needs the large stack.
pub(crate) fn on_pool<R: Send>(op: impl FnOnce() -> R + Send) -> R {
    match pool() {
        Some(pool) => pool.install(op),
        None => op(),
    }
}

/// Checks the walked files with `rules` in parallel and merges the results with the walk's problems.
pub(crate) fn check_files(rules: &RuleSet, walked: walk::Walked) -> Report {
    let check = |file: usize, settle: Option<&FnIndex>| {
        let path = &walked.files[file];
        match parse::read(path) {
            Ok(source) => check_text(rules, path, source.into(), settle),
            Err(finding) => FileOutcome::failed(*finding),
        }
    };
    on_pool(|| {
        let first = (0..walked.files.len())
            .into_par_iter()
            .fold(FirstPass::default, |pass, file| {
                pass.add(file, check(file, None))
            })
            .reduce(FirstPass::default, FirstPass::merge);
        finish(first, &walked.files, walked.problems, check)
    })
}

/// Checks one in-memory source with `rules` as if it were at `path`.
pub(crate) fn check_one_source(rules: &RuleSet, path: &Path, source: &str) -> Report {
    let source: Arc<str> = source.into();
    let check = |_file: usize, settle: Option<&FnIndex>| {
        check_text(rules, path, Arc::clone(&source), settle)
    };
    let files = [path.to_path_buf()];
    on_pool(|| {
        finish(
            FirstPass::default().add(0, check(0, None)),
            &files,
            Vec::new(),
            check,
        )
    })
}

/// What the first pass over the files keeps, folded file by file on each worker:
/// the merged index, the conditions of the findings waiting for it (by file),
/// and the outcomes of the files with findings. Per-file state is dropped as
/// soon as it is merged, so nothing small outlives its file: holding every
/// file's index and conditions until the end fragmented the heap and made the
/// allocator's work grow faster than the corpus (4x the files cost 4.6x the CPU).
#[derive(Default)]
struct FirstPass {
    index: FnIndex,
    pending: Vec<(usize, Condition)>,
    outcomes: Vec<(usize, FileOutcome)>,
}

impl FirstPass {
    fn add(mut self, file: usize, mut outcome: FileOutcome) -> Self {
        self.index.merge(std::mem::take(&mut outcome.index));
        self.pending
            .extend(outcome.pending.drain(..).map(|c| (file, c)));
        if !outcome.findings.is_empty() {
            self.outcomes.push((file, outcome));
        }
        self
    }

    fn merge(mut self, other: FirstPass) -> Self {
        self.index.merge(other.index);
        self.pending.extend(other.pending);
        self.outcomes.extend(other.outcomes);
        self
    }
}

/// Checks again (`check` with the merged index) the files where a finding
/// waiting for the index stands, adds `problems` (findings about entries that
/// were not checked), sorts, and keeps the sources needed for rendering.
///
/// Most files with a waiting finding end up with none (bench corpus: 46,644
/// waiting findings in 194 crates, none standing), so the first pass keeps only
/// their conditions, not findings and texts, and the second pass is short.
fn finish(
    first: FirstPass,
    files: &[PathBuf],
    problems: Vec<Finding>,
    check: impl Fn(usize, Option<&FnIndex>) -> FileOutcome + Sync,
) -> Report {
    let FirstPass {
        mut index,
        pending,
        mut outcomes,
    } = first;
    index.settle();
    let mut again: Vec<usize> = pending
        .iter()
        .filter(|(_, condition)| index.holds(condition))
        .map(|&(file, _)| file)
        .collect();
    again.sort_unstable();
    again.dedup();
    outcomes.retain(|(file, _)| again.binary_search(file).is_err());
    outcomes.par_extend(
        again
            .into_par_iter()
            .map(|file| (file, check(file, Some(&index)))),
    );
    let mut report = Report {
        files_checked: files.len(),
        findings: problems,
        ..Report::default()
    };
    for (file, outcome) in outcomes {
        report.findings.extend(outcome.findings);
        if let Some(source) = outcome.source {
            report.sources.insert(files[file].clone(), source);
        }
    }
    report.findings.sort_by(|a, b| {
        (&a.path, a.span, a.rule, &a.message).cmp(&(&b.path, b.span, b.rule, &b.message))
    });
    report.findings.dedup();
    report
}

/// Parses and walks one file's text, catching panics; `settle` as in [`Walker::new`].
fn check_text(
    rules: &RuleSet,
    path: &Path,
    source: Arc<str>,
    settle: Option<&FnIndex>,
) -> FileOutcome {
    let result = catch_unwind(AssertUnwindSafe(|| {
        check_parsed(rules, path, &source, settle)
    }));
    // Spans are plain line/column numbers by now; free proc-macro2's per-thread source map.
    proc_macro2::extra::invalidate_current_thread_spans();
    let mut outcome = result.unwrap_or_else(|panic| {
        let reason = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        FileOutcome::failed(EngineFinding::InternalError.at(
            path,
            Span::FILE_START,
            format!("asyncheck crashed while checking this file: {reason}"),
            "this is a bug in asyncheck; please report it with the file that triggers it",
        ))
    });
    // Only a file with findings needs its text, for rendering; dropping the rest
    // here keeps memory bounded by the largest files in flight.
    if !outcome.findings.is_empty() {
        outcome.source = Some(source);
    }
    outcome
}

fn check_parsed(
    rules: &RuleSet,
    path: &Path,
    source: &str,
    settle: Option<&FnIndex>,
) -> FileOutcome {
    if let Err(too_deep) = depth::check(source) {
        return FileOutcome::failed(parse::too_complex(path, source, &too_deep));
    }
    let file = match parse::parse(path, source) {
        Ok(file) => file,
        Err(finding) => return FileOutcome::failed(*finding),
    };
    let (allows, mut findings) = suppress::scan(path, source, &rules.known);
    let (crate_root, module_path) = index::crate_location(path);
    let file_ctx = FileCtx {
        path: path.to_path_buf(),
        shared_path: Arc::from(path),
        crate_root,
        module_path,
        is_test_file: test_code::is_test_file(path),
    };
    let Some(walker) = Walker::new(&file_ctx, &rules.active, &allows, settle) else {
        return FileOutcome {
            findings,
            ..FileOutcome::default()
        };
    };
    let outcome = walker.run(&file);
    findings.extend(outcome.findings.into_iter().filter(|f| !allows.silences(f)));
    let mut pending = outcome.pending;
    pending.sort_unstable();
    pending.dedup();
    FileOutcome {
        findings,
        pending,
        index: outcome.index,
        source: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;

    struct Panics;

    impl Rule for Panics {
        fn check_expr(&self, _cx: &mut Cx<'_>, expr: &syn::Expr) {
            if matches!(expr, syn::Expr::Lit(_)) {
                panic!("boom on a literal");
            }
        }
    }

    fn panics() -> RuleSet<'static> {
        RuleSet {
            active: vec![Plugin {
                name: "panics",
                severity: Severity::Warning,
                hooks: &Panics,
                options: Vec::new(),
                clippy_lints: &[],
            }],
            known: vec!["panics"],
        }
    }

    #[test]
    fn a_panicking_rule_becomes_an_internal_error_for_that_file_only() {
        let crashed = check_text(
            &panics(),
            Path::new("a.rs"),
            "fn f() { let x = 1; }".into(),
            None,
        );
        assert_eq!(crashed.findings.len(), 1);
        assert_eq!(
            crashed.findings[0].rule,
            EngineFinding::InternalError.name()
        );
        assert!(crashed.findings[0].message.contains("boom on a literal"));
        let fine = check_text(&panics(), Path::new("b.rs"), "fn f() { g(); }".into(), None);
        assert!(fine.findings.is_empty());
    }

    /// Reads an option it does not declare.
    struct ReadsUndeclared;

    const UNDECLARED: RuleOption = RuleOption::paths("extra-things");

    impl Rule for ReadsUndeclared {
        fn check_expr(&self, cx: &mut Cx<'_>, expr: &syn::Expr) {
            if let Some(callee) = cx.callee(expr) {
                cx.option_lists(UNDECLARED, &callee);
            }
        }
    }

    #[test]
    fn a_rule_reading_an_option_it_does_not_declare_fails_at_its_first_read() {
        let rules = RuleSet {
            active: vec![Plugin {
                name: "reads_undeclared",
                severity: Severity::Warning,
                hooks: &ReadsUndeclared,
                clippy_lints: &[],
                options: vec![(RuleOption::paths("extra-functions"), &[])],
            }],
            known: vec!["reads_undeclared"],
        };
        let outcome = check_text(&rules, Path::new("a.rs"), "fn f() { g(); }".into(), None);
        assert_eq!(
            outcome.findings[0].rule,
            EngineFinding::InternalError.name()
        );
        assert!(
            outcome.findings[0].message.contains(
                "rule `reads_undeclared` reads option `extra-things`, which its registry entry does not declare"
            ),
            "{}",
            outcome.findings[0].message
        );
    }

    #[test]
    fn with_no_active_rule_a_file_is_still_parsed_and_its_allow_comments_checked() {
        let rules = RuleSet {
            active: Vec::new(),
            ..panics()
        };
        let src = "fn f() { g(); } // asyncheck: allow(panics, nope)\n";
        let outcome = check_text(&rules, Path::new("a.rs"), src.into(), None);
        let found: Vec<_> = outcome.findings.iter().map(|f| f.rule).collect();
        assert_eq!(found, [EngineFinding::UnknownRuleInAllow.name()]);
        let broken = check_text(&rules, Path::new("b.rs"), "fn f( {".into(), None);
        assert_eq!(broken.findings[0].rule, EngineFinding::SyntaxError.name());
    }
}
