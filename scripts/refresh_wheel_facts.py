#!/usr/bin/env python3
"""Maintainer script: regenerate dockerlint_py/knowledge/wheel_facts.txt and pure_packages.txt.

Needs network; never run by tests. Queries the index's PEP 691 JSON file listings ONLY for:
- every package of the knowledge base (dockerlint_py/knowledge/native_packages.toml), and
- the pure-Python candidates listed in scripts/pure_candidates.txt (common distributions, the
  packages installed on musl stages of the corpus, and the resolved framework closures).

For each knowledge-base package it writes one line: every final, non-yanked release with its
Requires-Python, sdist flag and bit masks of the targets that have a matching wheel
(CPython 2.7, 3.5-3.15 x x86_64/aarch64 x musllinux/manylinux binary, and pure wheels per
CPython), computed with packaging.tags exactly as pip matches tags (abi3 included). A candidate
is written to pure_packages.txt when none of its releases has a platform-specific wheel and its
newest release has a pure wheel. Candidates that do have binary wheels are printed for review
(add them to native_packages.toml with their build facts, then rerun).

    python scripts/refresh_wheel_facts.py            # rewrite both files
    python scripts/refresh_wheel_facts.py numpy      # print one package's decoded facts
"""

from __future__ import annotations

import concurrent.futures
import datetime
import json
import os
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from dockerlint_py.knowledge import load_toml  # noqa: E402
from dockerlint_py.knowledge.wheels import PYTHONS, encode_release, facts_from_files  # noqa: E402

KDIR = os.path.join(ROOT, "dockerlint_py", "knowledge")
INDEX = os.environ.get("DOCKERLINT_INDEX", "https://pypi.org/simple").rstrip("/")


def fetch(name: str) -> dict:
    req = urllib.request.Request(f"{INDEX}/{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json", "User-Agent": "dockerlint-py-refresh"})
    with urllib.request.urlopen(req, timeout=120) as resp:  # noqa: S310 - maintainer tool, explicit URL
        return json.load(resp)


def kb_names() -> list:
    data = load_toml("native_packages.toml")
    names = []
    for entry in data.get("package", ()):
        names.extend(entry["names"])
    return sorted(set(names))


def candidates() -> list:
    path = os.path.join(HERE, "pure_candidates.txt")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as fh:
        return sorted({ln.strip() for ln in fh if ln.strip() and not ln.startswith("#")})


def get_facts(name: str):
    return facts_from_files(name, fetch(name).get("files", []))


def main(argv) -> int:
    if argv:
        for name in argv:
            f = get_facts(name)
            for r in f.releases:
                print(encode_release(r))
        return 0
    kb = kb_names()
    extra = [n for n in candidates() if n not in set(kb)]
    results = {}
    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
        futs = {pool.submit(get_facts, n): n for n in kb + extra}
        for fut in concurrent.futures.as_completed(futs):
            n = futs[fut]
            try:
                results[n] = fut.result()
            except Exception as exc:  # noqa: BLE001 - report and go on
                failed.append((n, repr(exc)))
    today = datetime.date.today().isoformat()
    lines = [
        "# dockerlint-py wheel facts: one line per package, releases oldest first",
        f"# reviewed: {today}",
        f"# source: PEP 691 JSON file listings of {INDEX} (scripts/refresh_wheel_facts.py)",
        "# method: packaging.tags cpython_tags + compatible_tags per target; abi3 included; yanked and pre-releases skipped",
        f"# pythons: {' '.join(PYTHONS)} (bit index = python index * 2 + arch, arch 0 = x86_64, 1 = aarch64)",
        "# format: name<TAB>release release ...; release = version|requires-python|s(sdist)|musl mask|manylinux mask|pure mask (hex)",
    ]
    for n in kb:
        f = results.get(n)
        if f is None or not f.releases:
            continue
        lines.append(n + "\t" + " ".join(encode_release(r) for r in f.releases))
    with open(os.path.join(KDIR, "wheel_facts.txt"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(lines) + "\n")
    pure, review = [], []
    for n in extra:
        f = results.get(n)
        if f is None or not f.releases:
            continue
        if any(r.any_binary for r in f.releases):
            review.append(n)
        elif f.releases[-1].pure:
            pure.append(n)
    with open(os.path.join(KDIR, "pure_packages.txt"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(f"# Distributions with no compiled code: no release has a platform-specific wheel and the newest\n"
                 f"# has a pure wheel. reviewed: {today}; source: {INDEX} (scripts/refresh_wheel_facts.py)\n")
        fh.write("\n".join(sorted(pure)) + "\n")
    print(f"{len(kb)} knowledge-base packages, {len(pure)} pure, {len(failed)} failed", file=sys.stderr)
    for n, e in failed:
        print(f"failed: {n}: {e}", file=sys.stderr)
    if review:
        print("binary wheels but not in native_packages.toml (review): " + " ".join(sorted(review)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
