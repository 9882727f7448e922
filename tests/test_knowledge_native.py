"""The native-package knowledge API against facts stated in shared/knowledge (V-pypi / V-pip)."""

import pytest

from dockerlint_py.knowledge.native import meta, musl_wheel, native_package, provided, wheel_from_files


@pytest.mark.parametrize("name, version, py, arch, status", [
    ("psycopg2", None, "3.12", "x86_64", "no"),          # never shipped musl wheels
    ("psycopg2", "2.9.9", None, "x86_64", "no"),         # ... whatever the Python
    ("psycopg2-binary", "2.9.9", "3.12", "x86_64", "yes"),
    ("numpy", "1.24.4", "3.12", "x86_64", "no"),         # before the first musl wheel (1.25.0)
    ("numpy", "1.25.2", "3.12", "x86_64", "no"),         # first cp312 musl wheel is 1.26.0
    ("numpy", "1.26.0", "3.12", "x86_64", "yes"),
    ("numpy", "1.26.0", "3.12", "aarch64", "no"),        # first musl aarch64 is 1.26.2
    ("numpy", "1.25.2", "3.11", "x86_64", "yes"),        # per-release data for every CPython
    ("matplotlib", None, "3.12", "aarch64", "no"),       # x86_64 only
    ("matplotlib", None, "3.12", "x86_64", "yes"),
    ("duckdb", None, "3.12", "x86_64", "no"),            # newest is sdist-only
    ("duckdb", "1.3.2", "3.12", "x86_64", "yes"),
    ("h5py", None, "3.15", "x86_64", "no"),              # latest lacks cp315
    ("h5py", None, "3.14", "x86_64", "yes"),
    ("greenlet", "1.1.3", "3.10", "x86_64", "no"),       # a gap release
    ("grpcio", "1.70.0", "3.12", "aarch64", "no"),       # musl aarch64 from 1.71.0
    ("not-a-known-package", None, "3.12", "x86_64", "unknown"),
    ("numpy", "99.0", "3.12", "x86_64", "unknown"),      # newer than the data
])
def test_musl_wheel(name, version, py, arch, status):
    assert musl_wheel(name, version, py, arch).status == status


def test_no_sdist_means_failure():
    assert musl_wheel("torch", None, "3.12", "x86_64").no_sdist
    assert not musl_wheel("scikit-learn", None, "3.12", "x86_64").no_sdist


def test_duckdb_prefer_binary_target():
    assert musl_wheel("duckdb", None, "3.12", "x86_64").newest_with_wheel == "1.3.2"


def test_classification_and_deps():
    assert native_package("pyyaml").compiled == "optional"
    assert native_package("aiohttp").compiled == "optional"
    p = native_package("psycopg2")
    assert p.compiled == "required" and "libpq-dev" in p.apk and p.apk_run == ("libpq",) and not p.linux_wheels
    assert native_package("django") is None  # unknown: never guessed


def test_synonyms():
    assert provided("apk", "libpq-dev", {"postgresql15-dev"})
    assert provided("apk", "libpq-dev", {"postgresql-dev"})
    assert not provided("apk", "libpq-dev", {"postgresql-client"})
    assert provided("apt", "default-libmysqlclient-dev", {"libmariadb-dev-compat"})


@pytest.mark.parametrize("files, libc, arch, expect", [
    (["x-1.0-cp312-cp312-musllinux_1_2_x86_64.whl"], "musl", "x86_64", "yes"),
    (["x-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", "x-1.0.tar.gz"], "musl", "x86_64", "sdist"),
    (["x-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"], "musl", "x86_64", "none"),
    (["x-1.0-cp38-abi3-musllinux_1_2_x86_64.whl"], "musl", "x86_64", "yes"),
    (["x-1.0-cp313-cp313-musllinux_1_2_x86_64.whl", "x-1.0.tar.gz"], "musl", "x86_64", "sdist"),
    (["x-1.0-py3-none-any.whl"], "musl", "aarch64", "yes"),
    (["x-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"], "glibc", "x86_64", "yes"),
    (["x-1.0-cp312-cp312-musllinux_1_2_aarch64.whl", "x-1.0.tar.gz"], "musl", "x86_64", "sdist"),
])
def test_wheel_from_lock_files(files, libc, arch, expect):
    assert wheel_from_files(files, "3.12", arch, libc) == expect


def test_provenance_and_review_date():
    m = meta()
    assert m["reviewed"] and m["wheel_table_reviewed"] and "V-pypi" in m["wheel_table_provenance"]


def test_compiled_snapshot_is_current():
    """knowledge/_compiled.py mirrors the source files; regenerate with
    `python -m dockerlint_py.knowledge.compile`."""
    import os

    import dockerlint_py.knowledge as k
    from dockerlint_py.knowledge.compile import render

    with open(os.path.join(os.path.dirname(k.__file__), "_compiled.py"), encoding="utf-8") as fh:
        assert fh.read() == render()


def test_stale_snapshot_falls_back_to_the_source(monkeypatch):
    import dockerlint_py.knowledge as k

    monkeypatch.setattr(k, "_COMPILED", [{"base_images.toml": {"checksum": "0:00000000", "data": {"bogus": True}}}])
    assert "image" in k.load_toml("base_images.toml")
