"""The build context on the host: which files COPY/ADD can see (``.dockerignore`` honoured).

The context is the Dockerfile's directory unless the user names one (``--context DIR``). When
the context was not named and a COPY source is not there, the directories above it up to the
repository root (the nearest directory holding ``.git``, at most four levels up) are tried: many
projects build with the repository root as context and keep the Dockerfile in a sub-directory.
Without a repository root above, only the Dockerfile's directory is the context. Paths never
escape the context root, also through symlinks; COPY globs do not follow symlinked directories
(so a symlink loop such as ``a -> .`` cannot make a glob exponential).
"""

from __future__ import annotations

import os
import stat
from typing import List, Optional, Tuple

from ..safe_read import MAX_SMALL_BYTES, inside, read_bytes

__all__ = ["BuildContext"]

_MAX_UP = 4


def _segment_match(pat: str, name: str) -> bool:
    """Go ``filepath.Match`` on one path segment (``*``, ``?``, ``[...]``, ``\\x``), by dynamic
    programming over (pattern, name) positions: linear-time per state, no backtracking blow-up
    whatever the (untrusted) .dockerignore pattern."""
    tokens = []
    i = 0
    while i < len(pat):
        c = pat[i]
        if c == "*":
            if not tokens or tokens[-1] != ("*",):
                tokens.append(("*",))
        elif c == "?":
            tokens.append(("?",))
        elif c == "[":
            j = pat.find("]", i + 2)
            if j < 0:
                tokens.append(("lit", c))
            else:
                body = pat[i + 1 : j]
                neg = body[:1] in ("!", "^")
                tokens.append(("set", neg, body[1:] if neg else body))
                i = j
        elif c == "\\" and i + 1 < len(pat):
            i += 1
            tokens.append(("lit", pat[i]))
        else:
            tokens.append(("lit", c))
        i += 1

    def one(tok, ch: str) -> bool:
        if tok[0] == "?":
            return True
        if tok[0] == "lit":
            return tok[1] == ch
        neg, body = tok[1], tok[2]
        hit = False
        k = 0
        while k < len(body):
            if k + 2 < len(body) and body[k + 1] == "-":
                hit = hit or body[k] <= ch <= body[k + 2]
                k += 3
            else:
                hit = hit or body[k] == ch
                k += 1
        return hit != neg

    # states: set of token positions reachable after consuming name[:n]
    states = {0}
    def close(st):
        out = set(st)
        for p in sorted(st):
            q = p
            while q < len(tokens) and tokens[q] == ("*",):
                q += 1
                out.add(q)
        return out
    states = close(states)
    for ch in name:
        nxt = set()
        for p in states:
            if p < len(tokens):
                tok = tokens[p]
                if tok == ("*",):
                    nxt.add(p)
                elif one(tok, ch):
                    nxt.add(p + 1)
        states = close(nxt)
        if not states:
            return False
    return len(tokens) in states


def _pattern_match(pattern: str, rel: str) -> bool:
    """Does a .dockerignore pattern match ``rel`` or one of its parent directories?
    ``**`` matches any number of segments (including none)."""
    pats = [p for p in pattern.split("/") if p != ""]
    parts = [p for p in rel.split("/") if p != ""]
    # reachable pattern positions after each path segment; a match of a prefix of the path
    # (a parent directory) also counts, since excluding a directory excludes what is inside
    def close(st):
        out = set(st)
        for p in list(st):
            q = p
            while q < len(pats) and pats[q] == "**":
                q += 1
                out.add(q)
        return out
    states = close({0})
    for part in parts:
        if len(pats) in states:
            return True
        nxt = set()
        for p in states:
            if p < len(pats):
                if pats[p] == "**":
                    nxt.add(p)
                elif _segment_match(pats[p], part):
                    nxt.add(p + 1)
        states = close(nxt)
        if not states:
            return False
    return len(pats) in states


class BuildContext:
    def __init__(self, root: str, explicit: bool = False, dockerfile: Optional[str] = None) -> None:
        self.root = os.path.abspath(root)
        self.explicit = explicit
        self._roots: List[str] = [self.root]
        self._unread_parents: List[str] = []  # parents not used as context: no repository root bounds them
        if not explicit:
            cur = self.root
            parents: List[str] = []
            for _ in range(_MAX_UP):
                if os.path.lexists(os.path.join(cur, ".git")):
                    # the parents are candidates only up to a repository root
                    self._roots.extend(parents)
                    break
                parent = os.path.dirname(cur)
                if parent == cur:
                    break
                parents.append(parent)
                cur = parent
            else:
                if os.path.lexists(os.path.join(cur, ".git")):
                    self._roots.extend(parents)
            if len(self._roots) == 1:
                self._unread_parents = parents
        self._ignores = {r: self._load_ignore(r, dockerfile) for r in self._roots}

    @staticmethod
    def _load_ignore(root: str, dockerfile: Optional[str]) -> List[Tuple[bool, str]]:
        candidates = []
        if dockerfile:
            candidates.append(os.path.join(root, os.path.basename(dockerfile) + ".dockerignore"))
        candidates.append(os.path.join(root, ".dockerignore"))
        for c in candidates:
            if not os.path.lexists(c):
                continue
            data, _reason = read_bytes(c, root=root, limit=MAX_SMALL_BYTES)
            if data is None:
                continue  # a device, FIFO, oversized file or symlink out of the context
            lines = data.decode("utf-8", "replace").splitlines()
            out = []
            for line in lines:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                neg = line.startswith("!")
                pat = os.path.normpath(line[1:] if neg else line).replace(os.sep, "/").lstrip("/")
                if pat in (".", ""):
                    continue
                out.append((neg, pat))
            return out
        return []

    def ignored(self, rel: str, root: Optional[str] = None) -> bool:
        rel = rel.replace(os.sep, "/").lstrip("/")
        verdict = False
        for neg, pat in self._ignores.get(root or self.root, ()):
            if _pattern_match(pat, rel):
                verdict = not neg
        return verdict

    def _inside(self, root: str, rel: str) -> Optional[str]:
        rel = rel.lstrip("/")
        path = os.path.normpath(os.path.join(root, rel))
        if os.path.commonpath([root, path]) != root:
            return None
        return path

    _MAX_GLOB_MATCHES = 10000

    def _glob(self, root: str, pattern: str) -> List[str]:
        """Matches of a COPY glob below ``root``, one path segment at a time with the
        .dockerignore segment matcher. Symlinked directories are not descended into (a link
        loop would otherwise multiply the matches); a symlinked file may match."""
        parts = [p for p in pattern.split("/") if p not in ("", ".")]
        current = [root]
        for k, part in enumerate(parts):
            last = k == len(parts) - 1
            nxt: List[str] = []
            for d in current:
                if any(ch in part for ch in "*?["):
                    try:
                        names = sorted(os.listdir(d))
                    except OSError:
                        continue
                    cands = [os.path.join(d, n) for n in names if (not n.startswith(".") or part.startswith(".")) and _segment_match(part, n)]
                else:
                    cands = [os.path.join(d, part)]
                for c in cands:
                    try:
                        st = os.lstat(c)
                    except OSError:
                        continue
                    if not last and not stat.S_ISDIR(st.st_mode):
                        continue  # only real directories are descended into
                    nxt.append(c)
                    if len(nxt) > self._MAX_GLOB_MATCHES:
                        return []
            current = nxt
            if not current:
                return []
        return current

    def resolve(self, src: str) -> List[Tuple[str, str, str]]:
        """Host matches of a COPY source: [(absolute path, path relative to its root, root)].

        Globs are expanded; ignored files are dropped. The first root with a match wins."""
        src = src.replace("\\", "/")
        for root in self._roots:
            base = self._inside(root, src)
            if base is None:
                continue
            if any(ch in src for ch in "*?["):
                matches = self._glob(root, os.path.relpath(base, root).replace(os.sep, "/"))
            else:
                matches = [base] if os.path.exists(base) else []
            out = []
            for m in matches:
                if not inside(m, root):
                    continue  # a symlink out of the context: docker cannot see it either
                rel = os.path.relpath(m, root).replace(os.sep, "/")
                if rel == ".":
                    rel = ""
                if rel and self.ignored(rel, root):
                    continue
                out.append((m, rel, root))
            if out:
                return out
        return []

    def maybe_elsewhere(self, src: str) -> bool:
        """True when ``src`` is not in the context but exists in a parent directory that may be
        the real build context (no repository root tells): unknown, not missing. The parent's
        file is only tested for existence, never read."""
        if any(ch in src for ch in "*?["):
            return False
        for parent in self._unread_parents:
            path = self._inside(parent, src.replace("\\", "/"))
            if path is not None and os.path.lexists(path):
                return True
        return False

    def file_in_dir(self, host_dir: str, root: str, sub: str) -> Optional[str]:
        """``sub`` inside a copied host directory, when it exists and is not ignored."""
        path = self._inside(host_dir, sub)
        if path is None or not os.path.isfile(path) or not inside(path, root):
            return None
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        if self.ignored(rel, root):
            return None
        return path
