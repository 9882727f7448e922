"""The real pre-commit, offline, against a snapshot of this working copy.

A temporary hook repository (this project's files, committed) and a temporary target repository
with a `.pre-commit-config.yaml` pointing at it. pre-commit builds the hook's virtualenv from a
wheelhouse with no package index (PIP_NO_INDEX=1, PIP_FIND_LINKS=<wheelhouse>,
PIP_CONFIG_FILE=/dev/null): the wheelhouse (this package, its dependencies, the build backend)
comes from DOCKERLINT_WHEELHOUSE, which `.ci/run` builds before the tests.
"""

import os
import shutil
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROJECT_FILES = ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "dockerlint_py"]


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@e"))


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    import pre_commit  # noqa: F401  (test extra: missing is a failure, not a skip)

    wheelhouse = os.environ.get("DOCKERLINT_WHEELHOUSE")
    if not wheelhouse or not os.path.isdir(wheelhouse):
        pytest.skip(
            "DOCKERLINT_WHEELHOUSE is not set: this test installs the hook with no package index, from a "
            "wheelhouse that `.ci/run` builds (pip wheel . -w DIR && pip download setuptools wheel -d DIR)"
        )
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    base = tmp_path_factory.mktemp("precommit")
    hook_repo = base / "hook-repo"
    hook_repo.mkdir()
    for name in PROJECT_FILES:
        src = os.path.join(ROOT, name)
        if os.path.isdir(src):
            shutil.copytree(src, hook_repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(src, hook_repo / name)
    git("init", "-q", cwd=hook_repo)
    git("add", "-A", cwd=hook_repo)
    git("commit", "-q", "-m", "snapshot", cwd=hook_repo)
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook_repo, capture_output=True, text=True, check=True).stdout.strip()
    run_env = dict(os.environ, PIP_NO_INDEX="1", PIP_FIND_LINKS=wheelhouse, PIP_CONFIG_FILE=os.devnull,
                   PRE_COMMIT_HOME=str(base / "store"), NO_COLOR="1", PRE_COMMIT_COLOR="never")
    run_env.pop("VIRTUAL_ENV", None)
    return {"base": base, "hook_repo": hook_repo, "rev": rev, "env": run_env}


def target(env, name, files):
    repo = env["base"] / name
    repo.mkdir()
    git("init", "-q", cwd=repo)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {env['hook_repo']}\n    rev: {env['rev']}\n    hooks:\n      - id: dockerlint\n      - id: dockerlint-fix\n        stages: [manual]\n"
    )
    for rel, text in files.items():
        p = repo / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "init", cwd=repo)
    return repo


def pre_commit(env, repo, *args):
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=repo, capture_output=True, text=True, env=env["env"])


CLEAN = "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nUSER app\n"


def test_bad_dockerfile_fails_with_findings(env):
    repo = target(env, "bad", {"Dockerfile": "FROM python:latest\nRUN pip install flask\n", "app.dockerfile": "FROM alpine\n"})
    r = pre_commit(env, repo, "run", "dockerlint", "--all-files")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "DKL102" in r.stdout and "DKL404" in r.stdout
    assert "app.dockerfile" in r.stdout  # *.dockerfile is matched (identify's `dockerfile` type misses it)


def test_clean_dockerfile_passes(env):
    repo = target(env, "clean", {"Dockerfile": CLEAN, "requirements.txt": "flask==3.0.3\n"})
    r = pre_commit(env, repo, "run", "dockerlint", "--all-files")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Passed" in r.stdout


def test_commit_touching_only_requirements_lints_the_dockerfile(env):
    alpine = CLEAN.replace("python:3.12-slim", "python:3.12-alpine").replace("pip install", "pip install --only-binary=:all:")
    repo = target(env, "manifest", {"svc/Dockerfile": alpine, "svc/requirements.txt": "flask==3.0.3\n"})
    r = pre_commit(env, repo, "run", "dockerlint", "--all-files")
    assert r.returncode == 0, r.stdout + r.stderr
    (repo / "svc" / "requirements.txt").write_text("flask==3.0.3\npsycopg2==2.9.9\n")
    git("add", "svc/requirements.txt", cwd=repo)
    r = pre_commit(env, repo, "run", "dockerlint")  # staged files only: just requirements.txt
    assert r.returncode == 1, r.stdout + r.stderr
    assert "svc/Dockerfile" in r.stdout and "DKL201" in r.stdout


def test_fix_hook_rewrites_and_pre_commit_reports_it(env):
    repo = target(env, "fix", {"Dockerfile": "FROM alpine:3.20\nRUN apk add curl\nUSER app\n"})
    r = pre_commit(env, repo, "run", "dockerlint-fix", "--all-files", "--hook-stage", "manual")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "files were modified by this hook" in r.stdout
    assert (repo / "Dockerfile").read_text() == "FROM alpine:3.20\nRUN apk add --no-cache curl\nUSER app\n"
    r = pre_commit(env, repo, "run", "dockerlint-fix", "--all-files", "--hook-stage", "manual")
    assert r.returncode == 0, r.stdout + r.stderr
