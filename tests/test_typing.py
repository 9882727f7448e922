"""The package type-checks: mypy (configured in pyproject.toml) finds no error in dockerlint_py,
and the model and the plugin API also pass ``--strict``."""

import os

import pytest

import mypy.api as mypy_api  # the test extra: a missing type checker is a failure, not a skip

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, "pyproject.toml")
PACKAGE = os.path.join(ROOT, "dockerlint_py")


def _mypy(tmp_path, *args):
    out, err, status = mypy_api.run(["--config-file", CONFIG, "--cache-dir", str(tmp_path / "mypy-cache"), "--no-error-summary", *args])
    errors = [line for line in out.splitlines() if ": error:" in line]
    return status, errors, err


@pytest.mark.slow
def test_package_has_no_mypy_errors(tmp_path):
    status, errors, err = _mypy(tmp_path, PACKAGE)
    assert errors == [] and status == 0, "\n".join(errors) or err


@pytest.mark.slow
def test_model_and_plugin_api_pass_strict(tmp_path):
    strict = [os.path.join(PACKAGE, "model"), os.path.join(PACKAGE, "analysis"), os.path.join(PACKAGE, "api.py"), os.path.join(PACKAGE, "contexts.py")]
    status, errors, err = _mypy(tmp_path, "--strict", "--follow-imports=silent", *strict)
    assert errors == [] and status == 0, "\n".join(errors) or err


def test_strictness_is_configured_for_the_model_and_the_api():
    """`mypy dockerlint_py` alone applies the strict flags to the model and the API (not only the
    test's command line)."""
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        import tomli as tomllib
    with open(CONFIG, "rb") as f:
        conf = tomllib.load(f)["tool"]["mypy"]
    strict = [o for o in conf["overrides"] if o.get("disallow_untyped_defs")]
    modules = {m for o in strict for m in o["module"]}
    assert {"dockerlint_py.model.*", "dockerlint_py.analysis.*", "dockerlint_py.api", "dockerlint_py.contexts"} <= modules
