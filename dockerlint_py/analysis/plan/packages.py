"""From declarations to planned packages: pins, constraints, markers, hash mode, packages a lock
closes over, and transitive compiled packages inferred from the bundled map (no lock)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, AbstractSet, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple, cast

from ..._record import Record
from ...manifests import Manifest, Origin, Req, canonical
from ...manifests.markers import marker_holds
from .types import TOOLING, PlannedPackage, StagePlan

if TYPE_CHECKING:
    from ...manifests.locks import LockedPackage

__all__ = ["PackagePolicy", "LockSelection", "plan_packages", "from_lock", "group_selected", "inferred_natives"]

# (name, version, parent requirement) of a compiled package pulled in transitively
Native = Tuple[str, str, str]
_Table = Dict[Tuple[str, Tuple[str, ...]], Tuple[str, List[Native]]]

_TRANSITIVE: List[_Table] = []
_MAP_MIN_PYTHON = (3, 10)  # the map was resolved for CPython 3.11; older Pythons get older releases


def _transitive_map() -> _Table:
    if not _TRANSITIVE:
        from ...knowledge import load_toml

        data = load_toml("transitive.toml")
        table: _Table = {}
        for entry in data.get("line", ()):
            m = re.match(r"^([A-Za-z0-9._-]+)(?:\[([^\]]*)\])?$", entry["requirement"])
            if not m:
                continue
            extras = tuple(sorted(canonical(x) for x in (m.group(2) or "").split(",") if x.strip()))
            natives = [cast(Native, tuple(n)) for n in entry.get("natives", ())]
            table[(canonical(m.group(1)), extras)] = (str(entry.get("version", "")), natives)
        _TRANSITIVE.append(table)
    return _TRANSITIVE[0]


def inferred_natives(name: str, extras: Sequence[str], version: Optional[str] = None, python: Optional[str] = None) -> List[Native]:
    """Native packages ``name[extras]`` pulls in by default, per the bundled map.

    Applied only where the map is valid: an unpinned requirement or a pin of the same major
    version as the resolved release, on CPython >= 3.10 (the map was resolved for 3.11; on an
    unknown or older Python, Python 2 included, only the explicit ``[pulls]`` table applies)."""
    if not python:
        return _pulled(name, extras, version, set())
    try:
        if tuple(int(x) for x in python.split(".")[:2]) < _MAP_MIN_PYTHON:
            return _pulled(name, extras, version, set())
    except ValueError:
        return []
    table = _transitive_map()
    out: List[Native] = []
    seen: Set[str] = set()
    keys: List[Tuple[str, Tuple[str, ...]]] = [(name, ())] + [(name, (canonical(e),)) for e in extras]
    for key in keys:
        entry = table.get(key)
        if entry is None:
            continue
        resolved, natives = entry
        if version and resolved and version.split(".")[0] != resolved.split(".")[0]:
            continue
        for n, v, parent in natives:
            if n != name and n not in seen:
                seen.add(n)
                out.append((n, v, parent))
    out.extend(_pulled(name, extras, version, seen))
    return out


def _pulled(name: str, extras: Sequence[str], version: Optional[str], seen: Set[str]) -> List[Native]:
    """Compiled distributions an extra or a plain dependency pulls (knowledge ``[pulls]``)."""
    from ...knowledge.native import pulled_natives

    parent = f"{name}[{','.join(extras)}]" if extras else name
    return [(n, "", parent) for n in pulled_natives(name, tuple(canonical(e) for e in extras), version) if n != name and n not in seen]


class PackagePolicy(Record):
    """How an install command turns declarations into packages."""

    inline_origin: Origin  # the command's own location (inline requirements)
    hash_mode: bool = False  # every requirement must carry hashes: versions are fixed by them
    remote_constraints: bool = False  # constraints from a URL fix versions we cannot see
    no_deps: bool = False  # `--no-deps`: nothing transitive


def plan_packages(sp: StagePlan, reqs: Iterable[Req], constraints: Iterable[Req], policy: PackagePolicy) -> List[PlannedPackage]:
    """The packages an install of ``reqs`` under ``constraints`` puts in the stage."""
    by_name: Dict[str, Req] = {}
    for c in constraints:
        if c.name and c.pinned_version and (not c.marker or marker_holds(c.marker, sp.env)):
            by_name[c.name] = c
    out: List[PlannedPackage] = []
    seen: Set[Tuple[str, str]] = set()
    inline = policy.inline_origin
    for r in reqs:
        if r.marker and not marker_holds(r.marker, sp.env):
            continue
        key = (r.name or r.url or "", r.origin.path)
        if key in seen:
            continue
        seen.add(key)
        version = r.pinned_version
        pinned_by = ("lock" if r.locked_version else "manifest") if version else None
        if version is None and r.name in by_name:
            version = by_name[r.name].pinned_version
            pinned_by = "constraint"
        if pinned_by is None and r.vcs_commit_pinned:
            pinned_by = "vcs-commit"
        if pinned_by is None and policy.hash_mode:
            pinned_by = "hashes"
        if pinned_by is None and policy.remote_constraints:
            pinned_by = "remote-constraints"
        is_inline = r.origin.path == inline.path and r.origin.line == inline.line
        tooling = is_inline and r.name in TOOLING
        out.append(PlannedPackage(r.name, version, r.specifier, r.extras, r, True, (), False, pinned_by, tooling=tooling))
        if not policy.no_deps and r.name:
            for n, _v, parent in inferred_natives(r.name, r.extras, version, sp.python):
                if any(p.name == n for p in out):
                    continue
                chain = (r.name,) + ((_bare_name(parent),) if parent and canonical(parent.split("[")[0]) != r.name else ())
                pv = by_name[n].pinned_version if n in by_name else None
                out.append(PlannedPackage(n, pv, "", (), r, False, chain, True, "constraint" if pv else None))
    return _drop_inferred_declared(out)


def _bare_name(requirement: str) -> str:
    return requirement.split("[")[0].split("<")[0].split(">")[0].split("=")[0].split("!")[0].split("~")[0]


def _drop_inferred_declared(pkgs: List[PlannedPackage]) -> List[PlannedPackage]:
    """An inferred transitive package that the same install also declares (pinned or not, on an
    earlier or a later line) is the declared one: drop the inferred copy."""
    declared = {p.name for p in pkgs if not p.inferred and p.name}
    return [p for p in pkgs if not (p.inferred and p.name in declared)]


class LockSelection(Record):
    """What a project install takes from the project: groups, extras."""

    groups: AbstractSet[str]  # development groups ("main" = the main dependencies)
    extras: AbstractSet[str]
    all_extras: bool
    only_groups: bool = False  # poetry --only: the main group is not implied


def group_selected(group: str, sel: LockSelection) -> bool:
    """Is a declaration of ``group`` ("", "extra:x", "group:y") part of the selection?"""
    if group == "":
        return "main" in sel.groups
    if group.startswith("extra:"):
        return sel.all_extras or group[6:] in sel.extras
    if group.startswith("group:"):
        return group[6:] in sel.groups
    return False


def from_lock(sp: StagePlan, lock: Manifest, pyproject: Optional[Manifest], sel: LockSelection) -> List[PlannedPackage]:
    """The packages an install from ``lock`` puts in the stage (closed over the selection)."""
    from ...manifests.locks import lock_closure

    packages = cast("Mapping[str, LockedPackage]", lock.extra.get("packages") or {})
    out: List[PlannedPackage] = []
    if lock.kind == "Pipfile.lock":
        for r in lock.requirements:
            if r.group and (r.group[6:] not in sel.groups):
                continue
            if r.marker and not marker_holds(r.marker, sp.env):
                continue
            out.append(PlannedPackage(r.name, r.pinned_version, r.specifier, r.extras, r, True, (), False, "lock" if r.pinned_version else ("vcs-commit" if r.vcs_commit_pinned else None)))
        return out
    direct_names: Set[str] = set()
    roots: List[Tuple[str, Tuple[str, ...]]] = []
    if pyproject is not None:
        for r in pyproject.requirements:
            if group_selected(r.group, sel) and (not r.marker or marker_holds(r.marker, sp.env)):
                roots.append((r.name, r.extras))
                direct_names.add(r.name)
    dev_groups: List[str] = []
    if lock.kind == "uv.lock":
        project_name = str((pyproject.extra.get("name") if pyproject else "") or "")
        root_pkg = packages.get(project_name) if project_name else next((p for p in packages.values() if p.source in ("virtual", "editable")), None)
        if root_pkg is not None:
            roots = [(root_pkg.name, tuple(sorted(sel.extras)) if not sel.all_extras else tuple(root_pkg.optional_deps))]
            dev_groups = [g for g in sel.groups if g != "main"]
            direct_names = {d[0] for d in root_pkg.deps} | {d[0] for g in dev_groups for d in root_pkg.dev_deps.get(g, ())}
    elif any(p.groups for p in packages.values()):
        # poetry.lock with `groups`, pdm.lock: select by group
        wanted = set(sel.groups) if sel.only_groups else set(sel.groups) | {"main", "default"}
        chosen = [(n, p) for n, p in packages.items() if set(p.groups) & wanted and (not p.marker or marker_holds(p.marker, sp.env))]
        return [_locked(lock, p, n in direct_names or not direct_names, ()) for n, p in chosen]
    if not roots:
        return [_locked(lock, p, True, ()) for p in packages.values() if not p.marker or marker_holds(p.marker, sp.env)]
    closure = lock_closure(packages, roots, sp.env, dev_groups)
    for name, (pkg, chain) in closure.items():
        if pkg.source in ("virtual", "editable") and not pkg.version:
            continue
        if lock.kind == "uv.lock" and pkg.source in ("virtual", "editable"):
            continue
        out.append(_locked(lock, pkg, name in direct_names, tuple(chain[1:]) if lock.kind == "uv.lock" else tuple(chain)))
    return out


def _locked(lock: Manifest, pkg: LockedPackage, direct: bool, chain: Tuple[str, ...]) -> PlannedPackage:
    req = Req(pkg.name, f"=={pkg.version}" if pkg.version else "", (), pkg.marker, Origin(lock.path, pkg.line, 1, 0), locked_version=pkg.version or None, text=f"{pkg.name}=={pkg.version}")
    return PlannedPackage(pkg.name, pkg.version or None, req.specifier, (), req, direct, chain, False, "lock" if pkg.version else None, pkg.files)
