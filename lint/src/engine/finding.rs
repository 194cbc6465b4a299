//! The findings the engine reports itself — about a file it could not check, or an allow comment — rather than a rule's.

use std::path::Path;

use crate::{Finding, Severity, Span};

/// A kind of finding the engine produces itself; its [`name`](Self::name) is
/// the finding's `rule`, and no configuration selects or ignores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum EngineFinding {
    /// The file does not parse.
    SyntaxError,
    /// The file, or an entry of the walk, cannot be read.
    IoError,
    /// The file nests deeper than the engine parses.
    TooComplex,
    /// A rule panicked while checking the file.
    InternalError,
    /// An allow comment names a rule that does not exist.
    UnknownRuleInAllow,
}

impl EngineFinding {
    /// Every kind, in the order the SARIF log lists them after the rules.
    pub(crate) const ALL: [EngineFinding; 5] = [
        EngineFinding::SyntaxError,
        EngineFinding::IoError,
        EngineFinding::TooComplex,
        EngineFinding::InternalError,
        EngineFinding::UnknownRuleInAllow,
    ];

    /// The name findings of this kind carry as their `rule`.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            EngineFinding::SyntaxError => "syntax_error",
            EngineFinding::IoError => "io_error",
            EngineFinding::TooComplex => "too_complex",
            EngineFinding::InternalError => "internal_error",
            EngineFinding::UnknownRuleInAllow => "unknown_rule_in_allow",
        }
    }

    /// The kind named `name`, if it is one.
    pub(crate) fn named(name: &str) -> Option<EngineFinding> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// How serious its findings are: an error when a file could not be checked
    /// at all, a warning for a misspelt allow comment.
    pub(crate) const fn severity(self) -> Severity {
        match self {
            EngineFinding::UnknownRuleInAllow => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// What its findings mean, in one sentence (SARIF's rule descriptions).
    pub(crate) const fn description(self) -> &'static str {
        match self {
            EngineFinding::SyntaxError => "The file does not parse, so no rule could check it.",
            EngineFinding::IoError => "The file could not be read as UTF-8 text.",
            EngineFinding::TooComplex => {
                "The file nests brackets too deeply to be parsed safely, so no rule could check it."
            }
            EngineFinding::InternalError => {
                "asyncheck crashed while checking the file; please report it."
            }
            EngineFinding::UnknownRuleInAllow => {
                "An `asyncheck: allow(..)` comment names a rule that does not exist."
            }
        }
    }

    /// A finding of this kind in `path` at `span`.
    pub(crate) fn at(
        self,
        path: &Path,
        span: Span,
        message: String,
        help: impl Into<String>,
    ) -> Finding {
        Finding {
            rule: self.name(),
            severity: self.severity(),
            message,
            path: path.to_path_buf(),
            span,
            help: help.into(),
            fix: None,
            notes: Vec::new(),
            in_test_code: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_and_found_again() {
        for kind in EngineFinding::ALL {
            assert_eq!(EngineFinding::named(kind.name()), Some(kind));
        }
        assert_eq!(EngineFinding::named("blocking_sleep"), None);
    }

    #[test]
    fn a_linter_reports_the_default_severity_of_each_kind() {
        let linter = crate::Linter::new();
        for kind in EngineFinding::ALL {
            assert_eq!(linter.severity_of(kind.name()), kind.severity(), "{kind:?}");
        }
    }
}
