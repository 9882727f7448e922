"""Applying fixes: minimal edits, byte-faithful files, atomic writes.

A fix is a list of :class:`~dockerlint_py.findings.Edit` (line/column ranges in the decoded text).
Applying keeps everything else as it was: line continuations, indentation, heredocs, comments,
CRLF line endings, a missing final newline, a UTF-8 BOM, the file mode. Overlapping edits are
skipped (the next pass picks them up); ``--fix`` re-lints after each pass until nothing changes,
so fixing twice equals fixing once.
"""

from __future__ import annotations

import os
import stat
import tempfile
from typing import List, Optional, Sequence, Tuple

from .findings import Edit

__all__ = ["apply_edits", "FileText", "write_atomic"]


class FileText:
    """A text file split into lines with their original terminators and BOM."""

    def __init__(self, data: bytes) -> None:
        self.bom = data.startswith(b"\xef\xbb\xbf")
        text = data[3:].decode("utf-8") if self.bom else data.decode("utf-8")
        parts = text.split("\n")
        self.lines: List[str] = []
        self.ends: List[str] = []
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part.endswith("\r") and not last:
                self.lines.append(part[:-1])
                self.ends.append("\r\n")
            else:
                self.lines.append(part)
                self.ends.append("" if last else "\n")

    def render(self) -> bytes:
        text = "".join(l + e for l, e in zip(self.lines, self.ends))
        data = text.encode("utf-8")
        return (b"\xef\xbb\xbf" + data) if self.bom else data

    def newline(self) -> str:
        return "\r\n" if "\r\n" in self.ends else "\n"


def _offset(ft: FileText, line: int, col: int) -> Optional[Tuple[int, int]]:
    if not 1 <= line <= len(ft.lines):
        return None
    return line - 1, min(max(col - 1, 0), len(ft.lines[line - 1]))


def apply_edits(data: bytes, edits: Sequence[Edit]) -> Tuple[bytes, int]:
    """Apply non-overlapping edits (later ones first); returns (new bytes, edits applied)."""
    ft = FileText(data)
    nl = ft.newline()
    ordered = sorted(edits, key=lambda e: (e.start_line, e.start_column, e.end_line, e.end_column), reverse=True)
    applied = 0
    last_start: Optional[Tuple[int, int]] = None
    for e in ordered:
        start = _offset(ft, e.start_line, e.start_column)
        end = _offset(ft, e.end_line, e.end_column)
        if start is None or end is None or end < start:
            continue
        if last_start is not None and end > last_start:
            continue  # overlaps an edit already applied
        (sl, sc), (el, ec) = start, end
        head = ft.lines[sl][:sc]
        tail = ft.lines[el][ec:]
        new_lines = (head + e.replacement.replace("\r\n", "\n") + tail).split("\n")
        old_ends = ft.ends[sl : el + 1]
        ends = [nl] * (len(new_lines) - 1) + [old_ends[-1]]
        ft.lines[sl : el + 1] = new_lines
        ft.ends[sl : el + 1] = ends
        applied += 1
        last_start = start
    return ft.render(), applied


def write_atomic(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, keeping its permission bits."""
    st = os.stat(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".dockerlint-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
