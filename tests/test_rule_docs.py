"""Rule documentation: the Bad examples trigger the rule, the Good ones do not (pycodestyle-style)."""

import pytest

from dockerlint_py.rules import load_rules
from dockerlint_py.rules._base import CODE_RE, NAME_RE, doc_examples
from support.lint import lint

RULES, _ = load_rules()


@pytest.mark.parametrize("code", sorted(RULES))
def test_doc_examples(code):
    rule = RULES[code]
    bad = doc_examples(rule, "Bad")
    good = doc_examples(rule, "Good")
    assert bad and good, f"{code} needs ## Bad and ## Good examples"
    for lang, text in bad:
        if lang == "dockerfile":
            assert any(f.code == code for f in lint(text, select=[code])), f"{code}: Bad example does not trigger:\n{text}"
    for lang, text in good:
        if lang == "dockerfile":
            assert not [f for f in lint(text, select=[code]) if f.code == code], f"{code}: Good example triggers:\n{text}"


def test_registry_invariants():
    names = set()
    for code, rule in RULES.items():
        assert CODE_RE.match(code) and rule.code == code
        assert NAME_RE.match(rule.name) and rule.name not in names
        names.add(rule.name)
        assert rule.summary and rule.summary != rule.name
        assert "## Why" in rule.doc
        for opt, (typ, default) in rule.options.items():
            assert isinstance(default, typ), (code, opt)
