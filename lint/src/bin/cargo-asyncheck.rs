//! `cargo asyncheck`: the command-line front end of `asyncheck-lint`.
//!
//! Thin by design: parse arguments, call the library, print, and map the
//! outcome to an exit status in one place: 0 when no finding reaches
//! `fail-on` (or with `--exit-zero`), 1 when one does, 2 for a usage or
//! configuration error.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use asyncheck_lint::{Baseline, Config, Error, Format, Linter, RULES, Report, Severity};
use clap::{Parser, ValueEnum};

/// Lint async Rust code for tokio pitfalls, without compiling it.
#[derive(Debug, Parser)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "each bool is an independent command-line switch"
)]
#[command(name = "cargo-asyncheck", bin_name = "cargo asyncheck", version)]
struct Args {
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
    match run(&args) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(err) => {
            for line in err.to_string().lines() {
                eprintln!("error: {line}");
            }
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<Outcome, Error> {
    let mut stdout = std::io::stdout().lock();
    if args.list_rules {
        for rule in RULES {
            let _ = writeln!(
                stdout,
                "{:<24} {:<9} {}",
                rule.name,
                rule.group.to_string(),
                rule.summary()
            );
        }
        return Ok(Outcome::Clean);
    }
    if let Some(name) = &args.explain {
        let rule = asyncheck_lint::rule(name)?;
        let _ = write!(stdout, "# {}\n\n{}", rule.name, rule.docs());
        return Ok(Outcome::Clean);
    }
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
    let check = || -> Result<Report, Error> {
        let report = linter.check_paths(&args.paths)?;
        Ok(match &args.baseline {
            Some(path) => Baseline::load(path)
                .map_err(Error::Baseline)?
                .filter(report),
            None => report,
        })
    };
    let mut report = check()?;
    if let Some(path) = &args.write_baseline {
        let base = path.parent().unwrap_or(Path::new("."));
        let baseline = Baseline::from_report(&report, base);
        baseline.write(path).map_err(Error::Baseline)?;
        eprintln!(
            "recorded {} findings in `{}`",
            baseline.len(),
            path.display()
        );
        return Ok(Outcome::Clean);
    }
    if args.diff {
        let fixes = report.fixes().map_err(Error::Fix)?;
        for file in &fixes {
            let _ = stdout.write_all(file.diff().as_bytes());
        }
        return Ok(if fixes.is_empty() {
            Outcome::Clean
        } else {
            Outcome::Findings
        });
    }
    if args.fix {
        write_fixes(args, &report)?;
        report = check()?;
    }
    let _ = stdout.write_all(report.render(format(args), color(args)).as_bytes());
    let fail_on = match args.fail_on {
        Some(FailOnArg::Warning) => Severity::Warning,
        Some(FailOnArg::Error) => Severity::Error,
        None => config.fail_on().unwrap_or(Severity::Warning),
    };
    let fails = report.findings().iter().any(|f| f.severity >= fail_on);
    Ok(if fails && !args.exit_zero {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
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
