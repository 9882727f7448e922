"""Output formats. One module per format, each with ``render(findings, ctx) -> str``.

Adding a format means adding a module and a line to :data:`FORMATS`; the CLI does not change.
"""

from __future__ import annotations

import importlib
from typing import Callable, Dict, Optional, Sequence
from .._record import Record

__all__ = ["FORMATS", "ReportContext", "get_formatter", "find_repository_root", "CI_FORMATS"]

# Formats read by CI and code review: their paths are relative to ``ReportContext.root`` (the
# repository root) when it is set; text and markdown keep the working-directory paths.
CI_FORMATS = frozenset({"sarif", "gitlab", "rdjson", "checkstyle", "junit", "github", "json"})

FORMATS: Dict[str, str] = {
    "text": "dockerlint_py.report.text",
    "json": "dockerlint_py.report.json_format",
    "sarif": "dockerlint_py.report.sarif",
    "github": "dockerlint_py.report.github",
    "gitlab": "dockerlint_py.report.gitlab",
    "rdjson": "dockerlint_py.report.rdjson",
    "checkstyle": "dockerlint_py.report.checkstyle",
    "junit": "dockerlint_py.report.junit",
    "markdown": "dockerlint_py.report.markdown",
    "lines": "dockerlint_py.report.lines",
}


class ReportContext(Record):
    files: Sequence[str]
    errors: Sequence  # FileError
    rules: Dict  # code -> Rule
    color: bool = False
    show_source: bool = False
    statistics: bool = False
    sources: Optional[Dict[str, Sequence[str]]] = None  # path -> lines, for --show-source
    quiet: bool = False
    # The repository root (the directory holding .git, or --root): CI formats report paths
    # relative to it. None keeps the displayed (working-directory relative) paths.
    root: Optional[str] = None


def find_repository_root(start: Optional[str] = None) -> Optional[str]:
    """The directory holding ``.git`` at or above ``start`` (default: the working directory), or
    None. The CLI passes ``--root`` (made absolute) or this as ``ReportContext(root=...)``."""
    from ._common import find_repository_root as find

    return find(start)


def get_formatter(name: str) -> Callable:
    module = importlib.import_module(FORMATS[name])
    return module.render
