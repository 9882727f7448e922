"""``--format sarif``: SARIF 2.1.0 as GitHub code scanning reads it.

One run per invocation covering every file; the driver lists every rule with help generated from
its documentation; results carry URIs relative to the repository root (``uriBaseId`` ``%SRCROOT%``; the
working directory when the context has no root), full
regions, related locations (the manifest line behind a finding) and a stable
``partialFingerprints["dockerlint/v1"]``. ``primaryLocationLineHash`` is left to the upload
action, which computes it from the checked-out files.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

from ._common import fingerprints, relative_uri, scrub_json, security_severity

_LEVEL = {"error": "error", "warning": "warning", "info": "note", "style": "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _rule_descriptor(rule) -> Dict[str, Any]:
    from ..ruledoc import help_uri, rule_markdown

    why = rule.section("Why is this bad?") or rule.summary
    d: Dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary[:1024]},
        "fullDescription": {"text": (rule.section("What it does") or rule.summary)[:1024]},
        "help": {"text": (why + ("\n\nFix: " + rule.section("How to fix") if rule.section("How to fix") else ""))[:4096], "markdown": rule_markdown(rule)},
        "helpUri": help_uri(rule.code),
        "defaultConfiguration": {"level": _LEVEL.get(rule.severity, "warning"), "enabled": bool(rule.enabled)},
        "properties": {"tags": list(rule.tags)[:20], "precision": rule.precision},
    }
    score = security_severity(rule)  # every security-tagged rule has one (GitHub ranks alerts by it)
    if score is not None:
        d["properties"]["security-severity"] = f"{score:.1f}"
        if "security" not in d["properties"]["tags"]:
            d["properties"]["tags"] = (["security"] + d["properties"]["tags"])[:20]
    else:
        d["properties"]["problem.severity"] = {"error": "error", "warning": "warning"}.get(rule.severity, "recommendation")
    return d


def _artifact(path: str, ctx) -> Dict[str, Any]:
    uri, relative = relative_uri(path, ctx)
    art: Dict[str, Any] = {"uri": uri}
    if relative:
        art["uriBaseId"] = "%SRCROOT%"
    return art


def _location(path: str, line: int, column: int, end_line: int, end_column: int, ctx) -> Dict[str, Any]:
    art = _artifact(path, ctx)
    region = {"startLine": max(line, 1), "startColumn": max(column, 1)}
    if end_line:
        region["endLine"] = max(end_line, line)
    if end_column and end_column > (column if end_line == line else 0):
        region["endColumn"] = end_column
    return {"physicalLocation": {"artifactLocation": art, "region": region}}


def _srcroot(ctx) -> Dict[str, Any]:
    if getattr(ctx, "root", None):
        return {"description": {"text": "The repository root (the directory holding .git, or --root)."}}
    return {"description": {"text": "The directory dockerlint ran in."}}


def build(findings, ctx) -> Dict[str, Any]:
    from .. import HOMEPAGE, __version__

    codes = sorted(ctx.rules)
    index = {c: i for i, c in enumerate(codes)}
    results: List[Dict[str, Any]] = []
    for f, fp in zip(findings, fingerprints(findings, ctx)):
        r: Dict[str, Any] = {
            "ruleId": f.code,
            "level": _LEVEL.get(f.severity, "warning"),
            "message": {"text": f.message},
            "locations": [_location(f.path, f.line, f.column, f.end_line, f.end_column, ctx)],
            "partialFingerprints": {"dockerlint/v1": fp},
        }
        if f.code in index:
            r["ruleIndex"] = index[f.code]
        if f.related:
            rel = []
            for i, x in enumerate(f.related):
                loc = _location(x.path, x.line, x.column, x.line, 0, ctx)
                loc["id"] = i + 1
                loc["message"] = {"text": x.message}
                rel.append(loc)
            r["relatedLocations"] = rel
        if f.fix is not None and f.fix.edits:
            by_file: Dict[str, List] = {}
            for e in f.fix.edits:
                by_file.setdefault(e.path or f.path, []).append(e)
            r["fixes"] = [{
                "description": {"text": f.fix.description},
                "artifactChanges": [{
                    "artifactLocation": _artifact(path, ctx),
                    "replacements": [
                        {"deletedRegion": {"startLine": e.start_line, "startColumn": e.start_column, "endLine": e.end_line, "endColumn": e.end_column}, "insertedContent": {"text": e.replacement}}
                        for e in edits
                    ],
                } for path, edits in by_file.items()],
            }]
        results.append(r)
    run: Dict[str, Any] = {
        "tool": {"driver": {"name": "dockerlint", "version": __version__, "semanticVersion": __version__, "informationUri": HOMEPAGE, "rules": [_rule_descriptor(ctx.rules[c]) for c in codes]}},
        "originalUriBaseIds": {"%SRCROOT%": _srcroot(ctx)},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    notes = [{"level": "error", "message": {"text": str(e)}, "descriptor": {"id": "file-error"}} for e in ctx.errors]
    run["invocations"] = [{"executionSuccessful": not ctx.errors, "toolExecutionNotifications": notes}]
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(findings, ctx) -> str:
    return json.dumps(scrub_json(build(findings, ctx)), indent=2, ensure_ascii=False) + "\n"
