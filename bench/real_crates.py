#!/usr/bin/env python3
"""Lint every crate of the pinned corpus and check that the lint holds up on real code.

Usage (from anywhere; python3 standard library only; not part of `cargo test`):

    python3 bench/real_crates.py [--target-dir DIR] [--out FILE]

Steps:

1. Fetch the corpus pinned in bench/corpus/Cargo.toml (+ Cargo.lock: the
   crates and all their dependencies) with `cargo metadata` and hard-link it
   into target/bench-corpus/1x/ (and the 2x/, 4x/ copies): the preparation
   of bench/run.py, reused from there. Nothing of it is committed.
2. Build `parse-baseline` and `cargo-asyncheck` in release (as bench/run.py).
3. Run `cargo-asyncheck --select all --format json --exit-zero` on the corpus,
   and `parse-baseline --list-rejects`, which names every file that
   `syn::parse_file` rejects.

Checks, each printed as PASS or FAIL:

- no crash: the lint exits with 0 or 1 (not another status, not a signal)
  and prints a complete JSON array;
- no `internal_error` finding (a panic inside a rule);
- the files with a `syntax_error` finding are exactly the files syn rejects
  (as sets of paths; the difference is listed both ways when they are not).

The figures (crates, files and lines as parse-baseline counts them, findings
per rule, the lint's wall and CPU time and peak RSS) are printed as Markdown
and written to target/bench/real_crates.md (`--out`); the lint's JSON output
is kept in <target dir>/real-crates/. The exit status is 1 when any check fails.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.dont_write_bytecode = True  # no bench/__pycache__ left behind by the import
import run  # noqa: E402  (bench/run.py: the corpus and the builds)

# Findings about a file as a whole, which `--list-rules` does not list.
FILE_RULES = ("syntax_error", "io_error", "too_complex", "internal_error", "unknown_rule_in_allow")


def log(msg):
    print(f"[real-crates] {msg}", file=sys.stderr, flush=True)


def run_measured(cmd, stdout_path, stderr_path):
    """Runs cmd with its output in files; returns the exit status (negative: killed by
    that signal), wall and CPU (user+sys) seconds, and peak RSS in MiB."""
    log(" ".join(str(c) for c in cmd))
    start = time.perf_counter()
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        proc = subprocess.Popen([str(c) for c in cmd], stdout=out, stderr=err, cwd=run.REPO)
        _, status, usage = os.wait4(proc.pid, 0)  # wait4: the rusage of this child alone
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    return proc.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def normalize(path):
    """A path as printed by either tool (relative to the repository, or absolute), made absolute."""
    return os.path.normpath(os.path.join(run.REPO, path))


def rule_names(lint):
    listed = subprocess.run([str(lint), "--list-rules"], capture_output=True, text=True, check=True).stdout
    return [line.split()[0] for line in listed.splitlines() if line.strip()] + list(FILE_RULES)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target-dir", type=Path,
                        default=Path(os.environ.get("CARGO_TARGET_DIR", run.REPO / "target" / "bench")),
                        help="cargo target directory for the release builds")
    parser.add_argument("--out", type=Path, default=run.REPO / "target" / "bench" / "real_crates.md",
                        help="where to write the figures (default target/bench/real_crates.md)")
    args = parser.parse_args()

    crates = run.prepare_corpus()
    target_dir = args.target_dir.resolve()
    baseline, lint = run.build(target_dir)
    corpus = run.CORPUS / "1x"
    out_dir = target_dir / "real-crates"
    out_dir.mkdir(parents=True, exist_ok=True)

    parsed = subprocess.run([str(baseline), "--list-rejects", str(corpus)], capture_output=True, text=True,
                            check=True, cwd=run.REPO).stdout.splitlines()
    counts = json.loads(parsed[0])
    rejected = {normalize(p) for p in parsed[1:]}
    log(f"corpus: {crates} crates, {counts}")

    status, wall, cpu, rss = run_measured(
        [lint, "--select", "all", "--format", "json", "--exit-zero", "--config", run.CORPUS / "asyncheck.toml",
         corpus],
        out_dir / "findings.json", out_dir / "stderr.txt")
    load = run.loadavg()
    try:
        findings = json.loads((out_dir / "findings.json").read_text())
        complete = isinstance(findings, list)
    except ValueError as err:
        log(f"the lint's output is not JSON: {err}")
        complete = False
    if not complete:
        findings = []
    per_rule = Counter(f["rule"] for f in findings)
    syntax_errors = {normalize(f["path"]) for f in findings if f["rule"] == "syntax_error"}

    crashed = status not in (0, 1) or not complete
    checks = [
        ("no crash", not crashed,
         f"exit status {status}" + (f" (signal {-status})" if status < 0 else "")
         + ("" if complete else ", output not a complete JSON array")),
        ("no internal_error", per_rule["internal_error"] == 0, f"{per_rule['internal_error']} internal_error findings"),
        ("syntax_error files = files syn rejects", syntax_errors == rejected,
         f"{len(syntax_errors)} files with syntax_error, {len(rejected)} files syn rejects"),
    ]

    def rel(path):
        return os.path.relpath(path, corpus)

    names = rule_names(lint)
    lines = [
        f"Corpus: {crates} crates (bench/corpus, pinned), {counts['files']:,} files, {counts['lines']:,} lines "
        f"({counts['parse_failures']} files syn rejects, {counts['unreadable']} unreadable).",
        f"Lint: `cargo-asyncheck --select all --format json --exit-zero`: exit status {status}, "
        f"{wall:.1f} s wall, {cpu:.1f} s CPU, {rss:.0f} MiB peak RSS (load average {load}); "
        f"{len(findings):,} findings in {len({f['path'] for f in findings}):,} files.",
        "",
        "| rule | findings |",
        "|---|---|",
    ]
    lines += [f"| `{name}` | {per_rule[name]:,} |" for name in names]
    lines += [f"| `{name}` (not in `--list-rules`) | {n:,} |" for name, n in sorted(per_rule.items())
              if name not in names]
    by_crate = Counter(Path(rel(p)).parts[0] for p in rejected)
    lines += ["", "Files syn rejects, by crate: " + ", ".join(f"{c} {n}" for c, n in sorted(by_crate.items())) + "."]
    lines += [""] + [f"- {'PASS' if ok else 'FAIL'}: {name}: {detail}" for name, ok, detail in checks]
    for title, paths in (("syntax_error but syn parses it", syntax_errors - rejected),
                         ("syn rejects it but no syntax_error", rejected - syntax_errors)):
        if paths:
            lines += ["", f"{title} ({len(paths)}):", ""] + [f"- `{rel(p)}`" for p in sorted(paths)]
    if per_rule["internal_error"]:
        lines += ["", "internal_error:", ""] + [f"- `{rel(normalize(f['path']))}`: {f['message']}"
                                                for f in findings if f["rule"] == "internal_error"]
    if crashed:
        stderr = (out_dir / "stderr.txt").read_text(errors="replace")
        lines += ["", "The lint's stderr (last 2,000 characters):", "", "```text", stderr[-2000:], "```"]
    report = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    print(report)
    log(f"written to {args.out}; the lint's output is in {out_dir}")
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
