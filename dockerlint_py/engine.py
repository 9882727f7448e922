"""The pipeline: read -> parse -> resolve -> rules -> suppress/config -> findings.

Errors about a file (unreadable, undecodable, unparsable) are collected per file, so that every
other file is still linted; a rule that raises is reported as an internal error for that file
and rule, never as a traceback.
"""

from __future__ import annotations

import os
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from .config import Config, Selection, find_config, unknown_codes
from .discovery import matches_any
from .errors import ConfigError, DockerlintError
from .findings import Finding, severity_rank

__all__ = ["LintOptions", "FileError", "FileResult", "lint_source", "lint_file", "display_path"]


class LintOptions(NamedTuple):
    select: Optional[Tuple[str, ...]] = None
    ignore: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = ()
    build_args: Tuple[Tuple[str, str], ...] = ()
    target: Optional[str] = None
    arch: str = "x86_64"
    use_config: bool = True
    config_file: Optional[str] = None
    force_exclude: bool = False
    context: Optional[str] = None  # build context directory (default: the Dockerfile's)


class FileError(NamedTuple):
    path: str
    line: Optional[int]
    message: str
    kind: str  # "read" | "parse" | "internal" | "config"

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class FileResult(NamedTuple):
    path: str
    findings: List[Finding]
    errors: List[FileError]
    excluded: bool = False


def display_path(path: str) -> str:
    """Relative to the current directory when under it, with ``/`` separators."""
    if path == "-":
        return path
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    try:
        rel = os.path.relpath(absolute, cwd)
    except ValueError:
        rel = absolute
    if rel.startswith(".."):
        rel = absolute
    return rel.replace(os.sep, "/")


def read_source(path: str) -> Tuple[Optional[bytes], Optional[FileError]]:
    from .safe_read import MAX_DOCKERFILE_BYTES, read_bytes

    shown = display_path(path)
    data, reason = read_bytes(path, limit=MAX_DOCKERFILE_BYTES)
    if data is None:
        if reason == "is a directory":
            reason = "is a directory, not a Dockerfile"
        return None, FileError(shown, None, reason or "cannot read", "read")
    return data, None


class _Effective(NamedTuple):
    selection: Selection
    severity: Dict[str, str]
    per_file_ignores: Tuple[str, ...]
    build_args: Dict[str, str]
    config: Optional[Config]


def _effective(path: str, options: LintOptions, rules) -> _Effective:
    cfg: Optional[Config] = None
    if options.config_file:
        from .config import load_config_file

        cfg = load_config_file(options.config_file)
    elif options.use_config and path != "-":
        cfg = find_config(os.path.dirname(os.path.abspath(path)))
    elif options.use_config:
        cfg = find_config(os.getcwd())
    cfg = cfg or Config()
    codes = list(rules)
    defaults = [c for c, r in rules.items() if r.enabled]
    select = options.select if options.select is not None else cfg.select
    extend = tuple(cfg.extend_select) + tuple(options.extend_select)
    ignore = tuple(cfg.ignore) + tuple(options.ignore)
    selection = Selection(codes, defaults, select, extend, ignore)
    pfi: List[str] = []
    if cfg.per_file_ignores and path != "-":
        rel = os.path.relpath(os.path.abspath(path), cfg.root or os.getcwd()).replace(os.sep, "/")
        for pattern, pcodes in cfg.per_file_ignores:
            if matches_any(rel, [pattern]):
                pfi.extend(pcodes)
    build_args = dict(cfg.build_args)
    build_args.update(dict(options.build_args))
    return _Effective(selection, dict(cfg.severity), tuple(pfi), build_args, cfg)


def lint_source(data: bytes, path: str, options: LintOptions = LintOptions(), shown: Optional[str] = None) -> FileResult:
    from .model.dockerfile import decode_source, parse_dockerfile
    from .model.resolve import BuildOptions, resolve
    from .rules import load_rules
    from .suppress import Suppressions

    shown = shown or display_path(path)
    rules, _warnings = load_rules()
    try:
        eff = _effective(path, options, rules)
    except ConfigError as exc:
        return FileResult(shown, [], [FileError(display_path(exc.path), exc.line, exc.message, "config")])
    try:
        text = decode_source(data, shown)
        parsed = parse_dockerfile(text, shown)
    except DockerlintError as exc:
        return FileResult(shown, [], [FileError(shown, exc.line, exc.message, "parse")])
    model = resolve(parsed, BuildOptions(eff.build_args, options.target, options.arch, options.context))
    suppressions = Suppressions(parsed)
    findings: List[Finding] = []
    errors: List[FileError] = []
    for code, rule in rules.items():
        if code not in eff.selection:
            continue
        try:
            hits = list(rule.check(model))
        except Exception as exc:  # a bug in a rule: report it for this file, keep going
            errors.append(FileError(shown, None, f"internal error in rule {code} ({rule.name}): {type(exc).__name__}: {exc}", "internal"))
            continue
        for hit in hits:
            if hit.path is not None and hit.path != shown:
                if suppressions.suppressed_in_manifest(code, hit.path, hit.line, hit.anchor):
                    continue
            elif suppressions.suppressed(code, hit.line):
                continue
            if any(code.startswith(p) or p == "ALL" for p in eff.per_file_ignores):
                continue
            severity = eff.severity.get(code, rule.severity)
            findings.append(
                Finding(hit.path or shown, hit.line, hit.column, hit.end_line, hit.end_column, code, rule.name, severity, hit.message, hit.related, hit.fix)
            )
    findings.sort(key=Finding.sort_key)
    return FileResult(shown, findings, errors)


def is_excluded(path: str, options: LintOptions) -> bool:
    """True when the nearest configuration excludes ``path`` (used with --force-exclude)."""
    if path == "-":
        return False
    try:
        cfg = find_config(os.path.dirname(os.path.abspath(path))) if options.use_config else None
    except ConfigError:
        return False
    if cfg is None or not cfg.exclude:
        return False
    rel = os.path.relpath(os.path.abspath(path), cfg.root or os.getcwd()).replace(os.sep, "/")
    return matches_any(rel, cfg.exclude)


def lint_file(path: str, options: LintOptions = LintOptions()) -> FileResult:
    shown = display_path(path)
    if options.force_exclude and is_excluded(path, options):
        return FileResult(shown, [], [], excluded=True)
    data, err = read_source(path)
    if err is not None:
        return FileResult(shown, [], [err])
    return lint_source(data, path, options, shown)


def config_warnings(paths: Sequence[str], options: LintOptions) -> List[str]:
    """Warnings about the configuration in effect (unknown keys, unknown codes)."""
    from .rules import load_rules

    rules, plugin_warnings = load_rules()
    out = list(plugin_warnings)
    seen = set()
    codes = list(rules)
    cfgs: List[Config] = []
    for p in paths:
        try:
            if options.config_file:
                from .config import load_config_file

                c = load_config_file(options.config_file)
            else:
                c = find_config(os.path.dirname(os.path.abspath(p)) if p != "-" else os.getcwd())
        except ConfigError:
            continue
        if c is not None and c.path not in seen:
            seen.add(c.path)
            cfgs.append(c)
    for c in cfgs:
        out.extend(c.warnings)
        pats = list(c.select or ()) + list(c.ignore) + list(c.extend_select) + [x for _, cs in c.per_file_ignores for x in cs] + [k for k, _ in c.severity]
        for u in unknown_codes(pats, codes):
            out.append(f"{c.path}: unknown rule code `{u}`")
    cli_pats = list(options.select or ()) + list(options.ignore) + list(options.extend_select)
    for u in unknown_codes(cli_pats, codes):
        out.append(f"command line: unknown rule code `{u}`")
    return out


def at_or_above(findings: Sequence[Finding], threshold: str) -> bool:
    if threshold == "none":
        return False
    limit = severity_rank(threshold)
    return any(severity_rank(f.severity) >= limit for f in findings)
