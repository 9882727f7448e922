#!/usr/bin/env python3
"""Benchmark the language server (`dockerlint server`, issue 14) and check the CLI stays lean.

    python bench/lsp.py                 # 100 warm edits, server's default debounce
    python bench/lsp.py --edits 300 --debounce-ms 0

Measures, with the interpreter running this script (the `lsp` extra installed):
  1. warm diagnostics latency over stdio: a Dockerfile and its requirements file are open; each
     unsaved edit of the requirements file (a numpy pin toggled between a version without and
     one with a musllinux wheel) is timed from the didChange notification until the diagnostics
     of BOTH files have been published again. Median, p90, max; with the debounce included.
     The same for an edit of the Dockerfile itself.
  2. the analysis alone, in process (the adapter's `analyze`, no JSON-RPC, no debounce).
  3. the plain CLI: median cold start of `dockerlint check` on the same pair, and whether
     anything of the server (pygls, lsprotocol, dockerlint_py.lsp) is imported by it.
Target (issue 14): warm diagnostics within 50 ms of a change.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DOCKERFILE = """FROM python:3.12-alpine
WORKDIR /app
COPY requirements.txt .
RUN apk add --no-cache gcc musl-dev && pip install --no-cache-dir -r requirements.txt
COPY . .
USER app
CMD ["gunicorn", "app:app"]
"""
REQUIREMENTS = "flask==3.0.3\ngunicorn==22.0.0\nrequests==2.32.3\nnumpy=={numpy}\npsycopg2-binary==2.9.9\n"


class Client:
    """A minimal LSP client over the server's stdin/stdout (enough for a benchmark)."""

    def __init__(self, cmd, cwd):
        self.proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.next_id = 0
        self.cond = threading.Condition()
        self.responses = {}
        self.published = []  # (time, uri, diagnostics)
        threading.Thread(target=self._read, daemon=True).start()

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
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            msg = json.loads(out.read(length))
            now = time.perf_counter()
            with self.cond:
                if msg.get("method") == "textDocument/publishDiagnostics":
                    self.published.append((now, msg["params"]["uri"], msg["params"]["diagnostics"]))
                elif "id" in msg and "method" in msg:  # a request from the server
                    self._send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
                elif "id" in msg:
                    self.responses[msg["id"]] = msg
                self.cond.notify_all()

    def _send(self, msg):
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method, params, timeout=30):
        self.next_id += 1
        rid = self.next_id
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        with self.cond:
            if not self.cond.wait_for(lambda: rid in self.responses, timeout):
                raise TimeoutError(method)
            return self.responses.pop(rid)

    def notify(self, method, params):
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_published(self, since, uris, timeout=30):
        """Block until every uri has been published after index ``since``; the last time."""
        with self.cond:
            ok = self.cond.wait_for(lambda: uris <= {u for _, u, _ in self.published[since:]}, timeout)
            if not ok:
                raise TimeoutError(f"no diagnostics for {uris}")
            return max(t for t, u, _ in self.published[since:] if u in uris)

    def close(self):
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def summary(xs):
    return f"median {statistics.median(xs):6.1f} ms  p90 {pct(xs, 90):6.1f} ms  max {max(xs):6.1f} ms  (n={len(xs)})"


def bench_server(python, proj, edits, debounce):
    df = os.path.join(proj, "Dockerfile")
    req = os.path.join(proj, "requirements.txt")
    df_uri, req_uri = "file://" + df, "file://" + req
    init = {} if debounce is None else {"debounceMs": debounce}
    c = Client([python, "-m", "dockerlint_py", "server"], proj)
    try:
        c.request("initialize", {"processId": os.getpid(), "rootUri": "file://" + proj, "capabilities": {}, "initializationOptions": init})
        c.notify("initialized", {})
        n = len(c.published)
        c.notify("textDocument/didOpen", {"textDocument": {"uri": df_uri, "languageId": "dockerfile", "version": 1, "text": DOCKERFILE}})
        c.notify("textDocument/didOpen", {"textDocument": {"uri": req_uri, "languageId": "pip-requirements", "version": 1, "text": REQUIREMENTS.format(numpy="1.21.0")}})
        c.wait_published(n, {df_uri, req_uri})
        manifest_ms, dockerfile_ms = [], []
        version = 1
        for i in range(edits + 5):  # the first few edits warm up
            version += 1
            numpy = "1.26.4" if i % 2 == 0 else "1.21.0"
            n = len(c.published)
            t = time.perf_counter()
            c.notify("textDocument/didChange", {"textDocument": {"uri": req_uri, "version": version}, "contentChanges": [{"text": REQUIREMENTS.format(numpy=numpy)}]})
            done = c.wait_published(n, {df_uri, req_uri})
            if i >= 5:
                manifest_ms.append((done - t) * 1000)
        for i in range(edits + 5):
            version += 1
            text = DOCKERFILE.replace("python:3.12-alpine", "python:3.12-slim" if i % 2 == 0 else "python:3.12-alpine")
            n = len(c.published)
            t = time.perf_counter()
            c.notify("textDocument/didChange", {"textDocument": {"uri": df_uri, "version": version}, "contentChanges": [{"text": text}]})
            done = c.wait_published(n, {df_uri, req_uri})
            if i >= 5:
                dockerfile_ms.append((done - t) * 1000)
        return manifest_ms, dockerfile_ms
    finally:
        c.close()


def bench_inprocess(proj, runs):
    sys.path.insert(0, ROOT)
    from dockerlint_py.lsp import analysis as A

    df = os.path.join(proj, "Dockerfile")
    req = os.path.join(proj, "requirements.txt")
    settings = A.Settings()
    xs = []
    for i in range(runs + 5):
        buffers = {req: REQUIREMENTS.format(numpy="1.26.4" if i % 2 else "1.21.0")}
        t = time.perf_counter()
        A.analyze(df, DOCKERFILE, buffers, settings)
        if i >= 5:
            xs.append((time.perf_counter() - t) * 1000)
    return xs


def cli_startup(python, proj, runs):
    cmd = [python, "-m", "dockerlint_py", "check", "Dockerfile"]
    xs = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=proj, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        xs.append((time.perf_counter() - t) * 1000)
    r = subprocess.run([python, "-X", "importtime"] + cmd[1:], cwd=proj, capture_output=True, text=True)
    mods = {l.split("|")[-1].strip() for l in r.stderr.splitlines() if l.startswith("import time:")}
    server_mods = sorted(m for m in mods if m.startswith(("pygls", "lsprotocol", "dockerlint_py.lsp")))
    return xs, server_mods


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edits", type=int, default=100)
    ap.add_argument("--runs", type=int, default=20, help="CLI cold starts")
    ap.add_argument("--debounce-ms", type=int, default=None, help="override the server's debounce (default: the server's own)")
    ap.add_argument("--python", default=sys.executable)
    args = ap.parse_args()
    subprocess.run([args.python, "-m", "compileall", "-q", os.path.join(ROOT, "dockerlint_py")], check=False)
    with tempfile.TemporaryDirectory() as tmp:
        proj = os.path.realpath(tmp)
        os.mkdir(os.path.join(proj, ".git"))
        with open(os.path.join(proj, "Dockerfile"), "w") as fh:
            fh.write(DOCKERFILE)
        with open(os.path.join(proj, "requirements.txt"), "w") as fh:
            fh.write(REQUIREMENTS.format(numpy="1.21.0"))
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        manifest_ms, dockerfile_ms = bench_server(args.python, proj, args.edits, args.debounce_ms)
        deb = "server default" if args.debounce_ms is None else f"{args.debounce_ms} ms"
        print(f"warm diagnostics, requirements edit -> both files published (debounce {deb}): {summary(manifest_ms)}")
        print(f"warm diagnostics, Dockerfile edit   -> both files published (debounce {deb}): {summary(dockerfile_ms)}")
        print(f"analysis alone, in process (Dockerfile + requirements buffer):              {summary(bench_inprocess(proj, args.edits))}")
        xs, server_mods = cli_startup(args.python, proj, args.runs)
        print(f"CLI cold start, `dockerlint check Dockerfile`:                               {summary(xs)}")
        print("CLI imports of the server: " + (", ".join(server_mods) if server_mods else "none"))
        target_ok = statistics.median(manifest_ms) < 50 and statistics.median(dockerfile_ms) < 50
        print(f"target (median < 50 ms): {'met' if target_ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
