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
from typing import TYPE_CHECKING, AbstractSet, Iterable, List, Optional, Sequence, Set, Tuple

from ..safe_read import MAX_SMALL_BYTES, inside, read_bytes

__all__ = ["BuildContext"]

_MAX_UP = 4

if TYPE_CHECKING:
    from typing import Literal, Union

    # matcher tokens: an operator, a literal character, or a character class (negated?, ranges)
    _Op = Tuple[Literal["*", "?", "dotstar", "dirs", "dirs-loop"]]
    _Lit = Tuple[Literal["lit"], str]
    _Class = Tuple[Literal["set"], bool, Tuple[Tuple[str, str], ...]]
    _Token = Union[_Op, _Lit, _Class]


def _class_at(pat: str, i: int) -> Optional[Tuple[_Class, int]]:
    """The character class opening at ``pat[i] == "["`` as Go reads it: ``^`` negates (``!`` is
    an ordinary member), ``\\x`` is ``x``, ``a-z`` a range. -> (token, index after ``]``), or
    None when it is not closed (Docker rejects such a pattern)."""
    k = i + 1
    neg = pat[k : k + 1] == "^"
    if neg:
        k += 1
    items: List[Tuple[str, str]] = []
    first = True
    while k < len(pat):
        c = pat[k]
        if c == "]" and not first:
            return ("set", neg, tuple(items)), k + 1
        if c == "\\" and k + 1 < len(pat):
            k += 1
            c = pat[k]
        lo = hi = c
        k += 1
        if k + 1 < len(pat) and pat[k] == "-" and pat[k + 1] != "]":
            hi = pat[k + 1]
            if hi == "\\" and k + 2 < len(pat):
                k += 1
                hi = pat[k + 1]
            k += 2
        items.append((lo, hi))
        first = False
    return None


def _tokens(pat: str, whole: bool) -> List[_Token]:
    """A pattern as matcher tokens. ``whole``: the pattern spans the whole path (``/`` is a
    character, ``**`` crosses directories), as Docker compiles a .dockerignore line; else one
    path segment (a COPY glob part), where ``**`` is ``*``."""
    tokens: List[_Token] = []
    i = 0
    n = len(pat)
    while i < n:
        c = pat[i]
        if c == "*":
            if whole and pat[i + 1 : i + 2] == "*":
                j = i + 2
                if pat[j : j + 1] == "/":
                    j += 1
                if j >= n:
                    tokens.append(("dotstar",))  # `**` at the end: anything, `/` included
                elif i == 0 and j == 2 and not any(ch in pat[j:] for ch in "*?[]\\"):
                    tokens.append(("dotstar",))  # Docker's suffix match: `**file` is any path ending in "file"
                else:
                    tokens += [("dirs",), ("dirs-loop",)]  # `(.*/)?`: nothing, or anything up to a `/`
                i = j
                continue
            if not tokens or tokens[-1] != ("*",):
                tokens.append(("*",))
        elif c == "?":
            tokens.append(("?",))
        elif c == "[":
            cls = _class_at(pat, i)
            if cls is not None:
                tokens.append(cls[0])
                i = cls[1]
                continue
            tokens.append(("lit", c))
        elif c == "\\" and i + 1 < n:
            i += 1
            tokens.append(("lit", pat[i]))
        else:
            tokens.append(("lit", c))
        i += 1
    return tokens


def _in_set(tok: _Class, ch: str) -> bool:
    return any(lo <= ch <= hi for lo, hi in tok[2]) != tok[1]


def _closure(tokens: Sequence[_Token], states: Iterable[int]) -> Set[int]:
    out = set(states)
    todo = list(states)
    while todo:
        p = todo.pop()
        if p < len(tokens):
            kind = tokens[p][0]
            q = p + 2 if kind == "dirs" else p + 1 if kind in ("*", "dotstar") else None
            if q is not None and q not in out:
                out.add(q)
                todo.append(q)
    return out


def _step(tokens: Sequence[_Token], states: AbstractSet[int], ch: str) -> Set[int]:
    nxt: Set[int] = set()
    for p in states:
        if p >= len(tokens):
            continue
        tok = tokens[p]  # tested as `tok[0] == ...`, which narrows the token's type
        if tok[0] == "lit":
            if tok[1] == ch:
                nxt.add(p + 1)
        elif tok[0] == "?":
            if ch != "/":
                nxt.add(p + 1)
        elif tok[0] == "*":
            if ch != "/":
                nxt.add(p)
        elif tok[0] == "set":
            if _in_set(tok, ch):
                nxt.add(p + 1)
        elif tok[0] == "dotstar":
            nxt.add(p)
        elif tok[0] == "dirs":
            nxt.add(p + 2 if ch == "/" else p + 1)
            if ch == "/":
                nxt.add(p + 1)
        elif tok[0] == "dirs-loop":
            nxt.add(p)
            if ch == "/":
                nxt.add(p + 1)
    return _closure(tokens, nxt)


def _segment_match(pat: str, name: str) -> bool:
    """Go ``filepath.Match`` on one path segment (``*``, ``?``, ``[...]``, ``\\x``), by a state
    set over pattern positions: linear-time per character, no backtracking blow-up whatever the
    (untrusted) pattern."""
    tokens = _tokens(pat, whole=False)
    states = _closure(tokens, {0})
    for ch in name:
        states = _step(tokens, states, ch)
        if not states:
            return False
    return len(tokens) in states


def _pattern_match(pattern: str, rel: str) -> bool:
    """Does a (cleaned) .dockerignore pattern match ``rel`` or one of its parent directories,
    as Docker's pattern matcher decides? The pattern spans the whole path: ``*`` and ``?`` stop
    at ``/``, ``**`` crosses directories (``**/x``: any depth, none included; a trailing ``**``:
    everything below), a pattern starting with ``**`` and otherwise literal matches as a
    suffix (``**.pyc``), ``[^...]`` negates a class. Checked against Docker's own test vectors
    in ``tests/test_oracle_dockerignore.py``."""
    tokens = _tokens(pattern, whole=True)
    end = len(tokens)
    states = _closure(tokens, {0})
    for k, ch in enumerate(rel):
        if ch == "/" and k > 0 and end in states:
            return True  # a parent directory matches: everything inside it does
        states = _step(tokens, states, ch)
        if not states:
            return False
    return end in states


def parse_dockerignore(text: str) -> List[Tuple[bool, str]]:
    """.dockerignore text -> [(is an exception ``!``, cleaned pattern)], read as Docker reads it:
    ``#`` starts a comment only at the very start of a line, surrounding spaces are dropped,
    patterns are cleaned (``a//b/../c`` -> ``a/c``) and a leading ``/`` removed."""
    out: List[Tuple[bool, str]] = []
    for line in text.removeprefix("\ufeff").splitlines():
        if line.startswith("#"):
            continue
        line = line.strip()
        if not line:
            continue
        neg = line.startswith("!")
        body = line[1:].strip() if neg else line
        if not body:
            continue  # a lone `!` (Docker refuses the file)
        pat = os.path.normpath(body).replace(os.sep, "/").lstrip("/")
        if pat in (".", ""):
            continue
        out.append((neg, pat))
    return out


def ignored_by(patterns: Iterable[Tuple[bool, str]], rel: str) -> bool:
    """Is ``rel`` (a path in the context) excluded by ``patterns``? The last pattern matching it
    or one of its parent directories decides; an exception (``!``) re-includes."""
    rel = rel.replace(os.sep, "/").lstrip("/")
    verdict = False
    for neg, pat in patterns:
        if verdict == neg and _pattern_match(pat, rel):
            verdict = not neg
    return verdict


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
            return parse_dockerignore(data.decode("utf-8", "replace"))
        return []

    def ignored(self, rel: str, root: Optional[str] = None) -> bool:
        return ignored_by(self._ignores.get(root or self.root, ()), rel)

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
