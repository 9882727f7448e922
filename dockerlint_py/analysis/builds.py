"""Where compiled Python packages meet the image: source builds, wheels, runtime libraries.

Combines the install plan with the native-package knowledge. For every package an install
command puts into a stage it decides, with proof from the bundled data or not at all, whether pip
will find a wheel or compile the sdist (or fail), and what the build and the result need from the
OS. Rules DKL201-DKL206 read these records; they never parse text. The records hold facts and
cause codes; the words of the findings are the rules' (``rules/musl.py``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, List, Optional, Sequence, Set, Tuple

from .._record import Record
from .ospkg import os_packages

if TYPE_CHECKING:
    from ..knowledge.native import NativePackage
    from .plan import Install, PlannedPackage, StagePlan
    from ..model.resolve import DockerfileModel, Stage

__all__ = ["SourceBuild", "source_builds", "is_musl", "glibc_equivalent", "missing_build_deps", "option_names", "build_deps", "build_time_packages"]


class SourceBuild(Record):
    stage_plan: StagePlan
    install: Install
    package: PlannedPackage
    native: NativePackage
    cause: str  # "musl-no-wheel" | "no-linux-wheels" | "no-binary" | "glibc-no-wheel" | "lock-sdist-only"
    wheel_reason: str  # why no wheel matches, from the wheel facts ("" when the cause says it all)
    fails: bool  # pip fails instead of compiling (no sdist, or --only-binary)
    fail_cause: str  # "" | "no-sdist" | "only-binary" (pip stops) | "lock-no-sdist" | "sdist-forbidden"
    first_ok: Optional[str]  # first version with a wheel for this target, when known
    target: Optional["StageTarget"] = None
    glibc_ok: Optional[bool] = None  # the release has a manylinux wheel for this Python/machine
    source: str = "bundled"  # wheel facts: "bundled" or "live" (--online)
    picked: Optional[str] = None  # the release pip picks
    old_pip: bool = False  # a musllinux wheel exists, but the stage's pip ignores it
    musl: bool = False  # the stage is musl-based


def is_musl(stage: Stage) -> Optional[bool]:
    """True on musl, False on glibc, None when unknown. An image the knowledge base does not know
    is musl when its name or tag says alpine, or when the stage (or a stage it is built FROM)
    runs ``apk`` -- except Wolfi/Chainguard images, which use apk with glibc."""
    facts = stage.facts
    if facts is not None and facts.libc is not None:
        return facts.libc == "musl"
    return inferred_libc(stage)


_GLIBC_APK = ("wolfi", "chainguard", "cgr.dev/")


def inferred_libc(stage: Stage) -> Optional[bool]:
    ref = stage.image
    if ref is None or stage.root.unresolved:
        return None
    repo = ref.repository.lower()
    if any(w in repo for w in _GLIBC_APK):
        return False if _runs_apk(stage) or "wolfi" in repo or "chainguard" in repo else None
    words = set(re.split(r"[-_.:/]+", f"{repo}:{ref.tag or ''}".lower()))
    if "alpine" in words or any(re.fullmatch(r"alpine\d+(?:\.\d+)*", w) for w in words):
        return True
    if _runs_apk(stage):
        return True
    return None


def _runs_apk(stage: Stage) -> bool:
    for st in [stage] + list(stage.ancestors):
        for ins in st.instructions:
            if ins.keyword == "RUN" and any(c.tool == "apk" for c in st.commands(ins)):
                return True
    return False


def _alpine_release(stage: Stage) -> Optional[str]:
    """The Alpine release of a musl stage, from the facts or a tag such as ``alpine:3.21.7``,
    ``python:3.8-alpine3.12``; None when unknown."""
    facts = stage.facts
    if facts is not None and facts.distro == "alpine":
        if facts.release:
            return facts.release
        ref = stage.image
        if ref is not None and ref.repository == "alpine":
            tag = ref.tag or "latest"
            if tag == "edge":
                return "edge"
            m = re.match(r"^(\d+\.\d+)", tag)
            return m.group(1) if m else None
        return None
    ref = stage.image
    if ref is None:
        return None
    if ref.name == "alpine" and ref.tag:
        m = re.match(r"^(\d+\.\d+)", ref.tag)
        if m:
            return m.group(1)
    m = re.search(r"alpine(\d+\.\d+)", ref.tag or "")
    return m.group(1) if m else None


class StageTarget(Record):
    """Where pip runs for one install: candidate CPython versions (one when known), the machine,
    and whether that pip reads musllinux tags (None: unknown)."""

    pythons: Tuple[str, ...]
    arch: str
    musl_tags: Optional[bool]
    python_from: str  # "tag" | "floating tag" | "alpine" (its python3) | "distro" | "" (unknown)
    pip_cause: str  # why pip ignores musllinux wheels: "" | "alpine-pip" | "python-too-old" | "old-pip"
    implementation: str = "cpython"
    alpine: Optional[str] = None  # the Alpine release whose python3 runs pip


_DISTRO_PY2 = frozenset({"python", "python2", "py-pip", "py2-pip", "python2-dev", "python-dev"})
_DISTRO_PY3 = frozenset({"python3", "py3-pip", "python3-dev"})


def _distro_pythons(stage: Stage, inst: Optional[Install]) -> Tuple[bool, bool]:
    """(python2, python3) installed from the distro before ``inst`` (or anywhere when None)."""
    pk = os_packages(stage)
    names = pk.installed_at(inst.instruction.index, _cmd_index(stage, inst)) if inst is not None else pk.explicit_at_end()
    py2 = any(n in _DISTRO_PY2 for n in names)
    py3 = any(n in _DISTRO_PY3 or re.fullmatch(r"python3\.\d+", n) for n in names)
    return py2, py3


def _pip_upgrade_before(sp: StagePlan, inst: Optional[Install]) -> Optional[str]:
    """The pip version an earlier `pip install -U pip` (or `pip==X`, get-pip.py) leaves in the
    stage: "newest", an exact version, or None when pip is never upgraded."""
    found: Optional[str] = None
    before = list(sp.inherited) + [i for i in sp.installs if inst is None or (i.instruction.index, i.line, i.column) < (inst.instruction.index, inst.line, inst.column)]
    for i in before:
        for p in i.packages:
            if p.name == "pip" and p.direct:
                found = p.version or "newest"
    stage = sp.stage
    for st in list(stage.ancestors) + [stage]:
        for ins in st.instructions:
            if ins.keyword != "RUN" or (st is stage and inst is not None and ins.index > inst.instruction.index):
                continue
            if "get-pip.py" in ins.args_text:
                found = "newest"
    return found


def _newest_pip_reads_musl(python: str) -> bool:
    """The newest pip that runs on this CPython: 20.3.4 on 2.7 and 3.5, 21.3.1 on 3.6, newer above."""
    return tuple(int(x) for x in python.split(".")[:2] if x.isdigit()) >= (3, 6)


def _version_at_least(v: str, floor: Tuple[int, ...]) -> bool:
    try:
        return tuple(int(x) for x in v.split(".")[:len(floor)]) >= floor
    except ValueError:
        return True


def stage_target(sp: StagePlan, inst: Optional[Install] = None) -> StageTarget:
    """The CPython(s), machine and pip of a stage at an install command."""
    from ..knowledge import alpine_python, official_python_pip_musl

    arch = sp.machine
    stage = sp.stage
    facts = stage.facts
    musl = is_musl(stage)
    pythons: Tuple[str, ...] = ()
    python_from = ""
    alpine: Optional[str] = None
    musl_tags: Optional[bool] = None
    pip_cause = ""
    if sp.implementation != "cpython":
        return StageTarget((), arch, None, "", "", sp.implementation)
    py2 = py3 = False
    if sp.python and sp.python_source != "distro":
        pythons = (sp.python,)
        python_from = "floating tag" if sp.python_source == "floating tag" else "tag"
        if facts is not None and facts.family == "python":
            musl_tags = official_python_pip_musl(sp.python)
    elif musl:
        py2, py3 = _distro_pythons(stage, inst)
        alp = alpine_python(_alpine_release(stage)) if (facts is not None and facts.distro == "alpine") or _alpine_release(stage) else None
        if py3 and not py2:
            if alp is not None:
                pythons = alp.python3
                musl_tags = alp.pip_musl
                python_from, alpine = "alpine", alp.release
                if not alp.pip_musl:
                    pip_cause = "alpine-pip"
            elif sp.python:
                pythons = (sp.python,)
                python_from = "distro"
        elif py2 and not py3:
            if alp is None or alp.python2:
                pythons = ("2.7",)
                python_from = "distro"
        elif sp.python:
            pythons = (sp.python,)
            python_from = "distro"
    elif sp.python:
        pythons = (sp.python,)
        python_from = "tag"
    up = _pip_upgrade_before(sp, inst)
    if up is not None and pythons:
        if up == "newest":
            ok = {_newest_pip_reads_musl(p) for p in pythons}
            musl_tags = ok.pop() if len(ok) == 1 else None
        else:
            musl_tags = _version_at_least(up, (21, 2))
        pip_cause = "" if musl_tags else pip_cause
    if pythons and all(not _newest_pip_reads_musl(p) for p in pythons):
        musl_tags = False  # no pip that runs on CPython 2.7 / 3.5 reads musllinux tags
        pip_cause = "python-too-old"
    elif musl_tags is False and not pip_cause:
        pip_cause = "old-pip"
    return StageTarget(pythons, arch, musl_tags, python_from, pip_cause, "cpython", alpine)


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


def glibc_equivalent(stage: Stage, python: Optional[str] = None) -> Optional[str]:
    """The glibc image to suggest instead of a musl base: ``python:3.12-alpine`` ->
    ``python:3.12-slim``; a floating ``python:3-alpine`` -> ``python:<minor>-slim`` (a tag pinned to
    a minor, which DKL103 accepts); ``alpine`` with a known distro Python -> ``python:<minor>-slim``."""
    ref = stage.image
    if ref is None:
        return None
    tag = ref.tag or "latest"
    minor = ".".join((python or "").split(".")[:2]) if python and python.count(".") >= 1 else None
    if ref.repository == "python":
        m = re.match(r"^(.*?)-?alpine[\d.]*$", tag)
        if not m:
            return None
        head = m.group(1)
        if head and head.count(".") >= 1:
            return f"python:{head}-slim"
        return f"python:{minor}-slim" if minor else None
    if minor and is_musl(stage):
        return f"python:{minor}-slim"
    return None


def _cmd_index(stage: Stage, install: Install) -> int:
    cmds = stage.commands(install.instruction)
    for i, c in enumerate(cmds):
        if c is install.command or c == install.command:
            return i
    return 0


def install_mode(inst: Install, name: str) -> str:
    """pip's binary policy for ``name`` in this install: default, prefer-binary or only-binary."""
    only_binary = option_names(inst.options.get("only-binary", ()))
    if ":all:" in only_binary or name in only_binary:
        return "only-binary"
    if "prefer-binary" in inst.options:
        return "prefer-binary"
    return "default"


_ALL_PYTHONS = ("2.7", "3.5", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15")


def _build_of(sp: StagePlan, inst: Install, pkg: PlannedPackage, musl: bool) -> Optional[SourceBuild]:
    from ..knowledge.native import Target, native_package, verdict, wheel_from_files

    if pkg.prebuilt or not pkg.name:
        return None
    native = native_package(pkg.name)
    if native is None or native.compiled != "required":
        return None
    no_binary = option_names(inst.options.get("no-binary", ()))
    mode = install_mode(inst, pkg.name)
    only = mode == "only-binary"
    tgt = stage_target(sp, inst)
    py = tgt.pythons[0] if len(tgt.pythons) == 1 else None
    arch = sp.machine
    if ":all:" in no_binary or pkg.name in no_binary:
        if not only:
            return SourceBuild(sp, inst, pkg, native, "no-binary", "", False, "", None, tgt, musl=musl)
    if pkg.files:
        fv = wheel_from_files(pkg.files, py, arch, "musl" if musl else "glibc")
        if fv in ("sdist", "none"):
            fails = fv == "none" or only
            return SourceBuild(sp, inst, pkg, native, "lock-sdist-only", "", fails, "lock-no-sdist" if fv == "none" else "sdist-forbidden", None, tgt, musl=musl)
        if fv == "yes":
            if not (musl and tgt.musl_tags is False):
                return None
            return SourceBuild(sp, inst, pkg, native, "musl-no-wheel", "", only, "", None, tgt, None, "bundled", pkg.version, True, musl)
    if not tgt.pythons:
        if not musl:
            return _glibc_fallback(sp, inst, pkg, native, only, tgt)
        tgt = tgt._replace(pythons=_ALL_PYTHONS)
    target = Target(tgt.pythons, arch, tgt.musl_tags if musl else True, "musl" if musl else "glibc")
    v = verdict(pkg.name, pkg.version, target, pkg.specifier if not pkg.version else "", mode)
    if v.status != "no":
        if not musl and v.status == "unknown":
            return _glibc_fallback(sp, inst, pkg, native, only, tgt)
        return None
    if not musl and native.linux_wheels is False:
        return SourceBuild(sp, inst, pkg, native, "no-linux-wheels", "", only, "sdist-forbidden" if only else "", None, tgt, False, v.source, v.picked, musl=musl)
    fails = v.no_sdist or only or v.kind == "none"
    why = "no-sdist" if v.no_sdist else "only-binary" if fails else ""
    return SourceBuild(sp, inst, pkg, native, "musl-no-wheel" if musl else "glibc-no-wheel", v.reason, fails, why, v.first_ok, tgt, v.glibc_ok, v.source, v.picked, v.old_pip, musl)


def _glibc_fallback(sp: StagePlan, inst: Install, pkg: PlannedPackage, native: NativePackage, only: bool, tgt: StageTarget) -> Optional[SourceBuild]:
    if not native.linux_wheels:
        return SourceBuild(sp, inst, pkg, native, "no-linux-wheels", "", only, "sdist-forbidden" if only else "", None, tgt, False)
    return None


def source_builds(model: DockerfileModel) -> List[SourceBuild]:
    """Every (install command, package) that compiles from source or fails for lack of a wheel
    (cached by the model: :meth:`~dockerlint_py.model.resolve.DockerfileModel.source_builds`)."""
    return model.source_builds()


def find_source_builds(model: DockerfileModel) -> List[SourceBuild]:
    """Every (install command, package) that compiles from source or fails for lack of a wheel."""
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
                if pkg.name and _from_distro(sp, inst, pkg.name):
                    continue  # `apk add py3-lxml`/`apt-get install python3-lxml` earlier: pip is satisfied
                b = _build_of(sp, inst, pkg, musl)
                if b is not None:
                    out.append(b)
            if inst.tool != "pip wheel":
                present.extend((inst.instruction.index, inst.location, p.name) for p in inst.packages)
    return out


def _from_distro(sp: StagePlan, inst: Install, name: str) -> bool:
    """Has the distribution's package manager installed this Python package before ``inst``
    (``py3-<name>``, ``py-<name>``, ``py2-<name>`` on Alpine; ``python3-<name>`` on Debian)?"""
    st = sp.stage
    cmds = st.commands(inst.instruction)
    ci = next((i for i, c in enumerate(cmds) if c is inst.command), len(cmds))
    have = st.os_packages().installed_at(inst.instruction.index, ci)
    if not have:
        return False
    n = name.lower()
    stems = {n, n.replace("_", "-")}
    if n.startswith("py") and len(n) > 3:
        stems.add(n[2:])  # pycrypto -> py-crypto, pyyaml -> py3-yaml
    return any(f"{prefix}{stem}" in have for stem in stems for prefix in ("py3-", "py-", "py2-", "python3-", "python-"))


def _present_before(sp: StagePlan) -> List[Tuple[int, str, str]]:
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


def _already_there(present: List[Tuple[int, str, str]], inst: Install, name: str) -> bool:
    loc = inst.location
    for idx, where, n in present:
        if n != name or idx >= inst.instruction.index:
            continue
        if where == loc or loc.startswith(where.rstrip("/") + "/") or where.startswith(loc.rstrip("/") + "/"):
            return True
        if loc == "system" and where in ("/usr/local", "/usr", "/"):
            return True
    return False


class MissingDeps(Record):
    manager: str  # "apk" | "apt"
    missing: Tuple[str, ...]  # package names to install
    needs: Tuple[str, ...]  # what they provide: toolchains ("c", "rust"...), "python-headers", or the package name


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
    needs: List[str] = []
    for kind in build.native.toolchain:
        if facts.compiler and kind in ("c", "c++"):
            continue
        if not _dep_applies(build, kind):
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
        needs.append(kind)
    deps = build_deps(build, pm)
    if not facts.compiler or facts.packages:  # a compiler image without a package list: unknown
        for d in deps:
            if not provided(pm, d, installed) and d not in missing:
                missing.append(d)
                needs.append(d)
    if sp.python_source == "distro":
        dev = "python3-dev"
        if not provided(pm, dev, installed):
            missing.append(dev)
            needs.append("python-headers")
    if not missing:
        return None
    return MissingDeps(pm, tuple(missing), tuple(needs))


def build_deps(build: SourceBuild, pm: str) -> Tuple[str, ...]:
    """The package's system build dependencies that apply to the version being built."""
    deps = build.native.apk if pm == "apk" else build.native.apt
    since = dict(build.native.since)
    if not since:
        return tuple(deps)
    from packaging.version import InvalidVersion, Version

    out = []
    version = build.package.version or build.picked
    for d in deps:
        if d not in since:
            out.append(d)
            continue
        if version is None:
            if build.stage_plan.python:  # newest release on a known Python
                out.append(d)
            continue
        try:
            if Version(version) >= Version(since[d]):
                out.append(d)
        except InvalidVersion:
            pass
    return tuple(out)


def _dep_applies(build: SourceBuild, dep: str) -> bool:
    """A toolchain or dependency with a ``since`` version applies to the release being built."""
    since = dict(build.native.since)
    if dep not in since:
        return True
    version = build.package.version or build.picked
    if version is None:
        return bool(build.stage_plan.python)
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version) >= Version(since[dep])
    except InvalidVersion:
        return True


def build_time_packages(build: SourceBuild) -> Optional[Set[str]]:
    """OS packages installed when the build runs (with the base image's), or None if unknown."""
    stage = build.stage_plan.stage
    facts = stage.facts
    if facts is None or facts.pkg not in ("apk", "apt"):
        return None
    inst = build.install
    return set(os_packages(stage).installed_at(inst.instruction.index, _cmd_index(stage, inst))) | set(facts.packages or ())


def _rustup_before(stage: Stage, inst: Install) -> bool:
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
