"""pip (``pip install``, ``pip wheel``), ``pip-sync``, and the pip-compatible front ends of uv
(``uv pip install``/``sync`` call :func:`install_requirements`): requirement files, constraints,
inline specifiers, local projects, wheel directories, and where the packages land."""

from __future__ import annotations

import posixpath
import re
from typing import List, Optional, Sequence

from ...manifests import Req, canonical, manifest_kind
from ...model.commands import ToolCommand
from .common import At, plan_options, read_command
from .packages import PackagePolicy, plan_packages
from .types import Install, Options

__all__ = ["install", "install_sync", "install_requirements"]

# Environment variables pip (and uv) read as options: variable -> plan option.
_ENV_VALUES = (("PIP_CONSTRAINT", "constraint"), ("PIP_ONLY_BINARY", "only-binary"), ("PIP_NO_BINARY", "no-binary"), ("PIP_INDEX_URL", "index-url"), ("PIP_EXTRA_INDEX_URL", "extra-index-url"), ("UV_CONSTRAINT", "constraint"))
_ENV_FLAGS = (("PIP_PREFER_BINARY", "prefer-binary"), ("PIP_REQUIRE_HASHES", "require-hashes"), ("PIP_NO_DEPS", "no-deps"))
# Options of a requirements file that apply to the whole install.
_FILE_OPTIONS = ("only-binary", "no-binary", "prefer-binary", "require-hashes", "pre", "index-url", "extra-index-url", "find-links", "no-index", "trusted-host")


def install(at: At, tc: ToolCommand) -> Optional[Install]:
    """``pip install`` / ``pip wheel`` (``pip download`` installs nothing)."""
    tool = {"install": "pip", "wheel": "pip wheel"}.get(tc.subcommand or "")
    if tool is None:
        return None
    return install_requirements(at, tool, plan_options(tc), tc.operands)


def install_sync(at: At, tc: ToolCommand, tool: str) -> Install:
    """``pip-sync`` / ``uv pip sync``: the requirement files, exactly, without dependencies."""
    opts: Options = {"no-deps": ("",), "requirement": tuple(tc.operands)}
    for k, v in plan_options(tc).items():
        if k != "requirement":
            opts[k] = opts.get(k, ()) + v
    return install_requirements(at, tool, opts, ())


def install_pip_sync(at: At, args: Sequence[str]) -> Install:
    """``pip-sync`` reads pip's options; its operands are requirement files."""
    return install_sync(at, read_command("pip", at.command, ("install",) + tuple(args), at.env), "pip-sync")


def _env_options(opts: Options, at: At) -> None:
    for var, key in _ENV_VALUES:
        if at.env.get(var) and key not in opts:
            opts[key] = tuple(at.env[var].split())
    for var, key in _ENV_FLAGS:
        if at.env.get(var, "").lower() in ("1", "true", "yes", "on") and key not in opts:
            opts[key] = ("",)


def install_requirements(at: At, tool: str, opts: Options, operands: Sequence[str]) -> Install:
    """What an install of requirement files, constraints and specifiers puts where."""
    from ...manifests.requirements import parse_requirement_line

    _env_options(opts, at)
    fs = at.fs
    reqs: List[Req] = []
    constraints: List[Req] = []
    manifests: List[str] = []
    origin = at.origin
    remote_constraints = False
    wheel_sources: List[Install] = []
    for value in opts.get("requirement", ()):
        kind = manifest_kind(value)
        kind = kind if kind in ("pyproject", "setup.cfg") else "requirements"  # uv reads these with -r
        m = at.manifest(value, kind)
        if m is None:
            generated = fs.generated.get(at.path(value))
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
        for k in _FILE_OPTIONS:
            if k in m.options:
                opts[k] = opts.get(k, ()) + m.options[k]
    for value in opts.get("constraint", ()):
        if re.match(r"^[a-z]+://", value):
            remote_constraints = True
            continue
        m = at.manifest(value, "requirements")
        if m is None:
            continue
        manifests.append(m.path)
        constraints.extend(m.requirements)
        constraints.extend(m.constraints)
    for value in opts.get("editable", ()):
        reqs.extend(local_project(at, value, True, manifests))
    for spec in operands:
        if spec.startswith((".", "/")) or spec in (".",) or re.match(r"^[^\s\[]*/", spec.split("[", 1)[0]):
            wd = fs.wheel_dir_holding(at.path(spec.split("[", 1)[0]))
            if wd:
                wheel_sources.extend(wd)
                continue
            if spec.endswith(".whl") or "*" in spec:
                continue
            reqs.extend(local_project(at, spec, False, manifests))
            continue
        req, _err = parse_requirement_line(spec, origin)
        if req is not None:
            reqs.append(req)
    for fl in opts.get("find-links", ()):
        wd = fs.wheel_dirs.get(at.path(fl))
        if wd:
            wheel_sources.extend(wd)
    hash_mode = "require-hashes" in opts or (reqs and all(r.hashes for r in reqs if r.origin.path != origin.path))
    policy = PackagePolicy(origin, bool(hash_mode and any(r.hashes for r in reqs)) or "require-hashes" in opts, remote_constraints, "no-deps" in opts)
    packages = plan_packages(at.plan, reqs, constraints, policy)
    if wheel_sources:
        names = {p.name for p in packages}
        for w in wheel_sources:
            for p in w.packages:
                if p.name not in names:
                    packages.append(p._replace(prebuilt=w.tool == "pip wheel"))
                    names.add(p.name)
    if tool == "pip wheel":
        location = at.path((opts.get("wheel-dir") or ["."])[-1])
    else:
        location = _location(at, opts)
    result = Install(at.instruction, at.command, tool, opts, tuple(packages), tuple(dict.fromkeys(manifests)), location, None)
    if tool == "pip wheel":
        fs.wheel_dirs[location] = (result,)
    return result


def _location(at: At, opts: Options) -> str:
    """Where pip installs: --target, --prefix, --user, the venv of the pip binary, an active
    virtualenv, a venv on PATH, or the system site-packages."""
    env = at.env
    if opts.get("target"):
        return at.path(opts["target"][-1])
    if opts.get("prefix"):
        return at.path(opts["prefix"][-1])
    if "user" in opts:
        home = env.get("HOME", "/root")
        return posixpath.join(home, ".local")
    prog = at.command.program
    if "/bin/" in prog:
        head = prog.rsplit("/bin/", 1)[0]
        if head not in ("", "/usr", "/usr/local", "/opt/conda"):
            return at.path(head)
    if env.get("VIRTUAL_ENV"):
        return at.path(env["VIRTUAL_ENV"])
    for part in env.get("PATH", "").split(":"):
        if part.endswith("/bin"):
            head = part[: -len("/bin")]
            if head in at.fs.venvs or re.search(r"(?:^|/)\.?venv[^/]*$|/env$|virtualenvs?", head):
                return head
    return "system"


def local_project(at: At, spec: str, editable: bool, manifests: List[str]) -> List[Req]:
    """``pip install .[extra]`` / ``-e /app``: the dependencies the project's metadata declares."""
    m = re.match(r"^(.*?)(?:\[([^\]]*)\])?$", spec)
    path, extras = (m.group(1), m.group(2)) if m else (spec, None)
    if re.match(r"^(git|hg|svn|bzr)\+|^[a-z]+://", path):
        from ...manifests.requirements import direct_reference

        return [direct_reference(spec, at.origin, editable)]
    base = at.path(path)
    wanted = {canonical(e) for e in (extras or "").split(",") if e.strip()}
    for name, kind in (("pyproject.toml", "pyproject"), ("setup.cfg", "setup.cfg")):
        host, root = at.host_file(posixpath.join(base, name))
        if host is None:
            continue
        mf = at.files.manifest(host, kind, root)
        deps = [r for r in mf.requirements if r.group == "" or (r.group.startswith("extra:") and r.group[6:] in wanted)]
        if kind == "pyproject" and not deps and not mf.extra.get("name") and not any(r.group == "" for r in mf.requirements):
            continue
        manifests.append(mf.path)
        return deps
    return []
