import pytest

from dockerlint_py.knowledge import base_image_facts, load_toml
from dockerlint_py.model.image import parse_image_ref


@pytest.mark.parametrize(
    "raw, registry, repository, tag, digest",
    [
        ("python:3.12", None, "python", "3.12", None),
        ("docker.io/library/python:3.12", None, "python", "3.12", None),
        ("localhost:5000/x:1", "localhost:5000", "localhost:5000/x", "1", None),
        ("localhost:5000/x", "localhost:5000", "localhost:5000/x", None, None),
        ("ghcr.io/org/img@sha256:abc", "ghcr.io", "ghcr.io/org/img", None, "sha256:abc"),
        ("user/img:1.0@sha256:abc", None, "user/img", "1.0", "sha256:abc"),
    ],
)
def test_parse_refs(raw, registry, repository, tag, digest):
    ref = parse_image_ref(raw)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repository, tag, digest)


def test_invalid_refs():
    assert parse_image_ref("") is None
    assert parse_image_ref("REPLACE-ME") is None
    assert parse_image_ref("a b") is None


def facts(raw):
    return base_image_facts(parse_image_ref(raw))


def test_issue_examples():
    f = facts("python:3.12.7-slim-bookworm")
    assert (f.libc, f.distro, f.release, f.pkg, f.ca, f.python) == ("glibc", "debian", "bookworm", "apt", True, "3.12.7")
    f = facts("python:3.12-alpine")
    assert (f.libc, f.distro, f.pkg, f.ca, f.python) == ("musl", "alpine", "apk", True, "3.12")
    f = facts("alpine:3.20")
    assert (f.libc, f.ca, f.ca_tools) == ("musl", True, False)
    assert facts("debian:bookworm-slim").ca is False
    assert facts("ubuntu:24.04").ca is False
    assert facts("pypy:3.10-slim").implementation == "pypy"
    assert facts("node:20-alpine").libc == "musl"
    assert facts("golang:1.23").libc == "glibc"
    assert facts("gcr.io/distroless/python3-debian12:nonroot").user == "nonroot"
    assert facts("cgr.dev/chainguard/python:latest").libc == "glibc"
    assert facts("busybox:musl").libc == "musl"


def test_unknown_is_unknown():
    assert facts("myorg/python:3.12") is None
    assert facts("ghcr.io/x/alpine:3.20") is None


def test_data_file_has_provenance():
    data = load_toml("base_images.toml")
    assert data["meta"]["reviewed"] and data["meta"]["provenance"].strip()
    for image in data["image"]:
        assert image.get("source"), image["names"]
        for v in image["variant"]:
            assert v.get("verified") in ("V", "S", "U"), image["names"]
