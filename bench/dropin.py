#!/usr/bin/env python3
"""Drop-in check: real crates' async tests under `#[tokio::test]`, under
`#[tokio::test(start_paused = true)]` and with the attribute swapped for
`#[asyncheck::test]`.

cargo fetches the crates' published sources at run time (nothing is vendored or
committed); their tests are copied under `target/dropin/work/<crate>/<mode>/`, the
attribute rewritten per mode, each mode compiled once (one shared target directory,
`target/dropin/target`) and run `--runs` times. Prints a table per mode (tests,
pass, fail, flaky, wall time) and every test whose outcome differs between modes,
with its failure text; writes the same to `target/dropin/results.md` and the raw
outcomes to `target/dropin/results.json`.

    python3 bench/dropin.py                      # the three modes, five runs each
    python3 bench/dropin.py --detectors          # a fourth mode: asyncheck with
                                                 # leak_check, blocking_threshold = "100ms"
    python3 bench/dropin.py --crates bb8 --runs 1

Only the tests written with `#[tokio::test]` are counted (the others do not change
between modes). Needs cargo and python3 (3.11+).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "target" / "dropin"

# The crates of the issue, pinned; the cargo features their tests need.
CRATES = {
    "bb8": ("=0.9.1", []),
    "deadpool": ("=0.12.3", ["rt_tokio_1"]),
    "tower": ("=0.5.3", ["full"]),
    "tokio-util": ("=0.7.20", ["full"]),
}

ATTRIBUTE = re.compile(r"#\[tokio::test(?:\((?P<args>[^()\]]*)\))?\]")
FN_NAME = re.compile(r"\bfn\s+(\w+)")
RESULT = re.compile(r"^test (?P<name>.+?)(?: - should panic)? \.\.\. (?P<outcome>ok|FAILED|ignored)")
RUN_TIMEOUT = 300  # seconds for one run of one test binary


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, **kw)


def fetch():
    """The published sources of the crates, through a scratch manifest."""
    probe = OUT / "fetch"
    (probe / "src").mkdir(parents=True, exist_ok=True)
    (probe / "src" / "lib.rs").write_text("")
    deps = "\n".join(f'{name} = "{version}"' for name, (version, _) in CRATES.items())
    (probe / "Cargo.toml").write_text(
        f'[package]\nname = "dropin-fetch"\nversion = "0.0.0"\nedition = "2021"\n'
        f"[dependencies]\n{deps}\n[workspace]\n"
    )
    run(["cargo", "fetch", "--quiet"], cwd=probe)
    meta = json.loads(
        run(
            ["cargo", "metadata", "--format-version", "1"],
            cwd=probe,
            capture_output=True,
        ).stdout
    )
    sources = {}
    for package in meta["packages"]:
        if package["name"] in CRATES and package["source"]:
            sources[package["name"]] = Path(package["manifest_path"]).parent
    return sources


def rewrite_args(args, mode):
    """The attribute for `mode`, from the arguments of `#[tokio::test(args)]`."""
    args = (args or "").strip().rstrip(",")
    parts = [a.strip() for a in args.split(",") if a.strip()]
    multi_thread = any(re.fullmatch(r'flavor\s*=\s*"multi_thread"', p) for p in parts)
    if mode == "tokio":
        new = parts
    elif mode == "paused":
        new = parts
        if not multi_thread and not any(p.startswith("start_paused") for p in parts):
            new = parts + ["start_paused = true"]
    else:
        new = parts
        if mode == "detectors":
            new = new + ["leak_check"]
            if not multi_thread:
                new = new + ['blocking_threshold = "100ms"']
    path = "tokio::test" if mode in ("tokio", "paused") else "asyncheck::test"
    return f"#[{path}({', '.join(new)})]" if new else f"#[{path}]"


def prepare(name, source, mode):
    """Copies the crate for `mode`, rewrites its attributes; returns the copy and
    the names of the functions that carried `#[tokio::test]`."""
    dest = OUT / "work" / name / mode
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("target", "Cargo.lock"))
    async_tests = set()
    for path in dest.rglob("*.rs"):
        text = path.read_text()
        if "tokio::test" not in text:
            continue
        out, last = [], 0
        for m in ATTRIBUTE.finditer(text):
            out.append(text[last : m.start()])
            out.append(rewrite_args(m.group("args"), mode))
            last = m.end()
            fn = FN_NAME.search(text, m.end())
            if fn:
                async_tests.add(fn.group(1))
        out.append(text[last:])
        path.write_text("".join(out))
    manifest = (dest / "Cargo.toml").read_text()
    # The same dependency graph in every mode: asyncheck (whose tokio has
    # `test-util`, which `start_paused` needs) is a dev-dependency of all three.
    manifest = manifest.replace(
        "[dev-dependencies.tokio]",
        f'[dev-dependencies.asyncheck]\npath = "{REPO / "harness"}"\n\n[dev-dependencies.tokio]',
        1,
    )
    if "[dev-dependencies.asyncheck]" not in manifest:
        manifest += f'\n[dev-dependencies.asyncheck]\npath = "{REPO / "harness"}"\n'
    manifest += "\n[workspace]\n"
    (dest / "Cargo.toml").write_text(manifest)
    return dest, async_tests


def build(name, dest, features, lock):
    """Compiles the tests of one copy; returns {binary: executable} and the
    targets that did not compile, with the compiler's first error. When the
    whole build fails, each test target is built alone to tell which."""
    if lock and lock.exists():
        shutil.copy(lock, dest / "Cargo.lock")
    base = ["cargo", "test", "--no-run", "--message-format=json"]
    if features:
        base += ["--features", ",".join(features)]
    env = dict(os.environ, CARGO_TARGET_DIR=str(OUT / "target"))
    binaries, broken = {}, {}

    def cargo(selection):
        proc = subprocess.run(base + selection, cwd=dest, env=env, text=True, capture_output=True)
        for line in proc.stdout.splitlines():
            try:
                msg = json.loads(line)
            except json.JSONDecodeError:
                continue
            target = msg.get("target") or {}
            key = target.get("name", "?") + ":" + (target.get("kind") or ["?"])[0]
            if (msg.get("reason") == "compiler-artifact" and msg.get("executable")
                    and msg["profile"]["test"]):
                binaries[key] = msg["executable"]
            if msg.get("reason") == "compiler-message" and msg["message"]["level"] == "error":
                broken.setdefault(key, msg["message"]["rendered"].strip())
        return proc.returncode == 0, proc.stderr

    ok, stderr = cargo(["--tests"])
    if not ok:
        meta = json.loads(run(["cargo", "metadata", "--no-deps", "--format-version", "1"],
                              cwd=dest, capture_output=True).stdout)
        for target in meta["packages"][0]["targets"]:
            kind = target["kind"][0]
            if kind == "lib":
                cargo(["--lib"])
            elif kind == "test":
                cargo(["--test", target["name"]])
        if not binaries and not broken:
            sys.exit(f"{name}: the build failed:\n{stderr[-3000:]}")
    for key in binaries:
        broken.pop(key, None)
    return binaries, broken


def run_binary(exe):
    """One run of a test binary: {test: (outcome, failure text)} and wall time."""
    start = time.monotonic()
    try:
        proc = subprocess.run(
            [exe], capture_output=True, text=True, timeout=RUN_TIMEOUT, errors="replace",
            env=dict(os.environ, RUST_BACKTRACE="0"),
        )
        out, err, code = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        err, code = f"(killed after {RUN_TIMEOUT}s)", None
    took = time.monotonic() - start
    results = {}
    for line in out.splitlines():
        m = RESULT.match(line)
        if m:
            outcome = {"ok": "pass", "FAILED": "fail", "ignored": "ignored"}[m.group("outcome")]
            results[m.group("name")] = (outcome, "")
    # The failure text of each failed test: its `---- name stdout ----` section.
    sections = re.split(r"^---- (.+?) stdout ----$", out, flags=re.M)
    for i in range(1, len(sections) - 1, 2):
        test = sections[i]
        text = sections[i + 1].split("\nfailures:\n")[0].split("\n\n---- ")[0]
        if test in results:
            results[test] = ("fail", text.strip())
    listed = subprocess.run([exe, "--list"], capture_output=True, text=True).stdout
    for line in listed.splitlines():
        if line.endswith(": test"):
            test = line[: -len(": test")]
            if test not in results:
                tail = "\n".join(err.strip().splitlines()[-6:])
                results[test] = ("fail", f"no result: the binary ended (status {code}) {tail}")
    return results, took


def classify(outcomes):
    kinds = set(outcomes)
    if kinds == {"ignored"}:
        return "ignored"
    if kinds == {"pass"}:
        return "pass"
    if kinds <= {"fail", "broken"}:
        return "broken" if "broken" in kinds else "fail"
    return "flaky"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--crates", default=",".join(CRATES))
    parser.add_argument("--detectors", action="store_true",
                        help="add a mode with leak_check and blocking_threshold = \"100ms\"")
    parser.add_argument("--modes", default=None, help="comma-separated subset of the modes")
    args = parser.parse_args()
    modes = ["tokio", "paused", "asyncheck"] + (["detectors"] if args.detectors else [])
    if args.modes:
        modes = args.modes.split(",")
    crates = args.crates.split(",")
    OUT.mkdir(parents=True, exist_ok=True)
    sources = fetch()

    # outcome[mode][(crate, binary, test)] = [outcome per run]; text = last failure text
    outcome = {m: {} for m in modes}
    text = {m: {} for m in modes}
    wall = {m: 0.0 for m in modes}
    for name in crates:
        version, features = CRATES[name]
        print(f"== {name} {sources[name].name}", file=sys.stderr)
        lock = OUT / "work" / name / "Cargo.lock"
        for mode in modes:
            dest, async_tests = prepare(name, sources[name], mode)
            t0 = time.monotonic()
            binaries, broken = build(name, dest, features, lock)
            if not lock.exists() and (dest / "Cargo.lock").exists():
                shutil.copy(dest / "Cargo.lock", lock)
            print(f"   {mode}: built {len(binaries)} binaries in {time.monotonic() - t0:.0f}s"
                  f", {len(broken)} did not compile", file=sys.stderr)
            for binary, message in broken.items():
                outcome[mode][(name, binary, "*")] = ["broken"] * args.runs
                text[mode][(name, binary, "*")] = message
            per_run = []
            for _ in range(args.runs):
                took_all = 0.0
                for binary, exe in sorted(binaries.items()):
                    results, took = run_binary(exe)
                    took_all += took
                    for test, (result, failure) in results.items():
                        if test.rsplit("::", 1)[-1] not in async_tests:
                            continue
                        key = (name, binary, test)
                        outcome[mode].setdefault(key, []).append(result)
                        if failure:
                            text[mode][key] = failure
                per_run.append(took_all)
            wall[mode] += sorted(per_run)[len(per_run) // 2]
    report(modes, outcome, text, wall, args.runs, crates)


def report(modes, outcome, text, wall, runs, crates):
    lines = [f"# Drop-in: {', '.join(crates)} ({runs} runs per mode)", ""]
    names = {
        "tokio": "`#[tokio::test]`",
        "paused": "`#[tokio::test(start_paused = true)]`",
        "asyncheck": "`#[asyncheck::test]`",
        "detectors": "`#[asyncheck::test(leak_check, blocking_threshold = \"100ms\")]`",
    }
    lines += ["| mode | tests | pass | fail | flaky | did not compile | wall time (median run) |",
              "|---|---|---|---|---|---|---|"]
    verdict = {m: {k: classify(v) for k, v in outcome[m].items()} for m in modes}
    all_tests = sorted({k for m in modes for k in outcome[m] if k[2] != "*"})
    for m in modes:
        counts = {c: 0 for c in ("pass", "fail", "flaky", "ignored", "broken")}
        for k in all_tests:
            v = verdict[m].get(k) or broken_verdict(verdict[m], k)
            counts[v] += 1
        tests = len(all_tests) - counts["ignored"]
        lines.append(f"| {names[m]} | {tests} | {counts['pass']} | {counts['fail']} | "
                     f"{counts['flaky']} | {counts['broken']} | {wall[m]:.1f} s |")
    lines.append("")
    base = "paused" if "paused" in modes else modes[0]
    for m in modes:
        if m in ("tokio", "paused"):
            continue
        regressions = [k for k in all_tests
                       if verdict[base].get(k) == "pass"
                       and (verdict[m].get(k) or broken_verdict(verdict[m], k)) != "pass"]
        lines.append(f"Tests that pass under {names[base]} and not under {names[m]}: "
                     f"**{len(regressions)}**")
    lines += ["", "## Tests whose outcome differs between modes", ""]
    for k in all_tests:
        seen = {m: verdict[m].get(k) or broken_verdict(verdict[m], k) for m in modes}
        if len(set(v for v in seen.values() if v != "ignored")) <= 1:
            continue
        crate, binary, test = k
        lines.append(f"- `{crate}` {binary} `{test}`: "
                     + ", ".join(f"{m} {seen[m]}" for m in modes))
        for m in modes:
            if seen[m] in ("fail", "flaky", "broken"):
                failure = text[m].get(k) or text[m].get((crate, binary, "*"), "")
                excerpt = "\n".join(failure.splitlines()[:8])
                lines.append(f"  - {m}:\n\n    ```text\n"
                             + "\n".join("    " + l for l in excerpt.splitlines())
                             + "\n    ```")
    body = "\n".join(lines) + "\n"
    (OUT / "results.md").write_text(body)
    (OUT / "results.json").write_text(json.dumps(
        {m: {"::".join(k): v for k, v in outcome[m].items()} for m in modes}, indent=1))
    print(body)


def broken_verdict(verdicts, key):
    crate, binary, _ = key
    return "broken" if (crate, binary, "*") in verdicts else "ignored"


if __name__ == "__main__":
    main()
