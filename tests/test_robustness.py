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
        (b"FROM alpine:3.20\rRUN x\r", 1),
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
    body = "FROM alpine:3.20\n" + ("RUN echo " + "y" * 90 + "\n") * 110_000  # ~11 MB
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
