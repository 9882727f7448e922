"""The per-stage install plan: which Python distributions end up in which stage, and why.

For every stage the plan lists its install commands (pip, uv, poetry, pipenv, pdm, pip-sync) with
the options that change what gets installed, and for every command the packages it installs:
name, the exact version when one is fixed (pin, constraint, lock), extras, the declaring location
(manifest line or Dockerfile line), direct or transitive (from a lock, or inferred from the
bundled map of what popular packages pull in). Environments copied between stages
(``COPY --from=builder /opt/venv /opt/venv``) carry their packages along.

Host files are found by following COPY/ADD (and ``RUN --mount=type=bind``) back to the build
context. Nothing from the linted repository is executed.
"""

from __future__ import annotations

import os
import posixpath
import re
from typing import Dict, List, Mapping, NamedTuple, Optional, Sequence, Set, Tuple

from ..manifests import Manifest, ManifestProblem, Origin, Req, canonical, load_manifest
from ..manifests.markers import marker_holds, target_environment
from .context import BuildContext
from .dockerfile import Instruction
from .shell import Command
from .words import expand

__all__ = ["PlannedPackage", "Install", "CopiedEnv", "StagePlan", "InstallPlan", "MissingManifest", "build_plan", "TOOLING"]

# Packaging tools themselves: `pip install --upgrade pip setuptools wheel` is a bootstrap.
TOOLING = frozenset({"pip", "setuptools", "wheel", "uv", "poetry", "poetry-core", "pipenv", "pdm", "pip-tools", "virtualenv", "build", "hatch", "hatchling", "flit", "flit-core", "pipx", "cython", "setuptools-scm", "pdm-backend", "maturin"})

_PIP_VALUE = frozenset({
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url", "--extra-index-url",
    "-f", "--find-links", "--only-binary", "--no-binary", "-t", "--target", "--prefix", "--root", "--src",
    "--upgrade-strategy", "--progress-bar", "-C", "--config-settings", "--global-option", "--install-option",
    "--platform", "--python-version", "--implementation", "--abi", "--trusted-host", "--cache-dir", "--log",
    "--timeout", "--retries", "--proxy", "--cert", "--client-cert", "--exists-action", "--report", "--python",
    "--root-user-action", "--use-feature", "--use-deprecated", "--group", "-w", "--wheel-dir", "--keyring-provider",
    "--resolution", "--index-strategy", "--python-platform", "-p", "--extra", "--index", "--default-index",
    "--link-mode", "--reinstall-package", "--upgrade-package", "-P", "--no-binary-package", "--only-binary-package",
    "--exclude-newer", "--prerelease", "--config-file", "--directory", "--project", "--no-install-package",
    "--only-group", "--no-group", "--package", "-o", "--output-file", "--output", "--format", "--with",
    "--without", "--only", "-G", "--dev-group", "-E", "--extras", "--lockfile", "-L", "--venv", "--python-preference",
    "--compile-bytecode-package", "--break-system-packages-value",
})
_SHORT_VALUE = ("-r", "-c", "-e", "-i", "-f", "-t", "-w", "-C", "-p", "-P", "-o", "-G", "-E", "-L")


class PlannedPackage(NamedTuple):
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


class Install(NamedTuple):
    instruction: Instruction
    command: Optional[Command]
    tool: str  # "pip" | "uv pip" | "uv sync" | "poetry" | "pipenv" | "pdm" | "pip-sync" | "pip wheel"
    options: Dict[str, Tuple[str, ...]]
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


class CopiedEnv(NamedTuple):
    """A Python environment copied in from another stage."""

    instruction: Instruction
    from_stage: object  # Stage
    source: str
    dest: str
    installs: Tuple[Install, ...]
    wheels: bool = False  # a wheel directory (`pip wheel -w`): nothing is installed by the copy

    @property
    def packages(self) -> List[PlannedPackage]:
        return [p for i in self.installs for p in i.packages]


class MissingManifest(NamedTuple):
    instruction: Instruction
    source: str  # as written in COPY / the install command
    reason: str


class StagePlan:
    def __init__(self, stage, python: Optional[str], python_source: str, implementation: str, machine: str) -> None:
        self.stage = stage
        self.python = python
        self.python_source = python_source  # "tag" | "env" | "floating tag" | "distro" | "unknown"
        self.implementation = implementation
        self.machine = machine
        self.env = target_environment(python, machine, implementation)
        self.installs: List[Install] = []  # install commands of this stage
        self.inherited: List[Install] = []  # install commands of the stages it is built FROM
        self.copied: List[CopiedEnv] = []  # environments copied in (here or in a parent stage)

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

    def as_dict(self) -> dict:
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


def _install_dict(i: Install) -> dict:
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

    def for_stage(self, stage) -> Optional[StagePlan]:
        return self._by_index.get(stage.index)


# -- transitive map -----------------------------------------------------------------------------

_TRANSITIVE: List[Dict[Tuple[str, Tuple[str, ...]], Tuple[str, List[Tuple[str, str, str]]]]] = []
_MAP_MIN_PYTHON = (3, 10)  # the map was resolved for CPython 3.11; older Pythons get older releases


def _transitive_map() -> Dict[Tuple[str, Tuple[str, ...]], Tuple[str, List[Tuple[str, str, str]]]]:
    if not _TRANSITIVE:
        from ..knowledge import load_toml

        data = load_toml("transitive.toml")
        table: Dict[Tuple[str, Tuple[str, ...]], Tuple[str, List[Tuple[str, str, str]]]] = {}
        for entry in data.get("line", ()):
            m = re.match(r"^([A-Za-z0-9._-]+)(?:\[([^\]]*)\])?$", entry["requirement"])
            if not m:
                continue
            extras = tuple(sorted(canonical(x) for x in (m.group(2) or "").split(",") if x.strip()))
            table[(canonical(m.group(1)), extras)] = (str(entry.get("version", "")), [tuple(n) for n in entry.get("natives", ())])  # type: ignore[misc]
        _TRANSITIVE.append(table)
    return _TRANSITIVE[0]


def inferred_natives(name: str, extras: Sequence[str], version: Optional[str] = None, python: Optional[str] = None) -> List[Tuple[str, str, str]]:
    """Native packages ``name[extras]`` pulls in by default, per the bundled map.

    Applied only where the map is valid: an unpinned requirement or a pin of the same major
    version as the resolved release, on an unknown Python or CPython >= 3.10."""
    if python:
        try:
            if tuple(int(x) for x in python.split(".")[:2]) < _MAP_MIN_PYTHON:
                return _pulled(name, extras, version, set())
        except ValueError:
            return []
    table = _transitive_map()
    out: List[Tuple[str, str, str]] = []
    seen: Set[str] = set()
    keys = [(name, ())] + [(name, (canonical(e),)) for e in extras]
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


def _pulled(name: str, extras: Sequence[str], version: Optional[str], seen: Set[str]) -> List[Tuple[str, str, str]]:
    """Compiled distributions an extra or a plain dependency pulls (knowledge ``[pulls]``)."""
    from ..knowledge.native import pulled_natives

    parent = f"{name}[{','.join(extras)}]" if extras else name
    return [(n, "", parent) for n in pulled_natives(name, tuple(canonical(e) for e in extras), version) if n != name and n not in seen]


# -- argument parsing -------------------------------------------------------------------------


class _Args(NamedTuple):
    options: Dict[str, Tuple[str, ...]]
    positional: List[str]


def _parse_args(args: Sequence[str]) -> _Args:
    opts: Dict[str, Tuple[str, ...]] = {}
    pos: List[str] = []
    i = 0
    only_positional = False
    while i < len(args):
        a = args[i]
        if only_positional or not a.startswith("-") or a == "-":
            pos.append(a)
        elif a == "--":
            only_positional = True
        elif a.startswith("--") and "=" in a:
            k, v = a.split("=", 1)
            opts[k] = opts.get(k, ()) + (v,)
        elif a in _PIP_VALUE:
            v = args[i + 1] if i + 1 < len(args) else ""
            opts[a] = opts.get(a, ()) + (v,)
            i += 1
        elif not a.startswith("--") and len(a) > 2 and a[:2] in _SHORT_VALUE:
            opts[a[:2]] = opts.get(a[:2], ()) + (a[2:],)
        elif not a.startswith("--") and len(a) > 2:
            # a cluster of short flags (-qU); a value flag at its end takes the next word
            for ch in a[1:-1]:
                opts["-" + ch] = opts.get("-" + ch, ()) + ("",)
            last = "-" + a[-1]
            if last in _SHORT_VALUE and i + 1 < len(args):
                opts[last] = opts.get(last, ()) + (args[i + 1],)
                i += 1
            else:
                opts[last] = opts.get(last, ()) + ("",)
        else:
            opts[a] = opts.get(a, ()) + ("",)
        i += 1
    return _Args(opts, pos)


def _get(opts: Mapping[str, Tuple[str, ...]], *names: str) -> List[str]:
    out: List[str] = []
    for n in names:
        out.extend(opts.get(n, ()))
    return out


_CANON_OPTS = {
    "-r": "requirement", "--requirement": "requirement", "-c": "constraint", "--constraint": "constraint",
    "-e": "editable", "--editable": "editable", "-i": "index-url", "--index-url": "index-url",
    "--extra-index-url": "extra-index-url", "--only-binary": "only-binary", "--no-binary": "no-binary",
    "--prefer-binary": "prefer-binary", "--no-deps": "no-deps", "--require-hashes": "require-hashes",
    "--pre": "pre", "--no-cache-dir": "no-cache-dir", "--no-cache": "no-cache", "-t": "target", "--target": "target",
    "--prefix": "prefix", "--user": "user", "--no-index": "no-index", "-f": "find-links", "--find-links": "find-links",
    "--system": "system", "--break-system-packages": "break-system-packages", "-U": "upgrade", "--upgrade": "upgrade",
    "--root": "root", "--frozen": "frozen", "--locked": "locked", "--no-dev": "no-dev", "--dev": "dev",
    "--group": "group", "--only-group": "only-group", "--no-group": "no-group", "--extra": "extra",
    "--all-extras": "all-extras", "--only": "only", "--with": "with", "--without": "without", "--no-root": "no-root",
    "--deploy": "deploy", "--prod": "prod", "--production": "prod", "-G": "group", "--no-default": "no-default",
    "--no-default-groups": "no-default-groups", "--all-groups": "all-groups", "-E": "extra", "--extras": "extra",
    "--only-root": "only-root", "--no-binary-package": "no-binary-package", "--only-binary-package": "only-binary-package",
    "--project": "project", "--directory": "directory", "-w": "wheel-dir", "--wheel-dir": "wheel-dir",
    "--ignore-pipfile": "ignore-pipfile", "--no-install-project": "no-install-project",
}


def _canon_options(opts: Mapping[str, Tuple[str, ...]]) -> Dict[str, Tuple[str, ...]]:
    out: Dict[str, Tuple[str, ...]] = {}
    for k, v in opts.items():
        key = _CANON_OPTS.get(k)
        if key:
            out[key] = out.get(key, ()) + v
    return out


# -- the plan builder ---------------------------------------------------------------------------


class _FsEntry(NamedTuple):
    dest: str  # absolute container path
    host: str  # absolute host path (file or directory)
    root: str  # context root the host path belongs to
    is_dir: bool
    dest_is_dir: bool
    instruction: Instruction


class _StageState:
    def __init__(self) -> None:
        self.workdir = "/"
        self.fs: List[_FsEntry] = []
        self.venvs: Set[str] = set()
        self.wheel_dirs: Dict[str, Tuple[Install, ...]] = {}
        self.generated: Dict[str, Tuple[Install, ...]] = {}  # files written by `uv export -o` ...
        self.distro_python = False
        self.unseen: Set[str] = set()  # container paths COPY put there from files we cannot see

    def copy(self) -> "_StageState":
        s = _StageState()
        s.workdir = self.workdir
        s.fs = list(self.fs)
        s.venvs = set(self.venvs)
        s.wheel_dirs = dict(self.wheel_dirs)
        s.generated = dict(self.generated)
        s.distro_python = self.distro_python
        s.unseen = set(self.unseen)
        return s


def _abs(path: str, cwd: str) -> str:
    if not path:
        return cwd
    if path.startswith("~"):
        path = "/root" + path[1:]
    return posixpath.normpath(posixpath.join(cwd, path))


def _machine(stage, default: str) -> str:
    plat = stage.platform or ""
    if "arm64" in plat or "aarch64" in plat:
        return "aarch64"
    if "amd64" in plat or "x86_64" in plat:
        return "x86_64"
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(default, default)


class _Builder:
    def __init__(self, model, context: BuildContext) -> None:
        self.model = model
        self.ctx = context
        self.plan = InstallPlan()
        self.states: Dict[int, _StageState] = {}
        self._problem_keys: Set[Tuple[str, Optional[int], str]] = set()
        self._manifests: Dict[Tuple[str, str], Manifest] = {}

    # host files ---------------------------------------------------------------------------

    def shown(self, host: str) -> str:
        from ..engine import display_path

        return display_path(host)

    def manifest(self, host: str, kind: Optional[str] = None, root: Optional[str] = None) -> Manifest:
        key = (host, kind or "")
        m = self._manifests.get(key)
        if m is None:
            m = load_manifest(host, kind, shown=self.shown(host), root=root or self.ctx.root)
            self._manifests[key] = m
            for p in m.problems:
                if p.kind == "remote":
                    continue
                k = (p.path, p.line, p.message)
                if k not in self._problem_keys:
                    self._problem_keys.add(k)
                    self.plan.problems.append(p)
        return m

    def host_file(self, state: _StageState, container_path: str, binds: Sequence[_FsEntry] = ()) -> Tuple[Optional[str], Optional[str]]:
        """(host path, context root) of a file in the image, when it came from the context."""
        for e in list(binds) + list(reversed(state.fs)):
            if e.is_dir:
                if container_path == e.dest or container_path.startswith(e.dest.rstrip("/") + "/"):
                    sub = container_path[len(e.dest.rstrip("/")) + 1 :] if container_path != e.dest else ""
                    if not sub:
                        return e.host, e.root
                    found = self.ctx.file_in_dir(e.host, e.root, sub)
                    if found:
                        return found, e.root
            else:
                base = posixpath.basename(e.host)
                if container_path == e.dest and not e.dest_is_dir:
                    return e.host, e.root
                if container_path == posixpath.join(e.dest, base):
                    return e.host, e.root
        return None, None

    # walking ------------------------------------------------------------------------------

    def run(self) -> InstallPlan:
        model = self.model
        for stage in model.stages:
            state = self.states[stage.parent.index].copy() if stage.parent is not None and stage.parent.index in self.states else _StageState()
            self.states[stage.index] = state
            sp = self._stage_plan(stage, state)
            self.plan.stages.append(sp)
            self.plan._by_index[stage.index] = sp
            if stage.parent is not None:
                parent_plan = self.plan._by_index.get(stage.parent.index)
                if parent_plan is not None:
                    sp.copied.extend(parent_plan.copied)
                    sp.inherited.extend(parent_plan.all_installs)
            for ins in stage.instructions:
                kw = ins.keyword
                if kw == "WORKDIR":
                    value = expand(ins.args_text.strip(), stage.vars_at(ins))[0]
                    state.workdir = _abs(value, state.workdir)
                elif kw in ("COPY", "ADD"):
                    self._copy(stage, sp, state, ins)
                elif kw == "RUN":
                    self._run(stage, sp, state, ins)
            # python from the distro, when installed in this stage
            if sp.python is None and state.distro_python:
                self._set_distro_python(stage, sp)
        return self.plan

    def _stage_plan(self, stage, state: _StageState) -> StagePlan:
        from ..knowledge import floating_python

        facts = stage.facts
        python, source = None, "unknown"
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
        return StagePlan(stage, python, source if python else "unknown", impl, _machine(stage, self.model.options.arch))

    def _set_distro_python(self, stage, sp: StagePlan) -> None:
        from ..knowledge import distro_python

        facts = stage.facts
        if facts is None:
            return
        v = distro_python(facts.distro, facts.release)
        if v:
            sp.python, sp.python_source = v, "distro"
            sp.env = target_environment(v, sp.machine, sp.implementation)

    def _copy(self, stage, sp: StagePlan, state: _StageState, ins: Instruction) -> None:
        vars_ = stage.vars_at(ins)
        if ins.heredocs:
            return
        from .runs import copy_words

        words = copy_words(ins, vars_)
        if len(words) < 2:
            return
        *srcs, dest = words
        from_flag = ins.flag("from")
        dest_abs = _abs(dest, state.workdir)
        dest_is_dir = dest.endswith("/") or len(srcs) > 1 or dest in (".", "./")
        if from_flag is not None:
            src_stage = _copy_from_stage(self.model, stage, ins)
            if src_stage is None:
                return
            src_state = self.states.get(src_stage.index)
            src_plan = self.plan._by_index.get(src_stage.index)
            if src_state is None or src_plan is None:
                return
            for src in srcs:
                src_abs = _abs(src, "/")
                installs = tuple(i for i in src_plan.all_installs if i.packages and i.tool != "pip wheel" and _covers(src_abs, i.location, src_plan.python))
                if installs:
                    sp.copied.append(CopiedEnv(ins, src_stage, src_abs, dest_abs, installs))
                for wdir, wi in src_state.wheel_dirs.items():
                    if wdir == src_abs or wdir.startswith(src_abs.rstrip("/") + "/"):
                        target = dest_abs if wdir == src_abs else posixpath.join(dest_abs, wdir[len(src_abs.rstrip("/")) + 1 :])
                        state.wheel_dirs[target] = wi
                        sp.copied.append(CopiedEnv(ins, src_stage, wdir, target, wi, wheels=True))
                # a venv copied over stays a venv
                for v in src_state.venvs:
                    if v == src_abs:
                        state.venvs.add(dest_abs)
            return
        if ins.keyword == "ADD" and any(re.match(r"^[a-z]+://", s) for s in srcs):
            return
        for src in srcs:
            matches = self.ctx.resolve(src)
            if not matches:
                name = posixpath.basename(src.rstrip("/"))
                state.unseen.add(dest_abs if not dest_is_dir else posixpath.join(dest_abs, name))
                state.unseen.add(posixpath.join(dest_abs, name))
                from ..manifests import is_manifest_name

                if is_manifest_name(src.rstrip("/")) and not any(ch in src for ch in "*?[") and not self.ctx.maybe_elsewhere(src):
                    self.plan.missing.append(MissingManifest(ins, src, "not found in the build context (or excluded by .dockerignore)"))
                continue
            for host, _rel, root in matches:
                is_dir = os.path.isdir(host)
                state.fs.append(_FsEntry(dest_abs, host, root, is_dir, dest_is_dir, ins))

    def _binds(self, stage, state: _StageState, ins: Instruction) -> List[_FsEntry]:
        out: List[_FsEntry] = []
        for value in ins.flag_values("mount"):
            parts = dict(p.split("=", 1) if "=" in p else (p, "") for p in value.split(","))
            if parts.get("type", "bind") != "bind" or "from" in parts:
                continue
            target = parts.get("target") or parts.get("dst") or parts.get("destination")
            source = parts.get("source") or parts.get("src") or "."
            if not target:
                continue
            matches = self.ctx.resolve(source)
            if not matches:
                continue
            host, rel, root = matches[0]
            out.append(_FsEntry(_abs(target, state.workdir), host, root, os.path.isdir(host), False, ins))
        return out

    def _run(self, stage, sp: StagePlan, state: _StageState, ins: Instruction) -> None:
        binds = self._binds(stage, state, ins)
        cwd = state.workdir
        vars_ = dict(stage.vars_at(ins))
        for cmd in stage.commands(ins):
            env = dict(vars_)
            env.update(dict(cmd.env))
            args = tuple(expand(a, env)[0] if "$" in a else a for a in cmd.args)
            tool = cmd.tool
            if tool == "cd":
                if args:
                    cwd = _abs(args[0], cwd)
                continue
            if tool in (".", "source") and args and args[0].endswith("/bin/activate"):
                vars_["VIRTUAL_ENV"] = _abs(args[0][: -len("/bin/activate")], cwd)
                continue
            if tool == "export":
                for a in args:
                    if "=" in a:
                        k, v = a.split("=", 1)
                        vars_[k] = v
                continue
            if tool in ("apk", "apt-get", "apt", "dnf", "yum", "microdnf") and any(re.match(r"^(?:python3(?:\.\d+)?|py3-pip|python3-pip|python3-dev|python3-venv)$", a) for a in args) and ("add" in args or "install" in args):
                state.distro_python = True
                continue
            if tool == "venv" or tool == "virtualenv" or (tool == "uv" and args[:1] == ("venv",)):
                rest = [a for a in (args[1:] if tool == "uv" else args) if not a.startswith("-")]
                state.venvs.add(_abs(rest[0] if rest else ".venv", cwd))
                continue
            install = self._install(stage, sp, state, ins, cmd, tool, args, env, cwd, binds)
            if install is not None:
                sp.installs.append(install)

    # install commands -----------------------------------------------------------------------

    def _location(self, cmd: Command, opts: Mapping[str, Tuple[str, ...]], env: Mapping[str, str], cwd: str, state: _StageState) -> str:
        if opts.get("target"):
            return _abs(opts["target"][-1], cwd)
        if opts.get("prefix"):
            return _abs(opts["prefix"][-1], cwd)
        if "user" in opts:
            home = env.get("HOME", "/root")
            return posixpath.join(home, ".local")
        prog = cmd.program
        if "/bin/" in prog:
            head = prog.rsplit("/bin/", 1)[0]
            if head not in ("", "/usr", "/usr/local", "/opt/conda"):
                return _abs(head, cwd)
        if env.get("VIRTUAL_ENV"):
            return _abs(env["VIRTUAL_ENV"], cwd)
        for part in env.get("PATH", "").split(":"):
            if part.endswith("/bin"):
                head = part[: -len("/bin")]
                if head in state.venvs or re.search(r"(?:^|/)\.?venv[^/]*$|/env$|virtualenvs?", head):
                    return head
        return "system"

    def _install(self, stage, sp, state, ins, cmd, tool, args, env, cwd, binds) -> Optional[Install]:
        sub = args[0] if args else ""
        if tool == "pip" and sub in ("install", "wheel", "download"):
            return self._pip(stage, sp, state, ins, cmd, "pip wheel" if sub == "wheel" else "pip" if sub == "install" else "", args[1:], env, cwd, binds)
        if tool == "uv" and sub == "pip" and len(args) > 1 and args[1] in ("install", "sync"):
            a = _parse_args(args[2:])
            if args[1] == "sync":
                return self._pip(stage, sp, state, ins, cmd, "uv pip sync", ["--no-deps"] + ["-r" + p for p in a.positional] + [x for x in args[2:] if x.startswith("-")], env, cwd, binds)
            return self._pip(stage, sp, state, ins, cmd, "uv pip", args[2:], env, cwd, binds)
        if tool == "pip-sync":
            a = _parse_args(args)
            return self._pip(stage, sp, state, ins, cmd, "pip-sync", ["--no-deps"] + ["-r" + p for p in a.positional] + [x for x in args if x.startswith("-")], env, cwd, binds)
        if tool == "uv" and sub in ("sync", "export"):
            return self._project(stage, sp, state, ins, cmd, "uv " + sub, args[1:], env, cwd, binds, "uv.lock")
        if tool == "poetry" and sub in ("install", "sync", "export"):
            return self._project(stage, sp, state, ins, cmd, "poetry " + sub if sub == "export" else "poetry", args[1:], env, cwd, binds, "poetry.lock")
        if tool == "pipenv" and sub in ("install", "sync"):
            return self._project(stage, sp, state, ins, cmd, "pipenv", args[1:], env, cwd, binds, "Pipfile.lock", sync=sub == "sync")
        if tool == "pdm" and sub in ("install", "sync"):
            return self._project(stage, sp, state, ins, cmd, "pdm", args[1:], env, cwd, binds, "pdm.lock")
        return None

    def _origin(self, cmd: Command) -> Origin:
        return Origin(self.model.parsed.path, cmd.line, cmd.column, cmd.end_column if cmd.end_line == cmd.line else 0)

    def _pip(self, stage, sp, state, ins, cmd, tool, args, env, cwd, binds) -> Optional[Install]:
        if not tool:
            return None
        parsed = _parse_args(args)
        opts = _canon_options(parsed.options)
        # environment variables pip reads as options
        for var, key in (("PIP_CONSTRAINT", "constraint"), ("PIP_ONLY_BINARY", "only-binary"), ("PIP_NO_BINARY", "no-binary"), ("PIP_INDEX_URL", "index-url"), ("PIP_EXTRA_INDEX_URL", "extra-index-url"), ("UV_CONSTRAINT", "constraint")):
            if env.get(var) and key not in opts:
                opts[key] = tuple(env[var].split())
        for var, key in (("PIP_PREFER_BINARY", "prefer-binary"), ("PIP_REQUIRE_HASHES", "require-hashes"), ("PIP_NO_DEPS", "no-deps")):
            if env.get(var, "").lower() in ("1", "true", "yes", "on") and key not in opts:
                opts[key] = ("",)
        reqs: List[Req] = []
        constraints: List[Req] = []
        manifests: List[str] = []
        lock: Optional[str] = None
        origin = self._origin(cmd)
        remote_constraints = False
        wheel_sources: List[Install] = []
        from ..manifests import manifest_kind

        for value in opts.get("requirement", ()):
            kind = manifest_kind(value)
            kind = kind if kind in ("pyproject", "setup.cfg") else "requirements"  # uv reads these with -r
            m = self._read_container_manifest(stage, state, ins, value, cwd, binds, kind)
            if m is None:
                generated = state.generated.get(_abs(value, cwd))
                if generated:
                    wheel_sources.extend(generated)
                continue
            manifests.append(m.path)
            manifests.extend(m.includes)
            if kind != "requirements":
                wanted = {canonical(e) for v in opts.get("extra", ()) for e in v.split(",")}
                reqs.extend(r for r in m.requirements if r.group == "" or (r.group.startswith("extra:") and (r.group[6:] in wanted or "all-extras" in opts)))
                continue
            reqs.extend(m.requirements)
            constraints.extend(m.constraints)
            if m.options.get("remote-constraints"):
                remote_constraints = True
            for k in ("only-binary", "no-binary", "prefer-binary", "require-hashes", "pre", "index-url", "extra-index-url", "find-links", "no-index", "trusted-host"):
                if k in m.options:
                    opts[k] = opts.get(k, ()) + m.options[k]
        for value in opts.get("constraint", ()):
            if re.match(r"^[a-z]+://", value):
                remote_constraints = True
                continue
            m = self._read_container_manifest(stage, state, ins, value, cwd, binds, "requirements")
            if m is None:
                continue
            manifests.append(m.path)
            constraints.extend(m.requirements)
            constraints.extend(m.constraints)
        from ..manifests.requirements import parse_requirement_line

        for value in opts.get("editable", ()):
            reqs.extend(self._local_project(stage, state, ins, value, cwd, binds, origin, editable=True, manifests=manifests))
        for value in parsed.positional:
            spec = value
            if spec.startswith((".", "/")) or spec in (".",) or re.match(r"^[^\s\[]*/", spec.split("[", 1)[0]):
                target = _abs(spec.split("[", 1)[0], cwd)
                wd = next((w for d, w in state.wheel_dirs.items() if target == d or target.startswith(d.rstrip("/") + "/")), None)
                if wd:
                    wheel_sources.extend(wd)
                    continue
                if spec.endswith(".whl") or "*" in spec:
                    continue
                reqs.extend(self._local_project(stage, state, ins, spec, cwd, binds, origin, editable=False, manifests=manifests))
                continue
            req, err = parse_requirement_line(spec, origin)
            if req is None:
                continue
            reqs.append(req)
        for fl in opts.get("find-links", ()):
            target = _abs(fl, cwd)
            wd = state.wheel_dirs.get(target)
            if wd:
                wheel_sources.extend(wd)
        hash_mode = "require-hashes" in opts or (reqs and all(r.hashes for r in reqs if r.origin.path != origin.path))
        packages = self._plan_packages(sp, reqs, constraints, opts, hash_mode=bool(hash_mode and any(r.hashes for r in reqs)) or "require-hashes" in opts, inline_origin=origin, remote_constraints=remote_constraints)
        if wheel_sources:
            names = {p.name for p in packages}
            for w in wheel_sources:
                for p in w.packages:
                    if p.name not in names:
                        packages.append(p._replace(prebuilt=w.tool == "pip wheel"))
                        names.add(p.name)
        location = self._location(cmd, opts, env, cwd, state)
        if tool == "pip wheel":
            wdir = _abs((opts.get("wheel-dir") or ["."])[-1], cwd)
            location = wdir
        install = Install(ins, cmd, tool, opts, tuple(packages), tuple(dict.fromkeys(manifests)), location, lock)
        if tool == "pip wheel":
            state.wheel_dirs[location] = (install,)
        return install

    def _read_container_manifest(self, stage, state, ins, value: str, cwd: str, binds, kind: Optional[str]) -> Optional[Manifest]:
        if re.match(r"^[a-z]+://", value):
            return None
        cpath = _abs(value, cwd)
        host, root = self.host_file(state, cpath, binds)
        if host is None or os.path.isdir(host):
            return None
        return self.manifest(host, kind, root)

    def _local_project(self, stage, state, ins, spec: str, cwd: str, binds, origin: Origin, editable: bool, manifests: List[str]) -> List[Req]:
        """``pip install .[extra]`` / ``-e /app``: the dependencies the project's metadata declares."""
        m = re.match(r"^(.*?)(?:\[([^\]]*)\])?$", spec)
        path, extras = (m.group(1), m.group(2)) if m else (spec, None)
        if re.match(r"^(git|hg|svn|bzr)\+|^[a-z]+://", path):
            from ..manifests.requirements import direct_reference

            return [direct_reference(spec, origin, editable)]
        base = _abs(path, cwd)
        wanted = {canonical(e) for e in (extras or "").split(",") if e.strip()}
        for name, kind in (("pyproject.toml", "pyproject"), ("setup.cfg", "setup.cfg")):
            host, root = self.host_file(state, posixpath.join(base, name), binds)
            if host is None:
                continue
            mf = self.manifest(host, kind, root)
            deps = [r for r in mf.requirements if r.group == "" or (r.group.startswith("extra:") and r.group[6:] in wanted)]
            if kind == "pyproject" and not deps and not mf.extra.get("name") and not any(r.group == "" for r in mf.requirements):
                continue
            manifests.append(mf.path)
            return deps
        return []

    def _plan_packages(self, sp: StagePlan, reqs: Sequence[Req], constraints: Sequence[Req], opts, hash_mode: bool, inline_origin: Origin, remote_constraints: bool = False, lock_mode: bool = False) -> List[PlannedPackage]:
        by_name: Dict[str, Req] = {}
        for c in constraints:
            if c.name and c.pinned_version and (not c.marker or marker_holds(c.marker, sp.env)):
                by_name[c.name] = c
        out: List[PlannedPackage] = []
        seen: Set[Tuple[str, str]] = set()
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
            if pinned_by is None and hash_mode:
                pinned_by = "hashes"
            if pinned_by is None and remote_constraints:
                pinned_by = "remote-constraints"
            inline = r.origin.path == inline_origin.path and r.origin.line == inline_origin.line
            tooling = inline and r.name in TOOLING
            out.append(PlannedPackage(r.name, version, r.specifier, r.extras, r, True, (), False, pinned_by, tooling=tooling))
            if not lock_mode and "no-deps" not in opts and r.name:
                for n, _v, parent in inferred_natives(r.name, r.extras, version, sp.python):
                    if any(p.name == n for p in out):
                        continue
                    chain = (r.name,) + ((parent.split("[")[0].split("<")[0].split(">")[0].split("=")[0].split("!")[0].split("~")[0],) if parent and canonical(parent.split("[")[0]) != r.name else ())
                    pv = by_name[n].pinned_version if n in by_name else None
                    out.append(PlannedPackage(n, pv, "", (), r, False, chain, True, "constraint" if pv else None))
        return _drop_inferred_declared(out)

    def _project(self, stage, sp, state, ins, cmd, tool, args, env, cwd, binds, lock_name: str, sync: bool = False) -> Optional[Install]:
        parsed = _parse_args(args)
        opts = _canon_options(parsed.options)
        project = _abs((opts.get("project") or opts.get("directory") or [cwd])[-1], cwd)
        origin = self._origin(cmd)
        manifests: List[str] = []
        py_host, py_root = self.host_file(state, posixpath.join(project, "pyproject.toml"), binds)
        if tool == "pipenv":
            py_host, py_root = self.host_file(state, posixpath.join(project, "Pipfile"), binds)
        lock_host, lock_root = self.host_file(state, posixpath.join(project, lock_name), binds)
        pyproject = self.manifest(py_host, "Pipfile" if tool == "pipenv" else "pyproject", py_root) if py_host and not os.path.isdir(py_host) else None
        lock = self.manifest(lock_host, None, lock_root) if lock_host and not os.path.isdir(lock_host) else None
        if tool == "pipenv" and parsed.positional:
            from ..manifests.requirements import parse_requirement_line

            reqs = [r for r in (parse_requirement_line(p, origin)[0] for p in parsed.positional) if r is not None]
            packages = self._plan_packages(sp, reqs, (), opts, False, origin)
            return Install(ins, cmd, tool, opts, tuple(packages), (), self._project_location(tool, opts, env, project), None)
        if pyproject is None and lock is None:
            return Install(ins, cmd, tool, opts, (), (), self._project_location(tool, opts, env, project), None)
        if pyproject is not None:
            manifests.append(pyproject.path)
        groups = _selected_groups(tool, opts, pyproject)
        extras = set(canonical(e) for e in opts.get("extra", ()) for e in e.replace(",", " ").split())
        all_extras = "all-extras" in opts
        packages: List[PlannedPackage] = []
        lock_used = None
        use_lock = lock is not None and not lock.problems and (tool != "pipenv" or "ignore-pipfile" in opts or "deploy" in opts or sync or True)
        if use_lock and lock is not None:
            lock_used = lock.path
            manifests.append(lock.path)
            packages = self._from_lock(sp, lock, pyproject, groups, extras, all_extras, tool, opts, origin)
        elif pyproject is not None:
            reqs = [r for r in pyproject.requirements if _group_selected(r.group, groups, extras, all_extras)]
            packages = self._plan_packages(sp, reqs, (), opts, False, origin)
            lock_path = posixpath.join(project, lock_name)
            if lock_path in state.unseen or (lock is not None and lock.problems) or {"frozen", "locked", "deploy"} & set(opts):
                # the command installs from a lock we cannot read (not in the context we see,
                # or unparsable): versions are fixed by it, only which ones is unknown
                packages = [p._replace(pinned_by="lock (unreadable)") if p.direct else p for p in packages]
                lock_used = lock_path
        location = self._project_location(tool, opts, env, project)
        install = Install(ins, cmd, tool, opts, tuple(packages), tuple(manifests), location, lock_used)
        if tool.endswith("export"):
            out = (opts.get("-o") or opts.get("output-file") or [])
            for k in ("-o", "--output-file", "--output"):
                out = out or list(parsed.options.get(k, ()))
            if out:
                state.generated[_abs(out[-1], cwd)] = (install,)
            return None
        return install

    def _project_location(self, tool: str, opts, env, project: str) -> str:
        if tool.startswith("uv"):
            if env.get("UV_PROJECT_ENVIRONMENT"):
                return _abs(env["UV_PROJECT_ENVIRONMENT"], project)
            if "system" in opts:
                return "system"
            return posixpath.join(project, ".venv")
        if tool in ("poetry", "pdm") or (tool == "pipenv" and "system" not in opts):
            if env.get("VIRTUAL_ENV"):
                return _abs(env["VIRTUAL_ENV"], project)  # an active virtualenv is used as is
        if tool == "poetry":
            create = env.get("POETRY_VIRTUALENVS_CREATE", "true").lower()
            if create in ("false", "0"):
                return "system"
            if env.get("POETRY_VIRTUALENVS_IN_PROJECT", "").lower() in ("true", "1"):
                return posixpath.join(project, ".venv")
            return "/root/.cache/pypoetry/virtualenvs"
        if tool == "pipenv":
            if "system" in opts:
                return "system"
            if env.get("PIPENV_VENV_IN_PROJECT", "").lower() in ("1", "true"):
                return posixpath.join(project, ".venv")
            return "/root/.local/share/virtualenvs"
        if tool == "pdm":
            return posixpath.join(project, ".venv")
        return "system"

    def _from_lock(self, sp, lock: Manifest, pyproject: Optional[Manifest], groups, extras, all_extras, tool, opts, origin) -> List[PlannedPackage]:
        from ..manifests.locks import lock_closure

        packages = lock.extra.get("packages") or {}
        out: List[PlannedPackage] = []
        if lock.kind == "Pipfile.lock":
            for r in lock.requirements:
                if r.group and (r.group[6:] not in groups):
                    continue
                if r.marker and not marker_holds(r.marker, sp.env):
                    continue
                out.append(PlannedPackage(r.name, r.pinned_version, r.specifier, r.extras, r, True, (), False, "lock" if r.pinned_version else ("vcs-commit" if r.vcs_commit_pinned else None)))
            return out
        direct_names: Set[str] = set()
        roots: List[Tuple[str, Tuple[str, ...]]] = []
        if pyproject is not None:
            for r in pyproject.requirements:
                if _group_selected(r.group, groups, extras, all_extras) and (not r.marker or marker_holds(r.marker, sp.env)):
                    roots.append((r.name, r.extras))
                    direct_names.add(r.name)
        dev_groups: List[str] = []
        if lock.kind == "uv.lock":
            project_name = (pyproject.extra.get("name") if pyproject else "") or ""
            root_pkg = packages.get(project_name) if project_name else next((p for p in packages.values() if p.source in ("virtual", "editable")), None)
            if root_pkg is not None:
                roots = [(root_pkg.name, tuple(sorted(extras)) if not all_extras else tuple(root_pkg.optional_deps))]
                dev_groups = [g for g in groups if g != "main"]
                direct_names = {d[0] for d in root_pkg.deps} | {d[0] for g in dev_groups for d in root_pkg.dev_deps.get(g, ())}
        elif any(p.groups for p in packages.values()):
            # poetry.lock with `groups`, pdm.lock: select by group
            wanted = set(groups) | {"main", "default"}
            if tool == "poetry" and "only" in opts:
                wanted = set(groups)
            chosen = {n: (p, ()) for n, p in packages.items() if set(p.groups) & wanted and (not p.marker or marker_holds(p.marker, sp.env))}
            return [self._locked(lock, p, n in direct_names or not direct_names, chain, origin) for n, (p, chain) in chosen.items()]
        if not roots:
            return [self._locked(lock, p, True, (), origin) for p in packages.values() if not p.marker or marker_holds(p.marker, sp.env)]
        closure = lock_closure(packages, roots, sp.env, dev_groups)
        for name, (pkg, chain) in closure.items():
            if pkg.source in ("virtual", "editable") and not pkg.version:
                continue
            if lock.kind == "uv.lock" and pkg.source in ("virtual", "editable"):
                continue
            out.append(self._locked(lock, pkg, name in direct_names, chain[1:] if lock.kind == "uv.lock" else chain, origin))
        return out

    def _locked(self, lock: Manifest, pkg, direct: bool, chain, origin) -> PlannedPackage:
        req = Req(pkg.name, f"=={pkg.version}" if pkg.version else "", (), pkg.marker, Origin(lock.path, pkg.line, 1, 0), locked_version=pkg.version or None, text=f"{pkg.name}=={pkg.version}")
        return PlannedPackage(pkg.name, pkg.version or None, req.specifier, (), req, direct, tuple(chain), False, "lock" if pkg.version else None, pkg.files)


def _drop_inferred_declared(pkgs: List[PlannedPackage]) -> List[PlannedPackage]:
    """An inferred transitive package that the same install also declares (pinned or not, on an
    earlier or a later line) is the declared one: drop the inferred copy."""
    declared = {p.name for p in pkgs if not p.inferred and p.name}
    return [p for p in pkgs if not (p.inferred and p.name in declared)]


def _selected_groups(tool: str, opts, pyproject: Optional[Manifest]) -> Set[str]:
    """Development groups a project install command includes ("main" = the main dependencies)."""
    declared = {r.group[6:] for r in (pyproject.requirements if pyproject else ()) if r.group.startswith("group:")}
    groups: Set[str] = {"main"}
    if tool.startswith("uv"):
        if "only-group" in opts:
            return {canonical(g) for g in opts["only-group"]}
        if "no-dev" not in opts and "no-default-groups" not in opts:
            groups.add("dev")
        if "all-groups" in opts:
            groups |= declared
        groups |= {canonical(g) for g in opts.get("group", ())}
        groups -= {canonical(g) for g in opts.get("no-group", ())}
        return groups
    if tool == "poetry":
        if "only" in opts:
            return {canonical(g) for v in opts["only"] for g in v.split(",")}
        if "no-dev" in opts:
            return groups
        groups |= declared  # poetry installs every non-optional group by default
        groups |= {canonical(g) for v in opts.get("with", ()) for g in v.split(",")}
        groups -= {canonical(g) for v in opts.get("without", ()) for g in v.split(",")}
        return groups
    if tool == "pipenv":
        return groups | ({"dev"} if "dev" in opts else set())
    if tool == "pdm":
        if "prod" in opts:
            return groups | {canonical(g) for g in opts.get("group", ())}
        return groups | declared
    return groups


def _group_selected(group: str, groups: Set[str], extras: Set[str], all_extras: bool) -> bool:
    if group == "":
        return "main" in groups
    if group.startswith("extra:"):
        return all_extras or group[6:] in extras
    if group.startswith("group:"):
        return group[6:] in groups
    return False


def _covers(src: str, location: str, python: Optional[str]) -> bool:
    """Does copying ``src`` out of a stage carry the environment installed at ``location``?"""
    src = src.rstrip("/") or "/"
    if location == "system":
        return src in ("/", "/usr", "/usr/local", "/usr/local/lib", "/usr/lib") or bool(re.match(r"^/usr(?:/local)?/lib/python3[^/]*(?:/(?:site|dist)-packages)?$", src))
    loc = location.rstrip("/")
    return src == loc or loc.startswith(src + "/") or src.startswith(loc + "/")


def _copy_from_stage(model, stage, ins: Instruction):
    if ins.flag("from") is None:
        return None
    for src in stage.copy_sources:
        if src.instruction is ins:
            return src.stage
    return None


def build_plan(model, context: Optional[BuildContext] = None) -> InstallPlan:
    path = model.parsed.path
    if context is None:
        base = os.path.dirname(os.path.abspath(path)) if path not in ("-", "<stdin>") else os.getcwd()
        context = BuildContext(base, False, path)
    return _Builder(model, context).run()
