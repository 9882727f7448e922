"""Poetry constraints against poetry-core: the PEP 440 specifier we translate a constraint to
allows exactly the versions poetry-core's own PEP 440 conversion allows (probed around every
version the constraint names), a pin is seen as a pin, and a union (``a || b``) becomes a valid
range holding every alternative. Inputs: a table of constraint forms and every Poetry
constraint in the corpus."""

import re

import pytest
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from dockerlint_py.manifests.pyproject import poetry_constraint
from support.corpus_manifests import corpus_present, poetry_constraints

import poetry.core.constraints.version as pc  # the test extra: a missing oracle is a failure
from poetry.core.packages.dependency import Dependency  # noqa: E402

FORMS = [
    # caret
    "^1.2.3", "^1.2", "^1", "^0.2.3", "^0.0.3", "^0.0", "^0", "^0.0.0.4", "^1.2.3.4", "^ 1.2", "^1.0.0-beta.1", "^2.0.0rc1",
    # tilde and compatible release
    "~1.2.3", "~1.2", "~1", "~ 1.2.3", "~1.2.3.4", "~=1.2", "~=1.2.3", "~=1", "~= 2.1",
    # wildcards
    "*", "1.*", "1.2.*", "==1.2.*", "!=1.2.*", "1.2.x", "x",
    # exact
    "1.2.3", "=1.2.3", "==1.2.3", "= 1.2.3", "== 1.2.3", "v1.2.3", "1.2.3rc1", "==1.2.3+local", "1.0.post1",
    # ranges, separators and spaces
    ">=1.2,<2", ">=1.2 <2", ">= 1.2, < 2.0", ">=1.2,  <2", "^1.2,>=1.4", "*, <2", ">1.0", "<=3.2.1", ">=1.2.3,!=1.2.5", "!=1.2.3",
    ">=1.0a1", ">=2.0.dev0,<3", "  ^1.2  ",
    # unions
    "^1.2 || ^2.0", ">1.0 || <0.5", "1.0 || 2.0", "^2.0 | ^3.0", ">=1.2,<2 || ==3.0", "~1.2 || ~1.4 || 2.0",
]


def _probes(text):
    """Versions around every version the constraint names: bumps, truncations, pre/post/dev."""
    out = {"0", "0.0.1", "0.1", "1", "1.0", "1.9.9", "2", "2.0", "2.0a1", "3.0", "99"}
    for m in re.finditer(r"\d+(?:\.\d+)*", text):
        nums = [int(x) for x in m.group(0).split(".")]
        for i in range(len(nums)):
            for d in (-1, 0, 1):
                if nums[i] + d < 0:
                    continue
                bumped = nums[: i] + [nums[i] + d] + ([0] * (len(nums) - i - 1))
                base = ".".join(map(str, bumped))
                out.update({base, base + ".0", base + "a1", base + "rc1", base + ".post1", base + ".dev0", ".".join(map(str, bumped[: i + 1]))})
    return sorted(out, key=Version)


def _reference(text):
    """(poetry-core's PEP 440 alternatives, or None when it rejects the text; is it a pin?)"""
    try:
        con = pc.parse_constraint(text)
    except Exception:
        return None, False
    pep = Dependency("x", text).to_pep_508()
    body = pep[len("x ("):-1] if pep.startswith("x (") else ""
    alts = [("==" + a if a[:1].isdigit() else a) for a in (x.strip() for x in body.split("||"))] if body else [""]
    return [SpecifierSet(a) for a in alts], isinstance(con, pc.Version)


def disagreement(text):
    alts, pin = _reference(text)
    if alts is None:
        return None  # poetry-core rejects it: nothing to agree with
    spec, exact = poetry_constraint(text)
    try:
        ours = SpecifierSet(spec)
    except InvalidSpecifier:
        return f"{text!r} -> {spec!r}: not a PEP 440 specifier"
    if pin != (exact is not None) or pin != (spec.startswith("==") and "," not in spec and "*" not in spec):
        return f"{text!r} -> {spec!r}, exact {exact!r}: poetry-core says pin={pin}"
    if pin and Version(exact) != Version(spec[2:]):
        return f"{text!r}: exact {exact!r} is not the pinned {spec!r}"
    for v in _probes(text):
        want = [a.contains(v, prereleases=True) for a in alts]
        got = ours.contains(v, prereleases=True)
        if len(alts) == 1 and got != want[0]:
            return f"{text!r} -> {spec!r}: {v} {'allowed' if got else 'refused'}, poetry-core's {alts[0]} says otherwise"
        if len(alts) > 1 and any(want) and not got:
            return f"{text!r} -> {spec!r}: {v} refused, but the union allows it"
    return None


@pytest.mark.parametrize("text", FORMS)
def test_constraint_forms_agree_with_poetry_core(text):
    assert disagreement(text) is None


def test_the_review_cases():
    assert poetry_constraint("^ 1.2") == (">=1.2,<2", None)
    assert poetry_constraint("=1.2.3") == ("==1.2.3", "1.2.3")
    spec, exact = poetry_constraint("^1.2 || ^2.0")
    assert exact is None and SpecifierSet(spec).contains("2.5") and not SpecifierSet(spec).contains("3.0")


def test_every_corpus_poetry_constraint_agrees_with_poetry_core():
    if not corpus_present():
        pytest.skip("shared corpus not found at ../shared/corpus: the corpus oracle needs it")
    texts = poetry_constraints()
    assert len(texts) > 50
    assert [d for d in map(disagreement, texts) if d] == []
