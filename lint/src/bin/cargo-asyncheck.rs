//! `cargo asyncheck`: the command-line front end of `asyncheck-lint`.
//!
//! Thin by design: parse arguments, call the library, print, and map the
//! outcome to an exit status in one place: 0 when no finding reaches
//! `fail-on` (or with `--exit-zero`), 1 when one does, 2 for a usage or
//! configuration error; `server` exits with 0 after `shutdown` and `exit`, 1
//! when the connection ends otherwise.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use asyncheck_lint::{Baseline, Config, Error, Format, Linter, RULES, Report, Severity};
use clap::{Parser, Subcommand, ValueEnum};

/// Lint async Rust code for tokio pitfalls, without compiling it.
#[derive(Debug, Parser)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "each bool is an independent command-line switch"
)]
#[command(
    name = "cargo-asyncheck",
    bin_name = "cargo asyncheck",
    version,
    args_conflicts_with_subcommands = true
)]
struct Args {
    /// Instead of checking paths (`cargo asyncheck ./server` checks a directory named `server`).
    #[command(subcommand)]
    command: Option<Command>,
    /// Files and directories to check (directories recursively; default: `.`).
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,
    /// Cargo-style spelling of `--format cargo-json` (`json` is accepted too), for
    /// rust-analyzer's `check.overrideCommand`; wins over `--format`.
    #[arg(long, value_enum, value_name = "FMT")]
    message_format: Option<MessageFormatArg>,
    /// When to colour human output (`auto`: when stdout is a terminal and `NO_COLOR` is unset).
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
    /// Run only these rules (comma-separated rules or groups: `all`, `default`, `pedantic`; replaces the configuration's `select`).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Do not run these rules (comma-separated; added to the configuration's `ignore`).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Read the configuration from this file instead of searching for
    /// `asyncheck.toml` / `.asyncheck.toml` / `Cargo.toml` metadata upwards from the first path.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Fail (exit status 1) on findings at or above this severity [default: the configuration's `fail-on`, else `warning`].
    #[arg(long, value_enum)]
    fail_on: Option<FailOnArg>,
    /// Exit with status 0 even when there are findings (errors in usage or configuration still exit with 2).
    #[arg(long)]
    exit_zero: bool,
    /// Report only findings that are not recorded in this baseline file.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    baseline: Option<PathBuf>,
    /// Record every finding of this run in a baseline file, print nothing else and exit with 0.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Apply machine-applicable fixes in place (only to files under the given paths), then report what is left.
    #[arg(long, conflicts_with_all = ["diff", "write_baseline"])]
    fix: bool,
    /// Print the fixes `--fix` would make as a unified diff and write nothing; exit 1 when there are any.
    #[arg(long, conflicts_with = "write_baseline")]
    diff: bool,
    /// List the rules and exit.
    #[arg(long)]
    list_rules: bool,
    /// Print a rule's documentation and exit.
    #[arg(long, value_name = "RULE")]
    explain: Option<String>,
}

#[derive(Clone, Copy, Debug, Subcommand)]
enum Command {
    /// Run the language server on stdin and stdout, for editors (see the README's "In the editor").
    Server,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FormatArg {
    Human,
    Short,
    Json,
    Sarif,
    Github,
    CargoJson,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum MessageFormatArg {
    CargoJson,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FailOnArg {
    Warning,
    Error,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

/// What a run ended with; the only place that picks an exit status.
enum Outcome {
    Clean,
    Findings,
}

/// What the command line asks for, resolved once from the flags: exactly one
/// per run. `--list-rules` wins over `--explain`, which wins over the rest;
/// clap rejects the other combinations (`--fix` with `--diff`, …).
enum Mode<'a> {
    /// `server`: the language server, until the client exits.
    Server,
    /// `--list-rules`: the registry, one rule a line.
    ListRules,
    /// `--explain RULE`: one rule's documentation.
    Explain(&'a str),
    /// `--write-baseline FILE`: record every finding, print nothing else.
    WriteBaseline(&'a Path),
    /// `--diff`: print the fixes as a unified diff, write nothing.
    Diff,
    /// `--fix`: apply the fixes, then report what is left.
    Fix,
    /// Check and report (the default).
    Check,
}

impl<'a> Mode<'a> {
    fn of(args: &'a Args) -> Self {
        if matches!(args.command, Some(Command::Server)) {
            Mode::Server
        } else if args.list_rules {
            Mode::ListRules
        } else if let Some(name) = &args.explain {
            Mode::Explain(name)
        } else if let Some(path) = &args.write_baseline {
            Mode::WriteBaseline(path)
        } else if args.diff {
            Mode::Diff
        } else if args.fix {
            Mode::Fix
        } else {
            Mode::Check
        }
    }
}

fn main() -> ExitCode {
    // `cargo asyncheck …` runs `cargo-asyncheck asyncheck …`.
    let mut raw_args: Vec<_> = std::env::args_os().collect();
    if raw_args.get(1).is_some_and(|a| a == "asyncheck") {
        raw_args.remove(1);
    }
    let args = match Args::try_parse_from(raw_args) {
        Ok(args) => args,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let outcome = match Mode::of(&args) {
        Mode::Server => asyncheck_lint::server::run_stdio().map(|()| Outcome::Clean),
        Mode::ListRules => Ok(list_rules()),
        Mode::Explain(name) => explain(name),
        Mode::WriteBaseline(path) => write_baseline(&args, path),
        Mode::Diff => diff(&args),
        Mode::Fix => fix(&args),
        Mode::Check => check(&args),
    };
    match outcome {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(err) => {
            for line in err.to_string().lines() {
                eprintln!("error: {line}");
            }
            // The protocol asks a server that ends without `shutdown` to exit with 1.
            if matches!(err, Error::Server(_)) {
                ExitCode::from(1)
            } else {
                ExitCode::from(2)
            }
        }
    }
}

fn list_rules() -> Outcome {
    let mut stdout = std::io::stdout().lock();
    for rule in RULES {
        let _ = writeln!(
            stdout,
            "{:<24} {:<9} {}",
            rule.name,
            rule.group.to_string(),
            rule.summary()
        );
    }
    Outcome::Clean
}

fn explain(name: &str) -> Result<Outcome, Error> {
    let rule = asyncheck_lint::rule(name)?;
    let _ = write!(
        std::io::stdout().lock(),
        "# {}\n\n{}",
        rule.name,
        rule.docs()
    );
    Ok(Outcome::Clean)
}

fn write_baseline(args: &Args, path: &Path) -> Result<Outcome, Error> {
    let report = Lint::new(args)?.report()?;
    let base = path.parent().unwrap_or(Path::new("."));
    let baseline = Baseline::from_report(&report, base);
    baseline.write(path).map_err(Error::Baseline)?;
    eprintln!(
        "recorded {} findings in `{}`",
        baseline.len(),
        path.display()
    );
    Ok(Outcome::Clean)
}

fn diff(args: &Args) -> Result<Outcome, Error> {
    let report = Lint::new(args)?.report()?;
    let fixes = report.fixes().map_err(Error::Fix)?;
    let mut stdout = std::io::stdout().lock();
    for file in &fixes {
        let _ = stdout.write_all(file.diff().as_bytes());
    }
    Ok(if fixes.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

fn fix(args: &Args) -> Result<Outcome, Error> {
    let lint = Lint::new(args)?;
    write_fixes(args, &lint.report()?)?;
    Ok(lint.print(&lint.report()?))
}

fn check(args: &Args) -> Result<Outcome, Error> {
    let lint = Lint::new(args)?;
    Ok(lint.print(&lint.report()?))
}

/// A run that checks files: the configuration and the linter it sets up, with the flags applied.
struct Lint<'a> {
    args: &'a Args,
    config: Config,
    linter: Linter,
}

impl<'a> Lint<'a> {
    /// Reads the configuration (`--config`, or the one found from the first
    /// path) and applies `--select` and `--ignore` over it.
    fn new(args: &'a Args) -> Result<Self, Error> {
        let config = match &args.config {
            Some(path) => Config::load(path),
            None => Config::discover(args.paths.first().map_or(Path::new("."), PathBuf::as_path)),
        }
        .map_err(Error::Config)?;
        let mut linter = Linter::with_config(&config);
        if !args.select.is_empty() {
            linter = linter.select(&args.select)?;
        }
        linter = linter.ignore(&args.ignore)?;
        Ok(Lint {
            args,
            config,
            linter,
        })
    }

    /// Checks the paths, without the findings of `--baseline` when given.
    fn report(&self) -> Result<Report, Error> {
        let report = self.linter.check_paths(&self.args.paths)?;
        Ok(match &self.args.baseline {
            Some(path) => Baseline::load(path)
                .map_err(Error::Baseline)?
                .filter(report),
            None => report,
        })
    }

    /// Prints `report` in the chosen format; findings at or above `fail-on`
    /// fail the run unless `--exit-zero`.
    fn print(&self, report: &Report) -> Outcome {
        let args = self.args;
        let _ = std::io::stdout()
            .lock()
            .write_all(report.render(format(args), color(args)).as_bytes());
        let fail_on = match args.fail_on {
            Some(FailOnArg::Warning) => Severity::Warning,
            Some(FailOnArg::Error) => Severity::Error,
            None => self.config.fail_on().unwrap_or(Severity::Warning),
        };
        let fails = report.findings().iter().any(|f| f.severity >= fail_on);
        if fails && !args.exit_zero {
            Outcome::Findings
        } else {
            Outcome::Clean
        }
    }
}

/// Applies the report's fixes to files under the given paths and says how many.
/// A file that may not be written (outside the paths, a symlink, changed since
/// it was read) is named on stderr and left as it is; the others are still
/// fixed, and its findings stay in the report.
fn write_fixes(args: &Args, report: &Report) -> Result<(), Error> {
    let roots = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let (mut applied, mut files) = (0, 0);
    for file in &report.fixes().map_err(Error::Fix)? {
        match file.write(&roots) {
            Ok(()) => {
                applied += file.applied;
                files += 1;
            }
            Err(err) => eprintln!("warning: {err}"),
        }
    }
    eprintln!(
        "fixed {applied} finding{} in {files} file{}",
        if applied == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" }
    );
    Ok(())
}

fn format(args: &Args) -> Format {
    match (args.message_format, args.format) {
        (Some(_), _) | (None, FormatArg::CargoJson) => Format::CargoJson,
        (None, FormatArg::Human) => Format::Human,
        (None, FormatArg::Short) => Format::Short,
        (None, FormatArg::Json) => Format::Json,
        (None, FormatArg::Sarif) => Format::Sarif,
        (None, FormatArg::Github) => Format::Github,
    }
}

fn color(args: &Args) -> bool {
    match args.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}
