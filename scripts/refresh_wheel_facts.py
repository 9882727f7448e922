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


_COMPILED_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".pyx", ".rs", ".f", ".f90", ".m", ".swg", ".i")
_MAX_SDIST = 30 * 1024 * 1024


def sdist_verdict(name: str, version: str) -> str:
    """Read the sdist of ``name`` ``version``: "pure" when it carries no compiled sources and its
    setup script declares no extension modules, "compiled" otherwise, "unknown" when unreadable."""
    import io
    import tarfile
    import zipfile

    files = [f for f in fetch(name).get("files", []) if not f["filename"].endswith(".whl") and f"-{version}." in f["filename"]]
    if not files:
        return "unknown"
    f = files[0]
    if f.get("size") and f["size"] > _MAX_SDIST:
        return "unknown"
    with urllib.request.urlopen(f["url"], timeout=120) as resp:  # noqa: S310 - maintainer tool
        raw = resp.read(_MAX_SDIST + 1)
    names, setup = [], ""
    try:
        if f["filename"].endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(raw)) as z:
                names = z.namelist()
                for n in names:
                    if n.count("/") <= 1 and n.endswith(("setup.py", "pyproject.toml")):
                        setup += z.read(n).decode("utf-8", "replace")
        else:
            with tarfile.open(fileobj=io.BytesIO(raw)) as t:
                for m in t.getmembers():
                    names.append(m.name)
                    if m.isfile() and m.name.count("/") <= 1 and m.name.endswith(("setup.py", "pyproject.toml")):
                        setup += t.extractfile(m).read().decode("utf-8", "replace")
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError):
        return "unknown"
    if any(n.lower().endswith(_COMPILED_SUFFIXES) for n in names):
        return "compiled"
    if any(w in setup for w in ("Extension(", "ext_modules", "cffi_modules", "rust_extensions", "build-backend = \"maturin\"", "scikit_build", "mesonpy")):
        return "compiled"
    return "pure"


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
    pure, review, sdist_only = [], [], []
    for n in extra:
        f = results.get(n)
        if f is None or not f.releases:
            continue
        if any(r.any_binary for r in f.releases):
            review.append(n)
        elif f.releases[-1].pure:
            pure.append(n)
        elif f.releases[-1].sdist:
            sdist_only.append((n, f.releases[-1].version))
    # sdist-only candidates: read the newest sdist (no compiled sources, no extension modules)
    read_pure = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        futs = {pool.submit(sdist_verdict, n, v): n for n, v in sdist_only}
        for fut in concurrent.futures.as_completed(futs):
            n = futs[fut]
            try:
                verdict = fut.result()
            except Exception:  # noqa: BLE001
                verdict = "unknown"
            if verdict == "pure":
                read_pure.append(n)
            elif verdict == "compiled":
                review.append(n)
    with open(os.path.join(KDIR, "pure_packages.txt"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(f"# Distributions with no compiled code: no release has a platform-specific wheel and the newest\n"
                 f"# has a pure wheel. reviewed: {today}; source: {INDEX} (scripts/refresh_wheel_facts.py)\n")
        fh.write("\n".join(sorted(pure)) + "\n")
        fh.write("# Publishing sdists only; the newest sdist was read: no C/C++/Cython/Rust/Fortran sources and no\n"
                 "# extension modules in its setup script (older releases are assumed alike).\n")
        fh.write("\n".join(sorted(read_pure)) + "\n")
    print(f"{len(kb)} knowledge-base packages, {len(pure)} pure, {len(read_pure)} pure by sdist reading, {len(failed)} failed", file=sys.stderr)
    for n, e in failed:
        print(f"failed: {n}: {e}", file=sys.stderr)
    if review:
        print("binary wheels but not in native_packages.toml (review): " + " ".join(sorted(review)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
