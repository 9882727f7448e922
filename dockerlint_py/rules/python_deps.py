"""Python dependencies: manifest problems (DKL001, DKL002) and unpinned requirements (DKL501).

These rules read the install plan (``model.plan``): which packages each install command puts in
which stage, and where each was declared. They never open files themselves.
"""

from __future__ import annotations

import re

from typing import Dict, Iterator, Set, Tuple

from ..findings import Hit, Related
from ._base import at, at_command, rule

__all__ = ["RULES"]


def _manifest_hit(origin, message: str, related=(), anchor=None) -> Hit:
    end = origin.end_column or origin.column + 1
    return Hit(origin.line, origin.column, origin.line, end, message, tuple(related), None, origin.path, anchor)


@rule(code="DKL001", name="manifest-invalid", severity="error", tags=("manifest",))
def manifest_invalid(model) -> Iterator[Hit]:
    """A Python manifest the image installs from cannot be read as written.

    ## What it does
    Reports, at the offending line, requirements files, `pyproject.toml`, lock files, Pipfiles,
    `setup.cfg` and `environment.yml` files that an install command in the Dockerfile reads and
    that are malformed: invalid requirement syntax, invalid TOML/JSON, unknown pip options,
    `-r` include cycles, and includes that point outside the build context.

    ## Why is this bad?
    pip (or uv, Poetry, Pipenv) stops at the same line during `docker build`, usually after
    minutes of earlier layers. The other dockerlint checks on that manifest are skipped too,
    because what it declares is unknown.

    ## How to fix
    Correct the line named in the message. For an include outside the build context, copy the
    file into the context: Docker cannot see it either.

    ## Bad
    ```dockerfile
    FROM python:3.12-slim
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    ```
    ```requirements.txt
    flask=3.0.3
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-slim
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    ```
    ```requirements.txt
    flask==3.0.3
    ```
    """
    for p in model.plan.problems:
        if p.kind == "missing":
            continue
        line = p.line or 1
        yield Hit(line, 1, line, 1, f"{p.message}; checks that need this manifest were skipped", (), None, p.path)


@rule(code="DKL002", name="manifest-not-found", severity="info", tags=("manifest",))
def manifest_not_found(model) -> Iterator[Hit]:
    """A manifest the Dockerfile copies is not in the build context.

    ## What it does
    Reports a `COPY`/`ADD` of a Python manifest (`requirements*.txt`, `pyproject.toml`, a lock
    file, a Pipfile) that does not exist in the build context, or that `.dockerignore` excludes,
    and a `-r`/`-c` include that cannot be found.

    ## Why is this bad?
    `docker build` fails at that `COPY` with "not found" — unless the file is generated before
    the build, in which case dockerlint cannot see what it installs: the dependency checks
    (unpinned requirements, Alpine wheel availability, build dependencies) are skipped for it.

    ## How to fix
    Commit the file, fix the path, or run dockerlint with `--context DIR` when the build context
    is not the Dockerfile's directory.

    ## Bad
    ```dockerfile
    FROM python:3.12-slim
    COPY requirements/prod.txt /tmp/requirements.txt
    RUN pip install --no-cache-dir -r /tmp/requirements.txt
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-slim
    COPY requirements.txt /tmp/requirements.txt
    RUN pip install --no-cache-dir -r /tmp/requirements.txt
    ```
    ```requirements.txt
    flask==3.0.3
    ```
    """
    plan = model.plan
    first: Dict[str, list] = {}  # one finding per missing file; later copies of it are related
    for m in plan.missing:
        first.setdefault(m.source, []).append(m)
    for source, ms in first.items():
        ins = ms[0].instruction
        related = tuple(Related(model.path, o.instruction.start_line, o.instruction.start_column, f"`{source}` copied again here") for o in ms[1:] if o.instruction is not ins)
        yield Hit(ins.start_line, ins.start_column, ins.end_line, ins.end_column, f"`{source}` is {ms[0].reason}: what it installs was not checked", related)
    for p in plan.problems:
        if p.kind == "missing":
            line = p.line or 1
            yield Hit(line, 1, line, 1, f"{p.message}; not checked", (), None, p.path)


def _why_floating(pkg) -> str:
    r = pkg.req
    if r.is_vcs:
        return "a VCS reference without a full commit hash"
    if r.url:
        return "an archive of a branch"
    if r.specifier:
        return f"`{r.specifier}`"
    return "no version given"


_ARCHIVE = r"/(?:archive|tarball|zipball|-/archive)/(?:refs/heads/)?([^/?#]+?)(?:\.zip|\.tar\.gz|\.tgz)?(?:[?#].*)?$"
_FIXED_REF = r"^(?:[0-9a-f]{40}|v?\d+(?:\.\d+)*(?:[.-]?\w+)?)$"  # compiled on first use (URL requirements only)


def _archive_name(url: str) -> str:
    m = re.search(r"/([^/]+)/(?:archive|tarball|zipball|-/archive)/", url)
    return m.group(1) if m else url.rsplit("/", 1)[-1]


def _branch_archive(url: str) -> bool:
    """``https://github.com/o/r/archive/main.zip``: the archive of a branch moves with it (a tag
    or a full commit is fixed)."""
    m = re.search(_ARCHIVE, url)
    if not m or "/archive/refs/tags/" in url:
        return False
    ref = m.group(1)
    if ref.endswith(".tar"):
        ref = ref[:-4]
    return not re.match(_FIXED_REF, ref)


@rule(code="DKL501", name="python-requirement-unpinned", severity="warning", tags=("reproducibility", "python"), hadolint=("DL3013",))
def python_requirement_unpinned(model) -> Iterator[Hit]:
    """Python requirement installed without an exact version.

    ## What it does
    Reports each requirement an install command puts into the image when nothing fixes its
    version: no `==`/`===` in the manifest, no exact pin in a constraints file (`-c`,
    `PIP_CONSTRAINT`), not installed from a lock file (`uv.lock`, `poetry.lock`,
    `Pipfile.lock`, `pdm.lock`), and not in hash-checking mode (`--require-hashes`, which makes
    pip reject anything not pinned). A VCS requirement pinned to a full commit counts as pinned;
    a branch or tag does not. Requirements read from files are reported at their manifest line,
    inline ones at the Dockerfile line. Packaging tools installed inline
    (`pip install --upgrade pip setuptools wheel`) are bootstraps and are not reported. A
    constraints file pip fetches from a URL is trusted to pin (it cannot be read offline).

    Unlike hadolint's DL3013, which treats every `-r file` as pinned without reading it, the
    file is read.

    ## Why is this bad?
    The image you build next month is not the one you tested: a new release of any dependency
    can change behaviour, drop a wheel for your platform (a source build on Alpine), or break
    the build. A rebuild to patch the base image should not also upgrade your libraries.

    ## How to fix
    Pin exact versions (`pip-compile`, `uv pip compile`, `uv export`, `poetry export`), or keep
    ranges in the manifest and install with a lock or a constraints file.

    ## Bad
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install --no-cache-dir flask
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install --no-cache-dir flask==3.0.3
    ```
    """
    seen: Set[Tuple[str, int, str]] = set()
    dockerfile = model.path
    for sp in model.plan.stages:
        pinned: Set[Tuple[str, str]] = set()  # (location, name) installed with a pin earlier in the stage
        for inst in sp.installs:
            upgrade = inst.has("upgrade") or inst.has("force-reinstall")
            for pkg in inst.packages:
                if pkg.name and (pkg.version or pkg.pinned_by):
                    pinned.add((inst.location, pkg.name))
                if not pkg.direct or pkg.pinned_by or pkg.tooling or pkg.version:
                    continue
                if not upgrade and (inst.location, pkg.name) in pinned:
                    continue  # pip finds the pinned release already installed: nothing floats
                r = pkg.req
                archive = bool(r.url) and not r.is_vcs and _branch_archive(r.url)
                if (not pkg.name and not archive) or (r.url and not r.is_vcs and not archive):
                    continue  # local paths, the project itself, fixed file URLs
                origin = pkg.origin
                name = pkg.name or _archive_name(r.url)
                key = (origin.path, origin.line, name)
                if key in seen:
                    continue
                seen.add(key)
                why = _why_floating(pkg)
                msg = f"`{name}` is not pinned ({why}): each build may install another release; pin it or use a lock"
                if origin.path == dockerfile:
                    yield at_command(inst.command, msg) if inst.command is not None else at(inst.instruction, msg)
                else:
                    related = (Related(dockerfile, inst.line, inst.column, f"installed here ({inst.tool}, stage {sp.stage.label})"),)
                    yield _manifest_hit(origin, msg, related, anchor=inst.line)


RULES = [manifest_invalid, manifest_not_found, python_requirement_unpinned]
