"""Suppression comments, applied after the rules ran (rules know nothing about them).

Dockerfile:
    # dockerlint: ignore=DKL401,DKL402 -- reason      (comment line(s) directly above an instruction)
    # dockerlint: global ignore=DKL103                 (anywhere: the whole file)
Requirements files (used by the manifest rules):
    psycopg2==2.9.9  # dockerlint: ignore=DKL201
Codes may be prefixes (``DKL4``) or ``ALL``.
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, Optional, Set, Tuple
from ._record import Record

__all__ = ["Suppressions", "parse_pragma", "trailing_ignores"]

_PRAGMA_RE = re.compile(
    r"^dockerlint\s*:\s*(global\s+)?ignore\s*=\s*([A-Za-z0-9_,\s]+?)\s*(?:--.*)?$", re.I
)
_HADOLINT_RE = re.compile(r"^hadolint\s+(global\s+)?ignore\s*=\s*([A-Za-z0-9_,\s]+?)\s*$", re.I)
_TRAILING_RE = re.compile(r"#\s*dockerlint\s*:\s*ignore\s*=\s*([A-Za-z0-9_,\s]+?)\s*(?:--.*)?$", re.I)


class Pragma(Record):
    is_global: bool
    codes: Tuple[str, ...]


def _codes(text: str) -> Tuple[str, ...]:
    return tuple(c.strip().upper() for c in re.split(r"[,\s]+", text) if c.strip())


def parse_pragma(comment: str, hadolint: Optional[Dict[str, Tuple[str, ...]]] = None):
    """Parse a comment's text (without ``#``); None when it is not a dockerlint pragma. With
    ``hadolint`` (DL code -> our codes), ``# hadolint ignore=DL3008`` counts too, for the rules
    that check the same thing: a file already annotated for hadolint needs no second comment."""
    m = _PRAGMA_RE.match(comment.strip())
    if m:
        return Pragma(bool(m.group(1)), _codes(m.group(2)))
    if hadolint is not None:
        h = _HADOLINT_RE.match(comment.strip())
        if h:
            ours = tuple(c for dl in _codes(h.group(2)) for c in hadolint.get(dl, ()))
            return Pragma(bool(h.group(1)), ours) if ours else None
    return None


def trailing_ignores(line: str) -> Tuple[str, ...]:
    m = _TRAILING_RE.search(line)
    return _codes(m.group(1)) if m else ()


def _matches(code: str, patterns: Iterable[str]) -> bool:
    return any(p == "ALL" or code.startswith(p) for p in patterns)


_MENTION_RE = re.compile(r"^\s*dockerlint\b", re.I)


class Suppressions:
    """Which (line, code) pairs of one Dockerfile are suppressed; which pragmas were used, which
    are malformed (for the opt-in DKL900/DKL901)."""

    def __init__(self, parsed, hadolint: Optional[Dict[str, Tuple[str, ...]]] = None) -> None:
        self.global_codes: Set[str] = set()
        self.ranges: List[Tuple[int, int, Tuple[str, ...]]] = []
        self.pragmas: List[Tuple[int, str]] = []  # (comment line, code pattern)
        self.malformed: List[int] = []  # comment lines that mention dockerlint but do not parse
        self.used: Set[Tuple[int, str]] = set()
        self._range_lines: List[List[Tuple[int, str]]] = []
        self._global_lines: List[Tuple[int, str]] = []
        for ins in parsed.instructions:
            codes: List[str] = []
            where: List[Tuple[int, str]] = []
            for line_no, text in ins.comments:
                p = parse_pragma(text, hadolint)
                if p is not None and not p.is_global:
                    codes.extend(p.codes)
                    where.extend((line_no, c) for c in p.codes)
            if codes:
                self.ranges.append((ins.start_line, ins.end_line, tuple(codes)))
                self._range_lines.append(where)
                self.pragmas.extend(where)
        for i, line in enumerate(parsed.lines, 1):
            s = line.strip()
            if s.startswith("#"):
                p = parse_pragma(s[1:], hadolint)
                if p is not None and p.is_global:
                    self.global_codes.update(p.codes)
                    self._global_lines.extend((i, c) for c in p.codes)
                    self.pragmas.extend((i, c) for c in p.codes)
                elif p is None and _MENTION_RE.match(s[1:]):
                    self.malformed.append(i)

    def _use(self, code: str, entries: Iterable[Tuple[int, str]]) -> None:
        for line_no, pat in entries:
            if pat == "ALL" or code.startswith(pat):
                self.used.add((line_no, pat))

    def suppressed_in_manifest(self, code: str, path: str, line: int, anchor: Optional[int]) -> bool:
        """A finding located in a manifest: a trailing ``# dockerlint: ignore=`` on its line,
        the Dockerfile's global ignores, or a pragma above the instruction that installs it."""
        if _matches(code, self.global_codes):
            self._use(code, self._global_lines)
            return True
        if anchor is not None and self.suppressed(code, anchor):
            return True
        from .manifests import read_text

        text, _ = read_text(path)
        if text is None:
            return False
        lines = text.splitlines()
        return 0 < line <= len(lines) and _matches(code, trailing_ignores(lines[line - 1]))

    def suppressed(self, code: str, line: int) -> bool:
        if _matches(code, self.global_codes):
            self._use(code, self._global_lines)
            return True
        for (start, end, codes), where in zip(self.ranges, self._range_lines):
            if start <= line <= end and _matches(code, codes):
                self._use(code, where)
                return True
        return False
