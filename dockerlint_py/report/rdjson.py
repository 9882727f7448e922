"""``--format rdjson``: reviewdog's Diagnostic Format (one DiagnosticResult).

Positions are 1-based; columns count UTF-8 bytes and ``end`` is exclusive, as rdjson requires.
Paths are relative to the repository root when the context has one.
Fixes become ``suggestions`` (reviewdog turns them into suggested changes on pull requests).
"""

from __future__ import annotations

import json
from typing import Any, Dict

from ._common import line_text, report_path, scrub_json

_SEVERITY = {"error": "ERROR", "warning": "WARNING", "info": "INFO", "style": "INFO"}


def _byte_column(path: str, line: int, column: int, ctx) -> int:
    """A 1-based character column as a 1-based UTF-8 byte column."""
    text = line_text(path, line, ctx)
    if not text or column <= 1:
        return max(column, 1)
    return len(text[: column - 1].encode("utf-8", "replace")) + 1


def _range(path: str, sl: int, sc: int, el: int, ec: int, ctx) -> Dict[str, Any]:
    return {"start": {"line": sl, "column": _byte_column(path, sl, sc, ctx)}, "end": {"line": el or sl, "column": _byte_column(path, el or sl, ec or sc, ctx)}}


def render(findings, ctx) -> str:
    from .. import HOMEPAGE
    from ..ruledoc import help_uri

    diags = []
    for f in findings:
        d: Dict[str, Any] = {
            "message": f.message,
            "location": {"path": report_path(f.path, ctx), "range": _range(f.path, f.line, f.column, f.end_line, f.end_column, ctx)},
            "severity": _SEVERITY.get(f.severity, "WARNING"),
            "code": {"value": f.code, "url": help_uri(f.code)},
        }
        if f.related:
            d["related_locations"] = [{"message": r.message, "location": {"path": report_path(r.path, ctx), "range": {"start": {"line": r.line, "column": r.column}}}} for r in f.related]
        edits = [e for e in (f.fix.edits if f.fix is not None else ()) if e.path in (None, f.path)]
        if edits:  # a suggestion applies to the diagnostic's own file
            d["suggestions"] = [{"range": _range(f.path, e.start_line, e.start_column, e.end_line, e.end_column, ctx), "text": e.replacement} for e in edits]
        diags.append(d)
    return json.dumps(scrub_json({"source": {"name": "dockerlint", "url": HOMEPAGE}, "diagnostics": diags}), indent=2, ensure_ascii=False) + "\n"
