"""Python dependency manifests: one parser per format, one record type for what they declare.

Every parser returns a :class:`Manifest`: the requirements it declares (each with its file, line
and column), the file-level pip options, the files it includes, and the problems found (a
malformed line is a :class:`ManifestProblem`, never an exception). Nothing here executes code
from the linted repository: ``setup.py`` is never run, ``setup.cfg`` is read as INI text.

Files are read once per process (:func:`read_text` caches by path, size and mtime).
"""

from __future__ import annotations

import os
import re
from typing import Dict, List, Optional, Tuple
from .._record import Record

__all__ = [
    "Origin",
    "Req",
    "ManifestProblem",
    "Manifest",
    "canonical",
    "manifest_kind",
    "load_manifest",
    "read_text",
    "is_manifest_name",
]

_CANON_RE = re.compile(r"[-_.]+")
_HEX40_RE = re.compile(r"^[0-9a-f]{40}$")


def canonical(name: str) -> str:
    """PEP 503 normalised project name."""
    return _CANON_RE.sub("-", name).lower()


class Origin(Record):
    """Where a requirement is declared: a manifest line or a Dockerfile line."""

    path: str
    line: int
    column: int = 1
    end_column: int = 0


class Req(Record):
    """One declared Python requirement."""

    name: str  # canonical name ("" when unknown, e.g. a local path or a bare URL)
    specifier: str  # PEP 440 specifier text, "" when none
    extras: Tuple[str, ...]
    marker: Optional[str]
    origin: Origin
    url: Optional[str] = None  # direct reference (URL, VCS, local path or wheel file)
    editable: bool = False
    hashes: Tuple[str, ...] = ()
    locked_version: Optional[str] = None  # exact version from a lock file
    group: str = ""  # "" = main dependencies; an extra/group name otherwise
    text: str = ""  # the requirement as written

    @property
    def pinned_version(self) -> Optional[str]:
        """The exact version this requirement installs, when it fixes one."""
        if self.locked_version:
            return self.locked_version
        spec = self.specifier.strip()
        if spec.count(",") == 0:
            for op in ("===", "=="):
                if spec.startswith(op):
                    v = spec[len(op):].strip()
                    if v and "*" not in v:
                        return v
        return None

    @property
    def is_vcs(self) -> bool:
        return bool(self.url) and bool(re.match(r"^(git|hg|svn|bzr)\+", self.url or ""))

    @property
    def vcs_commit_pinned(self) -> bool:
        """A VCS URL that names a full commit hash (``@<40 hex>``)."""
        if not self.is_vcs:
            return False
        ref = (self.url or "").split("#", 1)[0]
        tail = ref.rsplit("@", 1)[-1] if "@" in ref.split("://", 1)[-1] else ""
        return bool(_HEX40_RE.match(tail.lower()))

    @property
    def is_local(self) -> bool:
        """A local path or the project itself (``.``, ``./pkg``, ``file:``)."""
        u = self.url or ""
        return u.startswith(("file:", ".", "/")) or (u != "" and "://" not in u and not self.is_vcs)


class ManifestProblem(Record):
    path: str
    line: Optional[int]
    message: str
    kind: str = "malformed"  # "malformed" | "missing" | "cycle" | "outside" | "remote"


class Manifest(Record):
    path: str
    kind: str  # "requirements" | "pyproject" | "uv.lock" | "poetry.lock" | "Pipfile" | ...
    requirements: Tuple[Req, ...]
    options: Dict[str, Tuple[str, ...]]  # file-level pip options (requirements files)
    constraints: Tuple[Req, ...] = ()
    problems: Tuple[ManifestProblem, ...] = ()
    includes: Tuple[str, ...] = ()  # files read through -r/-c
    extra: Dict[str, object] = {}  # format-specific data (lock: packages by name, groups...)


_NAME_KINDS = {
    "pyproject.toml": "pyproject",
    "uv.lock": "uv.lock",
    "poetry.lock": "poetry.lock",
    "pipfile": "Pipfile",
    "pipfile.lock": "Pipfile.lock",
    "pdm.lock": "pdm.lock",
    "pylock.toml": "pylock",
    "setup.cfg": "setup.cfg",
    "environment.yml": "environment",
    "environment.yaml": "environment",
}
_REQ_NAME_RE = re.compile(r"^(?:.*requirements.*|constraints.*|requires.*)\.(?:txt|in|pip)$|^requirements$", re.I)
_PYLOCK_RE = re.compile(r"^pylock\.[^.]+\.toml$")


def manifest_kind(path: str) -> Optional[str]:
    base = os.path.basename(path)
    kind = _NAME_KINDS.get(base.lower())
    if kind:
        return kind
    if _PYLOCK_RE.match(base):
        return "pylock"
    if _REQ_NAME_RE.match(base):
        return "requirements"
    parent = os.path.basename(os.path.dirname(path.replace("\\", "/")))
    if base.endswith((".txt", ".in")) and parent.lower().startswith("requirements"):
        return "requirements"  # requirements/prod.txt
    return None


def is_manifest_name(path: str) -> bool:
    return manifest_kind(path) is not None


_TEXT_CACHE: Dict[str, Tuple[Tuple[int, int, int], Optional[str], Optional[str]]] = {}
MAX_MANIFEST_BYTES = 5 * 1024 * 1024

# Unsaved editor buffers (the language server): absolute path -> text, read instead of the file
# on disk. Empty outside the server; set it with :func:`set_buffer_overlay`.
BUFFER_OVERLAY: Dict[str, str] = {}


def set_buffer_overlay(buffers: Dict[str, str]) -> None:
    """Replace the buffer overlay (keys are made absolute). Only files that exist on disk are
    found by the build model; the overlay changes what they contain, not whether they exist."""
    BUFFER_OVERLAY.clear()
    BUFFER_OVERLAY.update({os.path.abspath(k): v for k, v in buffers.items()})


def read_text(path: str, root: Optional[str] = None) -> Tuple[Optional[str], Optional[str]]:
    """(text, None) or (None, reason), read through the guarded reader (regular file, size cap,
    inside ``root`` also after resolving symlinks). Cached per process by path, size and mtime."""
    from ..safe_read import inside, read_bytes

    if BUFFER_OVERLAY:  # the language server's unsaved buffers win over the disk
        buffered = BUFFER_OVERLAY.get(os.path.abspath(path))
        if buffered is not None and os.path.isfile(path) and (root is None or inside(path, root)):
            if len(buffered) > MAX_MANIFEST_BYTES:
                return None, f"larger than {MAX_MANIFEST_BYTES // (1024 * 1024)} MiB; not read"
            return buffered, None

    if root is not None and not inside(path, root):
        return None, "symlink or path points outside the build context; not followed"
    if ".git" in os.path.abspath(path).replace(os.sep, "/").split("/"):
        return None, "inside a .git directory; not read"
    try:
        st = os.stat(path)
        key = (st.st_size, st.st_mtime_ns, st.st_ino)
    except OSError:
        key = None
    hit = _TEXT_CACHE.get(path)
    if key is not None and hit is not None and hit[0] == key:
        return hit[1], hit[2]
    text: Optional[str] = None
    data, reason = read_bytes(path, limit=MAX_MANIFEST_BYTES)
    if data is not None:
        if b"\x00" in data[:8192]:
            reason = "binary file (NUL bytes), not a text manifest"
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                reason = f"not valid UTF-8 (byte {exc.start})"
    if key is not None:
        _TEXT_CACHE[path] = (key, text, reason)
    return text, reason


def load_manifest(path: str, kind: Optional[str] = None, *, shown: Optional[str] = None, root: Optional[str] = None) -> Manifest:
    """Parse one manifest file. Never raises for bad content: problems are in the result."""
    kind = kind or manifest_kind(path) or "requirements"
    shown = shown or path
    text, reason = read_text(path, root)
    if text is None:
        return Manifest(shown, kind, (), {}, problems=(ManifestProblem(shown, None, reason or "cannot read", "missing" if reason and "No such file" in reason else "outside" if reason and "outside" in reason else "malformed"),))
    if kind == "requirements":
        from .requirements import parse_requirements_file

        return parse_requirements_file(path, shown=shown, root=root)
    if kind in ("pyproject",):
        from .pyproject import parse_pyproject

        return parse_pyproject(text, shown)
    if kind in ("Pipfile",):
        from .locks import parse_pipfile

        return parse_pipfile(text, shown)
    if kind == "Pipfile.lock":
        from .locks import parse_pipfile_lock

        return parse_pipfile_lock(text, shown)
    if kind in ("uv.lock", "poetry.lock", "pdm.lock", "pylock"):
        from .locks import parse_toml_lock

        return parse_toml_lock(text, shown, kind)
    if kind == "setup.cfg":
        from .other import parse_setup_cfg

        return parse_setup_cfg(text, shown)
    if kind == "environment":
        from .other import parse_environment_yml

        return parse_environment_yml(text, shown)
    return Manifest(shown, kind, (), {}, problems=(ManifestProblem(shown, None, f"unsupported manifest kind {kind!r}"),))


def str_or_none(value) -> Optional[str]:
    """A TOML/JSON value that must be a string; anything else counts as absent."""
    return value if isinstance(value, str) else None


def str_items(value) -> Tuple[str, ...]:
    """A value that must be an array of strings: the strings in it (a lone string is one item;
    any other type is none). Hostile manifests hold ``extras = 5`` or ``[1]``."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def table_of(value) -> dict:
    return value if isinstance(value, dict) else {}


def load_toml_text(text: str):
    try:
        import tomllib  # type: ignore[import-not-found]
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib.loads(text)


def toml_error_line(exc: Exception, text: str = "") -> Optional[int]:
    m = re.search(r"line (\d+)", str(exc))
    if m:
        return int(m.group(1))
    if "end of document" in str(exc) and text:
        return text.count("\n") + (0 if text.endswith("\n") else 1) or 1
    return None


# Written so that no two quantifiers can match the same characters (no catastrophic
# backtracking): every optional part starts with a required, distinct character.
_SPEC_ITEM = r"(?:===|==|!=|<=|>=|~=|<|>)[ \t]*[A-Za-z0-9][A-Za-z0-9.*+!_-]*"
_SIMPLE_REQ_RE = re.compile(
    r"([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)"
    r"(?:[ \t]*\[([A-Za-z0-9._,\t -]*)\])?"
    r"(?:[ \t]*(" + _SPEC_ITEM + r"(?:[ \t]*,[ \t]*" + _SPEC_ITEM + r")*))?"
)
# `==1.2.3` (the common pin) is checked with a small pattern; the full one is compiled on first
# use (~0.8 ms of start-up otherwise). Both are held to `packaging` by tests/test_oracle_requirements.py.
_PLAIN_PIN_RE = re.compile(r"==\d+(?:\.\d+)*")
_SPEC_VERSION = (r"^(?:===.+|(?:==|!=)\s*v?\d+(?:\.\d+)*(?:\.\*|(?:[-_.]?(?:a|b|rc|alpha|beta|c|pre|preview)\d*)?(?:[-_.]?(?:post|rev|r)\d*)?(?:[-_.]?dev\d*)?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?)|(?:<=|>=|<|>)\s*v?\d+(?:\.\d+)*(?:[-_.]?(?:a|b|rc|alpha|beta|c|pre|preview)\d*)?(?:[-_.]?(?:post|rev|r)\d*)?(?:[-_.]?dev\d*)?|~=\s*v?\d+(?:\.\d+)+(?:[-_.]?(?:a|b|rc|alpha|beta|c|pre|preview)\d*)?(?:[-_.]?(?:post|rev|r)\d*)?(?:[-_.]?dev\d*)?)$")
_SPEC_RES: List["re.Pattern[str]"] = []
# `~=` needs two release segments (PEP 440): `~=1` is invalid


def _spec_version_re() -> "re.Pattern[str]":
    if not _SPEC_RES:
        _SPEC_RES.append(re.compile(_SPEC_VERSION, re.I))
    return _SPEC_RES[0]


def _simple_requirement(text: str, origin: Origin, group: str) -> Optional[Req]:
    """The common ``name[extras] op version, ...`` form without importing packaging's parser
    (a 40 ms import); anything else goes to packaging."""
    stripped = text.strip()
    m = _SIMPLE_REQ_RE.match(stripped)
    if m is None or m.end() != len(stripped):
        return None
    specs = [p.strip().replace(" ", "") for p in (m.group(3) or "").split(",") if p.strip()]
    if not all(_PLAIN_PIN_RE.fullmatch(p) or _spec_version_re().match(p) for p in specs):
        return None
    extras_text = m.group(2) or ""
    # `x[]` and `x[ ]` name no extra; an empty item in a list (`x[,]`, `x[a,]`) is invalid
    if extras_text.strip() and not all(re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?", e.strip()) for e in extras_text.split(",")):
        return None
    extras = tuple(sorted({canonical(e.strip()) for e in extras_text.split(",") if e.strip()}))
    return Req(canonical(m.group(1)), ",".join(specs), extras, None, origin, group=group, text=text)


def parse_requirement_string(text: str, origin: Origin, group: str = "") -> Tuple[Optional[Req], Optional[str]]:
    """A PEP 508 string -> (Req, None) or (None, reason)."""
    simple = _simple_requirement(text, origin, group)
    if simple is not None:
        return simple, None
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        r = Requirement(text)
    except InvalidRequirement as exc:
        from ..safe_read import excerpt

        return None, f"invalid requirement {excerpt(text)}: {excerpt(str(exc).splitlines()[0], 100, quote=False)}"
    return (
        Req(
            canonical(r.name),
            str(r.specifier),
            tuple(sorted({canonical(e) for e in r.extras})),  # as the fast path: PEP 685 names
            str(r.marker) if r.marker else None,
            origin,
            url=r.url,
            group=group,
            text=text,
        ),
        None,
    )


def locate(lines: List[str], needle: str, start: int = 0) -> Tuple[int, int]:
    """(1-based line, column) of the first line at/after ``start`` containing ``needle``."""
    for i in range(max(start, 0), len(lines)):
        col = lines[i].find(needle)
        if col >= 0:
            return i + 1, col + 1
    return (start + 1 if start < len(lines) else 1), 1


def table_line(lines: List[str], header: str) -> int:
    """0-based index of a ``[header]`` line, or -1."""
    pat = re.compile(r"^\s*\[\s*" + re.escape(header).replace(r"\.", r"\s*\.\s*") + r"\s*\]\s*(?:#.*)?$")
    for i, line in enumerate(lines):
        if pat.match(line):
            return i
    return -1
