"""Lock files and Pipfiles: ``uv.lock``, ``poetry.lock``, ``pdm.lock``, ``pylock.toml`` (PEP 751),
``Pipfile`` and ``Pipfile.lock``.

A lock becomes a :class:`Manifest` whose ``extra["packages"]`` maps canonical names to
:class:`LockedPackage` (version, dependencies with markers, groups, the distribution file names
the lock lists, and the line of the entry). Which of them an install command installs is
decided by :func:`lock_closure` from the command's groups/extras and the stage's environment.
"""

from __future__ import annotations

from .._record import Record
from ._lines import physical_lines

import json
import re
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from . import Manifest, ManifestProblem, Origin, Req, canonical, load_toml_text, str_items, str_or_none, table_of, toml_error_line

__all__ = ["LockedPackage", "parse_toml_lock", "parse_pipfile", "parse_pipfile_lock", "lock_closure"]


class LockedPackage(Record):
    name: str
    version: str
    line: int
    deps: Tuple[Tuple[str, Optional[str], Tuple[str, ...]], ...]  # (name, marker, extras)
    groups: Tuple[str, ...]  # "main"/"default"/"dev"/... when the lock records them
    files: Tuple[str, ...]  # distribution file names (wheels and sdists)
    source: str  # "registry" | "editable" | "virtual" | "git" | "path" | "url" | ""
    marker: Optional[str] = None
    optional_deps: Mapping[str, Tuple[Tuple[str, Optional[str], Tuple[str, ...]], ...]] = {}
    dev_deps: Mapping[str, Tuple[Tuple[str, Optional[str], Tuple[str, ...]], ...]] = {}


_PKG_HEADER = re.compile(r"^\s*\[\[\s*packages?\s*\]\]\s*$")


def _entry_lines(lines: Sequence[str], names: Sequence[str]) -> List[int]:
    """Line numbers of ``[[package]]`` entries, matched in order to the parsed packages."""
    out: List[int] = []
    headers = [i for i, l in enumerate(lines) if _PKG_HEADER.match(l)]
    for k, _ in enumerate(names):
        if k < len(headers):
            h = headers[k]
            # point at the `name = ...` line of the entry
            for j in range(h + 1, min(h + 6, len(lines))):
                if lines[j].lstrip().startswith("name"):
                    h = j
                    break
            out.append(h + 1)
        else:
            out.append(1)
    return out


def _dep_list(items) -> Tuple[Tuple[str, Optional[str], Tuple[str, ...]], ...]:
    out = []
    for d in items if isinstance(items, list) else ():
        if isinstance(d, dict) and isinstance(d.get("name"), str) and d["name"]:
            out.append((canonical(d["name"]), str_or_none(d.get("marker")), tuple(canonical(x) for x in str_items(d.get("extra", d.get("extras", ()))))))
        elif isinstance(d, str):
            m = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?[^;]*(?:;\s*(.*))?$", d)
            if m:
                extras = tuple(canonical(x.strip()) for x in (m.group(2) or "").split(",") if x.strip())
                out.append((canonical(m.group(1)), m.group(3), extras))
    return tuple(out)


def _file_names(entry: dict) -> Tuple[str, ...]:
    names: List[str] = []
    wheels = entry.get("wheels")
    for w in wheels if isinstance(wheels, list) else ():
        if isinstance(w, dict):
            u = w.get("url") or w.get("path") or w.get("filename") or w.get("name") or ""
            names.append(str(u).rsplit("/", 1)[-1])
    sd = entry.get("sdist")
    if isinstance(sd, dict):
        u = sd.get("url") or sd.get("path") or sd.get("filename") or sd.get("name") or ""
        names.append(str(u).rsplit("/", 1)[-1])
    files = entry.get("files")
    for f in files if isinstance(files, list) else ():
        if isinstance(f, dict):
            names.append(str(f.get("file") or f.get("url") or "").rsplit("/", 1)[-1])
    return tuple(n for n in names if n)


def parse_toml_lock(text: str, path: str, kind: str) -> Manifest:
    try:
        data = load_toml_text(text)
    except Exception as exc:  # TOMLDecodeError, RecursionError (nested 5,000 deep)
        return Manifest(path, kind, (), {}, problems=(ManifestProblem(path, toml_error_line(exc, text), f"invalid TOML: {exc}"),))
    entries = data.get("packages" if kind == "pylock" else "package") or []
    if not isinstance(entries, list):
        return Manifest(path, kind, (), {}, problems=(ManifestProblem(path, None, "no [[package]] array"),))
    lines = physical_lines(text)
    names = [e["name"] if isinstance(e, dict) and isinstance(e.get("name"), str) else "" for e in entries]
    at = _entry_lines(lines, names)
    packages: Dict[str, LockedPackage] = {}
    problems: List[ManifestProblem] = []
    reqs: List[Req] = []
    for e, line in zip(entries, at):
        if not isinstance(e, dict) or not isinstance(e.get("name"), str) or not e["name"]:
            problems.append(ManifestProblem(path, line, "package entry without a name"))
            continue
        name = canonical(e["name"])
        version = str_or_none(e.get("version")) or ""
        source = ""
        src = e.get("source")
        if isinstance(src, dict):
            source = str(next(iter(src), ""))
        elif kind == "pylock":
            source = "vcs" if "vcs" in e else "directory" if "directory" in e else "registry"
        groups: Tuple[str, ...] = ()
        if kind == "poetry.lock":
            g = str_items(e.get("groups")) or str_items(e.get("category"))
            groups = tuple(canonical(x) for x in g)
        elif kind == "pdm.lock":
            groups = tuple(canonical(x) for x in str_items(e.get("groups")))
        if kind == "poetry.lock":
            deps_t = e.get("dependencies") or {}
            deps = []
            for dn, dv in deps_t.items() if isinstance(deps_t, dict) else ():
                for v in dv if isinstance(dv, list) else [dv]:
                    marker = str_or_none(v.get("markers")) if isinstance(v, dict) else None
                    if isinstance(v, dict) and v.get("optional"):
                        continue
                    extras = tuple(canonical(x) for x in str_items(v.get("extras"))) if isinstance(v, dict) else ()
                    deps.append((canonical(dn), marker, extras))
            extras_t = table_of(e.get("extras"))
            optional = {canonical(k): _dep_list(v) for k, v in extras_t.items()}
            pkg = LockedPackage(name, version, line, tuple(deps), groups, _file_names(e), source, str_or_none(e.get("markers")), optional)
        else:
            optional = {canonical(k): _dep_list(v) for k, v in table_of(e.get("optional-dependencies")).items()}
            dev = {canonical(k): _dep_list(v) for k, v in table_of(e.get("dev-dependencies")).items()}
            pkg = LockedPackage(name, version, line, _dep_list(e.get("dependencies")), groups, _file_names(e), source, str_or_none(e.get("marker")), optional, dev)
        packages[name] = pkg
        if source not in ("editable", "virtual", "directory"):
            reqs.append(Req(name, f"=={version}" if version else "", (), pkg.marker, Origin(path, line, 1, len(lines[line - 1]) + 1 if line - 1 < len(lines) else 0), locked_version=version or None, text=f"{name}=={version}"))
    extra: Dict[str, object] = {"packages": packages}
    if kind == "pylock":
        extra["default_groups"] = str_items(data.get("default-groups"))
    return Manifest(path, kind, tuple(reqs), {}, problems=tuple(problems), extra=extra)


def _pipfile_spec(name: str, value) -> Tuple[str, Tuple[str, ...], Optional[str], Optional[str]]:
    """(specifier, extras, marker, url) of a Pipfile entry."""
    if isinstance(value, str):
        return ("" if value.strip() == "*" else value.strip()), (), None, None
    if isinstance(value, dict):
        version = value.get("version", "")
        spec = version if isinstance(version, str) else "<not a string>"
        spec = "" if spec.strip() == "*" else spec
        extras = tuple(sorted(canonical(x) for x in str_items(value.get("extras"))))
        marker = str_or_none(value.get("markers"))
        url = None
        git, ref = str_or_none(value.get("git")), str_or_none(value.get("ref"))
        local = str_or_none(value.get("path")) or str_or_none(value.get("file"))
        if git:
            url = "git+" + git + (("@" + ref) if ref else "")
        elif local:
            url = local
        return spec, extras, marker, url
    return "", (), None, None


def parse_pipfile(text: str, path: str) -> Manifest:
    try:
        data = load_toml_text(text)
    except Exception as exc:
        return Manifest(path, "Pipfile", (), {}, problems=(ManifestProblem(path, toml_error_line(exc, text), f"invalid TOML: {exc}"),))
    from .pyproject import _key_line
    from . import table_line

    lines = physical_lines(text)
    reqs: List[Req] = []
    problems: List[ManifestProblem] = []
    for section, group in (("packages", ""), ("dev-packages", "group:dev")):
        table = data.get(section) or {}
        if not isinstance(table, dict):
            problems.append(ManifestProblem(path, None, f"[{section}] must be a table"))
            continue
        start = table_line(lines, section)
        for name, value in table.items():
            line, col = _key_line(lines, name, start)
            spec, extras, marker, url = _pipfile_spec(name, value)
            if spec and re.match(r"^\d", spec.strip()):
                spec = "==" + spec.strip()  # pipenv reads a bare version as an exact pin
            if spec and not re.match(r"^\s*(===?|[<>!~]=?)", spec):
                from ..safe_read import excerpt

                problems.append(ManifestProblem(path, line, f"[{section}] {excerpt(name)}: invalid version {excerpt(spec)}"))
                continue
            reqs.append(Req(canonical(name), spec, extras, marker, Origin(path, line, col, col + len(name)), url=url, group=group, text=f"{name} = {value!r}", editable=isinstance(value, dict) and bool(value.get("editable"))))
    return Manifest(path, "Pipfile", tuple(reqs), {}, problems=tuple(problems))


def parse_pipfile_lock(text: str, path: str) -> Manifest:
    try:
        data = json.loads(text)
    except RecursionError:
        return Manifest(path, "Pipfile.lock", (), {}, problems=(ManifestProblem(path, None, "invalid JSON: nested too deeply"),))
    except ValueError as exc:
        m = re.search(r"line (\d+)", str(exc))
        return Manifest(path, "Pipfile.lock", (), {}, problems=(ManifestProblem(path, int(m.group(1)) if m else None, f"invalid JSON: {exc}"),))
    if not isinstance(data, dict):
        return Manifest(path, "Pipfile.lock", (), {}, problems=(ManifestProblem(path, 1, "expected a JSON object"),))
    lines = physical_lines(text)
    reqs: List[Req] = []
    packages: Dict[str, LockedPackage] = {}
    for section, group in (("default", ""), ("develop", "group:dev")):
        table = data.get(section) or {}
        if not isinstance(table, dict):
            continue
        sec_line = next((i for i, l in enumerate(lines) if l.strip().startswith(f'"{section}"')), 0)
        for name, entry in table.items():
            if not isinstance(entry, dict):
                continue
            line = next((i + 1 for i in range(sec_line, len(lines)) if lines[i].strip().startswith(f'"{name}"')), sec_line + 1)
            version = str_or_none(entry.get("version")) or ""
            exact = version[2:] if version.startswith("==") else None
            git, ref = str_or_none(entry.get("git")), str_or_none(entry.get("ref"))
            url = ("git+" + git + ("@" + ref if ref else "")) if git else str_or_none(entry.get("path")) or str_or_none(entry.get("file"))
            col = len(lines[line - 1]) - len(lines[line - 1].lstrip()) + 1 if line - 1 < len(lines) else 1
            marker = str_or_none(entry.get("markers"))
            req = Req(canonical(name), version, tuple(sorted(canonical(x) for x in str_items(entry.get("extras")))), marker, Origin(path, line, col, col + len(name) + 2), url=url, hashes=str_items(entry.get("hashes")), locked_version=exact, group=group, text=f"{name}{version}", editable=bool(entry.get("editable")))
            reqs.append(req)
            if group == "":
                packages[canonical(name)] = LockedPackage(canonical(name), exact or "", line, (), ("default",), (), "registry", marker)
    return Manifest(path, "Pipfile.lock", tuple(reqs), {}, extra={"packages": packages})


def lock_closure(
    packages: Mapping[str, LockedPackage],
    roots: Iterable[Tuple[str, Tuple[str, ...]]],
    env: Mapping[str, str],
    dev_groups: Iterable[str] = (),
) -> Dict[str, Tuple[LockedPackage, Tuple[str, ...]]]:
    """Packages reachable from ``roots`` ((name, extras)) whose markers hold in ``env``.

    Returns {name: (package, chain of names that pulled it in)}. ``dev_groups`` selects
    development groups of the root packages (uv's ``dev-dependencies``)."""
    from .markers import marker_holds

    out: Dict[str, Tuple[LockedPackage, Tuple[str, ...]]] = {}
    todo: List[Tuple[str, Tuple[str, ...], Tuple[str, ...]]] = [(canonical(n), tuple(e), ()) for n, e in roots]
    wanted_dev = list(dev_groups)
    seen: Set[Tuple[str, Tuple[str, ...]]] = set()
    while todo:
        name, extras, chain = todo.pop(0)
        key = (name, tuple(sorted(extras)))
        if key in seen:
            continue
        seen.add(key)
        pkg = packages.get(name)
        if pkg is None:
            continue
        if name not in out:
            out[name] = (pkg, chain)
        deps = list(pkg.deps)
        for e in extras:
            deps.extend(pkg.optional_deps.get(canonical(e), ()))
        if not chain:
            for g in wanted_dev:
                deps.extend(pkg.dev_deps.get(canonical(g), ()))
        for dn, marker, dextras in deps:
            if marker and not marker_holds(marker, env, extras):
                continue
            todo.append((dn, dextras, chain + (name,)))
    return out
