"""Locations rules report at, computed from the model (never by re-reading text in a rule)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Tuple

if TYPE_CHECKING:
    from .dockerfile import Flag
    from .resolve import Stage

__all__ = ["from_image_span", "from_image_word", "flag_span"]

Span = Tuple[int, int, int, int]  # line, column, end line, end column (exclusive)


def from_image_span(stage: Stage) -> Span:
    """Location of the image word of a stage's FROM instruction (flags such as ``--platform``
    skipped: ``args_text`` starts after them)."""
    ins = stage.from_instruction
    args = ins.args_text
    stripped = args.lstrip()
    offset = len(args) - len(stripped)
    word = stripped.split(None, 1)[0] if stripped else ""
    line, col = ins.locate_args(offset)
    eline, ecol = ins.locate_args(offset + max(len(word) - 1, 0))
    return line, col, eline, ecol + 1


def flag_span(flag: Flag) -> Span:
    """Location of a builder flag as written (``--from=nginx:latest``, ``--mount=...``)."""
    width = len(flag.name) + 2 + (len(flag.value) + 1 if flag.value is not None else 0)
    return flag.line, flag.column, flag.line, flag.column + width


def from_image_word(stage: Stage) -> str:
    """The image word of a stage's FROM instruction as written (before ARG expansion)."""
    args = stage.from_instruction.args_text.strip()
    return args.split(None, 1)[0] if args else ""
