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


def pip_says(name: str, version: str, python: str, arch: str, download: bool) -> str:
    nodot = python.replace(".", "")
    abis = [f"cp{nodot}"] + ([f"cp{nodot}m"] if python in ("3.5", "3.6", "3.7") else []) + (["cp27mu", "cp27m"] if python == "2.7" else [])
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip"]
        cmd += ["download", "-d", tmp] if download else ["install", "--dry-run", "--ignore-installed", "--target", tmp]
        cmd += ["--no-deps", "--only-binary=:all:", "--ignore-requires-python", "--disable-pip-version-check", "-q", "--python-version", python, "--implementation", "cp"]
        for a in abis:
            cmd += ["--abi", a]
        for n in (2, 1, 0):
            cmd += ["--platform", f"musllinux_1_{n}_{arch}"]
        cmd.append(f"{name}=={version}")
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
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
    args = ap.parse_args()
    arches = ("x86_64", "aarch64") if args.arch == "both" else (args.arch,)
    pythons = tuple(args.python or ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"))
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


if __name__ == "__main__":
    sys.exit(main())
