"""Command line: parse arguments, run the engine, hand findings to one formatter, exit code.

    dockerlint check [PATH ...]      lint Dockerfiles (directories are searched)
    dockerlint rules                 list the rules
    dockerlint rule CODE             print one rule's documentation
"""

from __future__ import annotations

import os
import sys
from typing import Dict, List, Optional, Sequence

from . import __version__
from .exitcodes import ERROR, FINDINGS, SUCCESS

SUBCOMMANDS = ("check", "rules", "rule", "inspect", "alpine-check", "server")


def _split_codes(values: Optional[List[str]]) -> Optional[tuple]:
    if values is None:
        return None
    out: List[str] = []
    for v in values:
        out.extend(c.strip().upper() for c in v.split(",") if c.strip())
    return tuple(out)


def _build_parser(only: Optional[str] = None):
    """The argument parser; with ``only``, just that subcommand's parser is built (start-up:
    each argparse parser costs about a millisecond and a half)."""
    import argparse

    from .report import FORMATS

    def formatter(prog):
        # argparse would import shutil (and bz2, lzma...) just to ask the terminal width
        try:
            width = os.get_terminal_size().columns - 2
        except OSError:
            width = 78
        return argparse.HelpFormatter(prog, width=int(os.environ.get("COLUMNS", width)))

    parser = argparse.ArgumentParser(
        prog="dockerlint",
        description="Lint Dockerfiles together with the Python dependencies they install.",
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"dockerlint-py {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=lambda **kw: argparse.ArgumentParser(formatter_class=formatter, **kw))  # type: ignore[call-overload]  # any callable returning a parser

    def wanted(name: str) -> bool:
        return only is None or only == name

    check = sub.add_parser("check", help="lint Dockerfiles (the default command)") if wanted("check") else argparse.ArgumentParser(add_help=False)
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .); - reads stdin")
    check.add_argument(
        "--format", action="append", metavar="FORMAT[:PATH]",
        help=f"output format, repeatable; FORMAT:PATH writes that report to PATH (e.g. --format text --format sarif:out.sarif). Formats: {', '.join(sorted(FORMATS))}. Default: text",
    )
    check.add_argument("--output-file", "-o", metavar="FILE", help="write the report of a single --format without a path to FILE instead of stdout")
    check.add_argument("--select", action="append", metavar="CODES", help="comma-separated codes or prefixes to enable (replaces the configured selection)")
    check.add_argument("--extend-select", action="append", metavar="CODES", help="codes or prefixes to enable in addition")
    check.add_argument("--ignore", action="append", metavar="CODES", help="codes or prefixes to disable")
    check.add_argument("--build-arg", action="append", default=[], metavar="NAME=VALUE", help="a build argument, as docker build --build-arg")
    check.add_argument("--target", metavar="STAGE", help="the stage being built (default: the last one)")
    check.add_argument("--target-arch", choices=("x86_64", "aarch64"), default="x86_64", help="target architecture (default: x86_64)")
    check.add_argument("--failure-threshold", choices=("error", "warning", "info", "style", "none"), help="lowest severity that makes the exit code 1 (default: warning)")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--statistics", action="store_true", help="print counts per rule")
    check.add_argument("--show-source", action="store_true", help="print the offending source line")
    check.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour the text output (honours NO_COLOR and FORCE_COLOR)")
    check.add_argument("--stdin-filename", metavar="PATH", help="the path to report for input read from -")
    check.add_argument("--config", metavar="FILE", help="use this configuration file instead of searching for one")
    check.add_argument("--no-config", action="store_true", help="ignore configuration files")
    check.add_argument("--force-exclude", action="store_true", help="apply excludes to paths given explicitly too (for pre-commit)")
    check.add_argument("--exclude", action="append", metavar="PATTERNS", help="comma-separated patterns to exclude (replaces the configured `exclude`)")
    check.add_argument("--extend-exclude", action="append", metavar="PATTERNS", help="comma-separated patterns to exclude in addition")
    check.add_argument("--root", metavar="DIR", help="paths in CI formats (SARIF, GitLab, rdjson, Checkstyle, JUnit, GitHub, JSON) are relative to DIR (default: the repository root, the directory holding .git)")
    check.add_argument("--no-respect-gitignore", action="store_true", help="walk into files and folders .gitignore excludes")
    check.add_argument("--context", metavar="DIR", help="the build context (default: each Dockerfile's directory)")
    check.add_argument("--fix", action="store_true", help="apply safe fixes to the files (and manifests) in place")
    check.add_argument("--diff", action="store_true", help="print the fixes as a unified diff and change nothing (exit 1 when there is a diff)")
    check.add_argument("--unsafe-fixes", action="store_true", help="also apply (or show) fixes that change behaviour: psycopg2 -> psycopg2-binary, alpine -> slim")
    check.add_argument("--online", action="store_true", help="ask the package index pip is configured for about packages outside the bundled wheel data (cached on disk)")

    if not wanted("inspect") and not wanted("alpine-check") and not wanted("rules") and not wanted("rule"):
        return parser
    insp = sub.add_parser("inspect", help="print what dockerlint understood: stages, base images, install plan") if wanted("inspect") else argparse.ArgumentParser(add_help=False)
    insp.add_argument("paths", nargs="*", metavar="PATH")
    insp.add_argument("--format", choices=("text", "json"), default="text")
    insp.add_argument("--build-arg", action="append", default=[], metavar="NAME=VALUE")
    insp.add_argument("--target", metavar="STAGE")
    insp.add_argument("--target-arch", choices=("x86_64", "aarch64"), default="x86_64")
    insp.add_argument("--context", metavar="DIR", help="the build context (default: each Dockerfile's directory)")

    ac = sub.add_parser("alpine-check", help="would these Python dependencies install on Alpine (musl)? no Dockerfile needed") if wanted("alpine-check") else argparse.ArgumentParser(add_help=False)
    ac.add_argument("manifests", nargs="*", metavar="MANIFEST", help="requirements, pyproject or lock files (default: those in the current directory)")
    ac.add_argument("--python", default="3.12", metavar="X.Y", help="CPython version of the Alpine image (default: 3.12)")
    ac.add_argument("--arch", choices=("x86_64", "aarch64"), default="x86_64")
    ac.add_argument("--format", choices=("text", "json"), default="text")
    ac.add_argument("--online", action="store_true", help="ask the package index pip is configured for about packages outside the bundled wheel data (cached on disk)")

    rules_p = sub.add_parser("rules", help="list the rules") if wanted("rules") else argparse.ArgumentParser(add_help=False)
    rules_p.add_argument("--format", choices=("text", "json"), default="text")
    rule = sub.add_parser("rule", help="print a rule's documentation") if wanted("rule") else argparse.ArgumentParser(add_help=False)
    rule.add_argument("code", metavar="CODE")
    rule.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _use_color(choice: str, stream) -> bool:
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def _rule_json(r, doc: bool = False) -> dict:
    from .ruledoc import help_uri, rule_markdown

    d = {"code": r.code, "name": r.name, "severity": r.severity, "summary": r.summary, "enabled": bool(r.enabled),
         "fixable": bool(r.fixable), "tags": list(r.tags), "hadolint": list(r.hadolint), "url": help_uri(r.code)}
    if doc:
        d["explanation"] = rule_markdown(r)
    return d


def _cmd_rules(out, fmt: str = "text") -> int:
    from .rules import load_rules

    rules, warnings = load_rules()
    for w in warnings:
        print(f"dockerlint: warning: {w}", file=sys.stderr)
    if fmt == "json":
        import json

        out.write(json.dumps([_rule_json(r) for r in rules.values()], indent=2, ensure_ascii=False) + "\n")
        return SUCCESS
    for code, r in rules.items():
        default = "" if r.enabled else "  (opt-in)"
        out.write(f"{code}  {r.name:<34} {r.severity:<8} {r.summary}{default}\n")
    return SUCCESS


def _cmd_rule(code: str, out, fmt: str = "text") -> int:
    from .rules import load_rules

    rules, _ = load_rules()
    r = rules.get(code.upper())
    if r is None:
        print(f"dockerlint: unknown rule {code!r}; `dockerlint rules` lists them", file=sys.stderr)
        return ERROR
    if fmt == "json":
        import json

        out.write(json.dumps(_rule_json(r, doc=True), indent=2, ensure_ascii=False) + "\n")
        return SUCCESS
    from .ruledoc import rule_markdown

    out.write(rule_markdown(r))
    return SUCCESS


def _parse_build_args(items: List[str]):
    """``--build-arg NAME=VALUE`` values -> ((name, value), ...); None after an error message."""
    out = []
    for item in items:
        if "=" not in item:
            print(f"dockerlint: --build-arg expects NAME=VALUE, got {item!r}", file=sys.stderr)
            return None
        name, value = item.split("=", 1)
        out.append((name, value))
    return tuple(out)


def _only_manifests(paths: List[str]) -> bool:
    from .manifests import manifest_kind

    return bool(paths) and all(p != "-" and os.path.isfile(p) and manifest_kind(p) for p in paths)


def _parse_outputs(values: List[str], output_file: Optional[str]):
    """``--format NAME[:PATH]`` values -> [(name, path or None)]; None after an error message."""
    from .report import FORMATS

    out = []
    for v in values:
        name, sep, path = v.partition(":")
        if name not in FORMATS:
            print(f"dockerlint: unknown format {name!r}; choose from {', '.join(sorted(FORMATS))}", file=sys.stderr)
            return None
        out.append((name, path if sep else None))
    if output_file:
        bare = [i for i, (_, p) in enumerate(out) if p is None]
        if len(bare) != 1:
            print("dockerlint: --output-file needs exactly one --format without a path", file=sys.stderr)
            return None
        out[bare[0]] = (out[bare[0]][0], output_file)
    if sum(1 for _, p in out if p is None) > 1:
        print("dockerlint: several formats would go to stdout; give all but one a path (--format NAME:PATH)", file=sys.stderr)
        return None
    return out


def _cmd_check(args) -> int:
    from .engine import LintOptions, config_warnings
    from .report import ReportContext, get_formatter
    from .rules import load_rules

    build_args = _parse_build_args(args.build_arg)
    if build_args is None:
        return ERROR
    options = LintOptions(
        select=_split_codes(args.select),
        ignore=_split_codes(args.ignore) or (),
        extend_select=_split_codes(args.extend_select) or (),
        build_args=build_args,
        target=args.target,
        arch=args.target_arch,
        use_config=not args.no_config,
        config_file=args.config,
        force_exclude=args.force_exclude,
        context=args.context,
    )
    outputs = _parse_outputs(args.format or ["text"], args.output_file)
    if outputs is None:
        return ERROR
    _online(args.online, None if args.no_config else (args.config or ""))
    from .session import Session

    def patterns(values):
        return tuple(p.strip() for v in values or () for p in v.split(",") if p.strip())

    session = Session(
        options,
        exclude=patterns(args.exclude) if args.exclude else None,
        extend_exclude=patterns(args.extend_exclude),
        respect_gitignore=not args.no_respect_gitignore,
    )
    stdin_name = args.stdin_filename
    paths = args.paths or (["-"] if stdin_name else ["."])
    files = session.with_consumers(session.discover(paths))
    warnings = config_warnings(files or paths, options)
    unknown = [w for w in warnings if "unknown rule code" in w]
    for w in warnings:
        print(f"dockerlint: {'error' if w in unknown else 'warning'}: {w}", file=sys.stderr)
    if unknown:
        return ERROR  # a typo must not turn the gate off

    fixed_count = 0
    diff_text = ""
    fix_errors: List[str] = []  # a fix that could not be written is that file's error (exit 2)
    if (args.fix or args.diff) and "-" not in files:
        from .fixer import fix_files

        fixed_count, diff_text, fix_errors = fix_files(files, options, unsafe=args.unsafe_fixes, write=not args.diff)
        for e in fix_errors:
            print(f"dockerlint: {e}", file=sys.stderr)
        if args.diff:
            sys.stdout.write(diff_text)
            return FINDINGS if diff_text else SUCCESS
    stdin_data = sys.stdin.buffer.read() if "-" in files else None
    if stdin_data is not None and (args.fix or args.diff):
        return _fix_stdin(stdin_data, stdin_name or "-", options, args)

    findings = []
    errors = []
    checked: List[str] = []
    hidden_unsafe = 0
    seen_findings = set()
    sources: Dict[str, Sequence[str]] = {}
    results = []
    for path in files:
        result = session.lint(path, stdin_data if path == "-" else None, stdin_name)
        if result.excluded:
            continue
        results.append(result)
        checked.append(result.path)
        for f in result.findings:
            if f.fix is not None and not f.fix.safe and not args.unsafe_fixes:
                hidden_unsafe += 1
                f = f._replace(fix=None)
            key = (f.path, f.line, f.column, f.code, f.message)
            if f.path != result.path and key in seen_findings:
                continue  # the same manifest line, reached through another Dockerfile
            seen_findings.add(key)
            findings.append(f)
        errors.extend(result.errors)
        if args.show_source and result.findings and path != "-":
            from .safe_read import MAX_DOCKERFILE_BYTES, read_bytes

            shown_data, _ = read_bytes(path, limit=MAX_DOCKERFILE_BYTES)
            if shown_data is not None:
                sources[result.path] = shown_data.decode("utf-8", "replace").split("\n")
    from .config import SKIPPED

    for note in SKIPPED:
        print(f"dockerlint: warning: {note}", file=sys.stderr)
    for fe in errors:
        print(f"{fe}", file=sys.stderr)

    rules, _ = load_rules()
    report_root = None
    if args.root:
        report_root = os.path.abspath(args.root)
    elif any(name not in ("text", "lines") for name, _ in outputs):
        from .report import find_repository_root  # CI formats only: text stays cwd-relative

        report_root = find_repository_root()
    stream = sys.stdout
    for name, target in outputs:
        color = target is None and name == "text" and _use_color(args.color, stream)
        ctx = ReportContext(checked, errors, rules, color, args.show_source, args.statistics, sources, args.quiet, report_root)
        text = get_formatter(name)(findings, ctx)
        if target is None:
            stream.write(text)
            continue
        try:
            if os.path.dirname(target):
                os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        except OSError as exc:
            print(f"dockerlint: cannot write {target}: {exc.strerror}", file=sys.stderr)
            return ERROR
    if fixed_count:
        print(f"dockerlint: fixed {fixed_count} finding{'s' if fixed_count != 1 else ''}", file=sys.stderr)
    if hidden_unsafe and not args.quiet and not os.environ.get("PRE_COMMIT") and not os.environ.get("CI"):  # a hint for people, not hook or CI logs
        print(f"dockerlint: {hidden_unsafe} more fix{'es' if hidden_unsafe != 1 else ''} can be applied with `--fix --unsafe-fixes`", file=sys.stderr)
    if not files and not _only_manifests(paths):
        # (a commit touching only a manifest no Dockerfile installs is simply nothing to lint)
        print("dockerlint: no Dockerfiles found in " + ", ".join(paths), file=sys.stderr)
    if errors or fix_errors:
        return ERROR
    if not args.exit_zero and session.fails(results, args.failure_threshold):
        return FINDINGS
    return SUCCESS


def _fix_stdin(data: bytes, name: str, options, args) -> int:
    """``--fix``/``--diff`` with input on stdin: print the fixed text (or the diff); the file
    on disk is never touched."""
    import difflib

    from .engine import lint_source
    from .fix import apply_edits

    fixed = data
    errors = []
    for _ in range(5):  # fix, lint again, until nothing is left (as --fix does for files)
        result = lint_source(fixed, name, options, name if name == "-" else None)
        errors = result.errors
        edits = [e for f in result.findings if f.fix is not None and (f.fix.safe or args.unsafe_fixes) and f.path == result.path for e in f.fix.edits if e.path is None]
        if not edits:
            break
        new, applied = apply_edits(fixed, edits)
        if not applied or new == fixed:
            break
        fixed = new
    for e in errors:
        print(f"{e}", file=sys.stderr)
    if args.diff:
        a = data.decode("utf-8", "replace").splitlines(keepends=True)
        b = fixed.decode("utf-8", "replace").splitlines(keepends=True)
        diff = list(difflib.unified_diff(a, b, fromfile=f"a/{name}", tofile=f"b/{name}"))
        if diff and not diff[-1].endswith("\n"):
            diff[-1] += "\n\\ No newline at end of file\n"
        sys.stdout.write("".join(diff))
        return FINDINGS if diff else SUCCESS
    sys.stdout.buffer.write(fixed) if hasattr(sys.stdout, "buffer") else sys.stdout.write(fixed.decode("utf-8", "replace"))
    return ERROR if errors else SUCCESS


def _cmd_inspect(args) -> int:
    from .engine import LintOptions
    from .inspect_cmd import run

    pairs = _parse_build_args(args.build_arg)
    if pairs is None:
        return ERROR
    options = LintOptions(build_args=pairs, target=args.target, arch=args.target_arch, context=args.context)
    return run(args.paths, args.format, options, sys.stdout, sys.stderr)


def _online(flag: bool, config: Optional[str] = "") -> None:
    """--online, or `online = true` in the configuration (config: a file, "" to search, None: off)."""
    if not flag and config is not None:
        from .config import find_config, load_config_file

        cfg = load_config_file(config) if config else find_config(os.getcwd())
        flag = bool(cfg is not None and cfg.online)
    if flag:
        from .knowledge import online

        online.configure(True)


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "server":  # the language server (optional extra: pygls)
        from .lsp import main as server_main

        return server_main(argv[1:])
    if argv and argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, "check")  # `dockerlint Dockerfile` means `dockerlint check Dockerfile`
    parser = _build_parser(argv[0] if argv and argv[0] in SUBCOMMANDS else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: usage errors exit 2, --help/--version exit 0
        return int(exc.code or 0) if isinstance(exc.code, int) else ERROR
    try:
        if args.command == "rules":
            return _cmd_rules(sys.stdout, args.format)
        if args.command == "rule":
            return _cmd_rule(args.code, sys.stdout, args.format)
        if args.command == "inspect":
            return _cmd_inspect(args)
        if args.command == "alpine-check":
            from .alpine_check import run as alpine_run

            _online(args.online)
            return alpine_run(args.manifests, args.python, args.arch, args.format, sys.stdout, sys.stderr)
        if args.command is None:
            args = parser.parse_args(["check"])
        return _cmd_check(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return SUCCESS
    except Exception as exc:  # never a traceback for the user; say what and where to report
        print(f"dockerlint: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if os.environ.get("DOCKERLINT_DEBUG"):
            import traceback

            traceback.print_exc()
        return ERROR
