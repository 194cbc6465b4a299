//! Function summaries: what calling a function of the checked code does one call away or more, and their propagation over the crate's call graph.
//!
//! Three [`Effect`]s are followed. *Blocks*: while a file is walked, each
//! *sync* function of it records (see
//! [`Cx::report_blocking`](super::cx::Cx::report_blocking)) the first
//! operation in its body that a blocking rule reports in async context —
//! outside closures, which may run on another thread (`spawn_blocking`,
//! `std::thread::spawn`) — and the calls its body makes (again outside
//! closures) to functions of the checked crate, each by the index [`Key`] the
//! call resolves to. *Not cancel-safe*: each `async fn` records the first
//! operation it awaits that loses progress when its future is dropped (see
//! [`Cx::record_effect`](super::cx::Cx::record_effect)), and the calls of
//! crate functions it awaits. *Blocks in place*: each function, sync or
//! `async`, records the first `tokio::task::block_in_place` call of its body
//! and every call of a crate function its body makes (again outside
//! closures; an `async fn`'s calls whether awaited or not). Only functions
//! with an operation or such calls are kept: most have neither.
//!
//! After the first pass, [`Summaries::settle`] propagates each effect
//! backwards over the recorded calls, breadth first from the operations, so
//! every key is settled once (recursion and cycles terminate, the cost is
//! linear in calls) and each key with the effect keeps the shortest chain of
//! calls down to its operation. A key has an effect when *every* definition
//! with a body under it does (`cfg` variants, every impl of a trait method).
//! So an `async fn` never blocks (its callers get a future, and the blocking
//! call is reported inside it), and a sync fn is never not cancel-safe.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt, HashSet};

use super::index::Key;
use crate::Span;

/// A place in a file of the run.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Site {
    /// The file.
    pub(crate) path: Arc<Path>,
    /// Where in it.
    pub(crate) span: Span,
}

/// What calling a function can do that a rule reports at the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Effect {
    /// A sync fn that blocks the thread (directly or through calls in its sync body).
    Blocks,
    /// An `async fn` that awaits an operation whose progress is lost when its
    /// future is dropped (directly or through awaited calls).
    NotCancelSafe,
    /// A sync or `async` fn whose body calls `tokio::task::block_in_place`
    /// (directly or through the crate functions it calls).
    BlocksInPlace,
}

impl Effect {
    /// How a note names a hop of this effect's chain: "`a` calls `b` here".
    pub(crate) const fn verb(self) -> &'static str {
        match self {
            Effect::Blocks | Effect::BlocksInPlace => "calls",
            Effect::NotCancelSafe => "awaits",
        }
    }

    const fn slot(self) -> usize {
        match self {
            Effect::Blocks => 0,
            Effect::NotCancelSafe => 1,
            Effect::BlocksInPlace => 2,
        }
    }
}

/// An operation with an [`Effect`] that a rule saw in a function's body.
#[derive(Clone, Debug)]
pub(crate) struct Blocking {
    /// The rule that reports the operation: its index in the run's list of
    /// active rules (the engine gives it no other meaning).
    pub(crate) rule: usize,
    /// The operation, as a message names it (`` `std::thread::sleep` ``).
    pub(crate) operation: String,
    /// The rule's help for it.
    pub(crate) help: String,
    /// Where it is called.
    pub(crate) site: Site,
}

/// What one sync function definition does, as its file recorded it.
#[derive(Clone, Debug)]
pub(crate) struct DefSummary {
    /// The keys calls name it by (its path; a trait impl's method also its trait's).
    pub(crate) keys: Vec<Key>,
    /// How messages name it (`wait_for_quota`, `Cache::refresh`).
    pub(crate) name: String,
    /// Where it is defined (its name), which orders definitions deterministically.
    pub(crate) site: Site,
    /// The first blocking operation of its body, if any (a sync fn's).
    pub(crate) blocking: Option<Blocking>,
    /// The calls its sync body makes to functions of the checked crate, in source order.
    pub(crate) calls: Vec<(Key, Site)>,
    /// The first not-cancel-safe operation it awaits, if any (an `async fn`'s).
    pub(crate) cancel_unsafe: Option<Blocking>,
    /// The calls of functions of the checked crate it awaits, in source order.
    pub(crate) awaited: Vec<(Key, Site)>,
    /// Its body's first `block_in_place` call, if any (a sync or an `async fn`'s).
    pub(crate) block_in_place: Option<Blocking>,
    /// The calls of functions of the checked crate an `async fn`'s body makes,
    /// awaited or not, in source order (a sync fn's are [`calls`](Self::calls)).
    pub(crate) async_calls: Vec<(Key, Site)>,
}

impl DefSummary {
    fn operation(&self, effect: Effect) -> Option<&Blocking> {
        match effect {
            Effect::Blocks => self.blocking.as_ref(),
            Effect::NotCancelSafe => self.cancel_unsafe.as_ref(),
            Effect::BlocksInPlace => self.block_in_place.as_ref(),
        }
    }

    fn calls(&self, effect: Effect) -> &[(Key, Site)] {
        match effect {
            Effect::Blocks => &self.calls,
            Effect::NotCancelSafe => &self.awaited,
            // A definition is sync or `async`: one of the two lists is empty.
            Effect::BlocksInPlace if self.async_calls.is_empty() => &self.calls,
            Effect::BlocksInPlace => &self.async_calls,
        }
    }
}

/// How a blocking definition blocks.
#[derive(Clone, Copy, Debug)]
enum Hop {
    /// Its own operation.
    Direct,
    /// Its call at this index of [`DefSummary::calls`].
    Call(usize),
}

/// The summaries of every function of the run, merged file by file, then settled.
#[derive(Clone, Debug, Default)]
pub(crate) struct Summaries {
    defs: Vec<DefSummary>,
    /// The crate type aliases whose type is a future (`type Fut = Pin<Box<dyn Future<..>>>`).
    pub(crate) future_aliases: HashSet<Key>,
    /// (function key, alias key) for each definition whose declared return type is a crate type alias.
    pub(crate) returns_alias: Vec<(Key, Key)>,
    /// After [`settle`](Self::settle), per [`Effect`]: what has it.
    settled: [Settled; 3],
}

/// Which keys and definitions have one effect.
#[derive(Clone, Debug, Default)]
struct Settled {
    /// Each key with the effect, and the definition that completed it.
    keys: HashMap<Key, usize>,
    /// How each definition with the effect has it.
    how: HashMap<usize, Hop>,
}

/// How calling a key has an effect: the owning rule, the root operation and
/// each hop down to it.
#[derive(Clone, Debug)]
pub(crate) struct Chain {
    /// The owning rule (index in the active rules).
    pub(crate) rule: usize,
    /// The root operation, as a message names it.
    pub(crate) operation: String,
    /// The owning rule's help for it.
    pub(crate) help: String,
    /// Each hop: the function it is in, what it calls there (a function's name
    /// or the operation), and where.
    pub(crate) hops: Vec<(String, String, Site)>,
}

impl Summaries {
    /// Adds one definition's summary (only worth it with an operation or calls).
    pub(crate) fn add(&mut self, def: DefSummary) {
        self.defs.push(def);
    }

    /// Adds another file's summaries.
    pub(crate) fn merge(&mut self, other: Summaries) {
        self.defs.extend(other.defs);
        self.future_aliases.extend(other.future_aliases);
        self.returns_alias.extend(other.returns_alias);
    }

    /// Propagates each effect from the operations to their callers, given how
    /// many definitions with a body each key has (see the module docs) and the
    /// key of the definitions each called key names (`canonical`: itself, or
    /// through a `pub use` re-export another's).
    pub(crate) fn settle(&mut self, bodies: &HashMap<Key, u32>, canonical: &dyn Fn(Key) -> Key) {
        // Files merge in any order; sorting makes the chains independent of it.
        self.defs.sort_by(|a, b| a.site.cmp(&b.site));
        for def in &mut self.defs {
            let called = def.calls.iter_mut();
            for (callee, _) in called.chain(&mut def.awaited).chain(&mut def.async_calls) {
                *callee = canonical(*callee);
            }
        }
        for effect in [Effect::Blocks, Effect::NotCancelSafe, Effect::BlocksInPlace] {
            self.settled[effect.slot()] = self.propagate(effect, bodies);
        }
    }

    fn propagate(&self, effect: Effect, bodies: &HashMap<Key, u32>) -> Settled {
        let mut callers: HashMap<Key, Vec<(usize, usize)>> = HashMap::new();
        for (d, def) in self.defs.iter().enumerate() {
            for (c, (callee, _)) in def.calls(effect).iter().enumerate() {
                callers.entry(*callee).or_default().push((d, c));
            }
        }
        let mut settled = Settled::default();
        let mut counts: HashMap<Key, u32> = HashMap::new();
        let mut queue = VecDeque::new();
        let mut mark = |d: usize, hop: Hop, settled: &mut Settled, queue: &mut VecDeque<Key>| {
            if settled.how.contains_key(&d) {
                return;
            }
            settled.how.insert(d, hop);
            for key in &self.defs[d].keys {
                let count = counts.entry(*key).or_default();
                *count += 1;
                if Some(&*count) == bodies.get(key) && !settled.keys.contains_key(key) {
                    settled.keys.insert(*key, d);
                    queue.push_back(*key);
                }
            }
        };
        for (d, def) in self.defs.iter().enumerate() {
            if def.operation(effect).is_some() {
                mark(d, Hop::Direct, &mut settled, &mut queue);
            }
        }
        while let Some(key) = queue.pop_front() {
            for &(d, c) in callers.get(&key).map_or(&[][..], Vec::as_slice) {
                mark(d, Hop::Call(c), &mut settled, &mut queue);
            }
        }
        settled
    }

    /// Whether every definition of `key` has `effect` (after [`settle`](Self::settle)).
    pub(crate) fn has(&self, effect: Effect, key: Key) -> bool {
        self.settled[effect.slot()].keys.contains_key(&key)
    }

    /// How calling `key` has `effect`, when it does (after [`settle`](Self::settle)).
    pub(crate) fn chain(&self, effect: Effect, key: Key) -> Option<Chain> {
        let settled = &self.settled[effect.slot()];
        let mut d = *settled.keys.get(&key)?;
        let mut hops = Vec::new();
        loop {
            let def = &self.defs[d];
            match *settled.how.get(&d)? {
                Hop::Direct => {
                    let operation = def.operation(effect)?;
                    hops.push((
                        def.name.clone(),
                        operation.operation.clone(),
                        operation.site.clone(),
                    ));
                    return Some(Chain {
                        rule: operation.rule,
                        operation: operation.operation.clone(),
                        help: operation.help.clone(),
                        hops,
                    });
                }
                Hop::Call(c) => {
                    let (callee, site) = &def.calls(effect)[c];
                    let next = *settled.keys.get(callee)?;
                    hops.push((
                        def.name.clone(),
                        format!("`{}`", self.defs[next].name),
                        site.clone(),
                    ));
                    d = next;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::index::FutureSource;

    fn key(name: &str) -> Key {
        Key::of(&FutureSource::Free(format!("app#{name}")))
    }

    fn site(line: usize) -> Site {
        Site {
            path: Arc::from(Path::new("app/src/lib.rs")),
            span: Span {
                line,
                column: 1,
                end_line: line,
                end_column: 2,
            },
        }
    }

    fn def(name: &str, line: usize, blocks: bool, calls: &[(&str, usize)]) -> DefSummary {
        DefSummary {
            keys: vec![key(name)],
            name: name.to_owned(),
            site: site(line),
            blocking: blocks.then(|| Blocking {
                rule: 0,
                operation: "`std::thread::sleep`".to_owned(),
                help: String::new(),
                site: site(line + 1),
            }),
            calls: calls.iter().map(|(c, l)| (key(c), site(*l))).collect(),
            cancel_unsafe: None,
            awaited: Vec::new(),
            block_in_place: None,
            async_calls: Vec::new(),
        }
    }

    fn settled(defs: Vec<DefSummary>, bodies: &[(&str, u32)]) -> Summaries {
        let mut summaries = Summaries::default();
        for d in defs {
            summaries.add(d);
        }
        let bodies = bodies.iter().map(|(n, b)| (key(n), *b)).collect();
        summaries.settle(&bodies, &|key| key);
        summaries
    }

    #[test]
    fn blocking_propagates_through_cycles_with_the_shortest_chain() {
        let summaries = settled(
            vec![
                def("a", 10, false, &[("b", 11), ("c", 12)]),
                def("b", 20, false, &[("a", 21), ("c", 22)]),
                def("c", 30, false, &[("d", 31)]),
                def("d", 40, true, &[]),
                def("loop1", 50, false, &[("loop2", 51)]),
                def("loop2", 60, false, &[("loop1", 61)]),
            ],
            &[
                ("a", 1),
                ("b", 1),
                ("c", 1),
                ("d", 1),
                ("loop1", 1),
                ("loop2", 1),
            ],
        );
        let chain = summaries.chain(Effect::Blocks, key("a")).expect("a blocks");
        let hops: Vec<_> = chain
            .hops
            .iter()
            .map(|(f, what, s)| format!("{f}->{what}@{}", s.span.line))
            .collect();
        assert_eq!(
            hops,
            ["a->`c`@12", "c->`d`@31", "d->`std::thread::sleep`@41"]
        );
        assert!(summaries.has(Effect::Blocks, key("b")));
        assert!(
            !summaries.has(Effect::Blocks, key("loop1")),
            "a cycle alone never blocks"
        );
        assert!(!summaries.has(Effect::Blocks, key("loop2")));
    }

    #[test]
    fn a_key_blocks_only_when_every_definition_does() {
        // Two definitions of `either` (say, `cfg` variants): only one blocks.
        let summaries = settled(
            vec![
                def("either", 10, true, &[]),
                def("caller", 20, false, &[("either", 21)]),
            ],
            &[("either", 2), ("caller", 1)],
        );
        assert!(!summaries.has(Effect::Blocks, key("either")));
        assert!(!summaries.has(Effect::Blocks, key("caller")));
    }
}
