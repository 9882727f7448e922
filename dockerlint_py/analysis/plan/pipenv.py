"""Pipenv: ``pipenv install``/``sync`` from ``Pipfile.lock`` (or the Pipfile), ``--dev``,
``--system``; ``pipenv install NAME`` adds inline requirements."""

from __future__ import annotations

import posixpath
from typing import AbstractSet, Mapping, Optional

from ...manifests import Manifest
from ...model.commands import ToolCommand
from .common import At
from .project import ProjectTool, active_venv, install_project
from .types import Install, Options

__all__ = ["install"]


def _groups(opts: Options, pyproject: Optional[Manifest]) -> AbstractSet[str]:
    return {"main", "dev"} if "dev" in opts else {"main"}


def _location(opts: Options, env: Mapping[str, str], project: str) -> str:
    if "system" in opts:
        return "system"
    venv = active_venv(env, project)
    if venv:
        return venv
    if env.get("PIPENV_VENV_IN_PROJECT", "").lower() in ("1", "true"):
        return posixpath.join(project, ".venv")
    return "/root/.local/share/virtualenvs"


INSTALL = ProjectTool("pipenv", "Pipfile.lock", _groups, _location, manifest_name="Pipfile", manifest_kind="Pipfile", inline_operands=True)


def install(at: At, tc: ToolCommand) -> Optional[Install]:
    if tc.subcommand in ("install", "sync"):
        return install_project(at, tc, INSTALL)
    return None
