//! Name resolution from `use` declarations: which path does the first segment of a call mean?
//!
//! Paths are canonicalised to a list of segments. Paths into the checked crate
//! start with `crate` (`crate::net::fetch`); paths into other crates start
//! with the crate name (`std::thread::sleep`). Each module — a file or an
//! inline `mod {}` — has its own scope that does not inherit its parent's
//! imports; blocks add their own `use`s and items on top of their module's.
//! Glob imports are ignored (a name only reachable through a glob resolves to
//! nothing known, so it is never flagged).

use foldhash::{HashMap, HashSet};

/// A resolved path, one string per segment.
pub(crate) type Canon = Vec<String>;

/// One layer of names: a module, or a block inside a function.
#[derive(Debug, Default)]
pub(crate) struct Scope {
    /// `Some(module path)` for a module scope, which is a barrier for lookups.
    pub(crate) module: Option<Vec<String>>,
    imports: HashMap<String, Canon>,
    items: HashSet<String>,
    /// `let` bindings: name → resolved path of the call that initialised it, if any.
    bindings: HashMap<String, Option<Canon>>,
    /// `let` bindings initialised by a method chain on a call: name → resolved root call.
    roots: HashMap<String, Canon>,
    /// Whether the scope has `use super::*`: names it does not have are looked up in the parent module.
    glob_super: bool,
    /// The modules of the checked crate this scope imports with a glob
    /// (`use crate::m::*`, `use self::m::*`, `use super::*`), as absolute paths.
    pub(crate) crate_globs: Vec<Canon>,
    /// What this scope's `pub use` (any visibility but private) re-exports
    /// of the checked crate: each name with the absolute path it stands for.
    pub(crate) reexports: Vec<(String, Canon)>,
}

/// What a name means at some point in the code.
#[derive(Debug, PartialEq, Eq)]
enum Lookup<'a> {
    Import(&'a Canon),
    Item,
    Binding,
}

impl Scope {
    /// The scope of a module at `module_path` with these items.
    pub(crate) fn module(module_path: &[String], items: &[syn::Item]) -> Scope {
        let mut scope = Scope {
            module: Some(module_path.to_vec()),
            ..Scope::default()
        };
        scope.add_items(items.iter(), module_path);
        scope
    }

    /// The scope of a block, whose uses are interpreted inside `module_path`.
    pub(crate) fn block(stmts: &[syn::Stmt], module_path: &[String]) -> Scope {
        let mut scope = Scope::default();
        let items = stmts.iter().filter_map(|s| match s {
            syn::Stmt::Item(item) => Some(item),
            _ => None,
        });
        scope.add_items(items, module_path);
        scope
    }

    fn add_items<'a>(
        &mut self,
        items: impl Iterator<Item = &'a syn::Item> + Clone,
        module_path: &[String],
    ) {
        for item in items.clone() {
            if let Some(name) = item_name(item) {
                self.items.insert(name);
            }
        }
        for item in items {
            match item {
                syn::Item::Use(u) => {
                    let mut prefix = Vec::new();
                    if u.leading_colon.is_some() {
                        prefix.push(String::new());
                    }
                    let public = !matches!(u.vis, syn::Visibility::Inherited);
                    // A glob is recorded whatever its visibility (see `resolve_with_globs`).
                    self.add_use(&u.tree, &mut prefix, module_path, public);
                }
                syn::Item::ExternCrate(c) => {
                    if let Some((_, rename)) = &c.rename {
                        self.imports
                            .insert(rename.to_string(), vec![c.ident.to_string()]);
                    }
                }
                _ => {}
            }
        }
    }

    fn add_use(
        &mut self,
        tree: &syn::UseTree,
        prefix: &mut Vec<String>,
        module_path: &[String],
        public: bool,
    ) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.add_use(&p.tree, prefix, module_path, public);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let name = n.ident.to_string();
                if name == "self" {
                    if let Some(last) = prefix.last() {
                        let key = last.clone();
                        let full = self.absolute(prefix, module_path);
                        self.import(key, full, public);
                    }
                } else {
                    prefix.push(name.clone());
                    let full = self.absolute(prefix, module_path);
                    prefix.pop();
                    self.import(name, full, public);
                }
            }
            syn::UseTree::Rename(r) => {
                let alias = r.rename.to_string();
                if alias == "_" {
                    return;
                }
                let name = r.ident.to_string();
                let full = if name == "self" {
                    self.absolute(prefix, module_path)
                } else {
                    prefix.push(name);
                    let full = self.absolute(prefix, module_path);
                    prefix.pop();
                    full
                };
                self.import(alias, full, public);
            }
            syn::UseTree::Group(g) => {
                for tree in &g.items {
                    self.add_use(tree, prefix, module_path, public);
                }
            }
            syn::UseTree::Glob(_) => {
                if prefix.len() == 1 && prefix[0] == "super" {
                    self.glob_super = true;
                }
                let full = self.absolute(prefix, module_path);
                if full.first().is_some_and(|s| s == "crate") {
                    self.crate_globs.push(full);
                }
            }
        }
    }

    /// Imports `full` as `name`; a `pub use` of a path of the checked crate is also a re-export.
    fn import(&mut self, name: String, full: Canon, public: bool) {
        if public && full.first().is_some_and(|s| s == "crate") {
            self.reexports.push((name.clone(), full.clone()));
        }
        self.imports.insert(name, full);
    }

    /// Makes a `use` path absolute: `self`/`super`/`crate`/local items become `crate::…`.
    fn absolute(&self, path: &[String], module_path: &[String]) -> Canon {
        match path.first().map(String::as_str) {
            Some("") => path[1..].to_vec(),
            Some("crate" | "self" | "super") => relative(path.to_vec(), module_path),
            Some(first) if self.items.contains(first) => {
                crate_path(module_path, path.iter().cloned())
            }
            _ => path.to_vec(),
        }
    }

    /// Records a `let` binding (and forgets any earlier one of the same name).
    pub(crate) fn bind(&mut self, name: String, init: Option<Canon>) {
        self.roots.remove(&name);
        self.bindings.insert(name, init);
    }

    /// Records the root call of the method chain that initialised the binding `name`.
    pub(crate) fn bind_root(&mut self, name: String, root: Canon) {
        self.roots.insert(name, root);
    }

    fn lookup(&self, name: &str) -> Option<Lookup<'_>> {
        if self.bindings.contains_key(name) {
            Some(Lookup::Binding)
        } else if self.items.contains(name) {
            Some(Lookup::Item)
        } else {
            self.imports.get(name).map(Lookup::Import)
        }
    }
}

/// The name an item defines in the value or type namespace, if any.
fn item_name(item: &syn::Item) -> Option<String> {
    let ident = match item {
        syn::Item::Fn(f) => &f.sig.ident,
        syn::Item::Struct(s) => &s.ident,
        syn::Item::Enum(e) => &e.ident,
        syn::Item::Mod(m) => &m.ident,
        syn::Item::Trait(t) => &t.ident,
        syn::Item::Type(t) => &t.ident,
        syn::Item::Const(c) => &c.ident,
        syn::Item::Static(s) => &s.ident,
        syn::Item::Union(u) => &u.ident,
        _ => return None,
    };
    Some(ident.to_string())
}

/// `crate::<module_path>::<rest>`.
fn crate_path(module_path: &[String], rest: impl IntoIterator<Item = String>) -> Canon {
    let rest = rest.into_iter();
    let mut out = Vec::with_capacity(1 + module_path.len() + rest.size_hint().0);
    out.push("crate".to_owned());
    out.extend_from_slice(module_path);
    out.extend(rest);
    out
}

/// Resolves leading `crate`, `self` and `super` segments against `module_path`.
fn relative(path: Canon, module_path: &[String]) -> Canon {
    if path[0] == "crate" {
        return path;
    }
    let mut module = module_path.to_vec();
    let mut leading = 0;
    for segment in &path {
        match segment.as_str() {
            "self" => {}
            "super" => {
                module.pop();
            }
            _ => break,
        }
        leading += 1;
    }
    crate_path(&module, path.into_iter().skip(leading))
}

/// Resolves `path` against a stack of scopes (innermost last).
///
/// Returns `None` when the first segment is a local variable (so the path
/// names no item at all).
pub(crate) fn resolve(scopes: &[Scope], path: &syn::Path) -> Option<Canon> {
    lookup(scopes, path).map(|(canon, _)| canon)
}

/// As [`resolve`], and a path whose first segment is bound nowhere in scope
/// resolves through the glob imports of modules of the checked crate in scope
/// (`use crate::m::*;`, `use super::*;` of a module in another file). Globs
/// come after every name the module declares or imports itself (Rust's rule:
/// a glob never shadows them):
/// - with one such glob, `helper` → `crate::m::helper` (and `Type::f` →
///   `crate::m::Type::f`);
/// - with several, a single name `helper` → `crate::<this module>::helper`,
///   which the index resolves once every file is merged to the one globbed
///   module's definition of that name (see `FnIndex`'s re-exports: the
///   module's globs are recorded there); a name of the prelude stays as written.
///
/// For the crate's own functions and types (calls, declared types): a name
/// that no globbed module defines gives a path no function has, so nothing
/// is concluded from it. Rules that compare paths with lists of other crates'
/// items use [`resolve`].
pub(crate) fn resolve_with_globs(scopes: &[Scope], path: &syn::Path) -> Option<Canon> {
    let (canon, globs) = lookup(scopes, path)?;
    let Some(globs) = globs else {
        return Some(canon);
    };
    match globs[..] {
        [] => Some(canon),
        [glob] => {
            let mut out = glob.clone();
            out.extend(canon);
            Some(out)
        }
        _ if canon.len() == 1 && !PRELUDE.contains(&canon[0].as_str()) => {
            let module_path = scopes
                .iter()
                .rev()
                .find_map(|s| s.module.as_deref())
                .unwrap_or(&[]);
            Some(crate_path(module_path, canon))
        }
        _ => Some(canon),
    }
}

/// Names of the standard prelude (and primitive types) called like functions,
/// which no glob import brings.
const PRELUDE: &[&str] = &[
    "Ok", "Err", "Some", "None", "Box", "Vec", "String", "Option", "Result", "drop", "Default",
    "From", "Into", "Iterator", "ToString", "ToOwned", "Clone", "Self",
];

/// [`resolve`]'s lookup; with the path as written, when its first segment is
/// bound nowhere, the crate globs of the scopes it went through (each once).
fn lookup<'s>(scopes: &'s [Scope], path: &syn::Path) -> Option<(Canon, Option<Vec<&'s Canon>>)> {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    if path.leading_colon.is_some() {
        return Some((segments, None));
    }
    let module_path = scopes
        .iter()
        .rev()
        .find_map(|s| s.module.as_deref())
        .unwrap_or(&[]);
    let first = segments.first()?;
    if matches!(first.as_str(), "crate" | "self" | "super") {
        return Some((relative(segments, module_path), None));
    }
    let mut globs: Vec<&Canon> = Vec::new();
    let mut module_path = module_path;
    let mut rest = scopes;
    while let Some((scope, outer)) = rest.split_last() {
        rest = outer;
        match scope.lookup(first) {
            Some(Lookup::Binding) if segments.len() == 1 => return None,
            Some(Lookup::Binding) | None => {}
            Some(Lookup::Item) => {
                if scope.module.is_some() {
                    return Some((crate_path(module_path, segments), None));
                }
                // An item declared inside a block: real, but not addressable by path.
                let mut out = vec!["{block}".to_owned()];
                out.extend(segments);
                return Some((out, None));
            }
            Some(Lookup::Import(target)) => {
                let mut out = Vec::with_capacity(target.len() + segments.len() - 1);
                out.extend_from_slice(target);
                out.extend(segments.into_iter().skip(1));
                return Some((out, None));
            }
        }
        let Some(module) = &scope.module else {
            add_globs(&mut globs, scope, None);
            continue;
        };
        // A module scope is a barrier, except that `use super::*` lets the
        // names of the parent module (the next module scope out) through.
        let Some(parent) = scope
            .glob_super
            .then(|| parent_module(rest, module))
            .flatten()
        else {
            add_globs(&mut globs, scope, None);
            break;
        };
        // The parent is in this file: its names were looked up, not globbed.
        add_globs(&mut globs, scope, rest[parent].module.as_deref());
        rest = &rest[..=parent];
        module_path = rest[parent].module.as_deref().unwrap_or(&[]);
    }
    Some((segments, Some(globs)))
}

/// Adds the crate globs of `scope` not yet in `globs`, except one of `looked_up`, a module whose names were looked up directly.
fn add_globs<'s>(globs: &mut Vec<&'s Canon>, scope: &'s Scope, looked_up: Option<&[String]>) {
    for glob in &scope.crate_globs {
        let is_looked_up = looked_up.is_some_and(|m| glob[1..] == *m);
        if !is_looked_up && !globs.contains(&glob) {
            globs.push(glob);
        }
    }
}

/// The index in `scopes` of the scope of the module that contains `module`, when it is there.
fn parent_module(scopes: &[Scope], module: &[String]) -> Option<usize> {
    let (_, parent) = module.split_last()?;
    let index = scopes.iter().rposition(|s| s.module.is_some())?;
    (scopes[index].module.as_deref() == Some(parent)).then_some(index)
}

/// The resolved init of the innermost `let` binding called `name`, if it was a call.
pub(crate) fn binding<'s>(scopes: &'s [Scope], name: &str) -> Option<&'s Canon> {
    for scope in scopes.iter().rev() {
        if let Some(init) = scope.bindings.get(name) {
            return init.as_ref();
        }
        if scope.module.is_some() {
            break;
        }
    }
    None
}

/// The root call of the method chain that initialised the innermost `let` binding called `name`.
pub(crate) fn binding_root<'s>(scopes: &'s [Scope], name: &str) -> Option<&'s Canon> {
    for scope in scopes.iter().rev() {
        if scope.bindings.contains_key(name) {
            return scope.roots.get(name);
        }
        if scope.module.is_some() {
            break;
        }
    }
    None
}

/// The name a `let` (or a closure or function parameter) binds when its pattern
/// is a plain identifier, possibly typed, `mut` or `ref`: `x`, `x: T`, `mut x`,
/// `ref x`, `ref mut x`; `None` for any other pattern (`_`, tuples, `x @ ..`).
///
/// A `ref` binding counts: `let ref x = e;` keeps `e`'s value alive exactly as
/// long as `let x = e;` does (a temporary initialiser lives to the end of the
/// block), and later code names it as `x` either way. So a guard bound with
/// `ref` is still held, and a future bound with `ref` is still never polled
/// unless `x` is used.
pub(crate) fn bound_name(pat: &syn::Pat) -> Option<String> {
    match pat {
        syn::Pat::Ident(p) if p.subpat.is_none() => Some(p.ident.to_string()),
        syn::Pat::Type(p) => bound_name(&p.pat),
        _ => None,
    }
}

/// Whether a canonical path is exactly `expected`.
pub(crate) fn is(canon: &[String], expected: &[&str]) -> bool {
    canon.len() == expected.len() && canon.iter().zip(expected).all(|(a, b)| a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve_in(src: &str, path: &str) -> Option<String> {
        let file: syn::File = syn::parse_str(src).unwrap();
        let scopes = vec![Scope::module(&["m".to_owned()], &file.items)];
        let path: syn::Path = syn::parse_str(path).unwrap();
        resolve(&scopes, &path).map(|c| c.join("::"))
    }

    #[test]
    fn resolves_aliases_groups_self_and_nesting() {
        let src = "use std::thread::sleep as nap; use std::{fs, thread::{self as th}}; use tokio::{time::{self}, task::{spawn_blocking}};";
        assert_eq!(
            resolve_in(src, "nap").as_deref(),
            Some("std::thread::sleep")
        );
        assert_eq!(
            resolve_in(src, "th::sleep").as_deref(),
            Some("std::thread::sleep")
        );
        assert_eq!(
            resolve_in(src, "fs::read").as_deref(),
            Some("std::fs::read")
        );
        assert_eq!(
            resolve_in(src, "time::sleep").as_deref(),
            Some("tokio::time::sleep")
        );
        assert_eq!(
            resolve_in(src, "spawn_blocking").as_deref(),
            Some("tokio::task::spawn_blocking")
        );
    }

    #[test]
    fn local_items_and_relative_paths_point_into_the_crate() {
        let src = "fn sleep() {} mod net { } use self::net::get; use super::up;";
        assert_eq!(resolve_in(src, "sleep").as_deref(), Some("crate::m::sleep"));
        assert_eq!(
            resolve_in(src, "net::fetch").as_deref(),
            Some("crate::m::net::fetch")
        );
        assert_eq!(
            resolve_in(src, "get").as_deref(),
            Some("crate::m::net::get")
        );
        assert_eq!(resolve_in(src, "up").as_deref(), Some("crate::up"));
        assert_eq!(resolve_in(src, "super::x").as_deref(), Some("crate::x"));
        assert_eq!(
            resolve_in(src, "::std::thread::sleep").as_deref(),
            Some("std::thread::sleep")
        );
    }

    #[test]
    fn use_super_glob_sees_the_parent_module_after_its_own_names() {
        let file: syn::File = syn::parse_str(
            "use std::thread::sleep; fn helper() {} mod tests { use super::*; use tokio::time::timeout; fn own() {} }",
        )
        .unwrap();
        let syn::Item::Mod(tests) = &file.items[2] else {
            unreachable!()
        };
        let root = vec!["m".to_owned()];
        let child = vec!["m".to_owned(), "tests".to_owned()];
        let scopes = vec![
            Scope::module(&root, &file.items),
            Scope::module(&child, &tests.content.as_ref().unwrap().1),
        ];
        let at =
            |path: &str| resolve(&scopes, &syn::parse_str(path).unwrap()).map(|c| c.join("::"));
        assert_eq!(at("sleep").as_deref(), Some("std::thread::sleep"));
        assert_eq!(at("helper").as_deref(), Some("crate::m::helper"));
        assert_eq!(at("own").as_deref(), Some("crate::m::tests::own"));
        assert_eq!(at("timeout").as_deref(), Some("tokio::time::timeout"));
        assert_eq!(at("unknown").as_deref(), Some("unknown"));
        // Without the glob, the parent's names stay out.
        let plain: syn::File = syn::parse_str("mod tests { fn own() {} }").unwrap();
        let scopes = vec![
            Scope::module(&root, &file.items),
            Scope::module(&child, &plain.items),
        ];
        let path: syn::Path = syn::parse_str("sleep").unwrap();
        assert_eq!(
            resolve(&scopes, &path).map(|c| c.join("::")).as_deref(),
            Some("sleep")
        );
    }

    #[test]
    fn crate_globs_resolve_names_bound_nowhere_else() {
        let at = |src: &str, path: &str| {
            let file: syn::File = syn::parse_str(src).unwrap();
            let scopes = vec![Scope::module(&["m".to_owned()], &file.items)];
            resolve_with_globs(&scopes, &syn::parse_str(path).unwrap()).map(|c| c.join("::"))
        };
        let one = "use crate::util::*; use std::thread::*; use crate::quiet::nap2; fn own() {}";
        assert_eq!(at(one, "nap").as_deref(), Some("crate::util::nap"));
        assert_eq!(
            at(one, "Throttle::new").as_deref(),
            Some("crate::util::Throttle::new")
        );
        assert_eq!(at(one, "nap2").as_deref(), Some("crate::quiet::nap2"));
        assert_eq!(at(one, "own").as_deref(), Some("crate::m::own"));
        let two = "use crate::util::*; use super::timer::*;";
        assert_eq!(at(two, "nap").as_deref(), Some("crate::m::nap"));
        assert_eq!(at(two, "Ok").as_deref(), Some("Ok"));
        assert_eq!(at(two, "Throttle::new").as_deref(), Some("Throttle::new"));
        // `resolve` itself never goes through a glob.
        let file: syn::File = syn::parse_str(one).unwrap();
        let scopes = vec![Scope::module(&["m".to_owned()], &file.items)];
        let path: syn::Path = syn::parse_str("nap").unwrap();
        assert_eq!(resolve(&scopes, &path), Some(vec!["nap".to_owned()]));
    }

    #[test]
    fn a_module_item_shadows_the_parent_name_its_glob_brings() {
        let file: syn::File = syn::parse_str(
            "use std::thread::sleep; mod tests { use super::*; async fn sleep() {} }",
        )
        .unwrap();
        let syn::Item::Mod(tests) = &file.items[1] else {
            unreachable!()
        };
        let scopes = vec![
            Scope::module(&["m".to_owned()], &file.items),
            Scope::module(
                &["m".to_owned(), "tests".to_owned()],
                &tests.content.as_ref().unwrap().1,
            ),
        ];
        let path: syn::Path = syn::parse_str("sleep").unwrap();
        assert_eq!(
            resolve(&scopes, &path).map(|c| c.join("::")).as_deref(),
            Some("crate::m::tests::sleep")
        );
    }

    #[test]
    fn globs_are_ignored_and_unknown_names_stay_as_written() {
        let src = "use std::thread::*;";
        assert_eq!(resolve_in(src, "sleep").as_deref(), Some("sleep"));
    }
}
