"""What the install plan records: packages, install commands, copied environments, per stage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Tuple

from ..._record import Record
from ...manifests import ManifestProblem, Origin, Req
from ...manifests.markers import target_environment
from ...model.dockerfile import Instruction
from ...model.shell import Command

if TYPE_CHECKING:
    from ...model.resolve import Stage

__all__ = ["TOOLING", "Options", "PlannedPackage", "Install", "CopiedEnv", "MissingManifest", "StagePlan", "InstallPlan"]

# Packaging tools themselves: `pip install --upgrade pip setuptools wheel` is a bootstrap.
TOOLING = frozenset({"pip", "setuptools", "wheel", "uv", "poetry", "poetry-core", "pipenv", "pdm", "pip-tools", "virtualenv", "build", "hatch", "hatchling", "flit", "flit-core", "pipx", "cython", "setuptools-scm", "pdm-backend", "maturin"})

# The options of an install command that change what gets installed, by plan name
# ("requirement", "only-binary", "no-deps", "group"...); flags have the value "".
Options = Dict[str, Tuple[str, ...]]


class PlannedPackage(Record):
    name: str
    version: Optional[str]  # exact version that will be installed, None = newest allowed
    specifier: str
    extras: Tuple[str, ...]
    req: Req  # the declaration (its origin is the manifest line or the Dockerfile line)
    direct: bool = True
    via: Tuple[str, ...] = ()  # for transitive packages: the chain that pulls them in
    inferred: bool = False  # transitive, from the bundled map (no lock file)
    pinned_by: Optional[str] = None  # "manifest" | "constraint" | "lock" | "hashes" | "vcs-commit"
    files: Tuple[str, ...] = ()  # distribution files listed by a lock
    tooling: bool = False  # pip/setuptools/wheel... installed inline (bootstrap)
    prebuilt: bool = False  # installed from wheels built earlier (pip wheel -w DIR): no build here

    @property
    def origin(self) -> Origin:
        return self.req.origin


class Install(Record):
    instruction: Instruction
    command: Optional[Command]
    tool: str  # "pip" | "uv pip" | "uv sync" | "poetry" | "pipenv" | "pdm" | "pip-sync" | "pip wheel"
    options: Options
    packages: Tuple[PlannedPackage, ...]
    manifests: Tuple[str, ...]  # manifests read (display paths)
    location: str  # "system" | a venv/prefix/target/user/wheel directory path in the image
    lock: Optional[str] = None  # the lock file the command installs from

    @property
    def line(self) -> int:
        return self.command.line if self.command else self.instruction.start_line

    @property
    def column(self) -> int:
        return self.command.column if self.command else self.instruction.start_column

    def has(self, option: str) -> bool:
        return option in self.options


class CopiedEnv(Record):
    """A Python environment copied in from another stage."""

    instruction: Instruction
    from_stage: Stage
    source: str
    dest: str
    installs: Tuple[Install, ...]
    wheels: bool = False  # a wheel directory (`pip wheel -w`): nothing is installed by the copy

    @property
    def packages(self) -> List[PlannedPackage]:
        return [p for i in self.installs for p in i.packages]


class MissingManifest(Record):
    instruction: Instruction
    source: str  # as written in COPY / the install command
    reason: str


class StagePlan:
    def __init__(self, stage: Stage, python: Optional[str], python_source: str, implementation: str, machine: str) -> None:
        self.stage = stage
        self.python = python
        self.python_source = python_source  # "tag" | "env" | "floating tag" | "distro" | "unknown"
        self.implementation = implementation
        self.machine = machine
        self.env: Mapping[str, str] = target_environment(python, machine, implementation)
        self.installs: List[Install] = []  # install commands of this stage
        self.inherited: List[Install] = []  # install commands of the stages it is built FROM
        self.copied: List[CopiedEnv] = []  # environments copied in (here or in a parent stage)

    def set_python(self, python: str, source: str) -> None:
        self.python, self.python_source = python, source
        self.env = target_environment(python, self.machine, self.implementation)

    @property
    def all_installs(self) -> List[Install]:
        return self.inherited + self.installs

    @property
    def packages(self) -> List[PlannedPackage]:
        out = [p for i in self.all_installs for p in i.packages]
        for c in self.copied:
            if not c.wheels:
                out.extend(c.packages)
        return out

    def as_dict(self) -> Dict[str, Any]:
        return {
            "python": self.python,
            "python_source": self.python_source,
            "implementation": self.implementation,
            "machine": self.machine,
            "installs": [_install_dict(i) for i in self.installs],
            "copied": [
                {"line": c.instruction.start_line, "from_stage": c.from_stage.label, "source": c.source, "dest": c.dest, "wheels": c.wheels, "packages": [p.name for p in c.packages]}
                for c in self.copied
            ],
        }


def _install_dict(i: Install) -> Dict[str, Any]:
    return {
        "line": i.line,
        "column": i.column,
        "tool": i.tool,
        "options": {k: list(v) for k, v in sorted(i.options.items())},
        "location": i.location,
        "lock": i.lock,
        "manifests": list(i.manifests),
        "packages": [
            {
                "name": p.name,
                "version": p.version,
                "specifier": p.specifier,
                "extras": list(p.extras),
                "direct": p.direct,
                "inferred": p.inferred,
                "via": list(p.via),
                "pinned_by": p.pinned_by,
                "declared_at": {"path": p.origin.path, "line": p.origin.line, "column": p.origin.column},
                "group": p.req.group,
                "marker": p.req.marker,
            }
            for p in i.packages
        ],
    }


class InstallPlan:
    def __init__(self) -> None:
        self.stages: List[StagePlan] = []
        self.problems: List[ManifestProblem] = []
        self.missing: List[MissingManifest] = []
        self._by_index: Dict[int, StagePlan] = {}

    def add(self, sp: StagePlan) -> None:
        self.stages.append(sp)
        self._by_index[sp.stage.index] = sp

    def for_stage(self, stage: Stage) -> Optional[StagePlan]:
        return self._by_index.get(stage.index)
