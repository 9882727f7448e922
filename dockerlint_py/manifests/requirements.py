"""pip requirements files: the full syntax pip accepts, with line numbers.

Handled: comments (``#`` at line start or after whitespace), backslash continuations, ``-r``/
``--requirement`` and ``-c``/``--constraint`` (relative to the including file; include cycles and
files outside the project are reported, not followed), ``-e``/``--editable``, URLs, VCS
references, local paths and wheel files, ``--hash`` and other per-line options, file-level
options (``--only-binary``, ``--index-url``...), ``${VAR}`` references (kept as written unless a
value is given), extras and environment markers.
"""

from __future__ import annotations

from ._lines import physical_lines

import os
import re
from typing import Dict, List, Mapping, Optional, Set, Tuple

from ..safe_read import excerpt, inside
from . import Manifest, ManifestProblem, Origin, Req, canonical, parse_requirement_string, read_text

__all__ = ["parse_requirements_file", "parse_requirements_text", "FILE_OPTIONS"]

_ENV_RE = re.compile(r"\$\{([A-Z0-9_]+)\}")
_EGG_RE = re.compile(r"[#&]egg=([A-Za-z0-9_.\-]+(?:\[[^\]]*\])?)")
# Options that take a value (long and short spellings); the value may follow `=` or a space.
FILE_OPTIONS = {
    "-i": "index-url", "--index-url": "index-url", "--extra-index-url": "extra-index-url",
    "--no-index": None, "-f": "find-links", "--find-links": "find-links",
    "--only-binary": "only-binary", "--no-binary": "no-binary", "--prefer-binary": None,
    "--require-hashes": None, "--pre": None, "--trusted-host": "trusted-host",
    "--use-feature": "use-feature", "-Z": None, "--always-unzip": None,
}
_PER_LINE_VALUE = {"--hash", "--config-settings", "-C", "--global-option", "--install-option"}
_MAX_INCLUDE_DEPTH = 100  # -r chains deeper than this are not followed (recursion bound)
_URL_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|(?:git|hg|svn|bzr)\+|file:)", re.I)


def _comment_start(line: str) -> int:
    """Index of a comment (``#`` at the start or after whitespace, as pip reads it), or -1.

    A linear scan: the equivalent regular expression backtracks quadratically on long runs of
    whitespace."""
    i = line.find("#")
    while i >= 0:
        if i == 0 or line[i - 1] in " \t":
            return i
        i = line.find("#", i + 1)
    return -1


def _strip_comment(line: str) -> str:
    i = _comment_start(line)
    return line if i < 0 else line[:i]


def _logical_lines(text: str) -> List[Tuple[int, str]]:
    """[(first physical line, joined text)] with continuations joined and comments removed."""
    out: List[Tuple[int, str]] = []
    buf: List[str] = []
    start = 0
    for i, raw in enumerate(physical_lines(text), 1):
        line = raw
        if not buf:
            start = i
        # a `#` that starts a comment hides a trailing backslash, as pip reads the joined line
        if line.endswith("\\") and _comment_start(line[:-1]) < 0:
            buf.append(line[:-1])
            continue
        buf.append(line)
        joined = _strip_comment("".join(buf)).strip()
        buf = []
        if joined:
            out.append((start, joined))
    if buf:
        joined = _strip_comment("".join(buf)).strip()
        if joined:
            out.append((start, joined))
    return out


_TOKEN_RE = re.compile(r"\S+")
_OPTION_TOKEN_RE = re.compile(r"--?[A-Za-z]")


def _split_options(line: str) -> Tuple[str, List[Tuple[str, str]]]:
    """Split ``req --hash=sha256:x --config-settings k=v`` into the requirement and its options."""
    cuts = [m.start() for m in _TOKEN_RE.finditer(line) if m.start() > 0 and _OPTION_TOKEN_RE.match(line, m.start())]
    bounds = [0] + cuts + [len(line)]
    parts = [line[a:b].strip() for a, b in zip(bounds, bounds[1:])]
    head = parts[0]
    opts: List[Tuple[str, str]] = []
    for p in parts[1:]:
        if "=" in p.split(" ", 1)[0]:
            k, v = p.split("=", 1)
        elif " " in p:
            k, v = p.split(" ", 1)
        else:
            k, v = p, ""
        opts.append((k.strip(), v.strip()))
    return head, opts


def _name_from_url(url: str) -> str:
    m = _EGG_RE.search(url)
    if m:
        return canonical(m.group(1).split("[", 1)[0])
    base = url.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    if base.endswith(".whl"):
        return canonical(base.split("-", 1)[0])
    return ""


def direct_reference(text: str, origin: Origin, editable: bool = False, group: str = "") -> Req:
    """A URL, VCS reference, local path or wheel file given as a requirement."""
    name = _name_from_url(text)
    extras: Tuple[str, ...] = ()
    m = re.search(r"\[([^\]]*)\]$", text.split("#", 1)[0])
    url = text
    if m and not _URL_RE.match(text):
        extras = tuple(sorted(e.strip() for e in m.group(1).split(",") if e.strip()))
        url = text[: m.start()]
    return Req(name, "", extras, None, origin, url=url, editable=editable, group=group, text=text)


def looks_like_path(text: str) -> bool:
    return text in (".", "..") or text.startswith(("./", "../", "/", "~")) or text.endswith((".whl", ".tar.gz", ".zip")) or os.sep in text


def parse_requirement_line(spec: str, origin: Origin, editable: bool = False, group: str = "") -> Tuple[Optional[Req], Optional[str]]:
    """One requirement as written on a line or a command line."""
    spec = spec.strip()
    if editable or _URL_RE.match(spec) or looks_like_path(spec.split(";", 1)[0].strip()):
        if " @ " in spec and not editable:
            return parse_requirement_string(spec, origin, group)
        return direct_reference(spec.split(";", 1)[0].strip() if not _URL_RE.match(spec) else spec, origin, editable, group), None
    return parse_requirement_string(spec, origin, group)


def parse_requirements_text(
    text: str,
    path: str,
    *,
    env: Optional[Mapping[str, str]] = None,
    resolve_include=None,
    _stack: Optional[Set[str]] = None,
    _memo: Optional[Dict[str, Manifest]] = None,
    _done: Optional[Set[Tuple[str, bool]]] = None,
) -> Manifest:
    """Parse requirements text. ``resolve_include(name, including_path)`` returns
    ``(real_path, shown_path)`` or ``(None, reason)`` for ``-r``/``-c`` targets."""
    reqs: List[Req] = []
    constraints: List[Req] = []
    problems: List[ManifestProblem] = []
    options: Dict[str, List[str]] = {}
    includes: List[str] = []
    stack = set(_stack or ()) | {path}
    # an include read once is not read again (a diamond of includes would be exponential):
    # its parse is memoised, and its requirements are added once per role (-r or -c)
    memo: Dict[str, Manifest] = {} if _memo is None else _memo
    done: Set[Tuple[str, bool]] = set() if _done is None else _done
    raw_lines = physical_lines(text)
    unresolved: List[int] = []

    def add_option(key: str, value: str) -> None:
        options.setdefault(key, []).append(value)

    for lineno, line in _logical_lines(text):
        if env is not None:
            line = _ENV_RE.sub(lambda m: env.get(m.group(1), m.group(0)), line)
        if _ENV_RE.search(line):
            # pip expands ${VAR} from the build's environment: without a value the line is
            # unknown, not malformed
            unresolved.append(lineno)
            continue
        col = 1
        physical = raw_lines[lineno - 1] if lineno - 1 < len(raw_lines) else ""
        col = len(physical) - len(physical.lstrip()) + 1
        origin = Origin(path, lineno, col, len(physical.rstrip()) + 1)
        if line.startswith("-"):
            m = re.match(r"^(--?[A-Za-z][A-Za-z0-9-]*)(?:[ =]\s*(.*))?$", line)
            if not m:
                problems.append(ManifestProblem(path, lineno, f"cannot parse option line {excerpt(line)}"))
                continue
            opt, value = m.group(1), (m.group(2) or "").strip()
            if opt in ("-r", "--requirement", "-c", "--constraint"):
                if not value:
                    problems.append(ManifestProblem(path, lineno, f"{opt} needs a file name"))
                    continue
                if resolve_include is None:
                    continue
                real, shown = resolve_include(value, path)
                if real is None:
                    kind = "remote" if _URL_RE.match(value) else "outside" if "outside" in (shown or "") else "missing"
                    problems.append(ManifestProblem(path, lineno, f"{opt} {excerpt(value, 80)}: {shown}", kind))
                    if kind == "remote" and opt in ("-c", "--constraint"):
                        add_option("remote-constraints", value)
                    continue
                if len(stack) >= _MAX_INCLUDE_DEPTH:
                    problems.append(ManifestProblem(path, lineno, f"includes nested more than {_MAX_INCLUDE_DEPTH} deep; not followed", "cycle"))
                    continue
                if shown in stack:
                    problems.append(ManifestProblem(path, lineno, f"include cycle: {shown} is already being read ({' -> '.join(sorted(stack))})", "cycle"))
                    continue
                is_constraint = opt in ("-c", "--constraint")
                if (shown, is_constraint) in done:
                    continue
                done.add((shown, is_constraint))
                includes.append(shown)
                sub = memo.get(shown)
                if sub is None:
                    sub_text, reason = read_text(real)
                    if sub_text is None:
                        problems.append(ManifestProblem(path, lineno, f"{opt} {excerpt(value, 80)}: {reason}", "missing" if reason and "No such file" in reason else "malformed"))
                        continue
                    sub = parse_requirements_text(sub_text, shown, env=env, resolve_include=resolve_include, _stack=stack, _memo=memo, _done=done)
                    memo[shown] = sub
                problems.extend(sub.problems)
                includes.extend(sub.includes)
                if is_constraint:
                    constraints.extend(sub.requirements)
                    constraints.extend(sub.constraints)
                else:
                    reqs.extend(sub.requirements)
                    constraints.extend(sub.constraints)
                    for k, v in sub.options.items():
                        options.setdefault(k, []).extend(v)
                continue
            if opt in ("-e", "--editable"):
                if not value:
                    problems.append(ManifestProblem(path, lineno, "-e needs a path or URL"))
                    continue
                req, err = parse_requirement_line(value, origin, editable=True)
                if req is not None:
                    reqs.append(req)
                continue
            if opt in FILE_OPTIONS:
                key = FILE_OPTIONS[opt] or opt.lstrip("-")
                add_option(key, value)
                continue
            problems.append(ManifestProblem(path, lineno, f"unknown pip option {excerpt(opt)}"))
            continue
        head, line_opts = _split_options(line)
        hashes = tuple(v for k, v in line_opts if k == "--hash")
        # pip parses file-level options on a requirement line too (and then ignores them)
        unknown = [k for k, _ in line_opts if k not in _PER_LINE_VALUE and k not in FILE_OPTIONS]
        if unknown:
            problems.append(ManifestProblem(path, lineno, f"unknown per-requirement option {excerpt(unknown[0])}"))
        req, err = parse_requirement_line(head, origin)
        if req is None:
            problems.append(ManifestProblem(path, lineno, err or "invalid requirement"))
            continue
        if hashes:
            req = req._replace(hashes=hashes)
        reqs.append(req)
    extra: Dict[str, object] = {"unresolved_lines": tuple(unresolved)} if unresolved else {}
    return Manifest(path, "requirements", tuple(reqs), {k: tuple(v) for k, v in options.items()}, tuple(constraints), tuple(problems), tuple(includes), extra)


def parse_requirements_file(path: str, *, shown: Optional[str] = None, root: Optional[str] = None, env: Optional[Mapping[str, str]] = None) -> Manifest:
    """Parse a requirements file on disk; includes are resolved relative to it, within ``root``."""
    shown = shown or path
    text, reason = read_text(path, root)
    if text is None:
        return Manifest(shown, "requirements", (), {}, problems=(ManifestProblem(shown, None, reason or "cannot read", "outside" if reason and "outside" in reason else "malformed"),))
    base_real = os.path.dirname(os.path.abspath(path))
    base_shown = os.path.dirname(shown)
    limit = os.path.abspath(root) if root else None
    shown_to_real = {shown: os.path.abspath(path)}

    def resolve_include(name: str, including: str):
        if _URL_RE.match(name):
            return None, "remote requirement files are not fetched (no network)"
        inc_real = shown_to_real.get(including, os.path.join(base_real, os.path.basename(including)))
        real = os.path.normpath(os.path.join(os.path.dirname(inc_real), name))
        shown_inc = os.path.normpath(os.path.join(os.path.dirname(including) if including != shown else base_shown, name)).replace(os.sep, "/")
        if limit and not inside(real, limit):
            return None, "points outside the build context (or is a symlink to outside it); not followed"
        if not os.path.exists(real):
            return None, "No such file in the build context"
        shown_to_real[shown_inc] = real
        return real, shown_inc

    return parse_requirements_text(text, shown, env=env, resolve_include=resolve_include)
