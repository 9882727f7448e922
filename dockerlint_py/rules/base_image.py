"""DKL1xx: image references (FROM, ``COPY/ADD --from=<image>``, ``RUN --mount=from=<image>``).

Every rule here reads the resolved stage: ARGs are substituted first (global ARG defaults and
``--build-arg`` values), ``FROM <stage>`` and ``scratch`` are never reported, and a reference that
still depends on an ARG without a value is reported once, by DKL105, instead of being guessed at.

DKL101-DKL104 judge every image the build pulls: the base of each stage, and images named by
``COPY --from`` / ``RUN --mount=from``. A ``--from`` value that names a stage (or a stage
index), depends on an ARG without a value, or is a one-word name that is not an official image
(a named build context: ``--build-context``, bake ``contexts``) is not judged.

Tag policy (DKL101-DKL103), the exact rules:

* no tag and no digest -> DKL101; ``:latest`` without a digest -> DKL102;
* a digest (``@sha256:...``) pins the image whatever the tag says: none of DKL101-103 fire;
* DKL103 fires for (a) a tag made only of a channel word, with or without a variant
  (``lts``, ``stable``, ``edge``, ``current``, ``rolling``, ``nightly``, ``lts-alpine``...), on any
  image; (b) on images the knowledge base knows (python, node, alpine, golang, rust, pypy,
  debian, ubuntu...), a version with fewer components than that image needs to pin a release
  line (``python:3``, ``python:3-slim``, ``alpine:3``; ``node:20`` and ``debian:12`` are release
  lines and pass), or no version at all where the image needs one (``python:slim``, ``python:bookworm``,
  ``node:alpine``). Distro codenames pin a release on the distro's own image
  (``debian:bookworm-slim``, ``ubuntu:noble`` pass). Unknown images are judged only by (a): their
  versioning scheme (build numbers, dates, semver) is not known, and guessing would be noise.
"""

from __future__ import annotations

import re
from typing import Iterator, Optional, Tuple

from .._record import Record
from ..findings import Hit
from ..model.image import ImageRef
from ..model.spans import flag_span, from_image_span, from_image_word
from ._base import rule

_VERSION_RE = re.compile(r"^v?(\d+(?:\.\d+)*)")


def _image_span(stage) -> Tuple[int, int, int, int]:
    """Kept for modules not yet switched to :func:`dockerlint_py.model.spans.from_image_span`."""
    return from_image_span(stage)


def _image_stages(model):
    """Stages built on an image reference that could be resolved (not stages, not scratch)."""
    for stage in model.stages:
        if stage.parent is not None or stage.unresolved or stage.base_ref is None:
            continue
        if stage.base_ref.is_scratch:
            continue
        yield stage


class _Ref(Record):
    ref: ImageRef
    span: Tuple[int, int, int, int]
    shown: str  # the reference as the message names it
    what: str  # "base image", "image in `COPY --from`", ...


def _from_refs(model) -> Iterator[_Ref]:
    for stage in _image_stages(model):
        yield _Ref(stage.base_ref, from_image_span(stage), _shown(stage), "base image")


def _external(model, stage, ins, value: str):
    """The image a ``--from`` value names, or None: a stage (name or index), a value that
    depends on an ARG without a value, or a one-word name that may be a named build context."""
    from ..model.image import parse_image_ref
    from ..model.words import expand

    if not value:
        return None, value
    expanded, unresolved = expand(value, stage.vars_at(ins))
    if unresolved or not expanded or "$" in expanded:
        return None, expanded
    if expanded.isdigit() or any(st.name == expanded.lower() and st.index < stage.index for st in model.stages):
        return None, expanded
    ref = parse_image_ref(expanded)
    if ref is None or ref.is_scratch:
        return None, expanded
    return ref, expanded


def _other_refs(model) -> Iterator[_Ref]:
    """Images named by ``COPY/ADD --from=<image>`` and ``RUN --mount=...,from=<image>``."""
    for stage in model.stages:
        for ins in stage.instructions:
            if ins.keyword in ("COPY", "ADD"):
                flag = ins.flag("from")
                if flag is None or flag.value is None:
                    continue
                ref, text = _external(model, stage, ins, flag.value)
                if ref is not None:
                    shown = f"`{text}`" if text == flag.value else f"`{text}` (from `{flag.value}`)"
                    yield _Ref(ref, flag_span(flag), shown, f"`{ins.keyword} --from` image")
            elif ins.keyword == "RUN":
                for flag in ins.flags:
                    if flag.name != "mount" or not flag.value:
                        continue
                    for part in flag.value.split(","):
                        key, _, val = part.partition("=")
                        if key.strip().lower() != "from":
                            continue
                        ref, text = _external(model, stage, ins, val.strip())
                        if ref is not None:
                            yield _Ref(ref, flag_span(flag), f"`{text}`", "`RUN --mount=from` image")


def _refs(model) -> Iterator[_Ref]:
    yield from _from_refs(model)
    yield from _other_refs(model)


def _hit(r: "_Ref", message: str) -> Hit:
    line, col, eline, ecol = r.span
    return Hit(line, col, eline, ecol, message)


def _shown(stage) -> str:
    raw = from_image_word(stage)
    text = stage.base_text
    if raw and raw != text:
        return f"`{text}` (from `{raw}`)"
    return f"`{text}`"


_EXAMPLE_VERSIONS = {"python": "3.12", "pypy": "3.10", "node": "24", "alpine": "3.24", "golang": "1.25", "rust": "1.90"}
_EXAMPLE_TAGS = {"debian": "trixie-slim", "ubuntu": "24.04"}
# Node.js LTS codenames (each names one major: argon = 4 ... krypton = 24).
_NODE_CODENAMES = frozenset({"argon", "boron", "carbon", "dubnium", "erbium", "fermium", "gallium", "hydrogen", "iron", "jod", "krypton"})


def _current_variant(rest: str) -> str:
    """The variant part of a suggested tag without a distribution release that the suggested
    version is not built on (``-alpine3.6`` -> ``-alpine``, ``-buster-slim`` -> ``-slim``)."""
    words = [w for w in rest.split("-") if w]
    out = []
    for w in words:
        if w in _CODENAMES or w == "rc":  # a pre-release line is not part of a stable suggestion
            continue
        if w.startswith("alpine"):
            w = "alpine"
        out.append(w)
    return "".join("-" + w for w in out)


# Debian releases the official images are no longer built on: bullseye's LTS ended in August 2026
# and the docker-library/python snapshot in shared/corpus builds only bookworm, trixie and alpine.
_CODENAMES = frozenset({"jessie", "stretch", "buster", "bullseye"})


def _example(ref) -> str:
    """A concrete tag to suggest, keeping the variant the user chose (``3-alpine`` -> ``3.12-alpine``)."""
    repo = ref.repository
    if repo in _EXAMPLE_TAGS:
        return f", e.g. `{repo}:{_EXAMPLE_TAGS[repo]}`"
    version = _EXAMPLE_VERSIONS.get(repo)
    if version is None:
        return ""
    tag = ref.tag or "latest"
    m = _VERSION_RE.match(tag)
    if m:
        major = m.group(1).split(".")[0]
        if major != version.split(".")[0]:
            if repo == "python" and major == "2":
                return f", e.g. `python:2.7{_current_variant(tag[m.end():])}`"
            return ""  # another major line: no tag we know exists to suggest
        suggestion = version + _current_variant(tag[m.end():])
    elif tag == "latest" or tag.split("-")[0] in ("lts", "current", "stable", "edge"):
        rest = _current_variant(tag.split("-", 1)[1]) if "-" in tag else ""
        suggestion = version + (rest if rest else ("-slim" if repo == "python" else ""))
    elif repo == "python" or tag.split("-")[0] in ("slim", "alpine", "bookworm", "bullseye", "trixie", "buster"):
        suggestion = f"{version}{_current_variant('-' + tag)}"
    else:
        return ""
    return f", e.g. `{repo}:{suggestion}`"


@rule(code="DKL101", name="image-untagged", severity="warning", tags=("reproducibility",), hadolint=("DL3006",))
def image_untagged(model) -> Iterator[Hit]:
    """Base image without a tag or digest (it means `:latest`).

    ## What it does
    Reports a `FROM` whose image, after ARG substitution, has neither a tag nor a digest, and
    likewise an image named by `COPY --from=<image>` or `RUN --mount=from=<image>` (stages,
    ARG-dependent values and named build contexts are not images and are not judged). An
    image whose name carries its release (`gcr.io/distroless/base-debian12`, `ubi9/ubi`) is
    not reported: its `latest` only brings rebuilds of that release (DKL104 asks for a digest).

    ## Why is this bad?
    An untagged reference is `:latest`: every build can get a different Python, a different
    distro and a different libc. A rebuild months later silently moves to a new major release,
    and the wheels your requirements resolved to may no longer exist for it.

    ## How to fix
    Pin a tag that names the release line you test against (`python:3.12-slim`), or a digest.

    ## Bad
    ```dockerfile
    FROM python
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-slim
    ```

    A one-word name that is not a Docker Hub official image (`FROM base`) is not reported: it
    is as likely a named build context (`docker buildx bake` `contexts`, `--build-context`) as
    a local image, and neither means `:latest` from a registry.

    ## References
    - hadolint DL3006 (which does not resolve ARGs: `FROM $BASE` is skipped there, resolved here)
    """
    from ..knowledge import is_official_image

    for r in _refs(model):
        ref = r.ref
        if ref.tag is None and ref.digest is None:
            if ref.registry is None and "/" not in ref.path and not is_official_image(ref):
                continue  # maybe a named build context (bake `contexts`, --build-context)
            if _release_in_name(ref):
                continue  # `distroless/base-debian12`: its latest only gets that release's rebuilds
            yield _hit(r, f"{r.what} {r.shown} has no tag, so it is `:latest` and moves; {_tag_advice(ref)}{_example(ref)}")


@rule(code="DKL102", name="image-latest", severity="warning", tags=("reproducibility",), hadolint=("DL3007",))
def image_latest(model) -> Iterator[Hit]:
    """Base image pinned to `:latest`.

    ## What it does
    Reports a `FROM` whose image tag, after ARG substitution, is `latest` (and has no digest),
    and an image named by `COPY --from=<image>` or `RUN --mount=from=<image>` with that tag
    (`COPY --from=ghcr.io/astral-sh/uv:latest` brings whatever uv was released last). Not
    reported for an image whose name carries its release (`distroless/python3-debian12:latest`).

    ## Why is this bad?
    `latest` moves with every upstream release: the Python minor version, the distro release and
    even the libc can change between two builds of the same commit.

    ## How to fix
    Use a tag that names a release line (`python:3.12-slim`, `alpine:3.22`) or pin a digest.

    ## Bad
    ```dockerfile
    FROM python:latest
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-slim-bookworm
    ```

    ## References
    - hadolint DL3007
    """
    for r in _refs(model):
        ref = r.ref
        if ref.tag == "latest" and ref.digest is None and not _release_in_name(ref):
            yield _hit(r, f"{r.what} {r.shown} is `latest`, which moves with every release; {_tag_advice(ref)}{_example(ref)}")


# `${templateOption:imageVariant}`: not a Dockerfile substitution (BuildKit knows only `:-`, `:+`,
# `:?` and their colon-less forms); a template tool fills it before anything builds the file.
_TEMPLATE_RE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:[^-+?]")


def _release_in_name(ref) -> bool:
    """An image the knowledge base knows whose versions are in its name, not its tags
    (`gcr.io/distroless/base-debian12`, `ubi9/ubi`), named with its release: `latest` then only
    brings rebuilds of that release (DKL104 asks for a digest)."""
    from ..knowledge import image_info

    info = image_info(ref)
    if info is not None and info.version_depth == 0 and re.search(r"(?:debian|ubuntu|ubi|rhel)\d+(?:[-_/]|$)", ref.path):
        return True
    # any image whose last name component ends in a distribution release (`nodejs18-debian11`,
    # `google/ubuntu2404`)
    if any(re.fullmatch(r"ubi\d{1,2}(?:-\w+)?", part) for part in ref.path.split("/")[:-1]):
        return True  # `ubi9/nginx-124`: Red Hat's application images per UBI release
    return bool(re.search(r"(?:(?:^|-)debian\d{1,2}|ubuntu\d{2}_?\d{2}|(?:^|-)ubi\d{1,2}|-(?:bookworm|bullseye|trixie|noble|jammy))$", ref.path.rsplit("/", 1)[-1]))


def _tag_advice(ref) -> str:
    from ..knowledge import image_info

    info = image_info(ref)
    if info is not None and info.version_depth == 0:
        return "name a release (`-debian12`) or pin a digest"  # its tags carry no versions
    return "pin a release tag"


def floating_reason(ref) -> Optional[str]:
    """Why ``ref``'s tag floats across releases, or None. (The policy in the module docstring.)"""
    from ..knowledge import channel_words, image_info

    tag = ref.tag
    if tag is None or ref.digest is not None or tag == "latest":
        return None
    tokens = [t for t in re.split(r"[-_]", tag.lower()) if t]
    channels = channel_words()
    if _frozen_variant(tokens) or (ref.repository == "tensorflow/tensorflow" and "py3" in tokens):
        # a variant nobody builds any more (`node:lts-buster`; TensorFlow's `-py3` tags ended
        # with 2.1): the tag no longer moves
        return None
    if tokens and tokens[0] in channels:
        if any(re.fullmatch(r"(?:19|20)\d{6}|[0-9a-f]{7,40}", t) and any(c.isdigit() for c in t) for t in tokens[1:]):
            return None  # `nightly-20260701-6af3d12`: one dated build of the channel, not the channel
        return f"`{tokens[0]}` is a channel that moves"
    info = image_info(ref)
    if info is None:
        return None
    if _frozen_variant(tokens):
        return None  # a variant nobody builds any more (`rust:buster`): the tag no longer moves
    m = _VERSION_RE.match(tag)
    if m:
        parts = m.group(1).split(".")
        if info.family == "python" and parts[0] == "2":
            return None  # Python 2 ended at 2.7: `python:2` names one frozen release
        if len(parts) < info.version_depth:
            return f"across {info.family} minor releases"
        return None
    if any(t in info.release_words for t in tokens):
        return None
    if info.family == "node" and tokens and tokens[0] in _NODE_CODENAMES:
        return None  # `node:dubnium-alpine` is Node 10: a release line, like `node:10-alpine`
    if info.needs_version:
        return f"no version: it follows the newest {info.family} release"
    return None


def _frozen_variant(tokens) -> bool:
    """Variants of end-of-life distribution releases, which the official images stopped
    building: Debian jessie, stretch and buster, and Alpine releases before 3.19."""
    for t in tokens:
        if t in _CODENAMES:
            return True
        m = re.fullmatch(r"alpine(\d+)\.(\d+)", t)
        if m and (int(m.group(1)), int(m.group(2))) < (3, 19):
            return True
    return False


def _pin_advice(ref) -> str:
    """What "pinned" means for this image: a release (codename or version) for a distribution
    whose versions have one number or names, MAJOR.MINOR elsewhere."""
    from ..knowledge import image_info

    info = image_info(ref)
    if info is not None and (info.version_depth <= 1 or info.release_words):
        return "pin a release"
    return "pin MAJOR.MINOR"


@rule(code="DKL103", name="image-floating-tag", severity="warning", tags=("reproducibility",))
def image_floating_tag(model) -> Iterator[Hit]:
    """Base image tag that floats across minor or major releases.

    ## What it does
    Reports tags that move across releases: major-only versions (`python:3`, `python:3-slim`,
    `alpine:3`; a Node.js major such as `node:20` or its codename `node:iron` is a release
    line and passes), channel tags (`lts`, `stable`, `edge`, `current`...; a dated build of a
    channel such as `nightly-20260701-6af3d12` is fixed; so is a variant of an end-of-life
    release the images are no longer built on, such as `rust:buster`) and, on images
    that need a version, variant-only tags (`python:slim`, `python:alpine`, `python:bookworm`).
    `MAJOR.MINOR` tags (`python:3.12-slim`) pass; distro codenames pass on the distro's own image
    (`debian:bookworm-slim`). Images named by `COPY --from=<image>` and
    `RUN --mount=from=<image>` are judged the same way. See the module documentation for the
    exact policy.

    ## Why is this bad?
    `python:3-alpine` moved from 3.14 to 3.15 when 3.15 was released: the same Dockerfile then
    builds against a Python for which many packages have no wheel yet (frozenlist, h5py,
    zstandard had no cp315 musllinux wheel on release), turning a 20-second install into a
    source build or a failure.

    ## How to fix
    Pin at least `MAJOR.MINOR` (`python:3.12-slim`); pin the distro as well
    (`python:3.12-slim-bookworm`) when you depend on its packages.

    ## Bad
    ```dockerfile
    FROM python:3-slim
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-slim
    ```
    """
    for r in _refs(model):
        reason = floating_reason(r.ref)
        if reason:
            yield _hit(r, f"{r.what} {r.shown} floats ({reason}); {_pin_advice(r.ref)}{_example(r.ref)}")


@rule(code="DKL104", name="image-not-digest-pinned", severity="info", enabled=False, tags=("reproducibility", "supply-chain"))
def image_not_digest_pinned(model) -> Iterator[Hit]:
    """Base image not pinned by digest (opt-in).

    ## What it does
    Reports a `FROM` without an `@sha256:` digest. Not enabled by default: select it with
    `--select DKL104` or `extend-select = ["DKL104"]`.

    ## Why is this bad?
    Even a fully qualified tag (`python:3.12.7-slim-bookworm`) is rebuilt by its publisher for OS
    updates; only a digest is immutable. Teams with strict reproducibility or supply-chain
    requirements pin digests and let a bot (Renovate, Dependabot) update them.

    ## How to fix
    Append the digest: `FROM python:3.12-slim@sha256:<digest>`.

    ## Bad
    ```dockerfile
    FROM python:3.12-slim
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-slim@sha256:2ec5a4a5c3e919570f57675471f081d6299668d909feabd8d4803c6c61af666c
    ```
    """
    for r in _refs(model):
        if r.ref.digest is None:
            yield _hit(r, f"{r.what} {r.shown} is not pinned by digest; append `@sha256:<digest>`")


@rule(code="DKL105", name="image-unresolved", severity="info", tags=("reproducibility",))
def image_unresolved(model) -> Iterator[Hit]:
    """Base image depends on an ARG without a value: it cannot be checked.

    ## What it does
    Reports a `FROM` whose reference uses a build argument that has no default and was not given
    with `--build-arg` (on the command line or `build-args` in the configuration). Such a base is
    never reported as untagged or `latest`: it is unknown, and the checks that need the base
    image (libc, CA bundle, Python version) are skipped for that stage.

    ## Why is this bad?
    It is not wrong in itself; it tells you what dockerlint could not check. Give the ARG a
    default, or pass the value you build with (`--build-arg PYTHON_VERSION=3.12`).

    ## Bad
    ```dockerfile
    ARG BASE_IMAGE
    FROM ${BASE_IMAGE}
    ```

    ## Good
    ```dockerfile
    ARG BASE_IMAGE=python:3.12-slim
    FROM ${BASE_IMAGE}
    ```
    """
    for stage in model.stages:
        if stage.parent is not None or not stage.unresolved:
            continue
        names = sorted(stage.unresolved)
        declared = [n for n in names if n in model.global_args]
        undeclared = [n for n in names if n not in model.global_args]
        parts = []
        if declared:
            parts.append("ARG " + ", ".join(declared) + " without a value")
        if undeclared:
            parts.append(", ".join(undeclared) + " not declared before FROM")
        raw = from_image_word(stage)
        if _TEMPLATE_RE.search(raw) or any(ins.keyword == "ARG" and _TEMPLATE_RE.search(ins.args_text) for ins in model.instructions if ins.start_line < stage.from_instruction.start_line):
            continue  # `${templateOption:variant}`: a template tool's placeholder, not a build ARG
        line, col, eline, ecol = from_image_span(stage)
        yield Hit(line, col, eline, ecol, f"base image `{raw}` is unknown ({'; '.join(parts)}): base-dependent checks skipped")


RULES = [image_untagged, image_latest, image_floating_tag, image_not_digest_pinned, image_unresolved]
