"""A tiny helper: lint Dockerfile text, get (code, line, column) tuples back."""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

from dockerlint_py.engine import LintOptions, lint_source


def lint(
    text: str,
    select: Optional[Sequence[str]] = None,
    build_args: Optional[Dict[str, str]] = None,
    target: Optional[str] = None,
    path: str = "Dockerfile",
):
    options = LintOptions(
        select=tuple(select) if select is not None else None,
        build_args=tuple((build_args or {}).items()),
        target=target,
        use_config=False,
    )
    result = lint_source(text.encode("utf-8"), path, options, shown=path)
    assert not result.errors, result.errors
    return result.findings


def codes_at(text: str, **kw) -> List[Tuple[str, int, int]]:
    return [(f.code, f.line, f.column) for f in lint(text, **kw)]
