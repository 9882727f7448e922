"""Project installers (uv sync/export, poetry, pipenv, pdm): the project's manifest and lock in
the image, the groups and extras selected, and the packages installed -- from the lock when it
can be read, else from the manifest's declarations."""

from __future__ import annotations

import os
import posixpath
from typing import AbstractSet, Callable, List, Mapping, Optional

from ..._record import Record
from ...manifests import Manifest, canonical
from ...model.commands import ToolCommand
from .common import At, plan_options
from .fs import abs_path
from .packages import LockSelection, PackagePolicy, from_lock, group_selected, plan_packages
from .types import Install, Options, PlannedPackage

__all__ = ["ProjectTool", "install_project", "declared_groups"]


class ProjectTool(Record):
    """How one project installer reads a project."""

    name: str  # the plan's tool name: "uv sync", "uv export", "poetry", "poetry export", "pipenv", "pdm"
    lock_name: str  # "uv.lock", "poetry.lock", "Pipfile.lock", "pdm.lock"
    groups: Callable[[Options, Optional[Manifest]], AbstractSet[str]]  # development groups selected
    location: Callable[[Options, Mapping[str, str], str], str]  # (options, env, project dir) -> where
    manifest_name: str = "pyproject.toml"
    manifest_kind: str = "pyproject"
    only_groups: Callable[[Options], bool] = lambda opts: False  # the main group is not implied
    inline_operands: bool = False  # operands are requirements to add (`pipenv install flask`)
    exports: bool = False  # writes a requirements file (-o) instead of installing


def declared_groups(pyproject: Optional[Manifest]) -> AbstractSet[str]:
    """Development groups the project declares."""
    return {r.group[6:] for r in (pyproject.requirements if pyproject else ()) if r.group.startswith("group:")}


def main_only(opts: Options, pyproject: Optional[Manifest]) -> AbstractSet[str]:
    return {"main"}


def system_location(opts: Options, env: Mapping[str, str], project: str) -> str:
    return "system"


def active_venv(env: Mapping[str, str], project: str) -> Optional[str]:
    """An activated virtualenv is used as is."""
    return abs_path(env["VIRTUAL_ENV"], project) if env.get("VIRTUAL_ENV") else None


def install_project(at: At, tc: ToolCommand, tool: ProjectTool) -> Optional[Install]:
    from ...manifests.requirements import parse_requirement_line

    opts = plan_options(tc)
    project = at.path((opts.get("project") or opts.get("directory") or [at.cwd])[-1])
    origin = at.origin
    manifests: List[str] = []
    where = tool.location(opts, at.env, project)
    py_host, py_root = at.host_file(posixpath.join(project, tool.manifest_name))
    lock_host, lock_root = at.host_file(posixpath.join(project, tool.lock_name))
    pyproject = at.files.manifest(py_host, tool.manifest_kind, py_root) if py_host and not os.path.isdir(py_host) else None
    lock = at.files.manifest(lock_host, None, lock_root) if lock_host and not os.path.isdir(lock_host) else None
    if tool.inline_operands and tc.operands:
        reqs = [r for r in (parse_requirement_line(p, origin)[0] for p in tc.operands) if r is not None]
        inline = plan_packages(at.plan, reqs, (), PackagePolicy(origin, no_deps="no-deps" in opts))
        return Install(at.instruction, at.command, tool.name, opts, tuple(inline), (), where, None)
    if pyproject is None and lock is None:
        return Install(at.instruction, at.command, tool.name, opts, (), (), where, None)
    if pyproject is not None:
        manifests.append(pyproject.path)
    extras = {canonical(e) for v in opts.get("extra", ()) for e in v.replace(",", " ").split()}
    sel = LockSelection(tool.groups(opts, pyproject), extras, "all-extras" in opts, tool.only_groups(opts))
    packages: List[PlannedPackage] = []
    lock_used: Optional[str] = None
    if lock is not None and not lock.problems:
        lock_used = lock.path
        manifests.append(lock.path)
        packages = from_lock(at.plan, lock, pyproject, sel)
    elif pyproject is not None:
        reqs = [r for r in pyproject.requirements if group_selected(r.group, sel)]
        packages = plan_packages(at.plan, reqs, (), PackagePolicy(origin, no_deps="no-deps" in opts))
        lock_path = posixpath.join(project, tool.lock_name)
        if lock_path in at.fs.unseen or (lock is not None and lock.problems) or {"frozen", "locked", "deploy"} & set(opts):
            # the command installs from a lock we cannot read (not in the context we see,
            # or unparsable): versions are fixed by it, only which ones is unknown
            packages = [p._replace(pinned_by="lock (unreadable)") if p.direct else p for p in packages]
            lock_used = lock_path
    result = Install(at.instruction, at.command, tool.name, opts, tuple(packages), tuple(manifests), where, lock_used)
    if tool.exports:
        out = tc.values("--output-file", "--output")
        if out:
            at.fs.generated[at.path(out[-1])] = (result,)
        return None
    return result
