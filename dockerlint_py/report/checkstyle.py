"""``--format checkstyle``: Checkstyle XML (``<file name><error line column severity message
source/></file>``), grouped by file in the order files were checked. Paths are relative to the
repository root when the context has one; characters XML 1.0 cannot hold become U+FFFD."""

from __future__ import annotations

from typing import Dict, List
from xml.sax.saxutils import quoteattr

_SEVERITY = {"error": "error", "warning": "warning", "info": "info", "style": "info"}


from ._common import report_path, xml_text

_clean = xml_text  # XML 1.0 forbids most control characters, U+FFFE/U+FFFF and surrogates


def render(findings, ctx) -> str:
    by_file: Dict[str, List] = {}
    for f in findings:
        by_file.setdefault(f.path, []).append(f)
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<checkstyle version="4.3">']
    for path in list(dict.fromkeys(list(ctx.files) + list(by_file))):
        items = by_file.get(path, [])
        errors = [e for e in ctx.errors if e.path == path]
        if not items and not errors:
            continue
        out.append(f"  <file name={quoteattr(_clean(report_path(path, ctx)))}>")
        for f in items:
            out.append(f"    <error line=\"{f.line}\" column=\"{f.column}\" severity=\"{_SEVERITY.get(f.severity, 'warning')}\" message={quoteattr(_clean(f.message))} source={quoteattr(_clean('dockerlint.' + f.code))}/>")
        for e in errors:
            out.append(f"    <error line=\"{e.line or 1}\" column=\"1\" severity=\"error\" message={quoteattr(_clean(e.message))} source=\"dockerlint.file-error\"/>")
        out.append("  </file>")
    out.append("</checkstyle>")
    return "\n".join(out) + "\n"
