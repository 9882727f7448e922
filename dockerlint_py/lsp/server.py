"""The language server: documents in, diagnostics, code actions and hovers out.

Model of the work:

* Every open Dockerfile is analysed from its buffer, with every open manifest buffer standing in
  for the file on disk (unsaved edits count on both sides of the link).
* An analysis records which manifests the Dockerfile's install plan reads. Editing one of them
  re-analyses those Dockerfiles; opening a manifest no analysed Dockerfile reads makes the
  server look for the Dockerfiles of its repository that install it.
* Diagnostics of a manifest come from the analyses of the Dockerfiles that install it: manifest
  findings, and Dockerfile findings about a requirement (shown on the requirement's line too).
* Changes are debounced; analyses run one at a time in a worker thread, so the server keeps
  answering while one runs. An analysis that raises is logged to the client; the last good
  diagnostics stay and the server keeps serving.
"""

from __future__ import annotations

import asyncio
import logging
import os
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional, Set, Tuple

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from .. import __version__
from . import analysis as A

log = logging.getLogger("dockerlint.lsp")

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
    "style": types.DiagnosticSeverity.Hint,
}
UNSAFE_KIND = "quickfix.dockerlint.unsafe"
SUPPRESS_KIND = "quickfix.dockerlint.suppress"


def _units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _from_units(line: str, units: int, encoding: str) -> int:
    """Character index in ``line`` of a client column given in code units."""
    if encoding == "utf-32":
        return min(units, len(line))
    count = 0
    for i, ch in enumerate(line):
        if count >= units:
            return i
        count += _units(ch, encoding)
    return len(line)


class DockerlintLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("dockerlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.settings = A.Settings()
        self.analyses: Dict[str, A.Analysis] = {}  # Dockerfile path -> latest good analysis
        self.tracked: Set[str] = set()  # Dockerfiles analysed (open, or installing an open manifest)
        self.searched: Set[str] = set()  # manifests whose repository was searched for consumers
        self.published: Set[str] = set()  # paths with diagnostics shown
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dockerlint-analysis")
        self.lock: Optional[asyncio.Lock] = None
        self.pending: Dict[str, asyncio.Task] = {}
        self.generation: Dict[str, int] = {}
        self.forced_dockerfiles: Set[str] = set()  # opened with languageId "dockerfile" under another name

    # -- documents ---------------------------------------------------------------------------

    def encoding(self) -> str:
        enc = self.workspace.position_encoding if self.workspace is not None else None
        return str(getattr(enc, "value", enc) or "utf-16")

    def open_paths(self) -> Dict[str, str]:
        out: Dict[str, str] = {}
        for uri, doc in list(self.workspace.text_documents.items()):
            path = to_fs_path(uri)
            if path:
                out[os.path.abspath(path)] = doc.source
        return out

    def text_of(self, path: str, buffers: Optional[Dict[str, str]] = None) -> Optional[str]:
        buffers = buffers if buffers is not None else self.open_paths()
        if path in buffers:
            return buffers[path]
        return A.read_file_text(path)

    def log_client(self, level: types.MessageType, message: str) -> None:
        try:
            self.window_log_message(types.LogMessageParams(type=level, message=message))
        except Exception:  # noqa: BLE001 - a broken pipe is handled by pygls
            log.exception("cannot log to the client")

    # -- analysis ----------------------------------------------------------------------------

    def schedule(self, path: str, delay: Optional[float] = None) -> None:
        """Re-check ``path`` (a Dockerfile, a manifest or a config file) after the debounce.
        Changes that arrive while a check waits or runs coalesce: only the newest runs."""
        delay = self.settings.debounce_ms / 1000.0 if delay is None else delay
        self.generation[path] = self.generation.get(path, 0) + 1
        old = self.pending.pop(path, None)
        if old is not None and not old.done():
            old.cancel()
        self.pending[path] = asyncio.ensure_future(self._debounced(path, delay, self.generation[path]))

    async def _debounced(self, path: str, delay: float, generation: int) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
        except asyncio.CancelledError:
            return
        await asyncio.shield(self.refresh(path, generation))

    async def refresh(self, path: str, generation: Optional[int] = None) -> None:
        try:
            if self.lock is None:
                self.lock = asyncio.Lock()
            async with self.lock:
                if generation is not None and self.generation.get(path) != generation:
                    return  # a newer change of this file is scheduled: it will do the work
                await self._refresh(path)
        except Exception:  # noqa: BLE001 - whatever happens, the server keeps serving
            self.log_client(types.MessageType.Error, f"dockerlint: checking {path} failed:\n{traceback.format_exc()}")

    async def _refresh(self, path: str) -> None:
        buffers = self.open_paths()
        loop = asyncio.get_running_loop()
        if self.is_dockerfile(path):
            targets = [path]
        else:
            targets = [d for d in sorted(self.tracked) if path in self.analyses.get(d, _EMPTY).manifests]
            if A.is_manifest(path) and path not in self.searched and path in buffers:
                self.searched.add(path)
                candidates = await loop.run_in_executor(self.executor, A.candidate_dockerfiles, path, self.folders())
                for df in candidates:
                    if df in self.tracked:
                        continue
                    result = await self._analyze(df, buffers)
                    if result is not None and path in result.manifests:
                        self.tracked.add(df)
                        targets.append(df)
                    else:
                        self.analyses.pop(df, None)
        touched: Set[str] = {path}
        for df in dict.fromkeys(targets):
            if df in buffers:
                self.tracked.add(df)
            before = self.analyses.get(df)
            result = await self._analyze(df, buffers)
            if result is None:
                continue
            if df in buffers or any(m in buffers for m in result.manifests):
                self.tracked.add(df)
            touched.add(df)
            touched.update(result.manifests)
            if before is not None:
                touched.update(before.manifests)
        # forget Dockerfiles that are neither open nor installing an open manifest
        for df in sorted(self.tracked):
            result = self.analyses.get(df)
            if df not in buffers and (result is None or not any(m in buffers for m in result.manifests)):
                self.tracked.discard(df)
                self.analyses.pop(df, None)
        self.publish(touched, buffers)

    def folders(self) -> List[str]:
        out = []
        for f in list(getattr(self.workspace, "folders", {}).values()):
            p = to_fs_path(f.uri)
            if p:
                out.append(os.path.abspath(p))
        root = getattr(self.workspace, "root_path", None)
        if root:
            out.append(os.path.abspath(root))
        return out

    def is_dockerfile(self, path: str) -> bool:
        return path in self.forced_dockerfiles or A.is_dockerfile(path)

    async def _analyze(self, df: str, buffers: Dict[str, str]) -> Optional[A.Analysis]:
        text = buffers.get(df)
        if text is None:
            text = A.read_file_text(df)
        if text is None:
            self.analyses.pop(df, None)
            return None
        loop = asyncio.get_running_loop()
        timeout = self.settings.timeout_ms / 1000.0
        try:
            future = loop.run_in_executor(self.executor, A.analyze, df, text, dict(buffers), self.settings)
            result = await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            # a thread cannot be stopped: leave it to finish on its own, analyse in a new one
            self.executor.shutdown(wait=False)
            self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dockerlint-analysis")
            self.log_client(types.MessageType.Error, f"dockerlint: checking {df} took longer than {timeout:g} s and was abandoned; previous diagnostics kept")
            return None
        except Exception:  # noqa: BLE001 - a crashing analysis is logged; the last diagnostics stay
            self.log_client(types.MessageType.Error, f"dockerlint: internal error while checking {df}; previous diagnostics kept:\n{traceback.format_exc()}")
            return None
        self.analyses[df] = result
        for p in result.problems:
            if p.kind == "internal":
                self.log_client(types.MessageType.Error, f"dockerlint: {p.path}: {p.message}")
            elif p.kind == "config":
                self.log_client(types.MessageType.Warning, f"dockerlint: {p.path}:{p.line or ''} {p.message}")
        return result

    # -- diagnostics -------------------------------------------------------------------------

    def diags_for(self, path: str) -> List[A.Diag]:
        out: List[A.Diag] = []
        seen = set()
        for df, result in sorted(self.analyses.items()):
            if df not in self.tracked:
                continue
            for d in result.diags:
                if d.path != path:
                    continue
                key = (d.span, d.code, d.message)
                if key in seen:
                    continue  # the same manifest line, reached through another Dockerfile
                seen.add(key)
                out.append(d)
        return out

    def problems_for(self, path: str) -> List[A.Problem]:
        out: List[A.Problem] = []
        result = self.analyses.get(path)
        if result is not None and path in self.tracked:
            out.extend(p for p in result.problems if p.kind in ("parse", "read", "config"))
        return out

    def publish(self, paths, buffers: Dict[str, str]) -> None:
        for path in sorted(set(paths)):
            if path not in buffers:
                if path in self.published:
                    self._send(path, [], None)
                continue
            lines = buffers[path].split("\n")
            diagnostics = [self.to_diagnostic(d, lines, buffers) for d in self.diags_for(path)]
            for p in self.problems_for(path):
                line = max((p.line or 1) - 1, 0)
                where = "" if p.path == path else f"{p.path}: "
                diagnostics.append(
                    types.Diagnostic(
                        range=types.Range(types.Position(line, 0), types.Position(line, _units(lines[line] if line < len(lines) else "", self.encoding()))),
                        message=f"{where}{p.message}",
                        severity=types.DiagnosticSeverity.Error,
                        source="dockerlint",
                        code=p.kind,
                    )
                )
            doc = self.workspace.text_documents.get(from_fs_path(path))
            self._send(path, diagnostics, getattr(doc, "version", None))

    def _send(self, path: str, diagnostics, version) -> None:
        if diagnostics:
            self.published.add(path)
        else:
            self.published.discard(path)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=from_fs_path(path), diagnostics=diagnostics, version=version))

    def lsp_range(self, span: A.Span, lines: List[str]) -> types.Range:
        enc = self.encoding()

        def pos(line: int, col: int) -> types.Position:
            idx = line - 1
            if idx >= len(lines):
                return types.Position(max(len(lines) - 1, 0) if lines else 0, _units(lines[-1], enc) if lines else 0)
            text = lines[idx].rstrip("\r")
            return types.Position(idx, _units(text[: max(col - 1, 0)], enc))

        return types.Range(pos(span.line, span.column), pos(span.end_line, span.end_column))

    def to_diagnostic(self, d: A.Diag, lines: List[str], buffers: Dict[str, str]) -> types.Diagnostic:
        info = None
        try:
            info = A.rule_info(d.code)
        except Exception:  # noqa: BLE001
            info = None
        related = []
        buffers_cache: Dict[str, List[str]] = {}
        for rpath, rspan, msg in d.related:
            rlines = buffers_cache.get(rpath)
            if rlines is None:
                rlines = (self.text_of(rpath, buffers) or "").split("\n")
                buffers_cache[rpath] = rlines
            related.append(types.DiagnosticRelatedInformation(location=types.Location(uri=from_fs_path(rpath), range=self.lsp_range(rspan, rlines)), message=msg))
        return types.Diagnostic(
            range=self.lsp_range(d.span, lines),
            message=d.message,
            severity=_SEVERITY.get(d.severity, types.DiagnosticSeverity.Warning),
            code=d.code,
            code_description=types.CodeDescription(href=info[2]) if info and info[2] else None,
            source="dockerlint",
            related_information=related or None,
            data={"origin": d.origin, "key": d.finding_key, "mirrored": d.mirrored},
        )

    # -- code actions ------------------------------------------------------------------------

    def find_diag(self, data) -> Optional[A.Diag]:
        if not isinstance(data, dict):
            return None
        result = self.analyses.get(data.get("origin", ""))
        if result is None:
            return None
        for d in result.diags:
            if d.finding_key == data.get("key") and d.mirrored == bool(data.get("mirrored")):
                return d
        return None

    def workspace_edit(self, edits: List[A.FixEdit], buffers: Dict[str, str]) -> Optional[types.WorkspaceEdit]:
        changes: Dict[str, List[types.TextEdit]] = {}
        for e in edits:
            text = self.text_of(e.path, buffers)
            if text is None:
                return None
            lines = text.split("\n")
            changes.setdefault(from_fs_path(e.path), []).append(types.TextEdit(range=self.lsp_range(e.span, lines), new_text=e.replacement))
        return types.WorkspaceEdit(changes=changes)

    def code_actions(self, params: types.CodeActionParams) -> List[types.CodeAction]:
        buffers = self.open_paths()
        only = params.context.only
        actions: List[types.CodeAction] = []
        seen: Set[Tuple[object, ...]] = set()

        def wanted(kind: str) -> bool:
            return not only or any(kind == k or kind.startswith(str(k) + ".") for k in only)

        for diag in params.context.diagnostics:
            if diag.source != "dockerlint":
                continue
            d = self.find_diag(diag.data)
            if d is None:
                continue
            primary = self.primary_of(d)
            if primary is not None and primary.fix is not None and primary.fix.edits:
                kind = types.CodeActionKind.QuickFix if primary.fix.safe else UNSAFE_KIND
                key: Tuple[object, ...] = ("fix", primary.finding_key)
                if wanted(kind) and key not in seen:
                    edit = self.workspace_edit(list(primary.fix.edits), buffers)
                    if edit is not None:
                        seen.add(key)
                        title = f"{primary.fix.description} ({primary.code})" + ("" if primary.fix.safe else " [unsafe: changes behaviour]")
                        actions.append(types.CodeAction(title=title, kind=kind, diagnostics=[diag], edit=edit, is_preferred=primary.fix.safe))
            sup = A.suppression_edit(d, buffers, self.forced_dockerfiles)
            key = ("ignore", d.finding_key, d.mirrored)
            if sup is not None and wanted(SUPPRESS_KIND) and key not in seen:
                title, e = sup
                edit = self.workspace_edit([e], buffers)
                if edit is not None:
                    seen.add(key)
                    actions.append(types.CodeAction(title=f"{title} (# dockerlint: ignore={d.code})", kind=SUPPRESS_KIND, diagnostics=[diag], edit=edit))
        return actions

    def primary_of(self, d: A.Diag) -> Optional[A.Diag]:
        if not d.mirrored:
            return d
        result = self.analyses.get(d.origin)
        if result is None:
            return None
        return next((x for x in result.diags if x.finding_key == d.finding_key and not x.mirrored), None)

    # -- hover -------------------------------------------------------------------------------

    def hover(self, path: str, position: types.Position) -> Optional[str]:
        buffers = self.open_paths()
        text = buffers.get(path)
        if text is None:
            return None
        lines = text.split("\n")
        if position.line >= len(lines):
            return None
        line_text = lines[position.line].rstrip("\r")
        line = position.line + 1
        column = _from_units(line_text, position.character, self.encoding()) + 1
        parts: List[str] = []
        for d in self.diags_for(path):
            s = d.span
            inside = (s.line < line or (s.line == line and s.column <= column)) and (line < s.end_line or (line == s.end_line and column <= max(s.end_column, s.column)))
            if not inside:
                continue
            info = A.rule_info(d.code)
            if info is None:
                continue
            name, summary, url = info
            doc = f" — [documentation]({url})" if url else ""
            entry = f"**{d.code}** `{name}`: {summary}{doc}"
            if entry not in parts:
                parts.append(entry)
        if self.is_dockerfile(path):
            result = self.analyses.get(path)
            model = result.model if result is not None else None
            if model is not None and (line_text.lstrip().upper().startswith("FROM") or _continues_from(lines, position.line)):
                h = A.hover_base_image(model, line)
                if h:
                    parts.insert(0, h)
            if model is not None:
                h = A.hover_requirement([model], path, line, column)
                if h:
                    parts.insert(0, h)
        elif A.is_manifest(path):
            models = [r.model for df, r in sorted(self.analyses.items()) if df in self.tracked and path in r.manifests]
            h = A.hover_requirement(models, path, line)
            if h:
                parts.insert(0, h)
        return "\n\n---\n\n".join(parts) if parts else None


def _continues_from(lines: List[str], idx: int) -> bool:
    """Is line ``idx`` a continuation of a FROM instruction (``FROM \\`` then the image)?"""
    i = idx - 1
    while i >= 0 and lines[i].rstrip().endswith("\\"):
        if lines[i].lstrip().upper().startswith("FROM"):
            return True
        i -= 1
    return False


class _Empty:
    manifests: frozenset = frozenset()


_EMPTY = _Empty()


def build_server() -> DockerlintLanguageServer:
    server = DockerlintLanguageServer()

    def path_of(uri: str) -> Optional[str]:
        p = to_fs_path(uri)
        return os.path.abspath(p) if p else None

    @server.feature(types.INITIALIZE)
    def initialize(ls: DockerlintLanguageServer, params: types.InitializeParams) -> None:
        ls.settings = A.Settings.from_json(params.initialization_options)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: DockerlintLanguageServer, params: types.InitializedParams) -> None:
        caps = ls.client_capabilities
        dyn = caps.workspace and caps.workspace.did_change_watched_files and caps.workspace.did_change_watched_files.dynamic_registration
        if not dyn:
            return
        watchers = [types.FileSystemWatcher(glob_pattern=g) for g in ("**/.dockerlint.toml", "**/pyproject.toml", "**/*requirements*.txt", "**/*requirements*.in", "**/*.lock", "**/Dockerfile*", "**/*.Dockerfile", "**/Containerfile*")]
        try:
            await ls.client_register_capability_async(
                types.RegistrationParams(registrations=[types.Registration(id="dockerlint-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))])
            )
        except Exception:  # noqa: BLE001 - the client may refuse; saves still reload
            ls.log_client(types.MessageType.Info, "dockerlint: file watching not available; configuration reloads on save")

    def changed(ls: DockerlintLanguageServer, path: str, delay: Optional[float] = None) -> None:
        if A.is_config_file(path):
            A.reload_config()
            for df in sorted(ls.tracked):
                ls.schedule(df, delay)
        if ls.is_dockerfile(path) or A.is_manifest(path):
            ls.schedule(path, delay)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: DockerlintLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        if path:
            if params.text_document.language_id in ("dockerfile", "containerfile") and not A.is_manifest(path):
                ls.forced_dockerfiles.add(path)
            changed(ls, path, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: DockerlintLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        if path and (ls.is_dockerfile(path) or A.is_manifest(path)):
            ls.schedule(path)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: DockerlintLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        if path:
            changed(ls, path, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: DockerlintLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        if not path:
            return
        if path in ls.published:
            ls._send(path, [], None)
        if ls.is_dockerfile(path):
            ls.forced_dockerfiles.discard(path)
            result = ls.analyses.get(path)
            buffers = ls.open_paths()
            if result is not None and any(m in buffers for m in result.manifests):
                ls.schedule(path, 0)  # still installs an open manifest: checked from disk now
            else:
                ls.tracked.discard(path)
                ls.analyses.pop(path, None)
                ls.publish(result.manifests if result is not None else (), buffers)
        elif A.is_manifest(path):
            ls.searched.discard(path)
            ls.schedule(path, 0)  # the disk content counts again

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls: DockerlintLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
        buffers = ls.open_paths()
        for ev in params.changes:
            path = path_of(ev.uri)
            if path and (A.is_config_file(path) or path not in buffers):
                changed(ls, path)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(ls: DockerlintLanguageServer, params: types.DidChangeConfigurationParams) -> None:
        if isinstance(params.settings, dict) and params.settings:
            ls.settings = A.Settings.from_json(params.settings)
        A.reload_config()
        for df in sorted(ls.tracked):
            ls.schedule(df, 0)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, UNSAFE_KIND, SUPPRESS_KIND], resolve_provider=False),
    )
    def code_action(ls: DockerlintLanguageServer, params: types.CodeActionParams):
        try:
            return ls.code_actions(params) or None
        except Exception:  # noqa: BLE001
            ls.log_client(types.MessageType.Error, f"dockerlint: code actions failed:\n{traceback.format_exc()}")
            return None

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: DockerlintLanguageServer, params: types.HoverParams):
        path = path_of(params.text_document.uri)
        if not path:
            return None
        # wait for a pending check of this file, so the hover describes what is on screen
        task = ls.pending.get(path)
        if task is not None and not task.done():
            await asyncio.wait({task}, timeout=2.0)  # neither its failure nor its cancellation matters here
        try:
            text = ls.hover(path, params.position)  # cheap: the models are cached by the analysis
        except Exception:  # noqa: BLE001
            ls.log_client(types.MessageType.Error, f"dockerlint: hover failed:\n{traceback.format_exc()}")
            return None
        if not text:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: DockerlintLanguageServer, params) -> None:
        for task in list(ls.pending.values()):
            task.cancel()
        ls.executor.shutdown(wait=False)

    return server


def serve(log_file: Optional[str] = None) -> int:
    if log_file:
        logging.basicConfig(filename=log_file, level=logging.DEBUG)
    server = build_server()
    server.start_io()
    return 0
