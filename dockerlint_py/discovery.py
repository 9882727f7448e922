"""Finding the files to lint.

A directory is walked for Dockerfiles by name; ``.git``, virtual environments, ``node_modules``
and configured excludes are skipped. Symlinked directories are not followed (no loops).
"""

from __future__ import annotations

import fnmatch
import os
from typing import Iterable, Iterator, List, Sequence, Set

__all__ = ["is_dockerfile_name", "iter_dockerfiles", "SKIP_DIRS", "matches_any"]

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "site-packages",
        ".direnv",
    }
)

# Names that look like Dockerfiles but are documentation, templates, backups or source code.
# .pre-commit-hooks.yaml's `exclude:` carries the same list (tests/test_hooks_manifest.py checks
# that the hook and this function agree on one table of names).
_NOT_DOCKERFILE_SUFFIXES = (
    ".md", ".rst", ".txt", ".adoc", ".html",  # documentation
    ".dockerignore",
    ".j2", ".jinja", ".jinja2", ".tmpl", ".tpl", ".template", ".mustache", ".erb",  # templates
    ".orig", ".rej", ".swp", ".bak", "~",  # editor and patch leftovers
    ".py", ".js", ".ts", ".go", ".sh", ".json", ".yml", ".yaml", ".toml",  # code about Dockerfiles
)


def is_dockerfile_name(name: str) -> bool:
    """True for ``Dockerfile``, ``Dockerfile.*``, ``Dockerfile-*``, ``*.Dockerfile``,
    ``*.dockerfile``, ``Containerfile`` and ``Containerfile.*``/``-*`` (and the two names in lower
    case, exactly: ``src/dockerfile.py`` is code). Templates (``*.j2``, ``*.tmpl``, ``*.template``),
    documentation and backups are not Dockerfiles."""
    if name in ("Dockerfile", "Containerfile", "dockerfile", "containerfile"):
        return True
    lower = name.lower()
    if lower.endswith(_NOT_DOCKERFILE_SUFFIXES):
        return False
    if name.startswith(("Dockerfile.", "Dockerfile-", "Containerfile.", "Containerfile-")):
        return True
    if name.endswith((".Dockerfile", ".dockerfile", ".Containerfile", ".containerfile")):
        return True
    return False


def _is_venv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def matches_any(path: str, patterns: Sequence[str]) -> bool:
    """gitignore-flavoured matching of a ``/``-separated relative path against patterns."""
    if not patterns:
        return False
    parts = path.split("/")
    for pat in patterns:
        p = pat.strip()
        if not p:
            continue
        anchored = p.startswith("/")
        p = p.strip("/")
        if "/" in p or anchored:
            if fnmatch.fnmatchcase(path, p) or fnmatch.fnmatchcase(path, p + "/*"):
                return True
            # a directory pattern matches everything below it
            for k in range(1, len(parts)):
                if fnmatch.fnmatchcase("/".join(parts[:k]), p):
                    return True
        else:
            if any(fnmatch.fnmatchcase(part, p) for part in parts):
                return True
    return False


def iter_dockerfiles(root: str, exclude: Sequence[str] = ()) -> Iterator[str]:
    """Dockerfile paths below ``root`` in a stable (sorted) order: the session's walk (default
    folders skipped, ``exclude`` applied), without configuration or ``.gitignore``."""
    from .engine import LintOptions
    from .session import Session

    yield from Session(LintOptions(use_config=False), exclude=tuple(exclude), respect_gitignore=False).walk(root)


def expand_paths(paths: Iterable[str], exclude: Sequence[str] = ()) -> Iterator[str]:
    for p in paths:
        if p != "-" and os.path.isdir(p) and not is_dockerfile_name(os.path.basename(p.rstrip("/"))):
            yield from iter_dockerfiles(p, exclude)
        else:
            yield p


def repository_root(path: str) -> str:
    """The nearest directory above ``path`` holding ``.git``; the current directory otherwise."""
    from .safe_read import repo_root

    return repo_root(os.path.dirname(os.path.abspath(path))) or os.getcwd()


def consumers_of(manifests: Sequence[str], options) -> List[str]:
    """Dockerfiles in the manifests' repository whose install plan reads one of them."""
    candidates: List[str] = []
    for root in sorted({repository_root(m) for m in manifests}):
        candidates.extend(iter_dockerfiles(root))
    return consumers_among(candidates, manifests, options)


def consumers_among(candidates: Sequence[str], manifests: Sequence[str], options) -> List[str]:
    """The ``candidates`` whose install plan reads one of ``manifests``.

    Used when a commit touches only ``requirements.txt``: the Dockerfiles that install it are
    the ones to lint. Each candidate Dockerfile is parsed and resolved; nothing is executed."""
    from .engine import read_source
    from .errors import DockerlintError
    from .model.dockerfile import decode_source, parse_dockerfile
    from .model.resolve import BuildOptions, resolve

    wanted = {os.path.realpath(m) for m in manifests}
    out: List[str] = []
    for root in ("",):
        for df in candidates:
            data, err = read_source(df)
            if err is not None or data is None:
                continue
            try:
                model = resolve(parse_dockerfile(decode_source(data, df), df), BuildOptions(dict(options.build_args), options.target, options.arch, options.context))
                plan = model.plan
            except DockerlintError:
                continue
            used: Set[str] = set()
            for sp in plan.stages:
                for inst in sp.installs:
                    used.update(os.path.realpath(p) for p in inst.manifests)
                    used.update(os.path.realpath(p.origin.path) for p in inst.packages)
            if used & wanted:
                out.append(df)
    return out
