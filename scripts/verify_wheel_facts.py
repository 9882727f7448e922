#!/usr/bin/env python3
"""Maintainer script: re-check a random sample of the bundled wheel facts against pip's resolver.

Needs network; run by hand, never by tests. For each sampled (package, release, CPython, arch)
it asks pip whether a wheel it would install on musl exists:

    pip install --dry-run --ignore-installed --no-deps --only-binary=:all: --target TMP \
        --platform musllinux_1_2_<arch> --platform musllinux_1_1_<arch> --platform musllinux_1_0_<arch> \
        --python-version X.Y --implementation cp --abi cpXY PKG==VER

(``--download`` uses ``pip download -d TMP`` instead, which fetches the wheel bodies), and
compares pip's answer with the bundled data's (a musllinux or a pure wheel = "yes"). Prints one
line per disagreement and the agreement rate.

    python scripts/verify_wheel_facts.py                # 120 samples, seed 17
    python scripts/verify_wheel_facts.py -n 300 --seed 3 --arch aarch64
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from dockerlint_py.knowledge import wheels as W  # noqa: E402

INDEX = os.environ.get("DOCKERLINT_INDEX", "https://pypi.org/simple").rstrip("/")


def pip_says(name: str, version: str, python: str, arch: str, download: bool) -> str:
    """"yes"/"no" for a pinned release; for version "" (``--unpinned``) the version pip picks
    among releases with a wheel for the target ("none" when there is none)."""
    nodot = python.replace(".", "")
    abis = [f"cp{nodot}"] + ([f"cp{nodot}m"] if python in ("3.5", "3.6", "3.7") else []) + (["cp27mu", "cp27m"] if python == "2.7" else [])
    with tempfile.TemporaryDirectory() as tmp:
        # --isolated + the index the data came from: no local mirror or find-links configuration
        cmd = [sys.executable, "-m", "pip", "--isolated"]
        cmd += ["download", "-d", tmp] if download else ["install", "--dry-run", "--ignore-installed", "--target", tmp]
        cmd += ["--index-url", INDEX]
        cmd += ["--no-deps", "--only-binary=:all:", "--ignore-requires-python", "--disable-pip-version-check", "-q", "--python-version", python, "--implementation", "cp"]
        for a in abis:
            cmd += ["--abi", a]
        for n in (2, 1, 0):
            cmd += ["--platform", f"musllinux_1_{n}_{arch}"]
        if not version:
            cmd = [c for c in cmd if c not in ("--ignore-requires-python", "-q")]
        cmd.append(f"{name}=={version}" if version else name)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if not version:
        import re

        m = re.search(r"Would install (\S+)", r.stdout)
        if r.returncode == 0 and m:
            return m.group(1).rsplit("-", 1)[-1]
        return "none" if ("No matching distribution" in r.stderr or "ResolutionImpossible" in r.stderr) else "error: " + (r.stderr.strip().splitlines() or ["?"])[-1][:120]
    if r.returncode == 0:
        return "yes"
    if "No matching distribution" in r.stderr or "Could not find a version" in r.stderr or "ResolutionImpossible" in r.stderr:
        return "no"
    return "error: " + (r.stderr.strip().splitlines() or ["?"])[-1][:120]


def sample(n: int, seed: int, arches, pythons):
    rng = random.Random(seed)
    names = sorted(W._index())
    out = []
    while len(out) < n:
        name = rng.choice(names)
        f = W.bundled_facts(name)
        if not f or not f.releases:
            continue
        # favour recent releases (what Dockerfiles install), but reach old ones too
        rel = f.releases[-1 - min(int(rng.expovariate(0.25)), len(f.releases) - 1)]
        py = rng.choice(pythons)
        if not W._python_ok(rel.requires_python, py):
            continue
        out.append((name, rel, py, rng.choice(arches)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=120)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--arch", choices=("x86_64", "aarch64", "both"), default="both")
    ap.add_argument("--python", action="append", help="CPython minors to sample (default 3.8-3.14)")
    ap.add_argument("--download", action="store_true", help="use `pip download` (fetches wheel bodies)")
    ap.add_argument("-j", type=int, default=8)
    ap.add_argument("--unpinned", action="store_true", help="check the release pip picks (Requires-Python) for unpinned installs with --only-binary=:all:")
    args = ap.parse_args()
    arches = ("x86_64", "aarch64") if args.arch == "both" else (args.arch,)
    pythons = tuple(args.python or ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"))
    if args.unpinned:
        return unpinned(args, arches, pythons)
    items = sample(args.n, args.seed, arches, pythons)
    agree = disagree = errors = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.j) as pool:
        futs = {pool.submit(pip_says, name, rel.version, py, arch, args.download): (name, rel, py, arch) for name, rel, py, arch in items}
        for fut in concurrent.futures.as_completed(futs):
            name, rel, py, arch = futs[fut]
            ours = "yes" if W.kind_for(rel, py, arch, "musl") in ("wheel", "pure") else "no"
            theirs = fut.result()
            if theirs.startswith("error"):
                errors += 1
                print(f"ERROR  {name}=={rel.version} cp{py} {arch}: {theirs}")
            elif theirs == ours:
                agree += 1
            else:
                disagree += 1
                print(f"DIFFER {name}=={rel.version} cp{py} {arch}: bundled {ours}, pip {theirs}")
    total = agree + disagree
    print(f"wheel data reviewed {W.data_meta().get('reviewed')}; sample n={len(items)} seed={args.seed}: "
          f"{agree}/{total} agree ({100.0 * agree / total if total else 0:.1f} %), {disagree} differ, {errors} errors")
    return 0 if disagree == 0 else 1


def unpinned(args, arches, pythons) -> int:
    """pip's pick for ``pip install --only-binary=:all: NAME`` against ``wheels.pick``. pip runs on
    this interpreter, so only CPython minors whose Requires-Python this interpreter also passes
    are meaningful; --python-version makes pip use the target's."""
    rng = random.Random(args.seed)
    names = sorted(W._index())
    items = [(rng.choice(names), rng.choice(pythons), rng.choice(arches)) for _ in range(args.n)]
    agree = disagree = errors = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.j) as pool:
        futs = {pool.submit(pip_says, n, "", py, arch, False): (n, py, arch) for n, py, arch in items}
        for fut in concurrent.futures.as_completed(futs):
            n, py, arch = futs[fut]
            p = W.pick(W.bundled_facts(n), py, arch, "musl", None, "", "only-binary")
            ours = p.release.version if p.status in ("wheel", "pure") and p.release else "none"
            theirs = fut.result()
            if theirs.startswith("error"):
                errors += 1
                print(f"ERROR  {n} cp{py} {arch}: {theirs}")
            elif W._same(theirs, ours) if theirs != "none" and ours != "none" else theirs == ours:
                agree += 1
            else:
                disagree += 1
                print(f"DIFFER {n} cp{py} {arch}: bundled picks {ours}, pip picks {theirs}")
    total = agree + disagree
    print(f"unpinned picks, wheel data reviewed {W.data_meta().get('reviewed')}; n={len(items)} seed={args.seed}: "
          f"{agree}/{total} agree ({100.0 * agree / total if total else 0:.1f} %), {disagree} differ, {errors} errors")
    return 0 if disagree == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
