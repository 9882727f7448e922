"""``--format gitlab``: GitLab Code Quality (the CodeClimate subset GitLab reads).

A JSON array of ``{description, check_name, fingerprint, severity, location: {path, lines:
{begin, end}}}``; severities: error -> critical, warning -> major, info -> minor, style -> info.
Fingerprints are unique per finding (identical ones collapse in the merge-request widget).
"""

from __future__ import annotations

import json

from ._common import fingerprints

_SEVERITY = {"error": "critical", "warning": "major", "info": "minor", "style": "info"}


def render(findings, ctx) -> str:
    out = []
    for f, fp in zip(findings, fingerprints(findings)):
        out.append({
            "type": "issue",
            "description": f"{f.code} {f.message}",
            "check_name": f.code,
            "fingerprint": fp,
            "severity": _SEVERITY.get(f.severity, "major"),
            "categories": ["Bug Risk" if f.severity == "error" else "Style" if f.severity == "style" else "Performance" if "size" in _tags(ctx, f.code) else "Bug Risk"],
            "location": {"path": f.path, "lines": {"begin": f.line, "end": f.end_line or f.line}},
        })
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def _tags(ctx, code):
    r = ctx.rules.get(code)
    return r.tags if r is not None else ()
