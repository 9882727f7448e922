"""Whole-corpus checks over ../shared/corpus (skipped when it is absent)."""

import json
import os
import subprocess
import sys

import pytest

from dockerlint_py.discovery import iter_dockerfiles

pytestmark = pytest.mark.corpus


def test_buildkit_parity(corpus_dir):
    # The BuildKit oracle (PyPI package `dockerfile`) is in the `test` extra: a missing oracle
    # must fail here, not skip, or parity would silently stop being checked.
    from support.parity import compare_file

    files = list(iter_dockerfiles(corpus_dir))
    assert len(files) > 2000
    diffs = []
    for path in files:
        problem = compare_file(path)
        if problem:
            diffs.append(f"{os.path.relpath(path, corpus_dir)}: {problem}")
    assert not diffs, "\n".join(diffs[:20])


def test_no_internal_errors_on_corpus(corpus_dir):
    r = subprocess.run(
        [sys.executable, "-m", "dockerlint_py", "check", "--no-config", "--select", "ALL", "--format", "json", corpus_dir],
        capture_output=True, text=True, timeout=600,
    )
    assert "Traceback" not in r.stderr
    assert "internal error" not in r.stderr, r.stderr[-2000:]
    findings = json.loads(r.stdout)
    assert findings, "expected findings on real-world files"
    assert r.returncode in (0, 1), r.stderr[-2000:]
