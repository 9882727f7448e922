"""``--format github``: GitHub Actions workflow-command annotations.

``::error file=F,line=L,endLine=L2,col=C,endColumn=C2,title=T::message`` with @actions/core's
escaping: ``%``, ``\\r``, ``\\n`` in the message; additionally ``:`` and ``,`` in property values.
``col``/``endColumn`` are sent only for single-line findings, as the toolkit requires. Info and
style findings become ``::notice``. Control characters other than line breaks (ANSI escapes),
bidi overrides and undecodable bytes are shown as ``\\x1b``-style escapes, so nothing in a name can
restyle the log or forge a command. File paths are relative to the repository root when the
context has one (GitHub maps annotations from there).
"""

from __future__ import annotations

from typing import List

from ._common import report_path, terminal_text

_CMD = {"error": "error", "warning": "warning", "info": "notice", "style": "notice"}


def escape_data(text: str) -> str:
    text = terminal_text(text, keep_newlines=True)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(findings, ctx) -> str:
    out: List[str] = []
    for f in findings:
        props = [f"file={escape_property(report_path(f.path, ctx))}", f"line={f.line}", f"endLine={f.end_line or f.line}"]
        if not f.end_line or f.end_line == f.line:
            props.append(f"col={f.column}")
            if f.end_column:
                props.append(f"endColumn={f.end_column}")
        props.append(f"title={escape_property(f'{f.code} {f.name}')}")
        message = f.message
        for r in f.related:
            message += f"\n{report_path(r.path, ctx)}:{r.line}: {r.message}"
        out.append(f"::{_CMD.get(f.severity, 'warning')} {','.join(props)}::{escape_data(message)}")
    for e in ctx.errors:
        props = [f"file={escape_property(report_path(e.path, ctx))}"] + ([f"line={e.line}"] if e.line else []) + ["title=dockerlint"]
        out.append(f"::error {','.join(props)}::{escape_data(e.message)}")
    return "\n".join(out) + ("\n" if out else "")
