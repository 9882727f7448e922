"""Output formats. One module per format, each with ``render(findings, ctx) -> str``.

Adding a format means adding a module and a line to :data:`FORMATS`; the CLI does not change.
"""

from __future__ import annotations

import importlib
from typing import Callable, Dict, NamedTuple, Optional, Sequence

__all__ = ["FORMATS", "ReportContext", "get_formatter"]

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


class ReportContext(NamedTuple):
    files: Sequence[str]
    errors: Sequence  # FileError
    rules: Dict  # code -> Rule
    color: bool = False
    show_source: bool = False
    statistics: bool = False
    sources: Optional[Dict[str, Sequence[str]]] = None  # path -> lines, for --show-source
    quiet: bool = False


def get_formatter(name: str) -> Callable:
    module = importlib.import_module(FORMATS[name])
    return module.render
