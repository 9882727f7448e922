"""``--format lines``: one finding a line, for editors that parse linter output (ALE, efm,
nvim-lint, Vim's errorformat)::

    path:line:column: severity CODE message

``severity`` is one of ``error``, ``warning``, ``info``, ``style``. Nothing else is printed
(no summary, no notes, no colour); line breaks in a message become spaces. This shape is a
stable interface: it changes only with a major version.
"""

from __future__ import annotations

from typing import List

from ._common import terminal_text


def render(findings, ctx) -> str:
    out: List[str] = []
    for f in findings:
        message = " ".join(f.message.split())
        # control characters, line breaks and undecodable bytes are shown escaped: a file name
        # cannot forge a finding line
        out.append(terminal_text(f"{f.path}:{f.line}:{f.column}: {f.severity} {f.code} {message}"))
    return "".join(line + "\n" for line in out)
