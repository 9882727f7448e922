"""Per-release wheel facts, and the release pip picks for a target.

For every package in the knowledge base, ``wheel_facts.txt`` lists each final release with its
Requires-Python, whether it has an sdist, and which targets have a matching wheel:
CPython {2.7, 3.5 .. 3.15} x {x86_64, aarch64} x {musllinux, manylinux} binary wheels, and pure
(``py3-none-any``...) wheels per CPython. abi3 wheels count for every CPython they cover. The
file is written by ``scripts/refresh_wheel_facts.py`` from the index's PEP 691 file listings
(its header records the date and the index).

The file is read on first use only (a musl stage or ``alpine-check``), and a package's line is
decoded only when that package is asked about. No json, no packaging import on this path except
``packaging.specifiers`` when a range or a Requires-Python has to be evaluated.

``pick(...)`` answers what pip would install: the newest release allowed by the requirement's
specifier and the target's Python (Requires-Python), skipping releases with no installable file
for the target, with ``--prefer-binary`` / ``--only-binary`` honoured, and with pip older than
21.2 blind to musllinux wheels.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple, TypedDict, Union

from .._record import Record

if TYPE_CHECKING:
    from typing import Literal

    from packaging.specifiers import SpecifierSet
    from packaging.tags import Tag
    from packaging.version import Version

__all__ = ["PYTHONS", "ARCHES", "Release", "Facts", "Pick", "facts", "bundled_facts", "pick", "is_pure", "data_meta", "encode_release", "facts_from_files", "bit"]

PYTHONS: Tuple[str, ...] = ("2.7", "3.5", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15")
ARCHES: Tuple[str, ...] = ("x86_64", "aarch64")
_PY_INDEX = {p: i for i, p in enumerate(PYTHONS)}
_DATA_FILE = "wheel_facts.txt"
_PURE_FILE = "pure_packages.txt"


def bit(python: str, arch: str) -> int:
    """The bit of a (CPython minor, arch) target in a musl/glibc mask."""
    return 1 << (_PY_INDEX[python] * 2 + ARCHES.index(arch))


class Release(Record):
    version: str
    requires_python: str  # "" when none
    sdist: bool
    musl: int  # mask of (python, arch) with a musllinux binary wheel
    glibc: int  # mask of (python, arch) with a manylinux binary wheel
    pure: int  # mask of python (bit = 1 << index) with a pure wheel

    def has_musl(self, python: str, arch: str) -> bool:
        return bool(self.musl & bit(python, arch))

    def has_glibc(self, python: str, arch: str) -> bool:
        return bool(self.glibc & bit(python, arch))

    def has_pure(self, python: str) -> bool:
        return bool(self.pure & (1 << _PY_INDEX[python]))

    @property
    def any_binary(self) -> bool:
        return bool(self.musl or self.glibc)


class Facts(Record):
    name: str
    releases: Tuple[Release, ...]  # ascending by version
    source: str  # "bundled" | "live"

    @property
    def newest(self) -> Optional[Release]:
        return self.releases[-1] if self.releases else None


class Pick(Record):
    status: str  # "wheel" (binary for the libc) | "pure" | "sdist" | "none" | "unknown"
    release: Optional[Release]
    reason: str
    source: str = "bundled"


# -- decoding ---------------------------------------------------------------------------------

if TYPE_CHECKING:  # the shapes of the caches, for mypy (a TypedDict costs start-up time)

    class _State(TypedDict, total=False):
        index: Dict[str, str]  # package name -> its encoded line
        meta: Dict[str, str]  # the data file's header
        decoded: Dict[str, Optional[Facts]]
        online: bool  # set by online.configure()
        pure: FrozenSet[str]
        rp: Dict[Tuple[str, str], bool]  # (Requires-Python, full CPython version) -> allowed
        spec: Dict[str, Union[SpecifierSet, Literal[False]]]  # False: an invalid specifier


_STATE: _State = {}


def _path(name: str) -> str:
    return os.path.join(os.path.dirname(__file__), name)


def _index() -> Dict[str, str]:
    idx = _STATE.get("index")
    if idx is None:
        meta: Dict[str, str] = {}
        idx = {}
        try:
            with open(_path(_DATA_FILE), encoding="utf-8") as fh:
                text = fh.read()
        except OSError as exc:  # a broken install must not give silently weaker answers
            raise RuntimeError(f"the bundled wheel data is missing ({_DATA_FILE}: {exc.strerror}); reinstall dockerlint-py") from None
        for line in text.splitlines():
            if line.startswith("#"):
                if ":" in line:
                    k, _, v = line[1:].partition(":")
                    meta[k.strip()] = v.strip()
                continue
            name, _, rest = line.partition("\t")
            if name:
                idx[name] = rest
        _STATE["index"] = idx
        _STATE["meta"] = meta
    return idx


def data_meta() -> Dict[str, str]:
    """The data file's header: ``reviewed`` (date), ``source`` (index), ``method``."""
    _index()
    return dict(_STATE["meta"])


def _decode(name: str, text: str, source: str) -> Facts:
    out: List[Release] = []
    for item in text.split(" "):
        if not item:
            continue
        v, rp, flags, m, g, p = item.split("|")
        out.append(Release(v, rp, "s" in flags, int(m, 16) if m else 0, int(g, 16) if g else 0, int(p, 16) if p else 0))
    return Facts(name, tuple(out), source)


def encode_release(r: Release) -> str:
    return "|".join((r.version, r.requires_python.replace(" ", ""), "s" if r.sdist else "", f"{r.musl:x}" if r.musl else "", f"{r.glibc:x}" if r.glibc else "", f"{r.pure:x}" if r.pure else ""))


def bundled_facts(name: str) -> Optional[Facts]:
    cache = _STATE.setdefault("decoded", {})
    if name in cache:
        return cache[name]
    text = _index().get(name)
    f = _decode(name, text, "bundled") if text is not None else None
    cache[name] = f
    return f


def facts(name: str, version: Optional[str] = None) -> Optional[Facts]:
    """Wheel facts for ``name``: bundled, or live from the index when ``--online`` is on and the
    bundled data lacks the package or the pinned release."""
    f = bundled_facts(name)
    if not _STATE.get("online"):
        return f  # set by online.configure(): no import of the online module on the default path
    from . import online

    if f is not None and (version is None or _has_release(f, version) or not _newer_than_data(f, version)):
        return f
    live = online.facts(name)
    return live if live is not None else f


def is_pure(name: str) -> bool:
    """A distribution known to contain no compiled code (its wheels are all ``-none-any``)."""
    pure = _STATE.get("pure")
    if pure is None:
        try:
            with open(_path(_PURE_FILE), encoding="utf-8") as fh:
                pure = frozenset(line.strip() for line in fh if line.strip() and not line.startswith("#"))
        except OSError as exc:
            raise RuntimeError(f"the bundled pure-package list is missing ({_PURE_FILE}: {exc.strerror}); reinstall dockerlint-py") from None
        _STATE["pure"] = pure
    return name in pure


# -- versions ---------------------------------------------------------------------------------


def _key(version: str) -> Optional[Tuple[int, ...]]:
    parts: List[int] = []
    for p in version.split("."):
        if not p.isdigit():
            return None
        parts.append(int(p))
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _same(a: str, b: str) -> bool:
    ka, kb = _key(a), _key(b)
    if ka is not None and kb is not None:
        return ka == kb
    from packaging.version import InvalidVersion, Version

    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def _lt(a: str, b: str) -> bool:
    ka, kb = _key(a), _key(b)
    if ka is not None and kb is not None:
        return ka < kb
    from packaging.version import InvalidVersion, Version

    try:
        return Version(a) < Version(b)
    except InvalidVersion:
        return False


def _has_release(f: Facts, version: str) -> bool:
    return any(_same(r.version, version) for r in f.releases)


def _newer_than_data(f: Facts, version: str) -> bool:
    return bool(f.releases) and _lt(f.releases[-1].version, version)


import re as _re

_CLAUSE = _re.compile(r"^(~=|===|==|!=|<=|>=|<|>)\s*([0-9]+(?:\.[0-9]+)*)(\.\*)?$")


def _nums(text: str) -> Tuple[int, ...]:
    return tuple(int(x) for x in text.split("."))


def _cmp(a: Tuple[int, ...], b: Tuple[int, ...]) -> int:
    n = max(len(a), len(b))
    a2, b2 = a + (0,) * (n - len(a)), b + (0,) * (n - len(b))
    return (a2 > b2) - (a2 < b2)


def _fast_contains(spec: str, version: str) -> Optional[bool]:
    """Evaluate a specifier of plain numeric clauses without importing packaging (start-up
    time); None when it has anything else (pre-releases, local versions, arbitrary equality,
    or a clause packaging rejects, such as ``~=1``: the whole specifier is then invalid)."""
    if not all(p.isdigit() for p in version.split(".")):
        return None
    clauses = []
    for clause in spec.split(","):
        clause = clause.strip()
        if not clause:
            continue
        m = _CLAUSE.match(clause)
        if m is None or m.group(1) == "===":
            return None
        op, target, star = m.group(1), _nums(m.group(2)), bool(m.group(3))
        if (star and op not in ("==", "!=")) or (op == "~=" and len(target) < 2):
            return None
        clauses.append((op, target, star))
    v = _nums(version)
    for op, target, star in clauses:
        if star:
            prefix = v[: len(target)] + (0,) * max(0, len(target) - len(v))
            if (op == "==") != (prefix == target):
                return False
            continue
        c = _cmp(v, target)
        if op == "~=":
            if c < 0 or _cmp(v[: len(target) - 1], target[:-1]) != 0:
                return False
        elif (op == "==" and c != 0) or (op == "!=" and c == 0) or (op == ">=" and c < 0) or (op == "<=" and c > 0) or (op == ">" and c <= 0) or (op == "<" and c >= 0):
            return False
    return True


def _python_ok(requires_python: str, python: str) -> bool:
    if not requires_python:
        return True
    full = python if python.count(".") >= 2 else python + ".99"
    cache = _STATE.setdefault("rp", {})
    key = (requires_python, full)
    hit = cache.get(key)
    if hit is None:
        hit = _fast_contains(requires_python, full)
    if hit is None:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        try:
            hit = SpecifierSet(requires_python).contains(full, prereleases=True)
        except InvalidSpecifier:
            hit = True  # pip ignores an invalid Requires-Python
    cache[key] = hit
    return hit


def _allowed(specifier: str, version: str) -> bool:
    if not specifier:
        return True
    fast = _fast_contains(specifier, version)
    if fast is not None:
        return fast
    cache = _STATE.setdefault("spec", {})
    s = cache.get(specifier)
    if s is None:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        try:
            s = SpecifierSet(specifier)
        except InvalidSpecifier:
            s = False
        cache[specifier] = s
    if s is False:
        return True
    return s.contains(version)


# -- what pip picks ---------------------------------------------------------------------------


def minor(python: Optional[str]) -> Optional[str]:
    if not python:
        return None
    parts = python.split(".")
    if len(parts) < 2 or not parts[0].isdigit():
        return None
    digits = "".join(c for c in parts[1] if c.isdigit())
    return f"{parts[0]}.{digits}" if digits else None


def kind_for(r: Release, python: str, arch: str, libc: str, musl_tags: bool = True) -> str:
    """What pip installs of release ``r`` on the target: "wheel", "pure", "sdist" or "none"."""
    if libc == "musl":
        if musl_tags and r.has_musl(python, arch):
            return "wheel"
    elif r.has_glibc(python, arch):
        return "wheel"
    if r.has_pure(python):
        return "pure"
    return "sdist" if r.sdist else "none"


def pick(
    f: Facts,
    python: str,
    arch: str,
    libc: str = "musl",
    version: Optional[str] = None,
    specifier: str = "",
    mode: str = "default",
    musl_tags: bool = True,
) -> Pick:
    """The release pip installs for ``python`` (``"3.12"`` or ``"3.12.4"``) on ``arch``.

    ``version``: an exact pin; ``specifier``: a range (``>=1.2,<2``); ``mode``: ``default``,
    ``prefer-binary`` or ``only-binary``; ``musl_tags``: False for pip older than 21.2, which
    ignores musllinux wheels."""
    py = minor(python)
    if py not in _PY_INDEX:
        return Pick("unknown", None, f"no wheel data for CPython {python}", f.source)
    if version is not None:
        r = next((x for x in f.releases if _same(x.version, version)), None)
        if r is None:
            why = "newer than the data" if _newer_than_data(f, version) else "release not in the data"
            return Pick("unknown", None, why, f.source)
        k = kind_for(r, py, arch, libc, musl_tags)
        if mode == "only-binary" and k == "sdist":
            k = "none"
        return Pick(k, r, "", f.source)
    cands = [r for r in f.releases if _allowed(specifier, r.version) and _python_ok(r.requires_python, python)]
    if not cands:
        return Pick("unknown", None, "no release fits the requirement and Python", f.source)
    kinds = [(r, kind_for(r, py, arch, libc, musl_tags)) for r in cands]
    if mode in ("prefer-binary", "only-binary"):
        for r, k in reversed(kinds):
            if k in ("wheel", "pure"):
                return Pick(k, r, "", f.source)
        if mode == "only-binary":
            return Pick("none", cands[-1], "no release has a wheel for the target", f.source)
    for r, k in reversed(kinds):
        if k != "none":
            return Pick(k, r, "", f.source)
    return Pick("none", cands[-1], "no release has a wheel or an sdist for the target", f.source)


def first_with_wheel(f: Facts, python: str, arch: str, libc: str = "musl", after: Optional[str] = None, musl_tags: bool = True) -> Optional[Release]:
    """The oldest release (newer than ``after``) with a wheel for the target that pip would accept
    on this Python (Requires-Python)."""
    py = minor(python)
    if py not in _PY_INDEX:
        return None
    for r in f.releases:
        if after is not None and not _lt(after, r.version):
            continue
        if not _python_ok(r.requires_python, python):
            continue
        if kind_for(r, py, arch, libc, musl_tags) in ("wheel", "pure"):
            return r
    return None


def any_wheel(f: Facts, arch: str, libc: str = "musl", pythons: Iterable[str] = PYTHONS) -> bool:
    """Does any release have a binary wheel for ``libc``/``arch`` on any of ``pythons``?"""
    mask = 0
    for p in pythons:
        mask |= bit(p, arch)
    return any((r.musl if libc == "musl" else r.glibc) & mask for r in f.releases)


# -- encoding (refresh script and --online; needs packaging) ------------------------------------

_TAGSETS: Dict[Tuple[str, str, str], Tuple[FrozenSet[Tag], FrozenSet[Tag]]] = {}


def _platforms(arch: str, libc: str) -> List[str]:
    if libc == "musl":
        return [f"musllinux_1_{n}_{arch}" for n in (2, 1, 0)]
    plats = [f"manylinux_2_{n}_{arch}" for n in range(45, 16, -1)] + [f"manylinux2014_{arch}"]
    if arch == "x86_64":
        plats += ["manylinux2010_x86_64", "manylinux1_x86_64"] + [f"manylinux_2_{n}_x86_64" for n in range(16, 4, -1)]
    return plats


def _tagsets(python: str, arch: str, libc: str) -> Tuple[FrozenSet[Tag], FrozenSet[Tag]]:
    """(binary tags, pure tags) a CPython of that minor accepts on that platform."""
    key = (python, arch, libc)
    hit = _TAGSETS.get(key)
    if hit is None:
        from packaging.tags import compatible_tags, cpython_tags

        major, mnr = (int(x) for x in python.split("."))
        nodot = f"{major}{mnr}"
        abis = [f"cp{nodot}"]
        if (major, mnr) <= (3, 7):
            abis = [f"cp{nodot}m", f"cp{nodot}"] + ([f"cp{nodot}mu"] if major == 2 else [])
        plats = _platforms(arch, libc)
        binary = set(cpython_tags((major, mnr), abis, plats))
        pure: Set[Tag] = set()
        for t in compatible_tags((major, mnr), f"cp{nodot}", plats):
            (pure if t.platform == "any" else binary).add(t)
        binary = {t for t in binary if t.platform != "any"}
        hit = (frozenset(binary), frozenset(pure))
        _TAGSETS[key] = hit
    return hit


if TYPE_CHECKING:

    class _Acc(TypedDict):
        """One release's files, gathered by ``facts_from_files``."""

        files: int
        yanked: int
        rp: Dict[str, int]  # Requires-Python -> weight (an sdist's counts more)
        sdist: bool
        musl: int
        glibc: int
        pure: int


def facts_from_files(name: str, files: Iterable[dict], source: str = "bundled") -> Facts:
    """Facts from a PEP 691 file list (dicts with ``filename``, ``requires-python``, ``yanked``)."""
    from packaging.utils import InvalidSdistFilename, InvalidVersion, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename

    per: Dict[Version, _Acc] = {}
    for fi in files:
        fn = fi.get("filename", "")
        try:
            if fn.endswith(".whl"):
                _n, v, _b, tags = parse_wheel_filename(fn)
                sdist = False
            elif fn.endswith((".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar")):
                _n, v = parse_sdist_filename(fn if not fn.endswith((".tar.bz2", ".tgz", ".tar")) else fn.rsplit(".tar", 1)[0] + ".tar.gz")
                tags = frozenset()
                sdist = True
            else:
                continue
        except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion, ValueError):
            continue
        if v.is_prerelease or v.is_devrelease:
            continue
        e = per.setdefault(v, {"files": 0, "yanked": 0, "rp": {}, "sdist": False, "musl": 0, "glibc": 0, "pure": 0})
        e["files"] += 1
        if fi.get("yanked"):
            e["yanked"] += 1
            continue
        rp = (fi.get("requires-python") or "").replace(" ", "")
        e["rp"][rp] = e["rp"].get(rp, 0) + (3 if sdist else 1)
        if sdist:
            e["sdist"] = True
            continue
        for py in PYTHONS:
            for arch in ARCHES:
                mb, pb = _tagsets(py, arch, "musl")
                gb, _ = _tagsets(py, arch, "glibc")
                if tags & mb:
                    e["musl"] |= bit(py, arch)
                if tags & gb:
                    e["glibc"] |= bit(py, arch)
                if tags & pb:
                    e["pure"] |= 1 << _PY_INDEX[py]
    out = []
    for v in sorted(per):
        e = per[v]
        if e["yanked"] == e["files"]:
            continue  # pip skips yanked releases unless pinned exactly
        rp = max(e["rp"].items(), key=lambda kv: kv[1])[0] if e["rp"] else ""
        out.append(Release(str(v), rp, e["sdist"], e["musl"], e["glibc"], e["pure"]))
    return Facts(name, tuple(out), source)
