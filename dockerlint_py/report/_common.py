"""Helpers shared by the report formats: report paths, text each format can carry, stable
fingerprints and source lines (read through a guarded reader, never a FIFO or device)."""

from __future__ import annotations

import os
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

__all__ = [
    "find_repository_root", "report_path", "relative_uri", "no_surrogates", "scrub_json", "xml_text",
    "terminal_text", "md_text", "md_code", "source_lines", "line_text", "fingerprints", "security_severity",
    "is_security_rule",
]

# -- paths ---------------------------------------------------------------------------------------


def find_repository_root(start: Optional[str] = None) -> Optional[str]:
    """The nearest directory at or above ``start`` (default: the working directory) that holds a
    ``.git`` entry (a directory, or a file for worktrees and submodules); None when there is none."""
    from ..safe_read import repo_root

    return repo_root(start or os.getcwd())

def report_path(path: str, ctx) -> str:
    """A path as the CI formats show it: relative to ``ctx.root`` (``/``-separated) when the file is
    below it, else absolute. Without a root (or for ``-``) the displayed path is kept as it is."""
    root = getattr(ctx, "root", None)
    if not root or path == "-":
        return path
    for norm in (os.path.abspath, os.path.realpath):
        try:
            rel = os.path.relpath(norm(path), norm(root))
        except ValueError:  # another drive (Windows)
            continue
        if rel != ".." and not rel.startswith(".." + os.sep):
            return rel.replace(os.sep, "/")
    return os.path.abspath(path).replace(os.sep, "/")


def relative_uri(path: str, ctx=None) -> Tuple[str, bool]:
    """(uri, relative?) for SARIF: a URI relative to %SRCROOT% when the path is relative (to the
    root when the context has one), else an absolute ``file://`` URI. Bytes that are not UTF-8 are
    percent-encoded as the bytes they are."""
    from urllib.parse import quote

    shown = report_path(path, ctx) if ctx is not None else path
    if shown == "-" or not os.path.isabs(shown):
        return quote(_path_bytes(shown.replace(os.sep, "/")), safe="/"), True
    return "file://" + quote(_path_bytes(os.path.realpath(shown).replace(os.sep, "/")), safe="/"), False


def _path_bytes(path: str) -> bytes:
    try:
        return path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that is not an escaped byte
        return no_surrogates(path).encode("utf-8")


# -- text each format can carry ------------------------------------------------------------------

# Character classes over wide Unicode ranges cost milliseconds to compile: compiled on first use
# (a pre-commit run printing text never needs the XML one).
_PATTERNS = {
    "surrogate": "[\ud800-\udfff]",
    "md_punct": r"([!-/:-@\[-`{-~])",
    # XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
    "not_xml": "[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]",
    # C0 controls but tab, DEL, C1 controls (ESC starts ANSI sequences; CSI is U+009B), line and
    # paragraph separators, bidirectional overrides and isolates (text that displays reordered),
    # and lone surrogates (undecodable bytes of a file name).
    "not_terminal": "[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]",
    "not_terminal_keep_nl": "[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]",
}
_COMPILED: Dict[str, Any] = {}


def _pattern(name: str):
    p = _COMPILED.get(name)
    if p is None:
        p = _COMPILED[name] = re.compile(_PATTERNS[name])
    return p


def no_surrogates(text: str) -> str:
    """Lone surrogates (``os.fsdecode``'s escapes for bytes that are not UTF-8) cannot be encoded:
    each becomes U+FFFD."""
    if text.isascii():
        return text
    return _pattern("surrogate").sub("\ufffd", text)


def scrub_json(obj: Any) -> Any:
    """The same document with every string (keys too) encodable as UTF-8."""
    if isinstance(obj, str):
        return no_surrogates(obj)
    if isinstance(obj, dict):
        return {scrub_json(k): scrub_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [scrub_json(v) for v in obj]
    return obj


def xml_text(text: str) -> str:
    """Characters XML 1.0 cannot hold (most controls, U+FFFE, U+FFFF, lone surrogates) as U+FFFD;
    the caller still escapes markup."""
    if text.isascii() and text.isprintable():
        return text
    return _pattern("not_xml").sub("\ufffd", text)


def _visible(ch: str) -> str:
    code = ord(ch)
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    if 0xDC80 <= code <= 0xDCFF:  # an escaped byte of a file name: show the byte
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def terminal_text(text: str, keep_newlines: bool = False) -> str:
    """Text safe to print on a line of its own: control characters (ANSI escapes), line breaks,
    bidi overrides and undecodable bytes are shown as ``\\x1b``, ``\\n``, ``\\u202e``, ``\\xff``, so
    a name cannot forge a finding line or restyle the terminal. ``keep_newlines`` leaves ``\\n``
    and ``\\r`` to the caller (the GitHub format escapes them its own way)."""
    if text.isascii() and text.isprintable():
        return text  # the common case, without a regular expression
    pattern = _pattern("not_terminal_keep_nl" if keep_newlines else "not_terminal")
    return pattern.sub(lambda m: _visible(m.group()), text)




def md_text(text: str) -> str:
    """Literal text in Markdown (GFM): every ASCII punctuation character backslash-escaped, so no
    link, image, HTML, emphasis, autolink or table cell boundary can come out of it; line breaks
    as spaces."""
    text = terminal_text(no_surrogates(text).replace("\r\n", " ").replace("\n", " ").replace("\r", " "))
    return _pattern("md_punct").sub(r"\\\1", text)


def md_code(text: str, in_table: bool = True) -> str:
    """A code span that holds ``text`` whatever backticks it contains (a fence one backtick longer
    than the longest run inside). In a table ``|`` is escaped, which GFM allows inside spans."""
    text = terminal_text(no_surrogates(text).replace("\n", " ").replace("\r", " "))
    runs = [len(r) for r in re.findall("`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ") and text.strip()):
        text = f" {text} "
    if in_table:
        text = text.replace("|", "\\|")
    return f"{fence}{text}{fence}"


# -- rules ---------------------------------------------------------------------------------------

# GitHub code scanning: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low. A rule tagged
# `security` without its own score gets one from its severity.
_DEFAULT_SECURITY_SEVERITY = {"error": 7.0, "warning": 5.0, "info": 3.0, "style": 2.0}


def is_security_rule(rule) -> bool:
    return rule is not None and ("security" in (rule.tags or ()) or rule.security_severity is not None)


def security_severity(rule) -> Optional[float]:
    if not is_security_rule(rule):
        return None
    if rule.security_severity is not None:
        return float(rule.security_severity)
    return _DEFAULT_SECURITY_SEVERITY.get(rule.severity, 5.0)


# -- source lines and fingerprints ----------------------------------------------------------------

MAX_SOURCE_BYTES = 5 * 1024 * 1024
_LINES: Dict[str, Optional[List[str]]] = {}


def source_lines(path: str, ctx=None) -> Optional[List[str]]:
    """The lines of a linted file: from ``ctx.sources`` when the CLI passed them, else read once
    through the guarded reader. Files the run could not check (``ctx.errors``) are never read."""
    if ctx is not None:
        if ctx.sources and path in ctx.sources:
            return list(ctx.sources[path])
        if any(getattr(e, "path", None) == path for e in (ctx.errors or ())):
            return None
    if path == "-":
        return None
    if path not in _LINES:
        from ..safe_read import MAX_DOCKERFILE_BYTES, read_bytes

        # the guarded reader: a manifest the linter refused (FIFO, /dev/zero) is not opened here
        data, _ = read_bytes(path, limit=MAX_DOCKERFILE_BYTES)
        if data is None:
            _LINES[path] = None
        else:
            text = data.decode("utf-8-sig", "replace").replace("\r\n", "\n").replace("\r", "\n")
            _LINES[path] = text.split("\n")
    return _LINES[path]


def line_text(path: str, line: int, ctx=None) -> str:
    lines = source_lines(path, ctx)
    if lines is None or not 0 < line <= len(lines):
        return ""
    return lines[line - 1].rstrip("\r")


def fingerprints(findings: Sequence, ctx=None) -> List[str]:
    """A stable key per finding: rule, report path (root-relative when the context has a root, so
    the working directory does not change it), the flagged line's text (whitespace-normalised) and
    an occurrence index among identical keys. Line numbers are left out so that edits above a
    finding do not change its identity."""
    import hashlib  # fingerprints only: not on the text path

    seen: Dict[str, int] = {}
    out: List[str] = []
    for f in findings:
        text = " ".join(line_text(f.path, f.line, ctx).split())
        shown = report_path(f.path, ctx) if ctx is not None else f.path
        base = f"{f.code}\x00{shown}\x00{text}\x00{f.message if not text else ''}"
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(hashlib.sha256(no_surrogates(f"{base}\x00{n}").encode("utf-8")).hexdigest())
    return out
