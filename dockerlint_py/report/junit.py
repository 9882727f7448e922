"""``--format junit``: JUnit XML, one ``<testcase>`` per checked file (a failure per finding at or
above warning, listed in the failure body), so CI test reports show which Dockerfiles fail. Paths are relative to the repository root when
the context has one; characters XML 1.0 cannot hold become U+FFFD."""

from __future__ import annotations

from typing import Dict, List
from xml.sax.saxutils import escape, quoteattr

from ._common import report_path
from .checkstyle import _clean

_FAILING = ("error", "warning")


def render(findings, ctx) -> str:
    by_file: Dict[str, List] = {}
    for f in findings:
        by_file.setdefault(f.path, []).append(f)
    paths = list(dict.fromkeys(list(ctx.files) + list(by_file) + [e.path for e in ctx.errors]))
    cases: List[str] = []
    failures = errors = 0
    for path in paths:
        items = by_file.get(path, [])
        errs = [e for e in ctx.errors if e.path == path]
        failing = [f for f in items if f.severity in _FAILING]
        body = [f"<testcase classname=\"dockerlint\" name={quoteattr(_clean(report_path(path, ctx)))}>"]
        if errs:
            errors += 1
            body.append(f"  <error message={quoteattr(_clean(errs[0].message))}>{escape(_clean(chr(10).join(str(e) for e in errs)))}</error>")
        elif failing:
            failures += 1
            text = "\n".join(f"{report_path(f.path, ctx)}:{f.line}:{f.column}: {f.code} [{f.severity}] {f.message}" for f in items)
            body.append(f"  <failure message={quoteattr(f'{len(failing)} finding(s) at warning or above, {len(items)} in all')} type=\"dockerlint\">{escape(_clean(text))}</failure>")
        elif items:
            body.append(f"  <system-out>{escape(_clean(chr(10).join(f'{report_path(f.path, ctx)}:{f.line}:{f.column}: {f.code} [{f.severity}] {f.message}' for f in items)))}</system-out>")
        body.append("</testcase>")
        cases.append("\n".join("    " + b for b in body))
    head = f'<testsuites name="dockerlint" tests="{len(paths)}" failures="{failures}" errors="{errors}">'
    suite = f'  <testsuite name="dockerlint" tests="{len(paths)}" failures="{failures}" errors="{errors}">'
    return "\n".join(['<?xml version="1.0" encoding="UTF-8"?>', head, suite] + cases + ["  </testsuite>", "</testsuites>"]) + "\n"
