"""The pipeline: read -> parse -> resolve -> rules -> suppress/config -> findings.

Errors about a file (unreadable, undecodable, unparsable) are collected per file, so that every
other file is still linted; a rule that raises is reported as an internal error for that file
and rule, never as a traceback.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from ._record import Record
from .config import Config, Selection, find_config, unknown_codes
from .discovery import matches_any
from .errors import ConfigError, DockerlintError
from .findings import Finding, Hit, severity_rank
from .paths import display_path  # re-exported: its home is dockerlint_py.paths

__all__ = ["LintOptions", "FileError", "FileResult", "lint_source", "lint_file", "display_path"]


class LintOptions(Record):
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


class FileError(Record):
    path: str
    line: Optional[int]
    message: str
    kind: str  # "read" | "parse" | "internal" | "config"

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class FileResult(Record):
    path: str
    findings: List[Finding]
    errors: List[FileError]
    excluded: bool = False


def read_source(path: str) -> Tuple[Optional[bytes], Optional[FileError]]:
    from .safe_read import MAX_DOCKERFILE_BYTES, read_bytes

    shown = display_path(path)
    data, reason = read_bytes(path, limit=MAX_DOCKERFILE_BYTES)
    if data is None:
        if reason == "is a directory":
            reason = "is a directory, not a Dockerfile"
        return None, FileError(shown, None, reason or "cannot read", "read")
    return data, None


class _Effective(Record):
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
        return FileResult(shown, _error_findings(shown, exc.line, exc.message, rules, eff), [FileError(shown, exc.line, exc.message, "parse")])
    model = resolve(parsed, BuildOptions(eff.build_args, options.target or (eff.config.target if eff.config else None), options.arch, options.context, eff.config.image_role if eff.config else None))
    if options.target and parsed.instructions and not any(st.name == options.target.lower() for st in model.stages):
        return FileResult(shown, [], [FileError(shown, None, f"--target {options.target!r}: no stage of that name", "config")])
    aliases: Dict[str, List[str]] = {}
    for c, r in rules.items():
        for dl in getattr(r, "hadolint", ()):
            aliases.setdefault(dl, []).append(c)
    suppressions = Suppressions(parsed, {k: tuple(v) for k, v in aliases.items()})
    findings: List[Finding] = []
    errors: List[FileError] = []
    selected = {code: r for code, r in rules.items() if code in eff.selection}
    for code, rule, hit in run_rules(model, selected, errors, shown):
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
    findings.extend(_suppression_findings(suppressions, rules, selected, eff, shown))
    findings.sort(key=Finding.sort_key)
    return FileResult(shown, findings, errors)


def _suppression_findings(sup, rules, selected, eff, shown: str) -> List[Finding]:
    """DKL900 (a pragma that does not parse, or names no rule) and DKL901 (a pragma that
    suppressed nothing), both opt-in, like ruff's RUF100. Only rules that ran can make a
    pragma unused."""
    out: List[Finding] = []
    for code, lines in (("DKL900", True), ("DKL901", False)):
        r = rules.get(code)
        if r is None or code not in eff.selection:
            continue
        sev = eff.severity.get(code, r.severity)
        if lines:
            for ln in sup.malformed:
                out.append(Finding(shown, ln, 1, ln, 1, code, r.name, sev, "malformed suppression comment: write `# dockerlint: ignore=CODE[,CODE]`", (), None))
            for ln, pat in sup.pragmas:
                if pat != "ALL" and not any(c.startswith(pat) for c in rules):
                    out.append(Finding(shown, ln, 1, ln, 1, code, r.name, sev, f"suppression names no rule: `{pat}`", (), None))
        else:
            for ln, pat in sup.pragmas:
                ran = [c for c in rules if pat == "ALL" or c.startswith(pat)]
                if ran and all(c in selected for c in ran) and (ln, pat) not in sup.used:
                    out.append(Finding(shown, ln, 1, ln, 1, code, r.name, sev, f"unused suppression: `{pat}` suppressed nothing", (), None))
    return out


def _error_findings(shown: str, line: Optional[int], message: str, rules, eff) -> List[Finding]:
    """A file that cannot be read or parsed is a DKL000 finding too, so that every report format
    (not only stderr) carries it."""
    r = rules.get("DKL000")
    if r is None or "DKL000" not in eff.selection:
        return []
    ln = line or 1
    return [Finding(shown, ln, 1, ln, 1, "DKL000", r.name, eff.severity.get("DKL000", r.severity), message[:200], (), None)]


def run_rules(model, rules: Dict[str, Any], errors: List[FileError], shown: str) -> Iterator[Tuple[str, Any, Hit]]:
    """Walk the model once and call each rule at its scope; one finding per rule per instruction
    (per manifest line for findings located in a manifest): a repeated hit adds its related
    locations to the first. A rule that raises is an internal error for this file and rule."""
    from .contexts import CommandContext, walk

    by_scope: Dict[str, List[Tuple[str, Any]]] = {"file": [], "stage": [], "instruction": [], "command": []}
    for code, r in rules.items():
        by_scope.get(getattr(r, "scope", "file"), by_scope["file"]).append((code, r))
    failed: Dict[str, bool] = {}
    raw: List[Tuple[str, Any, Hit]] = []

    def call(code: str, r: Any, arg: Any) -> None:
        if code in failed:
            return
        try:
            for h in r.check(arg):
                raw.append((code, r, h))
        except Exception as exc:  # a bug in a rule: report it for this file, keep going
            failed[code] = True
            errors.append(FileError(shown, None, f"internal error in rule {code} ({r.name}): {type(exc).__name__}: {exc}", "internal"))

    for code, r in by_scope["file"]:
        call(code, r, model)
    if by_scope["stage"] or by_scope["instruction"] or by_scope["command"]:
        for sctx, ictxs in walk(model):
            for code, r in by_scope["stage"]:
                call(code, r, sctx)
            for ictx in ictxs:
                for code, r in by_scope["instruction"]:
                    call(code, r, ictx)
                if by_scope["command"]:
                    for cmd in ictx.commands:
                        cctx = CommandContext(ictx, cmd)
                        for code, r in by_scope["command"]:
                            call(code, r, cctx)
    # one finding per rule per instruction / manifest line
    spans = [(i.start_line, i.end_line) for i in model.instructions]
    starts = [a for a, _ in spans]
    import bisect

    first: Dict[Tuple[str, Optional[str], int], int] = {}
    merged: List[Tuple[str, Any, Hit]] = []
    for code, r, h in raw:
        key: Tuple[str, Optional[str], int]
        if h.path is not None and h.path != shown:
            key = (code, h.path, h.line)
        else:
            k = bisect.bisect_right(starts, h.line) - 1
            key = (code, None, spans[k][0] if k >= 0 and spans[k][0] <= h.line <= spans[k][1] else -h.line)
        at = first.get(key)
        if at is None:
            first[key] = len(merged)
            merged.append((code, r, h))
            continue
        c0, r0, h0 = merged[at]
        extra = tuple(x for x in h.related if x not in h0.related)
        if extra and len(h0.related) < 20:
            h0 = h0._replace(related=h0.related + extra)
        if h.fix is not None and h0.fix is not None and h.fix.safe == h0.fix.safe:
            edits = h0.fix.edits + tuple(e for e in h.fix.edits if e not in h0.fix.edits)
            h0 = h0._replace(fix=h0.fix._replace(edits=edits))
        merged[at] = (c0, r0, h0)
    return iter(merged)


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
        from .rules import load_rules

        rules, _ = load_rules()
        try:
            found = _error_findings(shown, err.line, err.message, rules, _effective(path, options, rules))
        except ConfigError:
            found = []
        return FileResult(shown, found, [err])
    assert data is not None  # read_source returns the bytes or an error
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
