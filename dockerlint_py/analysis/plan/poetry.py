"""Poetry: ``poetry install``/``sync`` (every non-optional group by default; ``--with``,
``--without``, ``--only``) and ``poetry export`` (writes a requirements file)."""

from __future__ import annotations

import posixpath
from typing import AbstractSet, Iterable, Mapping, Optional, Set

from ...manifests import Manifest, canonical
from ...model.commands import ToolCommand
from .common import At
from .project import ProjectTool, active_venv, declared_groups, install_project, main_only, system_location
from .types import Install, Options

__all__ = ["install"]


def _names(values: Iterable[str]) -> Set[str]:
    return {canonical(g) for v in values for g in v.split(",")}


def _groups(opts: Options, pyproject: Optional[Manifest]) -> AbstractSet[str]:
    if "only" in opts:
        return _names(opts["only"])
    groups: Set[str] = {"main"}
    if "no-dev" in opts:
        return groups
    groups |= declared_groups(pyproject)  # poetry installs every non-optional group by default
    groups |= _names(opts.get("with", ()))
    groups -= _names(opts.get("without", ()))
    return groups


def _location(opts: Options, env: Mapping[str, str], project: str) -> str:
    venv = active_venv(env, project)
    if venv:
        return venv
    if env.get("POETRY_VIRTUALENVS_CREATE", "true").lower() in ("false", "0"):
        return "system"
    if env.get("POETRY_VIRTUALENVS_IN_PROJECT", "").lower() in ("true", "1"):
        return posixpath.join(project, ".venv")
    return "/root/.cache/pypoetry/virtualenvs"


INSTALL = ProjectTool("poetry", "poetry.lock", _groups, _location, only_groups=lambda opts: "only" in opts)
EXPORT = ProjectTool("poetry export", "poetry.lock", main_only, system_location, exports=True)


def install(at: At, tc: ToolCommand) -> Optional[Install]:
    if tc.subcommand in ("install", "sync"):
        return install_project(at, tc, INSTALL)
    if tc.subcommand == "export":
        return install_project(at, tc, EXPORT)
    return None
