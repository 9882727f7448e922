"""The pre-commit hook's `files` pattern matches exactly the names the CLI discovers."""

import os
import re

from dockerlint_py.discovery import is_dockerfile_name

HOOKS = os.path.join(os.path.dirname(__file__), "..", ".pre-commit-hooks.yaml")


def _field(name):
    for line in open(HOOKS, encoding="utf-8"):
        if line.strip().startswith(name + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(name)


def test_hook_patterns_agree_with_discovery():
    files = re.compile(_field("files"))
    exclude = re.compile(_field("exclude"))
    names = ["Dockerfile", "Dockerfile.dev", "Dockerfile-ci", "api.Dockerfile", "web.dockerfile", "Containerfile",
             "Containerfile.prod", "Dockerfile.md", "app.dockerignore", "Dockerfilex", "README.md", "notes.txt"]
    for n in names:
        hooked = bool(files.search("sub/" + n)) and not exclude.search(n)
        assert hooked == is_dockerfile_name(n), n
    assert _field("language") == "python"
    assert _field("require_serial") == "true"
