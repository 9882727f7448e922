"""``--format markdown``: a summary for pull-request comments or ``$GITHUB_STEP_SUMMARY``."""

from __future__ import annotations

from collections import Counter
from typing import List


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def render(findings, ctx) -> str:
    from ..ruledoc import help_uri

    out: List[str] = ["## dockerlint", ""]
    if not findings:
        out.append(f"No findings in {len(ctx.files)} file(s).")
    else:
        sev = Counter(f.severity for f in findings)
        out.append(", ".join(f"**{n}** {s}" for s, n in ((s, sev[s]) for s in ("error", "warning", "info", "style")) if n) + f" in {len(set(f.path for f in findings))} file(s).")
        out += ["", "| Severity | Rule | Location | Message |", "|---|---|---|---|"]
        for f in findings:
            out.append(f"| {f.severity} | [{f.code}]({help_uri(f.code)}) {f.name} | `{_cell(f.path)}:{f.line}:{f.column}` | {_cell(f.message)} |")
    if ctx.errors:
        out += ["", "Files that could not be checked:", ""] + [f"- `{_cell(str(e))}`" for e in ctx.errors]
    return "\n".join(out) + "\n"
