"""Environment markers evaluated for a stage's target (Python version, Linux, machine)."""

from __future__ import annotations

from typing import Any, Dict, Iterable, Mapping, Optional

__all__ = ["target_environment", "marker_holds"]

_CACHE: Dict[str, Any] = {}  # marker text -> packaging Marker, or False when invalid (packaging imported lazily)


def target_environment(python: Optional[str], machine: str = "x86_64", implementation: str = "cpython") -> Dict[str, str]:
    """The PEP 508 marker environment of a Linux container with that Python and machine.

    ``python`` is ``"3.12"`` or ``"3.12.4"``; None means unknown (markers on the Python version
    are then assumed true, so nothing is dropped on a guess)."""
    ver = python or ""
    short = ".".join(ver.split(".")[:2])
    full = ver if ver.count(".") >= 2 else (short + ".0" if short else "")
    impl = "pypy" if implementation == "pypy" else "cpython"
    return {
        "python_version": short,
        "python_full_version": full,
        "implementation_name": impl,
        "platform_python_implementation": "PyPy" if impl == "pypy" else "CPython",
        "implementation_version": full,
        "os_name": "posix",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": machine,
        "platform_release": "",
        "platform_version": "",
    }


def marker_holds(marker: str, env: Mapping[str, str], extras: Iterable[str] = ()) -> bool:
    """True when ``marker`` holds; unknown Python version or an unparsable marker -> True."""
    from packaging.markers import InvalidMarker, Marker

    m: Any = _CACHE.get(marker)
    if m is None:
        try:
            m = Marker(marker)
        except InvalidMarker:
            m = False
        _CACHE[marker] = m
    if m is False:
        return True
    extras = list(extras) or [""]
    try:
        for extra in extras:
            e = dict(env)
            e["extra"] = extra
            if not e.get("python_version"):
                # evaluate with every supported minor; true if any holds (unknown Python)
                for minor in range(8, 16):
                    e["python_version"] = f"3.{minor}"
                    e["python_full_version"] = f"3.{minor}.0"
                    e["implementation_version"] = e["python_full_version"]
                    if m.evaluate(e):
                        return True
                continue
            if m.evaluate(e):
                return True
    except Exception:
        return True
    return False
