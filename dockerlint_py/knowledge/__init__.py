"""Typed access to the bundled knowledge files (data with provenance and a review date).

Rules ask questions here (``base_image_facts(ref)``); they never read the data files.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from .._record import Record
from ..model.image import ImageRef

__all__ = ["AlpinePython", "alpine_python", "official_python_pip_musl", "BaseFacts", "ImageInfo", "base_image_facts", "image_info", "channel_words", "load_toml", "distro_python", "floating_python"]


_COMPILED: List[Dict[str, Any]] = []


def _snapshot_data() -> Dict[str, Any]:
    """Parsed knowledge files, snapshotted as a Python module (``_compiled.py``, written by
    ``python -m dockerlint_py.knowledge.compile``).

    Parsing TOML costs ~20 ms at every start, JSON needs the json module; a module's constants
    load from its bytecode in about a millisecond. Each entry carries the size and CRC-32 of its
    source file, so an edited source is noticed and parsed directly instead."""
    if not _COMPILED:
        try:
            from ._compiled import DATA
        except ImportError:
            DATA = {}
        _COMPILED.append(DATA)
    return _COMPILED[0]


def _source(name: str) -> bytes:
    import os

    with open(os.path.join(os.path.dirname(__file__), name), "rb") as fh:
        return fh.read()


def checksum(raw: bytes) -> str:
    """Size and CRC-32 of a source file: enough to notice an edit, and cheap at start-up."""
    import zlib

    return f"{len(raw)}:{zlib.crc32(raw):08x}"


def _from_snapshot(name: str, raw: bytes):
    entry = _snapshot_data().get(name)
    if entry is not None and entry.get("checksum") == checksum(raw):
        return entry["data"]
    return None


def parse_source(name: str, raw: bytes):
    """Parse one knowledge file (TOML, or CSV as a list of row dicts)."""
    if name.endswith(".csv"):
        import csv
        import io

        return list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    try:
        import tomllib  # type: ignore[import-not-found]
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib.loads(raw.decode("utf-8"))


def load_toml(name: str) -> Dict[str, Any]:
    """A knowledge file's data (from the JSON snapshot when it matches the source)."""
    raw = _source(name)
    data = _from_snapshot(name, raw)
    return data if data is not None else parse_source(name, raw)


def load_csv(name: str) -> List[Dict[str, str]]:
    raw = _source(name)
    data = _from_snapshot(name, raw)
    return data if data is not None else parse_source(name, raw)


class BaseFacts(Record):
    """What a known base image is. ``None`` in a field means unknown."""

    image: str  # repository as matched
    family: str
    libc: Optional[str]
    distro: Optional[str]
    release: Optional[str]
    pkg: Optional[str]
    ca: Optional[bool]
    ca_tools: Optional[bool]
    python: Optional[str]
    implementation: Optional[str]
    user: Optional[str]
    compiler: Optional[bool]
    verified: str
    source: str
    packages: Optional[Tuple[str, ...]] = None  # OS packages the image already has
    packages_complete: bool = False  # True: a package not in `packages` is absent
    command: Optional[str] = None  # what the image's own CMD starts: "shell" | "interpreter" | "service"
    entrypoint_user: Optional[str] = None  # the user the image's own ENTRYPOINT switches to (gosu/su-exec)
    server_user: Optional[str] = None  # the image's own server starts as root and runs its workers as this user

    def as_dict(self) -> Dict[str, Any]:
        return dict(self._asdict())


class _LazyPattern:
    """A regular expression compiled on first use: an image's tag patterns are compiled only
    when a Dockerfile uses that image (compiling all of them costs ~15 ms at start-up)."""

    __slots__ = ("pattern", "_rx")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._rx: Optional["re.Pattern[str]"] = None

    def fullmatch(self, text: str) -> Optional["re.Match[str]"]:
        if self._rx is None:
            self._rx = re.compile(self.pattern)
        return self._rx.fullmatch(text)


class ImageInfo(Record):
    names: Tuple[str, ...]
    family: str
    version_depth: int
    release_words: Tuple[str, ...]
    needs_version: bool
    floating_python: Optional[str]
    source: str
    variants: Tuple[Tuple["_LazyPattern", Dict[str, Any]], ...]


class _BaseImages:
    def __init__(self) -> None:
        data = load_toml("base_images.toml")
        self.meta = data["meta"]
        self.channel_words = frozenset(data["meta"].get("channel_words", ()))
        self.official = frozenset(data["meta"].get("official_images", ()))
        self.distro_python: Dict[str, str] = dict(data.get("distro_python", {}))
        self.package_sets: Dict[str, Dict[str, Any]] = dict(data.get("package_sets", {}))
        self.alpine_python: Dict[str, Any] = dict(data.get("alpine_python", {}))
        self.official_old_pip: Dict[str, int] = dict(data.get("official_python_old_pip", {}))
        self.apt_ca: Dict[str, frozenset] = {k: frozenset(v) for k, v in data.get("apt_ca_certificates", {}).items() if isinstance(v, list)}
        self.by_name: Dict[str, ImageInfo] = {}
        self.family_command: Dict[str, str] = dict(data.get("command_by_family", {}))
        for entry in data["image"]:
            variants = tuple((_LazyPattern(v["tag"]), v) for v in entry.get("variant", ()))
            info = ImageInfo(
                tuple(entry["names"]),
                entry["family"],
                int(entry.get("version_depth", 2)),
                tuple(entry.get("release_words", ())),
                bool(entry.get("needs_version", False)),
                entry.get("floating_python"),
                entry.get("source", ""),
                variants,
            )
            for name in info.names:
                self.by_name[name] = info


_CACHE: List[_BaseImages] = []


def _db() -> _BaseImages:
    if not _CACHE:
        _CACHE.append(_BaseImages())
    return _CACHE[0]


def channel_words() -> frozenset:
    return _db().channel_words


def distro_python(distro: Optional[str], release: Optional[str]) -> Optional[str]:
    """The python3 version a distro release ships, when known (``("debian", "bookworm")``)."""
    if not distro or not release:
        return None
    table = _db().distro_python
    key = f"{distro}:{release}"
    if key in table:
        return table[key]
    short = ".".join(release.split(".")[:2])
    return table.get(f"{distro}:{short}")


class AlpinePython(Record):
    release: str
    python3: Tuple[str, ...]  # candidate minors of `apk add python3`
    python2: Optional[str]  # `apk add python`/`python2`, when the release has it
    pip_musl: bool  # the distro pip for python3 reads musllinux tags (>= 21.2)


def alpine_python(release: Optional[str]) -> Optional[AlpinePython]:
    """What Alpine ``release`` ("3.12", "3.12.4", "edge"; None = the floating latest) ships."""
    table = _db().alpine_python
    if not release:
        release = table.get("latest")
    if not isinstance(release, str):
        return None
    short = release if release == "edge" else ".".join(release.split(".")[:2])
    row = table.get(short)
    if not isinstance(row, list) or len(row) != 3:
        return None
    return AlpinePython(short, tuple(row[0]), row[1] or None, bool(row[2]))


def official_python_pip_musl(python: Optional[str]) -> Optional[bool]:
    """Does the pip of the official ``python:<python>`` image read musllinux tags (pip >= 21.2)?
    None when the version is unknown."""
    if not python:
        return None
    parts = python.split(".")
    key = ".".join(parts[:2])
    limit = _db().official_old_pip.get(key)
    if limit is None:
        return True if len(parts) >= 2 else None
    if len(parts) < 3:
        return limit < 99  # a floating minor tag: its last build (newest patch)
    try:
        patch = int("".join(c for c in parts[2] if c.isdigit()) or "x")
    except ValueError:
        return None
    return patch > limit


def apt_ca_relation(package: str) -> Optional[str]:
    """How an apt package relates to ca-certificates: "depends", "recommends", "neither",
    "neither_without_recommends" (known only for installs without recommends) or None (unknown)."""
    db = _db().apt_ca
    for kind in ("depends", "recommends", "neither", "neither_without_recommends"):
        if package in db.get(kind, ()):
            return kind
    import re as _re

    if _re.fullmatch(r"python3\.\d+(?:-minimal)?", package):
        return "recommends" if not package.endswith("-minimal") else "neither_without_recommends"
    return None


def floating_python(ref: ImageRef) -> Optional[str]:
    """The Python minor a floating tag of an image (``python:alpine``) pointed at when reviewed."""
    info = image_info(ref)
    return info.floating_python if info else None


def is_official_image(ref: ImageRef) -> bool:
    """A Docker Hub official image (``python``, ``alpine``...)."""
    return ref.registry is None and ref.path in _db().official


def image_info(ref: ImageRef) -> Optional[ImageInfo]:
    return _db().by_name.get(ref.repository)


def base_image_facts(ref: ImageRef) -> Optional[BaseFacts]:
    """Facts for a known image and tag; None for unknown images or unrecognised tags."""
    info = image_info(ref)
    if info is None:
        return None
    tag = ref.tag or "latest"
    for pattern, v in info.variants:
        m = pattern.fullmatch(tag)
        if not m:
            continue
        groups = m.groupdict()
        python = None
        if v.get("python") == "tag":
            python = groups.get("py")
        return BaseFacts(
            image=ref.repository,
            family=info.family,
            libc=v.get("libc"),
            distro=v.get("distro"),
            release=groups.get("release"),
            pkg=v.get("pkg"),
            ca=v.get("ca"),
            ca_tools=v.get("ca_tools"),
            python=python,
            implementation=v.get("implementation"),
            user=v.get("user"),
            compiler=v.get("compiler"),
            verified=v.get("verified", "U"),
            source=info.source,
            packages=tuple(_db().package_sets[v["packages"]]["packages"]) if v.get("packages") else None,
            packages_complete=bool(_db().package_sets[v["packages"]].get("complete")) if v.get("packages") else False,
            command=v.get("command") or _db().family_command.get(info.family),
            entrypoint_user=v.get("entrypoint_user"),
            server_user=v.get("server_user"),
        )
    return None
