//! Whether a test body calls `tokio::time::pause()` in a form the attribute can see,
//! so that its runtime starts with the clock running (tokio panics with "time is
//! already frozen" when `pause()` finds the clock paused).
//!
//! Seen, anywhere in the body (nested blocks, closures, macro arguments):
//! `tokio::time::pause()`, `time::pause()`, `m::pause()` after `use tokio::time as m`
//! or `use tokio::time::{self as m}`, and `p()` after `use tokio::time::pause as p`
//! (or without `as`). A `use` at module level is outside the body and not seen.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::visit::Visit;

/// Whether `body` calls tokio's `pause()` in a form listed in the module docs.
pub(crate) fn calls_pause(body: &syn::Block) -> bool {
    let mut imports = Imports {
        modules: vec!["time".to_owned()],
        functions: Vec::new(),
    };
    imports.visit_block(body);
    let tokens: TokenStream = quote::ToTokens::to_token_stream(body);
    imports.calls_in(tokens)
}

/// The names under which the body's `use` declarations bring in `tokio::time`
/// and `tokio::time::pause`.
struct Imports {
    modules: Vec<String>,
    functions: Vec<String>,
}

impl Imports {
    fn add_use(&mut self, tree: &syn::UseTree, path: &mut Vec<String>) {
        match tree {
            syn::UseTree::Path(p) => {
                path.push(p.ident.to_string());
                self.add_use(&p.tree, path);
                path.pop();
            }
            syn::UseTree::Group(g) => {
                for item in &g.items {
                    self.add_use(item, path);
                }
            }
            syn::UseTree::Name(n) => self.bind(path, &n.ident, &n.ident),
            syn::UseTree::Rename(r) => self.bind(path, &r.ident, &r.rename),
            syn::UseTree::Glob(_) => {
                if is_tokio_time(path) {
                    self.functions.push("pause".to_owned());
                }
            }
        }
    }

    /// `use <path>::<name> as <alias>`.
    fn bind(&mut self, path: &[String], name: &syn::Ident, alias: &syn::Ident) {
        let alias = alias.to_string();
        if name == "self" && is_tokio_time(path) {
            // `use tokio::time::{self}` binds `time`.
            let bound = if alias == "self" {
                "time".to_owned()
            } else {
                alias
            };
            self.modules.push(bound);
        } else if name == "time" && path == ["tokio"] {
            self.modules.push(alias);
        } else if name == "pause" && is_tokio_time(path) {
            self.functions.push(alias);
        }
    }

    /// Whether `tokens` hold `<module>::pause(…)` or `<function>(…)` (not a
    /// method call, a path's later segment or a definition).
    fn calls_in(&self, tokens: TokenStream) -> bool {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, tree) in trees.iter().enumerate() {
            match tree {
                TokenTree::Group(group) if self.calls_in(group.stream()) => return true,
                TokenTree::Ident(ident) if is_call(trees.get(i + 1)) => {
                    let name = ident.to_string();
                    let before = &trees[..i];
                    if name == "pause" && self.module_before(before) {
                        return true;
                    }
                    if self.functions.contains(&name) && starts_an_expression(before) {
                        return true;
                    }
                }
                _ => {}
            }
        }
        false
    }

    /// Whether `before` ends with `<module> ::`, `<module>` an alias of `tokio::time`.
    fn module_before(&self, before: &[TokenTree]) -> bool {
        let [
            ..,
            TokenTree::Ident(module),
            TokenTree::Punct(c1),
            TokenTree::Punct(c2),
        ] = before
        else {
            return false;
        };
        c1.as_char() == ':' && c2.as_char() == ':' && self.modules.contains(&module.to_string())
    }
}

impl<'ast> Visit<'ast> for Imports {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.add_use(&item.tree, &mut Vec::new());
    }
}

/// `tokio::time` (or `::tokio::time`: the leading `::` is not a segment).
fn is_tokio_time(path: &[String]) -> bool {
    path == ["tokio", "time"]
}

fn is_call(next: Option<&TokenTree>) -> bool {
    matches!(next, Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
}

/// Whether an identifier after `before` starts a path expression: not after
/// `.` (a method), `::` (another path's segment) or `fn` (a definition).
fn starts_an_expression(before: &[TokenTree]) -> bool {
    match before.last() {
        Some(TokenTree::Punct(p)) if p.as_char() == '.' || p.as_char() == ':' => false,
        Some(TokenTree::Ident(i)) if i == "fn" => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(body: &str) -> bool {
        calls_pause(&syn::parse_str(body).unwrap())
    }

    #[test]
    fn every_visible_form_is_seen() {
        for body in [
            "{ tokio::time::pause(); }",
            "{ ::tokio::time::pause(); }",
            "{ time::pause(); }",
            "{ use tokio::time; time::pause(); }",
            "{ use tokio::time as clock; clock::pause(); }",
            "{ use tokio::time::{self as t, Duration}; t::pause(); }",
            "{ use tokio::time::pause; pause(); }",
            "{ use tokio::{time::{pause as freeze}}; freeze(); }",
            "{ use tokio::time::*; pause(); }",
            "{ if setup() { loop { tokio::time::pause(); break; } } }",
            "{ let f = || tokio::time::pause(); f(); }",
            "{ assert!({ tokio::time::pause(); true }); }",
            "{ tokio::spawn(async { time::pause() }); }",
        ] {
            assert!(seen(body), "not seen: {body}");
        }
    }

    #[test]
    fn look_alikes_are_not_pause() {
        for body in [
            "{ pause(); }",
            "{ player.pause(); }",
            "{ media::pause(); }",
            "{ use tokio::time::pause; fn pause() {} }",
            "{ use std::thread::sleep as pause; pause(); }",
            "{ tokio::time::resume(); }",
            "{ let pause = 3; let _ = pause; }",
        ] {
            assert!(!seen(body), "wrongly seen: {body}");
        }
    }
}
