//! Which sync closures run inline: called by the combinator they are passed to before it returns, so in the body around them.
//!
//! `opt.map(|x| ..)`, `res.map_err(|e| ..)?`, `v.iter().map(|x| ..).collect()`,
//! `for x in v.iter().filter(|x| ..)`: the closure runs on the current thread
//! while the expression is evaluated, so inside async code it is async context.
//! A closure given to an iterator adapter whose chain is not consumed in the
//! same expression (returned, stored), to a `par_*` (rayon) chain, to a path
//! call (`spawn_blocking(|| ..)`, `thread::spawn`), or to a method not listed
//! here stays a closure that may run elsewhere, later or never.
//!
//! No types are known: the combinator is recognised by its name and by the
//! rest of its method chain, and a `map`/`filter`/`inspect` whose receiver may
//! be an iterator counts only when its chain is consumed or ends as an
//! `Option`/`Result` (`?`, `.unwrap()`, `.await`, …).

use syn::{Expr, ExprMethodCall};

/// Methods that call their closure before they return on every common type
/// that has them (`Option`, `Result`, `bool`, iterators consumed by them,
/// slices, maps, cells); on futures and streams they run it when polled, which
/// is async context as well.
const EAGER: &[&str] = &[
    // Option, Result, bool
    "and_then",
    "or_else",
    "map_err",
    "map_or",
    "map_or_else",
    "unwrap_or_else",
    "ok_or_else",
    "is_some_and",
    "is_none_or",
    "is_ok_and",
    "is_err_and",
    "get_or_insert_with",
    "inspect_err",
    "take_if",
    "then",
    "with_context",
    "wrap_err_with",
    // iterator consumers
    "for_each",
    "try_for_each",
    "fold",
    "try_fold",
    "rfold",
    "any",
    "all",
    "find",
    "rfind",
    "find_map",
    "position",
    "rposition",
    "max_by_key",
    "min_by_key",
    "max_by",
    "min_by",
    "reduce",
    "partition",
    "sorted_by",
    "sorted_by_key",
    // slices, vectors, maps, cells, spans
    "sort_by",
    "sort_by_key",
    "sort_unstable_by",
    "sort_unstable_by_key",
    "sort_by_cached_key",
    "retain",
    "retain_mut",
    "dedup_by",
    "dedup_by_key",
    "binary_search_by",
    "binary_search_by_key",
    "partition_point",
    "or_insert_with",
    "or_insert_with_key",
    "and_modify",
    "get_or_init",
    "call_once",
    "in_scope",
];

/// Eager on `Option`/`Result`, lazy on iterators.
const AMBIGUOUS: &[&str] = &["map", "filter", "inspect"];

/// Lazy iterator adapters: their closure runs only when the chain is consumed.
const LAZY: &[&str] = &[
    "filter_map",
    "flat_map",
    "take_while",
    "skip_while",
    "map_while",
    "scan",
];

/// Methods that consume the iterator they are called on.
const CONSUMERS: &[&str] = &[
    "collect",
    "collect_vec",
    "try_collect",
    "for_each",
    "try_for_each",
    "sum",
    "product",
    "count",
    "last",
    "nth",
    "next",
    "next_back",
    "max",
    "min",
    "max_by_key",
    "min_by_key",
    "max_by",
    "min_by",
    "fold",
    "try_fold",
    "rfold",
    "reduce",
    "any",
    "all",
    "find",
    "rfind",
    "find_map",
    "position",
    "rposition",
    "partition",
    "unzip",
    "join",
    "sorted",
    "sorted_by",
    "sorted_by_key",
];

/// Methods that make their receiver chain an iterator.
const ITERATORS: &[&str] = &[
    "iter",
    "iter_mut",
    "into_iter",
    "chars",
    "char_indices",
    "bytes",
    "lines",
    "split",
    "rsplit",
    "splitn",
    "rsplitn",
    "split_terminator",
    "split_whitespace",
    "split_ascii_whitespace",
    "split_inclusive",
    "matches",
    "match_indices",
    "keys",
    "values",
    "values_mut",
    "into_keys",
    "into_values",
    "drain",
    "windows",
    "chunks",
    "chunks_exact",
    "rchunks",
    "enumerate",
    "rev",
    "step_by",
    "chain",
    "cycle",
    "peekable",
    "fuse",
    "skip",
    "incoming",
];

/// Path calls whose result is an iterator or a stream (by their last segment).
const ITERATOR_FNS: &[&str] = &[
    "once",
    "repeat",
    "repeat_with",
    "repeat_n",
    "from_fn",
    "successors",
    "empty",
    "iter",
    "unfold",
    "read_dir",
];

/// Methods (with no arguments unless noted) whose result is an `Option` or a `Result`.
const OPTIONS: &[&str] = &[
    "get",
    "get_mut",
    "first",
    "last",
    "first_mut",
    "last_mut",
    "pop",
    "pop_front",
    "pop_back",
    "front",
    "back",
    "ok",
    "err",
    "parse",
    "next",
    "peek",
    "checked_add",
    "checked_sub",
    "checked_mul",
    "checked_div",
    "strip_prefix",
    "strip_suffix",
    "split_once",
    "rsplit_once",
    "find",
    "position",
    "lock",
    "try_lock",
    "try_read",
    "try_write",
    "as_ref",
    "as_deref",
    "as_mut",
    "as_deref_mut",
    "to_str",
    "file_name",
    "file_stem",
    "extension",
    "parent",
    "upgrade",
    "try_recv",
];

/// Methods whose receiver is an `Option` or a `Result` (what ends such a chain).
const FINISHERS: &[&str] = &[
    "unwrap",
    "expect",
    "unwrap_or",
    "unwrap_or_default",
    "unwrap_or_else",
    "unwrap_err",
    "expect_err",
    "ok",
    "err",
    "is_some",
    "is_none",
    "is_ok",
    "is_err",
    "ok_or",
    "ok_or_else",
    "map_or",
    "map_or_else",
    "and_then",
    "or_else",
    "map_err",
    "transpose",
    "context",
    "with_context",
    "wrap_err",
    "wrap_err_with",
];

/// Path calls that consume the iterator passed to them (by their last segment).
const CONSUMING_FNS: &[&str] = &["from_iter", "join_all", "try_join_all"];

/// One step of a method chain, outermost first.
enum Link<'a> {
    Method(&'a ExprMethodCall),
    Try,
    Await,
}

impl Link<'_> {
    fn is(&self, names: &[&str]) -> bool {
        matches!(self, Link::Method(call) if names.iter().any(|n| call.method == n))
    }
}

/// Adds to `inline` the address of every sync closure passed to a method of the
/// chain `top` that runs it inline; `consumed` when what `top` evaluates to is
/// iterated right away (`for _ in top`, `v.extend(top)`). Arguments of `extend`
/// and of `from_iter`/`join_all` calls are looked at as consumed chains too.
pub(crate) fn mark(top: &Expr, consumed: bool, inline: &mut Vec<usize>) {
    if let Expr::Call(call) = top {
        if last_segment_is(&call.func, CONSUMING_FNS) {
            call.args.iter().for_each(|arg| mark(arg, true, inline));
        }
        return;
    }
    let mut links = Vec::new();
    let mut root = top;
    loop {
        match root {
            Expr::MethodCall(call) => {
                links.push(Link::Method(call));
                root = &call.receiver;
            }
            Expr::Try(t) => {
                links.push(Link::Try);
                root = &t.expr;
            }
            Expr::Await(a) => {
                links.push(Link::Await);
                root = &a.base;
            }
            Expr::Paren(p) => root = &p.expr,
            _ => break,
        }
    }
    if links.iter().any(is_parallel) {
        return;
    }
    for (i, link) in links.iter().enumerate() {
        let Link::Method(call) = link else { continue };
        if call.method == "extend" {
            call.args.iter().for_each(|arg| mark(arg, true, inline));
        }
        let closures: Vec<usize> = call
            .args
            .iter()
            .filter_map(sync_closure)
            .map(|c| std::ptr::from_ref(c).addr())
            .collect();
        if closures.is_empty() {
            continue;
        }
        let (above, below) = (&links[..i], &links[i + 1..]);
        let consumed = consumed || above.iter().any(|l| l.is(CONSUMERS));
        let runs = if link.is(EAGER) {
            true
        } else if link.is(LAZY) {
            consumed
        } else if link.is(AMBIGUOUS) {
            consumed
                || (!is_iterator(below, root)
                    && (above.iter().any(is_finisher) || is_option(below.first(), root)))
        } else {
            false
        };
        if runs {
            inline.extend(closures);
        }
    }
}

/// A sync closure, through parentheses.
fn sync_closure(expr: &Expr) -> Option<&Expr> {
    match expr {
        Expr::Paren(p) => sync_closure(&p.expr),
        Expr::Closure(c) if c.asyncness.is_none() => Some(expr),
        _ => None,
    }
}

/// A rayon chain: its closures run on the thread pool.
fn is_parallel(link: &Link<'_>) -> bool {
    matches!(link, Link::Method(call) if {
        let name = call.method.to_string();
        name.starts_with("par_") || name.starts_with("into_par_") || name == "par_bridge"
    })
}

/// `?`, `.await` or a method of `Option`/`Result` (see [`FINISHERS`]).
fn is_finisher(link: &Link<'_>) -> bool {
    matches!(link, Link::Try | Link::Await) || link.is(FINISHERS)
}

/// Whether the chain below a method (its receiver, innermost last) is an iterator or a stream.
fn is_iterator(below: &[Link<'_>], root: &Expr) -> bool {
    let adapter = below.iter().any(|l| match l {
        Link::Method(call) if call.method == "take" => !call.args.is_empty(),
        _ => l.is(ITERATORS) || l.is(LAZY) || l.is(AMBIGUOUS),
    });
    adapter
        || match root {
            Expr::Range(_) => true,
            Expr::Call(call) => last_segment_is(&call.func, ITERATOR_FNS),
            _ => false,
        }
}

/// Whether a method's receiver (its chain's next link, or the root) is an `Option` or a `Result`.
fn is_option(receiver: Option<&Link<'_>>, root: &Expr) -> bool {
    match receiver {
        Some(Link::Await) => true,
        Some(Link::Try) => false,
        Some(Link::Method(call)) if call.method == "take" => call.args.is_empty(),
        Some(link) => link.is(OPTIONS),
        None => matches!(root, Expr::Call(call)
            if last_segment_is(&call.func, &["Some", "Ok", "Err", "var", "var_os"])),
    }
}

fn last_segment_is(func: &Expr, names: &[&str]) -> bool {
    matches!(func, Expr::Path(p)
        if p.path.segments.last().is_some_and(|s| names.iter().any(|n| s.ident == n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The closures (by their source text) that `mark` finds inline in `src`.
    fn inline_in(src: &str, consumed: bool) -> Vec<String> {
        struct Closures(Vec<(usize, String)>);
        impl<'ast> syn::visit::Visit<'ast> for Closures {
            fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
                let text = quote::ToTokens::to_token_stream(&c.body).to_string();
                self.0.push((std::ptr::from_ref(c).addr(), text));
                syn::visit::visit_expr_closure(self, c);
            }
        }
        let expr: Expr = syn::parse_str(src).unwrap();
        let mut inline = Vec::new();
        mark(&expr, consumed, &mut inline);
        let mut all = Closures(Vec::new());
        syn::visit::Visit::visit_expr(&mut all, &expr);
        all.0
            .into_iter()
            .filter(|(addr, _)| inline.contains(addr))
            .map(|(_, text)| text)
            .collect()
    }

    #[test]
    fn option_and_result_combinators_run_inline() {
        assert_eq!(inline_in("opt.map_err(|e| a(e))", false), ["a (e)"]);
        assert_eq!(inline_in("m.get(k).map(|v| b(v))", false), ["b (v)"]);
        assert_eq!(inline_in("x.map(|v| c(v)).unwrap_or(0)", false), ["c (v)"]);
        assert_eq!(inline_in("rx.recv().await.map(|v| d(v))", false), ["d (v)"]);
    }

    #[test]
    fn iterator_adapters_run_inline_only_when_consumed() {
        assert_eq!(
            inline_in("v.iter().map(|x| a(x)).collect()", false),
            ["a (x)"]
        );
        assert!(inline_in("v.iter().map(|x| a(x))", false).is_empty());
        assert_eq!(inline_in("v.iter().map(|x| a(x))", true), ["a (x)"]);
        assert!(inline_in("v.iter().map(|x| a(x)).unwrap_or(0)", false).is_empty());
        assert_eq!(
            inline_in("v.iter().filter_map(|x| a(x)).count()", false),
            ["a (x)"]
        );
        assert!(inline_in("it.map(|x| a(x))", false).is_empty());
    }

    #[test]
    fn rayon_chains_and_unknown_methods_do_not_run_inline() {
        assert!(inline_in("v.par_iter().for_each(|x| a(x))", false).is_empty());
        assert!(inline_in("b.spawn(|| a())", false).is_empty());
        assert!(inline_in("spawn_blocking(|| a())", false).is_empty());
        assert!(inline_in("v.iter().for_each(async |x| a(x))", false).is_empty());
    }
}
