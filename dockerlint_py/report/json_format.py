"""``--format json``: the stable contract documented in the README.

A JSON array; each element has ``path``, ``line``, ``column``, ``end_line``, ``end_column``
(1-based, end column exclusive), ``code``, ``name``, ``severity``, ``message``, and optionally
``related`` (``[{path, line, column, message}]``) and ``fix``.
"""

from __future__ import annotations

import json


def render(findings, ctx) -> str:
    return json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False) + "\n"
