"""The rule registry.

Built-in rules are registered through the ``dockerlint_py.rules`` entry-point group, exactly as
a plugin's are (flake8's model). An entry point names a module (every :class:`Rule` it defines is
registered: there is no list to forget), a callable returning rules, or a single Rule. The
built-ins' entry point is :func:`builtin_rules`, which imports every public module of this
package, so adding a rule module touches nothing else. From a source tree without installed
metadata the same function is called directly.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

from .._record import Record
from ._base import Rule

__all__ = ["Rule", "load_rules", "ENTRY_POINT_GROUP", "builtin_rules", "builtin_modules", "module_rules"]

ENTRY_POINT_GROUP = "dockerlint_py.rules"
BUILTIN_ENTRY = "dockerlint_py.rules:builtin_rules"


def builtin_modules() -> List[str]:
    """Every public module of this package: a new rule module needs no registration anywhere."""
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    return sorted(f"{__name__}.{n[:-3]}" for n in os.listdir(here) if n.endswith(".py") and not n.startswith("_"))


def builtin_rules() -> List[Rule]:
    """The built-in rules, registered through the entry-point group like any plugin's."""
    import importlib

    out: List[Rule] = []
    for name in builtin_modules():
        out.extend(module_rules(importlib.import_module(name)))
    return out


_CACHE: List[Tuple[Dict[str, Rule], List[str]]] = []


def module_rules(module) -> List[Rule]:
    """Every :class:`Rule` a module defines at top level (registration is automatic: a rule
    defined in a rules module exists; there is no list to forget to update)."""
    name = getattr(module, "__name__", "")
    return [v for v in vars(module).values() if isinstance(v, Rule) and (v.module == name or not v.module)]


def _collect(obj, origin: str, warnings: List[str]) -> List[Rule]:
    if isinstance(obj, Rule):
        return [obj]
    rules = getattr(obj, "RULES", None)
    if hasattr(obj, "__dict__") and not callable(obj):
        found = module_rules(obj)
        if found:  # a module: every Rule it defines, plus any its RULES list adds
            return found + [r for r in (rules or ()) if isinstance(r, Rule) and r not in found]
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


class _EntryPoint(Record):
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

    The same data ``importlib.metadata.entry_points()`` reads, read the way it reads it, without
    importing it (that costs ~30 ms of start-up, on every pre-commit run): each
    ``*.dist-info``/``*.egg-info`` directory on ``sys.path`` (and the ``EGG-INFO`` of a ``.egg``
    directory on it), the first distribution of a normalised name winning; ``[section]`` lines
    and ``#`` comments as its parser takes them. ``tests/test_oracle_entry_points.py`` holds it
    to ``importlib.metadata``. Not read: zip archives on ``sys.path``.

    Only installed distributions count: the current directory is never searched (``python -m``
    puts it, or ``''``, first on ``sys.path``, and the linted repository must not be able to plant
    a plugin that then runs), nor is any relative ``sys.path`` entry."""
    import os
    import re
    import sys

    out: List[_EntryPoint] = []
    seen = set()
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
        is_egg = os.path.basename(base).lower().endswith(".egg")
        metas = []
        for n in names:
            low = n.lower()
            if low.endswith((".dist-info", ".egg-info")):
                metas.append((low.rpartition(".")[0].partition("-")[0], n))
            elif is_egg and low == "egg-info":
                metas.append((os.path.basename(base).lower().rpartition(".")[0].partition("-")[0], n))
        for stem, n in metas:
            dist = re.sub(r"[-_.]+", "-", stem).lower()
            if dist in seen:
                continue
            seen.add(dist)
            try:
                with open(os.path.join(base, n, "entry_points.txt"), encoding="utf-8") as fh:
                    text = fh.read()
            except OSError:
                continue
            if ENTRY_POINT_GROUP not in text:
                continue
            inside = False
            for line in text.splitlines():
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                if line.startswith("[") and line.endswith("]"):
                    inside = line.strip("[]") == ENTRY_POINT_GROUP
                elif inside and "=" in line:
                    name, value = line.split("=", 1)
                    out.append(_EntryPoint(name.strip(), value.strip(), dist))
    return out


def load_rules() -> Tuple[Dict[str, Rule], List[str]]:
    """All rules by code, and warnings about plugins that could not be loaded."""
    if _CACHE:
        return _CACHE[0]
    warnings: List[str] = []
    found: Dict[str, Rule] = {}
    eps = _entry_points()
    for ep in eps:
        try:
            obj = ep.load()
        except Exception as exc:
            warnings.append(f"plugin {ep.name} ({ep.value}): cannot be loaded: {type(exc).__name__}: {exc}")
            continue
        for r in _collect(obj, f"{ep.name} ({ep.value})", warnings):
            if r.code in found:
                warnings.append(f"rule {r.code} from {ep.value} ignored: the code is already used by {found[r.code].name}")
                continue
            found[r.code] = r
    if not any(ep.value == BUILTIN_ENTRY for ep in eps):
        # a source tree without installed metadata: the same function, called directly
        for r in builtin_rules():
            found.setdefault(r.code, r)
    result = (dict(sorted(found.items())), warnings)
    _CACHE.append(result)
    return result
