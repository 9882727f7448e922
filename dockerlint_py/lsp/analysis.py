"""The language server's one door into the linter.

Everything the server needs from the engine, the model, the rules and the knowledge goes through
this module, so that a change of the engine's API (a session object, say) is one file to re-point.
Nothing here imports pygls; the server speaks LSP, this module speaks findings and files.

Paths are absolute everywhere in this module. Lines and columns are 1-based, as in findings
(end column exclusive); the server converts to LSP positions.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterable, List, Mapping, Optional, Set, Tuple
from .._record import Record

if TYPE_CHECKING:
    from ..model.resolve import DockerfileModel
    from ..engine import LintOptions

__all__ = [
    "Settings",
    "Span",
    "FixEdit",
    "FixInfo",
    "Diag",
    "Problem",
    "Analysis",
    "analyze",
    "is_dockerfile",
    "is_manifest",
    "is_config_file",
    "reload_config",
    "candidate_dockerfiles",
    "suppression_edit",
    "rule_info",
    "hover_base_image",
    "hover_requirement",
    "read_file_text",
]

SEVERITIES = ("error", "warning", "info", "style")
_MAX_CANDIDATES = 200  # Dockerfiles examined when looking for the consumers of a manifest
_MAX_FILE_BYTES = 5 * 1024 * 1024


class Settings(Record):
    """The server's settings (initializationOptions / workspace/didChangeConfiguration,
    under a ``dockerlint`` key or at the top level): the CLI's lint options, plus the editor's
    timing. Configuration files still apply."""

    options: Optional["LintOptions"] = None  # None: the defaults (see lint_options())
    debounce_ms: int = 25  # short: an analysis takes a few ms, and queued changes coalesce
    timeout_ms: int = 10000  # an analysis running longer is abandoned (logged)

    @classmethod
    def from_json(cls, raw) -> "Settings":
        from ..engine import LintOptions

        if not isinstance(raw, dict):
            return cls(LintOptions())
        if isinstance(raw.get("dockerlint"), dict):
            raw = raw["dockerlint"]

        def codes(key: str) -> Tuple[str, ...]:
            v = raw.get(key)
            if isinstance(v, str):
                v = v.split(",")
            if not isinstance(v, (list, tuple)):
                return ()
            return tuple(str(c).strip().upper() for c in v if str(c).strip())

        build_args: List[Tuple[str, str]] = []
        ba = raw.get("buildArgs", raw.get("build_args"))
        if isinstance(ba, dict):
            build_args = [(str(k), str(v)) for k, v in ba.items()]
        arch = raw.get("arch", raw.get("targetArch", "x86_64"))
        if arch not in ("x86_64", "aarch64"):
            arch = "x86_64"
        debounce = raw.get("debounceMs", raw.get("debounce_ms", 25))
        try:
            debounce = max(0, min(int(debounce), 5000))
        except (TypeError, ValueError):
            debounce = 25
        try:
            timeout = max(100, int(raw.get("timeoutMs", 10000)))
        except (TypeError, ValueError):
            timeout = 10000
        options = LintOptions(
            select=codes("select") if raw.get("select") is not None else None,
            ignore=codes("ignore"),
            extend_select=codes("extendSelect") or codes("extend_select"),
            build_args=tuple(build_args),
            target=str(raw["target"]) if raw.get("target") else None,
            arch=arch,
            config_file=str(raw["config"]) if raw.get("config") else None,
            use_config=raw.get("noConfig", raw.get("no_config")) is not True,
        )
        return cls(options, debounce, timeout)

    def lint_options(self) -> "LintOptions":
        if self.options is None:
            from ..engine import LintOptions

            return LintOptions()
        return self.options


class Span(Record):
    line: int
    column: int
    end_line: int
    end_column: int


class FixEdit(Record):
    path: str
    span: Span
    replacement: str


class FixInfo(Record):
    description: str
    safe: bool
    edits: Tuple[FixEdit, ...]


class Diag(Record):
    """A finding placed in one file: where the rule reported it, or (``mirrored``) the manifest
    line it names as related, so that it shows where the requirement is written."""

    path: str
    span: Span
    code: str
    name: str
    severity: str
    message: str
    origin: str  # the Dockerfile whose analysis produced it
    finding_key: str  # identifies the finding within that analysis
    related: Tuple[Tuple[str, Span, str], ...] = ()
    fix: Optional[FixInfo] = None
    mirrored: bool = False


class Problem(Record):
    """A file that could not be linted (unreadable, unparsable, bad configuration) or a rule
    that failed (``kind == "internal"``)."""

    path: str
    line: Optional[int]
    message: str
    kind: str


class Analysis(Record):
    dockerfile: str
    diags: Tuple[Diag, ...]
    problems: Tuple[Problem, ...]
    manifests: FrozenSet[str]  # manifest files the install plan reads
    model: Optional["DockerfileModel"]  # the resolved model (None when the Dockerfile does not parse)


# -- file kinds --------------------------------------------------------------------------------


def is_dockerfile(path: str) -> bool:
    from ..discovery import is_dockerfile_name

    return is_dockerfile_name(os.path.basename(path))


def is_manifest(path: str) -> bool:
    from ..manifests import manifest_kind

    return not is_dockerfile(path) and manifest_kind(path) is not None


def is_config_file(path: str) -> bool:
    return os.path.basename(path) in (".dockerlint.toml", "pyproject.toml")


def manifest_kind(path: str) -> Optional[str]:
    from ..manifests import manifest_kind as kind

    return kind(path)


def reload_config() -> None:
    """Forget every configuration read so far (a configuration file changed)."""
    from .. import config

    config._FIND_CACHE.clear()
    del config.SKIPPED[:]


def read_file_text(path: str) -> Optional[str]:
    """A regular file's text from disk (size-capped), or None."""
    from ..safe_read import read_bytes

    data, _ = read_bytes(path, limit=_MAX_FILE_BYTES)
    if data is None:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


# -- analysis ----------------------------------------------------------------------------------


def _span(line, column, end_line, end_column) -> Span:
    line = max(int(line or 1), 1)
    column = max(int(column or 1), 1)
    end_line = max(int(end_line or line), line)
    end_column = int(end_column or column)
    if end_line == line and end_column < column:
        end_column = column
    return Span(line, column, end_line, end_column)


def _abs(shown: Optional[str], default: str) -> str:
    if not shown or shown == "-":
        return default
    return os.path.abspath(shown)


def analyze(path: str, text: str, buffers: Mapping[str, str], settings: Settings) -> Analysis:
    """Lint one Dockerfile from ``text`` with the open editor ``buffers`` (path -> text) standing
    in for the files on disk. Raises only for a bug in the engine (the caller logs it)."""
    from ..engine import lint_source
    from ..manifests import set_buffer_overlay

    path = os.path.abspath(path)
    set_buffer_overlay({p: t for p, t in buffers.items() if p != path})
    try:
        result = lint_source(text.encode("utf-8"), path, settings.lint_options())
        model = _resolve(path, text, settings)
        manifests = _manifests_read(model) if model is not None else frozenset()
    finally:
        set_buffer_overlay({})
    diags: List[Diag] = []
    for f in result.findings:
        where = _abs(f.path, path)
        key = f"{f.code}:{f.line}:{f.column}:{where}:{f.message}"
        related = tuple((_abs(r.path, path), _span(r.line, r.column, r.line, r.column), r.message) for r in f.related)
        fix = None
        if f.fix is not None:
            edits = tuple(FixEdit(_abs(e.path, where), _span(e.start_line, e.start_column, e.end_line, e.end_column), e.replacement) for e in f.fix.edits)
            fix = FixInfo(f.fix.description, bool(f.fix.safe), edits)
        span = _span(f.line, f.column, f.end_line, f.end_column)
        diags.append(Diag(where, span, f.code, f.name, f.severity, f.message, path, key, related, fix))
        # a Dockerfile finding about a requirement also shows on the requirement's line
        for rpath, rspan, _msg in related:
            if rpath != where and rpath != path and is_manifest(rpath):
                mspan = _line_span(rpath, rspan.line, buffers)
                diags.append(Diag(rpath, mspan, f.code, f.name, f.severity, f.message, path, key, ((where, span, "reported here"),), None, True))
    problems = tuple(Problem(_abs(e.path, path), e.line, e.message, e.kind) for e in result.errors)
    return Analysis(path, tuple(diags), problems, manifests, model)


def _line_span(path: str, line: int, buffers: Mapping[str, str]) -> Span:
    """The written part of a manifest line (its requirement, without a trailing comment)."""
    text = buffers.get(path)
    if text is None:
        text = read_file_text(path) or ""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return Span(line, 1, line, 1)
    raw = lines[line - 1]
    body = raw.split(" #", 1)[0].rstrip()
    start = len(body) - len(body.lstrip())
    return Span(line, start + 1, line, max(len(body), start) + 1)


def _resolve(path: str, text: str, settings: Settings):
    from ..engine import display_path
    from ..errors import DockerlintError
    from ..model.dockerfile import parse_dockerfile
    from ..model.resolve import BuildOptions, resolve

    shown = display_path(path)
    try:
        parsed = parse_dockerfile(text, shown)
    except DockerlintError:
        return None
    build_args: Dict[str, str] = {}
    try:
        from ..engine import _effective  # noqa: PLC0415 - configured build args, like lint_source
        from ..rules import load_rules

        build_args = dict(_effective(path, settings.lint_options(), load_rules()[0]).build_args)
    except Exception:  # a bad configuration is reported by lint_source already
        build_args = dict(settings.lint_options().build_args)
    opts = settings.lint_options()
    model = resolve(parsed, BuildOptions(build_args, opts.target, opts.arch, None))
    model.plan  # noqa: B018 - read the manifests now, while the buffer overlay is in place
    return model


def _manifests_read(model) -> FrozenSet[str]:
    out: Set[str] = set()
    plan = model.plan
    for sp in plan.stages:
        for inst in list(sp.installs) + list(sp.inherited):
            out.update(os.path.abspath(p) for p in inst.manifests)
            out.update(os.path.abspath(p.origin.path) for p in inst.packages)
    for p in plan.problems:
        if p.path:
            out.add(os.path.abspath(p.path))
    out.discard(os.path.abspath(model.path))
    return frozenset(o for o in out if is_manifest(o))


def _search_root(manifest: str, folders: Iterable[str]) -> str:
    """The manifest's repository (the nearest directory with ``.git``); without one, the
    innermost workspace folder holding it; else its own directory. Never the whole disk."""
    from ..safe_read import repo_root

    repo = repo_root(os.path.dirname(os.path.abspath(manifest)))
    if repo is not None:
        return repo
    inside = [f for f in folders if os.path.commonpath([os.path.abspath(f), os.path.abspath(manifest)]) == os.path.abspath(f)]
    if inside:
        return max(inside, key=len)
    return os.path.dirname(os.path.abspath(manifest))


def candidate_dockerfiles(manifest: str, folders: Iterable[str] = ()) -> List[str]:
    """Dockerfiles on disk in the manifest's repository (at most a few hundred): the ones that
    may install it. The caller analyses them to find out."""
    from ..discovery import iter_dockerfiles

    out: List[str] = []
    for df in iter_dockerfiles(_search_root(manifest, folders)):
        out.append(os.path.abspath(df))
        if len(out) >= _MAX_CANDIDATES:
            break
    return out


# -- suppression comments ----------------------------------------------------------------------

_PRAGMA_LINE_RE = re.compile(r"^(\s*#\s*dockerlint\s*:\s*ignore\s*=\s*)([A-Za-z0-9_,\s]*?[A-Za-z0-9_])(\s*(?:--.*)?)$", re.I)
_TRAILING_RE = re.compile(r"(#\s*dockerlint\s*:\s*ignore\s*=\s*)([A-Za-z0-9_,\s]*?[A-Za-z0-9_])(\s*(?:--.*)?)$", re.I)


def suppression_edit(diag: Diag, texts: Mapping[str, str], dockerfiles: Iterable[str] = ()) -> Optional[Tuple[str, FixEdit]]:
    """(title, edit) writing the comment that silences ``diag`` where the engine reads it: a
    ``# dockerlint: ignore=CODE`` line above the Dockerfile instruction, or a trailing comment on
    a requirements/TOML manifest line. None when no comment can be placed safely."""
    code = diag.code
    target = diag.origin if diag.mirrored else diag.path
    line = diag.related[0][1].line if diag.mirrored else diag.span.line
    text = texts.get(target)
    if text is None:
        text = read_file_text(target)
    if text is None:
        return None
    lines = text.split("\n")
    if is_dockerfile(target) or target in set(dockerfiles):
        return _dockerfile_pragma(target, lines, line, code)
    kind = manifest_kind(target)
    if kind not in ("requirements", "pyproject", "Pipfile", "uv.lock", "poetry.lock", "pdm.lock", "pylock"):
        return None
    if not 1 <= line <= len(lines):
        return None
    raw = lines[line - 1].rstrip("\r")
    if raw.rstrip().endswith("\\"):
        return None  # a continued line: a comment would end it
    m = _TRAILING_RE.search(raw)
    if m:
        codes = m.group(2)
        if code in {c.strip().upper() for c in re.split(r"[,\s]+", codes)}:
            return None
        col = m.start(2) + len(codes) + 1
        return f"Ignore {code} on this line", FixEdit(target, Span(line, col, line, col), f",{code}")
    body = raw.rstrip()
    col = len(body) + 1
    return f"Ignore {code} on this line", FixEdit(target, Span(line, col, line, len(raw) + 1), f"  # dockerlint: ignore={code}")


def _dockerfile_pragma(path: str, lines: List[str], line: int, code: str) -> Optional[Tuple[str, FixEdit]]:
    from ..errors import DockerlintError
    from ..model.dockerfile import parse_dockerfile

    try:
        parsed = parse_dockerfile("\n".join(lines), path)
    except DockerlintError:
        return None
    ins = next((i for i in parsed.instructions if i.start_line <= line <= i.end_line), None)
    if ins is None:
        return None
    start = ins.start_line
    above = lines[start - 2].rstrip("\r") if start >= 2 else None
    m = _PRAGMA_LINE_RE.match(above) if above is not None else None
    what = f"Ignore {code} for this instruction (line {start})" if ins.end_line > ins.start_line or line != start else f"Ignore {code} on this line"
    if m:
        codes = m.group(2)
        if code in {c.strip().upper() for c in re.split(r"[,\s]+", codes)}:
            return None
        col = m.start(2) + len(codes) + 1
        return what, FixEdit(path, Span(start - 1, col, start - 1, col), f",{code}")
    first = lines[start - 1]
    indent = first[: len(first) - len(first.lstrip())]
    return what, FixEdit(path, Span(start, 1, start, 1), f"{indent}# dockerlint: ignore={code}\n")


# -- hover -------------------------------------------------------------------------------------


def rule_info(code: str) -> Optional[Tuple[str, str, Optional[str]]]:
    """(name, one-line summary, documentation URL or None) of a rule."""
    from ..rules import load_rules

    rules, _ = load_rules()
    r = rules.get(code)
    if r is None:
        return None
    if code.startswith("DKL"):
        from ..ruledoc import help_uri

        url: Optional[str] = help_uri(code)
    else:
        url = r.references[0] if r.references else None
    return r.name, r.summary, url


def _stage_plan(model, stage):
    try:
        return model.plan.for_stage(stage)
    except Exception:  # noqa: BLE001 - no plan, no Python facts
        return None


def hover_base_image(model, line: int) -> Optional[str]:
    """Markdown: what the linter knows of the base image of the FROM instruction on ``line``."""
    if model is None:
        return None
    stage = next((s for s in model.stages if s.from_instruction.start_line <= line <= s.from_instruction.end_line), None)
    if stage is None:
        return None
    label = f"stage `{stage.name}`" if stage.name else f"stage {stage.index}"
    shown = stage.base_text
    if stage.unresolved or not shown:
        words = [w for w in stage.from_instruction.args_text.split() if not w.startswith("--")]
        shown = words[0] if words else stage.base_text
    head = f"**FROM `{shown}`** ({label})"
    if stage.parent is not None:
        head += f", built on stage `{stage.parent.label}`"
    out = [head, ""]
    if stage.unresolved:
        out.append(f"The image depends on build arguments without a value: {', '.join(sorted('`' + u + '`' for u in stage.unresolved))}.")
        return "\n".join(out)
    ref = stage.image
    facts = stage.facts
    if ref is not None and ref.is_scratch:
        out.append("`scratch`: an empty image (no libc, no shell, no Python).")
        return "\n".join(out)
    if facts is None:
        out.append("Not in the bundled base-image knowledge: nothing is assumed about it.")
    else:
        def yes_no(v, yes="present", no="absent"):
            return None if v is None else (yes if v else no)

        distro = (facts.distro + (f" {facts.release}" if facts.release else "")) if facts.distro else None
        sp = _stage_plan(model, stage)
        py = facts.python
        if sp is not None and sp.python:
            src = {"tag": "from the tag", "env": "from the image's environment", "floating tag": "the tag floats; today's release", "distro": "the distribution's package"}.get(sp.python_source, sp.python_source)
            py = f"{sp.python} ({src})"
        if facts.implementation and facts.implementation != "cpython" and py:
            py = f"{py}, {facts.implementation}"
        ca = yes_no(facts.ca)
        if ca is not None and facts.ca_tools is not None:
            ca += f"; update-ca-certificates: {yes_no(facts.ca_tools)}"
        rows = [
            ("libc", facts.libc),
            ("distribution", distro),
            ("package manager", facts.pkg),
            ("Python", py),
            ("CA bundle", ca),
            ("default user", facts.user),
            ("C compiler", yes_no(facts.compiler)),
            ("architecture", sp.machine if sp is not None else None),
        ]
        out.extend(f"- {k}: {v}" for k, v in rows if v)  # what is not known is not listed
    if ref is not None:
        tag = _tag_words(ref, known=facts is not None)
        if tag:
            out.append(f"- tag: {tag}")
    if facts is not None:
        how = {"V": "verified against recorded sources", "S": "read from the image's own Dockerfile or package list", "U": "common knowledge, not re-verified"}.get(facts.verified, facts.verified)
        out.append("")
        out.append(f"_Facts: {how}" + (f" ({facts.source})_" if facts.source else "_"))
    return "\n".join(out)


def _tag_words(ref, known: bool) -> Optional[str]:
    if ref.digest:
        return "pinned by digest"
    if ref.tag is None or ref.tag == "latest":
        return "`latest`: moves with every release" if ref.tag == "latest" else "none, so `latest`: moves with every release"
    from ..rules.base_image import floating_reason

    reason = floating_reason(ref)
    if reason:
        return f"floats: {reason}"
    return f"`{ref.tag}` names a release (not pinned by digest)" if known else None


def hover_requirement(models: Iterable[Optional["DockerfileModel"]], path: str, line: int, column: Optional[int] = None) -> Optional[str]:
    """Markdown: for each stage that installs the requirement written on ``path:line``, the
    wheel verdict for that stage's Python, libc and architecture."""
    from ..knowledge.native import Target, musl_wheel, native_package, verdict as wheel_verdict
    from ..analysis.builds import source_builds
    from ..rules.musl import fail_reason, no_wheel_reason

    path = os.path.abspath(path)
    sections: List[str] = []
    seen = set()
    for model in models:
        if model is None:
            continue
        try:
            builds = source_builds(model)
        except Exception:  # noqa: BLE001 - a hover never fails because of a model bug
            builds = []
        by_key = {(b.stage_plan.stage.index, b.package.name): b for b in builds}
        for sp in model.plan.stages:
            stage = sp.stage
            for pkg in sp.packages:
                o = pkg.origin
                if os.path.abspath(o.path) != path or o.line != line or not pkg.name:
                    continue
                if column is not None and o.end_column and not (o.column <= column <= o.end_column):
                    continue
                facts = stage.facts
                libc = facts.libc if facts is not None else None
                key = (pkg.name, pkg.version, sp.python, libc, sp.machine)
                if key in seen:
                    continue
                seen.add(key)
                where = f"`{os.path.basename(model.path)}` stage `{stage.label}`"
                target = f"CPython {sp.python or '?'}, {libc or 'unknown libc'}, {sp.machine}"
                version = f"{pkg.version}" if pkg.version else "newest allowed release"
                head = f"**{pkg.name}** {version} in {where} ({target})"
                b = by_key.get((stage.index, pkg.name))
                if b is not None:
                    verdict = f"no matching wheel: {no_wheel_reason(b)}; " + ("pip fails" + (f" ({fail_reason(b)})" if fail_reason(b) else "") if b.fails else "pip compiles it from the sdist")
                    if b.first_ok:
                        verdict += f". First release with a wheel for this target: {b.first_ok}"
                elif libc == "musl":
                    v = musl_wheel(pkg.name, pkg.version, sp.python, sp.machine)
                    verdict = {"yes": "musllinux wheel: yes", "no": "musllinux wheel: no", "unknown": "musllinux wheel: not known"}[v.status] + f" ({v.reason})"
                    native = native_package(pkg.name)
                    if v.status == "no" and (native is None or native.compiled != "required"):
                        verdict += "; a pure-Python fallback installs"
                elif libc == "glibc":
                    g = wheel_verdict(pkg.name, pkg.version, Target((sp.python,) if sp.python else ("3.12",), sp.machine, True, "glibc"))
                    if g.kind == "pure":
                        verdict = "a pure-Python wheel is published"
                    elif g.status == "yes":
                        verdict = "manylinux wheel: yes" + (f" ({pkg.name} {g.picked})" if g.picked else "")
                    elif g.status == "no":
                        verdict = "manylinux wheel: no (pip builds the sdist)"
                    else:
                        native = native_package(pkg.name)
                        verdict = "manylinux wheels are published" if native is not None and native.linux_wheels else "not in the bundled wheel data"
                else:
                    verdict = "the base image's libc is not known"
                sections.append(f"{head}\n\n{verdict}")
    return "\n\n---\n\n".join(sections) if sections else None
