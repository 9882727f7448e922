"""The one way this package reads a file from the linted repository.

Every read of a Dockerfile, manifest, ``.dockerignore``, configuration file or fix target goes
through :func:`read_bytes`, which guarantees:

* only regular files are read: a FIFO, socket, device (``/dev/zero``, ``/dev/urandom``) or
  directory is refused. The file is opened with ``O_NONBLOCK`` (a FIFO cannot block the open)
  and checked again with ``fstat`` on the open descriptor, so a file swapped between the check
  and the open is still refused;
* at most ``limit`` bytes are read (the cap is checked on the size and again while reading, for
  files that grow);
* with a ``root``, the file must lie inside it, also after resolving symlinks: a committed
  symlink that points outside the build context or repository is not followed.

Failures are returned as a short reason, never raised. :func:`excerpt` makes untrusted text safe
to quote in a message (short, printable, one line).
"""

from __future__ import annotations

import os
import stat
from typing import Dict, List, Optional, Tuple

__all__ = ["read_bytes", "inside", "repo_root", "excerpt", "MAX_BYTES", "MAX_SMALL_BYTES", "MAX_DOCKERFILE_BYTES"]

MAX_BYTES = 5 * 1024 * 1024  # manifests
MAX_SMALL_BYTES = 1024 * 1024  # configuration files, .dockerignore
MAX_DOCKERFILE_BYTES = 16 * 1024 * 1024

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


def _size_text(limit: int) -> str:
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    return f"{limit} bytes"


def inside(path: str, root: str) -> bool:
    """True when ``path`` is ``root`` or below it, lexically and after resolving symlinks."""
    root_abs = os.path.abspath(root)
    path_abs = os.path.abspath(path)
    try:
        if os.path.commonpath([root_abs, path_abs]) != root_abs:
            return False
        root_real = os.path.realpath(root_abs)
        path_real = os.path.realpath(path_abs)
        return os.path.commonpath([root_real, path_real]) == root_real
    except ValueError:  # different drives (Windows)
        return False


def read_bytes(path: str, *, root: Optional[str] = None, limit: int = MAX_BYTES, what: str = "file") -> Tuple[Optional[bytes], Optional[str]]:
    """(data, None) or (None, reason). Never raises for a problem with the file."""
    if root is not None and not inside(path, root):
        return None, "symlink or path points outside the build context or repository; not followed"
    try:
        st = os.stat(path)
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    if stat.S_ISDIR(st.st_mode):
        return None, "is a directory"
    if not stat.S_ISREG(st.st_mode):
        return None, "not a regular file (FIFO, socket or device); not read"
    if st.st_size > limit:
        return None, f"larger than {_size_text(limit)}; not read"
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    try:
        fst = os.fstat(fd)
        if not stat.S_ISREG(fst.st_mode):
            return None, "not a regular file (FIFO, socket or device); not read"
        chunks = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                return None, f"larger than {_size_text(limit)}; not read"
        return b"".join(chunks), None
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    finally:
        os.close(fd)


_REPO_CACHE: Dict[str, Optional[str]] = {}


def repo_root(start: str) -> Optional[str]:
    """The nearest directory at or above ``start`` that holds ``.git`` (a directory or a file)."""
    cur = os.path.abspath(start)
    if os.path.isfile(cur):
        cur = os.path.dirname(cur)
    if cur in _REPO_CACHE:
        return _REPO_CACHE[cur]
    seen = []
    found: Optional[str] = None
    while True:
        if cur in _REPO_CACHE:
            found = _REPO_CACHE[cur]
            break
        seen.append(cur)
        if os.path.lexists(os.path.join(cur, ".git")):
            found = cur
            break
        parent = os.path.dirname(cur)
        if parent == cur:
            break
        cur = parent
    for s in seen:
        _REPO_CACHE[s] = found
    return found


def excerpt(text: str, limit: int = 40, quote: bool = True) -> str:
    """At most ``limit`` characters of untrusted text, printable, on one line (quoted)."""
    out: List[str] = []
    for ch in text:
        if len(out) >= limit:
            out.append("…")
            break
        out.append(ch if ch.isprintable() and ch not in "\u2028\u2029" else "?")
    body = "".join(out)
    return "'" + body.replace("'", "\\'") + "'" if quote else body
