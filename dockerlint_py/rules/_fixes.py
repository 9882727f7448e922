"""Building fixes from the model: insert a flag after a subcommand, append a cleanup to a RUN,
swap a package or a base tag. A fix is offered only when the edit is known to be safe for the
text at hand (plain shell-form or heredoc RUN, top-level command, no trailing comment)."""

from __future__ import annotations

from typing import Optional

from ..findings import Edit, Fix

__all__ = ["insert_after", "append_to_run", "replace_word"]


def insert_after(cmd, word: str, text: str, description: str) -> Optional[Fix]:
    """Insert ``text`` right after the first ``word`` of a top-level command (``install``...)."""
    if cmd is None or cmd.nested:
        return None
    i = cmd.arg_index(word)
    span = cmd.word_span(i) if i > 0 else None
    if span is None:
        return None
    _, _, eline, ecol = span
    return Fix(description, (Edit(eline, ecol, eline, ecol, text),))


def append_to_run(model, ins, cmd, shell_text: str, description: str) -> Optional[Fix]:
    """Append a command at the end of the RUN that contains ``cmd``."""
    if ins.json is not None or cmd is None or cmd.nested:
        return None
    for hd in ins.heredocs:
        if hd.start_line <= cmd.line <= hd.end_line:
            indent = "\t" if hd.strip_tabs else ""
            return Fix(description, (Edit(hd.end_line, 1, hd.end_line, 1, indent + shell_text + "\n"),))
    if ins.heredocs:
        return None
    lines = model.parsed.lines
    if not 1 <= ins.end_line <= len(lines):
        return None
    last = lines[ins.end_line - 1]
    stripped = last.rstrip()
    if "#" in stripped or not stripped or stripped.endswith(("\\", "`")):
        return None  # a trailing comment or an odd ending: do not guess
    if stripped.endswith(("&", "|")) and not stripped.endswith(("&&", "||")):
        return None
    if stripped.endswith(("&&", "||")):
        return None
    joiner = " " if stripped.endswith(";") else " && "
    col = len(stripped) + 1
    return Fix(description, (Edit(ins.end_line, col, ins.end_line, col, joiner + shell_text),))


def replace_word(path: Optional[str], line: int, column: int, old: str, new: str, description: str, safe: bool) -> Fix:
    """Replace ``old`` at (line, column); the edit carries ``old`` as the text it expects there,
    so it is skipped (never misapplied) when the file does not hold it."""
    return Fix(description, (Edit(line, column, line, column + len(old), new, path, old),), safe)
