"""DKL2xx: compiled Python packages against the image's libc, toolchain and runtime libraries.

A stage is *musl* when its resolved base image is known to use musl (``python:*-alpine*``,
``alpine``, ... directly, through ARGs, or through ``FROM <stage>``). Wheel availability comes
from the bundled PyPI data (``knowledge/musl_wheels.csv``) or, for locked packages, from the
file names the lock lists. A package the data does not know is never reported.
"""

from __future__ import annotations

from typing import Dict, Iterator, List, Optional, Set, Tuple

from ..findings import Hit, Related
from ._base import at_command, rule

__all__ = ["RULES"]


def _install_hit(inst, message: str, related=()) -> Hit:
    if inst.command is not None:
        return at_command(inst.command, message, tuple(related))
    ins = inst.instruction
    return Hit(ins.start_line, ins.start_column, ins.end_line, ins.end_column, message, tuple(related))


def _declared(pkg, dockerfile: str) -> Tuple[Related, ...]:
    o = pkg.origin
    if o.path == dockerfile:
        return ()
    what = f"`{pkg.name}` declared here" if pkg.direct else f"`{pkg.name}` comes in through `{(pkg.via or (pkg.req.name,))[0]}`, declared here"
    return (Related(o.path, o.line, o.column, what),)


def _version_words(pkg, picked: Optional[str] = None) -> str:
    if pkg.version:
        return pkg.version
    return f"{picked} (unpinned)" if picked else "(unpinned)"


# -- the words for the facts of model/builds.py (records hold cause codes) ----------------------


def python_label(tgt) -> str:
    """"CPython 3.12", "CPython 3.11/3.12 (Alpine 3.20)", "CPython 2.7 (distro)", "unknown CPython"."""
    if tgt.implementation != "cpython":
        return tgt.implementation
    if not tgt.python_from:
        return "unknown CPython"
    if tgt.python_from == "alpine":
        return f"CPython {'/'.join(tgt.pythons)} (Alpine {tgt.alpine})"
    note = {"floating tag": " (floating tag)", "distro": " (distro)"}.get(tgt.python_from, "")
    return f"CPython {tgt.pythons[0]}{note}"


def pip_label(tgt) -> str:
    """Why the stage's pip ignores musllinux wheels ("" when it reads them or it is unknown)."""
    if tgt.pip_cause == "alpine-pip":
        return f"Alpine {tgt.alpine}'s pip is older than 21.2"
    if tgt.pip_cause == "python-too-old":
        return "no pip for CPython " + "/".join(sorted({".".join(p.split(".")[:2]) for p in tgt.pythons})) + " reads musllinux wheels"
    if tgt.pip_cause == "old-pip":
        return "this pip is older than 21.2 and ignores musllinux wheels"
    return ""


def no_wheel_reason(build) -> str:
    """Why no wheel matches a :class:`~dockerlint_py.analysis.builds.SourceBuild`."""
    if build.cause == "no-binary":
        return "`--no-binary` forbids wheels for it"
    if build.cause == "no-linux-wheels":
        return "it publishes no Linux wheels (sdist only)"
    if build.cause == "lock-sdist-only":
        tgt = build.target
        py = tgt.pythons[0] if tgt is not None and len(tgt.pythons) == 1 else None
        libc = "musllinux" if build.musl else "manylinux"
        return f"the lock lists no {libc} wheel of {build.package.version} for cp{(py or '').replace('.', '')} {build.stage_plan.machine}"
    if build.cause == "musl-no-wheel" and not build.wheel_reason:
        return (pip_label(build.target) if build.target is not None else "") or "pip older than 21.2 ignores musllinux wheels"
    return build.wheel_reason


_FAIL_WORDS = {
    "no-sdist": "it has no sdist either: pip stops with \"No matching distribution found\"",
    "only-binary": "`--only-binary` forbids the sdist: pip stops with \"No matching distribution found\"",
    "lock-no-sdist": "the lock has no sdist either",
    "sdist-forbidden": "`--only-binary` forbids the sdist",
}


def fail_reason(build) -> str:
    """Why pip fails instead of compiling ("" when it compiles)."""
    return _FAIL_WORDS.get(build.fail_cause, "")


def _data_words(source: str) -> str:
    return "live index data" if source == "live" else "bundled wheel data"


def _reads_musl(python: str) -> bool:
    try:
        return tuple(int(x) for x in python.split(".")[:2]) >= (3, 6)
    except ValueError:
        return True


def _short_target(build) -> str:
    tgt = build.target
    sp = build.stage_plan
    label = python_label(tgt) if tgt is not None else f"CPython {sp.python or 'unknown'}"
    if label in ("CPython unknown", "unknown CPython"):
        label = "any CPython"
    return f"{label} {sp.machine}"


@rule(code="DKL201", name="musl-source-build", severity="error", tags=("musl", "alpine", "python", "build"), fixable=True, references=("https://peps.python.org/pep-0656/",))
def musl_source_build(model) -> Iterator[Hit]:
    """A compiled Python package has no musllinux wheel for this Alpine stage: pip compiles it or fails.

    ## What it does
    For every package an install command puts into a musl stage (direct, from a lock, through
    an extra such as `psycopg[c]`, or pulled in by a popular package), finds the release pip
    picks — the pin, the lock, or for a range the newest release whose Requires-Python admits
    the stage's CPython — and checks the bundled per-release wheel data for that CPython and
    machine (x86_64 or aarch64). Reports, once per install command, packages whose compiled code
    is required and that get no musllinux wheel: none exists for that target, or the stage's pip
    is older than 21.2 and ignores musllinux wheels (every pip on CPython 2.7 and 3.5, Alpine's
    own pip up to Alpine 3.15 unless `pip install --upgrade pip` runs first). The stage's
    Python comes from the image tag, `ENV PYTHON_VERSION`, or the Alpine release of
    `apk add python3` / `python2`; an image the knowledge base does not know is musl when its
    name or tag says alpine or the stage runs `apk` (Wolfi and Chainguard images excepted).
    Packages with a pure-Python fallback (PyYAML, MarkupSafe, aiohttp, SQLAlchemy...) are never
    reported; neither is a package the data does not know, unless `--online` finds it.

    ## Why is this bad?
    pip silently downloads the sdist and compiles it: minutes to half an hour per build, a
    compiler and `-dev` packages in the image, and builds that break when a header or Rust
    version is missing. Packages without an sdist (torch, tensorflow, onnxruntime) cannot be
    installed at all; with `--only-binary=:all:` pip fails instead of compiling.

    A package that never publishes Linux wheels (mysqlclient, uwsgi, pycrypto, M2Crypto)
    compiles on every base: that is not a musl problem and is not reported here (DKL203 checks
    that its build dependencies are installed), unless a binary twin with a musllinux wheel
    avoids the build (`psycopg2-binary`). A release with no wheel for that CPython on any
    Linux (a pin older than the Python) is reported as having no wheel at all.

    ## How to fix
    The message names only fixes that work for the target: a release that has a musllinux
    wheel for that CPython and machine, `--prefer-binary` when an older release has one, an
    upgraded pip when pip is the cause, a glibc base (`python:3.12-slim`) only when a
    manylinux wheel exists for the release, or a binary distribution (`psycopg2-binary`).
    `--fix --unsafe-fixes` replaces `psycopg2` by `psycopg2-binary` where it is declared
    (unsafe: the psycopg maintainers advise building from source for production). The message
    ends with where the wheel facts came from: bundled data (refreshed by
    `scripts/refresh_wheel_facts.py`), live index data (`--online`), or the lock's file list.

    ## Bad
    ```dockerfile
    FROM python:3.12-alpine
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    ```
    ```requirements.txt
    psycopg2==2.9.9
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-slim
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    ```
    ```requirements.txt
    psycopg2-binary==2.9.10
    ```
    """
    from ..analysis.builds import glibc_equivalent, source_builds

    groups: Dict[int, list] = {}
    order: List = []
    for b in source_builds(model):
        if b.cause not in ("musl-no-wheel", "lock-sdist-only") or not _musl(b):
            continue
        if not b.fails and _never_has_linux_wheels(b):
            continue  # compiles on every base: not a musl problem (DKL203 checks its build deps)
        if id(b.install) not in groups:
            groups[id(b.install)] = []
            order.append(b.install)
        groups[id(b.install)].append(b)
    for inst in order:
        builds = groups[id(inst)]
        first = builds[0]
        tgt = first.target
        where = _short_target(first)
        failing = [b for b in builds if b.fails]
        compiling = [b for b in builds if not b.fails]
        if compiling:
            names = _names(compiling)
            many = len(compiling) > 1
            py_old = bool(tgt and tgt.pythons and all(not _reads_musl(p) for p in tgt.pythons))
            if tgt is not None and tgt.musl_tags is False and pip_label(tgt) and (py_old or any(b.old_pip for b in compiling)) and not all(b.glibc_ok is False for b in compiling):
                head = f"{names} {'are' if many else 'is'} compiled from source on musl: {pip_label(tgt)}"
            elif all(b.old_pip for b in compiling):
                head = f"{names} {'are' if many else 'is'} compiled from source on musl: pip older than 21.2 ignores musllinux wheels"
            else:
                kind = "wheel" if all(b.glibc_ok is False for b in compiling) else "musllinux wheel"  # none for glibc either
                head = f"{names} {'have' if many else 'has'} no {kind} for {where}: pip compiles {'them' if many else 'it'} from source"
            if failing:
                head += f"; {_names(failing)} cannot be installed at all"
        else:
            head = f"{_names(failing)} cannot be installed on musl ({where}): {fail_reason(first) or no_wheel_reason(first)}"
        py = tgt.pythons[0] if tgt is not None and len(tgt.pythons) == 1 else first.stage_plan.python
        fixes = _group_fixes(builds, glibc_equivalent(first.stage_plan.stage, py), py)
        if all(b.cause == "lock-sdist-only" for b in builds):
            src = "the lock's file list"
        else:
            src = _data_words("live" if any(b.source == "live" for b in builds) else "bundled")
        msg = head + (f". Fix: {fixes}" if fixes else "") + f" ({src})"
        related: List[Related] = []
        for b in builds:
            related.extend(_declared(b.package, model.path))
        fix = next((f for f in (_binary_swap(model, b) for b in builds) if f is not None), None)
        yield _install_hit(inst, msg, related)._replace(fix=fix)


def _never_has_linux_wheels(build) -> bool:
    """No release of the package has a Linux binary wheel for the stage's machine (mysqlclient,
    uwsgi, pycrypto), and no binary twin with one exists (psycopg2-binary): a source build is
    the package's nature on any base, not a consequence of musl."""
    from ..knowledge.wheels import any_wheel, facts

    alt = build.native.alternative
    if alt and _alternative_has_wheel(build, alt.partition(" ")[0], None):
        return False
    if build.native.linux_wheels is False:
        return True
    f = facts(build.package.name)
    if f is None:
        return False
    machine = build.stage_plan.machine
    return not any_wheel(f, machine, "glibc") and not any_wheel(f, machine, "musl")


def _names(builds) -> str:
    shown = [f"`{b.package.name}` {_version_words(b.package, b.picked)}" for b in builds[:2]]
    return ", ".join(shown) + (f" (+{len(builds) - 2} more)" if len(builds) > 2 else "")


def _group_fixes(builds, slim: Optional[str], python: Optional[str]) -> str:
    from ..knowledge.native import musl_wheel

    out: List[str] = []
    tgt = builds[0].target
    py_old = bool(tgt and tgt.pythons and all(not _reads_musl(p) for p in tgt.pythons))
    if any(b.old_pip for b in builds) and not py_old:
        out.append("upgrade pip first (`pip install --upgrade pip`)")
    else:
        for b in builds:
            pkg = b.package
            if b.first_ok and pkg.version:
                out.append(f"`{pkg.name}>={b.first_ok}` has a wheel for it")
            elif not pkg.version and b.cause == "musl-no-wheel" and not b.fails and python:
                nw = musl_wheel(pkg.name, None, python, b.stage_plan.machine, pkg.specifier, "prefer-binary", tgt.musl_tags if tgt else True)
                if nw.status == "yes" and nw.picked and nw.picked != b.picked:
                    out.append(f"`--prefer-binary` picks {pkg.name} {nw.picked}, which has one")
    if slim and all(b.glibc_ok for b in builds):
        out.append(f"`{slim}` has manylinux wheels")
    for b in builds:
        alt = b.native.alternative
        if alt:
            word, _, rest = alt.partition(" ")
            ok = _alternative_has_wheel(b, word, None)
            if ok is True:
                out.append(f"`{word}`{(' ' + rest) if rest else ''} avoids the build")
            elif ok:
                out.append(f"`{word}>={ok}` avoids the build")
    return "; ".join(dict.fromkeys(out))


def _alternative_has_wheel(build, alt: str, version: Optional[str]):
    """Does the binary alternative (``psycopg2-binary``) install from a wheel on this target?
    True, the first release that does (a string), or False. Unknown counts as no: advice must work."""
    from ..knowledge.native import musl_wheel

    tgt = build.target
    if alt.startswith(("psycopg[", "psycopg ")):
        return True  # a different package with its own data; the extra's wheels are checked by DKL202
    pythons = tuple(tgt.pythons) if tgt and tgt.pythons else ()
    if len(pythons) != 1:
        return False
    python: str = pythons[0]
    v = musl_wheel(alt.split("[")[0], version or build.package.version, python, build.stage_plan.machine, "", "default", tgt.musl_tags if tgt else True)
    if v.status == "yes":
        return True
    if v.first_ok:
        return v.first_ok if version is None else False
    return False


def _binary_swap(model, build):
    """Unsafe fix: psycopg2 -> psycopg2-binary where it is declared (a drop-in binary build)."""
    from ._fixes import replace_word

    pkg = build.package
    r = pkg.req
    if pkg.name != "psycopg2" or not pkg.direct or r.locked_version or r.url:
        return None
    if _alternative_has_wheel(build, "psycopg2-binary", pkg.version or None) is not True:
        return None  # psycopg2-binary at that version has no wheel for this Python either
    text = r.text
    if not text.lower().startswith("psycopg2") or (len(text) > 8 and (text[8].isalnum() or text[8] in "-_.")):
        return None
    o = r.origin
    if o.path == model.path:
        cmd = build.install.command
        if cmd is None or cmd.nested:
            return None
        for i, w in enumerate(cmd.words):
            if w.value == text and w.raw == w.value:
                span = cmd.word_span(i)
                if span:
                    return replace_word(None, span[0], span[1], text[:8], "psycopg2-binary", "use psycopg2-binary (a prebuilt wheel with libpq bundled)", safe=False)
        return None
    return replace_word(o.path, o.line, o.column, text[:8], "psycopg2-binary", "use psycopg2-binary in the manifest (a prebuilt wheel with libpq bundled)", safe=False)


def _slim_swap(model, stage):
    """Unsafe fix: the -slim (glibc) equivalent of a python:*-alpine base tag."""
    from ..analysis.builds import glibc_equivalent
    from ..model.spans import from_image_span, from_image_word
    from ._fixes import replace_word

    root = stage.root
    slim = glibc_equivalent(stage)
    if not slim or not slim.startswith("python:") or root.base_ref is None or root.unresolved:
        return None
    raw = from_image_word(root)
    if raw != root.base_text or "@" in raw or ":" not in raw:
        return None
    for st in [stage] + stage.ancestors:  # apk commands would break on Debian
        for ins in st.instructions:
            if ins.keyword == "RUN" and any(c.tool == "apk" for c in st.commands(ins)):
                return None
    line, col, _, _ = from_image_span(root)
    new = raw.rsplit(":", 1)[0] + ":" + slim.split(":", 1)[1]
    return replace_word(None, line, col, raw, new, f"switch the base image to {new}", safe=False)


def _musl(build) -> bool:
    from ..analysis.builds import is_musl

    return bool(is_musl(build.stage_plan.stage))


@rule(code="DKL202", name="musl-native-package", severity="warning", tags=("musl", "alpine", "python"), fixable=True)
def musl_native_package(model) -> Iterator[Hit]:
    """Packages with required compiled code installed on a musl (Alpine) base.

    ## What it does
    Lists, once per install command in a musl stage, the packages whose compiled code is
    required (no pure-Python fallback), whose versions the Dockerfile fixes (pins, constraints,
    locks, or a pinned requirement that pulls them in), and that do not compile — direct or
    pulled in by a popular package. An install where something compiles is reported by DKL201
    instead, one where a compiled package's version is left to pip by DKL205; optional
    speedups (aiohttp, PyYAML, MarkupSafe, charset-normalizer, SQLAlchemy, websockets...) never
    trigger it.

    ## Why is this bad?
    It works today, but: musllinux wheel coverage has gaps (a new Python minor, a new release,
    aarch64) that turn an upgrade into a source build; musl's allocator is slower under
    multi-threaded native code; the official `python:*-alpine` images are built without
    profile-guided optimisation; debugging native crashes on musl is harder. The ~25 MB saved
    by Alpine rarely pays for that in production.

    ## How to fix
    Use the `-slim` variant of the same Python (`python:3.12-slim`), or accept the trade-off
    and suppress this rule for the file. `--fix --unsafe-fixes` rewrites a literal
    `python:*-alpine` tag to its `-slim` equivalent when the stage uses no `apk` commands
    (unsafe: system packages and users are created differently on Debian).

    ## Bad
    ```dockerfile
    FROM python:3.12-alpine
    RUN pip install --no-cache-dir orjson==3.10.7
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install --no-cache-dir orjson==3.10.7
    ```
    """
    from ..analysis.builds import glibc_equivalent

    for sp, inst, found, target in _native_installs(model):
        if not all(_fixed(p) for p, _ in found):
            continue  # a compiled package is left to pip's choice: DKL205 says it
        found = [(p, v) for p, v in found if v.status == "yes"]  # what the data cannot tell is not said
        if not found:
            continue
        # a package inferred from the bundled map has the version its parent's metadata picks:
        # not known here, so none is shown
        names = ", ".join(f"`{p.name}`" + (f" {p.version or v.picked}" if (p.version or v.picked) and not p.inferred else "") for p, v in found[:2]) + (f" (+{len(found) - 2} more)" if len(found) > 2 else "")
        py = target.pythons[0] if len(target.pythons) == 1 else None
        slim = glibc_equivalent(sp.stage, py)
        msg = f"compiled {names} on musl ({python_label(target)} {sp.machine}): musllinux wheels today, source builds after upgrades" + (f"; consider `{slim}`" if slim else "")
        if any(v.source == "live" for _, v in found):
            msg += " (live index data)"
        related: List[Related] = []
        seen: Set[Tuple[str, int]] = set()
        for p, _ in found:
            for r in _declared(p, model.path):
                if (r.path, r.line) not in seen:
                    seen.add((r.path, r.line))
                    related.append(r)
        yield _install_hit(inst, msg, related)._replace(fix=_slim_swap(model, sp.stage))


def _fixed(pkg) -> bool:
    """The version is not left to pip: pinned (requirement, constraint, lock), or pulled in by a
    pinned requirement (whose own metadata then decides the range)."""
    if pkg.version or pkg.pinned_by or pkg.files:
        return True
    return not pkg.direct and bool(pkg.req.pinned_version or pkg.req.locked_version)


def _native_installs(model):
    """(stage plan, install, [(package, verdict)], target) for installs in musl stages that put
    packages with required compiled code in place without compiling them (DKL201 reports those),
    where no DKL201 fires on the same install. Computed once per model (two rules read it)."""
    return model.derived("musl-native-installs", _find_native_installs)


def _find_native_installs(model):
    from ..knowledge.native import Target, WheelVerdict, native_package, verdict, wheel_from_files
    from ..analysis.builds import install_mode, is_musl, source_builds, stage_target

    out = []
    builds = source_builds(model)
    building_installs = {id(b.install) for b in builds if b.cause in ("musl-no-wheel", "lock-sdist-only")}
    building = {(id(b.install), b.package.name) for b in builds}
    for sp in model.plan.stages:
        if not is_musl(sp.stage):
            continue
        for inst in sp.installs:
            if id(inst) in building_installs:
                continue
            target = None
            found = []
            for pkg in inst.packages:
                if not pkg.name or pkg.prebuilt or (id(inst), pkg.name) in building:
                    continue
                native = native_package(pkg.name)
                if native is None or native.compiled != "required":
                    continue
                if target is None:
                    target = stage_target(sp, inst)
                if pkg.files:
                    py = target.pythons[0] if len(target.pythons) == 1 else None
                    has = wheel_from_files(pkg.files, py, sp.machine, "musl")
                    v = WheelVerdict("yes" if has == "yes" else "unknown", "lock", kind="wheel")
                elif target.pythons:
                    v = verdict(pkg.name, pkg.version, Target(target.pythons, sp.machine, target.musl_tags), pkg.specifier if not pkg.version else "", install_mode(inst, pkg.name))
                else:
                    v = WheelVerdict("unknown", "unknown Python")
                if v.kind == "pure":
                    continue  # that release has no compiled code
                found.append((pkg, v))
            if found and target is not None:
                out.append((sp, inst, found, target))
    return out


@rule(code="DKL203", name="native-build-deps-missing", severity="error", tags=("build", "python"))
def native_build_deps_missing(model) -> Iterator[Hit]:
    """A Python package will be compiled, and the stage lacks the compiler or headers for it.

    ## What it does
    When a source build will happen — on musl because no wheel matches (DKL201), on glibc for
    sdist-only packages (psycopg2, mysqlclient, python-ldap, GDAL...), or because of
    `--no-binary` — checks what the stage has installed at that point: earlier in the stage,
    in the stages it is built `FROM`, or earlier in the same `RUN`. Virtual packages
    (`apk add --virtual .build-deps ...`), meta packages (`build-base`, `build-essential`) and
    images that ship a compiler (`python:3.12`, the full variant) count. The message lists the
    exact apk or apt package names that are missing. Bases whose contents are unknown are not
    judged.

    ## Why is this bad?
    The build stops with `error: command 'gcc' failed`, `pg_config executable not found` or
    `can't find Rust compiler` after downloading everything, on every build.

    ## How to fix
    Install the listed packages before the install command — in a builder stage, or in the same
    `RUN` and remove them afterwards — or avoid the build (see DKL201).

    ## Bad
    ```dockerfile
    FROM python:3.12-slim
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    ```
    ```requirements.txt
    psycopg2==2.9.9
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-slim
    COPY requirements.txt .
    RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\
        && pip install --no-cache-dir -r requirements.txt
    ```
    ```requirements.txt
    psycopg2==2.9.9
    ```
    """
    from ..analysis.builds import missing_build_deps, source_builds

    per_install: Dict[int, list] = {}
    order: List = []
    for b in source_builds(model):
        if b.fails:
            continue
        missing = missing_build_deps(b)
        if missing is None:
            continue
        key = id(b.install)
        if key not in per_install:
            per_install[key] = []
            order.append(b.install)
        per_install[key].append((b, missing))
    for inst in order:
        items = per_install[id(inst)]
        pm = items[0][1].manager
        names: List[str] = []
        for _, m in items:
            for n in m.missing:
                if n not in names:
                    names.append(n)
        pkgs = ", ".join(f"`{b.package.name}` ({_build_cause(b)})" for b, _ in items)
        cmd = f"apk add --no-cache --virtual .build-deps {' '.join(names)}" if pm == "apk" else f"apt-get install -y --no-install-recommends {' '.join(names)}"
        newer = [f"`{b.package.name}>={b.first_ok}`" for b, _ in items if b.first_ok and b.package.version and b.cause != "no-binary"]
        if newer and len(newer) == len(items):
            msg = f"{pkgs} compile{'s' if len(items) == 1 else ''} here without {', '.join(f'`{n}`' for n in names)}: {', '.join(newer)} {'has a wheel' if len(newer) == 1 else 'have wheels'}, or run `{cmd}` first"
        else:
            msg = f"{pkgs} compile{'s' if len(items) == 1 else ''} here without {', '.join(f'`{n}`' for n in names)}: run `{cmd}` first"
        related: List[Related] = []
        for b, _ in items:
            related.extend(_declared(b.package, model.path))
        yield _install_hit(inst, msg, related)


def _build_cause(b) -> str:
    if b.cause == "musl-no-wheel" or b.cause == "lock-sdist-only":
        return "no musllinux wheel" if _musl(b) else "no wheel for this platform"
    if b.cause == "no-linux-wheels":
        return "no Linux wheels exist"
    if b.cause == "no-binary":
        return "`--no-binary`"
    return "no wheel for this platform"


_ENV_HINTS = ("venv", "site-packages", "dist-packages", "/usr/local", ".local", "python3", "/install", "wheels")


@rule(code="DKL204", name="cross-libc-copy", severity="error", tags=("musl", "multi-stage", "python"))
def cross_libc_copy(model) -> Iterator[Hit]:
    """A Python environment with compiled packages is copied between a glibc and a musl stage.

    ## What it does
    Reports `COPY --from=<stage>` of a virtualenv, `site-packages`, `/usr/local`, a `--prefix` or
    `--target` directory, `/root/.local` or a wheel directory (`pip wheel -w`) when the source
    stage and the receiving stage use different C libraries (glibc vs musl) and what is copied
    contains packages with required compiled code.

    ## Why is this bad?
    Extension modules built or downloaded for glibc (`manylinux`) do not load on musl and vice
    versa: the image builds, then fails at runtime with `ImportError: Error loading shared
    library ...` or a missing symbol.

    ## How to fix
    Build and run on the same libc: make both stages `-slim`, or both Alpine.

    ## Bad
    ```dockerfile
    FROM python:3.12-slim AS build
    RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir orjson==3.10.7
    FROM python:3.12-alpine
    COPY --from=build /venv /venv
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-slim AS build
    RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir orjson==3.10.7
    FROM python:3.12-slim
    COPY --from=build /venv /venv
    ```
    """
    from ..knowledge.native import native_package
    from ..analysis.builds import is_musl

    for sp in model.plan.stages:
        own = set(id(i) for i in sp.stage.instructions)
        dst = is_musl(sp.stage)
        if dst is None:
            continue
        for c in sp.copied:
            if id(c.instruction) not in own:
                continue
            src = is_musl(c.from_stage)
            if src is None or src == dst:
                continue
            natives = []
            for p in c.packages:
                n = native_package(p.name)
                if n is not None and n.compiled == "required" and p.name not in natives:
                    natives.append(p.name)
            if not natives:
                continue
            libc = lambda m: "musl" if m else "glibc"  # noqa: E731
            first = c.installs[0]
            if c.wheels:
                msg = (
                    f"copies wheels ({c.source}) built on {libc(src)} (stage `{c.from_stage.label}`) into a {libc(dst)} stage; "
                    f"pip will not install the compiled ones there ({', '.join(f'`{n}`' for n in natives[:8])}{'...' if len(natives) > 8 else ''}): "
                    f"their platform tags do not match, so the install fails or rebuilds them. Build the wheels on the same libc"
                )
            else:
                msg = (
                    f"copies a Python environment ({c.source}) built on {libc(src)} (stage `{c.from_stage.label}`) into a {libc(dst)} stage; "
                    f"its compiled packages ({', '.join(f'`{n}`' for n in natives[:8])}{'...' if len(natives) > 8 else ''}) will not load: "
                    f"ImportError at runtime. Use the same libc in both stages"
                )
            ins = c.instruction
            yield Hit(ins.start_line, ins.start_column, ins.end_line, ins.end_column, msg, (Related(model.path, first.line, first.column, f"installed here on {libc(src)}"),))


@rule(code="DKL205", name="musl-pip-allows-source", severity="info", tags=("musl", "alpine", "python"))
def musl_pip_allows_source(model) -> Iterator[Hit]:
    """A compiled package is left to pip's choice on a musl stage, without `--only-binary`.

    ## What it does
    Reports `pip install` / `uv pip install` in a musl stage when a package with required
    compiled code (direct, or pulled in by a popular package) is not pinned — by the
    requirement, a constraint or a lock — and pip is not told to stay on wheels for it
    (`--only-binary` for that package or `:all:`, `--prefer-binary`, or `PIP_ONLY_BINARY` /
    `PIP_PREFER_BINARY`). It is silent on installs that DKL201 or DKL202 already report, on
    installs with nothing to compile, and where the stage's pip cannot read musllinux wheels
    at all (DKL201 reports those builds).

    ## Why is this bad?
    pip takes the newest release even when only its sdist matches the platform: when a new
    release of the package ships without a musllinux wheel for your Python (this happened to
    duckdb from 1.4.0, and happens at every new CPython minor), the next build compiles it
    silently, or breaks for lack of a compiler.

    ## How to fix
    Add `--only-binary=<package>` for the compiled packages (a build without a wheel then fails
    fast; other packages, including sdist-only pure-Python ones, are unaffected), or
    `--prefer-binary`, or pin the compiled packages.

    ## Bad
    ```dockerfile
    FROM python:3.12-alpine
    RUN pip install --no-cache-dir orjson
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-alpine
    RUN pip install --no-cache-dir --only-binary=orjson orjson
    ```
    """
    for sp, inst, found, target in _native_installs(model):
        if inst.tool not in ("pip", "uv pip"):
            continue
        if all(_fixed(p) for p, _ in found):
            continue  # DKL202 reports this install
        if "prefer-binary" in inst.options or target.musl_tags is False:
            continue
        from ..analysis.builds import option_names

        only = option_names(inst.options.get("only-binary", ()))
        if ":all:" in only:
            continue
        free = [p for p, _ in found if p.name not in only and not _fixed(p) and _wheel_exists(p, target, sp.machine)]
        if not free:
            continue  # (a package with no musllinux wheel in any release compiles anyway: --only-binary would break it)
        names = ",".join(dict.fromkeys(p.name for p in free))
        shown = ", ".join(f"`{n}`" for n in list(dict.fromkeys(p.name for p in free))[:4]) + (", ..." if len(free) > 4 else "")
        msg = f"compiled {shown} left to pip's choice on musl: a release without a musllinux wheel compiles silently; add `--only-binary={names}`"
        yield _install_hit(inst, msg, tuple(r for p in free[:4] for r in _declared(p, model.path)))


def _wheel_exists(pkg, target, machine: str) -> bool:
    """Does some release pip could pick ship a musllinux (or pure) wheel for this target? Only
    then is `--only-binary` advice that works; unknown counts as no."""
    from ..knowledge.native import musl_wheel

    pythons = tuple(target.pythons) if target and target.pythons else ()
    if len(pythons) != 1:
        return False
    v = musl_wheel(pkg.name, None, pythons[0], machine, pkg.specifier or "", "prefer-binary", target.musl_tags)
    return v.status == "yes"


@rule(code="DKL206", name="runtime-library-missing", severity="warning", tags=("build", "python", "multi-stage"))
def runtime_library_missing(model) -> Iterator[Hit]:
    """A package compiled from source needs a shared library the final image does not have.

    ## What it does
    For packages compiled from source (see DKL201/DKL203) that link a system library at run
    time (libpq for psycopg2, libjpeg and zlib for Pillow, libxml2/libxslt for lxml, libmariadb
    for mysqlclient...), checks that the final image keeps it: not removed together with the
    build dependencies (`apk del .build-deps` removes `libpq` when only `postgresql-dev` pulled
    it in; `apt-get purge --auto-remove libpq-dev` removes `libpq5`), and installed in the
    runtime stage of a multi-stage build that copied the compiled package over or installed
    wheels built in a builder stage (`pip wheel -w /wheels` there, `pip install /wheels/*` here).
    Only bases whose package list is known are judged.

    ## Why is this bad?
    The image builds and the container crashes on first import:
    `ImportError: Error loading shared library libpq.so.5: No such file or directory`.

    ## How to fix
    Install the runtime library explicitly (outside the virtual build group), in the stage that
    ships: `apk add --no-cache libpq`, `apt-get install -y --no-install-recommends libpq5`.

    ## Bad
    ```dockerfile
    FROM python:3.12-alpine
    COPY requirements.txt .
    RUN apk add --no-cache --virtual .build-deps gcc musl-dev postgresql-dev \\
        && pip install --no-cache-dir -r requirements.txt \\
        && apk del .build-deps
    ```
    ```requirements.txt
    psycopg2==2.9.9
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-alpine
    COPY requirements.txt .
    RUN apk add --no-cache libpq \\
        && apk add --no-cache --virtual .build-deps gcc musl-dev postgresql-dev \\
        && pip install --no-cache-dir -r requirements.txt \\
        && apk del .build-deps
    ```
    ```requirements.txt
    psycopg2==2.9.9
    ```
    """
    from ..analysis.builds import source_builds
    from ..analysis.ospkg import os_packages

    builds = [b for b in source_builds(model) if not b.fails]
    if not builds:
        return
    reported: Set[Tuple[int, str, str]] = set()
    for sp in model.plan.stages:
        stage = sp.stage
        if not stage.reaches_final or stage is not model.final_stage:
            continue
        facts = stage.facts
        if facts is None or facts.pkg not in ("apk", "apt") or facts.packages is None or facts.compiler:
            continue
        pm = facts.pkg
        have = set(os_packages(stage).explicit_at_end()) | set(facts.packages)
        chain = {s.index for s in [stage] + stage.ancestors}
        # (a) built in this stage or an ancestor (same filesystem)
        for b in builds:
            if b.stage_plan.stage.index not in chain:
                continue
            lost = _lost_libs(b, pm, have)
            if not lost:
                continue
            key = (id(b.install), b.package.name, "a")
            if key in reported:
                continue
            reported.add(key)
            msg = (
                f"`{b.package.name}` needs {', '.join(f'`{l}`' for l in lost)} at runtime, which the image does not keep (ImportError): "
                f"`{_install_cmd(pm, lost)}` outside the build group"
            )
            yield _install_hit(b.install, msg, _declared(b.package, model.path))
        # (c) wheels built in another stage (`pip wheel`) and installed here
        for inst in sp.all_installs:
            for p in inst.packages:
                if not p.prebuilt:
                    continue
                for b in builds:
                    if b.package.name != p.name or b.install.tool != "pip wheel" or b.stage_plan.stage.index in chain:
                        continue
                    lost = _lost_libs(b, pm, have)
                    key = (id(inst), p.name, "c")
                    if not lost or key in reported:
                        continue
                    reported.add(key)
                    msg = (
                        f"`{p.name}` (built in stage `{b.stage_plan.stage.label}`) loads {', '.join(f'`{l}`' for l in lost)}, "
                        f"which this stage lacks: ImportError on import. Add `{_install_cmd(pm, lost)}`"
                    )
                    yield _install_hit(inst, msg, (Related(model.path, b.install.line, b.install.column, "compiled here"),) + _declared(p, model.path))
        # (b) built in another stage, copied in
        for c in sp.copied:
            if c.from_stage.index in chain or c.wheels:
                continue
            names = {p.name for p in c.packages}
            for b in builds:
                if b.package.name not in names or b.stage_plan.stage.index != c.from_stage.index and b.stage_plan.stage.index not in {s.index for s in c.from_stage.ancestors}:
                    continue
                lost = _lost_libs(b, pm, have)
                if not lost:
                    continue
                key = (id(c.instruction), b.package.name, "b")
                if key in reported:
                    continue
                reported.add(key)
                ins = c.instruction
                msg = (
                    f"`{b.package.name}` (built in stage `{c.from_stage.label}`) loads {', '.join(f'`{l}`' for l in lost)}, "
                    f"which this stage lacks: ImportError on import. Add `{_install_cmd(pm, lost)}`"
                )
                yield Hit(ins.start_line, ins.start_column, ins.end_line, ins.end_column, msg, (Related(model.path, b.install.line, b.install.column, "compiled here"),) + _declared(b.package, model.path))


def _lost_libs(build, pm: str, have: Set[str]) -> List[str]:
    """Runtime libraries of a compiled package that the shipping stage will not have.

    Only judged when the build had its development package (``libpq-dev``...) installed, so the
    result links the library; a build dependency still installed at the end keeps the library
    it depends on, so nothing is lost while one of them remains."""
    from ..knowledge.native import provided
    from ..analysis.builds import build_time_packages

    libs = build.native.apk_run if pm == "apk" else build.native.apt_run
    deps = _deps_for(build, pm)
    if not libs or not deps:
        return []
    at_build = build_time_packages(build)
    if at_build is None or not any(provided(pm, d, at_build) for d in deps):
        return []
    if any(provided(pm, d, have) for d in deps):
        return []
    kept = set(have)
    if pm == "apk" and kept & _DISTRO_PYTHONS:
        kept |= {"libffi"}  # Alpine's python/python3 packages depend on libffi themselves
    # a build dependency met by another provider (`lapack-dev` for `openblas-dev`): the package
    # links that provider's library (`lapack`), not the usual one
    swap = {}
    for (dev, alt_dev), (lib, alt_lib) in _ALT_PROVIDERS.items():
        if dev in deps and dev not in at_build and alt_dev in at_build:
            swap[lib] = alt_lib
    libs = [swap.get(l, l) for l in libs]
    return [l for l in dict.fromkeys(libs) if not provided(pm, l, kept)]


_DISTRO_PYTHONS = frozenset({"python", "python2", "python3"})
# Build dependencies met by another implementation of the same API, and the runtime library the
# package then links: (usual -dev, alternative -dev) -> (usual library, alternative library).
_ALT_PROVIDERS = {
    ("openblas-dev", "lapack-dev"): ("openblas", "lapack"),
    ("libopenblas-dev", "liblapack-dev"): ("libopenblas0", "liblapack3"),
}


def _deps_for(build, pm: str):
    from ..analysis.builds import build_deps

    return build_deps(build, pm)


def _older_than(python: str, minimum) -> bool:
    try:
        return tuple(int(x) for x in python.split(".")[:2]) < minimum
    except ValueError:
        return False


def _install_cmd(pm: str, names: List[str]) -> str:
    if pm == "apk":
        return f"apk add --no-cache {' '.join(names)}"
    return f"apt-get install -y --no-install-recommends {' '.join(names)}"


RULES = [musl_source_build, musl_native_package, native_build_deps_missing, cross_libc_copy, musl_pip_allows_source, runtime_library_missing]
