"""What every installer module gets: where the command runs (:class:`At`) and its options read
with the tool's grammar (:mod:`dockerlint_py.model.commands`), named the way the plan names them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Dict, Mapping, Optional, Sequence, Tuple

from ..._record import Record
from ...manifests import Manifest, Origin
from ...model.commands import ToolCommand, parse_tool_command
from ...model.dockerfile import Instruction
from ...model.shell import Command
from .fs import FsEntry, HostFiles, StageFs, abs_path
from .types import Options, StagePlan

if TYPE_CHECKING:
    from ...model.resolve import Stage

__all__ = ["At", "read_command", "plan_options", "PLAN_OPTIONS"]


class At(Record):
    """Where an install command runs: stage, simulated filesystem, environment, directory."""

    stage: Stage
    plan: StagePlan
    fs: StageFs
    files: HostFiles
    instruction: Instruction
    command: Command
    env: Mapping[str, str]  # ENV/ARG, exports and the command's prefix assignments
    cwd: str
    binds: Tuple[FsEntry, ...]
    dockerfile: str  # the Dockerfile's path as findings show it

    @property
    def origin(self) -> Origin:
        """The command's location, for requirements written inline."""
        cmd = self.command
        return Origin(self.dockerfile, cmd.line, cmd.column, cmd.end_column if cmd.end_line == cmd.line else 0)

    def path(self, path: str) -> str:
        return abs_path(path, self.cwd)

    def host_file(self, container_path: str) -> Tuple[Optional[str], Optional[str]]:
        return self.files.host_file(self.fs, container_path, self.binds)

    def manifest(self, value: str, kind: Optional[str]) -> Optional[Manifest]:
        """The manifest a command names (relative to its directory), when it is a context file."""
        if re.match(r"^[a-z]+://", value):
            return None
        return self.files.manifest_at(self.fs, self.path(value), self.binds, kind)


def read_command(tool: str, cmd: Command, args: Sequence[str], env: Mapping[str, str]) -> ToolCommand:
    """``args`` read with ``tool``'s grammar (the plan expands variables its own way: an activated
    virtualenv and earlier exports count)."""
    return parse_tool_command(cmd if cmd.tool == tool else cmd._replace(tool=tool), args, env, None, (), 0)


# Options that change what gets installed or where: canonical long option -> plan name.
PLAN_OPTIONS: Dict[str, str] = {
    f"--{name}": name
    for name in (
        "requirement", "constraint", "editable", "index-url", "extra-index-url", "only-binary", "no-binary",
        "prefer-binary", "no-deps", "require-hashes", "pre", "no-cache-dir", "no-cache", "target", "prefix", "user",
        "no-index", "find-links", "system", "break-system-packages", "upgrade", "root", "frozen", "locked", "no-dev",
        "dev", "group", "only-group", "no-group", "extra", "all-extras", "only", "with", "without", "no-root",
        "deploy", "prod", "no-default", "no-default-groups", "all-groups", "only-root", "no-binary-package",
        "only-binary-package", "project", "directory", "wheel-dir", "ignore-pipfile", "no-install-project",
    )
}
PLAN_OPTIONS.update({"--production": "prod", "--extras": "extra"})


def plan_options(tc: ToolCommand) -> Options:
    out: Options = {}
    for name, value in tc.options:
        key = PLAN_OPTIONS.get(name)
        if key:
            out[key] = out.get(key, ()) + (value,)
    return out
