"""The per-stage install plan: which Python distributions end up in which stage, and why.

For every stage the plan lists its install commands (pip, uv, poetry, pipenv, pdm, pip-sync) with
the options that change what gets installed, and for every command the packages it installs:
name, the exact version when one is fixed (pin, constraint, lock), extras, the declaring location
(manifest line or Dockerfile line), direct or transitive (from a lock, or inferred from the
bundled map of what popular packages pull in). Environments copied between stages
(``COPY --from=builder /opt/venv /opt/venv``) carry their packages along.

Host files are found by following COPY/ADD (and ``RUN --mount=type=bind``) back to the build
context. Nothing from the linted repository is executed.

Layout: :mod:`.types` (what the plan records), :mod:`.fs` (the container filesystem and the
build context's files), :mod:`.common` (where a command runs, its options read with the tool's
grammar), one module per installer (:mod:`.pip`, :mod:`.uv`, :mod:`.poetry`, :mod:`.pipenv`,
:mod:`.pdm`; the project installers share :mod:`.project`), :mod:`.packages` (pins, constraints,
locks, inferred transitive packages) and :mod:`.builder` (the walk).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Optional

from ...model.context import BuildContext
from .packages import inferred_natives
from .types import TOOLING, CopiedEnv, Install, InstallPlan, MissingManifest, PlannedPackage, StagePlan

if TYPE_CHECKING:
    from ...model.resolve import DockerfileModel

__all__ = ["PlannedPackage", "Install", "CopiedEnv", "StagePlan", "InstallPlan", "MissingManifest", "build_plan", "inferred_natives", "TOOLING"]


def build_plan(model: DockerfileModel, context: Optional[BuildContext] = None) -> InstallPlan:
    """The install plan of a resolved Dockerfile (the context defaults to its directory)."""
    from .builder import build

    path = model.parsed.path
    if context is None:
        base = os.path.dirname(os.path.abspath(path)) if path not in ("-", "<stdin>") else os.getcwd()
        context = BuildContext(base, False, path)
    return build(model, context)
