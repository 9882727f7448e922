"""PDM: ``pdm install``/``sync`` from ``pdm.lock`` (every group by default; ``--prod`` keeps the
main dependencies and the groups named with ``-G``); the environment is the project's ``.venv``."""

from __future__ import annotations

import posixpath
from typing import AbstractSet, Mapping, Optional

from ...manifests import Manifest, canonical
from ...model.commands import ToolCommand
from .common import At
from .project import ProjectTool, active_venv, declared_groups, install_project
from .types import Install, Options

__all__ = ["install"]


def _groups(opts: Options, pyproject: Optional[Manifest]) -> AbstractSet[str]:
    if "prod" in opts:
        return {"main"} | {canonical(g) for g in opts.get("group", ())}
    return {"main"} | declared_groups(pyproject)


def _location(opts: Options, env: Mapping[str, str], project: str) -> str:
    return active_venv(env, project) or posixpath.join(project, ".venv")


INSTALL = ProjectTool("pdm", "pdm.lock", _groups, _location)


def install(at: At, tc: ToolCommand) -> Optional[Install]:
    if tc.subcommand in ("install", "sync"):
        return install_project(at, tc, INSTALL)
    return None
