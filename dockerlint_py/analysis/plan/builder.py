"""The orchestrator: walks each stage's instructions in order, keeps the simulated filesystem
(:mod:`.fs`) up to date, and hands every install command to its installer's module."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, Callable, Dict, Mapping, Optional, Sequence

from ..._record import Record
from ...model.commands import ToolCommand
from ...model.context import BuildContext
from ...model.dockerfile import Instruction
from ...model.words import expand
from .common import At, read_command
from .fs import HostFiles, StageFs, abs_path, under
from .types import CopiedEnv, Install, InstallPlan, StagePlan

if TYPE_CHECKING:
    from ...model.resolve import DockerfileModel, Stage

__all__ = ["build"]

# tool -> the module that reads its command (with that tool's grammar) and returns the install,
# if it is one; imported when a Dockerfile first uses the tool (start-up: most use only pip)
_INSTALLER_MODULES = ("pip", "uv", "poetry", "pipenv", "pdm")
_INSTALLERS: Dict[str, Callable[[At, ToolCommand], Optional[Install]]] = {}


def _installer(tool: str) -> Callable[[At, ToolCommand], Optional[Install]]:
    fn = _INSTALLERS.get(tool)
    if fn is None:
        import importlib

        fn = _INSTALLERS[tool] = importlib.import_module(f"{__package__}.{tool}").install
    return fn
_DISTRO_PYTHON = re.compile(r"^(?:python3(?:\.\d+)?|py3-pip|python3-pip|python3-dev|python3-venv)$")


def build(model: DockerfileModel, context: BuildContext) -> InstallPlan:
    plan = InstallPlan()
    files = HostFiles(context)
    states: Dict[int, StageFs] = {}
    for stage in model.stages:
        parent = stage.parent
        fs = states[parent.index].copy() if parent is not None and parent.index in states else StageFs()
        states[stage.index] = fs
        sp = _stage_plan(model, stage)
        plan.add(sp)
        parent_plan = plan.for_stage(parent) if parent is not None else None
        if parent_plan is not None:
            sp.copied.extend(parent_plan.copied)
            sp.inherited.extend(parent_plan.all_installs)
        for ins in stage.instructions:
            kw = ins.keyword
            if kw == "WORKDIR":
                fs.workdir = abs_path(expand(ins.args_text.strip(), stage.vars_at(ins))[0], fs.workdir)
            elif kw in ("COPY", "ADD"):
                _copy(plan, states, files, stage, sp, fs, ins)
            elif kw == "RUN":
                _run(model, files, stage, sp, fs, ins)
        if sp.python is None and fs.distro_python:
            _set_distro_python(stage, sp)
    plan.problems = files.problems
    plan.missing = files.missing
    return plan


_IMAGE_ARCH = {"amd64": "x86_64", "arm64v8": "aarch64", "arm32v7": "armv7l", "arm32v6": "armv6l", "arm32v5": "armv5l",
               "armhf": "armv7l", "i386": "i686", "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64", "mips64le": "mips64"}


def _machine(stage: Stage, default: str) -> str:
    """The stage's machine: ``FROM --platform``, then an architecture-specific Docker Hub
    namespace (``arm32v7/alpine``, ``arm64v8/python``), then ``--target-arch``. A machine the
    wheel data does not cover (armv7l...) gives "unknown" verdicts, never x86_64's."""
    plat = stage.platform or ""
    if "arm64" in plat or "aarch64" in plat:
        return "aarch64"
    if "amd64" in plat or "x86_64" in plat:
        return "x86_64"
    for part, machine in (("arm/v7", "armv7l"), ("arm/v6", "armv6l"), ("386", "i686"), ("ppc64le", "ppc64le"), ("s390x", "s390x")):
        if part in plat:
            return machine
    ref = stage.root.base_ref
    if ref is not None and ref.registry is None and "/" in ref.path:
        found = _IMAGE_ARCH.get(ref.path.split("/", 1)[0])
        if found:
            return found
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(default, default)


def _stage_plan(model: DockerfileModel, stage: Stage) -> StagePlan:
    """The stage's Python (tag, floating tag, PYTHON_VERSION), implementation and machine."""
    from ...knowledge import floating_python

    facts = stage.facts
    python: Optional[str] = None
    source = "unknown"
    impl = (facts.implementation if facts and facts.implementation else "cpython") or "cpython"
    if facts is not None and facts.python:
        if facts.python.count(".") >= 1:
            python, source = facts.python, "tag"
        elif facts.python == "2":
            python, source = "2.7", "tag"  # the python:2 line ended at 2.7
        elif stage.image is not None:
            python, source = floating_python(stage.image), "floating tag"
    elif facts is not None and facts.family in ("python", "pypy") and stage.image is not None:
        python, source = floating_python(stage.image), "floating tag"
    env_py = stage.env.get("PYTHON_VERSION") if python is None else None
    if env_py and re.match(r"^\d+\.\d+", env_py):
        python, source = env_py, "env"
    return StagePlan(stage, python, source if python else "unknown", impl, _machine(stage, model.options.arch))


def _set_distro_python(stage: Stage, sp: StagePlan) -> None:
    from ...knowledge import distro_python

    facts = stage.facts
    if facts is None:
        return
    v = distro_python(facts.distro, facts.release)
    if v:
        sp.set_python(v, "distro")


def _copy(plan: InstallPlan, states: Mapping[int, StageFs], files: HostFiles, stage: Stage, sp: StagePlan, fs: StageFs, ins: Instruction) -> None:
    if ins.heredocs:
        return
    from ...model.runs import copy_words_unresolved

    words, unresolved = copy_words_unresolved(ins, stage.vars_at(ins))
    if len(words) < 2:
        return
    *srcs, dest = words
    if ins.flag("from") is None:
        # a path built from an ARG without a value: where it points is unknown, so no "missing"
        files.copy_in(fs, ins, srcs, dest, report_missing=not unresolved)
        return
    src_stage = next((s.stage for s in stage.copy_sources if s.instruction is ins), None)
    if src_stage is None:
        return
    src_fs = states.get(src_stage.index)
    src_plan = plan.for_stage(src_stage)
    if src_fs is None or src_plan is None:
        return
    _copy_from_stage(CopyEdge(ins, src_stage, src_fs, src_plan), sp, fs, srcs, abs_path(dest, fs.workdir))


class CopyEdge(Record):
    """A ``COPY --from=<stage>`` and what the plan knows of that stage."""

    instruction: Instruction
    stage: Stage
    fs: StageFs
    plan: StagePlan


def _copy_from_stage(edge: CopyEdge, sp: StagePlan, fs: StageFs, srcs: Sequence[str], dest_abs: str) -> None:
    """Environments and wheel directories come along; a venv stays one."""
    ins, src_stage, src_fs, src_plan = edge
    for src in srcs:
        src_abs = abs_path(src, "/")
        installs = tuple(i for i in src_plan.all_installs if i.packages and i.tool != "pip wheel" and _covers(src_abs, i.location))
        if installs:
            sp.copied.append(CopiedEnv(ins, src_stage, src_abs, dest_abs, installs))
        for wdir, wi in src_fs.wheel_dirs.items():
            if under(wdir, src_abs):
                target = dest_abs if wdir == src_abs else posixpath.join(dest_abs, wdir[len(src_abs.rstrip("/")) + 1 :])
                fs.wheel_dirs[target] = wi
                sp.copied.append(CopiedEnv(ins, src_stage, wdir, target, wi, wheels=True))
        if src_abs in src_fs.venvs:
            fs.venvs.add(dest_abs)


def _covers(src: str, location: str) -> bool:
    """Does copying ``src`` out of a stage carry the environment installed at ``location``?"""
    src = src.rstrip("/") or "/"
    if location == "system":
        return src in ("/", "/usr", "/usr/local", "/usr/local/lib", "/usr/lib") or bool(re.match(r"^/usr(?:/local)?/lib/python3[^/]*(?:/(?:site|dist)-packages)?$", src))
    loc = location.rstrip("/")
    return src == loc or loc.startswith(src + "/") or src.startswith(loc + "/")


def _run(model: DockerfileModel, files: HostFiles, stage: Stage, sp: StagePlan, fs: StageFs, ins: Instruction) -> None:
    """The commands of a RUN: directory changes, activated venvs, exports, distro Pythons, venvs
    created, and install commands (handed to their installer)."""
    binds = files.binds(fs, ins)
    cwd = fs.workdir
    vars_ = dict(stage.vars_at(ins))
    for cmd in stage.commands(ins):
        env = dict(vars_)
        env.update(dict(cmd.env))
        args = tuple(expand(a, env)[0] if "$" in a else a for a in cmd.args)
        tool = cmd.tool
        if tool == "cd":
            if args:
                cwd = abs_path(args[0], cwd)
            continue
        if tool in (".", "source") and args and args[0].endswith("/bin/activate"):
            vars_["VIRTUAL_ENV"] = abs_path(args[0][: -len("/bin/activate")], cwd)
            continue
        if tool == "export":
            for a in args:
                if "=" in a:
                    k, v = a.split("=", 1)
                    vars_[k] = v
            continue
        if tool in ("apk", "apt-get", "apt", "dnf", "yum", "microdnf") and any(_DISTRO_PYTHON.match(a) for a in args) and ("add" in args or "install" in args):
            fs.distro_python = True
            continue
        if tool == "venv" or tool == "virtualenv" or (tool == "uv" and args[:1] == ("venv",)):
            rest = [a for a in (args[1:] if tool == "uv" else args) if not a.startswith("-")]
            fs.venvs.add(abs_path(rest[0] if rest else ".venv", cwd))
            continue
        if tool != "pip-sync" and tool not in _INSTALLER_MODULES:
            continue
        at = At(stage, sp, fs, files, ins, cmd, env, cwd, binds, model.parsed.path)
        install: Optional[Install]
        if tool == "pip-sync":
            from .pip import install_pip_sync

            install = install_pip_sync(at, args)
        else:
            install = _installer(tool)(at, read_command(tool, cmd, args, env))
        if install is not None:
            sp.installs.append(install)
