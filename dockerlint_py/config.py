"""Configuration: ``[tool.dockerlint]`` in pyproject.toml or a ``.dockerlint.toml`` file.

The nearest file above the linted file wins (``.dockerlint.toml`` before ``pyproject.toml`` in
the same directory; a pyproject.toml without ``[tool.dockerlint]`` is skipped), searching up to
the repository root (the first directory holding ``.git``). Command-line options override it.

Keys (kebab-case, as in ruff): ``select``, ``ignore``, ``extend-select``, ``per-file-ignores``,
``severity``, ``failure-threshold``, ``exclude``, ``build-args``. Codes may be prefixes
(``DKL1`` = every DKL1xx rule) or ``ALL``.
"""

from __future__ import annotations

import os
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from ._record import Record
from .errors import ConfigError
from .findings import SEVERITIES

__all__ = ["Config", "find_config", "load_config_file", "Selection", "KNOWN_KEYS"]

KNOWN_KEYS = (
    "select",
    "ignore",
    "extend-select",
    "per-file-ignores",
    "severity",
    "failure-threshold",
    "exclude",
    "build-args",
    "image-role",
    "target",
    "online",
)


class Config(Record):
    path: Optional[str] = None  # the file it came from
    root: Optional[str] = None  # its directory (per-file-ignores and exclude are relative to it)
    select: Optional[Tuple[str, ...]] = None
    ignore: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    severity: Tuple[Tuple[str, str], ...] = ()
    failure_threshold: Optional[str] = None
    exclude: Tuple[str, ...] = ()
    build_args: Tuple[Tuple[str, str], ...] = ()
    warnings: Tuple[str, ...] = ()
    image_role: Optional[str] = None  # service | base | build | dev (docs/roles.md)
    target: Optional[str] = None  # the stage being built, as --target
    online: bool = False


class ConfigValueError(ConfigError):
    """A ``[tool.dockerlint]`` value that cannot be used safely (it is never skipped)."""


def _str_list(value, key: str, path: str, warnings: List[str]) -> Tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    warnings.append(f"{path}: `{key}` must be a list of strings; ignored")
    return ()


def _parse(table: Mapping, path: str) -> Config:
    warnings: List[str] = []
    for key in table:
        if key not in KNOWN_KEYS:
            hint = key.replace("_", "-")
            extra = f" (did you mean `{hint}`?)" if hint in KNOWN_KEYS else ""
            warnings.append(f"{path}: unknown configuration key `{key}`{extra}; ignored")
    for key in ("select", "extend-select"):
        # which rules run: a value that cannot be read must not silently run none (fail closed)
        value = table.get(key)
        if value is not None and not (isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))):
            raise ConfigValueError(path, None, f"`{key}` must be a list of rule codes (strings)")
    select = _str_list(table["select"], "select", path, warnings) if "select" in table else None
    ignore = _str_list(table.get("ignore", []), "ignore", path, warnings)
    extend = _str_list(table.get("extend-select", []), "extend-select", path, warnings)
    exclude = _str_list(table.get("exclude", []), "exclude", path, warnings)
    pfi: List[Tuple[str, Tuple[str, ...]]] = []
    raw_pfi = table.get("per-file-ignores", {})
    if isinstance(raw_pfi, dict):
        for pattern, codes in raw_pfi.items():
            pfi.append((pattern, _str_list(codes, f"per-file-ignores.{pattern}", path, warnings)))
    else:
        warnings.append(f"{path}: `per-file-ignores` must be a table of glob = [codes]; ignored")
    sev: List[Tuple[str, str]] = []
    raw_sev = table.get("severity", {})
    if isinstance(raw_sev, dict):
        for code, level in raw_sev.items():
            if level not in SEVERITIES:
                warnings.append(f"{path}: severity for {code} must be one of {', '.join(SEVERITIES)}; got {level!r}")
                continue
            sev.append((code, level))
    else:
        warnings.append(f"{path}: `severity` must be a table of CODE = level; ignored")
    threshold = table.get("failure-threshold")
    if threshold is not None and threshold not in SEVERITIES + ("none",):
        warnings.append(f"{path}: `failure-threshold` must be one of {', '.join(SEVERITIES + ('none',))}; ignored")
        threshold = None
    build_args: List[Tuple[str, str]] = []
    raw_ba = table.get("build-args", {})
    if isinstance(raw_ba, dict):
        for k, v in raw_ba.items():
            build_args.append((str(k), str(v)))
    else:
        warnings.append(f"{path}: `build-args` must be a table of NAME = value; ignored")
    image_role = table.get("image-role")
    if image_role is not None and image_role not in ("service", "base", "build", "dev"):
        warnings.append(f"{path}: `image-role` must be one of service, base, build, dev; ignored")
        image_role = None
    target = table.get("target")
    if target is not None and not isinstance(target, str):
        warnings.append(f"{path}: `target` must be a stage name; ignored")
        target = None
    online = table.get("online", False)
    if not isinstance(online, bool):
        warnings.append(f"{path}: `online` must be true or false; ignored")
        online = False
    return Config(
        path, os.path.dirname(path), select, ignore, extend, tuple(pfi), tuple(sev), threshold,
        exclude, tuple(build_args), tuple(warnings), image_role, target, online,
    )


def _load_toml(path: str) -> Mapping:
    try:
        import tomllib  # type: ignore[import-not-found]
    except ModuleNotFoundError:
        import tomli as tomllib  # type: ignore[no-redef]
    from .safe_read import MAX_SMALL_BYTES, read_bytes

    data, reason = read_bytes(path, limit=MAX_SMALL_BYTES)
    if data is None:
        raise ConfigError(path, None, f"cannot read configuration: {reason}")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(path, getattr(exc, "lineno", None), f"invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(path, None, "invalid TOML: nested too deeply") from None


def load_config_file(path: str) -> Optional[Config]:
    data = _load_toml(path)
    tool = data.get("tool")
    if os.path.basename(path) == "pyproject.toml":
        # `tool` is not ours to validate in a project's pyproject.toml: without a table there
        # is no [tool.dockerlint]
        table = tool.get("dockerlint") if isinstance(tool, dict) else None
        if table is None:
            return None
    elif "tool" in data:
        if not isinstance(tool, dict):
            raise ConfigValueError(path, None, "`tool` must be a table")
        table = tool.get("dockerlint", data)
    else:
        table = data
    if not isinstance(table, dict):
        raise ConfigValueError(path, None, "[tool.dockerlint] must be a table")
    return _parse(table, path)


_FIND_CACHE: Dict[str, Optional[Config]] = {}
SKIPPED: List[str] = []  # pyproject.toml files that could not be read, for one warning each


def find_config(start_dir: str) -> Optional[Config]:
    """The nearest configuration at or above ``start_dir``, stopping at the repository root."""
    d = os.path.abspath(start_dir)
    visited: List[str] = []
    found: Optional[Config] = None
    while True:
        if d in _FIND_CACHE:
            found = _FIND_CACHE[d]
            break
        visited.append(d)
        hit = None
        for name in (".dockerlint.toml", "pyproject.toml"):
            candidate = os.path.join(d, name)
            if os.path.isfile(candidate):
                try:
                    hit = load_config_file(candidate)
                except ConfigError as exc:
                    if name == ".dockerlint.toml" or isinstance(exc, ConfigValueError):
                        raise
                    # A project's broken pyproject.toml (a template, say) must not stop linting.
                    note = f"{exc}; not used as configuration"
                    if note not in SKIPPED:
                        SKIPPED.append(note)
                    hit = None
                if hit is not None:
                    break
        if hit is not None:
            found = hit
            break
        if os.path.exists(os.path.join(d, ".git")):
            break
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    for v in visited:
        _FIND_CACHE[v] = found
    return found


class Selection:
    """Which rules run, with ruff's precedence: the most specific matching entry decides."""

    def __init__(
        self,
        all_codes: Sequence[str],
        default_codes: Sequence[str],
        select: Optional[Sequence[str]],
        extend_select: Sequence[str],
        ignore: Sequence[str],
    ) -> None:
        self.enabled = set()
        for code in all_codes:
            best_on = -1
            if select is None:
                if code in default_codes:
                    best_on = 0  # the default selection is as unspecific as ALL
            else:
                best_on = _best(code, select)
            best_on = max(best_on, _best(code, extend_select))
            best_off = _best(code, ignore)
            if best_on >= 0 and best_on > best_off:
                self.enabled.add(code)

    def __contains__(self, code: str) -> bool:
        return code in self.enabled


def _best(code: str, patterns: Sequence[str]) -> int:
    best = -1
    for p in patterns:
        if p == "ALL":
            best = max(best, 0)
        elif code.startswith(p):
            best = max(best, len(p))
    return best


def unknown_codes(patterns: Sequence[str], all_codes: Sequence[str]) -> List[str]:
    return [p for p in patterns if p != "ALL" and not any(c.startswith(p) for c in all_codes)]
