"""What a rule is: metadata next to its check function.

A rule module (built-in or plugin) declares rules with :func:`rule`::

    @rule(code="DKL101", name="image-untagged", severity="warning")
    def image_untagged(model):
        '''One-line summary.

        ## Why is this bad?
        ...
        ## Bad
        ```dockerfile
        FROM python
        ```
        ## Good
        ```dockerfile
        FROM python:3.12-slim
        ```
        '''
        yield at(instruction, "message")

The check receives, by its ``scope``, the resolved
:class:`~dockerlint_py.model.resolve.DockerfileModel` (``"file"``, the default) or a context from
:mod:`dockerlint_py.contexts` (``"stage"``, ``"instruction"``, ``"command"``: the engine walks,
the rule looks) and yields :class:`~dockerlint_py.findings.Hit` objects; the engine adds path, code, name and severity,
applies configuration and suppression comments. A rule never parses text itself.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from .._record import Record
from ..findings import SEVERITIES, Fix, Hit, Related

__all__ = ["Rule", "rule", "at", "at_command", "CODE_RE", "doc_examples"]

CODE_RE = re.compile(r"^[A-Z]{2,5}\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


class Rule(Record):
    code: str
    name: str
    severity: str
    check: Callable[..., Iterable[Hit]]
    doc: str
    enabled: bool = True
    tags: Tuple[str, ...] = ()
    fixable: bool = False
    options: Dict[str, Tuple[type, Any]] = {}
    precision: str = "high"
    security_severity: Optional[float] = None
    references: Tuple[str, ...] = ()
    hadolint: Tuple[str, ...] = ()  # equivalent hadolint codes, for the docs
    scope: str = "file"  # what check() receives: file (the model), stage, instruction, command
    module: str = ""  # the module that defines the rule (registration checks)

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0].strip() if self.doc.strip() else self.name

    def section(self, title: str) -> str:
        return _section(self.doc, title)


def _dedent_doc(doc: str) -> str:
    """Like ``inspect.cleandoc`` without importing inspect (start-up time)."""
    lines = (doc or "").expandtabs().splitlines()
    if not lines:
        return ""
    indents = [len(l) - len(l.lstrip()) for l in lines[1:] if l.strip()]
    margin = min(indents) if indents else 0
    out = [lines[0].strip()] + [l[margin:].rstrip() for l in lines[1:]]
    while out and not out[-1]:
        out.pop()
    while out and not out[0]:
        out.pop(0)
    return "\n".join(out)


def _section(doc: str, title: str) -> str:
    out: List[str] = []
    inside = False
    for line in doc.splitlines():
        if line.startswith("## "):
            if inside:
                break
            inside = line[3:].strip().lower() == title.lower()
            continue
        if inside:
            out.append(line)
    return "\n".join(out).strip()


_FENCE_RE = r"(?s)```([\w.\-]+)?[^\n]*\n(.*?)```"  # documentation only: compiled on first use


def doc_examples(rule: Rule, section: str) -> List[Tuple[str, str]]:
    """The fenced code blocks of a doc section: [(language, text)]."""
    return [(m.group(1) or "", m.group(2)) for m in re.finditer(_FENCE_RE, rule.section(section))]


def rule(
    code: str,
    name: str,
    severity: str,
    *,
    enabled: bool = True,
    tags: Tuple[str, ...] = (),
    fixable: bool = False,
    options: Optional[Dict[str, Tuple[type, Any]]] = None,
    precision: str = "high",
    security_severity: Optional[float] = None,
    references: Tuple[str, ...] = (),
    hadolint: Tuple[str, ...] = (),
    scope: str = "file",
) -> Callable[[Callable[..., Iterable[Hit]]], Rule]:
    if not CODE_RE.match(code):
        raise ValueError(f"invalid rule code {code!r}")
    if not NAME_RE.match(name):
        raise ValueError(f"invalid rule name {name!r}")
    if severity not in SEVERITIES:
        raise ValueError(f"invalid severity {severity!r}")
    if scope not in ("file", "stage", "instruction", "command"):
        raise ValueError(f"invalid scope {scope!r}")

    def wrap(fn: Callable[..., Iterable[Hit]]) -> Rule:
        return Rule(
            code, name, severity, fn, _dedent_doc(fn.__doc__ or ""), enabled, tuple(tags), fixable,
            dict(options or {}), precision, security_severity, tuple(references), tuple(hadolint),
            scope, getattr(fn, "__module__", "") or "",
        )

    return wrap


def at_command(cmd, message: str, related: Tuple[Related, ...] = (), fix: Optional[Fix] = None) -> Hit:
    """A hit spanning one command of a RUN (its first line when it continues over several)."""
    end = cmd.end_column if cmd.end_line == cmd.line else cmd.column + 1
    return Hit(cmd.line, cmd.column, cmd.line, end, message, tuple(related), fix)


def at(ins, message: str, related: Tuple[Related, ...] = (), fix: Optional[Fix] = None) -> Hit:
    """A hit spanning a whole instruction."""
    return Hit(ins.start_line, ins.start_column, ins.end_line, ins.end_column, message, tuple(related), fix)
