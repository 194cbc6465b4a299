//! The cross-file index of `async fn`s, and the findings that wait for it.
//!
//! Each file contributes the functions it defines while it is being checked
//! (so every file is parsed and walked once). Findings that depend on other
//! files — "this call returns a future" — are *deferred* with the key they
//! depend on and settled against the merged index once every file is done.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::Finding;

/// Whether a name was seen defined as `async fn`, as plain `fn`, or both (e.g. behind `cfg`).
#[derive(Clone, Copy, Debug, Default)]
struct Kinds {
    is_async: bool,
    is_sync: bool,
}

impl Kinds {
    fn add(&mut self, is_async: bool) {
        if is_async {
            self.is_async = true;
        } else {
            self.is_sync = true;
        }
    }
}

/// Every function of the run: free functions by crate and module path, methods by name.
#[derive(Debug, Default)]
pub(crate) struct AsyncIndex {
    free: HashMap<String, Kinds>,
    methods: HashMap<String, Kinds>,
}

impl AsyncIndex {
    /// Records a free function under its [`free_key`].
    pub(crate) fn add_free(&mut self, key: String, is_async: bool) {
        self.free.entry(key).or_default().add(is_async);
    }

    /// Records a method or associated function (impl or trait) by name.
    pub(crate) fn add_method(&mut self, name: String, is_async: bool) {
        self.methods.entry(name).or_default().add(is_async);
    }

    /// Adds another file's contributions.
    pub(crate) fn merge(&mut self, other: AsyncIndex) {
        for (k, v) in other.free {
            let e = self.free.entry(k).or_default();
            e.is_async |= v.is_async;
            e.is_sync |= v.is_sync;
        }
        for (k, v) in other.methods {
            let e = self.methods.entry(k).or_default();
            e.is_async |= v.is_async;
            e.is_sync |= v.is_sync;
        }
    }

    /// Whether `source` certainly yields a future: every definition it may refer to is `async`.
    pub(crate) fn is_future(&self, source: &FutureSource) -> bool {
        let kinds = match source {
            FutureSource::Free(key) => self.free.get(key),
            FutureSource::Method(name) => self.methods.get(name),
        };
        kinds.is_some_and(|k| k.is_async && !k.is_sync)
    }
}

/// What a deferred finding depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FutureSource {
    /// A free function, by [`free_key`].
    Free(String),
    /// A method or associated function, by name.
    Method(String),
}

/// A finding that stands only if its source turns out to be an `async fn`.
#[derive(Debug)]
pub(crate) struct Deferred {
    pub(crate) source: FutureSource,
    pub(crate) finding: Finding,
}

/// The index key of `crate::a::b::f` in the crate rooted at `crate_root`.
pub(crate) fn free_key(crate_root: &Path, canon: &[String]) -> Option<String> {
    let rest = canon.strip_prefix(&["crate".to_owned()])?;
    Some(format!("{}#{}", crate_root.display(), rest.join("::")))
}

/// Where a file sits in its crate: the crate's root directory and the file's module path.
///
/// `x/src/lib.rs` and `x/src/main.rs` are the root module of crate `x`,
/// `x/src/a/b.rs` and `x/src/a/b/mod.rs` are `a::b`. A file in `src/bin/`,
/// or outside any `src/` directory (tests, examples, loose files), is a crate
/// of its own.
pub(crate) fn crate_location(path: &Path) -> (PathBuf, Vec<String>) {
    let components: Vec<_> = path.components().collect();
    let Some(src) = components.iter().rposition(|c| c.as_os_str() == "src") else {
        return (path.to_path_buf(), Vec::new());
    };
    let mut module: Vec<String> = components[src + 1..]
        .iter()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if module.first().is_some_and(|m| m == "bin") {
        return (path.to_path_buf(), Vec::new());
    }
    if let Some(last) = module.last_mut() {
        if let Some(stem) = last.strip_suffix(".rs") {
            *last = stem.to_owned();
        }
    }
    if module.last().is_some_and(|m| m == "mod")
        || (module.len() == 1 && (module[0] == "lib" || module[0] == "main"))
    {
        module.pop();
    }
    let root: PathBuf = components[..src].iter().collect();
    (root, module)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths_follow_cargo_layout() {
        let loc = |p: &str| crate_location(Path::new(p)).1.join("::");
        assert_eq!(loc("app/src/lib.rs"), "");
        assert_eq!(loc("app/src/net/mod.rs"), "net");
        assert_eq!(loc("app/src/net/http.rs"), "net::http");
        assert_eq!(loc("app/src/bin/tool.rs"), "");
        assert_eq!(loc("app/tests/it.rs"), "");
        assert_eq!(
            crate_location(Path::new("app/src/a.rs")).0,
            PathBuf::from("app")
        );
    }

    #[test]
    fn a_name_defined_both_async_and_sync_is_not_a_future() {
        let mut index = AsyncIndex::default();
        index.add_method("fetch".into(), true);
        index.add_method("load".into(), true);
        let mut other = AsyncIndex::default();
        other.add_method("load".into(), false);
        index.merge(other);
        assert!(index.is_future(&FutureSource::Method("fetch".into())));
        assert!(!index.is_future(&FutureSource::Method("load".into())));
        assert!(!index.is_future(&FutureSource::Method("missing".into())));
    }
}
