"""The CLI line format the editor recipes (docs/editors.md) parse: `--format lines`."""

import os
import re
import subprocess
import sys

LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning|info|style) (?P<code>\S+) (?P<msg>.+)$")

DOCKERFILE = "FROM python:3.12-alpine\nCOPY requirements.txt .\nRUN apk add gcc && pip install -r requirements.txt\n"


def run(args, cwd, stdin=None):
    return subprocess.run([sys.executable, "-m", "dockerlint_py"] + args, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120, env=dict(os.environ, NO_COLOR="1"))


def test_lines_format_from_stdin_as_editors_run_it(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\n")  # on disk: not what is linted
    (tmp_path / "requirements.txt").write_text("numpy==1.21.0\nflask\n")
    r = run(["check", "--format", "lines", "--stdin-filename", str(tmp_path / "Dockerfile"), "-"], tmp_path, DOCKERFILE)
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    parsed = [LINE.match(l) for l in lines]
    assert lines and all(parsed), r.stdout
    got = {(m["path"], int(m["line"]), m["code"], m["sev"]) for m in parsed}
    assert ("Dockerfile", 3, "DKL201", "error") in got  # the buffer from stdin was linted
    assert ("requirements.txt", 2, "DKL501", "warning") in got  # a manifest finding names the manifest
    assert "note:" not in r.stdout and "Found" not in r.stdout


def test_lines_format_has_nothing_but_findings_and_errors_go_to_stderr(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\nUSER app\n")
    r = run(["check", "--format", "lines", "Dockerfile"], tmp_path)
    assert r.returncode == 0 and r.stdout == ""
    (tmp_path / "Dockerfile").write_bytes(b"\xff\xfe\xff")
    r = run(["check", "--format", "lines", "Dockerfile"], tmp_path)
    # an unreadable file is an error on stderr (exit 2) and a DKL000 line, like any finding
    assert r.returncode == 2 and "Dockerfile" in r.stderr
    assert [ln.split(" ")[:3] for ln in r.stdout.splitlines()] == [["Dockerfile:1:1:", "error", "DKL000"]]
