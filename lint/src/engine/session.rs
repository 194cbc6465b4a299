//! The incremental engine: a [`Workspace`] that keeps every file's part of the cross-file index, so one changed file is re-checked from its text without re-checking the others.
//!
//! It reuses the engine's per-file check ([`check_text`]) and the index's
//! merge, as a run of [`check_files`](super::check_files) does: the first
//! pass of a file yields its findings, its part of the index and the
//! conditions of its findings that wait for the merged index; a file whose
//! waiting conditions hold in the merged index is checked again with it.
//! What a run drops as soon as it is merged, a workspace keeps per file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::index::{Condition, FnIndex};
use super::{FileOutcome, RuleSet, check_text, on_pool, parse};
use crate::Finding;

/// One file's contribution to the merged index, and what its findings wait for.
#[derive(Debug, Default)]
struct FilePart {
    index: FnIndex,
    pending: Vec<Condition>,
}

/// The files of a workspace, each with its part of the cross-file index, and the merged index.
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    parts: HashMap<PathBuf, FilePart>,
    merged: FnIndex,
}

impl Workspace {
    /// Checks `files` from disk (first pass only, in parallel) and keeps their
    /// parts of the index; calls `progress` with the number of files done
    /// after each chunk of `chunk` files.
    pub(crate) fn load(
        rules: &RuleSet,
        files: &[PathBuf],
        chunk: usize,
        mut progress: impl FnMut(usize),
    ) -> Workspace {
        let mut workspace = Workspace::default();
        for (n, batch) in files.chunks(chunk.max(1)).enumerate() {
            let parts: Vec<(PathBuf, FilePart)> = on_pool(|| {
                batch
                    .par_iter()
                    .map(|path| {
                        let outcome = match parse::read(path) {
                            Ok(source) => check_text(rules, path, source.into(), None),
                            Err(finding) => FileOutcome::failed(*finding),
                        };
                        (path.clone(), part_of(outcome))
                    })
                    .collect()
            });
            workspace.parts.extend(parts);
            progress((n * chunk.max(1) + batch.len()).min(files.len()));
        }
        workspace.remerge();
        workspace
    }

    /// How many files contribute to the index.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.parts.len()
    }

    /// Checks `path` from `text` (an editor's unsaved buffer), replaces its part
    /// of the index, and returns its findings settled against the new index.
    pub(crate) fn update(&mut self, rules: &RuleSet, path: &Path, text: &Arc<str>) -> Vec<Finding> {
        let mut outcome = on_pool(|| check_text(rules, path, Arc::clone(text), None));
        let findings = std::mem::take(&mut outcome.findings);
        let part = part_of(outcome);
        let needs_index = part.pending.iter().any(|c| self.merged.holds(c));
        self.parts.insert(path.to_path_buf(), part);
        self.remerge();
        let needs_index = needs_index || self.holds_any(path);
        if needs_index {
            self.settle(rules, path, text)
        } else {
            findings
        }
    }

    /// Re-checks `path` from `text` with the merged index when one of its
    /// waiting findings stands, without changing its part of the index.
    pub(crate) fn settle(&self, rules: &RuleSet, path: &Path, text: &Arc<str>) -> Vec<Finding> {
        let settle = self.holds_any(path).then_some(&self.merged);
        on_pool(|| check_text(rules, path, Arc::clone(text), settle)).findings
    }

    /// Which of `path`'s waiting conditions hold in the merged index, as a
    /// fingerprint: when it changes after another file's update, `path`'s
    /// findings must be settled again.
    pub(crate) fn standing(&self, path: &Path) -> Vec<bool> {
        self.parts.get(path).map_or_else(Vec::new, |part| {
            part.pending.iter().map(|c| self.merged.holds(c)).collect()
        })
    }

    /// Drops `path`'s part of the index (the file was deleted).
    pub(crate) fn remove(&mut self, path: &Path) {
        if self.parts.remove(path).is_some() {
            self.remerge();
        }
    }

    fn holds_any(&self, path: &Path) -> bool {
        self.standing(path).into_iter().any(|holds| holds)
    }

    /// Rebuilds the merged index from the files' parts; a few milliseconds for
    /// a large crate, cheaper than keeping counts that could drift.
    fn remerge(&mut self) {
        let mut merged = FnIndex::default();
        for part in self.parts.values() {
            merged.merge(part.index.clone());
        }
        // Function summaries propagate over the whole merged call graph, as in a run.
        merged.settle();
        self.merged = merged;
    }
}

fn part_of(outcome: FileOutcome) -> FilePart {
    FilePart {
        index: outcome.index,
        pending: outcome.pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Linter;

    /// The crate `a` with `lib.rs` calling `helper` defined in `util.rs`.
    fn crate_files() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"a\"\n").unwrap();
        let lib = src.join("lib.rs");
        let util = src.join("util.rs");
        std::fs::write(&lib, LIB).unwrap();
        std::fs::write(&util, "pub fn helper() -> u8 { 1 }\n").unwrap();
        (dir, lib, util)
    }

    const LIB: &str = "mod util;\nasync fn run() {\n    util::helper();\n}\n";

    fn rules(linter: &Linter) -> RuleSet<'_> {
        linter.rule_set()
    }

    #[test]
    fn an_edit_in_one_file_settles_the_findings_of_another_against_the_new_index() {
        let (_dir, lib, util) = crate_files();
        let linter = Linter::new();
        let rules = rules(&linter);
        let mut workspace = Workspace::load(&rules, &[lib.clone(), util.clone()], 1, |_| {});
        assert_eq!(workspace.len(), 2);
        let lib_text: Arc<str> = LIB.into();
        assert!(
            workspace.settle(&rules, &lib, &lib_text).is_empty(),
            "`helper` is not async yet"
        );
        let before = workspace.standing(&lib);
        let async_util: Arc<str> = "pub async fn helper() -> u8 { 1 }\n".into();
        assert!(workspace.update(&rules, &util, &async_util).is_empty());
        assert_ne!(
            workspace.standing(&lib),
            before,
            "the edit must change what stands in `lib.rs`"
        );
        let found: Vec<_> = workspace
            .settle(&rules, &lib, &lib_text)
            .into_iter()
            .map(|f| (f.rule, f.span.line))
            .collect();
        assert_eq!(found, [("unawaited_future", 3)]);
        workspace.remove(&util);
        assert!(workspace.settle(&rules, &lib, &lib_text).is_empty());
    }

    #[test]
    fn an_update_settles_the_updated_file_itself() {
        let (_dir, lib, util) = crate_files();
        let linter = Linter::new();
        let rules = rules(&linter);
        let mut workspace = Workspace::load(&rules, &[lib.clone(), util.clone()], 8, |_| {});
        let both: Arc<str> =
            "async fn helper() -> u8 { 1 }\nasync fn run() {\n    helper();\n}\n".into();
        let found: Vec<_> = workspace
            .update(&rules, &lib, &both)
            .into_iter()
            .map(|f| f.rule)
            .collect();
        assert_eq!(found, ["unawaited_future"]);
    }

    #[test]
    fn a_panicking_rule_leaves_an_internal_error_and_the_workspace_usable() {
        struct Panics;
        impl super::super::Rule for Panics {
            fn check_expr(&self, _cx: &mut super::super::Cx<'_>, expr: &syn::Expr) {
                if matches!(expr, syn::Expr::Lit(_)) {
                    panic!("boom on a literal");
                }
            }
        }
        let panics = RuleSet {
            active: vec![super::super::Plugin {
                name: "panics",
                severity: crate::Severity::Warning,
                hooks: &Panics,
                options: Vec::new(),
                clippy_lints: &[],
            }],
            known: vec!["panics"],
        };
        let mut workspace = Workspace::default();
        let text: Arc<str> = "fn f() { let x = 1; }".into();
        let found = workspace.update(&panics, Path::new("a.rs"), &text);
        assert_eq!(found[0].rule, "internal_error");
        let fine: Arc<str> = "fn f() { g(); }".into();
        assert!(
            workspace
                .update(&panics, Path::new("b.rs"), &fine)
                .is_empty()
        );
        assert_eq!(workspace.len(), 2);
    }
}
