//! The cross-file index of functions and the facts recorded about them, and the findings that wait for it.
//!
//! Each file contributes the functions it defines while it is being checked
//! (so every file is parsed and walked once): each definition with its
//! [`Facts`] — whether it is `async`, plus whatever the rules recorded while
//! walking its body (see [`Cx::record_fact`](super::context::Cx::record_fact)).
//! Findings that depend on other files — "this call returns a future", "this
//! call builds a client" — wait for a [`Condition`] on the merged index: the
//! first pass keeps only the conditions, and the files where one holds are
//! checked again once every file is indexed (see `engine::finish`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A fact about one function definition, recorded while its file is walked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Fact {
    /// It is an `async fn`, so calling it creates a future (recorded by the walker;
    /// not for `#[tokio::main]`/`#[tokio::test]` fns, which are sync once expanded).
    Async,
    /// Its body builds a `reqwest::Client` (recorded by `client_per_request`).
    BuildsClient,
    /// Its body calls a method named `send` or `execute` (recorded by `client_per_request`).
    SendsRequest,
}

impl Fact {
    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A set of [`Fact`]s.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Facts(u8);

impl Facts {
    /// The set of `facts`.
    pub(crate) const fn of(facts: &[Fact]) -> Facts {
        let mut bits = 0;
        let mut i = 0;
        while i < facts.len() {
            bits |= facts[i].bit();
            i += 1;
        }
        Facts(bits)
    }

    /// Adds `fact`.
    pub(crate) fn insert(&mut self, fact: Fact) {
        self.0 |= fact.bit();
    }

    fn contains_all(self, other: Facts) -> bool {
        self.0 & other.0 == other.0
    }

    fn intersects(self, other: Facts) -> bool {
        self.0 & other.0 != 0
    }
}

/// Over every definition of one name: the facts some definition has, and the
/// facts some definition lacks (both, for a name defined twice, e.g. behind `cfg`).
#[derive(Clone, Copy, Debug, Default)]
struct Seen {
    some_have: Facts,
    some_lack: Facts,
}

impl Seen {
    fn add(&mut self, facts: Facts) {
        self.some_have.0 |= facts.0;
        self.some_lack.0 |= !facts.0;
    }

    fn merge(&mut self, other: Seen) {
        self.some_have.0 |= other.some_have.0;
        self.some_lack.0 |= other.some_lack.0;
    }

    /// Whether every definition has every one of `facts`.
    fn all_have(self, facts: Facts) -> bool {
        self.some_have.contains_all(facts) && !self.some_lack.intersects(facts)
    }
}

/// Every function of the run: free functions by crate and module path, methods by name,
/// each under the [`Key`] of its name.
#[derive(Debug, Default)]
pub(crate) struct AsyncIndex {
    seen: HashMap<Key, Seen>,
}

impl AsyncIndex {
    /// Records one definition of `callee` (a free function under its [`free_key`],
    /// or a method or associated function, impl or trait, by name) with its facts.
    pub(crate) fn add(&mut self, callee: &FutureSource, facts: Facts) {
        self.seen.entry(Key::of(callee)).or_default().add(facts);
    }

    /// Adds another file's contributions.
    pub(crate) fn merge(&mut self, other: AsyncIndex) {
        for (k, v) in other.seen {
            self.seen.entry(k).or_default().merge(v);
        }
    }

    /// Whether `condition` certainly holds: every definition its callee may refer to has all its facts.
    pub(crate) fn holds(&self, condition: &Condition) -> bool {
        self.seen
            .get(&condition.callee)
            .is_some_and(|s| s.all_have(condition.facts))
    }
}

/// A function of the checked code, as a call names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum FutureSource {
    /// A free function, by [`free_key`].
    Free(String),
    /// A method or associated function, by name.
    Method(String),
}

/// What the index keeps of a [`FutureSource`]: a 64-bit hash of it, so that the
/// index of a whole corpus (hundreds of thousands of functions, each free one
/// named with its crate's path) stays small. Two names share a key with a
/// probability of about n²/2⁶⁵ for n names: 3·10⁻⁸ for a million.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Key(u64);

impl Key {
    /// The key of `callee`; the same in every run (`SipHash` with fixed keys).
    pub(crate) fn of(callee: &FutureSource) -> Key {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        Key(BuildHasherDefault::<DefaultHasher>::default().hash_one(callee))
    }
}

/// What a finding that waits for the index depends on: every definition `callee` may refer to has all of `facts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Condition {
    pub(crate) callee: Key,
    pub(crate) facts: Facts,
}

impl Condition {
    /// Every definition `callee` may refer to has all of `facts`.
    pub(crate) fn new(callee: &FutureSource, facts: Facts) -> Condition {
        Condition {
            callee: Key::of(callee),
            facts,
        }
    }
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
        let is_async = Facts::of(&[Fact::Async]);
        let mut index = AsyncIndex::default();
        index.add(&FutureSource::Method("fetch".into()), is_async);
        index.add(&FutureSource::Method("load".into()), is_async);
        let mut other = AsyncIndex::default();
        other.add(&FutureSource::Method("load".into()), Facts::default());
        index.merge(other);
        let future = |name: &str| Condition::new(&FutureSource::Method(name.into()), is_async);
        assert!(index.holds(&future("fetch")));
        assert!(!index.holds(&future("load")));
        assert!(!index.holds(&future("missing")));
        // A free function and a method of the same name are different keys.
        assert!(!index.holds(&Condition::new(
            &FutureSource::Free("fetch".into()),
            is_async
        )));
    }

    #[test]
    fn a_condition_needs_every_fact_in_every_definition() {
        let builds = Facts::of(&[Fact::Async, Fact::BuildsClient, Fact::SendsRequest]);
        let mut index = AsyncIndex::default();
        index.add(&FutureSource::Free("app#fetch".into()), builds);
        index.add(&FutureSource::Method("get".into()), builds);
        index.add(
            &FutureSource::Method("get".into()),
            Facts::of(&[Fact::Async, Fact::SendsRequest]),
        );
        index.add(
            &FutureSource::Free("app#make".into()),
            Facts::of(&[Fact::Async, Fact::BuildsClient]),
        );
        let holds = |callee| index.holds(&Condition::new(&callee, builds));
        assert!(holds(FutureSource::Free("app#fetch".into())));
        assert!(
            !holds(FutureSource::Method("get".into())),
            "one `get` does not build a client"
        );
        assert!(
            !holds(FutureSource::Free("app#make".into())),
            "`make` never sends"
        );
    }
}
