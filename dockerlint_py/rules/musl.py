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


def _where(pkg) -> str:
    o = pkg.origin
    return f"{o.path}:{o.line}"


def _declared(pkg, dockerfile: str) -> Tuple[Related, ...]:
    o = pkg.origin
    if o.path == dockerfile:
        return ()
    what = f"`{pkg.name}` declared here" if pkg.direct else f"`{pkg.name}` comes in through `{(pkg.via or (pkg.req.name,))[0]}`, declared here"
    return (Related(o.path, o.line, o.column, what),)


def _version_words(pkg) -> str:
    from ..knowledge.native import wheel_row

    if pkg.version:
        how = {"lock": "locked", "constraint": "pinned by a constraint", "manifest": "pinned"}.get(pkg.pinned_by or "", "pinned")
        return f"{pkg.version} ({how})"
    row = wheel_row(pkg.name)
    newest = f", {row.latest} when the data was reviewed" if row else ""
    return f"unpinned: the newest release{newest}"


def _origin_words(pkg) -> str:
    if pkg.direct:
        return f"declared at {_where(pkg)}"
    chain = " -> ".join(pkg.via) if pkg.via else pkg.req.name
    inferred = " (inferred from the bundled dependency map)" if pkg.inferred else ""
    return f"pulled in by {chain}{inferred}, declared at {_where(pkg)}"


def _target(sp) -> str:
    py = sp.python or "unknown"
    src = {"floating tag": " from a floating tag", "distro": " from the distro", "env": " from ENV PYTHON_VERSION"}.get(sp.python_source, "")
    return f"CPython {py}{src}, {sp.machine}"


def _fixes(build, slim: Optional[str]) -> str:
    out: List[str] = []
    if slim:
        out.append(f"use a glibc base such as `{slim}`")
    if build.first_ok and build.package.version:
        out.append(f"or upgrade to `{build.package.name}>={build.first_ok}` (first release with a musllinux wheel for this target)")
    if build.native.alternative:
        out.append(f"or use `{build.native.alternative}`")
    return "; ".join(out)


@rule(code="DKL201", name="musl-source-build", severity="error", tags=("musl", "alpine", "python", "build"), fixable=True, references=("https://peps.python.org/pep-0656/",))
def musl_source_build(model) -> Iterator[Hit]:
    """A compiled Python package has no musllinux wheel for this Alpine stage: pip compiles it or fails.

    ## What it does
    For every package an install command puts into a musl stage (direct, from a lock, or pulled
    in by a popular package), checks the bundled PyPI wheel data for the version that will be
    installed — the pin, the lock, or for an unpinned requirement the newest release — against
    the stage's CPython version and architecture. Reports packages whose compiled code is
    required and that have no matching musllinux wheel. Packages with a pure-Python fallback
    (PyYAML, MarkupSafe, aiohttp, SQLAlchemy...) are never reported; neither is a package the
    data does not know.

    ## Why is this bad?
    pip silently downloads the sdist and compiles it: minutes to half an hour per build, a
    compiler and `-dev` packages in the image, and builds that break when a header or Rust
    version is missing. Packages without an sdist (torch, tensorflow, onnxruntime) cannot be
    installed at all; with `--only-binary=:all:` pip fails instead of compiling.

    ## How to fix
    Use the `-slim` (glibc) variant of the base image, where manylinux wheels install; or pin a
    release that ships musllinux wheels for your Python; or use a binary distribution
    (`psycopg2-binary`, `psycopg[binary]`). `--fix --unsafe-fixes` replaces `psycopg2` by
    `psycopg2-binary` where it is declared (unsafe: the psycopg maintainers advise building from
    source for production).

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
    psycopg2==2.9.9
    ```
    """
    from ..model.builds import glibc_equivalent, source_builds

    for b in source_builds(model):
        if b.cause not in ("musl-no-wheel", "lock-sdist-only") or not _musl(b):
            continue
        pkg = b.package
        what = b.fail_reason and f"pip fails: {b.fail_reason}" or "pip will compile it from the sdist (slow, needs a compiler and headers, and breaks easily)"
        fixes = _fixes(b, glibc_equivalent(b.stage_plan.stage))
        msg = (
            f"`{pkg.name}` {_version_words(pkg)}, {_origin_words(pkg)}: no musllinux wheel for {_target(b.stage_plan)} "
            f"({b.reason}); {what}" + (f". Fix: {fixes}" if fixes else "")
        )
        yield _install_hit(b.install, msg, _declared(pkg, model.path))._replace(fix=_binary_swap(model, b))


def _binary_swap(model, build):
    """Unsafe fix: psycopg2 -> psycopg2-binary where it is declared (a drop-in binary build)."""
    from ._fixes import replace_word

    pkg = build.package
    r = pkg.req
    if pkg.name != "psycopg2" or not pkg.direct or r.locked_version or r.url:
        return None
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
    from ..model.builds import glibc_equivalent
    from ._fixes import replace_word
    from .base_image import _image_span

    root = stage.root
    slim = glibc_equivalent(stage)
    if not slim or not slim.startswith("python:") or root.base_ref is None or root.unresolved:
        return None
    words = root.from_instruction.args_text.split()
    raw = next((w for w in words if not w.startswith("--")), "")
    if raw != root.base_text or "@" in raw or ":" not in raw:
        return None
    for st in [stage] + stage.ancestors:  # apk commands would break on Debian
        for ins in st.instructions:
            if ins.keyword == "RUN" and any(c.tool == "apk" for c in st.commands(ins)):
                return None
    line, col, _, _ = _image_span(root)
    new = raw.rsplit(":", 1)[0] + ":" + slim.split(":", 1)[1]
    return replace_word(None, line, col, raw, new, f"switch the base image to {new}", safe=False)


def _musl(build) -> bool:
    from ..model.builds import is_musl

    return bool(is_musl(build.stage_plan.stage))


@rule(code="DKL202", name="musl-native-package", severity="warning", tags=("musl", "alpine", "python"), fixable=True)
def musl_native_package(model) -> Iterator[Hit]:
    """Packages with required compiled code installed on a musl (Alpine) base.

    ## What it does
    Lists, once per install command in a musl stage, the packages whose compiled code is
    required (no pure-Python fallback) and that do install from musllinux wheels today — direct,
    locked, or pulled in by a popular package (marked as inferred). Packages that will be
    compiled are reported by DKL201 instead; optional speedups (aiohttp, PyYAML, MarkupSafe,
    charset-normalizer, SQLAlchemy, websockets...) never trigger it.

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
    from ..knowledge.native import musl_wheel, native_package, wheel_from_files
    from ..model.builds import glibc_equivalent, is_musl, source_builds

    building = {(id(b.install), b.package.name) for b in source_builds(model)}
    for sp in model.plan.stages:
        if not is_musl(sp.stage):
            continue
        slim = glibc_equivalent(sp.stage)
        for inst in sp.installs:
            found = []
            for pkg in inst.packages:
                if not pkg.name or (id(inst), pkg.name) in building:
                    continue
                native = native_package(pkg.name)
                if native is None or native.compiled != "required":
                    continue
                if pkg.files:
                    has = wheel_from_files(pkg.files, sp.python, sp.machine, "musl") == "yes"
                else:
                    has = musl_wheel(pkg.name, pkg.version, sp.python, sp.machine).status == "yes"
                found.append((pkg, has))
            if not found:
                continue
            names = ", ".join(
                f"`{p.name}`" + (f" {p.version}" if p.version else "") + ("" if p.direct else f" (via {' -> '.join(p.via) or p.req.name}{', inferred' if p.inferred else ''})")
                for p, _ in found
            )
            wheels = "they install from musllinux wheels today" if all(h for _, h in found) else "compiled code that needs musl builds"
            msg = (
                f"native packages on a musl base ({_target(sp)}): {names}; {wheels}, but wheel coverage on musl has gaps "
                f"(new Python minors, new releases, aarch64) that turn upgrades into source builds, musl's allocator is slower for "
                f"multi-threaded native code, and python:alpine is built without PGO"
                + (f". For production use `{slim}`" if slim else ". For production prefer a glibc (-slim) base")
            )
            related: List[Related] = []
            seen: Set[Tuple[str, int]] = set()
            for p, _ in found:
                for r in _declared(p, model.path):
                    if (r.path, r.line) not in seen:
                        seen.add((r.path, r.line))
                        related.append(r)
            yield _install_hit(inst, msg, related)._replace(fix=_slim_swap(model, sp.stage))


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
    from ..model.builds import missing_build_deps, source_builds

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
        msg = f"{pkgs} will be compiled here, but the stage lacks {', '.join(f'`{n}`' for n in names)}; install them first: `{cmd}`"
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
    from ..model.builds import is_musl

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
    """pip on a musl stage without `--only-binary=:all:` or `--prefer-binary`.

    ## What it does
    Reports `pip install` / `uv pip install` in a musl stage that lets pip choose an sdist:
    neither `--only-binary=:all:` (in the command, a requirements file or `PIP_ONLY_BINARY`) nor
    `--prefer-binary` (or `PIP_PREFER_BINARY`), when at least one requirement leaves the version
    to pip (unpinned, or a dependency pulled in by a popular package). Fully pinned or locked
    installs cannot move to a newer sdist and are not reported.

    ## Why is this bad?
    pip prefers the newest version even when only its sdist matches the platform: today
    `pip install duckdb` on Alpine compiles 2.0.1 from C++ source although 1.3.2 has a
    musllinux wheel. The image still builds, just slowly and with a compiler you did not plan
    for, and you do not notice until a build breaks.

    ## How to fix
    Add `--only-binary=:all:` to fail fast when a wheel is missing, or `--prefer-binary` to take
    the newest release that has one.

    ## Bad
    ```dockerfile
    FROM python:3.12-alpine
    RUN pip install --no-cache-dir "duckdb>=1.0"
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-alpine
    RUN pip install --no-cache-dir --only-binary=:all: "duckdb>=1.0"
    ```
    """
    from ..knowledge.native import musl_wheel
    from ..model.builds import is_musl, option_names

    for sp in model.plan.stages:
        if not is_musl(sp.stage):
            continue
        for inst in sp.installs:
            if inst.tool not in ("pip", "uv pip"):
                continue
            if ":all:" in option_names(inst.options.get("only-binary", ())) or "prefer-binary" in inst.options:
                continue
            if sp.python and _older_than(sp.python, (3, 6)):
                continue  # no musllinux wheels exist for these Pythons at all
            # only a requirement whose version pip chooses can move to a newer sdist
            pkgs = [p for p in inst.packages if p.name and not p.tooling and not p.prebuilt and not p.version and not p.pinned_by and not (p.req.url and not p.req.is_vcs)]
            if not pkgs:
                continue
            example = next((p for p in pkgs if p.version is None and musl_wheel(p.name, None, sp.python, sp.machine).newest_with_wheel), None)
            detail = ""
            if example is not None:
                v = musl_wheel(example.name, None, sp.python, sp.machine)
                detail = f" — here `{example.name}`: the newest release has no musllinux wheel, {v.newest_with_wheel} has one"
            msg = (
                "pip on a musl base may pick a newer sdist over an older musllinux wheel and compile it silently"
                f"{detail}; add `--only-binary=:all:` (fail fast) or `--prefer-binary`"
            )
            yield _install_hit(inst, msg)


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
    from ..model.builds import source_builds
    from ..model.ospkg import os_packages

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
                f"`{b.package.name}` is compiled from source here and loads {', '.join(f'`{l}`' for l in lost)} at runtime, "
                f"but the final image does not keep it (removed with the build dependencies, or never installed explicitly): "
                f"ImportError on first import. Install it outside the build group: `{_install_cmd(pm, lost)}`"
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
                        f"`{p.name}` is installed here from a wheel compiled in stage `{b.stage_plan.stage.label}`, but this final stage lacks "
                        f"{', '.join(f'`{l}`' for l in lost)}, which it loads at runtime: ImportError on first import. "
                        f"Add `{_install_cmd(pm, lost)}` to this stage"
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
                    f"`{b.package.name}` was compiled in stage `{c.from_stage.label}` and copied here, but this final stage lacks "
                    f"{', '.join(f'`{l}`' for l in lost)}, which it loads at runtime: ImportError on first import. "
                    f"Add `{_install_cmd(pm, lost)}` to this stage"
                )
                yield Hit(ins.start_line, ins.start_column, ins.end_line, ins.end_column, msg, (Related(model.path, b.install.line, b.install.column, "compiled here"),) + _declared(b.package, model.path))


def _lost_libs(build, pm: str, have: Set[str]) -> List[str]:
    """Runtime libraries of a compiled package that the shipping stage will not have.

    Only judged when the build had its development package (``libpq-dev``...) installed, so the
    result links the library; a build dependency still installed at the end keeps the library
    it depends on, so nothing is lost while one of them remains."""
    from ..knowledge.native import provided
    from ..model.builds import build_time_packages

    libs = build.native.apk_run if pm == "apk" else build.native.apt_run
    deps = _deps_for(build, pm)
    if not libs or not deps:
        return []
    at_build = build_time_packages(build)
    if at_build is None or not any(provided(pm, d, at_build) for d in deps):
        return []
    if any(provided(pm, d, have) for d in deps):
        return []
    return [l for l in libs if not provided(pm, l, have)]


def _deps_for(build, pm: str):
    from ..model.builds import build_deps

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
