"""Word splitting and variable expansion with the semantics of BuildKit's shell lexer.

The Dockerfile frontend expands ``$X``, ``${X}``, ``${X:-default}``, ``${X-default}``,
``${X:+alt}``, ``${X+alt}`` (and ``?`` forms) in the arguments of FROM, COPY, ADD, ENV, ARG,
WORKDIR, USER, LABEL, EXPOSE, VOLUME and STOPSIGNAL. Quotes group words and are removed;
single quotes stop expansion; the escape character (``\\`` or a backtick) escapes the next
character.

Unknown variables expand to the empty string in BuildKit; here they are also *recorded*, so
that a rule can tell "resolved to empty" from "depends on a value we do not know".

Expansion is bounded, so that a hostile file cannot exhaust memory or the stack: ``ENV A=$A$A``
repeated doubles a value per line. One expansion may add at most :data:`MAX_GROWTH` characters
of variable values to its text, and all expansions of one parsed file together at most
:func:`start_budget`'s budget; a variable whose value would exceed what is left is treated as
unknown (recorded in ``unresolved``), as is a ``${...}`` nested deeper than :data:`MAX_DEPTH`.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Set, Tuple

__all__ = ["Expansion", "process_words", "expand"]

Lookup = Callable[[str], Optional[str]]

MAX_GROWTH = 64 * 1024
MAX_DEPTH = 64
_DEFAULT_BUDGET = 64 * 1024 * 1024
_budget = [_DEFAULT_BUDGET]


def start_budget(source_length: int = 0) -> None:
    """Reset the expansion budget shared by every expansion of one file (called by the parser)."""
    _budget[0] = _DEFAULT_BUDGET + 16 * source_length


class Expansion:
    """The result of expanding one text: its words and the variables that had no value."""

    __slots__ = ("words", "unresolved")

    def __init__(self, words: List[str], unresolved: Set[str]) -> None:
        self.words = words
        self.unresolved = unresolved

    @property
    def text(self) -> str:
        return " ".join(self.words)


def _lookup_from(env: "Dict[str, str] | Lookup | None") -> Lookup:
    if env is None:
        return lambda name: None
    if callable(env):
        return env
    return env.get


class _Lexer:
    def __init__(self, text: str, lookup: Lookup, escape: str, raw_quotes: bool, split: bool, depth: int = 0, room: Optional[List[int]] = None):
        self.depth = depth
        self.room = room if room is not None else [MAX_GROWTH]  # shared with nested words
        self.s = text
        self.i = 0
        self.n = len(text)
        self.lookup = lookup
        self.escape = escape
        self.raw_quotes = raw_quotes
        self.split = split
        self.unresolved: Set[str] = set()

    # -- driver ------------------------------------------------------------------------------
    def words(self) -> List[str]:
        out: List[str] = []
        cur: List[str] = []
        in_word = False
        s, n, esc = self.s, self.n, self.escape
        while self.i < n:
            ch = s[self.i]
            if self.split and ch in " \t\r\n":
                if in_word:
                    out.append("".join(cur))
                    cur = []
                    in_word = False
                self.i += 1
                continue
            in_word = True
            if ch == esc:
                self.i += 1
                if self.i < n:
                    cur.append(s[self.i])
                    self.i += 1
                else:
                    cur.append(ch)
                continue
            if ch == "'":
                cur.append(self._single())
                continue
            if ch == '"':
                cur.append(self._double())
                continue
            if ch == "$":
                cur.append(self._dollar())
                continue
            cur.append(ch)
            self.i += 1
        if in_word:
            out.append("".join(cur))
        return out

    # -- quoting -----------------------------------------------------------------------------
    def _single(self) -> str:
        s, n = self.s, self.n
        start = self.i
        self.i += 1
        end = s.find("'", self.i)
        if end < 0:  # unterminated: BuildKit errors; we keep the rest literally
            body = s[self.i:]
            self.i = n
        else:
            body = s[self.i:end]
            self.i = end + 1
        return s[start:self.i] if self.raw_quotes else body

    def _double(self) -> str:
        s, n, esc = self.s, self.n, self.escape
        parts: List[str] = ['"'] if self.raw_quotes else []
        self.i += 1
        while self.i < n:
            ch = s[self.i]
            if ch == '"':
                self.i += 1
                if self.raw_quotes:
                    parts.append('"')
                break
            if ch == esc and self.i + 1 < n and s[self.i + 1] in '"$' + esc:
                parts.append(s[self.i + 1])
                self.i += 2
                continue
            if ch == "$":
                parts.append(self._dollar())
                continue
            parts.append(ch)
            self.i += 1
        return "".join(parts)

    # -- variables ---------------------------------------------------------------------------
    def _name_at(self, j: int) -> int:
        s, n = self.s, self.n
        while j < n and (s[j].isalnum() or s[j] == "_"):
            j += 1
        return j

    def _value(self, name: str) -> Optional[str]:
        value = self._bounded(name)
        if value is None:
            self.unresolved.add(name)
        return value

    def _bounded(self, name: str) -> Optional[str]:
        """The variable's value, or None when it is unknown or would exceed the size bounds."""
        value = self.lookup(name)
        if value is None or not value:
            return value
        size = len(value)
        if size > self.room[0] or size > _budget[0]:
            self.unresolved.add(name)
            return None
        self.room[0] -= size
        _budget[0] -= size
        return value

    def _dollar(self) -> str:
        s, n = self.s, self.n
        j = self.i + 1
        if j >= n:
            self.i = j
            return "$"
        ch = s[j]
        if ch == "{":
            return self._braced()
        if ch.isalpha() or ch == "_":
            end = self._name_at(j)
            name = s[j:end]
            self.i = end
            return self._value(name) or ""
        if ch.isdigit():  # positional parameters are always empty here
            self.i = j + 1
            return ""
        self.i = j
        return "$"

    def _braced(self) -> str:
        s, n = self.s, self.n
        j = self.i + 2
        end = self._name_at(j)
        name = s[j:end]
        if not name:
            # "${}" or "${#...}": not something a Dockerfile resolves; keep literally
            close = s.find("}", j)
            close = n if close < 0 else close + 1
            text = s[self.i:close]
            self.i = close
            return text
        if end < n and s[end] == "}":
            self.i = end + 1
            return self._value(name) or ""
        # modifier form: ${name<op>word}
        op = ""
        k = end
        if k < n and s[k] == ":":
            op = ":"
            k += 1
        if k < n and s[k] in "-+?#%/":
            op += s[k]
            k += 1
            if k < n and s[k] in "#%/" and s[k] == op[-1]:
                op += s[k]
                k += 1
        word_start = k
        depth = 1
        while k < n:
            if s[k] == self.escape:
                k += 2
                continue
            if s[k] == "{":
                depth += 1
            elif s[k] == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        word_raw = s[word_start:k]
        self.i = min(k + 1, n)
        if self.depth >= MAX_DEPTH:
            self.unresolved.add(name)  # nested too deeply to follow: unknown
            return ""
        # The word itself may contain variables.
        sub = _Lexer(word_raw, self.lookup, self.escape, False, False, self.depth + 1, self.room)
        parts = sub.words()
        word = parts[0] if parts else ""
        value = self._bounded(name)
        if value is None and self.lookup(name) is not None:
            return ""  # known but too large: recorded as unresolved
        if op in (":-", "-"):
            if value is None or (op == ":-" and value == ""):
                self.unresolved |= sub.unresolved
                if value is None and sub.unresolved:
                    self.unresolved.add(name)
                return word
            return value
        if op in (":+", "+"):
            if value is None:
                # Unknown: the alternative may or may not apply.
                self.unresolved.add(name)
                return ""
            if op == ":+" and value == "":
                return ""
            self.unresolved |= sub.unresolved
            return word
        if op in (":?", "?"):
            if value is None:
                self.unresolved.add(name)
                return ""
            return value
        # Pattern operators (#, ##, %, %%, /): apply literally when we know the value.
        if value is None:
            self.unresolved.add(name)
            return ""
        if op == "#" and value.startswith(word):
            return value[len(word):]
        if op == "%" and word and value.endswith(word):
            return value[: -len(word)]
        if op in ("##", "%%", "/", "//"):
            # Glob patterns: we do not emulate them; the result is unknown.
            self.unresolved.add(name)
            return value
        return value


def process_words(
    text: str,
    env: "Dict[str, str] | Lookup | None" = None,
    escape: str = "\\",
    raw_quotes: bool = False,
) -> Expansion:
    """Split ``text`` into words the way BuildKit's ``ProcessWords`` does, expanding variables."""
    lex = _Lexer(text, _lookup_from(env), escape, raw_quotes, True)
    words = lex.words()
    return Expansion(words, lex.unresolved)


def expand(
    text: str, env: "Dict[str, str] | Lookup | None" = None, escape: str = "\\"
) -> Tuple[str, Set[str]]:
    """Expand variables and remove quotes in ``text`` without splitting it into words."""
    lex = _Lexer(text, _lookup_from(env), escape, False, False)
    words = lex.words()
    return ("".join(words), lex.unresolved)
