//! `cargo asyncheck`: the command-line front end of `asyncheck-lint`.
//!
//! Thin by design: parse arguments, call the library, print, and map the
//! outcome to an exit status in one place (0 clean, 1 findings, 2 usage error).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use asyncheck_lint::{Format, Linter, RULES};
use clap::{Parser, ValueEnum};

/// Lint async Rust code for tokio pitfalls, without compiling it.
#[derive(Debug, Parser)]
#[command(name = "cargo-asyncheck", bin_name = "cargo asyncheck", version)]
struct Args {
    /// Files and directories to check (directories recursively; default: `.`).
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,
    /// When to colour human output (`auto`: when stdout is a terminal and `NO_COLOR` is unset).
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
    /// Run only these rules (comma-separated; `all` for every rule, pedantic included).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Do not run these rules (comma-separated).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
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
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<Outcome, asyncheck_lint::Error> {
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
    let mut linter = Linter::new();
    if !args.select.is_empty() {
        linter = linter.select(&args.select)?;
    }
    linter = linter.ignore(&args.ignore)?;
    let report = linter.check_paths(&args.paths)?;
    let format = match args.format {
        FormatArg::Human => Format::Human,
        FormatArg::Short => Format::Short,
        FormatArg::Json => Format::Json,
    };
    let color = match args.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let _ = stdout.write_all(report.render(format, color).as_bytes());
    Ok(if report.findings().is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
