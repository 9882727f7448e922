"""The pre-commit hooks: valid manifest, `files` covering exactly what the CLI handles."""

import os
import re
import subprocess
import sys



from dockerlint_py.discovery import is_dockerfile_name
from dockerlint_py.manifests import manifest_kind

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOOKS = os.path.join(ROOT, ".pre-commit-hooks.yaml")


def _hooks():
    import yaml  # PyYAML comes with pre-commit, which is in the test extra

    with open(HOOKS, encoding="utf-8") as fh:
        return {h["id"]: h for h in yaml.safe_load(fh)}


NAMES = ["Dockerfile", "Dockerfile.dev", "Dockerfile-ci", "api.Dockerfile", "web.dockerfile", "Containerfile",
         "Containerfile.prod", "Dockerfile.md", "app.dockerignore", "Dockerfilex", "README.md", "notes.txt",
         "requirements.txt", "requirements-dev.txt", "requirements/prod.txt", "dev-requirements.in", "constraints.txt",
         "pyproject.toml", "uv.lock", "poetry.lock", "Pipfile", "Pipfile.lock", "pdm.lock", "pylock.toml", "pylock.web.toml",
         "setup.cfg", "environment.yml", "setup.py", "package.json", "tox.ini"]


def test_hook_patterns_agree_with_the_cli():
    hooks = _hooks()
    assert set(hooks) == {"dockerlint", "dockerlint-fix"}
    for hook in hooks.values():
        files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])
        for n in NAMES:
            path = "sub/" + n
            hooked = bool(files.search(path)) and not exclude.search(path)
            handled = is_dockerfile_name(os.path.basename(n)) or manifest_kind(path) is not None
            assert hooked == handled, n
        assert hook["language"] == "python" and hook["require_serial"] is True
        assert hook["minimum_pre_commit_version"] == "3.2.0" and "pre-commit" in hook["stages"]
        assert "--force-exclude" in hook["entry"]
    assert "--fix" in hooks["dockerlint-fix"]["entry"] and "--fix" not in hooks["dockerlint"]["entry"]


def test_manifest_validates_with_pre_commit():
    r = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", HOOKS], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


# (name, is it a Dockerfile?) -- the pre-commit hook and the directory walk must both say so.
DOCKERFILE_NAMES = [
    ("Dockerfile", True), ("dockerfile", True), ("Containerfile", True), ("containerfile", True),
    ("Dockerfile.prod", True), ("Dockerfile-dev", True), ("Dockerfile.alpine.ci", True), ("Containerfile.ci", True),
    ("app.Dockerfile", True), ("web.dockerfile", True), ("api.Containerfile", True), ("x.containerfile", True),
    ("dockerfile.py", False), ("dockerfile-generator.js", False), ("dockerfile.test.ts", False),
    ("Dockerfile.j2", False), ("Dockerfile.prod.j2", False), ("Dockerfile.jinja2", False), ("Dockerfile.tmpl", False),
    ("Dockerfile.template", False), ("Dockerfile.TEMPLATE", False), ("Containerfile.tpl", False),
    ("Dockerfile.rst", False), ("Dockerfile.md", False), ("Dockerfile.txt", False), ("Dockerfile.orig", False),
    ("Dockerfile~", False), ("Dockerfile.bak", False), ("Dockerfile.dockerignore", False), ("Dockerfile-generator.js", False),
    ("dockerfile.prod", False), ("Dockerfilex", False), ("MyDockerfile", False), ("Dockerfile.py", False),
]


def test_hook_and_walk_agree_on_what_a_dockerfile_is(tmp_path):
    from dockerlint_py.discovery import iter_dockerfiles

    for name, _ in DOCKERFILE_NAMES:
        (tmp_path / "src" / name.replace("/", "_")).parent.mkdir(exist_ok=True)
        (tmp_path / "src" / name).write_text("FROM scratch\n")
    walked = {os.path.basename(p) for p in iter_dockerfiles(str(tmp_path))}
    for hook in _hooks().values():
        files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])
        for name, expected in DOCKERFILE_NAMES:
            path = "src/" + name
            assert is_dockerfile_name(name) is expected, name
            assert (bool(files.search(path)) and not exclude.search(path)) is expected, (hook["id"], name)
            assert (name in walked) is expected, name
    from dockerlint_py.discovery import _NOT_DOCKERFILE_SUFFIXES

    for suffix in _NOT_DOCKERFILE_SUFFIXES:  # the two lists stay the same
        for name in ("Dockerfile" + suffix, "Dockerfile.prod" + suffix.upper()):
            assert not is_dockerfile_name(name)
            assert not files.search("src/" + name) or exclude.search("src/" + name), name
