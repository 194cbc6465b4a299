//! Configuration: finding `asyncheck.toml`, and turning its raw TOML into a validated [`Config`], all problems at once.
//!
//! # Where it comes from
//! Starting at the checked path (the first path argument, or the current
//! directory), every ancestor directory is searched for `asyncheck.toml`,
//! then `.asyncheck.toml`; the nearest wins. When there is none, the nearest
//! `Cargo.toml` with a `[package.metadata.asyncheck]` or
//! `[workspace.metadata.asyncheck]` table is used (the package table wins
//! when a manifest has both). `--config FILE` names the file instead (a
//! `Cargo.toml` is read for its metadata table). Flags on the command line
//! override the file.
//!
//! # Schema
//! Keys are kebab-case; rule names are the rules' `snake_case` names. Wherever
//! rules are listed, the group names `all`, `default` and `pedantic` may be
//! used too. Unknown keys and unknown rule names are errors naming the file,
//! line and column, never silently ignored.
//!
//! ```toml
//! # Rules to run (default: ["default"]); replaced by `--select`.
//! select = ["default", "pedantic"]
//! # Rules not to run; `--ignore` adds to this list.
//! ignore = ["swallowed_cancellation"]
//! # Fail (exit status 1) on findings at or above this severity: "warning" (default) or "error".
//! fail-on = "warning"
//! # Files not to check. Globs are matched against the path relative to the
//! # directory of this file; `*` stays within a directory, `**` crosses them,
//! # and a glob without `/` matches the file name at any depth.
//! exclude = ["generated/**", "*_pb.rs"]
//!
//! # Per-rule severity: "error", "warning" or "off" (off = not run).
//! [severity]
//! blocking_io = "error"
//! unawaited_future = "warning"
//!
//! # Rules not reported in the files matching a glob.
//! [per-file-ignores]
//! "tests/**" = ["blocking_sleep", "blocking_io"]
//! "examples/**" = ["all"]
//!
//! # What happens to findings in test code: files under `tests/`, `benches/`
//! # or `examples/` (and `tests.rs`/`test.rs` module files), test functions
//! # (`#[test]`, `#[tokio::test]`, `#[asyncheck::test]`) and `#[cfg(test)]`
//! # items. Per rule or group: "default" (as elsewhere), "warning" or "off"
//! # (not reported). A rule's own entry wins over a group's, `default` and
//! # `pedantic` over `all`.
//! [test-code]
//! all = "warning"
//! blocking_sleep = "off"
//!
//! # Rule options. Paths are written as they resolve: `crate::…` for a
//! # function of the checked crate, `other_crate::…` for another crate's.
//! [rules.blocking_io]
//! extra-functions = ["crate::net::sync_http_get", "legacy_client::fetch"]
//!
//! [rules.blocking_sleep]
//! extra-functions = ["crate::util::pause"]
//!
//! [rules.unawaited_future]
//! extra-async-fns = ["crate::db::save", "vendored::flush"]
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::engine::RuleOption;
use crate::{ColumnKind, Group, LineIndex, RULES, RuleInfo, Severity};

/// The file names searched for, in order of preference.
pub const CONFIG_FILE_NAMES: &[&str] = &["asyncheck.toml", ".asyncheck.toml"];

/// The top-level keys, in the order error messages list them.
const TOP_KEYS: &[&str] = &[
    "select",
    "ignore",
    "fail-on",
    "exclude",
    "severity",
    "per-file-ignores",
    "test-code",
    "rules",
];

/// What a `[test-code]` entry says happens to a rule's findings in test code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestCodeLevel {
    /// As anywhere else (the default).
    Default,
    /// Reported as warnings, whatever the rule's severity elsewhere.
    Warning,
    /// Not reported.
    Off,
}

/// What a rule's `[severity]` entry says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleLevel {
    /// Do not run the rule.
    Off,
    /// Report its findings with this severity.
    On(Severity),
}

/// A validated configuration.
///
/// ```
/// use asyncheck_lint::{Config, Severity};
///
/// let config = Config::parse("asyncheck.toml", "fail-on = \"error\"\nignore = [\"blocking_io\"]\n").unwrap();
/// assert_eq!(config.fail_on(), Some(Severity::Error));
/// assert!(Config::parse("asyncheck.toml", "colour = true\n").is_err());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file it was read from (`None` for the built-in default).
    pub(crate) path: Option<PathBuf>,
    /// The directory globs are relative to.
    pub(crate) base: PathBuf,
    pub(crate) select: Option<Vec<String>>,
    pub(crate) ignore: Vec<String>,
    pub(crate) fail_on: Option<Severity>,
    pub(crate) exclude: Vec<String>,
    pub(crate) severity: BTreeMap<&'static str, RuleLevel>,
    pub(crate) per_file_ignores: Vec<(String, Vec<String>)>,
    /// `[test-code]` entries, each a rule or group name, in file order.
    pub(crate) test_code: Vec<(String, TestCodeLevel)>,
    pub(crate) options: RuleOptions,
}

impl Config {
    /// What `[test-code]` says for each rule it concerns: a group's entry
    /// applies to its rules (`default` and `pedantic` over `all`), a rule's own
    /// entry wins over both.
    pub(crate) fn test_code_levels(&self) -> BTreeMap<&'static str, TestCodeLevel> {
        let mut levels = BTreeMap::new();
        let rank = |name: &str| match name {
            "all" => 0,
            "default" | "pedantic" => 1,
            _ => 2,
        };
        for pass in 0..3 {
            for (name, level) in self.test_code.iter().filter(|(n, _)| rank(n) == pass) {
                for rule in crate::rules_named(name).unwrap_or_default() {
                    levels.insert(rule, *level);
                }
            }
        }
        levels
    }
}

/// The rule options of a configuration: the paths given to each option of
/// each rule, under the names of the registry's option schemas (a rule's
/// [`RuleInfo::options`](crate::RuleInfo)), which is all that validation lets in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RuleOptions {
    values: Vec<(&'static str, RuleOption, Vec<String>)>,
}

impl RuleOptions {
    /// The paths configured for `option` of `rule` (none when it is not set).
    pub(crate) fn get(&self, rule: &str, option: RuleOption) -> &[String] {
        self.values
            .iter()
            .find(|(r, o, _)| *r == rule && *o == option)
            .map_or(&[], |(_, _, paths)| paths)
    }

    fn extend(&mut self, rule: &'static str, option: RuleOption, paths: Vec<String>) {
        match self
            .values
            .iter_mut()
            .find(|(r, o, _)| *r == rule && *o == option)
        {
            Some((_, _, existing)) => existing.extend(paths),
            None => self.values.push((rule, option, paths)),
        }
    }
}

/// Everything wrong with a configuration file, one problem per line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// `path:line:col: what is wrong`, in file order.
    pub problems: Vec<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problems.join("\n"))
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The file this configuration was read from, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The severity at which findings fail the run, when the file sets `fail-on`.
    pub fn fail_on(&self) -> Option<Severity> {
        self.fail_on
    }

    /// Finds and reads the configuration for `start` (a file or directory); the default when there is none.
    ///
    /// # Errors
    /// When the file found cannot be read or is not a valid configuration.
    pub fn discover(start: &Path) -> Result<Config, ConfigError> {
        let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
        let dir = if start.is_file() {
            start.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            start.clone()
        };
        // The nearest directory with a configuration wins; in one directory a
        // configuration file comes before the manifest's metadata table.
        for ancestor in dir.ancestors() {
            for name in CONFIG_FILE_NAMES {
                let candidate = ancestor.join(name);
                if candidate.is_file() {
                    return Config::load(&candidate);
                }
            }
            let manifest = ancestor.join("Cargo.toml");
            let Ok(text) = std::fs::read_to_string(&manifest) else {
                continue;
            };
            // A manifest that does not parse is cargo's to report, not ours.
            let Ok(table) = DeTable::parse(&text) else {
                continue;
            };
            if metadata_table(table.get_ref()).is_some() {
                return Config::parse(&manifest, &text);
            }
        }
        Ok(Config {
            base: dir,
            ..Config::default()
        })
    }

    /// Reads `path`: a `Cargo.toml` for its metadata table, any other file as a whole.
    ///
    /// # Errors
    /// When the file cannot be read or is not a valid configuration.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|err| ConfigError {
            problems: vec![format!(
                "{}: cannot read configuration: {err}",
                path.display()
            )],
        })?;
        Config::parse(path, &text)
    }

    /// Parses `text` as if read from `path` (a `Cargo.toml` for its metadata table).
    ///
    /// # Errors
    /// Every problem in the text, each with its line and column.
    pub fn parse(path: impl AsRef<Path>, text: &str) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let mut checker = Checker {
            path,
            text,
            problems: Vec::new(),
        };
        let mut config = Config {
            path: Some(path.to_path_buf()),
            base: absolute.parent().map(Path::to_path_buf).unwrap_or_default(),
            ..Config::default()
        };
        let table = match DeTable::parse(text) {
            Ok(table) => table,
            Err(err) => {
                let at = err.span().map_or(0, |s| s.start);
                checker.problem(at, format!("invalid TOML: {}", err.message().trim_end()));
                return Err(checker.finish());
            }
        };
        let is_manifest = path.file_name().is_some_and(|n| n == "Cargo.toml");
        let root = if is_manifest {
            let Some(root) = metadata_table(table.get_ref()) else {
                checker.problem(
                    0,
                    "no `[package.metadata.asyncheck]` or `[workspace.metadata.asyncheck]` table"
                        .to_owned(),
                );
                return Err(checker.finish());
            };
            root
        } else {
            table.get_ref()
        };
        checker.top(root, &mut config);
        if checker.problems.is_empty() {
            Ok(config)
        } else {
            Err(checker.finish())
        }
    }
}

/// The `asyncheck` table of a manifest's `package.metadata` or `workspace.metadata`.
fn metadata_table<'a, 'i>(manifest: &'a DeTable<'i>) -> Option<&'a DeTable<'i>> {
    ["package", "workspace"].into_iter().find_map(|section| {
        manifest
            .get(section)?
            .get_ref()
            .as_table()?
            .get("metadata")?
            .get_ref()
            .as_table()?
            .get("asyncheck")?
            .get_ref()
            .as_table()
    })
}

/// Collects problems while reading a parsed table into a [`Config`].
struct Checker<'a> {
    path: &'a Path,
    text: &'a str,
    problems: Vec<(usize, String)>,
}

type Entry<'a, 'i> = (
    &'a Spanned<std::borrow::Cow<'i, str>>,
    &'a Spanned<DeValue<'i>>,
);

impl Checker<'_> {
    fn problem(&mut self, at: usize, message: String) {
        self.problems.push((at, message));
    }

    fn finish(mut self) -> ConfigError {
        self.problems.sort_by_key(|(at, _)| *at);
        let lines = LineIndex::new(self.text);
        let problems = self
            .problems
            .iter()
            .map(|(at, message)| {
                let (line, column) = line_column(&lines, *at);
                format!("{}:{line}:{column}: {message}", self.path.display())
            })
            .collect();
        ConfigError { problems }
    }

    fn unknown_key(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>, expected: &[&str]) {
        self.problem(
            key.span().start,
            format!(
                "unknown key `{}` (expected one of {})",
                key.get_ref(),
                expected
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }

    fn top(&mut self, table: &DeTable<'_>, config: &mut Config) {
        for (key, value) in table {
            match key.get_ref().as_ref() {
                "select" => config.select = self.rule_list(value),
                "ignore" => config.ignore = self.rule_list(value).unwrap_or_default(),
                "fail-on" => config.fail_on = self.fail_on(value),
                "exclude" => {
                    let items = self.strings(value);
                    config.exclude = self.globs(items);
                }
                "severity" => self.severity(value, config),
                "per-file-ignores" => self.per_file_ignores(value, config),
                "test-code" => self.test_code(value, config),
                "rules" => self.rules(value, config),
                _ => self.unknown_key(key, TOP_KEYS),
            }
        }
    }

    fn strings(&mut self, value: &Spanned<DeValue<'_>>) -> Option<Vec<(Range<usize>, String)>> {
        let Some(array) = value.get_ref().as_array() else {
            self.problem(
                value.span().start,
                format!(
                    "expected an array of strings, found {}",
                    value.get_ref().type_str()
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        for item in array {
            match item.get_ref().as_str() {
                Some(s) => out.push((item.span(), s.to_owned())),
                None => self.problem(
                    item.span().start,
                    format!("expected a string, found {}", item.get_ref().type_str()),
                ),
            }
        }
        Some(out)
    }

    fn rule_list(&mut self, value: &Spanned<DeValue<'_>>) -> Option<Vec<String>> {
        let items = self.strings(value)?;
        let mut out = Vec::new();
        for (span, name) in items {
            if crate::rules_named(&name).is_ok() {
                out.push(name);
            } else {
                self.problem(span.start, unknown_rule(&name));
            }
        }
        Some(out)
    }

    fn globs(&mut self, items: Option<Vec<(Range<usize>, String)>>) -> Vec<String> {
        let mut out = Vec::new();
        for (span, glob) in items.unwrap_or_default() {
            match compile_glob(&glob) {
                Ok(_) => out.push(glob),
                Err(err) => self.problem(span.start, format!("invalid glob `{glob}`: {err}")),
            }
        }
        out
    }

    fn fail_on(&mut self, value: &Spanned<DeValue<'_>>) -> Option<Severity> {
        match value.get_ref().as_str() {
            Some("warning") => Some(Severity::Warning),
            Some("error") => Some(Severity::Error),
            _ => {
                self.problem(
                    value.span().start,
                    "`fail-on` must be \"warning\" or \"error\"".to_owned(),
                );
                None
            }
        }
    }

    fn table<'a, 'i>(&mut self, value: &'a Spanned<DeValue<'i>>) -> Option<&'a DeTable<'i>> {
        let table = value.get_ref().as_table();
        if table.is_none() {
            self.problem(
                value.span().start,
                format!("expected a table, found {}", value.get_ref().type_str()),
            );
        }
        table
    }

    fn severity(&mut self, value: &Spanned<DeValue<'_>>, config: &mut Config) {
        let Some(table) = self.table(value) else {
            return;
        };
        for (key, value) in table {
            let Some(rule) = self.known_rule(key) else {
                continue;
            };
            let level = match value.get_ref().as_str() {
                Some("off") => RuleLevel::Off,
                Some("warning") => RuleLevel::On(Severity::Warning),
                Some("error") => RuleLevel::On(Severity::Error),
                _ => {
                    self.problem(
                        value.span().start,
                        format!("severity of `{rule}` must be \"error\", \"warning\" or \"off\""),
                    );
                    continue;
                }
            };
            config.severity.insert(rule, level);
        }
    }

    fn test_code(&mut self, value: &Spanned<DeValue<'_>>, config: &mut Config) {
        let Some(table) = self.table(value) else {
            return;
        };
        for (key, value) in table {
            let name = key.get_ref().to_string();
            if crate::rules_named(&name).is_err() {
                self.problem(
                    key.span().start,
                    format!("{} (or group: all, default, pedantic)", unknown_rule(&name)),
                );
                continue;
            }
            let level = match value.get_ref().as_str() {
                Some("default") => TestCodeLevel::Default,
                Some("warning") => TestCodeLevel::Warning,
                Some("off") => TestCodeLevel::Off,
                _ => {
                    self.problem(
                        value.span().start,
                        format!(
                            "test-code policy of `{name}` must be \"default\", \"warning\" or \"off\""
                        ),
                    );
                    continue;
                }
            };
            config.test_code.push((name, level));
        }
    }

    fn per_file_ignores(&mut self, value: &Spanned<DeValue<'_>>, config: &mut Config) {
        let Some(table) = self.table(value) else {
            return;
        };
        for (key, value) in table {
            let glob = key.get_ref().to_string();
            let rules = self.rule_list(value);
            if let Err(err) = compile_glob(&glob) {
                self.problem(key.span().start, format!("invalid glob `{glob}`: {err}"));
                continue;
            }
            config
                .per_file_ignores
                .push((glob, rules.unwrap_or_default()));
        }
    }

    fn rules(&mut self, value: &Spanned<DeValue<'_>>, config: &mut Config) {
        let Some(table) = self.table(value) else {
            return;
        };
        for (key, value) in table {
            let Some(rule) = self.known_rule_entry(key) else {
                continue;
            };
            let Some(options) = self.table(value) else {
                continue;
            };
            for entry in options {
                self.rule_option(rule, entry, &mut config.options);
            }
        }
    }

    /// One `key = value` of `[rules.<rule>]`, checked against the rule's option schema.
    fn rule_option(
        &mut self,
        rule: &'static RuleInfo,
        (key, value): Entry<'_, '_>,
        options: &mut RuleOptions,
    ) {
        let Some(&option) = rule
            .options
            .iter()
            .find(|o| o.name() == key.get_ref().as_ref())
        else {
            if rule.options.is_empty() {
                self.problem(
                    key.span().start,
                    format!(
                        "unknown key `{}` (rule `{}` has no options)",
                        key.get_ref(),
                        rule.name
                    ),
                );
            } else {
                let accepted: Vec<&str> = rule.options.iter().map(|o| o.name()).collect();
                self.unknown_key(key, &accepted);
            }
            return;
        };
        let mut paths = Vec::new();
        for (span, path) in self.strings(value).unwrap_or_default() {
            if is_path(&path) {
                paths.push(path);
            } else {
                self.problem(
                    span.start,
                    format!("`{path}` is not a path like `crate::module::function`"),
                );
            }
        }
        options.extend(rule.name, option, paths);
    }

    /// The registry name of the rule `key` names, or a problem.
    fn known_rule(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>) -> Option<&'static str> {
        self.known_rule_entry(key).map(|r| r.name)
    }

    /// The registry entry of the rule `key` names, or a problem.
    fn known_rule_entry(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
    ) -> Option<&'static RuleInfo> {
        let name = key.get_ref();
        let found = RULES.iter().find(|r| r.name == name.as_ref());
        if found.is_none() {
            self.problem(key.span().start, unknown_rule(name));
        }
        found
    }
}

fn unknown_rule(name: &str) -> String {
    format!("unknown rule `{name}`")
}

/// Whether `text` is a `::`-separated path of identifiers.
fn is_path(text: &str) -> bool {
    text.split("::").all(|segment| {
        let mut chars = segment.chars();
        chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && chars.all(|c| c.is_alphanumeric() || c == '_')
    })
}

/// Compiles a configuration glob: `*` stays within a directory; a glob without `/` matches at any depth.
pub(crate) fn compile_glob(glob: &str) -> Result<globset::GlobMatcher, globset::Error> {
    let pattern = if glob.contains('/') {
        glob.trim_start_matches("./").to_owned()
    } else {
        format!("**/{glob}")
    };
    Ok(globset::GlobBuilder::new(&pattern)
        .literal_separator(true)
        .build()?
        .compile_matcher())
}

/// 1-based line and column (in chars) of byte offset `at` of the indexed text;
/// an offset past the end is the end.
fn line_column(lines: &LineIndex<'_>, at: usize) -> (usize, usize) {
    let text = lines.text();
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    lines.position(at, ColumnKind::Chars).unwrap_or((1, 1))
}

/// The groups a rule list may name besides rules.
pub(crate) fn group_members(name: &str) -> Option<Vec<&'static str>> {
    let group = match name {
        "all" => return Some(RULES.iter().map(|r| r.name).collect()),
        "default" => Group::Default,
        "pedantic" => Group::Pedantic,
        _ => return None,
    };
    Some(
        RULES
            .iter()
            .filter(|r| r.group == group)
            .map(|r| r.name)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_chars() {
        let lines = LineIndex::new("ab\ncé = 1");
        assert_eq!(line_column(&lines, 0), (1, 1));
        assert_eq!(line_column(&lines, 3), (2, 1));
        assert_eq!(line_column(&lines, 7), (2, 4));
        assert_eq!(line_column(&lines, 99), (2, 7), "past the end is the end");
    }

    #[test]
    fn globs_without_a_slash_match_at_any_depth_and_star_stays_in_a_directory() {
        assert!(compile_glob("*_pb.rs").unwrap().is_match("src/gen/x_pb.rs"));
        assert!(compile_glob("tests/**").unwrap().is_match("tests/a/b.rs"));
        assert!(!compile_glob("src/*.rs").unwrap().is_match("src/a/b.rs"));
        assert!(compile_glob("src/*.rs").unwrap().is_match("src/b.rs"));
    }

    /// The `toml` example of this module's docs: the documented schema.
    fn documented_example() -> String {
        let docs: Vec<&str> = include_str!("config.rs")
            .lines()
            .map_while(|l| l.strip_prefix("//!"))
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect();
        let start = docs.iter().position(|l| *l == "```toml").unwrap() + 1;
        let len = docs[start..].iter().position(|l| *l == "```").unwrap();
        docs[start..start + len].join("\n")
    }

    #[test]
    fn every_option_of_every_rule_is_accepted_for_that_rule_only_and_documented() {
        let example = Config::parse("asyncheck.toml", &documented_example())
            .expect("the documented example is a valid configuration");
        for rule in RULES {
            for &option in rule.options {
                let text = format!(
                    "[rules.{}]\n{} = [\"crate::x::f\"]\n",
                    rule.name,
                    option.name()
                );
                let config = Config::parse("asyncheck.toml", &text).unwrap();
                // It reaches that rule's option, and nothing else.
                for other in RULES {
                    for &other_option in other.options {
                        let expected: &[&str] = if (other.name, other_option) == (rule.name, option)
                        {
                            &["crate::x::f"]
                        } else {
                            &[]
                        };
                        assert_eq!(
                            config.options.get(other.name, other_option),
                            expected,
                            "`{}` of `{}` set, `{}` of `{}` read",
                            option.name(),
                            rule.name,
                            other_option.name(),
                            other.name
                        );
                    }
                }
                assert!(
                    !example.options.get(rule.name, option).is_empty(),
                    "the module docs' example does not show `{}` of `[rules.{}]`",
                    option.name(),
                    rule.name
                );
                // Under a rule whose schema lacks it, it is an error.
                for other in RULES.iter().filter(|r| !r.options.contains(&option)) {
                    let text = format!("[rules.{}]\n{} = []\n", other.name, option.name());
                    let err = Config::parse("asyncheck.toml", &text).unwrap_err();
                    assert!(
                        err.problems[0].starts_with(&format!(
                            "asyncheck.toml:2:1: unknown key `{}` (",
                            option.name()
                        )),
                        "{err}"
                    );
                }
            }
        }
    }
}
