"""Per-release wheel facts: the facts of issue 17 replayed from the bundled data, and the
pip-verified oracle (shared/knowledge/pip-verified-musl-wheels.csv) when it is present."""

import csv
import os

import pytest

from dockerlint_py.knowledge import alpine_python, official_python_pip_musl
from dockerlint_py.knowledge.native import Target, musl_wheel, native_package, verdict
from dockerlint_py.knowledge.wheels import data_meta, is_pure

ORACLE = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "knowledge", "pip-verified-musl-wheels.csv")


# (package, version or None, CPython, arch, verdict, release pip picks)
ISSUE_17 = [
    # pinned, non-newest releases on CPython 3.13 x86_64: all compile
    ("numpy", "1.26.4", "3.13", "x86_64", "no", "1.26.4"),
    ("scipy", "1.11.4", "3.13", "x86_64", "no", "1.11.4"),
    ("grpcio", "1.60.0", "3.13", "x86_64", "no", "1.60.0"),
    ("lxml", "4.9.2", "3.13", "x86_64", "no", "4.9.2"),
    ("pillow", "9.5.0", "3.13", "x86_64", "no", "9.5.0"),
    ("psycopg2-binary", "2.9.9", "3.13", "x86_64", "no", "2.9.9"),
    # grpcio 1.48.2 has musl wheels only up to cp310
    ("grpcio", "1.48.2", "3.10", "x86_64", "yes", "1.48.2"),
    ("grpcio", "1.48.2", "3.11", "x86_64", "no", "1.48.2"),
    # aarch64 follows the Python version too
    ("numpy", "1.26.4", "3.13", "aarch64", "no", "1.26.4"),
    ("psycopg2-binary", "2.9.9", "3.13", "aarch64", "no", "2.9.9"),
    ("pillow", "9.5.0", "3.12", "aarch64", "no", "9.5.0"),
    ("lxml", "4.9.2", "3.12", "aarch64", "no", "4.9.2"),
    # unpinned: the release pip picks for the stage's Python (Requires-Python)
    ("numpy", None, "3.8", "x86_64", "no", "1.24.4"),
    ("mysqlclient", None, "3.7", "x86_64", "no", "2.1.1"),
    # the facts of 3.12 x86_64 that were right stay right
    ("numpy", "1.26.0", "3.12", "x86_64", "yes", "1.26.0"),
    ("numpy", "1.25.2", "3.12", "x86_64", "no", "1.25.2"),
    ("duckdb", "1.3.2", "3.12", "x86_64", "yes", "1.3.2"),
    # packages the data did not have
    ("netifaces", "0.11.0", "3.12", "x86_64", "no", "0.11.0"),
    ("pycrypto", "2.6.1", "3.12", "x86_64", "no", "2.6.1"),
    ("psycopg-c", None, "3.12", "x86_64", "no", None),
    ("m2crypto", "0.49.0", "3.12", "x86_64", "no", "0.49.0"),
    ("rpi-gpio", "0.7.1", "3.11", "x86_64", "no", "0.7.1"),
]


@pytest.mark.parametrize("name, version, py, arch, status, picked", ISSUE_17)
def test_issue_17_facts(name, version, py, arch, status, picked):
    v = musl_wheel(name, version, py, arch)
    assert v.status == status
    if picked:
        assert v.picked == picked


@pytest.mark.parametrize("name, version, py, first", [
    # advice names a release that has a wheel for the target (Requires-Python included)
    ("numpy", "1.25.0", "3.13", "2.1.0"),
    ("numpy", "1.26.2", "3.13", "2.1.0"),
    ("pandas", "2.1.0", "3.13", "2.2.3"),
    ("pandas", "2.2.0", "3.13", "2.2.3"),
])
def test_upgrade_advice_has_a_wheel(name, version, py, first):
    v = musl_wheel(name, version, py, "x86_64")
    assert v.status == "no" and v.first_ok == first
    assert musl_wheel(name, first, py, "x86_64").status == "yes"


def test_no_upgrade_on_python_27_and_no_glibc_where_none_exists():
    assert musl_wheel("lxml", None, "2.7", "x86_64").first_ok is None
    assert musl_wheel("mysqlclient", None, "3.7", "x86_64").glibc_ok is False
    assert musl_wheel("numpy", "1.14.3", "3.12", "x86_64").glibc_ok is False


def test_old_pip_ignores_musllinux_wheels():
    new = verdict("numpy", "1.26.4", Target(("3.12",), "x86_64", True))
    old = verdict("numpy", "1.26.4", Target(("3.12",), "x86_64", False))
    assert new.status == "yes" and old.status == "no" and old.old_pip
    assert verdict("numpy", "1.26.4", Target(("3.12",), "x86_64", None)).status == "unknown"


def test_prefer_and_only_binary():
    assert musl_wheel("duckdb", None, "3.12", "x86_64").status == "no"
    assert musl_wheel("duckdb", None, "3.12", "x86_64", mode="prefer-binary").picked == "1.3.2"
    assert musl_wheel("duckdb", None, "3.12", "x86_64", mode="only-binary").status == "yes"
    assert musl_wheel("duckdb", None, "3.12", "x86_64", specifier=">=1.4").status == "no"


def test_unknown_python_decides_only_when_all_agree():
    assert musl_wheel("psycopg2", "2.9.9", None, "x86_64").status == "no"
    assert musl_wheel("numpy", "1.26.4", None, "x86_64").status == "unknown"


def test_package_knowledge():
    assert native_package("msgpack").compiled == "required"
    for name in ("brotli", "mmh3", "zope-interface", "pymongo", "google-crc32c"):
        assert native_package(name).compiled == "optional"
    for name in ("netifaces", "pycrypto", "twisted", "rpi-gpio", "mariadb", "pycares", "ml-dtypes", "optree", "m2crypto", "geventhttpclient", "cachebox", "libclang"):
        assert native_package(name).compiled == "required", name
    assert is_pure("requests") and is_pure("flask") and not is_pure("numpy")


def test_stage_facts_tables():
    assert alpine_python("3.12").python3 == ("3.8",) and not alpine_python("3.12").pip_musl
    assert alpine_python("3.16").pip_musl and alpine_python("3.9.4").python2 == "2.7"
    assert alpine_python("3.3").python3 == ("3.5",)
    assert alpine_python("edge") is not None
    assert official_python_pip_musl("2.7.18") is False and official_python_pip_musl("3.5") is False
    assert official_python_pip_musl("3.8.5") is False and official_python_pip_musl("3.8.20") is True
    assert official_python_pip_musl("3.12") is True


def test_data_has_provenance():
    meta = data_meta()
    assert meta.get("reviewed") and "PEP 691" in meta.get("source", "")


def _oracle_rows():
    if not os.path.isfile(ORACLE):
        return []
    with open(ORACLE, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_oracle_pip_verified_musl_wheels():
    """Every row of pip's own answers that the bundled data covers must agree with it."""
    rows = _oracle_rows()
    if not rows:
        pytest.skip(f"{ORACLE} is absent: the pip-verified oracle lives in the shared knowledge folder")
    from dockerlint_py.knowledge.wheels import bundled_facts, is_pure, pick

    checked = 0
    wrong = []
    for r in rows:
        name, version, py, arch = r["package"], r["version"], r["cpython"], r["arch"]
        expect = r["musl_installable_wheel"] == "yes"
        if r["wheel_kind"] == "pure" and is_pure(name):
            checked += 1
            continue
        f = bundled_facts(name)
        if f is None:
            continue
        p = pick(f, py, arch, "musl", version, mode="only-binary")
        if p.status == "unknown":
            continue
        checked += 1
        if (p.status in ("wheel", "pure")) != expect:
            wrong.append((name, version, py, arch, r["musl_installable_wheel"], p.status))
    assert checked >= 300
    assert not wrong, wrong[:20]


def test_fast_specifier_path_matches_packaging():
    """The import-free specifier evaluation agrees with packaging on every Requires-Python in
    the data and on common ranges (or defers to packaging)."""
    from packaging.specifiers import SpecifierSet

    from dockerlint_py.knowledge import wheels as W

    rps = {r.requires_python for n in W._index() for r in W.bundled_facts(n).releases if r.requires_python}
    rps |= {">=1.2,<2", "~=1.4.2", "~=2.1", "==1.*", "!=1.5.*,>=1", "<=2.0.0", ">1.0", "==2.0", ">=3.6, !=3.0.*"}
    versions = ["1.0", "1.2", "1.4.5", "1.5.1", "2.0", "2.1.3", "2.7.18", "3.5.10", "3.8.0", "3.8.99", "3.12.99", "3.15.99", "4.0.0"]
    checked = 0
    for spec in rps:
        for v in versions:
            fast = W._fast_contains(spec, v)
            if fast is None:
                continue
            try:
                expect = SpecifierSet(spec).contains(v, prereleases=True)
            except Exception:
                continue
            checked += 1
            assert fast == expect, (spec, v)
    assert checked > 500
