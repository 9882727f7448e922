"""Helpers shared by the report formats: stable fingerprints, source lines, severities."""

from __future__ import annotations

import hashlib
import os
from typing import Dict, List, Optional, Sequence, Tuple

_LINES: Dict[str, Optional[List[str]]] = {}


def source_lines(path: str) -> Optional[List[str]]:
    if path not in _LINES:
        from ..safe_read import MAX_DOCKERFILE_BYTES, read_bytes

        # the guarded reader: a manifest the linter refused (FIFO, /dev/zero) is not opened here
        data, _ = read_bytes(path, limit=MAX_DOCKERFILE_BYTES)
        if data is None:
            _LINES[path] = None
        else:
            text = data.decode("utf-8-sig", "replace").replace("\r\n", "\n").replace("\r", "\n")
            _LINES[path] = text.split("\n")
    return _LINES[path]


def line_text(path: str, line: int) -> str:
    lines = source_lines(path)
    if lines is None or not 0 < line <= len(lines):
        return ""
    return lines[line - 1]


def fingerprints(findings: Sequence) -> List[str]:
    """A stable key per finding: rule, path, the flagged line's text (whitespace-normalised)
    and an occurrence index among identical keys. Line numbers are left out so that edits above
    a finding do not change its identity."""
    seen: Dict[str, int] = {}
    out: List[str] = []
    for f in findings:
        text = " ".join(line_text(f.path, f.line).split())
        base = f"{f.code}\x00{f.path}\x00{text}\x00{f.message if not text else ''}"
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(hashlib.sha256(f"{base}\x00{n}".encode("utf-8")).hexdigest())
    return out


def relative_uri(path: str) -> Tuple[str, bool]:
    """(uri, relative?) for a displayed path: repository-relative when it is under the cwd."""
    from urllib.parse import quote

    if path == "-" or not os.path.isabs(path):
        return quote(path.replace(os.sep, "/"), safe="/"), True
    return "file://" + quote(os.path.realpath(path).replace(os.sep, "/"), safe="/"), False
