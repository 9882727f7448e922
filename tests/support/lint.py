"""A tiny helper: lint Dockerfile text (and the manifests beside it), get findings back."""

from __future__ import annotations

import os
import tempfile
from typing import Dict, List, Optional, Sequence, Tuple

from dockerlint_py.engine import LintOptions, lint_source


def lint(
    text: str,
    select: Optional[Sequence[str]] = None,
    build_args: Optional[Dict[str, str]] = None,
    target: Optional[str] = None,
    path: str = "Dockerfile",
    files: Optional[Dict[str, str]] = None,
    arch: str = "x86_64",
):
    """Lint ``text``. ``files`` (name -> content) are written to a temporary build context;
    findings located in them get paths relative to that context."""
    if files is None:
        return _lint(text, select, build_args, target, path, None, arch)
    with tempfile.TemporaryDirectory() as ctx:
        for name, content in files.items():
            full = os.path.join(ctx, name)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8") as fh:
                fh.write(content)
        findings = _lint(text, select, build_args, target, path, ctx, arch)
        real = os.path.realpath(ctx)
        out = []
        for f in findings:
            p = os.path.realpath(f.path) if f.path != path else None
            if p and (p.startswith(real + os.sep)):
                f = f._replace(path=os.path.relpath(p, real).replace(os.sep, "/"))
            out.append(f)
        return out


def _lint(text, select, build_args, target, path, context, arch):
    options = LintOptions(
        select=tuple(select) if select is not None else None,
        build_args=tuple((build_args or {}).items()),
        target=target,
        use_config=False,
        context=context,
        arch=arch,
    )
    result = lint_source(text.encode("utf-8"), path, options, shown=path)
    assert not result.errors, result.errors
    return result.findings


def codes_at(text: str, **kw) -> List[Tuple[str, int, int]]:
    return [(f.code, f.line, f.column) for f in lint(text, **kw)]
