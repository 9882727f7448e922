"""The container filesystem as far as the plan needs it: which build-context files COPY/ADD (or a
``RUN --mount=type=bind``) put where, the WORKDIR, virtual environments, wheel directories and
files written by earlier commands. Host files are read through :class:`HostFiles` (guarded, each
manifest parsed once per plan)."""

from __future__ import annotations

import os
import posixpath
import re
from typing import Dict, List, Optional, Sequence, Set, Tuple

from ..._record import Record
from ...manifests import Manifest, ManifestProblem, is_manifest_name, load_manifest
from ...paths import display_path
from ...model.context import BuildContext
from ...model.dockerfile import Instruction
from .types import Install, MissingManifest

__all__ = ["FsEntry", "StageFs", "HostFiles", "abs_path", "under"]


def abs_path(path: str, cwd: str) -> str:
    """``path`` made absolute against ``cwd`` (``~`` is root's home)."""
    if not path:
        return cwd
    if path.startswith("~"):
        path = "/root" + path[1:]
    return posixpath.normpath(posixpath.join(cwd, path))


def under(path: str, directory: str) -> bool:
    """``path`` is ``directory`` or inside it."""
    return path == directory or path.startswith(directory.rstrip("/") + "/")


class FsEntry(Record):
    """Host content placed in the image (by COPY/ADD or a bind mount)."""

    dest: str  # absolute container path
    host: str  # absolute host path (file or directory)
    root: str  # context root the host path belongs to
    is_dir: bool
    dest_is_dir: bool
    instruction: Instruction


class StageFs:
    """The simulated filesystem of one stage (a ``FROM <stage>`` starts from a copy)."""

    def __init__(self) -> None:
        self.workdir = "/"
        self.entries: List[FsEntry] = []
        self.venvs: Set[str] = set()
        self.wheel_dirs: Dict[str, Tuple[Install, ...]] = {}
        self.generated: Dict[str, Tuple[Install, ...]] = {}  # files written by `uv export -o` ...
        self.distro_python = False
        self.unseen: Set[str] = set()  # container paths COPY put there from files we cannot see

    def copy(self) -> StageFs:
        s = StageFs()
        s.workdir = self.workdir
        s.entries = list(self.entries)
        s.venvs = set(self.venvs)
        s.wheel_dirs = dict(self.wheel_dirs)
        s.generated = dict(self.generated)
        s.distro_python = self.distro_python
        s.unseen = set(self.unseen)
        return s

    def wheel_dir_holding(self, path: str) -> Optional[Tuple[Install, ...]]:
        """The installs whose wheels a directory containing ``path`` holds."""
        return next((w for d, w in self.wheel_dirs.items() if under(path, d)), None)


class HostFiles:
    """Reads the build context's files for the plan: which host file is at a container path, and
    the manifests there (each parsed once; their problems collected once)."""

    def __init__(self, context: BuildContext) -> None:
        self.ctx = context
        self.problems: List[ManifestProblem] = []
        self.missing: List[MissingManifest] = []
        self._problem_keys: Set[Tuple[str, Optional[int], str]] = set()
        self._manifests: Dict[Tuple[str, str], Manifest] = {}

    def manifest(self, host: str, kind: Optional[str] = None, root: Optional[str] = None) -> Manifest:
        key = (host, kind or "")
        m = self._manifests.get(key)
        if m is None:
            m = load_manifest(host, kind, shown=display_path(host), root=root or self.ctx.root)
            self._manifests[key] = m
            for p in m.problems:
                if p.kind == "remote":
                    continue
                k = (p.path, p.line, p.message)
                if k not in self._problem_keys:
                    self._problem_keys.add(k)
                    self.problems.append(p)
        return m

    def host_file(self, fs: StageFs, container_path: str, binds: Sequence[FsEntry] = ()) -> Tuple[Optional[str], Optional[str]]:
        """(host path, context root) of a file in the image, when it came from the context."""
        for e in list(binds) + list(reversed(fs.entries)):
            if e.is_dir:
                if under(container_path, e.dest):
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

    def manifest_at(self, fs: StageFs, path: str, binds: Sequence[FsEntry], kind: Optional[str]) -> Optional[Manifest]:
        """The manifest at an absolute container path, when it is a context file."""
        host, root = self.host_file(fs, path, binds)
        if host is None or os.path.isdir(host):
            return None
        return self.manifest(host, kind, root)

    def copy_in(self, fs: StageFs, ins: Instruction, srcs: Sequence[str], dest: str, report_missing: bool = True) -> None:
        """COPY/ADD of build-context sources to ``dest`` (as written; WORKDIR-relative)."""
        dest_abs = abs_path(dest, fs.workdir)
        dest_is_dir = dest.endswith("/") or len(srcs) > 1 or dest in (".", "./")
        if ins.keyword == "ADD" and any(re.match(r"^[a-z]+://", s) for s in srcs):
            return
        for src in srcs:
            matches = self.ctx.resolve(src)
            if not matches:
                name = posixpath.basename(src.rstrip("/"))
                fs.unseen.add(dest_abs if not dest_is_dir else posixpath.join(dest_abs, name))
                fs.unseen.add(posixpath.join(dest_abs, name))
                if report_missing and is_manifest_name(src.rstrip("/")) and not any(ch in src for ch in "*?[") and not self.ctx.maybe_elsewhere(src):
                    self.missing.append(MissingManifest(ins, src, "not in the build context (or is ignored)"))
                continue
            for host, _rel, root in matches:
                fs.entries.append(FsEntry(dest_abs, host, root, os.path.isdir(host), dest_is_dir, ins))

    def binds(self, fs: StageFs, ins: Instruction) -> Tuple[FsEntry, ...]:
        """``RUN --mount=type=bind`` of build-context paths."""
        out: List[FsEntry] = []
        for value in ins.flag_values("mount"):
            parts: Dict[str, str] = {}
            for p in value.split(","):
                k, _, v = p.partition("=")
                parts[k] = v
            if parts.get("type", "bind") != "bind" or "from" in parts:
                continue
            target = parts.get("target") or parts.get("dst") or parts.get("destination")
            source = parts.get("source") or parts.get("src") or "."
            if not target:
                continue
            matches = self.ctx.resolve(source)
            if not matches:
                continue
            host, _rel, root = matches[0]
            out.append(FsEntry(abs_path(target, fs.workdir), host, root, os.path.isdir(host), False, ins))
        return tuple(out)
