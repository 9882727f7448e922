"""Findings are data: where, what, why, and (optionally) the manifest line behind it and a fix."""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple
from ._record import Record

__all__ = ["Severity", "SEVERITIES", "severity_rank", "Related", "Edit", "Fix", "Finding", "Hit"]

# Ordered from most to least severe.
SEVERITIES = ("error", "warning", "info", "style")
_RANK = {name: len(SEVERITIES) - i for i, name in enumerate(SEVERITIES)}


class Severity:
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    STYLE = "style"


def severity_rank(name: str) -> int:
    """Higher is more severe; unknown names rank 0."""
    return _RANK.get(name, 0)


class Related(Record):
    path: str
    line: int
    column: int
    message: str


class Edit(Record):
    """Replace [start, end) (1-based, end column exclusive) with ``replacement``; an insertion has
    start == end. ``path`` names another file (a manifest); None means the finding's file."""

    start_line: int
    start_column: int
    end_line: int
    end_column: int
    replacement: str
    path: Optional[str] = None
    expected: Optional[str] = None  # the text the span must hold; the edit is skipped otherwise


class Fix(Record):
    description: str
    edits: Tuple[Edit, ...]
    safe: bool = True


class Hit(Record):
    """What a rule yields; the engine turns it into a :class:`Finding`."""

    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    related: Tuple[Related, ...] = ()
    fix: Optional[Fix] = None
    path: Optional[str] = None  # another file (a manifest); None = the Dockerfile
    anchor: Optional[int] = None  # Dockerfile line whose suppression comments apply (manifest hits)


class Finding(Record):
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    severity: str
    message: str
    related: Tuple[Related, ...] = ()
    fix: Optional[Fix] = None

    def sort_key(self):
        return (self.path, self.line, self.column, self.code)

    def as_dict(self) -> Dict[str, Any]:
        d: Dict[str, Any] = {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
        }
        if self.related:
            d["related"] = [r._asdict() for r in self.related]
        if self.fix is not None:
            d["fix"] = {
                "description": self.fix.description,
                "safe": self.fix.safe,
                "edits": [e._asdict() for e in self.fix.edits],
            }
        return d
