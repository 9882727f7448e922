"""Hostile inputs: a clear message naming the file, exit 2 only for files that could not be checked."""

import os

import pytest

from support.cli import run_cli

GOOD = "FROM python:latest\n"


@pytest.fixture
def repo(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "Dockerfile").write_text(GOOD)
    return tmp_path


@pytest.mark.parametrize(
    "content, expect_rc",
    [
        (b"", 1),
        (b"# only a comment\n", 1),
        (b"FROM alpine:3.20\nRUN echo \x00\n", 1),
        (b"\xef\xbb\xbfFROM alpine:3.20\r\nRUN x\r\n", 1),
        ("FROM alpine:3.20\nRUN x\n".encode("utf-16"), 1),
        (b"FROM alpine:3.20\nRUN echo \\\n", 1),
        (b"FROM alpine:3.20\nRUN echo 'unterminated\n", 1),
        (b"FROM alpine:3.20\nRUN sh -c \"bash -c 'sh -c \\\"sh -c ls\\\"'\"\n", 1),
        (b"FROM alpine:3.20\nRUN \xff\xfe\xfa\n", 2),
        (b"FROM alpine:3.20\nRUN <<EOF\n", 2),
    ],
)
def test_hostile_dockerfiles(repo, content, expect_rc):
    (repo / "bad").mkdir()
    (repo / "bad" / "Dockerfile").write_bytes(content)
    r = run_cli("check", "--format", "json", ".", cwd=repo)
    assert "Traceback" not in r.stderr
    assert r.returncode == expect_rc, r.stderr
    assert '"ok/Dockerfile"' in r.stdout  # the other file is still linted
    if expect_rc == 2:
        assert "bad/Dockerfile:2:" in r.stderr


def test_big_inputs(repo):
    (repo / "big").mkdir()
    line = "RUN echo " + "x" * 100_000 + "\n"
    (repo / "big" / "Dockerfile").write_text("FROM alpine:3.20\n" + line + "RUN true\n" * 200_000)
    many = "".join(f"FROM alpine:3.20 AS s{i}\nRUN true\n" for i in range(3000))
    (repo / "big" / "Dockerfile.stages").write_text(many)
    r = run_cli("check", "--format", "json", ".", cwd=repo)
    assert r.returncode == 1 and "Traceback" not in r.stderr


def test_fifo_and_symlink_loop(repo):
    os.mkfifo(repo / "Dockerfile.fifo")
    os.symlink(repo / "loop", repo / "loop")
    r = run_cli("check", "Dockerfile.fifo", "loop", "ok/Dockerfile", cwd=repo)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "Dockerfile.fifo: not a regular file" in r.stderr
    assert "ok/Dockerfile:1:6: DKL102" in r.stdout


def test_directory_walk_skips_symlinked_dirs(repo):
    os.symlink(repo, repo / "ok" / "up")
    r = run_cli("check", ".", cwd=repo)
    assert r.returncode == 1 and "Traceback" not in r.stderr


def test_ten_megabyte_file_and_directory_named_dockerfile(repo):
    (repo / "huge").mkdir()
    body = "FROM alpine:latest\n" + ("RUN echo " + "y" * 90 + "\n") * 110_000  # ~11 MB
    (repo / "huge" / "Dockerfile").write_text(body)
    (repo / "dir" / "Dockerfile").mkdir(parents=True)
    r = run_cli("check", "--format", "json", "huge/Dockerfile", "dir/Dockerfile", "ok/Dockerfile", cwd=repo)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "dir/Dockerfile: is a directory" in r.stderr
    assert '"ok/Dockerfile"' in r.stdout and '"huge/Dockerfile"' in r.stdout


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read a mode-000 file")
def test_unreadable_file(repo):
    p = repo / "Dockerfile.secret"
    p.write_text(GOOD)
    p.chmod(0)
    r = run_cli("check", "Dockerfile.secret", "ok/Dockerfile", cwd=repo)
    assert r.returncode == 2 and "Dockerfile.secret: cannot read" in r.stderr


def test_hostile_manifests_are_findings_not_crashes(repo):
    (repo / "svc").mkdir()
    (repo / "svc" / "Dockerfile").write_text(
        "FROM python:3.12-slim\nCOPY requirements.txt lock.txt /tmp/\n"
        "RUN pip install --no-cache-dir -r /tmp/requirements.txt -c /tmp/lock.txt\nUSER app\n"
    )
    (repo / "svc" / "requirements.txt").write_text("-r ../../outside.txt\n-r requirements.txt\nflask==3.0.3\n")
    (repo / "svc" / "lock.txt").write_bytes(b"\x00\x01binary\xff")
    (repo.parent / "outside.txt").write_text("secret==1\n")
    r = run_cli("check", "--format", "json", "--select", "DKL001,DKL002", "svc/Dockerfile", cwd=repo)
    assert "Traceback" not in r.stderr
    import json

    found = {(f["path"], f["line"], f["code"]) for f in json.loads(r.stdout)}
    assert ("svc/requirements.txt", 1, "DKL001") in found  # outside the build context: not followed
    assert ("svc/requirements.txt", 2, "DKL001") in found  # include cycle
    assert any(p == "svc/lock.txt" and c == "DKL001" for p, _, c in found)  # binary manifest
    assert r.returncode == 1


def test_manifest_symlink_loop(repo):
    (repo / "svc").mkdir()
    os.symlink(repo / "svc" / "requirements.txt", repo / "svc" / "requirements.txt")
    (repo / "svc" / "Dockerfile").write_text("FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nUSER app\n")
    r = run_cli("check", "svc/Dockerfile", cwd=repo)
    assert "Traceback" not in r.stderr and r.returncode in (0, 1)


def test_deeply_nested_sh_c(repo):
    inner = "pip install flask"
    for _ in range(9):  # quoting grows fourfold a level: 9 levels is ~260,000 quote characters
        inner = "sh -c " + "'" + inner.replace("'", "'\\''") + "'"
    (repo / "deep").mkdir()
    (repo / "deep" / "Dockerfile").write_text(f"FROM python:3.12-slim\nRUN {inner}\nUSER app\n")
    r = run_cli("check", "--format", "json", "deep/Dockerfile", cwd=repo)
    assert "Traceback" not in r.stderr and r.returncode in (0, 1)


def test_nothing_from_the_repository_runs_and_no_network(repo, tmp_path):
    """setup.py, a build backend and conftest in the linted project are never executed or
    imported, and no socket is opened (a sitecustomize records any attempt)."""
    proj = repo / "proj"
    proj.mkdir()
    marker = tmp_path / "executed"
    for name in ("setup.py", "conftest.py", "backend.py"):
        (proj / name).write_text(f"open({str(marker)!r}, 'a').write({name!r})\n")
    (proj / "pyproject.toml").write_text('[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n[project]\nname = "p"\nversion = "1"\ndependencies = ["flask"]\n')
    (proj / "requirements.txt").write_text("-e .\nhttps://example.com/pkg-1.0-py3-none-any.whl\n-r https://example.com/more.txt\n")
    (proj / "Dockerfile").write_text(
        "FROM python:3.12-alpine\nCOPY . /src\nRUN pip install --no-cache-dir -r /src/requirements.txt && pip install --no-cache-dir /src\nUSER app\n"
    )
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    log = tmp_path / "sockets"
    (hooks / "sitecustomize.py").write_text(
        "import socket\n"
        f"_LOG = {str(log)!r}\n"
        "class _Guard(socket.socket):\n"
        "    def connect(self, *a):\n"
        "        open(_LOG, 'a').write(repr(a) + '\\n')\n"
        "        raise OSError('network disabled in this test')\n"
        "socket.socket = _Guard\n"
        "_orig = socket.create_connection\n"
        "def _cc(*a, **k):\n"
        "    open(_LOG, 'a').write(repr(a) + '\\n')\n"
        "    raise OSError('network disabled in this test')\n"
        "socket.create_connection = _cc\n"
    )
    env = dict(os.environ, PYTHONPATH=str(hooks) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    import subprocess
    import sys

    for args in (["check", "proj"], ["inspect", "proj/Dockerfile"], ["alpine-check", "proj/requirements.txt"], ["check", "--fix", "--unsafe-fixes", "proj"]):
        r = subprocess.run([sys.executable, "-m", "dockerlint_py", *args], cwd=repo, env=env, capture_output=True, text=True)
        assert "Traceback" not in r.stderr, r.stderr
    assert not marker.exists(), marker.read_text()
    assert not log.exists(), log.read_text()
