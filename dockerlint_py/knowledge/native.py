"""Typed access to native-package knowledge: musl wheel availability and build/runtime needs.

``musl_wheel(name, version, python, arch)`` answers "will pip find a musllinux wheel?" with
``yes``, ``no`` or ``unknown``; it answers ``no`` only when the bundled data proves it (a
version older than the first musl wheel, a known gap, a package that never shipped one, the
latest release lacking that CPython/arch). Anything else is ``unknown`` and rules stay silent.
A package missing from the data is unknown: never guessed, never reported as native.
"""

from __future__ import annotations

from typing import Dict, List, NamedTuple, Optional, Tuple

from . import load_toml

__all__ = ["NativePackage", "WheelRow", "WheelVerdict", "native_package", "wheel_row", "musl_wheel", "toolchain", "meta", "provided", "wheel_from_files"]


class WheelRow(NamedTuple):
    name: str
    latest: str
    sdist: bool
    pure: bool  # a py3-none-any wheel exists (latest release)
    latest_musl: Dict[Tuple[str, str], bool]  # (python "3.12", arch) -> musl wheel in latest
    latest_glibc: Dict[Tuple[str, str], bool]
    first_musl: Optional[str]  # any CPython/arch
    first_musl_py: Dict[str, str]  # python -> first version with a musl x86_64 wheel for it
    first_musl_arm: Optional[str]
    last_musl: Optional[str]


class NativePackage(NamedTuple):
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


class WheelVerdict(NamedTuple):
    status: str  # "yes" | "no" | "unknown"
    reason: str
    first_ok: Optional[str] = None  # first version with a musl wheel for this python/arch, if known
    no_sdist: bool = False  # and no sdist either: installation fails outright
    newest_with_wheel: Optional[str] = None  # for an unpinned install: what --prefer-binary would pick


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
        self.rows: Dict[str, WheelRow] = {}
        from . import load_csv

        for r in load_csv(self.meta.get("wheel_table", "musl_wheels.csv")):
            t = lambda k: r.get(k) == "True"  # noqa: E731
            self.rows[r["pkg"]] = WheelRow(
                r["pkg"],
                r["latest"],
                t("sdist"),
                t("pure"),
                {("3.12", "x86_64"): t("m312x"), ("3.12", "aarch64"): t("m312a"), ("3.13", "x86_64"): t("m313x"), ("3.14", "x86_64"): t("m314x"), ("3.15", "x86_64"): t("m315x")},
                {("3.12", "x86_64"): t("g312x"), ("3.12", "aarch64"): t("g312a")},
                r.get("first_musl") or None,
                {"3.12": r["first_m312x"]} if r.get("first_m312x") else {},
                r.get("first_musl_arm") or None,
                r.get("last_musl") or None,
            )


_CACHE: List[_Db] = []


def _db() -> _Db:
    if not _CACHE:
        _CACHE.append(_Db())
    return _CACHE[0]


def meta() -> dict:
    return dict(_db().meta)


def native_package(name: str) -> Optional[NativePackage]:
    return _db().packages.get(name)


def wheel_row(name: str) -> Optional[WheelRow]:
    return _db().rows.get(name)


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


class _Num(tuple):
    """A plain numeric release (``1.26.4``) compared like packaging's Version (trailing zeros
    do not count), without importing packaging.version on the common path."""

    @classmethod
    def of(cls, text: str) -> "_Num":
        parts = [int(x) for x in text.split(".")]
        while len(parts) > 1 and parts[-1] == 0:
            parts.pop()
        return cls(parts)


def _v(text: str):
    if text and all(p.isdigit() for p in text.split(".")):
        return _Num.of(text)
    from packaging.version import InvalidVersion, Version

    try:
        v = Version(text)
    except InvalidVersion:
        return None
    if not v.pre and not v.post and not v.dev and not v.local and v.epoch == 0:
        return _Num.of(".".join(map(str, v.release)))
    return _Mixed(v)


class _Mixed:
    """A version with pre/post/dev parts: compared through packaging with anything."""

    def __init__(self, v) -> None:
        self.v = v

    def _o(self, other):
        from packaging.version import Version

        return other.v if isinstance(other, _Mixed) else Version(".".join(map(str, other)) or "0")

    def __lt__(self, other):
        return self.v < self._o(other)

    def __gt__(self, other):
        return self.v > self._o(other)

    def __eq__(self, other):
        return self.v == self._o(other)

    def __le__(self, other):
        return self.v <= self._o(other)

    def __ge__(self, other):
        return self.v >= self._o(other)

    __hash__ = None  # type: ignore[assignment]


def musl_wheel(name: str, version: Optional[str], python: Optional[str], arch: str) -> WheelVerdict:
    """Is there a musllinux wheel of ``name`` (``version``, or the newest when None) for CPython
    ``python`` ("3.12") on ``arch`` ("x86_64"/"aarch64")?"""
    row = wheel_row(name)
    if row is None:
        return WheelVerdict("unknown", "not in the wheel table")
    py = ".".join((python or "").split(".")[:2])
    no_sdist = not row.sdist
    latest = _v(row.latest)
    if row.first_musl is None:
        if version is not None and latest is not None and (_v(version) or latest) > latest:
            return WheelVerdict("unknown", "newer than the data")
        return WheelVerdict("no", "no release has ever shipped a musllinux wheel", None, no_sdist)
    arm_first = row.first_musl_arm
    if version is None:
        last_musl = _v(row.last_musl) if row.last_musl else None
        if last_musl is not None and latest is not None and last_musl < latest:
            return WheelVerdict("no", f"musllinux wheels stop at {row.last_musl}; the newest release, {row.latest}, has none", None, no_sdist, row.last_musl)
        if arch == "aarch64" and arm_first is None:
            return WheelVerdict("no", "no release has a musllinux aarch64 wheel", None, no_sdist)
        have = row.latest_musl.get((py, arch))
        if have is None:
            return WheelVerdict("unknown", f"no data for cp{py.replace('.', '')} {arch}")
        if have:
            return WheelVerdict("yes", f"{row.latest} has a musllinux wheel for cp{py.replace('.', '')} {arch}")
        return WheelVerdict("no", f"the newest release, {row.latest}, has no musllinux wheel for cp{py.replace('.', '')} {arch}", None, no_sdist)
    v = _v(version)
    if v is None:
        return WheelVerdict("unknown", "unparsable version")
    if latest is not None and v > latest:
        return WheelVerdict("unknown", "newer than the data")
    first_py = row.first_musl_py.get(py) if arch == "x86_64" else arm_first
    first_any = _v(row.first_musl)
    if first_any is not None and v < first_any:
        first_ok = arm_first if arch == "aarch64" else (first_py or row.first_musl)
        return WheelVerdict("no", f"musllinux wheels start at {row.first_musl}", first_ok, no_sdist)
    if arch == "aarch64":
        if arm_first is None:
            return WheelVerdict("no", "no release has a musllinux aarch64 wheel", None, no_sdist)
        if v < _v(arm_first):
            return WheelVerdict("no", f"musllinux aarch64 wheels start at {arm_first}", arm_first, no_sdist)
    elif first_py and v < _v(first_py):
        return WheelVerdict("no", f"the first release with a musllinux wheel for cp{py.replace('.', '')} is {first_py}", first_py, no_sdist)
    pkg = native_package(name)
    if pkg is not None and version in pkg.gaps:
        return WheelVerdict("no", f"{version} shipped no musllinux wheels (a gap between releases that have them)", None, no_sdist)
    if row.last_musl and v > _v(row.last_musl):
        return WheelVerdict("no", f"musllinux wheels stop at {row.last_musl}", None, no_sdist)
    if v == latest:
        have = row.latest_musl.get((py, arch))
        if have is None:
            return WheelVerdict("unknown", f"no data for cp{py.replace('.', '')} {arch}")
        return WheelVerdict("yes" if have else "no", f"{version} {'has' if have else 'has no'} musllinux wheel for cp{py.replace('.', '')} {arch}", None, no_sdist and not have)
    if first_py and (arch == "aarch64" or py in row.first_musl_py):
        return WheelVerdict("yes", f"musllinux wheels for cp{py.replace('.', '')} {arch} exist from {first_py}", first_py)
    return WheelVerdict("unknown", f"no per-version data for cp{py.replace('.', '')} {arch}")


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
