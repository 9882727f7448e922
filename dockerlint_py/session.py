"""One orchestration path: a lint session.

The CLI (and the language server) parse their arguments into :class:`LintOptions` and a
:class:`Session`; the session

1. resolves configuration once per directory (nearest ``.dockerlint.toml`` / ``pyproject.toml``
   ``[tool.dockerlint]`` up to the repository root),
2. discovers files: walks directories skipping VCS folders, virtualenvs, tool caches,
   ``node_modules`` and build outputs (as ruff does), configured ``exclude`` patterns plus
   ``--exclude``/``--extend-exclude``, ``.gitignore`` (unless told not to) and templates;
   explicit paths are linted unless ``--force-exclude`` applies the excludes to them too;
3. maps manifests given on the command line (pre-commit passes what a commit touched) to the
   Dockerfiles that install them — never to an ignored or excluded Dockerfile;
4. lints each file with its own configuration and reports the failure threshold per file.
"""

from __future__ import annotations

import os
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from ._record import Record
from .config import Config, find_config, load_config_file
from .discovery import is_dockerfile_name, matches_any
from .engine import FileResult, LintOptions, at_or_above, lint_file, lint_source
from .errors import ConfigError

__all__ = ["Session", "DEFAULT_EXCLUDE_DIRS"]

# Folders never walked into (explicit paths are still linted): VCS folders, virtualenvs, tool
# caches, dependency folders and build outputs. `.devcontainer/` and `.github/` are not here:
# they hold real Dockerfiles.
DEFAULT_EXCLUDE_DIRS = frozenset({
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints", ".mypy_cache",
    ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache", ".svn", ".tox",
    ".venv", ".vscode", "__pypackages__", "_build", "buck-out", "dist", "node_modules",
    "site-packages", "venv", "__pycache__",
})


def _python_build_output(path: str) -> bool:
    """A ``build/`` folder made by a Python build (``lib``, ``bdist.*``, ``temp.*`` inside). Other
    ``build/`` folders are walked: they often hold real Dockerfiles (``build/docker/Dockerfile``)."""
    try:
        names = os.listdir(path)
    except OSError:
        return False
    return any(n == "lib" or n.startswith(("bdist.", "lib.", "temp.")) for n in names)


class _Ignore(Record):
    base: str  # directory of the .gitignore (relative to the walk root, "" for the root)
    patterns: Tuple[Tuple[str, bool, bool], ...]  # (pattern, negated, directory-only)


def _read_gitignore(path: str) -> Tuple[Tuple[str, bool, bool], ...]:
    from .safe_read import read_bytes

    if os.path.islink(path):
        return ()  # a .gitignore that points elsewhere is not this repository's
    data, _ = read_bytes(path, limit=1 << 20, what=".gitignore")
    if data is None:
        return ()
    text = data.decode("utf-8", "replace")
    out = []
    for line in text.splitlines():
        line = line.rstrip()
        if not line or line.startswith("#"):
            continue
        neg = line.startswith("!")
        if neg:
            line = line[1:]
        dir_only = line.endswith("/")
        out.append((line.rstrip("/"), neg, dir_only))
    return tuple(out)


def _ignored(rel: str, is_dir: bool, stack: Sequence[_Ignore]) -> bool:
    """gitignore semantics for one walked entry (its parents were checked when walked into):
    patterns are relative to their file's directory, one containing a slash is anchored, a
    trailing slash matches directories only, ``!`` re-includes, the last match wins."""
    import fnmatch

    result = False
    for ig in stack:
        if ig.base and not rel.startswith(ig.base + "/"):
            continue
        sub = rel[len(ig.base) + 1 :] if ig.base else rel
        name = sub.rsplit("/", 1)[-1]
        for pat, neg, dir_only in ig.patterns:
            if dir_only and not is_dir:
                continue
            if "/" in pat:
                hit = fnmatch.fnmatchcase(sub, pat.lstrip("/"))
            else:
                hit = fnmatch.fnmatchcase(name, pat)
            if hit:
                result = not neg
    return result


class Session:
    def __init__(
        self,
        options: LintOptions,
        *,
        exclude: Optional[Sequence[str]] = None,
        extend_exclude: Sequence[str] = (),
        respect_gitignore: bool = True,
    ) -> None:
        self.options = options
        self.exclude = tuple(exclude) if exclude is not None else None
        self.extend_exclude = tuple(extend_exclude)
        self.respect_gitignore = respect_gitignore
        self._configs: Dict[str, Optional[Config]] = {}
        self.config_errors: List[ConfigError] = []

    # -- configuration -----------------------------------------------------------------------
    def config_for(self, path: str) -> Optional[Config]:
        """The configuration in effect for ``path`` (cached per directory)."""
        if not self.options.use_config and not self.options.config_file:
            return None
        d = os.path.dirname(os.path.abspath(path)) if path != "-" else os.getcwd()
        if d not in self._configs:
            try:
                self._configs[d] = load_config_file(self.options.config_file) if self.options.config_file else find_config(d)
            except ConfigError as exc:
                self.config_errors.append(exc)
                self._configs[d] = None
        return self._configs[d]

    def _patterns(self, path: str) -> Tuple[Tuple[str, ...], str]:
        cfg = self.config_for(path)
        base = self.exclude if self.exclude is not None else (cfg.exclude if cfg else ())
        root = (cfg.root if cfg and cfg.root else None) or _repo_root(path)
        return tuple(base) + self.extend_exclude, root

    def is_excluded(self, path: str) -> bool:
        if path == "-":
            return False
        pats, root = self._patterns(path)
        if not pats:
            return False
        rel = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
        return not rel.startswith("..") and matches_any(rel, pats)

    # -- discovery ---------------------------------------------------------------------------
    def walk(self, root: str) -> Iterator[str]:
        pats, cfg_root = self._patterns(os.path.join(root, "x"))
        stack: List[_Ignore] = []
        if self.respect_gitignore:
            repo = _repo_root(os.path.join(root, "x"))
            # .gitignore files above the walk root, up to the repository root
            above = []
            cur = os.path.abspath(root)
            while True:
                above.append(cur)
                if cur == repo or os.path.dirname(cur) == cur:
                    break
                cur = os.path.dirname(cur)
            for d in reversed(above):
                pats_g = _read_gitignore(os.path.join(d, ".gitignore"))
                if pats_g:
                    rel = os.path.relpath(d, root).replace(os.sep, "/")
                    stack.append(_Ignore("" if rel == "." or rel.startswith("..") else rel, pats_g))
        root_abs = os.path.abspath(root)
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
            rel_dir = "" if rel_dir == "." else rel_dir
            if self.respect_gitignore and ".gitignore" in filenames and rel_dir:
                g = _read_gitignore(os.path.join(dirpath, ".gitignore"))
                if g:
                    stack.append(_Ignore(rel_dir, g))
            keep = []
            for d in sorted(dirnames):
                full = os.path.join(dirpath, d)
                rel = f"{rel_dir}/{d}" if rel_dir else d
                if d in DEFAULT_EXCLUDE_DIRS or "{{" in d or (d == "build" and _python_build_output(full)) or os.path.islink(full) or os.path.isfile(os.path.join(full, "pyvenv.cfg")):
                    continue
                if pats and matches_any(os.path.relpath(full, cfg_root).replace(os.sep, "/"), pats):
                    continue
                if stack and _ignored(rel, True, stack):
                    continue
                keep.append(d)
            dirnames[:] = keep
            for f in sorted(filenames):
                if not is_dockerfile_name(f):
                    continue
                full = os.path.join(dirpath, f)
                rel = f"{rel_dir}/{f}" if rel_dir else f
                if pats and matches_any(os.path.relpath(full, cfg_root).replace(os.sep, "/"), pats):
                    continue
                if stack and _ignored(rel, False, stack):
                    continue
                yield full
        del root_abs

    def discover(self, paths: Sequence[str]) -> List[str]:
        out: List[str] = []
        for p in paths:
            if p != "-" and os.path.isdir(p) and not is_dockerfile_name(os.path.basename(p.rstrip("/"))):
                out.extend(self.walk(p))
            elif self.options.force_exclude and self.is_excluded(p):
                continue
            else:
                out.append(p)
        return out

    def with_consumers(self, files: List[str]) -> List[str]:
        """Replace manifest paths by the Dockerfiles (found by a walk that honours excludes and
        .gitignore) that install them."""
        from .discovery import consumers_among
        from .manifests import manifest_kind

        manifests = [f for f in files if f != "-" and not is_dockerfile_name(os.path.basename(f)) and manifest_kind(f) and os.path.isfile(f)]
        if not manifests:
            return files
        if self.options.force_exclude:
            manifests = [m for m in manifests if not self.is_excluded(m)]
        rest = [f for f in files if f not in manifests]
        seen = {os.path.realpath(f) for f in rest if f != "-"}
        candidates: List[str] = []
        for root in sorted({_repo_root(m) for m in manifests}):
            candidates.extend(self.walk(root))
        for df in consumers_among(candidates, manifests, self.options):
            if os.path.realpath(df) not in seen:
                seen.add(os.path.realpath(df))
                rel = os.path.relpath(df)
                rest.append(rel if not rel.startswith("..") else df)
        return rest

    # -- linting -----------------------------------------------------------------------------
    def lint(self, path: str, stdin: Optional[bytes] = None, stdin_name: Optional[str] = None) -> FileResult:
        if path == "-" or stdin is not None:
            name = stdin_name or "-"
            if name != "-" and not is_dockerfile_name(os.path.basename(name)):
                from .manifests import manifest_kind

                if manifest_kind(name):
                    return self.lint_manifest_text(name, stdin or b"")
            return lint_source(stdin or b"", name, self.options, name if name == "-" else None)
        return lint_file(path, self.options)

    def lint_manifest_text(self, name: str, data: bytes) -> FileResult:
        """A manifest read from stdin (an editor's buffer): lint the Dockerfiles that install the
        file of that name with this text in its place, and keep the findings located in it."""
        from .engine import display_path
        from .manifests import set_buffer_overlay

        shown = display_path(name)
        text = data.decode("utf-8", "replace")
        from .engine import FileError
        from .findings import Finding

        findings: List[Finding] = []
        errors: List[FileError] = []
        if os.path.isfile(name):
            consumers = [f for f in self.with_consumers([name]) if f != name]
            set_buffer_overlay({name: text})
            try:
                for df in consumers:
                    r = lint_file(df, self.options)
                    findings.extend(f for f in r.findings if os.path.abspath(f.path) == os.path.abspath(name))
                    errors.extend(e for e in r.errors if os.path.abspath(e.path) == os.path.abspath(name))
            finally:
                set_buffer_overlay({})
        seen = set()
        unique = []
        for f in findings:
            key = (f.line, f.column, f.code, f.message)
            if key not in seen:
                seen.add(key)
                unique.append(f._replace(path=shown))
        return FileResult(shown, unique, errors)

    def threshold_for(self, path: str, override: Optional[str]) -> str:
        if override:
            return override
        cfg = self.config_for(path)
        return (cfg.failure_threshold if cfg else None) or "warning"

    def fails(self, results: Sequence[FileResult], override: Optional[str]) -> bool:
        """Does any file have a finding at or above its own configuration's threshold?"""
        for r in results:
            if r.findings and at_or_above(r.findings, self.threshold_for(r.path, override)):
                return True
        return False


def _repo_root(path: str) -> str:
    from .discovery import repository_root

    return repository_root(path)
