"""The numeric version fast path of the wheel facts (``knowledge/wheels.py``: ``_key``, ``_same``,
``_lt``, ``_fast_contains``, ``_python_ok``, ``_allowed``) against ``packaging.version`` and
``packaging.specifiers``: exhaustive over every version in ``wheel_facts.txt`` and the corpus
manifests, every Requires-Python of the data, every specifier of the corpus requirements, and
hypothesis-generated versions and specifiers."""

import functools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from dockerlint_py.knowledge import wheels as W
from support.corpus_manifests import corpus_present, requirement_strings, versions as corpus_versions


@functools.lru_cache(maxsize=None)
def _data():
    """(versions, Requires-Python strings) of the bundled wheel facts."""
    vs, rps = set(), set()
    for name in W._index():
        f = W.bundled_facts(name)
        for r in f.releases:
            vs.add(r.version)
            if r.requires_python:
                rps.add(r.requires_python)
    return sorted(vs), sorted(rps)


EDGES = ["1.0", "1.0.0", "1", "01.2", "1.2.0.0", "1.0.dev0", "1.0.post0", "1.0a0", "1.0rc0", "1.0.post1", "1.0+local", "1!1.0", "0", "0.0", "2.0.0.post0.dev0", "10", "9.99"]


def _all_versions():
    vs = set(_data()[0]) | set(EDGES)
    if corpus_present():
        vs |= set(corpus_versions())
    return sorted(vs, key=Version)


def test_ordering_and_equality_agree_with_packaging_on_every_known_version():
    vs = _all_versions()
    assert len(vs) > 500
    # the numeric key is a total order: agreeing with packaging on Version-sorted neighbours
    # (strictly increasing exactly when packaging's is) is agreeing on every pair
    numeric = [v for v in vs if W._key(v) is not None]
    assert len(numeric) > 400
    bad = []
    for a, b in zip(numeric, numeric[1:]):
        if (W._key(a) < W._key(b)) != (Version(a) < Version(b)) or (W._key(a) == W._key(b)) != (Version(a) == Version(b)):
            bad.append((a, b))
    # a pair with a pre-, post-, dev- or local version goes through _lt/_same themselves: every
    # such pair among them, and each against every numeric version of the same release (where
    # `X.dev0`/`X.post0` could be taken for `X`) and its Version-sorted neighbours
    others = [v for v in vs if W._key(v) is None]
    assert others, "the edge cases include pre-, post- and dev-releases"

    def release(v):
        r = list(Version(v).release)
        while len(r) > 1 and r[-1] == 0:
            r.pop()
        return tuple(r)

    by_release = {}
    for v in numeric:
        by_release.setdefault(release(v), []).append(v)
    for a in others:
        i = vs.index(a)
        for b in set(others) | set(by_release.get(release(a), ())) | set(vs[max(0, i - 3) : i + 4]):
            if W._lt(a, b) != (Version(a) < Version(b)) or W._lt(b, a) != (Version(b) < Version(a)) or W._same(a, b) != (Version(a) == Version(b)):
                bad.append((a, b))
    assert bad == []


@pytest.mark.parametrize("a, b", [("1.0.dev0", "1.0"), ("1.26.0.post0", "1.26.0"), ("1.0a0", "1.0"), ("1.0+local", "1.0")])
def test_the_review_cases(a, b):
    assert not W._same(a, b) and W._lt(a, b) == (Version(a) < Version(b))


def _contains(spec, version, prereleases=True):
    try:
        return SpecifierSet(spec).contains(version, prereleases=prereleases)
    except InvalidSpecifier:
        return None


def _probes(spec):
    out = {"0", "1", "2.7", "3.5.99", "3.12.99", "99"}
    for m in re.finditer(r"\d+(?:\.\d+)*", spec):
        nums = [int(x) for x in m.group(0).split(".")]
        for i in range(len(nums)):
            for d in (-1, 0, 1):
                if nums[i] + d >= 0:
                    bumped = nums[:i] + [nums[i] + d] + [0] * (len(nums) - i - 1)
                    out.update({".".join(map(str, bumped)), ".".join(map(str, bumped[: i + 1])), ".".join(map(str, bumped)) + ".0"})
    return sorted(out)


def _corpus_specifiers():
    out = set()
    for s in requirement_strings():
        try:
            out.add(str(Requirement(s).specifier))
        except InvalidRequirement:
            continue
    return sorted(x for x in out if x)


def test_requires_python_agrees_with_packaging_for_every_release_and_python():
    _vs, rps = _data()
    assert len(rps) > 20
    bad = []
    for rp in rps:
        for py in W.PYTHONS + ("3.8.0", "3.11.7", "3.12.4", "3.6.0"):
            full = py if py.count(".") >= 2 else py + ".99"
            want = _contains(rp, full)
            fast = W._fast_contains(rp, full)
            if fast is not None and fast != want:
                bad.append((rp, full, fast))
            if W._python_ok(rp, py) != (True if want is None else want):
                bad.append((rp, py))
    assert bad == []


def test_corpus_specifiers_agree_with_packaging():
    if not corpus_present():
        pytest.skip("shared corpus not found at ../shared/corpus: the corpus oracle needs it")
    specs = _corpus_specifiers()
    assert len(specs) > 300
    bad = []
    for spec in specs:
        for v in _probes(spec):
            fast = W._fast_contains(spec, v)
            if fast is not None and fast != _contains(spec, v):
                bad.append((spec, v, fast))
            if W._allowed(spec, v) != _contains(spec, v, None):
                bad.append((spec, v))
    assert bad == []


_VERSION = st.lists(st.integers(0, 12), min_size=1, max_size=4).map(lambda xs: ".".join(map(str, xs)))
_SUFFIX = st.sampled_from(["", "", "", "a0", "a1", "b2", "rc0", ".post0", ".post1", ".dev0", ".dev3", "+local", ".0"])


@settings(max_examples=2000, deadline=None)
@given(_VERSION, _SUFFIX, _VERSION, _SUFFIX)
def test_generated_versions_order_as_packaging(a, sa, b, sb):
    a, b = a + sa, b + sb
    assert W._lt(a, b) == (Version(a) < Version(b))
    assert W._same(a, b) == (Version(a) == Version(b))


_CLAUSE = st.tuples(st.sampled_from(["~=", "==", "!=", "<=", ">=", "<", ">", "==="]), _VERSION, st.sampled_from(["", "", ".*", "a1", ".post0", ".dev0"]), st.sampled_from(["", " "]))


@settings(max_examples=2000, deadline=None)
@given(st.lists(_CLAUSE, min_size=1, max_size=3), _VERSION, _SUFFIX)
def test_generated_specifiers_agree_with_packaging(clauses, version, suffix):
    spec = ",".join(op + ws + v + tail for op, v, tail, ws in clauses)
    v = version + suffix
    want = _contains(spec, v)
    fast = W._fast_contains(spec, v)
    assert fast is None or fast == want
    assert W._allowed(spec, v) == (True if _contains(spec, v, None) is None else _contains(spec, v, None))
