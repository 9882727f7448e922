"""``pyproject.toml``: PEP 621 dependencies and extras, PEP 735 dependency groups (with
``include-group``), Poetry (main and group dependencies, caret/tilde constraints) and PDM
development groups.

Requirements are grouped: ``""`` holds the main dependencies; ``extra:<name>`` the PEP 621
optional dependencies; ``group:<name>`` PEP 735 / Poetry / PDM groups (Poetry's legacy
``dev-dependencies`` are ``group:dev``). Build requirements (``[build-system]``) are not
installed into the image by an install command and are not listed.
"""

from __future__ import annotations

from ._lines import physical_lines

import re
from typing import Any, Dict, List, Optional, Tuple

from ..safe_read import excerpt
from . import Manifest, ManifestProblem, Origin, Req, canonical, load_toml_text, locate, parse_requirement_string, str_items, str_or_none, table_line, table_of, toml_error_line

__all__ = ["parse_pyproject", "poetry_constraint"]


def _num(x: str) -> int:
    """A version component as a number: ASCII digits only, and short (``int('²')`` raises,
    ``int('9' * 5000)`` exceeds Python's digit limit); anything else is 0."""
    return int(x) if x.isascii() and x.isdigit() and len(x) <= 18 else 0


_POETRY_OP = r"(?:\^|~=|~|===|==|=|!=|<>|>=|<=|>|<)"
_POETRY_CLAUSE = re.compile(r"^(" + _POETRY_OP + r")?\s*[vV]?(\S*)$")
_POETRY_ANY = re.compile(r"^[vV]?[xX*](?:\.[xX*])*$")
_RELEASE = re.compile(r"^\d+(?:\.\d+)*")


def _poetry_clause(text: str) -> Optional[List[str]]:
    """One Poetry clause (``^1.2``, ``~1.2``, ``~=1.2``, ``1.2.*``, ``=1.2``, ``>= 1.2``...) ->
    PEP 440 clauses (``[]``: any version); None when it is not Poetry syntax."""
    if _POETRY_ANY.match(text):
        return []
    m = _POETRY_CLAUSE.match(text)
    if m is None or not m.group(2):
        return None
    op, v = m.group(1) or "", m.group(2)
    if not re.match(r"^\d[A-Za-z0-9.+!_*-]*$", v):
        return None
    if op in ("^", "~", "~="):
        rel = _RELEASE.match(v)
        if rel is None or "*" in v:
            return None
        nums = [_num(x) for x in rel.group(0).split(".")]
        if op == "^":  # the first non-zero part of the precision given may not change
            if nums[0] != 0 or len(nums) == 1:
                upper = [nums[0] + 1]
            elif nums[1] != 0 or len(nums) == 2:
                upper = [0, nums[1] + 1]
            else:
                upper = [0, 0, nums[2] + 1]
        elif op == "~":  # ~1 -> <2; ~1.2 and longer -> next minor
            upper = [nums[0], nums[1] + 1] if len(nums) >= 2 else [nums[0] + 1]
        else:  # ~=1.2 -> <2; ~=1.2.3 -> <1.3 (and ~=1, which PEP 440 rejects, as Poetry reads it: <2)
            upper = nums[:-1] if len(nums) >= 2 else nums[:1]
            upper[-1] += 1
        return [f">={v}", f"<{'.'.join(map(str, upper))}"]
    if v.lower().endswith((".x", ".*")):
        v = re.sub(r"(?:\.[xX*])+$", ".*", v)
        return [("!=" if op in ("!=", "<>") else "==") + v] if op in ("", "=", "==", "!=", "<>") else None
    if op in ("", "=", "=="):
        return ["==" + v]
    if op == "<>":
        return ["!=" + v]
    return [op + v]


def _poetry_and(text: str) -> Optional[List[str]]:
    """Comma- or space-separated clauses (an operator may be followed by spaces: ``>= 1.2``)."""
    glued = re.sub(r"(" + _POETRY_OP + r")\s+", r"\1", text.strip())
    out: List[str] = []
    for part in re.split(r"\s*,\s*|\s+", glued):
        if not part:
            continue
        clauses = _poetry_clause(part)
        if clauses is None:
            return None
        out += clauses
    return out


def _hull(alternatives: List[List[str]]) -> str:
    """The narrowest PEP 440 range holding every alternative of a union (one specifier cannot
    say "a or b"; the hull allows everything the union allows, and maybe more)."""
    from packaging.version import InvalidVersion, Version

    lows: List[Optional[Tuple[Version, str]]] = []
    highs: List[Optional[Tuple[Version, str]]] = []
    try:
        for clauses in alternatives:
            low = high = None
            for c in clauses:
                op = re.match(r"^(===|==|!=|~=|<=|>=|<|>)", c)
                if op is None or op.group(1) in ("!=", "~=", "===") or "*" in c:
                    continue
                v = Version(c[len(op.group(1)):])
                if op.group(1) in (">=", ">", "==") and (low is None or v > low[0]):
                    low = (v, ">=")
                if op.group(1) in ("<", "<=", "==") and (high is None or v < high[0] or (v == high[0] and op.group(1) == "<")):
                    high = (v, "<" if op.group(1) == "<" else "<=")
            lows.append(low)
            highs.append(high)
    except InvalidVersion:
        return ""
    out: List[str] = []
    known_lows = [x for x in lows if x is not None]
    known_highs = [x for x in highs if x is not None]
    if len(known_lows) == len(lows):
        out.append(">=" + str(min(x[0] for x in known_lows)))
    if len(known_highs) == len(highs):
        top = max(x[0] for x in known_highs)
        out.append(("<=" if any(x[0] == top and x[1] == "<=" for x in known_highs) else "<") + str(top))
    return ",".join(out)


def poetry_constraint(text: str) -> Tuple[str, Optional[str]]:
    """A Poetry version constraint -> (PEP 440 specifier, exact version or None), as poetry-core
    reads it (``tests/test_oracle_poetry.py`` holds it to poetry-core).

    ``1.2.3``, ``=1.2.3`` and ``==1.2.3`` are exact; ``^1.2`` is ``>=1.2,<2``; ``~1.2`` is
    ``>=1.2,<1.3``; ``1.2.*`` a prefix; ``*`` any version; clauses are joined by commas or
    spaces. A union (``a || b``) becomes the range around its alternatives; text that is not
    Poetry syntax is kept as written (and judged an invalid specifier downstream)."""
    text = (text or "").strip()
    parsed = [_poetry_and(a) for a in re.split(r"\s*\|\|?\s*", text)]
    alternatives = [a for a in parsed if a is not None]
    if len(alternatives) < len(parsed):
        return text, None
    if len(alternatives) > 1:
        return _hull(alternatives), None
    clauses = alternatives[0] or []
    spec = ",".join(clauses)
    exact = None
    if len(clauses) == 1 and clauses[0].startswith("==") and "*" not in clauses[0]:
        exact = clauses[0].lstrip("=")
    return spec, exact


def _pep508_list(items: Any, lines: List[str], path: str, group: str, start: int, problems: List[ManifestProblem], where: str) -> List[Req]:
    out: List[Req] = []
    if not isinstance(items, list):
        problems.append(ManifestProblem(path, start + 1 if start >= 0 else None, f"{where} must be an array of requirement strings"))
        return out
    cursor = max(start, 0)
    for item in items:
        if isinstance(item, dict) and "include-group" in item:
            continue
        if not isinstance(item, str):
            problems.append(ManifestProblem(path, cursor + 1, f"{where}: expected a requirement string, got {type(item).__name__}"))
            continue
        line, col = locate(lines, item, cursor)
        cursor = line - 1
        req, err = parse_requirement_string(item, Origin(path, line, col, col + len(item)), group)
        if req is None:
            problems.append(ManifestProblem(path, line, f"{where}: {err}"))
        else:
            out.append(req)
    return out


def _poetry_table(table: Any, lines: List[str], path: str, group: str, header: str, problems: List[ManifestProblem]) -> List[Req]:
    out: List[Req] = []
    if not isinstance(table, dict):
        return out
    start = table_line(lines, header)
    for name, value in table.items():
        if canonical(name) == "python":
            continue
        line, col = _key_line(lines, name, start)
        origin = Origin(path, line, col, col + len(name))
        entries = value if isinstance(value, list) else [value]
        for v in entries:
            if isinstance(v, str):
                spec, exact = poetry_constraint(v)
                out.append(Req(canonical(name), spec, (), None, origin, group=group, text=f"{name} = {v!r}", locked_version=None))
            elif isinstance(v, dict):
                spec, _ = poetry_constraint(str_or_none(v.get("version")) or "")
                extras = tuple(sorted(str_items(v.get("extras"))))
                marker = str_or_none(v.get("markers"))
                url = None
                for k in ("git", "path", "url", "file"):
                    if isinstance(v.get(k), str):
                        ref = str_or_none(v.get("rev")) or str_or_none(v.get("tag")) or str_or_none(v.get("branch"))
                        url = ("git+" + v[k] + ("@" + ref if ref else "")) if k == "git" else v[k]
                opt_group = group
                if v.get("optional"):
                    opt_group = "optional"
                out.append(Req(canonical(name), spec, extras, marker, origin, url=url, group=opt_group, text=f"{name} = {v!r}", editable=bool(v.get("develop"))))
            else:
                problems.append(ManifestProblem(path, line, f"[{header}] {excerpt(name)}: unsupported value {excerpt(repr(v))}"))
    return out


def _key_line(lines: List[str], key: str, start: int) -> Tuple[int, int]:
    pat = re.compile(r'^\s*["\']?' + re.escape(key) + r'["\']?\s*=')
    for i in range(max(start, 0), len(lines)):
        if i > start and lines[i].lstrip().startswith("[") and start >= 0:
            break
        if pat.match(lines[i]):
            return i + 1, len(lines[i]) - len(lines[i].lstrip()) + 1
    return (start + 1 if start >= 0 else 1), 1


def _group_tables(table: Dict[str, Any], header: str, lines: List[str], path: str, problems: List[ManifestProblem]) -> List[Req]:
    """``{group: [requirement strings]}`` under ``[header]`` (PEP 735 groups, PDM dev groups)."""
    out: List[Req] = []
    start = table_line(lines, header)
    for name, items in table_of(table).items():
        line, _ = _key_line(lines, name, start)
        out += _pep508_list(items, lines, path, "group:" + canonical(name), line - 1, problems, f"{header}.{excerpt(name, quote=False)}")
    return out


def parse_pyproject(text: str, path: str) -> Manifest:
    problems: List[ManifestProblem] = []
    try:
        data = load_toml_text(text)
    except Exception as exc:  # tomllib.TOMLDecodeError; keep tomllib import lazy
        return Manifest(path, "pyproject", (), {}, problems=(ManifestProblem(path, toml_error_line(exc, text), f"invalid TOML: {exc}"),))
    lines = physical_lines(text)
    reqs: List[Req] = []
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    extra: Dict[str, object] = {"name": canonical(project["name"]) if isinstance(project.get("name"), str) else ""}
    start = table_line(lines, "project")
    if "dependencies" in project:
        dstart = max(start, 0)
        line, _ = locate(lines, "dependencies", dstart)
        reqs += _pep508_list(project["dependencies"], lines, path, "", line - 1, problems, "[project] dependencies")
    opt = project.get("optional-dependencies") or {}
    if isinstance(opt, dict):
        ostart = table_line(lines, "project.optional-dependencies")
        for name, items in opt.items():
            line, _ = _key_line(lines, name, ostart) if ostart >= 0 else locate(lines, name, max(start, 0))
            reqs += _pep508_list(items, lines, path, "extra:" + canonical(name), line - 1, problems, f"optional-dependencies.{excerpt(name, quote=False)}")
    groups = data.get("dependency-groups") or {}
    if isinstance(groups, dict):
        reqs += _group_tables(groups, "dependency-groups", lines, path, problems)
        extra["group_includes"] = {
            canonical(n): [canonical(i["include-group"]) for i in items if isinstance(i, dict) and isinstance(i.get("include-group"), str)]
            for n, items in groups.items()
            if isinstance(items, list)
        }
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else None
    if poetry is not None:
        if not extra["name"] and isinstance(poetry.get("name"), str):
            extra["name"] = canonical(poetry["name"])
        extra["poetry"] = True
        reqs += _poetry_table(poetry.get("dependencies"), lines, path, "", "tool.poetry.dependencies", problems)
        reqs += _poetry_table(poetry.get("dev-dependencies"), lines, path, "group:dev", "tool.poetry.dev-dependencies", problems)
        pgroups = poetry.get("group") or {}
        if isinstance(pgroups, dict):
            for gname, g in pgroups.items():
                if isinstance(g, dict):
                    reqs += _poetry_table(g.get("dependencies"), lines, path, "group:" + canonical(gname), f"tool.poetry.group.{gname}.dependencies", problems)
        pextras = poetry.get("extras") or {}
        if isinstance(pextras, dict):
            extra["poetry_extras"] = {canonical(k): [canonical(x) for x in str_items(v)] for k, v in pextras.items() if isinstance(v, list)}
    pdm = tool.get("pdm") if isinstance(tool.get("pdm"), dict) else None
    if pdm is not None:
        extra["pdm"] = True
        dev = pdm.get("dev-dependencies") or {}
        if isinstance(dev, dict):
            reqs += _group_tables(dev, "tool.pdm.dev-dependencies", lines, path, problems)
    uvt = tool.get("uv") if isinstance(tool.get("uv"), dict) else None
    if uvt is not None and isinstance(uvt.get("dev-dependencies"), list):
        line, _ = locate(lines, "dev-dependencies", max(table_line(lines, "tool.uv"), 0))
        reqs += _pep508_list(uvt["dev-dependencies"], lines, path, "group:dev", line - 1, problems, "tool.uv.dev-dependencies")
    return Manifest(path, "pyproject", tuple(reqs), {}, problems=tuple(problems), extra=extra)
