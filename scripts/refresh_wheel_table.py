#!/usr/bin/env python3
"""Maintainer script: refresh dockerlint_py/knowledge/musl_wheels.csv from PyPI's file listings.

Never run by tests (tests use the bundled CSV); it needs network access. For every project in the
current table (or the names given), it fetches the PEP 691 JSON simple-index page, parses every
wheel file name with ``packaging.utils.parse_wheel_filename`` and computes the same columns the
shared knowledge base uses:

    pkg, latest, date, sdist, pure, m312x, m312a, m313x, m314x, m315x, g312x, g312a, mtag,
    first_musl, first_musl_date, prev_stable, last_musl, first_m312x, first_musl_arm

"latest" is the newest non-prerelease, non-yanked version; a wheel counts for cp3X/arch when one of
its tags is in ``packaging.tags.cpython_tags((3, X), ["cp3X"], [musllinux_1_{0,1,2}_<arch>])``
(abi3 wheels included). After running it, bump ``wheel_table_reviewed`` in native_packages.toml and
review the diff: a package that lost its musl wheels changes what DKL201 reports.

    python scripts/refresh_wheel_table.py                 # refresh every row, in place
    python scripts/refresh_wheel_table.py numpy duckdb    # print the rows for these projects
"""

from __future__ import annotations

import csv
import json
import os
import sys
import urllib.request
from typing import Dict, List, Optional

from packaging.tags import cpython_tags
from packaging.utils import InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "..", "dockerlint_py", "knowledge", "musl_wheels.csv")
INDEX = os.environ.get("DOCKERLINT_INDEX", "https://pypi.org/simple")
COLUMNS = ["pkg", "latest", "date", "sdist", "pure", "m312x", "m312a", "m313x", "m314x", "m315x", "g312x", "g312a", "mtag",
           "first_musl", "first_musl_date", "prev_stable", "last_musl", "first_m312x", "first_musl_arm"]


def fetch(name: str) -> dict:
    req = urllib.request.Request(f"{INDEX}/{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 - maintainer tool, explicit URL
        return json.load(resp)


def _musl_tags(minor: int, arch: str) -> set:
    plats = [f"musllinux_1_{n}_{arch}" for n in (2, 1, 0)]
    return set(cpython_tags((3, minor), [f"cp3{minor}"], plats))


def _glibc_tags(minor: int, arch: str) -> set:
    plats = [f"manylinux_2_{n}_{arch}" for n in range(17, 40)] + [f"manylinux2014_{arch}"]
    if arch == "x86_64":
        plats += ["manylinux2010_x86_64", "manylinux1_x86_64"] + [f"manylinux_2_{n}_x86_64" for n in range(5, 17)]
    return set(cpython_tags((3, minor), [f"cp3{minor}"], plats))


def row_for(name: str) -> Dict[str, str]:
    data = fetch(name)
    by_version: Dict[Version, List[dict]] = {}
    for f in data.get("files", []):
        fn = f["filename"]
        try:
            if fn.endswith(".whl"):
                _n, v, _b, tags = parse_wheel_filename(fn)
                kind = "wheel"
            else:
                _n, v = parse_sdist_filename(fn)
                tags = frozenset()
                kind = "sdist"
        except (InvalidWheelFilename, InvalidVersion, ValueError):
            continue
        by_version.setdefault(v, []).append({"kind": kind, "tags": tags, "yanked": bool(f.get("yanked")), "time": f.get("upload-time", "")})
    stable = sorted(v for v, fs in by_version.items() if not v.is_prerelease and not all(x["yanked"] for x in fs))
    if not stable:
        raise SystemExit(f"{name}: no stable release")
    latest = stable[-1]
    files = by_version[latest]

    def has(version: Version, tagset: set) -> bool:
        return any(x["kind"] == "wheel" and not x["yanked"] and (x["tags"] & tagset) for x in by_version[version])

    def any_musl(version: Version, arch: Optional[str] = None) -> bool:
        return any(x["kind"] == "wheel" and any(t.platform.startswith("musllinux") and (arch is None or t.platform.endswith(arch)) for t in x["tags"]) for x in by_version[version])

    musl_versions = [v for v in stable if any_musl(v)]
    first = musl_versions[0] if musl_versions else None
    prev = None
    if first is not None:
        i = stable.index(first)
        prev = stable[i - 1] if i else None
    row = {
        "pkg": name,
        "latest": str(latest),
        "date": min((x["time"] for x in files if x["time"]), default="")[:10],
        "sdist": str(any(x["kind"] == "sdist" for x in files)),
        "pure": str(any(x["kind"] == "wheel" and any(t.platform == "any" for t in x["tags"]) for x in files)),
        "m312x": str(has(latest, _musl_tags(12, "x86_64"))),
        "m312a": str(has(latest, _musl_tags(12, "aarch64"))),
        "m313x": str(has(latest, _musl_tags(13, "x86_64"))),
        "m314x": str(has(latest, _musl_tags(14, "x86_64"))),
        "m315x": str(has(latest, _musl_tags(15, "x86_64"))),
        "g312x": str(has(latest, _glibc_tags(12, "x86_64"))),
        "g312a": str(has(latest, _glibc_tags(12, "aarch64"))),
        "mtag": "/".join(sorted({t.platform.rsplit("_", 1)[0].replace("_x86", "") for x in files if x["kind"] == "wheel" for t in x["tags"] if t.platform.startswith("musllinux") and t.platform.endswith("x86_64")})),
        "first_musl": str(first) if first else "",
        "first_musl_date": min((x["time"] for x in by_version[first] if x["time"]), default="")[:10] if first else "",
        "prev_stable": str(prev) if prev else "",
        "last_musl": str(musl_versions[-1]) if musl_versions else "",
        "first_m312x": next((str(v) for v in stable if has(v, _musl_tags(12, "x86_64"))), ""),
        "first_musl_arm": next((str(v) for v in stable if any_musl(v, "aarch64")), ""),
    }
    return row


def main(argv: List[str]) -> None:
    if argv:
        w = csv.DictWriter(sys.stdout, COLUMNS)
        w.writeheader()
        for name in argv:
            w.writerow(row_for(name))
        return
    with open(TABLE, newline="", encoding="utf-8") as fh:
        names = [r["pkg"] for r in csv.DictReader(fh)]
    rows = [row_for(n) for n in names]
    with open(TABLE, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, COLUMNS)
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {TABLE}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
