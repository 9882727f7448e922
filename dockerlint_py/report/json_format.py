"""``--format json``: the stable contract documented in the README.

A JSON array; each element has ``path``, ``line``, ``column``, ``end_line``, ``end_column``
(1-based, end column exclusive), ``code``, ``name``, ``severity``, ``message``, ``url`` (the rule's
documentation), and optionally ``related`` (``[{path, line, column, message}]``) and ``fix``.
Paths are relative to the repository root when the context has one. Text that is not valid
Unicode (bytes of a file name that are not UTF-8) comes out as U+FFFD.
"""

from __future__ import annotations

import json

from ._common import report_path, scrub_json


def render(findings, ctx) -> str:
    from ..ruledoc import help_uri

    out = []
    for f in findings:
        d = f.as_dict()
        d["path"] = report_path(f.path, ctx)
        d["url"] = help_uri(f.code)
        for r in d.get("related", ()):
            r["path"] = report_path(r["path"], ctx)
        for e in (d.get("fix") or {}).get("edits", ()):
            if e.get("path"):
                e["path"] = report_path(e["path"], ctx)
        out.append(d)
    return json.dumps(scrub_json(out), indent=2, ensure_ascii=False) + "\n"
