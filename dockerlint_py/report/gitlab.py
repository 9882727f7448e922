"""``--format gitlab``: GitLab Code Quality (the CodeClimate subset GitLab reads).

A JSON array of ``{description, check_name, fingerprint, severity, location: {path, lines:
{begin, end}}}``; severities: error -> critical, warning -> major, info -> minor, style -> info.
Fingerprints are unique per finding (identical ones collapse in the merge-request widget).
Categories: security-tagged rules -> Security, size-tagged -> Performance, style -> Style, else
Bug Risk. Paths are relative to the repository root when the context has one.
"""

from __future__ import annotations

import json

from ._common import fingerprints, is_security_rule, report_path, scrub_json

_SEVERITY = {"error": "critical", "warning": "major", "info": "minor", "style": "info"}


def _category(rule, severity: str) -> str:
    if is_security_rule(rule):
        return "Security"
    if severity == "error":
        return "Bug Risk"
    if severity == "style":
        return "Style"
    if rule is not None and "size" in rule.tags:
        return "Performance"
    return "Bug Risk"


def render(findings, ctx) -> str:
    out = []
    for f, fp in zip(findings, fingerprints(findings, ctx)):
        out.append({
            "type": "issue",
            "description": f"{f.code} {f.message}",
            "check_name": f.code,
            "fingerprint": fp,
            "severity": _SEVERITY.get(f.severity, "major"),
            "categories": [_category(ctx.rules.get(f.code), f.severity)],
            "location": {"path": report_path(f.path, ctx), "lines": {"begin": f.line, "end": f.end_line or f.line}},
        })
    return json.dumps(scrub_json(out), indent=2, ensure_ascii=False) + "\n"
