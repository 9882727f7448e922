"""The project's own exception types. Anything else escaping is an internal error."""

from __future__ import annotations

from typing import Optional


class DockerlintError(Exception):
    """Base class for errors reported to the user with a path (and line when known)."""

    def __init__(self, path: str, line: Optional[int], message: str) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class DockerfileParseError(DockerlintError):
    """The Dockerfile cannot be parsed (BuildKit would reject it too)."""


class ManifestError(DockerlintError):
    """A Python dependency manifest cannot be read or parsed."""


class ConfigError(DockerlintError):
    """The configuration file is unreadable or malformed."""
