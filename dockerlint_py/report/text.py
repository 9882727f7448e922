"""``--format text``: one finding a line, ``path:line:col: CODE [severity] message``.

Paths stay relative to the working directory (clickable in a terminal). Control characters (ANSI
escapes), line breaks, bidi overrides and undecodable bytes in paths, messages and source lines are
shown as ``\\x1b``, ``\\n``, ``\\u202e``, ``\\xff``: one finding is one line, whatever the names.
"""

from __future__ import annotations

from collections import Counter
from typing import List

from ._common import terminal_text as _t

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m", "style": "\033[35m"}
_BOLD = "\033[1m"
_DIM = "\033[2m"
_RESET = "\033[0m"


def render(findings, ctx) -> str:
    out: List[str] = []
    c = ctx.color

    def paint(text: str, *codes: str) -> str:
        return "".join(codes) + text + _RESET if c else text

    if ctx.statistics:  # the table only, as ruff does
        counts = Counter((f.code, f.name) for f in findings)
        fixable_codes = Counter(f.code for f in findings if f.fix is not None and f.fix.safe)
        for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            mark = "[*]" if fixable_codes[code] else "   "
            out.append(f"{n:>5}  {_t(code)}  {mark} {_t(name)}")
        return "\n".join(out) + "\n" if out else ""
    for f in findings:
        where = paint(f"{_t(f.path)}:{f.line}:{f.column}:", _BOLD)
        code = paint(f.code, _BOLD, _COLORS.get(f.severity, ""))
        sev = paint(f"[{f.severity}]", _COLORS.get(f.severity, ""))
        fixable = " " + paint("[*]", _DIM) if f.fix is not None else ""
        out.append(f"{where} {code}{fixable} {sev} {_t(f.message)}")
        for r in f.related:
            out.append(f"    {paint('note:', _DIM)} {_t(r.path)}:{r.line}:{r.column}: {_t(r.message)}")
        if ctx.show_source and ctx.sources and f.path in ctx.sources:
            lines = ctx.sources[f.path]
            if 0 < f.line <= len(lines):
                src = _t(lines[f.line - 1].rstrip("\r").replace("\t", " "))
                out.append(f"    {src}")
                width = (f.end_column - f.column) if f.end_line == f.line else len(src) - f.column + 1
                out.append("    " + " " * (f.column - 1) + paint("^" * max(1, width), _COLORS.get(f.severity, "")))
    if ctx.quiet:
        return "\n".join(out) + "\n" if out else ""
    n_files = len(ctx.files)
    files_word = "file" if n_files == 1 else "files"
    if findings:
        by_sev = Counter(f.severity for f in findings)
        parts = [
            f"{by_sev[s]} {s}{'s' if by_sev[s] != 1 and s in ('error', 'warning') else ''}"
            for s in ("error", "warning", "info", "style")
            if by_sev[s]
        ]
        word = "finding" if len(findings) == 1 else "findings"
        out.append(f"Found {len(findings)} {word} ({', '.join(parts)}) in {n_files} {files_word}.")
        n_fix = sum(1 for f in findings if f.fix is not None and f.fix.safe)
        if n_fix:
            out.append(f"[*] {n_fix} fixable with `--fix`.")
    else:
        out.append(f"No findings in {n_files} {files_word}.")
    if ctx.errors:
        n = len(ctx.errors)
        out.append(f"{n} {'file' if n == 1 else 'files'} could not be checked (see messages above).")
    return "\n".join(out) + "\n"
