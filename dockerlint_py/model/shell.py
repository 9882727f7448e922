"""A shell-command model for RUN: scripts -> simple commands with program, arguments, positions.

It is not a full POSIX shell parser; it is the part a linter needs, done carefully:

* commands are split on ``&&``, ``||``, ``;``, ``|``, ``&``, newlines and parentheses;
* quotes and escapes are honoured (a ``|`` or ``&&`` inside quotes is not an operator);
* ``$(...)``, backticks and ``${...}`` stay inside the word they belong to;
* comments, redirections and shell heredocs (``cat <<EOF > f``) are skipped;
* reserved words (``if``/``then``/``do``/``!``/``{``...) are stepped over, ``for x in ...`` headers
  dropped;
* env-prefix assignments (``PIP_NO_CACHE_DIR=1 pip install``) are recorded on the command;
* ``sh -c "..."``/``bash -c '...'`` strings are parsed as scripts too, and wrappers such as
  ``sudo``, ``env``, ``exec``, ``xargs``, ``nohup`` are looked through;
* every command knows its line and column in the Dockerfile.
"""

from __future__ import annotations

import re
from typing import Callable, Iterator, List, Optional, Sequence, Tuple
from .._record import Record

__all__ = ["Word", "Command", "parse_script", "SHELLS"]

Locator = Callable[[int], Tuple[int, int]]

SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "busybox"})
_RESERVED_PREFIX = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"})
_RESERVED_DROP = frozenset({"fi", "done", "}", "esac", "in"})
_WRAPPERS = frozenset({"sudo", "exec", "nohup", "command", "builtin", "nice", "ionice", "stdbuf", "gosu", "su-exec", "chronic", "eatmydata", "tini"})
_ASSIGN_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PY_RE = re.compile(r"^python(?:\d+(?:\.\d+)?)?$")
_PIP_RE = re.compile(r"^pip(?:\d+(?:\.\d+)?)?$")
_MAX_DEPTH = 8
_VALUE_OPTIONS = frozenset({"-o", "-c", "-t", "-X", "--repository", "-p", "--root", "--virtual"})


class Word(Record):
    value: str  # quotes removed, escapes resolved; expansions kept as written
    raw: str
    start: int  # offsets in the script text
    end: int
    quoted: bool


class Command(Record):
    """One simple command as the shell would run it."""

    words: Tuple[Word, ...]  # argv words (assignments and wrappers removed)
    env: Tuple[Tuple[str, str], ...]  # prefix assignments
    separator: str  # operator before this command: "", "&&", "||", ";", "|", "&", "\n"
    line: int
    column: int
    end_line: int
    end_column: int
    nested: int  # 0 = top level, 1 = inside sh -c, ...
    tool: str  # normalised program: "pip", "uv", "apt-get", "apt", "apk", "python", "curl", ...
    args: Tuple[str, ...]  # arguments after the tool (after "-m pip" for python -m pip)
    locator: Optional[Locator] = None  # script offset -> (line, column) in the Dockerfile

    def word_span(self, i: int) -> Optional[Tuple[int, int, int, int]]:
        """(line, column, end_line, end_column exclusive) of ``words[i]`` in the Dockerfile."""
        if self.locator is None or not 0 <= i < len(self.words):
            return None
        w = self.words[i]
        line, col = self.locator(w.start)
        eline, ecol = self.locator(max(w.end - 1, w.start))
        return line, col, eline, ecol + 1

    def arg_index(self, value: str) -> int:
        """Index in ``words`` of the first word equal to ``value`` after the program, or -1."""
        for i, w in enumerate(self.words[1:], 1):
            if w.value == value:
                return i
        return -1

    @property
    def argv(self) -> Tuple[str, ...]:
        return tuple(w.value for w in self.words)

    @property
    def program(self) -> str:
        return self.words[0].value if self.words else ""

    def positional(self) -> List[str]:
        """Arguments that are not options (a rough cut: no option-value pairing)."""
        return [a for a in self.args if not a.startswith("-")]

    def subcommand_at(self, args: Optional[Sequence[str]] = None) -> Tuple[Optional[str], int]:
        """(first non-option argument, its index) — ``apt-get -o X=1 -y install`` -> install.
        Package managers' options that take a value (``-o``, ``-c``, ``-t``, ``-X``,
        ``--repository``, ``-p``, ``--root``) skip their value. ``args`` defaults to ``self.args``
        (pass expanded arguments to look at them instead)."""
        args = self.args if args is None else args
        i = 0
        while i < len(args):
            a = args[i]
            if not a.startswith("-"):
                return a, i
            i += 2 if a in _VALUE_OPTIONS else 1
        return None, -1

    @property
    def subcommand(self) -> Optional[str]:
        for a in self.args:
            if not a.startswith("-"):
                return a
        return None

    def has_option(self, *names: str) -> bool:
        """True if one of ``names`` is present (``--flag``, ``--flag=x``; short flags in clusters)."""
        for a in self.args:
            for name in names:
                if a == name:
                    return True
                if name.startswith("--") and a.startswith(name + "="):
                    return True
                if len(name) == 2 and name[0] == "-" and name[1] != "-" and a.startswith("-") and not a.startswith("--") and name[1] in a[1:] and a[1:].isalpha():
                    return True
        return False

    def option_values(self, *names: str) -> List[str]:
        out: List[str] = []
        args = self.args
        for i, a in enumerate(args):
            for name in names:
                if a == name and i + 1 < len(args):
                    out.append(args[i + 1])
                elif name.startswith("--") and a.startswith(name + "="):
                    out.append(a[len(name) + 1 :])
                elif len(name) == 2 and not name.startswith("--") and a.startswith(name) and len(a) > 2:
                    out.append(a[2:])
        return out


# -- lexing -----------------------------------------------------------------------------------


class _Tok(Record):
    kind: str  # "word" | "op"
    text: str
    start: int
    end: int
    quoted: bool
    raw: str


_OPS = ("&&", "||", ";;", ";", "|&", "|", "&", "(", ")", "\n")


def _lex(s: str) -> List[_Tok]:
    toks: List[_Tok] = []
    i, n = 0, len(s)
    pending_heredocs: List[Tuple[str, bool]] = []
    while i < n:
        ch = s[i]
        if ch == "\\" and i + 1 < n and s[i + 1] == "\n":
            i += 2
            continue
        if ch in " \t\r":
            i += 1
            continue
        if ch == "\n":
            toks.append(_Tok("op", "\n", i, i + 1, False, "\n"))
            i += 1
            if pending_heredocs:
                i = _skip_heredocs(s, i, pending_heredocs)
                pending_heredocs = []
            continue
        if ch == "#":
            j = s.find("\n", i)
            i = n if j < 0 else j
            continue
        if ch not in _SPECIAL_START:  # fast path: an ordinary word
            start = i
            word, i, quoted = _read_word(s, i)
            if i == start:
                i += 1
                continue
            toks.append(_Tok("word", word, start, i, quoted, s[start:i]))
            continue
        # redirections: [n]> >> < <> >& <& >| and heredocs <<, <<-, here-strings <<<
        m = _REDIR_RE.match(s, i)
        if m:
            op = m.group(2)
            i = m.end()
            while i < n and s[i] in " \t":
                i += 1
            if op in ("<<", "<<-"):
                word, i, quoted = _read_word(s, i)
                delim = word
                if delim:
                    pending_heredocs.append((delim, op == "<<-"))
                continue
            if op.endswith("&") and i < n and (s[i].isdigit() or s[i] == "-"):
                while i < n and (s[i].isdigit() or s[i] == "-"):
                    i += 1
                continue
            _, i, _ = _read_word(s, i)  # the redirection target
            continue
        m = _OP_RE.match(s, i)
        if m:
            op = m.group()
            toks.append(_Tok("op", op, i, i + len(op), False, op))
            i += len(op)
            continue
        start = i
        word, i, quoted = _read_word(s, i)
        if i == start:  # defensive: never loop without progress
            i += 1
            continue
        toks.append(_Tok("word", word, start, i, quoted, s[start:i]))
    return toks


_SPECIAL_START = frozenset("&|;()<>0123456789")
_OP_RE = re.compile("|".join(re.escape(op) for op in _OPS if op != "\n"))
_REDIR_RE = re.compile(r"(\d*)(<<<|<<-|<<|>>|>&|<&|<>|>\||>|<)")


def _skip_heredocs(s: str, i: int, docs: List[Tuple[str, bool]]) -> int:
    n = len(s)
    for delim, strip in docs:
        while i < n:
            j = s.find("\n", i)
            line = s[i:] if j < 0 else s[i:j]
            i = n if j < 0 else j + 1
            if (line.lstrip("\t") if strip else line) == delim:
                break
    return i


_PLAIN_RE = re.compile(r"[^\s;&|()<>\\'\"$`]+")
_DQ_PLAIN_RE = re.compile(r'[^"\\$`]+')


def _read_word(s: str, i: int) -> Tuple[str, int, bool]:
    """Read one shell word starting at ``i``: (value, end, quoted)."""
    n = len(s)
    out: List[str] = []
    quoted = False
    while i < n:
        m = _PLAIN_RE.match(s, i)
        if m:  # fast path: a run of ordinary characters
            out.append(m.group())
            i = m.end()
            continue
        ch = s[i]
        if ch in " \t\r\n;&|()<>":
            break
        if ch == "\\":
            if i + 1 < n:
                if s[i + 1] != "\n":
                    out.append(s[i + 1])
                i += 2
            else:
                i += 1
            continue
        if ch == "'":
            quoted = True
            j = s.find("'", i + 1)
            if j < 0:
                out.append(s[i + 1 :])
                i = n
            else:
                out.append(s[i + 1 : j])
                i = j + 1
            continue
        if ch == '"':
            quoted = True
            i += 1
            while i < n and s[i] != '"':
                m = _DQ_PLAIN_RE.match(s, i)
                if m:
                    out.append(m.group())
                    i = m.end()
                    continue
                c = s[i]
                if c == "\\" and i + 1 < n and s[i + 1] in '"\\$`\n':
                    if s[i + 1] != "\n":
                        out.append(s[i + 1])
                    i += 2
                    continue
                j = _expansion_end(s, i)
                if j > 0:
                    out.append(s[i:j])
                    i = j
                    continue
                out.append(c)
                i += 1
            i += 1
            continue
        j = _expansion_end(s, i)
        if j > 0:
            out.append(s[i:j])
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out), min(i, n), quoted


def _expansion_end(s: str, i: int) -> int:
    """If ``s[i:]`` starts ``$(...)``, ``${...}`` or a backtick substitution, its end; else -1."""
    ch = s[i]
    if ch == "$" and i + 1 < len(s) and s[i + 1] in "({":
        return _skip_balanced(s, i + 1, s[i + 1], ")" if s[i + 1] == "(" else "}")
    if ch == "`":
        j = s.find("`", i + 1)
        return len(s) if j < 0 else j + 1
    return -1


def _skip_balanced(s: str, i: int, open_: str, close: str) -> int:
    """``s[i]`` is ``open_``; return the index after its matching ``close`` (quote-aware)."""
    depth = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "'" and open_ == "(":
            j = s.find("'", i + 1)
            i = n if j < 0 else j + 1
            continue
        if c == '"':
            j = i + 1
            while j < n and s[j] != '"':
                j += 2 if s[j] == "\\" else 1
            i = j + 1
            continue
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


# -- commands ---------------------------------------------------------------------------------


def _normalise(words: Sequence[Word]) -> Tuple[str, Tuple[str, ...], int]:
    """(tool, args, index of the program word) after looking through wrappers."""
    k = 0
    vals = [w.value for w in words]
    while k < len(vals):
        prog = vals[k].rsplit("/", 1)[-1]
        if prog in _WRAPPERS:
            k += 1
            # skip the wrapper's options (sudo -E -u user)
            while k < len(vals) and vals[k].startswith("-"):
                if prog == "sudo" and vals[k] in ("-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"):
                    k += 1
                k += 1
            if prog in ("gosu", "su-exec") and k < len(vals):
                k += 1  # the user argument
            continue
        if prog == "env":
            k += 1
            while k < len(vals) and (vals[k].startswith("-") or _ASSIGN_RE.match(vals[k])):
                k += 1
            continue
        if prog == "xargs":
            k += 1
            while k < len(vals) and vals[k].startswith("-"):
                if vals[k] in ("-I", "-n", "-P", "-L", "-d", "-E", "-s", "-a"):
                    k += 1
                k += 1
            continue
        break
    if k >= len(vals):
        return "", (), k
    prog = vals[k].rsplit("/", 1)[-1]
    rest = tuple(vals[k + 1 :])
    if _PIP_RE.match(prog):
        return "pip", rest, k
    if _PY_RE.match(prog):
        j = 0
        while j < len(rest) and rest[j].startswith("-") and rest[j] != "-m" and rest[j] != "-c":
            j += 1
        if j + 1 < len(rest) and rest[j] == "-m":
            mod = rest[j + 1]
            if mod in ("pip", "uv", "pipenv", "poetry", "pdm", "venv", "pipx", "ensurepip"):
                return mod, rest[j + 2 :], k
        return "python", rest, k
    return prog, rest, k


class _Builder:
    def __init__(self, locate: Locator, nested: int) -> None:
        self.locate = locate
        self.nested = nested
        self.out: List[Command] = []

    def emit(self, words: List[Word], separator: str, script: str) -> None:
        # reserved words that only introduce the real command
        while words and not words[0].quoted and words[0].value in _RESERVED_PREFIX:
            words = words[1:]
        if words and not words[0].quoted and words[0].value in ("for", "case", "select"):
            return
        words = [w for w in words if w.quoted or w.value not in _RESERVED_DROP] if words and not words[0].quoted and words[0].value in _RESERVED_DROP else words
        env: List[Tuple[str, str]] = []
        while words and _ASSIGN_RE.match(words[0].value) and not words[0].raw.startswith(("'", '"')):
            name, value = words[0].value.split("=", 1)
            env.append((name, value))
            words = words[1:]
        if not words and not env:
            return
        # a bare assignment (FOO=bar) is kept too, so rules can see shell variables
        tool, args, k = _normalise(words) if words else ("", (), 0)
        first = words[0] if words else None
        last = words[-1] if words else None
        s_off = first.start if first else 0
        e_off = last.end if last else 0
        line, col = self.locate(s_off)
        eline, ecol = self.locate(max(e_off - 1, s_off))
        self.out.append(
            Command(tuple(words[k:]) if words else (), tuple(env), separator, line, col, eline, ecol + 1, self.nested, tool, args, self.locate)
        )
        # sh -c "script": parse the script too
        if words and self.nested < _MAX_DEPTH:
            prog = tool
            if prog in SHELLS:
                vals = [w.value for w in words[k + 1 :]]
                for idx, v in enumerate(vals):
                    if v == "-c" or (v.startswith("-") and not v.startswith("--") and v.endswith("c") and v[1:].isalpha()):
                        if idx + 1 < len(vals):
                            w = words[k + 1 + idx + 1]
                            inner_off = w.start + (1 if w.raw[:1] in "'\"" else 0)
                            loc = self.locate
                            sub = parse_script(w.value, _shifted(loc, inner_off), self.nested + 1)
                            self.out.extend(sub)
                        break
                    if v == "-o":
                        continue
                    if not v.startswith("-") and vals[idx - 1 : idx] != ["-o"]:
                        break


def _shifted(locate: Locator, base: int) -> Locator:
    """The locator of a script nested at offset ``base`` of the script ``locate`` locates."""
    return lambda offset: locate(base + offset)


def parse_script(script: str, locate: Optional[Locator] = None, nested: int = 0) -> List[Command]:
    """Parse a shell script into simple commands, in execution order."""
    if locate is None:
        line_starts = [0]
        for m in re.finditer("\n", script):
            line_starts.append(m.end())

        def locate(off: int) -> Tuple[int, int]:
            import bisect

            idx = bisect.bisect_right(line_starts, off) - 1
            return idx + 1, off - line_starts[idx] + 1

    builder = _Builder(locate, nested)
    words: List[Word] = []
    separator = ""
    for tok in _lex(script):
        if tok.kind == "word":
            words.append(Word(tok.text, tok.raw, tok.start, tok.end, tok.quoted))
            continue
        if tok.text in ("(", ")") and words:
            # function definitions "f() {" and subshell parentheses: close the current command
            pass
        builder.emit(words, separator, script)
        if words or tok.text not in ("\n",):
            separator = tok.text if tok.text not in ("(", ")") else separator
        words = []
    builder.emit(words, separator, script)
    return builder.out


def iter_tools(commands: Sequence[Command], *tools: str) -> Iterator[Command]:
    for c in commands:
        if c.tool in tools:
            yield c
