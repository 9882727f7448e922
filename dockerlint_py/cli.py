"""Command line: parse arguments and dispatch to the subcommand (``dockerlint_py.commands``).

    dockerlint check [PATH ...]      lint Dockerfiles (directories are searched)
    dockerlint rules                 list the rules
    dockerlint rule CODE             print one rule's documentation
"""

from __future__ import annotations

import os
import sys
from typing import Optional, Sequence

from . import __version__
from .exitcodes import ERROR, SUCCESS

SUBCOMMANDS = ("check", "rules", "rule", "inspect", "alpine-check", "server")


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
        if args.command in ("rules", "rule"):
            from .commands.rules import list_rules, show_rule

            return list_rules(sys.stdout, args.format) if args.command == "rules" else show_rule(args.code, sys.stdout, args.format)
        if args.command == "inspect":
            from .commands.inspect import run_cli

            return run_cli(args)
        if args.command == "alpine-check":
            from .commands import configure_online
            from .commands.alpine_check import run as alpine_run

            configure_online(args.online)
            return alpine_run(args.manifests, args.python, args.arch, args.format, sys.stdout, sys.stderr)
        if args.command is None:
            args = parser.parse_args(["check"])
        from .commands.check import run as check_run

        return check_run(args)
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
