//! The plug-in interface: what a rule implements ([`Rule`]) and what the engine is handed to run ([`Plugin`], [`RuleSet`]).
//!
//! The engine knows no rule by name. The library (`lib.rs`) picks the
//! selected rules from the registry (`rules/mod.rs`) and hands each to the
//! engine as a [`Plugin`]: its name and default severity, for its findings,
//! and its hooks. While walking a file, a hook asks and reports through
//! [`Cx`]; a rule that needs to know about other files records facts about
//! the function it is in ([`Cx::record_fact`]) and reports findings that
//! stand only if a callee has some facts ([`Cx::report_if`]).

use super::cx::Cx;
use super::macros::Select;
use crate::Severity;

/// The hooks a rule implements. The engine walks each file once and calls
/// every active rule's hooks at each node, with [`Cx`] describing where the
/// node is. Hooks must be cheap: match the node's shape first, return early.
pub(crate) trait Rule: Sync {
    /// Every expression, before its children (in the context of the expression itself).
    fn check_expr(&self, _cx: &mut Cx<'_>, _expr: &syn::Expr) {}
    /// Every statement of every block, before its children.
    fn check_stmt(&self, _cx: &mut Cx<'_>, _stmt: &syn::Stmt) {}
    /// Every block, once, before its statements (for rules that look at a statement and what follows it).
    fn check_block(&self, _cx: &mut Cx<'_>, _block: &syn::Block) {}
    /// Every `select!` (tokio or futures) whose branches parse.
    fn check_select(&self, _cx: &mut Cx<'_>, _select: &Select) {}
}

/// A rule as the engine runs it.
#[derive(Clone, Copy)]
pub(crate) struct Plugin {
    /// The name its findings carry.
    pub(crate) name: &'static str,
    /// The severity its findings get (configuration may change it afterwards).
    pub(crate) severity: Severity,
    /// Its hooks.
    pub(crate) hooks: &'static dyn Rule,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("name", &self.name)
            .field("severity", &self.severity)
            .finish_non_exhaustive()
    }
}

/// What one run of the engine applies.
#[derive(Debug)]
pub(crate) struct RuleSet {
    /// The rules to run, in the order their hooks are called.
    pub(crate) active: Vec<Plugin>,
    /// Every rule name an allow comment may use, active or not; any other name
    /// in an allow comment is an `unknown_rule_in_allow` finding.
    pub(crate) known: Vec<&'static str>,
    /// The configured rule options (extra blocking and async functions).
    pub(crate) options: std::sync::Arc<crate::config::RuleOptions>,
}
