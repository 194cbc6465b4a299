//! The cross-file index of functions and the facts recorded about them, and the findings that wait for it.
//!
//! Each file contributes the functions it defines while it is being checked
//! (so every file is parsed and walked once): each definition with its facts
//! — whether it is `async` ([`Fact::Async`], recorded by the walker), plus
//! the [`RuleFact`]s the rules recorded while walking its body (see
//! [`Cx::record_fact`](super::cx::Cx::record_fact)). The engine gives rule
//! facts no meaning: a rule defines its own, records them, and asks for them.
//! Findings that depend on other files — "this call returns a future", "this
//! call builds a client" — wait for a [`Condition`] on the merged index: the
//! first pass keeps only the conditions, and the files where one holds are
//! checked again once every file is indexed (see `engine::finish`).

use foldhash::{HashMap, HashMapExt};

use super::summary::{Effect, Summaries};
use std::path::{Path, PathBuf};

/// A fact about one function definition, recorded while its file is walked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Fact {
    /// Calling it creates a future: an `async fn` (not `#[tokio::main]`/`#[tokio::test]`
    /// ones, which are sync once expanded), or a fn declared to return `impl Future`,
    /// `Pin<Box<dyn Future>>`, `BoxFuture`/`LocalBoxFuture` or a crate alias of these
    /// (recorded by the walker).
    Async,
    /// Calling it does nothing until its future is polled: an `async fn`, or a
    /// fn declared to return a future whose body only builds one (`async { .. }`,
    /// `Box::pin(async { .. })`, `async { .. }.boxed()`). A fn that does
    /// anything else before returning its future may do part of its work at the
    /// call, so dropping that future on purpose can be right.
    Lazy,
    /// It is a sync fn that blocks: it calls an operation a blocking rule reports,
    /// directly or through other functions of the crate (see [`super::summary`]).
    Blocks,
    /// It is an `async fn` that awaits an operation that loses progress when
    /// its future is dropped, directly or through awaited crate functions.
    NotCancelSafe,
    /// It calls `tokio::task::block_in_place`, directly or through crate functions.
    BlocksInPlace,
    /// A fact a rule recorded about it.
    Rule(RuleFact),
}

/// A fact a rule defines about a function's body, records while walking it
/// and asks for at calls of it: its name is `"<rule>::<fact>"`, so that the
/// facts of two rules never mix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct RuleFact(&'static str);

impl RuleFact {
    /// The fact named `name`, `"<rule>::<fact>"`.
    pub(crate) const fn new(name: &'static str) -> RuleFact {
        RuleFact(name)
    }

    /// Its name.
    pub(crate) const fn name(self) -> &'static str {
        self.0
    }
}

/// Over every definition of one name: how many there are, how many are `async`
/// (or declared to return a future), and how many have a body (a trait
/// method's declaration without a default body has none).
#[derive(Clone, Copy, Debug, Default)]
struct Defs {
    count: u32,
    async_count: u32,
    lazy_count: u32,
    bodies: u32,
}

/// Every function of the run: free functions by crate and module path, methods by name,
/// each under the [`Key`] of its name.
///
/// It stays as small as an index of `async`-ness alone: one 16-byte entry per
/// name, plus one per (name, rule fact) pair that some definition recorded —
/// most functions record none. Any number of rules may define facts.
#[derive(Clone, Debug, Default)]
pub(crate) struct FnIndex {
    defs: HashMap<Key, Defs>,
    /// Under [`Key::with_fact`]: how many definitions of the name recorded the fact.
    rule_facts: HashMap<Key, u32>,
    /// Function summaries: the definitions with effects or calls into the crate
    /// (see [`super::summary`]), and after [`settle`](Self::settle) what each key does.
    pub(crate) summaries: Summaries,
    /// Each definition's key with its parent's (module or type) and its name's
    /// hash, for the names `pub use` re-exports give it.
    paths: Vec<(Key, Key, u64)>,
    /// The `pub use` re-exports and the glob imports of the crates' modules.
    reexports: Vec<Reexport>,
    /// After [`settle`](Self::settle): each name a re-export gives a definition,
    /// with the definition's own key (`None`: two definitions, ambiguous).
    aliases: HashMap<Key, Option<Key>>,
}

/// A `pub use` (or `pub(crate) use`, …) in a module of the checked crate.
#[derive(Clone, Copy, Debug)]
enum Reexport {
    /// `pub use path::item [as name];` in `module`: `module::name` is `path::item`.
    Item { module: Key, name: u64, target: Key },
    /// `use path::*;` in `module`: `module::x` is `path::x` for each `x` of `path`
    /// that `module` does not declare itself.
    Glob { module: Key, source: Key },
}

/// How many re-exports deep a name is followed (a re-export of a re-export of …).
const MAX_REEXPORT_HOPS: usize = 4;

impl FnIndex {
    /// Records one definition of `callee` (a free function under its [`free_key`],
    /// or a method or associated function, impl or trait, by name): whether it is
    /// `async`, and the rule facts recorded about it, each once.
    #[cfg(test)]
    pub(crate) fn add(&mut self, callee: &FutureSource, is_async: bool, facts: &[RuleFact]) {
        self.add_def(callee, is_async, is_async, true, facts);
    }

    /// As [`add`](Self::add), for a definition that may have no body (`has_body`)
    /// and whose future may not be lazy (`is_lazy`, see [`Fact::Lazy`]).
    pub(crate) fn add_def(
        &mut self,
        callee: &FutureSource,
        is_async: bool,
        is_lazy: bool,
        has_body: bool,
        facts: &[RuleFact],
    ) {
        let key = Key::of(callee);
        let FutureSource::Free(path) = callee;
        if let Some((parent, name)) = Key::parent_and_name(path) {
            self.paths.push((key, parent, name));
        }
        let defs = self.defs.entry(key).or_default();
        defs.count += 1;
        defs.async_count += u32::from(is_async);
        defs.lazy_count += u32::from(is_lazy);
        defs.bodies += u32::from(has_body);
        for &fact in facts {
            *self.rule_facts.entry(key.with_fact(fact)).or_default() += 1;
        }
    }

    /// Adds another file's contributions.
    pub(crate) fn merge(&mut self, other: FnIndex) {
        for (key, defs) in other.defs {
            let mine = self.defs.entry(key).or_default();
            mine.count += defs.count;
            mine.async_count += defs.async_count;
            mine.lazy_count += defs.lazy_count;
            mine.bodies += defs.bodies;
        }
        for (key, count) in other.rule_facts {
            *self.rule_facts.entry(key).or_default() += count;
        }
        self.summaries.merge(other.summaries);
        self.paths.extend(other.paths);
        self.reexports.extend(other.reexports);
    }

    /// Records the re-exports of the module at `module` (a [`free_key`] path):
    /// each `(Some(name), target)` a `pub use target as name`, each `(None, source)`
    /// a glob import `use source::*` (public or not: the module's own code
    /// names what it brings as the module's), paths as [`free_key`] paths.
    pub(crate) fn add_reexports(&mut self, module: &str, reexports: &[(Option<&str>, String)]) {
        let module = Key::of(&FutureSource::Free(module.to_owned()));
        for (name, target) in reexports {
            let target = Key::of(&FutureSource::Free(target.clone()));
            self.reexports.push(match name {
                Some(name) => Reexport::Item {
                    module,
                    name: Key::hash(name),
                    target,
                },
                None => Reexport::Glob {
                    module,
                    source: target,
                },
            });
        }
    }

    /// The names the re-exports give the definitions (see [`FnIndex::aliases`]):
    /// `crate::helper` for `crate::util::helper` after `pub use util::helper;`
    /// or `pub use util::*;` in the crate root, `crate::Cache::refresh` for a
    /// method of `crate::model::Cache` after `pub use model::Cache;`, and so on
    /// through re-exports of re-exports. A name a module declares itself is
    /// never an alias; a name two definitions would get is ambiguous.
    fn resolve_reexports(&mut self) {
        self.aliases.clear();
        if self.reexports.is_empty() {
            return;
        }
        let mut by_target: HashMap<Key, Vec<(Key, u64)>> = HashMap::new();
        let mut globs: HashMap<Key, Vec<Key>> = HashMap::new();
        for reexport in &self.reexports {
            match *reexport {
                Reexport::Item {
                    module,
                    name,
                    target,
                } => by_target.entry(target).or_default().push((module, name)),
                Reexport::Glob { module, source } => globs.entry(source).or_default().push(module),
            }
        }
        let mut paths = self.paths.clone();
        paths.sort_unstable();
        paths.dedup();
        let mut aliases: HashMap<Key, Option<Key>> = HashMap::new();
        for &(own, parent, name) in &paths {
            let mut queue = vec![(own, parent, name, 0)];
            let mut seen = vec![own];
            while let Some((full, parent, name, depth)) = queue.pop() {
                let mut names = Vec::new();
                // `pub use path::f;`: the definition itself under a new name.
                for &(module, alias) in by_target.get(&full).into_iter().flatten() {
                    names.push((module.child(alias), module, alias));
                }
                // `pub use path::Type;`: its type (or module) under a new name.
                for &(module, alias) in by_target.get(&parent).into_iter().flatten() {
                    let renamed = module.child(alias);
                    names.push((renamed.child(name), renamed, name));
                }
                // `pub use path::*;`: every name of its module.
                for &module in globs.get(&parent).into_iter().flatten() {
                    names.push((module.child(name), module, name));
                }
                for (alias, alias_parent, alias_name) in names {
                    if self.defs.contains_key(&alias) || seen.contains(&alias) {
                        continue;
                    }
                    seen.push(alias);
                    aliases
                        .entry(alias)
                        .and_modify(|k| {
                            if *k != Some(own) {
                                *k = None;
                            }
                        })
                        .or_insert(Some(own));
                    if depth + 1 < MAX_REEXPORT_HOPS {
                        queue.push((alias, alias_parent, alias_name, depth + 1));
                    }
                }
            }
        }
        self.aliases = aliases;
    }

    /// The key of the definitions `key` names: itself, or through a re-export
    /// (see [`resolve_reexports`](Self::resolve_reexports)) another's.
    fn canonical(&self, key: Key) -> Key {
        match self.aliases.get(&key) {
            Some(Some(own)) => *own,
            _ => key,
        }
    }

    /// Once every file is merged: resolves the return types that name a crate
    /// type alias of a future, and propagates the function summaries over the
    /// call graph (see [`Summaries::settle`]).
    pub(crate) fn settle(&mut self) {
        for (callee, alias) in std::mem::take(&mut self.summaries.returns_alias) {
            if self.summaries.future_aliases.contains(&alias) {
                if let Some(defs) = self.defs.get_mut(&callee) {
                    defs.async_count += 1;
                }
            }
        }
        self.resolve_reexports();
        let bodies: HashMap<Key, u32> = self.defs.iter().map(|(k, d)| (*k, d.bodies)).collect();
        let aliases = &self.aliases;
        self.summaries
            .settle(&bodies, &|key| match aliases.get(&key) {
                Some(Some(own)) => *own,
                _ => key,
            });
    }

    /// How every definition of `callee` has `effect`, when each of them does (after [`settle`](Self::settle)).
    pub(crate) fn chain(&self, effect: Effect, callee: Key) -> Option<super::summary::Chain> {
        self.summaries.chain(effect, self.canonical(callee))
    }

    /// Whether `condition` certainly holds: its callee has a definition, and
    /// every definition it may refer to has every one of its facts.
    pub(crate) fn holds(&self, condition: &Condition) -> bool {
        let callee = self.canonical(condition.callee);
        let Some(defs) = self.defs.get(&callee) else {
            return false;
        };
        condition.facts.iter().all(|fact| {
            let with_fact = match *fact {
                Fact::Async => defs.async_count,
                Fact::Lazy => defs.lazy_count,
                Fact::Blocks => return self.summaries.has(Effect::Blocks, callee),
                Fact::NotCancelSafe => {
                    return self.summaries.has(Effect::NotCancelSafe, callee);
                }
                Fact::BlocksInPlace => {
                    return self.summaries.has(Effect::BlocksInPlace, callee);
                }
                Fact::Rule(fact) => self
                    .rule_facts
                    .get(&callee.with_fact(fact))
                    .copied()
                    .unwrap_or(0),
            };
            with_fact == defs.count
        })
    }
}

/// A function of the checked code, as a call names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum FutureSource {
    /// A function by the [`free_key`] of its path: a free function
    /// `crate::a::f`, a method or associated function under its type's path
    /// (`crate::a::Cache::refresh`), a trait method under its trait's path
    /// (`crate::a::Store::load`, every impl in the crate and the declaration).
    Free(String),
}

/// What the index keeps of a [`FutureSource`]: a 64-bit hash of it, so that the
/// index of a whole corpus (hundreds of thousands of functions, each free one
/// named with its crate's path) stays small. Two names share a key with a
/// probability of about n²/2⁶⁵ for n names: 3·10⁻⁸ for a million.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Key(u64);

impl Key {
    /// The key of `callee`; the same in every run (`SipHash` with fixed keys).
    ///
    /// Keys are built segment by segment (the crate root's, then each
    /// segment's as a [`child`](Self::child)), so that the key of a name a
    /// re-export gives (`crate::Cache::refresh` for `crate::model::Cache::refresh`)
    /// can be computed from the re-export and the definition's keys alone.
    pub(crate) fn of(callee: &FutureSource) -> Key {
        let FutureSource::Free(path) = callee;
        let (root, rest) = path.split_once('#').unwrap_or(("", path));
        let mut key = Key(Self::hash(&root));
        for segment in rest.split("::").filter(|s| !s.is_empty()) {
            key = key.child(Self::hash(&segment));
        }
        key
    }

    /// The key of the item named by the hash `name` inside this one.
    fn child(self, name: u64) -> Key {
        Key(Self::hash(&(self.0, name)))
    }

    /// For a [`free_key`] path with at least one segment: its parent's key and its last segment's hash.
    fn parent_and_name(path: &str) -> Option<(Key, u64)> {
        let (root, rest) = path.split_once('#')?;
        let (parent, name) = match rest.rsplit_once("::") {
            Some((parent, name)) => (format!("{root}#{parent}"), name),
            None if !rest.is_empty() => (format!("{root}#"), rest),
            None => return None,
        };
        Some((Key::of(&FutureSource::Free(parent)), Self::hash(&name)))
    }

    /// The key under which the index counts the definitions of this name that have `fact`.
    fn with_fact(self, fact: RuleFact) -> Key {
        Key(Self::hash(&(self.0, fact.name())))
    }

    fn hash(value: &impl std::hash::Hash) -> u64 {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        BuildHasherDefault::<DefaultHasher>::default().hash_one(value)
    }
}

/// What a finding that waits for the index depends on: every definition `callee` may refer to has all of `facts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Condition {
    pub(crate) callee: Key,
    pub(crate) facts: &'static [Fact],
}

impl Condition {
    /// Every definition `callee` may refer to has all of `facts`.
    pub(crate) fn new(callee: &FutureSource, facts: &'static [Fact]) -> Condition {
        Condition {
            callee: Key::of(callee),
            facts,
        }
    }
}

/// The index key of `crate::a::b::f` in the crate rooted at `crate_root`.
pub(crate) fn free_key(crate_root: &Path, canon: &[String]) -> Option<String> {
    let (first, rest) = canon.split_first()?;
    if first != "crate" {
        return None;
    }
    // As `format!("{}#{}", crate_root.display(), rest.join("::"))`, in one
    // allocation: this runs at every call of a path into the crate.
    let root = crate_root.to_string_lossy();
    let len = root.len() + 1 + rest.iter().map(|s| s.len() + 2).sum::<usize>();
    let mut key = String::with_capacity(len);
    key.push_str(&root);
    key.push('#');
    for (i, segment) in rest.iter().enumerate() {
        if i > 0 {
            key.push_str("::");
        }
        key.push_str(segment);
    }
    Some(key)
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
    fn a_free_key_is_the_crate_root_and_the_path_below_crate() {
        let canon = |s: &str| s.split("::").map(str::to_owned).collect::<Vec<_>>();
        let root = Path::new("/src/app");
        let key = |s: &str| free_key(root, &canon(s));
        assert_eq!(key("crate::net::get").as_deref(), Some("/src/app#net::get"));
        assert_eq!(key("crate::f").as_deref(), Some("/src/app#f"));
        assert_eq!(key("crate").as_deref(), Some("/src/app#"));
        assert_eq!(key("std::fs::read"), None);
        assert_eq!(key("net::crate"), None);
    }

    #[test]
    fn a_name_defined_both_async_and_sync_is_not_a_future() {
        let mut index = FnIndex::default();
        index.add(&FutureSource::Free("app#Api::fetch".into()), true, &[]);
        index.add(&FutureSource::Free("app#Api::load".into()), true, &[]);
        let mut other = FnIndex::default();
        other.add(&FutureSource::Free("app#Api::load".into()), false, &[]);
        index.merge(other);
        let future = |name: &str| {
            Condition::new(
                &FutureSource::Free(format!("app#Api::{name}")),
                &[Fact::Async],
            )
        };
        assert!(index.holds(&future("fetch")));
        assert!(!index.holds(&future("load")));
        assert!(!index.holds(&future("missing")));
        // A free function and a method of the same name are different keys.
        assert!(!index.holds(&Condition::new(
            &FutureSource::Free("app#fetch".into()),
            &[Fact::Async]
        )));
    }

    const OPENS: RuleFact = RuleFact::new("test_rule::opens");
    const CLOSES: RuleFact = RuleFact::new("test_rule::closes");
    const OPENS_AND_CLOSES: &[Fact] = &[Fact::Async, Fact::Rule(OPENS), Fact::Rule(CLOSES)];

    #[test]
    fn a_condition_needs_every_fact_in_every_definition() {
        let mut index = FnIndex::default();
        index.add(
            &FutureSource::Free("app#both".into()),
            true,
            &[OPENS, CLOSES],
        );
        index.add(
            &FutureSource::Free("app#Api::get".into()),
            true,
            &[CLOSES, OPENS],
        );
        let mut other = FnIndex::default();
        other.add(&FutureSource::Free("app#Api::get".into()), true, &[CLOSES]);
        other.add(&FutureSource::Free("app#open".into()), true, &[OPENS]);
        other.add(
            &FutureSource::Free("app#sync".into()),
            false,
            &[OPENS, CLOSES],
        );
        index.merge(other);
        let holds = |callee| index.holds(&Condition::new(&callee, OPENS_AND_CLOSES));
        assert!(holds(FutureSource::Free("app#both".into())));
        assert!(
            !holds(FutureSource::Free("app#Api::get".into())),
            "one `get` does not open"
        );
        assert!(
            !holds(FutureSource::Free("app#open".into())),
            "`open` never closes"
        );
        assert!(
            !holds(FutureSource::Free("app#sync".into())),
            "`sync` is not async"
        );
        assert!(index.holds(&Condition::new(
            &FutureSource::Free("app#open".into()),
            &[Fact::Rule(OPENS)]
        )));
    }

    #[test]
    fn reexports_and_globs_give_definitions_their_other_names() {
        let source = |path: &str| FutureSource::Free(format!("app#{path}"));
        let holds = |index: &FnIndex, path: &str| {
            index.holds(&Condition::new(&source(path), &[Fact::Async]))
        };
        let mut index = FnIndex::default();
        index.add(&source("net::inner::fetch"), true, &[]);
        index.add(&source("net::inner::Store::load"), true, &[]);
        index.add(&source("net::inner::read"), true, &[]);
        index.add(&source("net::read"), false, &[]);
        index.add(&source("a::dup"), true, &[]);
        index.add(&source("b::dup"), true, &[]);
        let mut other = FnIndex::default();
        other.add_reexports(
            "app#net",
            &[
                (Some("fetch"), "app#net::inner::fetch".to_owned()),
                (Some("get"), "app#net::inner::fetch".to_owned()),
                (Some("Store"), "app#net::inner::Store".to_owned()),
                (None, "app#net::inner".to_owned()),
            ],
        );
        other.add_reexports("app#", &[(None, "app#net".to_owned())]);
        other.add_reexports(
            "app#both",
            &[(None, "app#a".to_owned()), (None, "app#b".to_owned())],
        );
        index.merge(other);
        index.settle();
        assert!(holds(&index, "net::fetch"), "`pub use inner::fetch`");
        assert!(holds(&index, "net::get"), "`pub use inner::fetch as get`");
        assert!(holds(&index, "net::Store::load"), "`pub use inner::Store`");
        assert!(
            holds(&index, "fetch"),
            "the root's glob of `net`'s re-export"
        );
        assert!(
            !holds(&index, "net::read"),
            "`net`'s own `read` is not the globbed one"
        );
        assert!(
            !holds(&index, "both::dup"),
            "two globs bring `dup`: ambiguous"
        );
        assert!(!holds(&index, "net::missing"));
    }

    #[test]
    fn a_fact_of_one_function_says_nothing_about_another() {
        let mut index = FnIndex::default();
        index.add(&FutureSource::Free("app#a".into()), false, &[OPENS]);
        index.add(&FutureSource::Free("app#b".into()), false, &[]);
        let opens = |name: &str| {
            index.holds(&Condition::new(
                &FutureSource::Free(name.into()),
                &[Fact::Rule(OPENS)],
            ))
        };
        assert!(opens("app#a"));
        assert!(!opens("app#b"));
        assert!(!index.holds(&Condition::new(
            &FutureSource::Free("app#a".into()),
            &[Fact::Rule(CLOSES)]
        )));
    }
}
