"""Typed access to native-package knowledge: musl wheel availability and build/runtime needs.

``musl_wheel(name, version, python, arch)`` / ``verdict(name, version, target)`` answer "will pip
install a wheel?" with ``yes``, ``no`` or ``unknown``, from the per-release wheel facts
(``wheels.py``): the release pip picks for the target's exact CPython and machine (pin, range,
Requires-Python, ``--prefer-binary``/``--only-binary``), and whether that pip reads musllinux
tags at all (pip >= 21.2). With several candidate Pythons (unknown version) the verdict is
decided only when all agree. A package missing from the data is unknown: never guessed, never
reported as native.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

from .._record import Record
from . import load_toml

if TYPE_CHECKING:
    from .wheels import Facts

__all__ = ["NativePackage", "WheelVerdict", "Target", "native_package", "musl_wheel", "verdict", "newest_release", "pulled_natives", "toolchain", "meta", "provided", "wheel_from_files"]


class NativePackage(Record):
    name: str
    compiled: str  # "required" | "optional"
    toolchain: Tuple[str, ...]
    apk: Tuple[str, ...]
    apt: Tuple[str, ...]
    apk_run: Tuple[str, ...]
    apt_run: Tuple[str, ...]
    linux_wheels: bool
    alternative: Optional[str]
    verified: str
    gaps: Tuple[str, ...]
    since: Tuple[Tuple[str, str], ...] = ()  # (build dependency, first version that needs it)


class WheelVerdict(Record):
    status: str  # "yes" (pip installs a wheel) | "no" (pip builds the sdist, or fails) | "unknown"
    reason: str
    first_ok: Optional[str] = None  # the next release with a wheel pip takes on this target, if any
    no_sdist: bool = False  # and no sdist either: installation fails outright
    newest_with_wheel: Optional[str] = None  # for an unpinned install: what --prefer-binary would pick
    picked: Optional[str] = None  # the release pip picks
    kind: str = "unknown"  # "wheel" (musllinux binary) | "pure" | "sdist" | "none" | "unknown"
    glibc_ok: Optional[bool] = None  # the picked release has a manylinux (or pure) wheel for the target
    source: str = "bundled"  # "bundled" | "live" (--online)
    old_pip: bool = False  # a musllinux wheel exists, but the stage's pip is older than 21.2


class _Db:
    def __init__(self) -> None:
        data = load_toml("native_packages.toml")
        self.meta = data["meta"]
        self.toolchains = data.get("toolchain", {})
        self.synonyms = {pm: dict(table) for pm, table in data.get("synonyms", {}).items()}
        self._synonym_rx: Dict[Tuple[str, str], list] = {}
        gaps = {k: tuple(v) for k, v in data.get("gaps", {}).items()}
        self.packages: Dict[str, NativePackage] = {}
        for entry in data.get("package", ()):
            for name in entry["names"]:
                self.packages[name] = NativePackage(
                    name,
                    entry["compiled"],
                    tuple(entry.get("toolchain", ())),
                    tuple(entry.get("apk", ())),
                    tuple(entry.get("apt", ())),
                    tuple(entry.get("apk_run", ())),
                    tuple(entry.get("apt_run", ())),
                    bool(entry.get("linux_wheels", True)),
                    entry.get("alternative"),
                    entry.get("verified", "U"),
                    gaps.get(name, ()),
                    tuple(sorted(entry.get("since", {}).items())),
                )
        self.pulls: Dict[str, List[Tuple[str, Tuple[str, ...], Optional[str], Tuple[str, ...]]]] = {}
        import re

        for key, dists in data.get("pulls", {}).items():
            m = re.match(r"^([a-z0-9-]+)(?:\[([a-z0-9_,-]+)\])?(?:>=([0-9.]+))?$", key)
            if m:
                extras = tuple(sorted(x for x in (m.group(2) or "").split(",") if x))
                self.pulls.setdefault(m.group(1), []).append((m.group(1), extras, m.group(3), tuple(dists)))


_CACHE: List[_Db] = []


def _db() -> _Db:
    if not _CACHE:
        _CACHE.append(_Db())
    return _CACHE[0]


def meta() -> dict:
    return dict(_db().meta)


def native_package(name: str) -> Optional[NativePackage]:
    return _db().packages.get(name)


def pulled_natives(name: str, extras, version: Optional[str] = None) -> List[str]:
    """Compiled distributions ``name[extras]`` pulls in (the ``[pulls]`` table), for an unpinned
    requirement or a pin at or above the entry's lower bound."""
    from .wheels import _lt

    out: List[str] = []
    want = set(extras or ())
    for _n, ex, low, dists in _db().pulls.get(name, ()):
        if ex and not set(ex) <= want:
            continue
        if low and version and _lt(version, low):
            continue
        for d in dists:
            if d not in out:
                out.append(d)
    return out


def provided(pm: str, wanted: str, installed) -> bool:
    """Is ``wanted`` (an apk/apt package name) met by one of ``installed``?"""
    if wanted in installed:
        return True
    db = _db()
    key = (pm, wanted)
    rxs = db._synonym_rx.get(key)
    if rxs is None:
        import re

        rxs = db._synonym_rx[key] = [re.compile(p) for p in db.synonyms.get(pm, {}).get(wanted, ())]
    for rx in rxs:
        if any(rx.fullmatch(name) for name in installed):
            return True
    return False


def toolchain(kind: str) -> dict:
    return dict(_db().toolchains.get(kind, {}))


class Target(Record):
    """Where pip runs: the candidate CPython versions (one when known), the machine, and whether
    pip understands musllinux tags (pip >= 21.2): True, False, or None when unknown."""

    pythons: Tuple[str, ...]
    arch: str
    musl_tags: Optional[bool] = True
    libc: str = "musl"


_ALL_PYTHONS = ("2.7", "3.5", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15")


def musl_wheel(name: str, version: Optional[str], python: Optional[str], arch: str, specifier: str = "", mode: str = "default", musl_tags: Optional[bool] = True) -> WheelVerdict:
    """Will pip install ``name`` from a wheel on musl, CPython ``python`` ("3.12"; None: any), ``arch``?

    ``version`` is an exact pin (None: the release pip picks under ``specifier`` and the
    release's Requires-Python); ``mode`` is ``default``, ``prefer-binary`` or ``only-binary``."""
    pythons = (python,) if python else _ALL_PYTHONS
    return verdict(name, version, Target(pythons, arch, musl_tags), specifier, mode)


def verdict(name: str, version: Optional[str], target: Target, specifier: str = "", mode: str = "default") -> WheelVerdict:
    """The wheel verdict over every candidate Python and pip of ``target``: decided only when
    they all agree, else "unknown"."""
    from . import wheels as W

    if target.arch not in W.ARCHES:
        return WheelVerdict("unknown", f"no wheel data for {target.arch}")
    f = W.facts(name, version)
    if f is None:
        return WheelVerdict("unknown", "not in the wheel data")
    tags_options = (True, False) if target.musl_tags is None else (bool(target.musl_tags),)
    results = []
    for py in target.pythons:
        for mt in tags_options:
            results.append(_one(f, version, py, target.arch, target.libc, specifier, mode, mt))
    first = results[0]
    if any(r.status != first.status for r in results):
        return WheelVerdict("unknown", "depends on the Python version or pip", source=f.source)
    if len(results) > 1:
        picked = {r.picked for r in results}
        glibc = {r.glibc_ok for r in results}
        first = first._replace(
            picked=first.picked if len(picked) == 1 else None,
            first_ok=first.first_ok if len({r.first_ok for r in results}) == 1 else None,
            newest_with_wheel=first.newest_with_wheel if len({r.newest_with_wheel for r in results}) == 1 else None,
            glibc_ok=first.glibc_ok if len(glibc) == 1 else None,
            no_sdist=all(r.no_sdist for r in results),
            old_pip=all(r.old_pip for r in results),
        )
    return first


def _one(f: Facts, version: Optional[str], python: str, arch: str, libc: str, specifier: str, mode: str, musl_tags: bool) -> WheelVerdict:
    from . import wheels as W

    py = W.minor(python)
    cp = f"cp{(py or python).replace('.', '')}"
    p = W.pick(f, python, arch, libc, version, specifier, mode, musl_tags)
    if p.status == "unknown" or p.release is None or py is None:  # pick() is "unknown" when py is None
        return WheelVerdict("unknown", p.reason, source=f.source)
    r = p.release
    glibc_ok = W.kind_for(r, py, arch, "glibc") in ("wheel", "pure")
    if p.status in ("wheel", "pure"):
        what = ("musllinux" if libc == "musl" else "manylinux") if p.status == "wheel" else "pure-Python"
        return WheelVerdict("yes", f"{r.version} has a {what} wheel for {cp} {arch}", None, False, None, r.version, p.status, glibc_ok, f.source)
    no_sdist = p.status == "none" and not r.sdist
    has_musl = r.has_musl(py, arch)
    old_pip = libc == "musl" and not musl_tags and has_musl
    if old_pip:
        reason = f"pip older than 21.2 ignores the musllinux wheels of {r.version}"
    elif p.status == "none" and mode == "only-binary" and r.sdist:
        reason = f"no release allowed has a musllinux wheel for {cp} {arch}"
    else:
        reason = f"{r.version} has no {'musllinux' if libc == 'musl' else 'manylinux'} wheel for {cp} {arch}"
    first_ok = newest = None
    if not old_pip:
        nxt = W.first_with_wheel(f, python, arch, libc, after=r.version, musl_tags=musl_tags)
        first_ok = nxt.version if nxt is not None else None
        if version is None:
            alt = W.pick(f, python, arch, libc, None, specifier, "prefer-binary", musl_tags)
            if alt.status in ("wheel", "pure") and alt.release is not None and alt.release.version != r.version:
                newest = alt.release.version
    return WheelVerdict("no", reason, first_ok, no_sdist, newest, r.version, p.status, glibc_ok, f.source, old_pip)


def newest_release(name: str) -> Optional[str]:
    from . import wheels as W

    f = W.facts(name)
    return f.releases[-1].version if f is not None and f.releases else None


def wheel_from_files(files, python: Optional[str], arch: str, libc: str) -> str:
    """From a lock's file list: "yes" (a compatible wheel), "sdist" (only an sdist fits), "none"
    (nothing installable), or "unknown" (no Python version, or no parsable names)."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    if not python or not files:
        return "unknown"
    minor = int(python.split(".")[1]) if python.count(".") >= 1 and python.split(".")[1].isdigit() else None
    if minor is None:
        return "unknown"
    has_sdist = False
    parsed_any = False
    for fn in files:
        if fn.endswith((".tar.gz", ".zip", ".tar.bz2")):
            has_sdist = True
            continue
        if not fn.endswith(".whl"):
            continue
        try:
            _n, _v, _b, tags = parse_wheel_filename(fn)
        except InvalidWheelFilename:
            continue
        parsed_any = True
        for t in tags:
            if t.platform == "any":
                ok_plat = True
            elif libc == "musl":
                ok_plat = t.platform.startswith("musllinux_") and t.platform.endswith("_" + arch)
            else:
                ok_plat = (t.platform.startswith("manylinux") or t.platform == "linux_" + arch) and t.platform.endswith("_" + arch)
            if not ok_plat:
                continue
            interp = t.interpreter
            if interp in ("py3", "py2.py3") or interp.startswith("py3"):
                return "yes"
            if interp.startswith("cp3") and interp[3:].isdigit():
                v = int(interp[3:])
                if v == minor or (t.abi == "abi3" and v <= minor):
                    return "yes"
    if not parsed_any and not has_sdist:
        return "unknown"
    return "sdist" if has_sdist else "none"
