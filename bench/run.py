#!/usr/bin/env python3
"""Benchmark asyncheck-lint against a bare syn parse of the same files.

Usage (from anywhere; python3 standard library only):

    python3 bench/run.py [--runs 5] [--scale-runs 3] [--no-clippy]

Steps, all in one run:

1. Fetch the corpus pinned in bench/corpus/Cargo.toml (+ Cargo.lock) with
   `cargo metadata` and hard-link (or copy) every package's source directory
   into target/bench-corpus/1x/; 2x/ and 4x/ hold the same files 2 and 4 times
   under different roots. Nothing of it is committed.
2. Build `parse-baseline` (bench/) and `cargo-asyncheck` (lint/) in release,
   in separate cargo invocations so neither gets the other's syn features.
3. Run each N times, alternating, under `/usr/bin/time`: wall, CPU (user+sys)
   and peak RSS; medians and spreads; ratios lint/baseline.
4. Linearity: both at 1x, 2x, 4x.
5. Single-file latency: one real ~2,000-line tokio file (hyperfine if present).
6. Optionally a cold `cargo clippy` of the tokio crate (temp copy, own target
   dir) against `cargo-asyncheck` on the same directory.

Results are printed as Markdown and written to target/bench/results.{md,json}.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS_MANIFEST = REPO / "bench" / "corpus" / "Cargo.toml"
CORPUS = REPO / "target" / "bench-corpus"
SCALES = (1, 2, 4)


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def run_checked(cmd, **kw):
    log(" ".join(str(c) for c in cmd))
    return subprocess.run(cmd, check=True, **kw)


def link_tree(src, dst):
    """Hard-links src into dst (same filesystem), else copies."""
    try:
        subprocess.run(["cp", "-al", str(src), str(dst)], check=True, stderr=subprocess.DEVNULL)
    except subprocess.CalledProcessError:
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(src, dst, symlinks=True)


def prepare_corpus():
    """Fetches the pinned packages and lays out 1x/2x/4x; returns the package count."""
    meta = run_checked(
        ["cargo", "metadata", "--format-version", "1", "--locked",
         "--manifest-path", str(CORPUS_MANIFEST)],
        stdout=subprocess.PIPE,
    )
    packages = sorted(
        (p["name"], p["version"], Path(p["manifest_path"]).parent)
        for p in json.loads(meta.stdout)["packages"]
        if p["source"] is not None
    )
    stamp = "\n".join(f"{n} {v}" for n, v, _ in packages)
    stamp_file = CORPUS / "packages.txt"
    if stamp_file.exists() and stamp_file.read_text() == stamp:
        return len(packages)
    shutil.rmtree(CORPUS, ignore_errors=True)
    one = CORPUS / "1x"
    one.mkdir(parents=True)
    for name, version, src in packages:
        link_tree(src, one / f"{name}-{version}")
    for scale in SCALES[1:]:
        for i in range(scale):
            (CORPUS / f"{scale}x").mkdir(exist_ok=True)
            link_tree(one, CORPUS / f"{scale}x" / f"copy{i}")
    # An explicit, empty configuration: only `--select all` decides the rules.
    (CORPUS / "asyncheck.toml").write_text("# benchmark: defaults, rules chosen on the command line\n")
    stamp_file.write_text(stamp)
    return len(packages)


def build(target_dir):
    env = dict(os.environ, CARGO_TARGET_DIR=str(target_dir))
    run_checked(["cargo", "build", "--release", "-p", "asyncheck-bench", "--bin", "parse-baseline"],
                cwd=REPO, env=env)
    run_checked(["cargo", "build", "--release", "-p", "asyncheck-lint", "--bin", "cargo-asyncheck"],
                cwd=REPO, env=env)
    release = target_dir / "release"
    return release / "parse-baseline", release / "cargo-asyncheck"


def timed(cmd, out_path, **kw):
    """Runs cmd once; returns wall, cpu (user+sys) in seconds and peak RSS in MiB."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf, open(out_path, "wb") as out:
        proc = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf.name, *map(str, cmd)],
                              stdout=out, stderr=subprocess.PIPE, check=False, **kw)
        if proc.returncode not in (0, 1):  # the lint exits 1 when it has findings
            raise SystemExit(f"{cmd} failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
        wall, user, sys_, rss_kib = tf.read().split()[-4:]
    return {"wall": float(wall), "cpu": float(user) + float(sys_), "rss": int(rss_kib) / 1024}


def summary(samples):
    out = {}
    for key in ("wall", "cpu", "rss"):
        values = [s[key] for s in samples]
        out[key] = statistics.median(values)
        out[key + "_min"] = min(values)
        out[key + "_max"] = max(values)
    out["n"] = len(samples)
    return out


def compare(tools, scale, runs, out_dir):
    """Runs every tool `runs` times on the corpus at `scale`, interleaved; one warm-up each."""
    samples = {name: [] for name in tools}
    # The 2x and 4x trees are hard links to the 1x files: after the 1x warm-up
    # the page cache is warm for every scale.
    warmups = 1 if scale == 1 else 0
    for round_ in range(1 - warmups, runs + 1):
        order = list(tools.items())
        if round_ % 2:
            order.reverse()
        for name, cmd in order:
            sample = timed(cmd(CORPUS / f"{scale}x"), out_dir / f"{name}-{scale}x.out")
            if round_ > 0:
                samples[name].append(sample)
            log(f"{scale}x {name} run {round_}{' (warm-up)' if round_ == 0 else ''}: "
                f"{sample['wall']:.2f}s wall, {sample['cpu']:.2f}s cpu, {sample['rss']:.0f} MiB")
    return {name: summary(s) for name, s in samples.items()}


def loadavg():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal")))
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem_kib / 2**20, 1), "rustc": rustc}


def pick_single_file():
    """The tokio source file closest to 2,000 lines."""
    tokio = next((CORPUS / "1x").glob("tokio-1.*"))
    best = min(
        (p for p in tokio.rglob("*.rs")),
        key=lambda p: abs(p.read_bytes().count(b"\n") - 2000),
    )
    return best, best.read_bytes().count(b"\n")


def single_file_latency(lint, config, path, runs):
    cmd = [str(lint), "--select", "all", "--format", "json", "--exit-zero", "--config", str(config), str(path)]
    if shutil.which("hyperfine"):
        with tempfile.NamedTemporaryFile(suffix=".json") as tf:
            run_checked(["hyperfine", "-N", "--warmup", "5", "--runs", str(runs), "--export-json", tf.name,
                         "--output", "null", " ".join(cmd)], stdout=subprocess.DEVNULL)
            result = json.load(open(tf.name))["results"][0]
        times = result["times"]
        tool = "hyperfine"
    else:
        times = []
        for _ in range(runs + 5):
            start = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
            times.append(time.perf_counter() - start)
        times = times[5:]
        tool = "perf_counter loop"
    times = sorted(times)
    return {"median_ms": statistics.median(times) * 1000, "min_ms": times[0] * 1000,
            "p90_ms": times[int(len(times) * 0.9) - 1] * 1000, "runs": len(times), "tool": tool}


def clippy_vs_lint(lint, config, runs):
    tokio = next((CORPUS / "1x").glob("tokio-1.*"))
    with tempfile.TemporaryDirectory(prefix="asyncheck-bench-clippy-") as tmp:
        crate = Path(tmp) / tokio.name
        shutil.copytree(tokio, crate)
        env = dict(os.environ, CARGO_TARGET_DIR=str(Path(tmp) / "target"))
        # Resolve and download before the clock starts: cold means compiling, not fetching.
        run_checked(["cargo", "fetch"], cwd=crate, env=env, stdout=subprocess.DEVNULL)
        clippy = timed(["cargo", "clippy", "--offline", "--features", "full", "--quiet"],
                       Path(tmp) / "clippy.out", cwd=crate, env=env)
        log(f"cold clippy of {tokio.name}: {clippy['wall']:.1f}s wall, {clippy['cpu']:.1f}s cpu")
        lint_samples = [timed([lint, "--select", "all", "--format", "json", "--exit-zero",
                               "--config", config, crate], Path(tmp) / "lint.out")
                        for _ in range(runs)]
    return tokio.name, clippy, summary(lint_samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="measured runs per tool at 1x (default 5)")
    parser.add_argument("--scale-runs", type=int, default=3, help="measured runs per tool at 2x and 4x (default 3)")
    parser.add_argument("--single-runs", type=int, default=50, help="runs for single-file latency (default 50)")
    parser.add_argument("--no-clippy", action="store_true", help="skip the cold `cargo clippy` of tokio")
    parser.add_argument("--target-dir", type=Path,
                        default=Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target" / "bench")))
    args = parser.parse_args()

    out_dir = args.target_dir.resolve() / "bench-results"
    out_dir.mkdir(parents=True, exist_ok=True)
    results = {"machine": machine(), "load_before": loadavg()}
    results["packages"] = prepare_corpus()
    baseline, lint = build(args.target_dir.resolve())
    config = CORPUS / "asyncheck.toml"
    tools = {
        "baseline": lambda root: [baseline, root],
        "asyncheck": lambda root: [lint, "--select", "all", "--format", "json", "--exit-zero",
                                   "--config", config, root],
    }
    counts = json.loads(subprocess.run([str(baseline), str(CORPUS / "1x")], capture_output=True,
                                       check=True, text=True).stdout)
    results["corpus"] = counts
    log(f"corpus: {counts}")

    results["scales"] = {}
    for scale in SCALES:
        runs = args.runs if scale == 1 else args.scale_runs
        results["scales"][scale] = compare(tools, scale, runs, out_dir)
    findings = json.loads((out_dir / "asyncheck-1x.out").read_text() or "null")
    if isinstance(findings, dict):
        findings = findings.get("findings", findings)
    results["findings_1x"] = len(findings) if isinstance(findings, list) else None

    single, lines = pick_single_file()
    results["single_file"] = {"path": str(single.relative_to(CORPUS / "1x")), "lines": lines,
                              **single_file_latency(lint, config, single, args.single_runs)}

    if not args.no_clippy:
        name, clippy, lint_on_tokio = clippy_vs_lint(lint, config, args.runs)
        results["clippy"] = {"crate": name, "clippy": clippy, "asyncheck": lint_on_tokio}
    results["load_after"] = loadavg()

    (out_dir / "results.json").write_text(json.dumps(results, indent=2, default=str))
    report = render(results)
    (out_dir / "results.md").write_text(report)
    print(report)


def render(r):
    m = r["machine"]
    c = r["corpus"]
    lines = [
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB; {m['rustc']}; "
        f"load average before {r['load_before']}, after {r['load_after']}.",
        f"Corpus: {r['packages']} packages, {c['files']:,} files, {c['lines']:,} lines "
        f"({c['parse_failures']} files syn cannot parse, {c['unreadable']} unreadable).",
        "",
        "| corpus | tool | wall (median, min–max) | CPU user+sys | peak RSS (median, min–max) "
        "| wall ratio | CPU ratio | RSS ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for scale, tools in r["scales"].items():
        base = tools["baseline"]
        for name, s in tools.items():
            ratio_w = s["wall"] / base["wall"]
            ratio_m = s["rss"] / base["rss"]
            lines.append(
                f"| {scale}x | {name} (n={s['n']}) | {s['wall']:.2f} s ({s['wall_min']:.2f}–{s['wall_max']:.2f}) "
                f"| {s['cpu']:.2f} s | {s['rss']:.0f} MiB ({s['rss_min']:.0f}–{s['rss_max']:.0f}) "
                f"| {ratio_w:.2f}× | {s['cpu'] / base['cpu']:.2f}× | {ratio_m:.2f}× |")
    # Under load, CPU time (user+sys) shows the cost of the work better than wall time.
    first = next(iter(r["scales"].values()))
    lines += ["", "Linearity, relative to 1x (linear = 1, 2, 4):", ""]
    for name in first:
        for key in ("wall", "cpu"):
            lines.append(f"- {name} {key}: " + ", ".join(
                f"{scale}x → {tools[name][key] / first[name][key]:.2f}" for scale, tools in r["scales"].items()))
    s = r["single_file"]
    lines += ["", f"Single file: `{s['path']}` ({s['lines']} lines), whole process incl. start-up: "
                  f"median {s['median_ms']:.1f} ms, min {s['min_ms']:.1f} ms, p90 {s['p90_ms']:.1f} ms "
                  f"over {s['runs']} runs ({s['tool']})."]
    if "clippy" in r:
        k = r["clippy"]
        lines += ["", f"`{k['crate']}` alone: cold `cargo clippy --features full` {k['clippy']['wall']:.1f} s wall "
                      f"({k['clippy']['cpu']:.1f} s CPU); asyncheck {k['asyncheck']['wall']:.3f} s median "
                      f"({k['asyncheck']['cpu']:.2f} s CPU); {k['clippy']['wall'] / k['asyncheck']['wall']:.0f}× faster "
                      f"in wall time, {k['clippy']['cpu'] / k['asyncheck']['cpu']:.0f}× in CPU time."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
