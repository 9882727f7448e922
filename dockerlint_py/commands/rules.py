"""``dockerlint rules`` and ``dockerlint rule CODE``: the registry, as text or JSON."""

from __future__ import annotations

import sys

from ..exitcodes import ERROR, SUCCESS

__all__ = ["list_rules", "show_rule"]


def _rule_json(r, doc: bool = False) -> dict:
    from ..ruledoc import help_uri, rule_markdown

    d = {"code": r.code, "name": r.name, "severity": r.severity, "summary": r.summary, "enabled": bool(r.enabled),
         "fixable": bool(r.fixable), "tags": list(r.tags), "hadolint": list(r.hadolint), "url": help_uri(r.code)}
    if doc:
        d["explanation"] = rule_markdown(r)
    return d



def list_rules(out, fmt: str = "text") -> int:
    from ..rules import load_rules

    rules, warnings = load_rules()
    for w in warnings:
        print(f"dockerlint: warning: {w}", file=sys.stderr)
    if fmt == "json":
        import json

        out.write(json.dumps([_rule_json(r) for r in rules.values()], indent=2, ensure_ascii=False) + "\n")
        return SUCCESS
    for code, r in rules.items():
        default = "" if r.enabled else "  (opt-in)"
        out.write(f"{code}  {r.name:<34} {r.severity:<8} {r.summary}{default}\n")
    return SUCCESS



def show_rule(code: str, out, fmt: str = "text") -> int:
    from ..rules import load_rules

    rules, _ = load_rules()
    r = rules.get(code.upper())
    if r is None:
        print(f"dockerlint: unknown rule {code!r}; `dockerlint rules` lists them", file=sys.stderr)
        return ERROR
    if fmt == "json":
        import json

        out.write(json.dumps(_rule_json(r, doc=True), indent=2, ensure_ascii=False) + "\n")
        return SUCCESS
    from ..ruledoc import rule_markdown

    out.write(rule_markdown(r))
    return SUCCESS


