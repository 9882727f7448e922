"""Requirement strings, Poetry constraints and versions found in the corpus manifests
(``../shared/corpus``), for the library oracle tests. Every function returns an empty list when
the corpus is absent; the tests skip then."""

import functools
import os
import re

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "corpus"))


def corpus_present() -> bool:
    return os.path.isdir(CORPUS)


def _files(pred):
    out = []
    for root, dirs, files in os.walk(CORPUS):
        dirs.sort()
        for f in sorted(files):
            if pred(f):
                out.append(os.path.join(root, f))
    return out


def _toml(path):
    try:
        import tomllib
    except ImportError:  # pragma: no cover (Python < 3.11)
        import tomli as tomllib
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except Exception:
        return None


@functools.lru_cache(maxsize=None)
def requirement_strings():
    """Every PEP 508 candidate: the requirement part of each requirements-file line (options,
    includes, URLs and paths left out) and each PEP 621 / PEP 735 dependency string."""
    if not corpus_present():
        return []
    from dockerlint_py.manifests.requirements import _URL_RE, _logical_lines, _split_options, looks_like_path

    out = set()
    for path in _files(lambda f: re.search(r"(requirements|constraints).*\.(txt|in)$", f) is not None):
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        for _line, logical in _logical_lines(text):
            if logical.startswith("-") or "${" in logical:
                continue
            head, _opts = _split_options(logical)
            if _URL_RE.match(head) or looks_like_path(head.split(";", 1)[0].strip()):
                continue
            out.add(head)
    for path in _files(lambda f: f == "pyproject.toml"):
        data = _toml(path) or {}
        project = data.get("project") or {}
        lists = [project.get("dependencies") or []]
        lists += list((project.get("optional-dependencies") or {}).values())
        lists += list((data.get("dependency-groups") or {}).values())
        for items in lists:
            out.update(x for x in items if isinstance(x, str))
    return sorted(out)


@functools.lru_cache(maxsize=None)
def poetry_constraints():
    """Every version constraint of a ``[tool.poetry]`` dependency table in the corpus."""
    if not corpus_present():
        return []
    out = set()
    for path in _files(lambda f: f == "pyproject.toml"):
        poetry = ((_toml(path) or {}).get("tool") or {}).get("poetry") or {}
        tables = [poetry.get("dependencies") or {}, poetry.get("dev-dependencies") or {}]
        tables += [(g or {}).get("dependencies") or {} for g in (poetry.get("group") or {}).values()]
        for table in tables:
            for value in table.values():
                for v in value if isinstance(value, list) else [value]:
                    if isinstance(v, dict):
                        v = v.get("version")
                    if isinstance(v, str):
                        out.add(v)
    return sorted(out)


_VERSION_RE = re.compile(r"(?<![\w.])v?\d+(?:\.\d+)*(?:[-_.]?(?:a|b|rc|c|alpha|beta|pre|preview)\d*)?(?:[-_.]?(?:post|rev|r)\d*)?(?:[-_.]?dev\d*)?(?:\+[a-z0-9.]+)?(?![\w.])", re.I)


@functools.lru_cache(maxsize=None)
def versions():
    """Version strings of the corpus: every version in a requirement specifier, a Poetry
    constraint or a lock file's ``version`` entries."""
    if not corpus_present():
        return []
    out = set()
    for s in requirement_strings() + poetry_constraints():
        out.update(m.group(0) for m in _VERSION_RE.finditer(s.split(";", 1)[0]))
    for path in _files(lambda f: f in ("poetry.lock", "uv.lock", "pdm.lock")):
        data = _toml(path) or {}
        for pkg in data.get("package") or []:
            if isinstance(pkg, dict) and isinstance(pkg.get("version"), str):
                out.add(pkg["version"])
    import json

    for path in _files(lambda f: f == "Pipfile.lock"):
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except Exception:
            continue
        for section in ("default", "develop"):
            for entry in (data.get(section) or {}).values():
                v = entry.get("version") if isinstance(entry, dict) else None
                if isinstance(v, str) and v.startswith("=="):
                    out.add(v[2:])
    from packaging.version import InvalidVersion, Version

    good = []
    for v in sorted(out):
        try:
            Version(v)
        except InvalidVersion:
            continue
        good.append(v)
    return good
