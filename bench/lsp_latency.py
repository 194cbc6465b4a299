#!/usr/bin/env python3
"""Latency of `cargo asyncheck server`: from `didChange` to the matching `publishDiagnostics`.

Usage (python3 standard library only):

    python3 bench/lsp_latency.py [--edits 60] [--binary PATH]

1. Finds tokio 1.54.1's sources (the version bench/corpus pins) with `cargo metadata`,
   which fetches them into cargo's registry when missing.
2. Builds `cargo-asyncheck` in release (unless --binary is given).
3. Starts the server over pipes with tokio's directory as the workspace (it indexes
   all of tokio first), `debounceMs: 0` so that the debounce delay (50 ms by default,
   not processing time) is not in the figures, and opens `src/sync/mpsc/bounded.rs`
   (1,967 lines).
4. Sends --edits `didChange`s of the whole file, alternating between the file as
   it is and the file with an `async fn` calling `std::thread::sleep` appended, and
   times each from writing the notification to reading the `publishDiagnostics` of
   that version. Each publication is checked: the appended pitfall is reported in
   the edited versions and only there.

Prints min / median / p90 / max in milliseconds and writes target/bench/lsp-latency.json.
The target (issue 16) is a median under 30 ms.
"""

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
import queue
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS_MANIFEST = REPO / "bench" / "corpus" / "Cargo.toml"
FILE = Path("src/sync/mpsc/bounded.rs")
PITFALL = "\nasync fn bench_pitfall(d: std::time::Duration) {\n    std::thread::sleep(d);\n}\n"


def log(msg):
    print(f"[lsp-latency] {msg}", file=sys.stderr, flush=True)


def tokio_dir():
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked",
         "--manifest-path", str(CORPUS_MANIFEST)],
        check=True, stdout=subprocess.PIPE,
    )
    for package in json.loads(meta.stdout)["packages"]:
        if package["name"] == "tokio" and package["source"] is not None:
            return Path(package["manifest_path"]).parent, package["version"]
    sys.exit("tokio is not in bench/corpus's dependencies")


class Server:
    """The server process, with a reader thread that queues every message it sends."""

    def __init__(self, binary, root):
        self.proc = subprocess.Popen(
            [str(binary), "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            cwd=root,
        )
        self.messages = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.next_id = 0

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            body = out.read(length)
            self.messages.put((time.perf_counter(), json.loads(body)))

    def send(self, message):
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return time.perf_counter()

    def notify(self, method, params):
        return self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == self.next_id and "method" not in m)[1]

    def wait(self, accept, timeout=600):
        deadline = time.perf_counter() + timeout
        while True:
            at, message = self.messages.get(timeout=max(0.0, deadline - time.perf_counter()))
            if accept(message):
                return at, message


def percentile(sorted_samples, p):
    return sorted_samples[min(len(sorted_samples) - 1, int(round(p * (len(sorted_samples) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=60)
    parser.add_argument("--binary", type=Path)
    args = parser.parse_args()

    root, tokio_version = tokio_dir()
    path = root / FILE
    original = path.read_text()
    log(f"tokio {tokio_version} at {root}; {FILE} has {original.count(chr(10))} lines")
    binary = args.binary.resolve() if args.binary else None
    if binary is None:
        subprocess.run(["cargo", "build", "--release", "-p", "asyncheck-lint", "--bin", "cargo-asyncheck"],
                       cwd=REPO, check=True)
        binary = REPO / "target" / "release" / "cargo-asyncheck"

    server = Server(binary, root)
    root_uri = root.as_uri()
    started = time.perf_counter()
    server.request("initialize", {
        "processId": None,
        "rootUri": root_uri,
        "capabilities": {},
        "initializationOptions": {"debounceMs": 0},
    })
    server.notify("initialized", {})
    uri = path.as_uri()
    server.notify("textDocument/didOpen", {
        "textDocument": {"uri": uri, "languageId": "rust", "version": 0, "text": original},
    })
    is_mine = lambda version: lambda m: (
        m.get("method") == "textDocument/publishDiagnostics"
        and m["params"]["uri"] == uri and m["params"].get("version") == version
    )
    server.wait(is_mine(0))
    log(f"workspace indexed and file opened in {time.perf_counter() - started:.2f}s")

    samples = []
    for version in range(1, args.edits + 1):
        edited = version % 2 == 1
        text = original + PITFALL if edited else original
        sent = server.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": text}],
        })
        at, message = server.wait(is_mine(version))
        samples.append((at - sent) * 1000)
        codes = [d.get("code") for d in message["params"]["diagnostics"]]
        pitfall_line = original.count("\n") + 2
        reported = any(
            d.get("code") == "blocking_sleep" and d["range"]["start"]["line"] == pitfall_line
            for d in message["params"]["diagnostics"]
        )
        if reported != edited:
            sys.exit(f"version {version}: the appended pitfall {'is missing' if edited else 'is still reported'}: {codes}")

    server.request("shutdown", None)
    server.notify("exit", None)
    server.proc.wait(timeout=30)

    ordered = sorted(samples)
    result = {
        "file": f"tokio-{tokio_version}/{FILE}",
        "lines": original.count("\n"),
        "edits": len(samples),
        "debounce_ms_excluded": 50,
        "min_ms": round(ordered[0], 2),
        "median_ms": round(statistics.median(ordered), 2),
        "p90_ms": round(percentile(ordered, 0.9), 2),
        "max_ms": round(ordered[-1], 2),
    }
    out = REPO / "target" / "bench" / "lsp-latency.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"didChange -> publishDiagnostics on {result['file']} ({result['lines']} lines), "
          f"{result['edits']} edits, debounce 0 (default 50 ms not included):")
    print(f"  min {result['min_ms']} ms, median {result['median_ms']} ms, "
          f"p90 {result['p90_ms']} ms, max {result['max_ms']} ms")


if __name__ == "__main__":
    main()
