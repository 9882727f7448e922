"""``--format markdown``: a summary for pull-request comments or ``$GITHUB_STEP_SUMMARY``.

Everything that comes from the linted files (paths, messages, names) is literal text: paths in
code spans whose fence outgrows any backticks inside, messages with Markdown punctuation escaped,
so no link, image or HTML can come out of a Dockerfile. The report stays below GitHub's 1 MiB
step-summary limit: past :data:`MAX_BYTES` the table stops with a note saying how many findings
are left out.
"""

from __future__ import annotations

from collections import Counter
from typing import List

from ._common import md_code, md_text

# GitHub refuses a step summary over 1 MiB (1,048,576 bytes); leave room for other steps' text.
MAX_BYTES = 1_000_000


def render(findings, ctx) -> str:
    from ..ruledoc import help_uri

    out: List[str] = ["## dockerlint", ""]
    tail: List[str] = []
    if ctx.errors:
        tail += ["", "Files that could not be checked:", ""] + [f"- {md_code(str(e), in_table=False)}" for e in ctx.errors]
    if not findings:
        out.append(f"No findings in {len(ctx.files)} file(s).")
        return _capped(out, [], tail, 0)
    sev = Counter(f.severity for f in findings)
    out.append(", ".join(f"**{n}** {s}" for s, n in ((s, sev[s]) for s in ("error", "warning", "info", "style")) if n) + f" in {len(set(f.path for f in findings))} file(s).")
    out += ["", "| Severity | Rule | Location | Message |", "|---|---|---|---|"]
    rows = [
        # severity, code and name come from the rule registry, which validates them (CODE_RE, NAME_RE)
        f"| {f.severity} | [{f.code}]({help_uri(f.code)}) {f.name} | {md_code(f'{f.path}:{f.line}:{f.column}')} | {_message(f)} |"
        for f in findings
    ]
    return _capped(out, rows, tail, len(findings))


def _message(f) -> str:
    """The message, then each related location (the manifest line behind a finding) as a note."""
    notes = "".join(f" (note: {md_code(f'{r.path}:{r.line}')} {md_text(r.message)})" for r in f.related)
    return md_text(f.message) + notes


def _capped(head: List[str], rows: List[str], tail: List[str], total: int) -> str:
    """head + as many rows as fit + tail, under MAX_BYTES; a note when rows were left out."""
    note_room = 400
    used = sum(len(line.encode("utf-8")) + 1 for line in head) + note_room
    tail_size = sum(len(line.encode("utf-8")) + 1 for line in tail)
    if used + tail_size > MAX_BYTES:  # a pathological number of file errors: cut those too
        kept_tail: List[str] = []
        budget = MAX_BYTES // 2
        for line in tail:
            size = len(line.encode("utf-8")) + 1
            if size > budget:
                kept_tail.append(f"- … {len(tail) - len(kept_tail)} more lines not shown")
                break
            kept_tail.append(line)
            budget -= size
        tail, tail_size = kept_tail, sum(len(line.encode("utf-8")) + 1 for line in kept_tail)
    shown: List[str] = []
    for row in rows:
        size = len(row.encode("utf-8")) + 1
        if used + size + tail_size > MAX_BYTES:
            break
        shown.append(row)
        used += size
    out = head + shown
    if len(shown) < len(rows):
        out += ["", f"**{total - len(shown)} of {total} findings are not shown**: this report stops below GitHub's "
                    "1 MiB step-summary limit. Use `--format sarif`, `json` or `text` for the full list."]
    return "\n".join(out + tail) + "\n"
