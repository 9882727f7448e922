"""Where compiled Python packages meet the image: source builds, wheels, runtime libraries.

Combines the install plan with the native-package knowledge. For every package an install
command puts into a stage it decides, with proof from the bundled data or not at all, whether pip
will find a wheel or compile the sdist (or fail), and what the build and the result need from the
OS. Rules DKL201-DKL206 read these records; they never parse text.
"""

from __future__ import annotations

import re
from typing import List, NamedTuple, Optional, Sequence, Set, Tuple

from .ospkg import os_packages

__all__ = ["SourceBuild", "source_builds", "is_musl", "glibc_equivalent", "missing_build_deps", "option_names", "build_deps", "build_time_packages"]


class SourceBuild(NamedTuple):
    stage_plan: object  # StagePlan
    install: object  # Install
    package: object  # PlannedPackage
    native: object  # NativePackage
    cause: str  # "musl-no-wheel" | "no-linux-wheels" | "no-binary" | "glibc-no-wheel" | "lock-sdist-only"
    reason: str  # why no wheel matches (human-readable)
    fails: bool  # pip fails instead of compiling (no sdist, or --only-binary)
    fail_reason: str
    first_ok: Optional[str]  # first version with a wheel for this target, when known


def is_musl(stage) -> Optional[bool]:
    facts = stage.facts
    if facts is None or facts.libc is None:
        return None
    return facts.libc == "musl"


def option_names(values: Sequence[str]) -> Set[str]:
    """Values of --only-binary/--no-binary: package names, ``:all:`` or ``:none:``."""
    out: Set[str] = set()
    for v in values:
        for part in v.split(","):
            part = part.strip()
            if part == ":none:":
                out.clear()
            elif part:
                out.add(part if part.startswith(":") else re.sub(r"[-_.]+", "-", part).lower())
    return out


def glibc_equivalent(stage) -> Optional[str]:
    """The glibc image to suggest instead of a musl base (``python:3.12-alpine`` -> ``python:3.12-slim``)."""
    ref = stage.image
    if ref is None:
        return None
    tag = ref.tag or "latest"
    if ref.repository == "python":
        m = re.match(r"^(.*?)-?alpine[\d.]*$", tag)
        if m:
            head = m.group(1)
            return f"python:{head}-slim" if head else "python:slim"
        return None
    if ref.repository == "alpine":
        return "python:3.12-slim (or debian:bookworm-slim)"
    return None


def _cmd_index(stage, install) -> int:
    cmds = stage.commands(install.instruction)
    for i, c in enumerate(cmds):
        if c is install.command or c == install.command:
            return i
    return 0


def _build_of(sp, inst, pkg, musl: bool) -> Optional[SourceBuild]:
    from ..knowledge.native import musl_wheel, native_package, wheel_from_files, wheel_row

    if pkg.prebuilt or not pkg.name:
        return None
    native = native_package(pkg.name)
    if native is None or native.compiled != "required":
        return None
    only_binary = option_names(inst.options.get("only-binary", ()))
    no_binary = option_names(inst.options.get("no-binary", ()))
    only = ":all:" in only_binary or pkg.name in only_binary
    py = sp.python if sp.implementation == "cpython" else None
    arch = sp.machine
    if ":all:" in no_binary or pkg.name in no_binary:
        if not only:
            return SourceBuild(sp, inst, pkg, native, "no-binary", "`--no-binary` forbids wheels for it", False, "", None)
    if pkg.files:
        verdict = wheel_from_files(pkg.files, py, arch, "musl" if musl else "glibc")
        if verdict in ("sdist", "none"):
            libc = "musllinux" if musl else "manylinux"
            reason = f"the lock lists no {libc} wheel of {pkg.version} for cp{(py or '').replace('.', '')} {arch}"
            fails = verdict == "none" or only
            return SourceBuild(sp, inst, pkg, native, "lock-sdist-only", reason, fails, "the lock has no sdist either" if verdict == "none" else "`--only-binary` forbids the sdist", None)
        if verdict == "yes":
            return None
    if musl:
        v = musl_wheel(pkg.name, pkg.version, py, arch)
        if v.status != "no":
            return None
        if pkg.version is None and v.newest_with_wheel and "prefer-binary" in inst.options:
            return None  # --prefer-binary picks the older release that has a wheel
        fails = v.no_sdist or only
        why = "it has no sdist either: pip stops with \"No matching distribution found\"" if v.no_sdist else "`--only-binary` forbids the sdist: pip stops with \"No matching distribution found\""
        return SourceBuild(sp, inst, pkg, native, "musl-no-wheel", v.reason, fails, why if fails else "", v.first_ok)
    # glibc
    if not native.linux_wheels:
        fails = only
        return SourceBuild(sp, inst, pkg, native, "no-linux-wheels", "it publishes no Linux wheels (sdist only)", fails, "`--only-binary` forbids the sdist" if fails else "", None)
    if pkg.name == "cx-oracle" and py and tuple(int(x) for x in py.split(".")[:2]) >= (3, 11):
        return SourceBuild(sp, inst, pkg, native, "glibc-no-wheel", "its last release has Linux wheels only up to CPython 3.10", only, "`--only-binary` forbids the sdist" if only else "", None)
    row = wheel_row(pkg.name)
    if row is not None and pkg.version is None and py and ".".join(py.split(".")[:2]) == "3.12":
        have = row.latest_glibc.get(("3.12", arch))
        if have is False and not row.pure:
            return SourceBuild(sp, inst, pkg, native, "glibc-no-wheel", f"its newest release, {row.latest}, has no manylinux wheel for cp312 {arch}", only or not row.sdist, "", None)
    return None


def source_builds(model) -> List[SourceBuild]:
    """Every (install command, package) that compiles from source or fails for lack of a wheel."""
    cached = getattr(model, "_source_builds", None)
    if cached is not None:
        return cached
    out: List[SourceBuild] = []
    for sp in model.plan.stages:
        musl = is_musl(sp.stage)
        if musl is None:
            continue
        present = _present_before(sp)
        for inst in sp.installs:
            for pkg in inst.packages:
                if _already_there(present, inst, pkg.name):
                    continue  # pip finds it installed (copied in, or installed earlier): no build
                b = _build_of(sp, inst, pkg, musl)
                if b is not None:
                    out.append(b)
            if inst.tool != "pip wheel":
                present.extend((inst.instruction.index, inst.location, p.name) for p in inst.packages)
    model._source_builds = out
    return out


def _present_before(sp) -> List[Tuple[int, str, str]]:
    """(instruction index, location, name) of packages already in the stage's environments."""
    out: List[Tuple[int, str, str]] = []
    for inst in sp.inherited:
        if inst.tool != "pip wheel":
            out.extend((-1, inst.location, p.name) for p in inst.packages)
    for c in sp.copied:
        if c.wheels:
            continue
        idx = c.instruction.index if c.instruction in sp.stage.instructions else -1
        for i in c.installs:
            loc = i.location
            # the environment lands under the destination: /opt/venv -> /opt/venv, /install -> /usr/local
            where = c.dest if loc == "system" or not loc.startswith(c.source.rstrip("/") + "/") else c.dest.rstrip("/") + loc[len(c.source.rstrip("/")):]
            out.extend((idx, where, p.name) for p in i.packages)
    return out


def _already_there(present: List[Tuple[int, str, str]], inst, name: str) -> bool:
    loc = inst.location
    for idx, where, n in present:
        if n != name or idx >= inst.instruction.index:
            continue
        if where == loc or loc.startswith(where.rstrip("/") + "/") or where.startswith(loc.rstrip("/") + "/"):
            return True
        if loc == "system" and where in ("/usr/local", "/usr", "/"):
            return True
    return False


class MissingDeps(NamedTuple):
    manager: str  # "apk" | "apt"
    missing: Tuple[str, ...]  # package names to install
    what: Tuple[str, ...]  # human words: "a C compiler", "Rust (cargo)", "libpq headers"...


_TOOL_WORDS = {"c": "a C compiler and libc headers", "c++": "a C++ compiler", "rust": "Rust (cargo)", "fortran": "a Fortran compiler"}


def missing_build_deps(build: SourceBuild) -> Optional[MissingDeps]:
    """What the stage lacks, at the install command, to compile ``build``; None when unknown."""
    from ..knowledge.native import provided, toolchain

    sp = build.stage_plan
    stage = sp.stage
    facts = stage.facts
    if facts is None or facts.pkg not in ("apk", "apt") or facts.compiler is None:
        return None
    pm = facts.pkg
    inst = build.install
    installed = set(os_packages(stage).installed_at(inst.instruction.index, _cmd_index(stage, inst)))
    installed |= set(facts.packages or ())
    rustup = _rustup_before(stage, inst)
    missing: List[str] = []
    what: List[str] = []
    for kind in build.native.toolchain:
        if facts.compiler and kind in ("c", "c++"):
            continue
        if kind == "rust" and rustup:
            continue
        tc = toolchain(kind)
        options = tc.get(f"{pm}_satisfied_by", [])
        if any(all(provided(pm, n, installed) for n in alt) for alt in options):
            continue
        best = min(options, key=lambda alt: sum(not provided(pm, n, installed) for n in alt)) if options else tc.get(pm, [])
        need = [n for n in best if not provided(pm, n, installed)]
        if pm == "apk" and kind in ("c", "c++") and set(best) == {"build-base"}:
            need = ["build-base"]
        for n in need:
            if n not in missing:
                missing.append(n)
        what.append(_TOOL_WORDS.get(kind, kind))
    deps = build_deps(build, pm)
    if not facts.compiler or facts.packages:  # a compiler image without a package list: unknown
        for d in deps:
            if not provided(pm, d, installed) and d not in missing:
                missing.append(d)
                what.append(f"`{d}`")
    if sp.python_source == "distro":
        dev = "python3-dev"
        if not provided(pm, dev, installed):
            missing.append(dev)
            what.append("Python headers")
    if not missing:
        return None
    return MissingDeps(pm, tuple(missing), tuple(what))


def build_deps(build: SourceBuild, pm: str) -> Tuple[str, ...]:
    """The package's system build dependencies that apply to the version being built."""
    deps = build.native.apk if pm == "apk" else build.native.apt
    since = dict(build.native.since)
    if not since:
        return tuple(deps)
    from packaging.version import InvalidVersion, Version

    out = []
    for d in deps:
        if d not in since:
            out.append(d)
            continue
        if build.package.version is None:
            if build.stage_plan.python:  # newest release on a known Python
                out.append(d)
            continue
        try:
            if Version(build.package.version) >= Version(since[d]):
                out.append(d)
        except InvalidVersion:
            pass
    return tuple(out)


def build_time_packages(build: SourceBuild):
    """OS packages installed when the build runs (with the base image's), or None if unknown."""
    stage = build.stage_plan.stage
    facts = stage.facts
    if facts is None or facts.pkg not in ("apk", "apt"):
        return None
    inst = build.install
    return set(os_packages(stage).installed_at(inst.instruction.index, _cmd_index(stage, inst))) | set(facts.packages or ())


def _rustup_before(stage, inst) -> bool:
    for ins in stage.instructions:
        if ins.keyword != "RUN" or ins.index > inst.instruction.index:
            continue
        for cmd in stage.commands(ins):
            if ins.index == inst.instruction.index and cmd.line > inst.line:
                break
            text = " ".join(cmd.argv)
            if "rustup" in text or "sh.rustup.rs" in text:
                return True
    for anc in stage.ancestors:
        for ins in anc.instructions:
            if ins.keyword == "RUN" and any("rustup" in " ".join(c.argv) for c in anc.commands(ins)):
                return True
    return False
