"""``dockerlint check``: discover, lint (and fix), report, exit code — through one Session."""

from __future__ import annotations

import os
import sys
from typing import Dict, List, Optional, Sequence

from ..exitcodes import ERROR, FINDINGS, SUCCESS
from . import configure_online, parse_build_args, split_codes

__all__ = ["run"]


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



def _only_manifests(paths: List[str]) -> bool:
    from ..manifests import manifest_kind

    return bool(paths) and all(p != "-" and os.path.isfile(p) and manifest_kind(p) for p in paths)



def _parse_outputs(values: List[str], output_file: Optional[str]):
    """``--format NAME[:PATH]`` values -> [(name, path or None)]; None after an error message."""
    from ..report import FORMATS

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



def run(args) -> int:
    from ..engine import LintOptions, config_warnings
    from ..report import ReportContext, get_formatter
    from ..rules import load_rules

    build_args = parse_build_args(args.build_arg)
    if build_args is None:
        return ERROR
    options = LintOptions(
        select=split_codes(args.select),
        ignore=split_codes(args.ignore) or (),
        extend_select=split_codes(args.extend_select) or (),
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
    configure_online(args.online, None if args.no_config else (args.config or ""))
    from ..session import Session

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
        from ..fixes.run import fix_files

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
            from ..safe_read import MAX_DOCKERFILE_BYTES, read_bytes

            shown_data, _ = read_bytes(path, limit=MAX_DOCKERFILE_BYTES)
            if shown_data is not None:
                sources[result.path] = shown_data.decode("utf-8", "replace").split("\n")
    from ..config import SKIPPED

    for note in SKIPPED:
        print(f"dockerlint: warning: {note}", file=sys.stderr)
    for fe in errors:
        print(f"{fe}", file=sys.stderr)

    rules, _ = load_rules()
    report_root = None
    if args.root:
        report_root = os.path.abspath(args.root)
    elif any(name not in ("text", "lines") for name, _ in outputs):
        from ..report import find_repository_root  # CI formats only: text stays cwd-relative

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

    from ..engine import lint_source
    from ..fixes.edits import apply_edits

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


