//! The plug-in interface: what a rule implements ([`Rule`]) and what the engine is handed to run ([`Plugin`], [`RuleSet`]).
//!
//! The engine knows no rule by name. The library (`lib.rs`) picks the
//! selected rules from the registry (`rules/mod.rs`) and hands each to the
//! engine as a [`Plugin`]: its name and default severity, for its findings,
//! and its hooks. While walking a file, a hook asks and reports through
//! [`Cx`]; a rule that needs to know about other files records facts about
//! the function it is in ([`Cx::record_fact`]) and reports findings that
//! stand only if a callee has some facts ([`Cx::report_if`]). A rule's
//! configurable options are declared as [`RuleOption`]s in its registry
//! entry; the plug-in carries their configured values, which the rule reads
//! with [`Cx::option_lists`].

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
    /// Every `fn` item (at module level or nested in a body), before its body, in
    /// the context around it (for rules that read its attributes, such as `#[tokio::test]`).
    fn check_fn(&self, _cx: &mut Cx<'_>, _item: &syn::ItemFn) {}
    /// Every `select!` (tokio or futures) whose branches parse.
    fn check_select(&self, _cx: &mut Cx<'_>, _select: &Select) {}
}

/// An option a rule accepts under `[rules.<rule>]` in the configuration: a
/// list of paths as they resolve (`crate::net::get`, `other_crate::f`).
///
/// A rule declares each of its options as a constant in its own file, lists
/// it in its registry entry (which is what the configuration accepts) and
/// reads it through [`Cx::option_lists`] with the same constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RuleOption {
    name: &'static str,
}

impl RuleOption {
    /// An option, named as the configuration spells it (kebab-case), whose value is a list of paths.
    pub(crate) const fn paths(name: &'static str) -> RuleOption {
        RuleOption { name }
    }

    /// Its name in the configuration.
    pub(crate) const fn name(self) -> &'static str {
        self.name
    }
}

/// A rule as the engine runs it, with the configured values of its options.
#[derive(Clone)]
pub(crate) struct Plugin<'l> {
    /// The name its findings carry.
    pub(crate) name: &'static str,
    /// The severity its findings get (configuration may change it afterwards).
    pub(crate) severity: Severity,
    /// Its hooks.
    pub(crate) hooks: &'static dyn Rule,
    /// The clippy lints that catch the same pattern: where code allows one,
    /// the rule's hooks do not run.
    pub(crate) clippy_lints: &'static [&'static str],
    /// Each option its registry entry declares, with the configured paths (often none).
    pub(crate) options: Vec<(RuleOption, &'l [String])>,
}

impl Plugin<'_> {
    /// The configured paths of `option`.
    ///
    /// # Panics
    /// When `option` is not one of the rule's options: the rule reads an
    /// option its registry entry does not declare, so no configuration could
    /// ever set it. (A test-time error: every rule's fixture reaches its reads.)
    pub(crate) fn option(&self, option: RuleOption) -> &[String] {
        match self
            .options
            .iter()
            .find(|(declared, _)| *declared == option)
        {
            Some((_, values)) => values,
            None => panic!(
                "rule `{}` reads option `{}`, which its registry entry does not declare",
                self.name,
                option.name()
            ),
        }
    }
}

impl std::fmt::Debug for Plugin<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("name", &self.name)
            .field("severity", &self.severity)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// What one run of the engine applies.
#[derive(Debug)]
pub(crate) struct RuleSet<'l> {
    /// The rules to run, in the order their hooks are called.
    pub(crate) active: Vec<Plugin<'l>>,
    /// Every rule name an allow comment may use, active or not; any other name
    /// in an allow comment is an `unknown_rule_in_allow` finding.
    pub(crate) known: Vec<&'static str>,
}
