"""Rule documentation generated from the rules' own metadata (one source for docs, CLI, SARIF).

``docs/rules/<CODE>.md`` and ``docs/rules/README.md`` are written by
``python -m dockerlint_py.ruledoc docs/rules``; a test fails when they are stale. ``dockerlint rule
CODE`` prints the same text.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Dict, List

from . import RULE_DOC_URL

if TYPE_CHECKING:
    from .rules._base import Rule

__all__ = ["rule_markdown", "index_markdown", "write_docs", "help_uri"]


def help_uri(code: str) -> str:
    return RULE_DOC_URL.format(code=code)


def rule_markdown(rule) -> str:
    lines: List[str] = [f"# {rule.code} {rule.name}", "", rule.summary, ""]
    facts = [
        ("Severity", rule.severity),
        ("Enabled by default", "yes" if rule.enabled else "no (opt in with `extend-select`)"),
        ("Autofix", "yes" if rule.fixable else "no"),
        ("Tags", ", ".join(rule.tags) if rule.tags else "-"),
    ]
    if rule.hadolint:
        facts.append(("hadolint equivalent", ", ".join(rule.hadolint)))
    if rule.security_severity is not None:
        facts.append(("Security severity (SARIF)", str(rule.security_severity)))
    lines += ["| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in facts] + [""]
    body = rule.doc.split("\n", 1)[1].strip() if "\n" in rule.doc else ""
    if body:
        lines += [body, ""]
    if rule.options:
        lines += ["## Options", ""] + [f"- `{name}` ({typ.__name__}, default `{default!r}`)" for name, (typ, default) in rule.options.items()] + [""]
    if rule.references:
        lines += ["## References", ""] + [f"- <{r}>" for r in rule.references] + [""]
    lines += ["## Suppression", "", f"`# dockerlint: ignore={rule.code} -- reason` on the line above the instruction, or `ignore = [\"{rule.code}\"]` in the configuration.", ""]
    return "\n".join(lines)


def index_markdown(rules: Dict[str, "Rule"]) -> str:
    lines = ["# Rules", "", "Generated from the rules' metadata (`python -m dockerlint_py.ruledoc docs/rules`); do not edit.", "",
             "| Code | Name | Severity | Default | Fix | Summary |", "|---|---|---|---|---|---|"]
    for code in sorted(rules):
        r = rules[code]
        lines.append(f"| [{code}]({code}.md) | {r.name} | {r.severity} | {'on' if r.enabled else 'off'} | {'yes' if r.fixable else ''} | {r.summary.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def expected_files(rules) -> Dict[str, str]:
    out = {"README.md": index_markdown(rules)}
    for code, r in rules.items():
        if code.startswith("DKL"):
            out[f"{code}.md"] = rule_markdown(r)
    return out


def write_docs(folder: str) -> List[str]:
    from .rules import load_rules

    rules, _ = load_rules()
    rules = {c: r for c, r in rules.items() if c.startswith("DKL")}
    os.makedirs(folder, exist_ok=True)
    written = []
    for name, text in expected_files(rules).items():
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_docs(sys.argv[1] if len(sys.argv) > 1 else "docs/rules"):
        print(p)
