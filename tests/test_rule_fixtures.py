"""One fixture file per rule code (tests/fixtures/rules/<CODE>.toml), run by one runner.

Each case compares the (line, column) of the findings of that code only: never message text.
"""

import glob
import os

import pytest

from dockerlint_py.knowledge import load_toml  # noqa: F401  (tomllib/tomli shim)
from support.lint import lint

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = sorted(glob.glob(os.path.join(HERE, "fixtures", "rules", "*.toml")))


def _load(path):
    try:
        import tomllib
    except ModuleNotFoundError:
        import tomli as tomllib
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def _cases():
    for path in FIXTURES:
        data = _load(path)
        for case in data["case"]:
            yield pytest.param(data["rule"], case, id=f"{data['rule']}-{case['name']}")


@pytest.mark.parametrize("code, case", list(_cases()))
def test_fixture(code, case):
    findings = lint(
        case["dockerfile"], select=[code] + list(case.get("also_select", [])), build_args=case.get("build_args"), target=case.get("target"),
        files=case.get("files"), arch=case.get("arch", "x86_64"), path=case.get("path", "Dockerfile"),
    )
    # [line, column] for findings in the Dockerfile, [file, line, column] for findings in a manifest
    df = case.get("path", "Dockerfile")
    got = [[f.line, f.column] if f.path == df else [f.path, f.line, f.column] for f in findings if f.code == code]
    assert got == case["expect"]


def test_every_rule_has_fixtures_with_pass_and_fail():
    from dockerlint_py.rules import load_rules

    rules, _ = load_rules()
    have = {}
    for path in FIXTURES:
        data = _load(path)
        have[data["rule"]] = data["case"]
    for code in rules:
        if not code.startswith("DKL"):
            continue
        assert code in have, f"no fixture file for {code}"
        assert any(c["expect"] for c in have[code]), f"{code}: no failing case"
        assert any(not c["expect"] for c in have[code]), f"{code}: no passing case"
