//! The engine knows no rule: no file under `lint/src/engine/` names the `rules` module.
//!
//! The engine defines the plug-in interface (`engine/rule.rs`) and runs the
//! plug-ins `lib.rs` hands it; the registry and the rules live in
//! `lint/src/rules/`. A path into `crate::rules` from the engine — in a `use`
//! (grouped or not, through `crate::` or `super::`), in code, or in a doc
//! comment — makes this test fail with the file and line.

use std::path::{Path, PathBuf};

use syn::spanned::Spanned;
use syn::visit::Visit;

/// Every `.rs` file under `dir`, recursively, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Collects the paths a file names, as segments, with the line of each.
#[derive(Default)]
struct Paths {
    found: Vec<(Vec<String>, usize)>,
}

impl Paths {
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        let line = tree.span().start().line;
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => self.push(prefix, &n.ident, line),
            syn::UseTree::Rename(r) => self.push(prefix, &r.ident, line),
            syn::UseTree::Glob(_) => self.found.push((prefix.clone(), line)),
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.use_tree(prefix, t)),
        }
    }

    fn push(&mut self, prefix: &[String], last: &proc_macro2::Ident, line: usize) {
        let mut path = prefix.to_vec();
        path.push(last.to_string());
        self.found.push((path, line));
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.found.push((segments, path.span().start().line));
        syn::visit::visit_path(self, path);
    }
}

/// Whether `path`, written in the module at `module` (its path from the crate
/// root), leads into the crate's `rules` module.
fn names_rules(module: &[String], path: &[String]) -> bool {
    let mut at: Vec<String> = module.to_vec();
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            at.clear();
            rest = &rest[1..];
        }
        Some("super" | "self") => {
            while let Some(step) = rest.first().map(String::as_str) {
                match step {
                    "super" => {
                        at.pop();
                    }
                    "self" => {}
                    _ => break,
                }
                rest = &rest[1..];
            }
        }
        // A path starting with an item in scope or another crate: not a way to the root.
        _ => return false,
    }
    at.is_empty() && rest.first().is_some_and(|s| s == "rules")
}

/// Where `source`, the text of the module at `module`, names `crate::rules`: (line, what).
fn violations(module: &[String], source: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = source
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains("crate::rules"))
        .map(|(i, line)| (i + 1, line.trim().to_owned()))
        .collect();
    let file = syn::parse_file(source).unwrap();
    let mut paths = Paths::default();
    paths.visit_file(&file);
    out.extend(
        paths
            .found
            .into_iter()
            .filter(|(path, _)| names_rules(module, path))
            .map(|(path, line)| (line, path.join("::"))),
    );
    out.sort();
    out.dedup_by_key(|(line, _)| *line);
    out
}

#[test]
fn no_file_of_the_engine_names_the_rules_module() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let engine = src.join("engine");
    let files = rust_files(&engine);
    assert!(
        files.len() > 5,
        "the engine's files were not found under {}",
        engine.display()
    );
    let mut problems = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let mut module: Vec<String> = relative
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if module.last().is_some_and(|m| m == "mod") {
            module.pop();
        }
        let source = std::fs::read_to_string(file).unwrap();
        for (line, what) in violations(&module, &source) {
            problems.push(format!("{}:{line}: {what}", relative.display()));
        }
    }
    assert!(
        problems.is_empty(),
        "the engine must not depend on the rules (the rules plug into it through engine/rule.rs):\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_way_of_naming_the_rules_module_is_caught() {
    let engine = ["engine".to_owned()];
    let walker = ["engine".to_owned(), "walker".to_owned()];
    let caught = |module: &[String], source: &str| !violations(module, source).is_empty();
    assert!(caught(&walker, "use crate::rules::RULES;"));
    assert!(caught(
        &walker,
        "use crate::{Finding, rules::{Rule, RULES}};"
    ));
    assert!(caught(&walker, "use crate::{rules, Finding};"));
    assert!(caught(&walker, "use super::super::rules::RuleInfo;"));
    assert!(caught(&engine, "use super::rules::RULES;"));
    assert!(caught(
        &walker,
        "fn f() { let n = super::super::rules::RULES.len(); }"
    ));
    assert!(caught(&walker, "/// See [`crate::rules`].\nfn f() {}"));
    assert!(!caught(&walker, "use super::rule::{Plugin, Rule};"));
    assert!(!caught(
        &walker,
        "fn f(rules: &[Plugin]) { for rule in rules {} }"
    ));
    assert!(!caught(&engine, "use crate::{Finding, Report};"));
}
