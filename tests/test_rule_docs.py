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
    # rules about suppression comments judge the other rules' findings: run them all
    select = [code, "DKL"] if "suppression" in rule.tags else [code]
    for text, files in _projects(bad):
        assert any(f.code == code for f in lint(text, select=select, files=files)), f"{code}: Bad example does not trigger:\n{text}"
    for text, files in _projects(good):
        assert not [f for f in lint(text, select=select, files=files) if f.code == code], f"{code}: Good example triggers:\n{text}"


def _projects(blocks):
    """Group doc blocks: each ```dockerfile block plus the file blocks (```requirements.txt) after it."""
    out = []
    for lang, text in blocks:
        if lang == "dockerfile":
            out.append([text, {}])  # always an isolated build context
        elif out and ("." in lang or lang in ("Pipfile",)):
            out[-1][1] = dict(out[-1][1] or {}, **{lang: text})
    return out


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


def test_generated_rule_docs_are_current():
    """docs/rules is generated from the rules' metadata; regenerate with
    `python -m dockerlint_py.ruledoc docs/rules`."""
    import os

    from dockerlint_py.ruledoc import expected_files

    folder = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "rules")
    expected = expected_files({c: r for c, r in RULES.items() if c.startswith("DKL")})
    present = {n for n in os.listdir(folder) if n.endswith(".md")}
    assert present == set(expected), "docs/rules has stale or missing files"
    for name, text in expected.items():
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            assert fh.read() == text, f"docs/rules/{name} is stale"


def test_rule_command_prints_the_rule_doc():
    import subprocess
    import sys

    from dockerlint_py.ruledoc import rule_markdown

    out = subprocess.run([sys.executable, "-m", "dockerlint_py", "rule", "dkl201"], capture_output=True, text=True, check=True).stdout
    assert out == rule_markdown(RULES["DKL201"])
