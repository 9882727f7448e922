"""Paths as the user sees them (a neutral module: the model, the engine and the reports use it)."""

from __future__ import annotations

import os

__all__ = ["display_path"]


def display_path(path: str) -> str:
    """Relative to the current directory when under it, with ``/`` separators."""
    if path == "-":
        return path
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    try:
        rel = os.path.relpath(absolute, cwd)
    except ValueError:
        rel = absolute
    if rel.startswith(".."):
        rel = absolute
    return rel.replace(os.sep, "/")
