"""``--format rdjson``: reviewdog's Diagnostic Format (one DiagnosticResult).

Positions are 1-based; columns count UTF-8 bytes and ``end`` is exclusive, as rdjson requires.
Fixes become ``suggestions`` (reviewdog turns them into suggested changes on pull requests).
"""

from __future__ import annotations

import json
from typing import Any, Dict

from ._common import line_text

_SEVERITY = {"error": "ERROR", "warning": "WARNING", "info": "INFO", "style": "INFO"}


def _byte_column(path: str, line: int, column: int) -> int:
    """A 1-based character column as a 1-based UTF-8 byte column."""
    text = line_text(path, line)
    if not text or column <= 1:
        return max(column, 1)
    return len(text[: column - 1].encode("utf-8")) + 1


def _range(path: str, sl: int, sc: int, el: int, ec: int) -> Dict[str, Any]:
    return {"start": {"line": sl, "column": _byte_column(path, sl, sc)}, "end": {"line": el or sl, "column": _byte_column(path, el or sl, ec or sc)}}


def render(findings, ctx) -> str:
    from .. import HOMEPAGE
    from ..ruledoc import help_uri

    diags = []
    for f in findings:
        d: Dict[str, Any] = {
            "message": f.message,
            "location": {"path": f.path, "range": _range(f.path, f.line, f.column, f.end_line, f.end_column)},
            "severity": _SEVERITY.get(f.severity, "WARNING"),
            "code": {"value": f.code, "url": help_uri(f.code)},
        }
        if f.related:
            d["related_locations"] = [{"message": r.message, "location": {"path": r.path, "range": {"start": {"line": r.line, "column": r.column}}}} for r in f.related]
        if f.fix is not None and f.fix.edits:
            d["suggestions"] = [{"range": _range(f.path, e.start_line, e.start_column, e.end_line, e.end_column), "text": e.replacement} for e in f.fix.edits]
        diags.append(d)
    return json.dumps({"source": {"name": "dockerlint", "url": HOMEPAGE}, "diagnostics": diags}, indent=2, ensure_ascii=False) + "\n"
