"""Container image references: ``[registry[:port]/]path[:tag][@digest]``."""

from __future__ import annotations

from typing import Optional
from .._record import Record

__all__ = ["ImageRef", "parse_image_ref"]

_HUB_REGISTRIES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"})


class ImageRef(Record):
    raw: str
    registry: Optional[str]  # None for Docker Hub
    path: str  # repository path without registry; official Hub images without "library/"
    tag: Optional[str]
    digest: Optional[str]

    @property
    def repository(self) -> str:
        """The canonical repository name used for knowledge look-ups (``python``, ``ghcr.io/o/n``)."""
        return self.path if self.registry is None else f"{self.registry}/{self.path}"

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def is_scratch(self) -> bool:
        return self.registry is None and self.path == "scratch"

    def with_tag(self, tag: str) -> str:
        return f"{self.repository}:{tag}"


def parse_image_ref(raw: str) -> Optional[ImageRef]:
    """Parse an image reference; None when it is not one (empty, spaces, bad characters)."""
    ref = raw.strip()
    if not ref or any(c.isspace() for c in ref):
        return None
    digest: Optional[str] = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
        if not digest:
            return None
    registry: Optional[str] = None
    first, sep, rest = ref.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        registry = first
        remainder = rest
    else:
        remainder = ref
    tag: Optional[str] = None
    last_slash = remainder.rfind("/")
    colon = remainder.rfind(":")
    if colon > last_slash:
        tag = remainder[colon + 1 :]
        remainder = remainder[:colon]
        if not tag:
            return None
    if not remainder or remainder != remainder.lower():
        return None  # repository names are lowercase: this is not a valid reference
    if registry is not None and registry.lower() in _HUB_REGISTRIES:
        registry = None
    if registry is None and remainder.startswith("library/") and remainder.count("/") == 1:
        remainder = remainder[len("library/") :]
    return ImageRef(raw, registry, remainder, tag, digest)
