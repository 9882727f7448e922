"""The build context on the host: which files COPY/ADD can see (``.dockerignore`` honoured).

The context is the Dockerfile's directory unless the user names one (``--context DIR``). When
the context was not named and a COPY source is not there, the directories above it (up to the
repository root, at most four levels) are tried: many projects build with the repository root
as context and keep the Dockerfile in a sub-directory. Paths never escape the context root.
"""

from __future__ import annotations

import glob as _glob
import os
import re
from typing import List, Optional, Tuple

__all__ = ["BuildContext"]

_MAX_UP = 4


def _ignore_regex(pattern: str) -> "re.Pattern[str]":
    """A .dockerignore pattern (Go filepath.Match plus ``**``) as a regular expression."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            if i < len(pattern) and pattern[i] == "/":
                i += 1  # "**/x" also matches "x" at the top
                out[-1] = "(?:.*/)?"
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pattern.find("]", i)
            if j < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : j].replace("\\", "\\\\")
                if body.startswith("!") or body.startswith("^"):
                    body = "^" + body[1:]
                out.append("[" + body + "]")
                i = j
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    # a pattern matching a directory excludes everything below it
    return re.compile("^" + "".join(out) + "(?:/.*)?$")


class BuildContext:
    def __init__(self, root: str, explicit: bool = False, dockerfile: Optional[str] = None) -> None:
        self.root = os.path.abspath(root)
        self.explicit = explicit
        self._roots: List[str] = [self.root]
        if not explicit:
            cur = self.root
            for _ in range(_MAX_UP):
                if os.path.isdir(os.path.join(cur, ".git")):
                    break
                parent = os.path.dirname(cur)
                if parent == cur:
                    break
                self._roots.append(parent)
                cur = parent
        self._ignores = {r: self._load_ignore(r, dockerfile) for r in self._roots}

    @staticmethod
    def _load_ignore(root: str, dockerfile: Optional[str]) -> List[Tuple[bool, "re.Pattern[str]"]]:
        candidates = []
        if dockerfile:
            candidates.append(os.path.join(root, os.path.basename(dockerfile) + ".dockerignore"))
        candidates.append(os.path.join(root, ".dockerignore"))
        for c in candidates:
            try:
                with open(c, encoding="utf-8", errors="replace") as fh:
                    lines = fh.read().splitlines()
            except OSError:
                continue
            out = []
            for line in lines:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                neg = line.startswith("!")
                pat = os.path.normpath(line[1:] if neg else line).replace(os.sep, "/").lstrip("/")
                if pat in (".", ""):
                    continue
                out.append((neg, _ignore_regex(pat)))
            return out
        return []

    def ignored(self, rel: str, root: Optional[str] = None) -> bool:
        rel = rel.replace(os.sep, "/").lstrip("/")
        verdict = False
        for neg, rx in self._ignores.get(root or self.root, ()):
            if rx.match(rel):
                verdict = not neg
        return verdict

    def _inside(self, root: str, rel: str) -> Optional[str]:
        rel = rel.lstrip("/")
        path = os.path.normpath(os.path.join(root, rel))
        if os.path.commonpath([root, path]) != root:
            return None
        return path

    def resolve(self, src: str) -> List[Tuple[str, str, str]]:
        """Host matches of a COPY source: [(absolute path, path relative to its root, root)].

        Globs are expanded; ignored files are dropped. The first root with a match wins."""
        src = src.replace("\\", "/")
        for root in self._roots:
            base = self._inside(root, src)
            if base is None:
                continue
            if any(ch in src for ch in "*?["):
                matches = sorted(_glob.glob(base))
            else:
                matches = [base] if os.path.exists(base) else []
            out = []
            for m in matches:
                rel = os.path.relpath(m, root).replace(os.sep, "/")
                if rel == ".":
                    rel = ""
                if rel and self.ignored(rel, root):
                    continue
                out.append((m, rel, root))
            if out:
                return out
        return []

    def file_in_dir(self, host_dir: str, root: str, sub: str) -> Optional[str]:
        """``sub`` inside a copied host directory, when it exists and is not ignored."""
        path = self._inside(host_dir, sub)
        if path is None or not os.path.isfile(path):
            return None
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        if self.ignored(rel, root):
            return None
        return path
