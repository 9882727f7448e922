"""uv: ``uv pip install``/``uv pip sync`` (pip's model), ``uv sync`` and ``uv export`` (projects
with ``uv.lock``; the environment is ``.venv`` of the project unless told otherwise)."""

from __future__ import annotations

import posixpath
from typing import AbstractSet, Mapping, Optional, Set

from ...manifests import Manifest, canonical
from ...model.commands import ToolCommand
from . import pip
from .common import At, plan_options
from .fs import abs_path
from .project import ProjectTool, declared_groups, install_project
from .types import Install, Options

__all__ = ["install"]


def _groups(opts: Options, pyproject: Optional[Manifest]) -> AbstractSet[str]:
    if "only-group" in opts:
        return {canonical(g) for g in opts["only-group"]}
    groups: Set[str] = {"main"}
    if "no-dev" not in opts and "no-default-groups" not in opts:
        groups.add("dev")
    if "all-groups" in opts:
        groups |= declared_groups(pyproject)
    groups |= {canonical(g) for g in opts.get("group", ())}
    groups -= {canonical(g) for g in opts.get("no-group", ())}
    return groups


def _location(opts: Options, env: Mapping[str, str], project: str) -> str:
    if env.get("UV_PROJECT_ENVIRONMENT"):
        return abs_path(env["UV_PROJECT_ENVIRONMENT"], project)
    if "system" in opts:
        return "system"
    return posixpath.join(project, ".venv")


SYNC = ProjectTool("uv sync", "uv.lock", _groups, _location)
EXPORT = SYNC._replace(name="uv export", exports=True)


def install(at: At, tc: ToolCommand) -> Optional[Install]:
    sub = tc.subcommand
    if sub == "pip install":
        return pip.install_requirements(at, "uv pip", plan_options(tc), tc.operands)
    if sub == "pip sync":
        return pip.install_sync(at, tc, "uv pip sync")
    if sub == "sync":
        return install_project(at, tc, SYNC)
    if sub == "export":
        return install_project(at, tc, EXPORT)
    return None
