"""Applying fixes: minimal edits, byte-faithful files, careful in-place writes.

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

from ..findings import Edit

__all__ = ["apply_edits", "FileText", "write_atomic", "write_in_place", "WriteRefused"]


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
        if e.expected is not None:
            old = ft.lines[sl][sc:ec] if sl == el else "\n".join([ft.lines[sl][sc:]] + ft.lines[sl + 1 : el] + [ft.lines[el][:ec]])
            if old != e.expected:
                continue  # the file is not what the finding was computed from: never guess
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


class WriteRefused(Exception):
    """A fix target that must not be written; the message says why (for that file only)."""


def write_in_place(path: str, data: bytes, expected: bytes, root: Optional[str] = None) -> None:
    """Write ``data`` over ``path`` in place, as an editor would.

    In place keeps what a user expects of their file: owner, group, mode, hard links, and a
    symlink stays a symlink (its target is written, but only inside ``root``, the repository).
    Refused, with :class:`WriteRefused`: a target outside ``root``, a read-only file, and a file
    whose content is no longer ``expected`` (edited since it was read: the edit is kept, the fix
    is skipped). If a write fails half-way (disk full), the original bytes are put back.
    Raises ``OSError`` for other I/O failures."""
    from ..safe_read import MAX_DOCKERFILE_BYTES, inside, read_bytes, repo_root

    if root is None:
        root = repo_root(os.path.dirname(os.path.abspath(path))) or os.path.dirname(os.path.abspath(path))
    if not inside(path, root):
        raise WriteRefused("resolves outside the repository (symlink); not fixed")
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise WriteRefused("not a regular file; not fixed")
    if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise WriteRefused("read-only; not fixed")
    current, reason = read_bytes(path, limit=MAX_DOCKERFILE_BYTES)
    if current is None:
        raise WriteRefused(f"cannot be read again ({reason}); not fixed")
    if current != expected:
        raise WriteRefused("changed since it was read; fix skipped, run again")
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        fst = os.fstat(fd)
        if (fst.st_dev, fst.st_ino) != (st.st_dev, st.st_ino):
            raise WriteRefused("replaced while being fixed; not fixed")
        try:
            _write_all(fd, data)
            os.ftruncate(fd, len(data))
        except OSError:
            try:  # put the original back: its blocks are still allocated, so this can succeed
                os.lseek(fd, 0, os.SEEK_SET)
                _write_all(fd, expected)
                os.ftruncate(fd, len(expected))
            except OSError:
                pass
            raise
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


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
