//! `asyncheck-lint`: a syntax-only lint for async Rust pitfalls.
//!
//! The library owns all the work — walking paths, parsing, checking and
//! rendering; the `cargo-asyncheck` binary only maps arguments onto it.
//!
//! ```
//! use asyncheck_lint::Linter;
//!
//! let src = "async fn tick() { std::thread::sleep(std::time::Duration::from_millis(5)); }";
//! let report = Linter::new().check_source("src/tick.rs", src);
//! assert_eq!(report.findings()[0].rule, "blocking_sleep");
//! println!("{}", report.render_short());
//! ```
#![warn(missing_docs, unreachable_pub)]

mod baseline;
mod config;
mod engine;
mod fix;
mod line_index;
mod render;
pub mod rules;
pub mod server;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

pub use baseline::{Baseline, BaselineError};
pub use config::{CONFIG_FILE_NAMES, Config, ConfigError, RuleLevel, TestCodeLevel};
pub use fix::{FileFix, FixError};
pub use line_index::{ColumnKind, LineIndex};
pub use render::Format;
pub use rules::{Group, RULES, RuleInfo};

/// How serious a finding is; ordered, so `fail-on` can compare (`Warning < Error`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A likely bug; the default for most rules.
    Warning,
    /// A pattern that panics at run time (`nested_runtime`, `tokio_blocking_method`),
    /// a rule configured as `error`, or a file that could not be checked at all
    /// (it does not parse, cannot be read, or a rule crashed).
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// Where a finding is, in 1-based lines and columns.
///
/// Columns count Unicode scalar values (chars), as rustc does; a byte order
/// mark at the start of a file is not counted. `end_column` is *exclusive*: a
/// span covering `abc` at the start of a line is `column: 1, end_column: 4`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    /// First line of the span (1-based).
    pub line: usize,
    /// First column of the span (1-based, in chars).
    pub column: usize,
    /// Last line of the span (1-based).
    pub end_line: usize,
    /// Column just past the end of the span (1-based, in chars, exclusive).
    pub end_column: usize,
}

impl Span {
    /// Converts a `proc_macro2` span (0-based columns) into a 1-based [`Span`].
    pub(crate) fn from_pm2(span: proc_macro2::Span) -> Self {
        let (start, end) = (span.start(), span.end());
        Span {
            line: start.line,
            column: start.column + 1,
            end_line: end.line,
            end_column: end.column + 1,
        }
    }

    /// The byte range this span covers in `source`, the text it was computed from;
    /// `None` when the span lies outside `source`. Indexes `source` on every call:
    /// to resolve many spans of one text, use [`LineIndex::byte_range`].
    ///
    /// ```
    /// let span = asyncheck_lint::Span { line: 2, column: 3, end_line: 2, end_column: 5 };
    /// let source = "fn f() {}\n  é!;\n";
    /// assert_eq!(&source[span.byte_range(source).unwrap()], "é!");
    /// ```
    pub fn byte_range(&self, source: &str) -> Option<std::ops::Range<usize>> {
        LineIndex::new(source).byte_range(*self)
    }

    /// The span of the very beginning of a file, for findings about the whole file.
    pub(crate) const FILE_START: Span = Span {
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
    };
}

/// One problem found in one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule that produced it, e.g. `blocking_sleep`.
    pub rule: &'static str,
    /// How serious it is.
    pub severity: Severity,
    /// What is wrong, lowercase with code in backticks.
    pub message: String,
    /// The file, relative to the current directory when under it.
    pub path: PathBuf,
    /// Where in the file.
    pub span: Span,
    /// What to do instead.
    pub help: String,
    /// A mechanical fix, when the rule has one for this finding (see `--fix`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    /// Other places in the same file that explain the finding, in the order the
    /// rule gives them; empty for most rules.
    pub notes: Vec<Note>,
    /// Whether it is in test code (see [`Finding::in_test_code`]); not rendered.
    #[serde(skip)]
    pub(crate) in_test_code: bool,
}

impl Finding {
    /// Whether the finding is in test code: a file under `tests/`, `benches/`
    /// or `examples/` (or a `tests.rs` / `test.rs` module file), a test function
    /// (`#[test]`, `#[tokio::test]`, `#[asyncheck::test]`, …) or an item under
    /// `#[cfg(test)]`. The configuration's `[test-code]` table decides what
    /// happens to such findings; the engine's own findings are never test code.
    ///
    /// ```
    /// let src = "#[cfg(test)]\nmod tests {\n    #[tokio::test]\n    async fn t() { std::thread::sleep(d); }\n}\n";
    /// let report = asyncheck_lint::Linter::new().check_source("src/lib.rs", src);
    /// assert!(report.findings()[0].in_test_code());
    /// ```
    pub fn in_test_code(&self) -> bool {
        self.in_test_code
    }
}

/// A secondary location of a [`Finding`]: a span, in the finding's own file or
/// (with [`path`](Self::path)) another file of the run, and what it shows there
/// (lowercase, code in backticks, no trailing period).
///
/// A note in another file comes from a finding reported through a function
/// summary: each hop of the chain of calls down to a blocking operation.
///
/// The human format draws it as a labelled secondary annotation, `json` lists it
/// under `"notes"`, SARIF as a related location and `cargo-json` as a
/// non-primary span; `short` and `github` leave it out.
///
/// ```
/// use asyncheck_lint::Linter;
///
/// let src = "async fn f(m: &std::sync::Mutex<u8>) {\n    let g = m.lock().unwrap();\n    g2().await;\n}\n";
/// let report = Linter::new().check_source("src/f.rs", src);
/// let finding = &report.findings()[0];
/// assert_eq!(finding.rule, "sync_lock_across_await");
/// let note = &finding.notes[0];
/// assert_eq!((note.span.line, note.span.column), (3, 9));
/// assert_eq!(note.message, "the guard is still alive at this `.await`");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    /// Where: in the finding's file, or in [`path`](Self::path) when that is set.
    pub span: Span,
    /// What is there.
    pub message: String,
    /// The file the note is in, when it is not the finding's own (`None`:
    /// the finding's file; then it is not serialised at all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
}

/// A fix for one finding: edits to its file, applied together or not at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What the fix does, lowercase, code in backticks.
    pub description: String,
    /// Whether `--fix` may apply it without a human looking.
    pub applicability: Applicability,
    /// Non-overlapping replacements of spans of the finding's file (an empty span inserts).
    pub edits: Vec<Edit>,
}

/// How safe a [`Fix`] is to apply mechanically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Applicability {
    /// The fixed code means what the author meant; `--fix` applies it.
    MachineApplicable,
    /// Probably right, but worth a look; `--fix` leaves it alone.
    MaybeIncorrect,
}

/// One replacement: the text of `span` becomes `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// What to replace, in the file's lines and columns (resolve with [`Span::byte_range`]).
    pub span: Span,
    /// The new text.
    pub replacement: String,
}

/// Errors that stop a run before any file is checked; the CLI maps them to exit status 2.
#[derive(Debug)]
pub enum Error {
    /// A rule name given to `--select`, `--ignore` or `--explain` is not known.
    UnknownRule(String),
    /// A path given on the command line does not exist.
    MissingPath(PathBuf),
    /// The configuration file is invalid; every problem is listed.
    Config(ConfigError),
    /// A baseline file cannot be read or written.
    Baseline(BaselineError),
    /// A fix could not be computed or written (the file is left untouched).
    Fix(FixError),
    /// The language server's connection failed, or the client broke the protocol.
    Server(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownRule(name) => {
                let known: Vec<_> = RULES.iter().map(|r| r.name).collect();
                write!(
                    f,
                    "unknown rule `{name}`; known rules: {} (groups: all, default, pedantic)",
                    known.join(", ")
                )
            }
            Error::MissingPath(path) => write!(f, "path `{}` does not exist", path.display()),
            Error::Config(err) => err.fmt(f),
            Error::Baseline(err) => err.fmt(f),
            Error::Fix(err) => err.fmt(f),
            Error::Server(message) => write!(f, "language server: {message}"),
        }
    }
}

impl std::error::Error for Error {}

/// The rules reference (`docs/rules.md`), generated from the registry and the rules' doc comments.
///
/// ```
/// let md = asyncheck_lint::rules_reference();
/// assert!(md.contains("## `blocking_sleep`"));
/// ```
pub fn rules_reference() -> String {
    use std::fmt::Write;

    let fixes = |rule: &RuleInfo| rule.docs().lines().any(|l| l.trim() == "## Fix safety");
    let mut out = String::from(
        "# asyncheck rules\n\n\
         <!-- Generated from the rules' doc comments; do not edit. Regenerate with\n     \
         `ASYNCHECK_BLESS=1 cargo test -p asyncheck-lint --test docs`. -->\n\n\
         Run `cargo asyncheck --explain RULE` for one rule's documentation. Rules of the\n\
         `pedantic` group run only when selected (`--select pedantic`, `--select all`,\n\
         or `select` in `asyncheck.toml`). Severities can be changed per rule with\n\
         `[severity]` in the configuration.\n\n\
         | Rule | Group | Default severity | Autofix | What it flags |\n\
         | --- | --- | --- | --- | --- |\n",
    );
    for rule in RULES {
        let _ = writeln!(
            out,
            "| [`{0}`](#{0}) | {1} | {2} | {3} | {4} |",
            rule.name,
            rule.group,
            rule.severity,
            if fixes(rule) { "yes" } else { "no" },
            rule.summary().replace('|', "\\|"),
        );
    }
    for rule in RULES {
        let _ = write!(
            out,
            "\n## `{}`\n\nGroup: {} · Default severity: {} · Autofix: {}\n\n",
            rule.name,
            rule.group,
            rule.severity,
            if fixes(rule) {
                "yes, see *Fix safety*"
            } else {
                "no"
            },
        );
        let mut in_code = false;
        for line in rule.docs().lines() {
            if line.starts_with("```") {
                let fence = if in_code { "```" } else { "```rust" };
                in_code = !in_code;
                out.push_str(if line.trim() == "```rust,ignore" || line.trim() == "```" {
                    fence
                } else {
                    line
                });
            } else if !in_code && line.starts_with('#') {
                out.push('#');
                out.push_str(line);
            } else {
                out.push_str(line);
            }
            out.push('\n');
        }
    }
    out
}

/// Looks a rule up by name in the registry.
///
/// ```
/// assert!(asyncheck_lint::rule("blocking_sleep").is_ok());
/// assert!(asyncheck_lint::rule("blocking_slep").is_err());
/// ```
///
/// # Errors
/// [`Error::UnknownRule`] when no rule has that name.
pub fn rule(name: &str) -> Result<&'static RuleInfo, Error> {
    RULES
        .iter()
        .find(|r| r.name == name)
        .ok_or_else(|| Error::UnknownRule(name.to_owned()))
}

/// The rules a name stands for: a rule, or a group (`all`, `default`, `pedantic`).
///
/// # Errors
/// [`Error::UnknownRule`] when it is neither.
pub(crate) fn rules_named(name: &str) -> Result<Vec<&'static str>, Error> {
    match config::group_members(name) {
        Some(members) => Ok(members),
        None => Ok(vec![rule(name)?.name]),
    }
}

/// A configured linter: which rules run, at which severity, on which files.
///
/// ```
/// let linter = asyncheck_lint::Linter::new().select(&["nested_runtime"]).unwrap();
/// let report = linter.check_source("a.rs", "async fn f() { std::thread::sleep(d); }");
/// assert!(report.findings().is_empty());
/// ```
#[derive(Clone, Debug)]
pub struct Linter {
    selected: BTreeSet<&'static str>,
    /// Severities that differ from the registry's.
    severities: BTreeMap<&'static str, Severity>,
    filters: Option<Arc<PathFilters>>,
    options: Arc<config::RuleOptions>,
    /// `[test-code]`: what happens to each rule's findings in test code, when not the default.
    test_code: BTreeMap<&'static str, TestCodeLevel>,
}

/// `exclude` and `per-file-ignores`, compiled, with the directory they are relative to.
#[derive(Debug)]
struct PathFilters {
    base: PathBuf,
    exclude: Vec<globset::GlobMatcher>,
    per_file_ignores: Vec<(globset::GlobMatcher, BTreeSet<&'static str>)>,
}

impl PathFilters {
    /// `path` relative to the configuration's directory, if it is under it.
    fn relative(&self, path: &Path) -> Option<PathBuf> {
        let absolute = std::path::absolute(path).ok()?;
        absolute
            .strip_prefix(&self.base)
            .ok()
            .map(Path::to_path_buf)
    }

    fn excludes(&self, path: &Path) -> bool {
        self.relative(path)
            .is_some_and(|rel| self.exclude.iter().any(|g| g.is_match(&rel)))
    }

    fn ignores(&self, path: &Path, rule: &str) -> bool {
        self.relative(path).is_some_and(|rel| {
            self.per_file_ignores
                .iter()
                .any(|(glob, rules)| rules.contains(rule) && glob.is_match(&rel))
        })
    }
}

impl Default for Linter {
    fn default() -> Self {
        Self::new()
    }
}

impl Linter {
    /// A linter running every rule of the `default` group.
    pub fn new() -> Self {
        Linter {
            selected: RULES
                .iter()
                .filter(|r| r.group == Group::Default)
                .map(|r| r.name)
                .collect(),
            severities: BTreeMap::new(),
            filters: None,
            options: Arc::default(),
            test_code: BTreeMap::new(),
        }
    }

    /// A linter set up by a configuration file: its `select`, `ignore`,
    /// `[severity]`, `exclude`, `per-file-ignores`, `[test-code]` and rule options.
    /// Command-line flags are applied afterwards with [`select`](Self::select)
    /// and [`ignore`](Self::ignore), so they override the file.
    ///
    /// ```
    /// use asyncheck_lint::{Config, Linter};
    ///
    /// let config = Config::parse("asyncheck.toml", "[severity]\nblocking_sleep = \"off\"\n").unwrap();
    /// let linter = Linter::with_config(&config);
    /// assert!(!linter.selected().any(|r| r == "blocking_sleep"));
    /// ```
    pub fn with_config(config: &Config) -> Self {
        // Names in a `Config` were validated when it was parsed.
        let names = |list: &[String]| -> Vec<&'static str> {
            list.iter()
                .filter_map(|n| rules_named(n).ok())
                .flatten()
                .collect()
        };
        let mut linter = Linter::new();
        if let Some(select) = &config.select {
            linter.selected = names(select).into_iter().collect();
        }
        for rule in names(&config.ignore) {
            linter.selected.remove(rule);
        }
        for (&rule, level) in &config.severity {
            match level {
                RuleLevel::Off => {
                    linter.selected.remove(rule);
                }
                RuleLevel::On(severity) => {
                    linter.severities.insert(rule, *severity);
                }
            }
        }
        let compile = |glob: &String| config::compile_glob(glob).ok();
        let per_file_ignores = config
            .per_file_ignores
            .iter()
            .filter_map(|(glob, rules)| Some((compile(glob)?, names(rules).into_iter().collect())))
            .collect::<Vec<_>>();
        let exclude: Vec<_> = config.exclude.iter().filter_map(compile).collect();
        if !exclude.is_empty() || !per_file_ignores.is_empty() {
            linter.filters = Some(Arc::new(PathFilters {
                base: config.base.clone(),
                exclude,
                per_file_ignores,
            }));
        }
        linter.options = Arc::new(config.options.clone());
        linter.test_code = config.test_code_levels();
        linter
    }

    /// Runs exactly the named rules; a group name (`all`, `default`, `pedantic`) selects its rules.
    ///
    /// # Errors
    /// [`Error::UnknownRule`] for the first name that is neither a rule nor a group.
    pub fn select<S: AsRef<str>>(mut self, names: &[S]) -> Result<Self, Error> {
        self.selected.clear();
        for name in names {
            self.selected.extend(rules_named(name.as_ref())?);
        }
        Ok(self)
    }

    /// Stops running the named rules (or groups).
    ///
    /// # Errors
    /// [`Error::UnknownRule`] for the first name that is neither a rule nor a group.
    pub fn ignore<S: AsRef<str>>(mut self, names: &[S]) -> Result<Self, Error> {
        for name in names {
            for rule in rules_named(name.as_ref())? {
                self.selected.remove(rule);
            }
        }
        Ok(self)
    }

    /// The severity this linter gives the findings of `rule` (a rule, or one of
    /// the engine's own findings such as `syntax_error`).
    pub fn severity_of(&self, rule: &str) -> Severity {
        self.severities.get(rule).copied().unwrap_or_else(|| {
            RULES
                .iter()
                .find(|r| r.name == rule)
                .map(|r| r.severity)
                .or_else(|| engine::EngineFinding::named(rule).map(engine::EngineFinding::severity))
                .unwrap_or(Severity::Error)
        })
    }

    /// The names of the rules this linter runs, sorted.
    pub fn selected(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.selected.iter().copied()
    }

    /// Checks files and directories (directories recursively, honouring
    /// `.gitignore`, skipping `target/` and following symbolic links), in
    /// parallel. An entry that cannot be looked at (a broken link, a link loop,
    /// an unreadable directory, a FIFO) is an `io_error` finding; nothing is
    /// skipped unreported.
    ///
    /// # Errors
    /// [`Error::MissingPath`] when a path does not exist; nothing is checked then.
    pub fn check_paths(&self, paths: &[PathBuf]) -> Result<Report, Error> {
        let mut walked = engine::walk::collect(paths)?;
        if let Some(filters) = &self.filters {
            walked.files.retain(|f| !filters.excludes(f));
            walked.problems.retain(|f| !filters.excludes(&f.path));
        }
        Ok(self.configure(engine::check_files(&self.rule_set(), walked)))
    }

    /// Checks one file's source text, as if it were at `path`.
    pub fn check_source(&self, path: impl AsRef<Path>, source: &str) -> Report {
        self.configure(engine::check_one_source(
            &self.rule_set(),
            path.as_ref(),
            source,
        ))
    }

    /// What the engine runs: the selected rules of the registry, in registry
    /// order and with their configured options, and every rule name an allow
    /// comment may use.
    fn rule_set(&self) -> engine::RuleSet<'_> {
        engine::RuleSet {
            active: RULES
                .iter()
                .filter(|r| self.selected.contains(r.name))
                .map(|r| r.plugin(&self.options))
                .collect(),
            known: RULES.iter().map(|r| r.name).collect(),
        }
    }

    /// Applies configured severities, per-file ignores and the test-code policy to a fresh report.
    fn configure(&self, mut report: Report) -> Report {
        if let Some(filters) = &self.filters {
            report
                .findings
                .retain(|f| !filters.ignores(&f.path, f.rule));
        }
        let in_tests = |f: &Finding| {
            f.in_test_code
                .then(|| self.test_code.get(f.rule).copied())
                .flatten()
                .unwrap_or(TestCodeLevel::Default)
        };
        report
            .findings
            .retain(|f| in_tests(f) != TestCodeLevel::Off);
        for finding in &mut report.findings {
            if let Some(severity) = self.severities.get(finding.rule) {
                finding.severity = *severity;
            }
            if in_tests(finding) == TestCodeLevel::Warning {
                finding.severity = Severity::Warning;
            }
        }
        report
    }
}

/// The findings of a run, sorted by path, line, column and rule, and their rendering.
#[derive(Clone, Debug, Default)]
pub struct Report {
    findings: Vec<Finding>,
    /// Source text of the files that have findings, for the human renderer.
    sources: std::collections::HashMap<PathBuf, Arc<str>>,
    files_checked: usize,
}

impl Report {
    /// Every finding, in output order.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// How many files were looked at (including ones that failed to parse).
    pub fn files_checked(&self) -> usize {
        self.files_checked
    }

    /// How many distinct files have at least one finding.
    pub fn files_with_findings(&self) -> usize {
        let mut paths: Vec<_> = self.findings.iter().map(|f| &f.path).collect();
        paths.dedup();
        paths.len()
    }

    /// Renders in the given format; `color` only affects [`Format::Human`].
    pub fn render(&self, format: Format, color: bool) -> String {
        match format {
            Format::Human => self.render_human(color),
            Format::Short => self.render_short(),
            Format::Json => self.render_json(),
            Format::Sarif => self.render_sarif(),
            Format::Github => self.render_github(),
            Format::CargoJson => self.render_cargo_json(),
        }
    }

    /// A SARIF 2.1.0 log (for GitHub code scanning): every rule with its docs, every finding as a result.
    pub fn render_sarif(&self) -> String {
        render::sarif::render(self)
    }

    /// GitHub Actions workflow commands: one `::warning …::message` / `::error …::message` line per finding.
    pub fn render_github(&self) -> String {
        render::github::render(self)
    }

    /// Cargo's JSON message stream: one `compiler-message` line per finding
    /// carrying a rustc-shaped diagnostic, then a `build-finished` line (for
    /// rust-analyzer's `check.overrideCommand`).
    pub fn render_cargo_json(&self) -> String {
        render::cargo_json::render(self)
    }

    /// rustc-style diagnostics followed by a summary line.
    pub fn render_human(&self, color: bool) -> String {
        render::human::render(self, color)
    }

    /// One line per finding: `path:line:col: rule: message`.
    pub fn render_short(&self) -> String {
        render::short::render(self)
    }

    /// A JSON array of finding objects (`[]` when clean).
    pub fn render_json(&self) -> String {
        render::json::render(self)
    }

    /// The same report with every path relative to `root` (with `/` separators) when under it,
    /// so renderings are the same on every machine — for snapshot tests.
    ///
    /// ```
    /// use asyncheck_lint::Linter;
    ///
    /// let report = Linter::new().check_source("/work/app/src/a.rs", "async fn f() { std::thread::sleep(d); }");
    /// let short = report.relative_to("/work/app").render_short();
    /// assert!(short.starts_with("src/a.rs:1:16: blocking_sleep: "));
    /// ```
    #[must_use]
    pub fn relative_to(mut self, root: impl AsRef<Path>) -> Report {
        let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let root = absolute(root.as_ref());
        let relative = |path: &Path| -> PathBuf {
            match absolute(path).strip_prefix(&root) {
                Ok(rest) => {
                    let parts: Vec<String> = rest
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    PathBuf::from(parts.join("/"))
                }
                Err(_) => path.to_path_buf(),
            }
        };
        for finding in &mut self.findings {
            finding.path = relative(&finding.path);
            for note in &mut finding.notes {
                if let Some(path) = &mut note.path {
                    *path = relative(path);
                }
            }
        }
        self.sources = self
            .sources
            .into_iter()
            .map(|(path, source)| (relative(&path), source))
            .collect();
        self
    }

    /// The fixed contents of every file with machine-applicable fixes (see `--fix` and `--diff`).
    ///
    /// # Errors
    /// [`FixError::WouldNotParse`] when a fixed file would not parse; nothing should be written then.
    pub fn fixes(&self) -> Result<Vec<FileFix>, FixError> {
        fix::plan(self)
    }

    pub(crate) fn source(&self, path: &Path) -> Option<&str> {
        self.sources.get(path).map(|s| &**s)
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    #[test]
    fn each_rule_runs_with_its_own_configured_options() {
        let mut text = String::from("select = [\"all\"]\n");
        for rule in RULES.iter().filter(|r| !r.options.is_empty()) {
            let _ = writeln!(text, "[rules.{}]", rule.name);
            for option in rule.options {
                let _ = writeln!(
                    text,
                    "{} = [\"crate::{}::{}\"]",
                    option.name(),
                    rule.name,
                    option.name().replace('-', "_")
                );
            }
        }
        let linter = Linter::with_config(&Config::parse("asyncheck.toml", &text).unwrap());
        let rules = linter.rule_set();
        assert_eq!(rules.active.len(), RULES.len());
        for (plugin, rule) in rules.active.iter().zip(RULES) {
            assert_eq!(plugin.name, rule.name);
            assert_eq!(plugin.options.len(), rule.options.len(), "`{}`", rule.name);
            for (option, values) in &plugin.options {
                let expected = format!("crate::{}::{}", rule.name, option.name().replace('-', "_"));
                assert_eq!(
                    *values,
                    [expected],
                    "`{}` of `{}`",
                    option.name(),
                    rule.name
                );
            }
        }
    }
}
