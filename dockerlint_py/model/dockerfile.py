"""The Dockerfile layer: physical lines -> instructions, with the semantics of BuildKit's parser.

dockerfile-parse is the design card's Dockerfile library, but it has no heredoc support, reorders
comment lines found inside continuations and maps lines inaccurately around them, so the lexing
is done here, following BuildKit's ``frontend/dockerfile/parser`` behaviour (which a test checks
against BuildKit's own Go parser on the whole shared corpus):

* parser directives (``# syntax=``, ``# escape=``, ``# check=``) only at the very top;
* a line ending in the escape character (``\\`` or a backtick) continues the instruction;
  comment lines and empty lines inside a continuation are skipped;
* ``RUN``/``COPY``/``ADD`` (also under ``ONBUILD``) may carry heredocs, whose bodies follow the
  instruction line, terminated by a line equal to the delimiter (tabs stripped for ``<<-``);
* builder flags (``--mount=...``) are the leading ``--`` words of the arguments;
* RUN/CMD/ENTRYPOINT/SHELL/COPY/ADD/VOLUME accept a JSON array form.

Everything here is immutable once built. Lines and columns are 1-based; end columns exclusive.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from .._record import Record
from ..errors import DockerfileParseError

__all__ = [
    "Flag",
    "Heredoc",
    "Instruction",
    "ParsedDockerfile",
    "parse_dockerfile",
    "decode_source",
]

_DIRECTIVE_RE = re.compile(r"^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$")
_KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_HEREDOC_WORD_RE = re.compile(r"^([0-9]*)<<(-?)([^<]*)$")
_WS = " \t\v\f\r"

HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
JSON_INSTRUCTIONS = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME"})


class Flag(Record):
    """A builder flag such as ``--mount=type=cache,target=/root/.cache``."""

    name: str  # without the leading dashes, e.g. "mount"
    value: Optional[str]  # None for a bare boolean flag (``--link``)
    line: int
    column: int


class Heredoc(Record):
    name: str
    raw_body: str  # as BuildKit reads it: every body line followed by "\n"
    strip_tabs: bool  # ``<<-``
    expand: bool  # False when the delimiter was quoted
    fd: int
    start_line: int  # first body line (the line after the instruction, or after the last body)
    end_line: int  # the terminator line

    @property
    def body(self) -> str:
        """The content as the build sees it (leading tabs removed for ``<<-``)."""
        if not self.strip_tabs:
            return self.raw_body
        return "".join(line.lstrip("\t") + "\n" for line in self.raw_body.split("\n")[:-1])


class _Segment(Record):
    offset: int  # where this physical line starts in the joined text
    line: int
    column: int  # 1-based column of the segment's first character on its physical line


class Instruction:
    """One instruction, with exact location and a parsed view of its arguments."""

    __slots__ = (
        "keyword",
        "keyword_text",
        "start_line",
        "start_column",
        "end_line",
        "end_column",
        "flags",
        "args_text",
        "args_offset",
        "json",
        "heredocs",
        "onbuild",
        "comments",
        "index",
        "_segments",
        "_line",
    )

    def __init__(
        self,
        keyword: str,
        keyword_text: str,
        start_line: int,
        start_column: int,
        end_line: int,
        end_column: int,
        flags: Tuple[Flag, ...],
        args_text: str,
        args_offset: int,
        json: Optional[Tuple[str, ...]],
        heredocs: Tuple[Heredoc, ...],
        onbuild: "Optional[Instruction]",
        comments: Tuple[Tuple[int, str], ...],
        index: int,
        segments: Tuple[_Segment, ...],
        line: str,
    ) -> None:
        self.keyword = keyword
        self.keyword_text = keyword_text
        self.start_line = start_line
        self.start_column = start_column
        self.end_line = end_line
        self.end_column = end_column
        self.flags = flags
        self.args_text = args_text
        self.args_offset = args_offset
        self.json = json
        self.heredocs = heredocs
        self.onbuild = onbuild
        self.comments = comments
        self.index = index
        self._segments = segments
        self._line = line

    def __repr__(self) -> str:
        return f"<Instruction {self.keyword} {self.start_line}-{self.end_line}: {self.args_text[:40]!r}>"

    @property
    def line_text(self) -> str:
        """The logical line: keyword, flags and arguments with continuations joined."""
        return self._line

    def flag(self, name: str) -> Optional[Flag]:
        for f in self.flags:
            if f.name == name:
                return f
        return None

    def flag_values(self, name: str) -> List[str]:
        return [f.value or "" for f in self.flags if f.name == name]

    def locate(self, offset: int) -> Tuple[int, int]:
        """Map an offset in :attr:`line_text` back to a (line, column) in the file."""
        seg = self._segments[0]
        for candidate in self._segments:
            if candidate.offset <= offset:
                seg = candidate
            else:
                break
        return seg.line, seg.column + (offset - seg.offset)

    def locate_args(self, offset: int) -> Tuple[int, int]:
        """Map an offset in :attr:`args_text` to a (line, column)."""
        return self.locate(self.args_offset + offset)


class ParsedDockerfile(Record):
    path: str
    text: str
    lines: Tuple[str, ...]
    instructions: Tuple[Instruction, ...]
    directives: Tuple[Tuple[str, str, int], ...]  # (name, value, line)
    escape: str

    def directive(self, name: str) -> Optional[str]:
        for key, value, _ in self.directives:
            if key == name:
                return value
        return None


def decode_source(data: bytes, path: str) -> str:
    """Decode a Dockerfile's bytes. UTF-8 (BOM optional) or UTF-16 with a BOM.

    Text that would silently lint as nothing is an error instead: UTF-32, UTF-16 without a BOM
    (every other byte NUL), and classic-Mac line ends (lone CRs), which BuildKit reads as one
    line."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise DockerfileParseError(path, None, "file is UTF-32 text; BuildKit reads UTF-8 (or UTF-16 with a byte-order mark)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DockerfileParseError(path, None, f"invalid UTF-16 text: {exc.reason}") from None
        _check_line_ends(text, path)
        return text
    head = data[:4096]
    if len(head) >= 8 and head.count(b"\x00") * 4 >= len(head):
        raise DockerfileParseError(
            path, None, "file looks like UTF-16 or UTF-32 text without a byte-order mark (many NUL bytes); not read"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DockerfileParseError(
            path, line, "file is not valid UTF-8 text (byte 0x%02x)" % data[exc.start]
        ) from None
    _check_line_ends(text, path)
    return text


def _check_line_ends(text: str, path: str) -> None:
    body = text[:-1] if text.endswith("\r") else text
    if "\r" not in body:
        return
    lone = body.count("\r") - body.count("\r\n")
    if lone > 0 and lone >= text.count("\n"):
        raise DockerfileParseError(
            path, None, "lines end in a lone CR (classic Mac line ends); BuildKit reads the file as one line"
        )


def _split_raw_words(text: str, escape: str) -> List[str]:
    """Split on unquoted whitespace, keeping quotes and escapes (BuildKit's RawQuotes+RawEscapes)."""
    words: List[str] = []
    cur: List[str] = []
    i, n = 0, len(text)
    quote = ""
    while i < n:
        ch = text[i]
        if quote:
            cur.append(ch)
            if ch == escape and quote == '"' and i + 1 < n:
                cur.append(text[i + 1])
                i += 2
                continue
            if ch == quote:
                quote = ""
            i += 1
            continue
        if ch in " \t\r\n":
            if cur:
                words.append("".join(cur))
                cur = []
            i += 1
            continue
        if ch == escape and i + 1 < n:
            cur.append(ch)
            cur.append(text[i + 1])
            i += 2
            continue
        if ch in "'\"":
            quote = ch
        cur.append(ch)
        i += 1
    if cur:
        words.append("".join(cur))
    return words


def _parse_heredoc_word(word: str) -> Optional[Tuple[str, bool, bool, int]]:
    m = _HEREDOC_WORD_RE.match(word)
    if not m:
        return None
    fd = int(m.group(1)) if m.group(1) and len(m.group(1)) < 10 else 0
    chomp = m.group(2) == "-"
    rest = m.group(3)
    if not rest:
        return None
    from .words import process_words

    # Unset variables stay literal (BuildKit's SkipUnsetEnv).
    cooked = process_words(rest, lambda name: "$" + name)
    if len(cooked.words) != 1:
        return None
    raw = process_words(rest, lambda name: "$" + name, raw_quotes=True)
    if len(raw.words) != 1:
        return None
    name = cooked.words[0]
    q_cooked = name.count("'") + name.count('"')
    q_raw = raw.words[0].count("'") + raw.words[0].count('"')
    return name, chomp, q_cooked == q_raw, fd


def _extract_flags(args: str) -> Tuple[List[Tuple[str, int]], int]:
    """Leading ``--flag`` words of ``args``: [(word, offset)], and where the rest starts."""
    words: List[Tuple[str, int]] = []
    n = len(args)
    pos = 0
    while True:
        while pos < n and args[pos] in " \t\r\n\v\f":
            pos += 1
        if pos >= n:
            return words, n
        if not args.startswith("--", pos):
            return words, pos
        start = pos
        word: List[str] = []
        quote = ""
        blank_ok = False
        while pos < n:
            ch = args[pos]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == "\\" and pos + 1 < n:
                    pos += 1
                    word.append(args[pos])
                else:
                    word.append(ch)
                pos += 1
                continue
            if ch in " \t\r\n\v\f":
                break
            if ch in "'\"":
                quote = ch
                blank_ok = True
                pos += 1
                continue
            if ch == "\\" and pos + 1 < n:
                pos += 1
                ch = args[pos]
            word.append(ch)
            pos += 1
        text = "".join(word)
        if text == "--":
            return words, pos
        if blank_ok or text:
            words.append((text, start))


_JSON_SPACE = " \t\n\r"


def json_string_array(text: str) -> Optional[Tuple[str, ...]]:
    """The strings of a JSON array of strings (exec form: ``["a", "b"]``), else None.

    Strings are decoded by the ``json`` module's own string scanner (the C one when present), so
    escapes read exactly as ``json.loads`` reads them, without importing the ``json`` package on
    every run (~1.5 ms of start-up). ``tests/test_json_array.py`` holds it to ``json.loads``."""
    stripped = text.lstrip()
    if not stripped.startswith("["):
        return None
    try:
        from _json import scanstring
    except ImportError:  # pragma: no cover - interpreters without the C accelerator
        from json.decoder import scanstring  # type: ignore[attr-defined,no-redef]
    n, pos, out = len(stripped), 1, []
    while pos < n and stripped[pos] in _JSON_SPACE:
        pos += 1
    if pos < n and stripped[pos] == "]":
        pos += 1
    else:
        while True:
            if pos >= n or stripped[pos] != '"':
                return None
            try:
                value, pos = scanstring(stripped, pos + 1, True)
            except ValueError:
                return None
            out.append(value)
            while pos < n and stripped[pos] in _JSON_SPACE:
                pos += 1
            if pos < n and stripped[pos] == ",":
                pos += 1
                while pos < n and stripped[pos] in _JSON_SPACE:
                    pos += 1
                continue
            if pos < n and stripped[pos] == "]":
                pos += 1
                break
            return None
    while pos < n and stripped[pos] in _JSON_SPACE:
        pos += 1
    return tuple(out) if pos == n else None


def _build_instruction(
    line: str, segments: Tuple[_Segment, ...]
) -> Tuple[str, str, Tuple[Flag, ...], str, int, Optional[Tuple[str, ...]]]:
    """Split a logical line into keyword, flags, arguments (and their offset), JSON form."""
    m = re.match(r"[ \t\v\f\r]*([^ \t\v\f\r]+)", line)
    keyword_text = m.group(1) if m else line
    odd = next((ch for ch in keyword_text if ch.isspace() or ch in "\u200b\ufeff\u2060"), None)
    if odd is not None:
        raise _OddSpace(odd)
    keyword = keyword_text.upper()
    rest_offset = m.end() if m else len(line)
    rest = line[rest_offset:]
    flag_words, consumed = _extract_flags(rest)
    flags: List[Flag] = []
    for word, off in flag_words:
        body = word[2:]
        if "=" in body:
            name, value = body.split("=", 1)
        else:
            name, value = body, None
        fl, fc = _locate(segments, rest_offset + off)
        flags.append(Flag(name.lower(), value, fl, fc))
    args_offset = rest_offset + consumed
    args = line[args_offset:]
    # Trailing whitespace is not part of the arguments.
    args = args.rstrip(_WS + "\n")
    json_form = json_string_array(args) if keyword in JSON_INSTRUCTIONS else None
    return keyword, keyword_text, tuple(flags), args, args_offset, json_form


def _build_checked(line: str, segments: Tuple[_Segment, ...], path: str, start_line: int) -> Tuple[str, str, Tuple[Flag, ...], str, int, Optional[Tuple[str, ...]]]:
    """:func:`_build_instruction`, with a non-ASCII space in the keyword as a parse error."""
    try:
        return _build_instruction(line, segments)
    except _OddSpace as exc:
        raise DockerfileParseError(
            path, start_line, "non-ASCII space U+%04X in the instruction keyword: BuildKit reads it as an unknown instruction" % ord(exc.args[0])
        ) from None


class _OddSpace(Exception):
    """A keyword holding a non-ASCII space (NBSP...): BuildKit reads ``FROM\u00a0x`` as one
    unknown instruction word, so the file would silently lint as almost nothing."""


def _locate(segments: Tuple[_Segment, ...], offset: int) -> Tuple[int, int]:
    seg = segments[0]
    for candidate in segments:
        if candidate.offset <= offset:
            seg = candidate
        else:
            break
    return seg.line, seg.column + (offset - seg.offset)


def parse_dockerfile(text: str, path: str = "Dockerfile") -> ParsedDockerfile:
    """Parse Dockerfile text into instructions. Raises :class:`DockerfileParseError`."""
    if text.startswith("\ufeff"):
        text = text[1:]
    from .words import start_budget

    start_budget(len(text))
    raw_lines = text.split("\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()
    # Go's bufio.ScanLines drops one trailing "\r" per line.
    lines = tuple(l[:-1] if l.endswith("\r") else l for l in raw_lines)
    n = len(lines)

    # -- directives ----------------------------------------------------------------------------
    directives: List[Tuple[str, str, int]] = []
    escape = "\\"
    for i, line in enumerate(lines):
        m = _DIRECTIVE_RE.match(line)
        if not m:
            break
        key = m.group(1).lower()
        if key not in _KNOWN_DIRECTIVES:
            break
        if any(d[0] == key for d in directives):
            raise DockerfileParseError(path, i + 1, f"only one {key} parser directive can be used")
        value = m.group(2)
        if key == "escape":
            if value not in ("\\", "`"):
                raise DockerfileParseError(path, i + 1, f"invalid escape token {value!r}: must be ` or \\")
            escape = value
        directives.append((key, value, i + 1))

    cont_re = re.compile(re.escape(escape) + r"[ \t]*$")

    def is_comment(s: str) -> bool:
        return s.lstrip(_WS).startswith("#")

    instructions: List[Instruction] = []
    i = 0
    while i < n:
        physical = lines[i]
        i += 1
        stripped = physical.lstrip(_WS)
        if stripped.startswith("#"):
            continue
        start_line = i
        start_column = len(physical) - len(stripped) + 1
        m = cont_re.search(stripped)
        if m:
            first = stripped[: m.start()]
            end_of_line = False
        else:
            first = stripped
            end_of_line = True
        if end_of_line and first.strip(_WS) == "":
            continue
        segments = [_Segment(0, start_line, start_column)]
        parts = [first]
        length = len(first)
        end_line = start_line
        while not end_of_line and i < n:
            physical = lines[i]
            i += 1
            end_line = i
            if is_comment(physical):
                continue
            if physical.strip(_WS) == "":
                continue
            m = cont_re.search(physical)
            if m:
                piece = physical[: m.start()]
            else:
                piece = physical
                end_of_line = True
            segments.append(_Segment(length, i, 1))
            parts.append(piece)
            length += len(piece)
        line = "".join(parts)
        seg_t = tuple(segments)
        keyword, keyword_text, flags, args, args_offset, json_form = _build_checked(line, seg_t, path, start_line)

        # ONBUILD wraps a sub-instruction on the same logical line.
        sub: Optional[Instruction] = None
        target_keyword = keyword
        if keyword == "ONBUILD" and args.strip():
            sub_line = line[args_offset:]
            sub_segments = _rebase_segments(seg_t, args_offset)
            s_kw, s_kwt, s_flags, s_args, s_off, s_json = _build_checked(sub_line, sub_segments, path, start_line)
            target_keyword = s_kw
            sub = Instruction(
                s_kw, s_kwt, *_locate(sub_segments, 0), 0, 0, s_flags, s_args, s_off, s_json,
                (), None, (), len(instructions), sub_segments, sub_line,
            )
            sub_json = s_json
        else:
            sub_json = json_form

        heredocs: List[Heredoc] = []
        if target_keyword in HEREDOC_INSTRUCTIONS and sub_json is None and "<<" in line:
            for word in _split_raw_words(line, escape):
                parsed = _parse_heredoc_word(word)
                if parsed is None:
                    continue
                name, chomp, expand_, fd = parsed
                body_lines: List[str] = []
                body_start = i + 1
                terminated = False
                while i < n:
                    physical = lines[i]
                    i += 1
                    candidate = physical.lstrip("\t") if chomp else physical
                    if candidate == name:
                        terminated = True
                        break
                    body_lines.append(physical)
                if not terminated:
                    raise DockerfileParseError(
                        path, start_line, f"unterminated heredoc <<{name} (opened on line {start_line})"
                    )
                end_line = i
                heredocs.append(
                    Heredoc(name, "".join(b + "\n" for b in body_lines), chomp, expand_, fd, body_start, i)
                )
        end_column = len(lines[end_line - 1]) + 1
        hd = tuple(heredocs)
        if sub is not None:
            sub = Instruction(
                sub.keyword, sub.keyword_text, sub.start_line, sub.start_column, end_line, end_column,
                sub.flags, sub.args_text, sub.args_offset, sub.json, hd, None, (), sub.index,
                sub._segments, sub._line,
            )
            hd = ()
        instructions.append(
            Instruction(
                keyword, keyword_text, start_line, start_column, end_line, end_column, flags, args,
                args_offset, json_form, hd, sub, tuple(_comments_above(lines, start_line)),
                len(instructions), seg_t, line,
            )
        )
    return ParsedDockerfile(path, text, lines, tuple(instructions), tuple(directives), escape)


def _rebase_segments(segments: Tuple[_Segment, ...], offset: int) -> Tuple[_Segment, ...]:
    out: List[_Segment] = []
    for seg in segments:
        if seg.offset <= offset:
            out = [_Segment(0, seg.line, seg.column + (offset - seg.offset))]
        else:
            out.append(_Segment(seg.offset - offset, seg.line, seg.column))
    return tuple(out)


def _comments_above(lines: Tuple[str, ...], start_line: int) -> List[Tuple[int, str]]:
    """Comment lines directly above ``start_line`` (no blank line in between)."""
    out: List[Tuple[int, str]] = []
    j = start_line - 2
    while j >= 0:
        s = lines[j].strip(_WS)
        if not s.startswith("#"):
            break
        out.append((j + 1, s[1:].strip()))
        j -= 1
    out.reverse()
    return out
