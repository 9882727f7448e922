"""The rule registry.

Built-in rules are registered through the ``dockerlint_py.rules`` entry-point group, exactly as
a plugin's are: an entry point names a module with a ``RULES`` list (or a callable returning
rules, or a single :class:`Rule`). When the package is used from a source tree without
installed metadata, the built-in modules are imported directly.
"""

from __future__ import annotations

from typing import Dict, List, NamedTuple, Tuple

from ._base import Rule

__all__ = ["Rule", "load_rules", "ENTRY_POINT_GROUP", "BUILTIN_MODULES"]

ENTRY_POINT_GROUP = "dockerlint_py.rules"
BUILTIN_MODULES = ("dockerlint_py.rules.base_image", "dockerlint_py.rules.python_deps", "dockerlint_py.rules.musl",
    "dockerlint_py.rules.tls", "dockerlint_py.rules.hygiene", "dockerlint_py.rules.runtime",
)

_CACHE: List[Tuple[Dict[str, Rule], List[str]]] = []


def _collect(obj, origin: str, warnings: List[str]) -> List[Rule]:
    if isinstance(obj, Rule):
        return [obj]
    rules = getattr(obj, "RULES", None)
    if rules is None and callable(obj):
        try:
            rules = obj()
        except Exception as exc:  # a broken plugin must not break the run
            warnings.append(f"plugin {origin}: calling it failed: {exc}")
            return []
    if rules is None:
        warnings.append(f"plugin {origin}: no RULES found")
        return []
    out = [r for r in rules if isinstance(r, Rule)]
    if len(out) != len(list(rules)):
        warnings.append(f"plugin {origin}: ignored entries that are not Rule objects")
    return out


class _EntryPoint(NamedTuple):
    name: str
    value: str
    dist: str

    def load(self):
        import importlib

        module, _, attrs = self.value.partition(":")
        obj = importlib.import_module(module.strip())
        for part in attrs.strip().split(".") if attrs.strip() else ():
            obj = getattr(obj, part)
        return obj


def _entry_points() -> List[_EntryPoint]:
    """Entry points of our group, read from the ``entry_points.txt`` of installed distributions.

    The same data ``importlib.metadata.entry_points()`` reads, without importing it (that costs
    ~30 ms of start-up, on every pre-commit run): each ``*.dist-info``/``*.egg-info`` directory on
    ``sys.path``, first distribution of a name wins.

    Only installed distributions count: the current directory is never searched (``python -m``
    puts it, or ``''``, first on ``sys.path``, and the linted repository must not be able to plant
    a plugin that then runs), nor is any relative ``sys.path`` entry."""
    import os
    import re
    import sys

    out: List[_EntryPoint] = []
    seen = set()
    header = "[" + ENTRY_POINT_GROUP + "]"
    try:
        cwd = os.path.realpath(os.getcwd())
    except OSError:
        cwd = None
    for entry in sys.path:
        if not entry or not os.path.isabs(entry):
            continue
        base = entry
        try:
            if cwd is not None and os.path.realpath(base) == cwd:
                continue
        except OSError:
            continue
        try:
            names = sorted(os.listdir(base))
        except OSError:
            continue
        for n in names:
            if not n.endswith((".dist-info", ".egg-info")):
                continue
            dist = re.sub(r"[-_.]+", "-", n.rsplit(".", 1)[0].split("-")[0]).lower()
            if dist in seen:
                continue
            seen.add(dist)
            try:
                with open(os.path.join(base, n, "entry_points.txt"), encoding="utf-8") as fh:
                    text = fh.read()
            except OSError:
                continue
            if header not in text:
                continue
            inside = False
            for line in text.splitlines():
                line = line.strip()
                if line.startswith("["):
                    inside = line == header
                elif inside and "=" in line and not line.startswith(("#", ";")):
                    name, value = line.split("=", 1)
                    out.append(_EntryPoint(name.strip(), value.strip(), dist))
    return out


def load_rules() -> Tuple[Dict[str, Rule], List[str]]:
    """All rules by code, and warnings about plugins that could not be loaded."""
    if _CACHE:
        return _CACHE[0]
    warnings: List[str] = []
    found: Dict[str, Rule] = {}
    loaded_modules = set()
    eps = _entry_points()
    for ep in eps:
        try:
            obj = ep.load()
        except Exception as exc:
            warnings.append(f"plugin {ep.name} ({ep.value}): cannot be loaded: {type(exc).__name__}: {exc}")
            continue
        loaded_modules.add(ep.value.split(":")[0])
        for r in _collect(obj, f"{ep.name} ({ep.value})", warnings):
            if r.code in found:
                warnings.append(f"rule {r.code} from {ep.value} ignored: the code is already used by {found[r.code].name}")
                continue
            found[r.code] = r
    missing = [m for m in BUILTIN_MODULES if m not in loaded_modules]
    if missing:
        import importlib

        for mod_name in missing:
            mod = importlib.import_module(mod_name)
            for r in _collect(mod, mod_name, warnings):
                found.setdefault(r.code, r)
    result = (dict(sorted(found.items())), warnings)
    _CACHE.append(result)
    return result
