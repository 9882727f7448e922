"""The built wheel carries every module and data file of the package: an install from a wheel
(pip install ., a git URL, the pre-commit hook, the GitHub Action) must behave like the checkout."""

import os
import subprocess
import sys
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_wheel_contains_every_package_file(tmp_path):
    import importlib.util

    # both in the test extra (building the wheel offline needs them); not imported here: importing
    # setuptools inside pytest's process trips its distutils shim
    assert importlib.util.find_spec("setuptools") and importlib.util.find_spec("wheel")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), ROOT],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    (wheel,) = [p for p in os.listdir(tmp_path) if p.endswith(".whl")]
    names = set(zipfile.ZipFile(tmp_path / wheel).namelist())
    expected = set()
    for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, "dockerlint_py")):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for f in filenames:
            if f.endswith((".pyc", ".pyo")):
                continue
            expected.add(os.path.relpath(os.path.join(dirpath, f), ROOT).replace(os.sep, "/"))
    missing = sorted(expected - names)
    assert not missing, f"files left out of the wheel: {missing}"
