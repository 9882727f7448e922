"""The requirement fast path against ``packaging.requirements.Requirement``: a string is
rejected exactly when packaging rejects it, and an accepted one has the same name, extras,
specifier, marker and URL. Oracle inputs: every requirement line of the corpus manifests, a
table of edge cases, and hypothesis-generated strings."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet

from dockerlint_py.manifests import Origin, _simple_requirement, canonical, parse_requirement_string
from support.corpus_manifests import corpus_present, requirement_strings

O = Origin("requirements.txt", 1)


def disagreement(text):
    """None when our parse agrees with packaging's, else a description."""
    ours, _err = parse_requirement_string(text, O)
    try:
        ref = Requirement(text)
    except InvalidRequirement:
        return None if ours is None else f"accepted {text!r}, packaging rejects it"
    if ours is None:
        return f"rejected {text!r}, packaging accepts it"
    want = (canonical(ref.name), tuple(sorted({canonical(e) for e in ref.extras})), ref.specifier, str(ref.marker) if ref.marker else None, ref.url)
    got = (ours.name, ours.extras, SpecifierSet(ours.specifier), ours.marker, ours.url)
    return None if got == want else f"{text!r}: ours {got}, packaging {want}"


EDGE_CASES = [
    "name~=1", "name~=1.0", "name ~= 1.4.5", "x[,]", "x[a,]", "x[,a]", "x[]", "x[ ]", "x[a , b]",
    "x[a]>=1", "Foo_Bar[Baz.Qux]==1.0", "x==1.0.*", "x==1.*.0", "x!=1.0.*", "x>=1.0.*", "x~=1.0.*",
    "x===1.0", "x===anything", "x==1.0+local", "x>=1.0+local", "x<=1.0a1", "x>1.0.post1", "x<2.dev0",
    "x==v1.0", "x>=1,<2", "x >= 1 , < 2", "x>=1,", "x,>=1", "x>=1;python_version<'3.8'", "x @ https://e.x/x.whl",
    "x (>=1.0)", "x==1.0rc1", "x==1.0-1", "x==1.0_post1", "x==1!1.0", "-x", "x-", "x.", "1x", "x==", "x>=1 <2",
    "x==1.0 ; extra == 'a'", "x[a]; os_name == 'nt'", "x\t==\t1.0", "x==01.02", "x==1.0.0.0.0",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_agree_with_packaging(text):
    assert disagreement(text) is None


def test_every_corpus_requirement_agrees_with_packaging():
    if not corpus_present():
        pytest.skip("shared corpus not found at ../shared/corpus: the corpus oracle needs it")
    lines = requirement_strings()
    assert len(lines) > 500
    fast = sum(1 for s in lines if _simple_requirement(s, O, "") is not None)
    assert fast > len(lines) // 2  # the fast path carries the common case
    bad = [d for d in map(disagreement, lines) if d]
    assert bad == []


_FRAGMENTS = [
    "name", "a", "A_b.c-d", "Foo", "[", "]", ",", " ", "\t", "~=", "==", "!=", "<=", ">=", "<", ">", "===", "1", "1.2",
    "1.2.3", "0", ".*", "*", "rc1", "a1", "b2", "c", "alpha", "pre", ".post1", "post", "-post2", ".dev0", "dev", "+local",
    "+Ab.1", "v", "x", "-", "_", ".", "!", "1!", ";", " ; python_version < '3.9'", "(", ")", "@", " @ file:///x",
]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=10).map("".join))
def test_generated_strings_agree_with_packaging(text):
    assert disagreement(text) is None


@settings(max_examples=1000, deadline=None)
@given(
    st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,6}[A-Za-z0-9])?", fullmatch=True),
    st.lists(st.from_regex(r"[A-Za-z0-9._-]{0,4}", fullmatch=True), max_size=3),
    st.lists(st.tuples(st.sampled_from(["~=", "==", "!=", "<=", ">=", "<", ">", "==="]), st.from_regex(r"v?[0-9]{1,3}(\.[0-9]{1,3}){0,3}(\.\*|(a|b|rc|\.post|\.dev|-)[0-9]?)?", fullmatch=True)), max_size=3),
    st.sampled_from(["", " ", "\t"]),
)
def test_structured_requirements_agree_with_packaging(name, extras, specs, ws):
    text = name + (f"[{','.join(extras)}]" if extras else "") + ws + ("," + ws).join(op + ws + v for op, v in specs)
    assert disagreement(text) is None
