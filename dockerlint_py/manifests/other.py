"""``setup.cfg`` ``install_requires``/``extras_require`` (read as INI text; ``setup.py`` is
never executed) and the ``pip:`` section of a conda ``environment.yml``."""

from __future__ import annotations

from ._lines import physical_lines

import re
from typing import List

from . import Manifest, ManifestProblem, Origin, Req, canonical, parse_requirement_string

__all__ = ["parse_setup_cfg", "parse_environment_yml"]


def parse_setup_cfg(text: str, path: str) -> Manifest:
    lines = physical_lines(text)
    reqs: List[Req] = []
    problems: List[ManifestProblem] = []
    section = ""
    key = ""
    group = ""
    for i, raw in enumerate(lines, 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        m = re.match(r"^\[([^\]]+)\]", stripped)
        if m and not raw[:1].isspace():
            section, key = m.group(1).strip(), ""
            continue
        if not raw[:1].isspace():
            k, sep, value = raw.partition("=")
            if not sep:
                k, sep, value = raw.partition(":")
            key = k.strip()
            if section == "options" and key == "install_requires":
                group = ""
            elif section == "options.extras_require":
                group = "extra:" + canonical(key)
            else:
                key = ""
                continue
            value = value.strip()
            if not value:
                continue
            item, col = value, raw.find(value) + 1
        else:
            if not key:
                continue
            item, col = stripped, raw.find(stripped) + 1
        item = re.sub(r"\s+#.*$", "", item)
        req, err = parse_requirement_string(item, Origin(path, i, col, col + len(item)), group)
        if req is None:
            problems.append(ManifestProblem(path, i, err or "invalid requirement"))
        else:
            reqs.append(req)
    return Manifest(path, "setup.cfg", tuple(reqs), {}, problems=tuple(problems))


def parse_environment_yml(text: str, path: str) -> Manifest:
    """Requirements under ``- pip:`` (a line-based reader for that one list; no YAML library)."""
    from .requirements import parse_requirement_line

    lines = physical_lines(text)
    reqs: List[Req] = []
    problems: List[ManifestProblem] = []
    pip_indent = None
    for i, raw in enumerate(lines, 1):
        if not raw.strip() or raw.strip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip())
        m = re.match(r"^(\s*)-\s*pip\s*:\s*$", raw)
        if m:
            pip_indent = indent
            continue
        if pip_indent is None:
            continue
        m = re.match(r"^(\s*)-\s+(.*?)\s*$", raw)
        if not m or indent <= pip_indent:
            pip_indent = None if indent <= pip_indent else pip_indent
            continue
        item = re.sub(r"\s+#.*$", "", m.group(2)).strip().strip("'\"")
        col = raw.find(item) + 1
        if item.startswith("-"):
            continue  # pip options (-r, --index-url) inside environment.yml
        req, err = parse_requirement_line(item, Origin(path, i, col, col + len(item)))
        if req is None:
            problems.append(ManifestProblem(path, i, err or "invalid requirement"))
        else:
            reqs.append(req)
    return Manifest(path, "environment", tuple(reqs), {}, problems=tuple(problems))
