"""The image-role model (dockerlint_py/model/role.py): what the built image is for, and which
stage is the image, from the file, its path and the configuration."""

import pytest

from dockerlint_py.engine import LintOptions, lint_source
from dockerlint_py.model.dockerfile import parse_dockerfile
from dockerlint_py.model.resolve import BuildOptions, resolve
from dockerlint_py.analysis.role import dev_path_reason, image_role, is_devcontainer, needs_root


def role_of(text, path="Dockerfile", **options):
    return image_role(resolve(parse_dockerfile(text, path), BuildOptions(**options)))


@pytest.mark.parametrize("text, path, expected", [
    ("FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n", "Dockerfile", "service"),
    ("FROM mycorp/base:1\nRUN echo\n", "Dockerfile", "service"),  # unknown base: cannot tell
    ("FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n", "Dockerfile", "service"),  # inherits a server
    ("FROM python:3.12-slim\nRUN pip install --no-cache-dir requests==2.32.3\n", "Dockerfile", "base"),
    ("FROM debian:bookworm-slim\nCMD [\"bash\"]\n", "Dockerfile", "base"),
    ("FROM node:22.11\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"node\"]\n", "Dockerfile", "base"),
    ("FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n", "images/Dockerfile.base", "base"),
    ("FROM python:3.12-slim\nONBUILD COPY . /app\nCMD [\"python\", \"/app/x.py\"]\n", "Dockerfile", "base"),
    ("FROM node:22.11\nCOPY . .\nRUN npm ci && npm run build\n", "Dockerfile", "build"),
    ("FROM python:3.12-slim\nWORKDIR /app\nCOPY . ./\nRUN pip install --no-cache-dir -r requirements.txt\n", "Dockerfile", "service"),
    ("FROM golang:1.23 AS b\nRUN go build -o /out/x .\nFROM scratch AS out\nCOPY --from=b /out /\n", "Dockerfile", "build"),
    ("FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n", ".devcontainer/Dockerfile", "dev"),
    ("FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n", "compose/local/django/Dockerfile", "dev"),
    ("FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n", "docker/Dockerfile.dev", "dev"),
    ("FROM python:3.12-slim\nCMD [\"jupyter\", \"lab\"]\n", "Dockerfile", "dev"),
    ("ARG BASE=mcr.microsoft.com/devcontainers/base:bookworm\nFROM $BASE\nUSER root\n", "test.Dockerfile", "dev"),
    ("FROM python:3.12-slim\nUSER root\nENTRYPOINT [\"/bin/bash\"]\n", "Dockerfile", "base"),
    ("FROM quay.io/jupyter/scipy-notebook:2024-10-07\nRUN pip install --no-cache-dir x==1\n", "Dockerfile", "dev"),
])
def test_roles(text, path, expected):
    r = role_of(text, path)
    assert r.role == expected, r.evidence
    assert r.evidence  # every decision says why


def test_dev_paths_are_exact():
    assert is_devcontainer(".devcontainer/Dockerfile") and is_devcontainer("a/.devcontainer/base.Dockerfile")
    assert not is_devcontainer("devcontainer-tools/Dockerfile")
    assert dev_path_reason("services/local/Dockerfile") is None  # `local` alone is not compose/local
    assert dev_path_reason("Dockerfile.devel") is None
    assert dev_path_reason("deploy/Dockerfile.prod") is None


def test_trailing_export_stage_is_not_the_image():
    text = (
        "FROM python:3.12 AS wheels\nRUN pip wheel -w /w flask==3.0.3\n"
        "FROM python:3.12-slim AS ec2\nCMD [\"python\", \"-m\", \"app\"]\n"
        "FROM scratch AS wheel-export\nCOPY --from=wheels /w /w\n"
    )
    r = role_of(text)
    assert r.role == "service" and r.runtime_stage.name == "ec2"
    assert any("wheel-export" in e for e in r.evidence)
    # an explicit target wins, even an export stage
    r = role_of(text, target="wheel-export")
    assert r.runtime_stage.name == "wheel-export" and r.role == "build"


def test_scratch_with_entrypoint_is_an_image():
    r = role_of("FROM golang:1.23 AS b\nRUN go build -o /app .\nFROM scratch\nCOPY --from=b /app /app\nENTRYPOINT [\"/app\"]\n")
    assert r.role == "service" and r.runtime_stage.index == 1


def test_configured_role_wins():
    r = role_of("FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n", role="base")
    assert r.role == "base" and r.configured


def test_entrypoint_resets_inherited_cmd():
    # BuildKit: an ENTRYPOINT resets a CMD set in an earlier stage (the "base image")
    r = role_of("FROM python:3.12-slim AS a\nCMD [\"bash\"]\nFROM a\nENTRYPOINT [\"/srv/run\"]\n")
    assert r.role == "service"


@pytest.mark.parametrize("text, root", [
    ("FROM debian:bookworm-slim\nCMD [\"containerd\"]\n", True),
    ("FROM debian:bookworm-slim\nENTRYPOINT [\"/init\"]\n", True),
    ("FROM debian:bookworm-slim\nENTRYPOINT [\"/usr/bin/tini\", \"--\", \"dockerd\"]\n", True),
    ("FROM docker:27-dind\n", True),
    ("FROM docker:27-dind-rootless\n", False),
    ("FROM debian:bookworm-slim\nCMD [\"/srv/app/init\"]\n", False),  # a program merely named init
    ("FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n", False),
])
def test_needs_root(text, root):
    model = resolve(parse_dockerfile(text, "Dockerfile"))
    assert bool(needs_root(model.stages[-1])) is root


def test_image_role_and_target_in_configuration(tmp_path):
    (tmp_path / ".dockerlint.toml").write_text('image-role = "base"\n')
    df = tmp_path / "Dockerfile"
    df.write_text("FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n")
    opts = LintOptions(select=("DKL601",))
    assert lint_source(df.read_bytes(), str(df), opts).findings == []
    tmp_path = tmp_path / "t"
    tmp_path.mkdir()
    (tmp_path / ".dockerlint.toml").write_text('target = "app"\n')
    df = tmp_path / "Dockerfile"
    df.write_text("FROM python:3.12-slim AS app\nCMD [\"python\", \"app.py\"]\nFROM python:3.12-slim AS test\nUSER 10001\nCMD [\"pytest\"]\n")
    assert [f.line for f in lint_source(df.read_bytes(), str(df), opts).findings] == [1]
    (tmp_path / ".dockerlint.toml").write_text('image-role = "sidecar"\n')
    from dockerlint_py.config import load_config_file

    cfg = load_config_file(str(tmp_path / ".dockerlint.toml"))
    assert cfg.image_role is None and any("image-role" in w for w in cfg.warnings)


def test_default_user_entries_are_unique_and_sourced():
    from dockerlint_py.knowledge import load_toml

    names = [n for e in load_toml("base_images.toml")["image"] for n in e["names"]]
    assert len(names) == len(set(names)), "an image is listed twice: the later entry would hide the earlier"
    for e in load_toml("base_images.toml")["image"]:
        for v in e["variant"]:
            assert v.get("command") in (None, "shell", "interpreter", "service"), e["names"]
