"""End-to-end tests of `dockerlint server`: a real LSP client (pytest-lsp) drives the server over
stdio. Waits are bounded polls (generous limits, never a latency assertion)."""

import asyncio
import os
import sys
import textwrap

import pytest
import pytest_asyncio
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "dockerlint_py", "server"]
WAIT = 30.0  # seconds: a bound for a stuck server, not a performance target

DOCKERFILE = textwrap.dedent(
    """\
    FROM python:3.12-alpine
    WORKDIR /app
    COPY requirements.txt .
    RUN apk add gcc musl-dev && pip install --no-cache-dir -r requirements.txt
    COPY . .
    USER app
    CMD ["python", "app.py"]
    """
)
REQUIREMENTS = "flask==3.0.3\npsutil==7.1.3\n"  # psutil 7.1.3: manylinux wheels, no musllinux one


def uri(path) -> str:
    return "file://" + str(path)


async def until(predicate, what: str, timeout: float = WAIT):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def codes(client: LanguageClient, u: str):
    return [(d.code, d.range.start.line) for d in client.diagnostics.get(u, [])]


def open_doc(client: LanguageClient, path, language: str) -> str:
    u = uri(path)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=u, language_id=language, version=1, text=path.read_text())))
    return u


def replace_all(client: LanguageClient, u: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=u, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def apply_edits(text: str, edits) -> str:
    """Apply LSP TextEdits (ASCII text: UTF-16 units == characters)."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    def off(p):
        return offsets[p.line] + p.character

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: off(e.range.start)] + e.new_text + text[off(e.range.end):]
    return text


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    (root / ".git").mkdir()
    (root / "Dockerfile").write_text(DOCKERFILE)
    (root / "requirements.txt").write_text(REQUIREMENTS)
    return root


async def start(lsp_client: LanguageClient, **options):
    registrations = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):  # the server asks to watch config files
        registrations.extend(params.registrations)

    params = types.InitializeParams(capabilities=client_capabilities("visual-studio-code"), initialization_options={"debounceMs": 20, **options})
    return await lsp_client.initialize_session(params)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):
    await start(lsp_client)
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_diagnostics_fixes_hover_on_dockerfile_and_requirements(client: LanguageClient, project):
    df = open_doc(client, project / "Dockerfile", "dockerfile")
    await until(lambda: ("DKL201", 3) in codes(client, df), "DKL201 on the RUN line of the Dockerfile")
    req = open_doc(client, project / "requirements.txt", "pip-requirements")
    # the Dockerfile's finding about psutil also shows on the requirement's line
    await until(lambda: ("DKL201", 1) in codes(client, req), "DKL201 on the psutil line of requirements.txt")
    psutil_diag = next(d for d in client.diagnostics[req] if d.code == "DKL201")
    assert psutil_diag.severity == types.DiagnosticSeverity.Error
    assert psutil_diag.code_description is not None and "DKL201" in psutil_diag.code_description.href
    assert ("DKL201", 0) not in codes(client, req)

    # an unsaved edit to a version with a musllinux wheel: the error goes away on both sides
    replace_all(client, req, 2, "flask==3.0.3\npsutil==7.2.0\n")
    await until(lambda: "DKL201" not in [c for c, _ in codes(client, req)] and "DKL201" not in [c for c, _ in codes(client, df)], "DKL201 to disappear")
    assert (project / "requirements.txt").read_text() == REQUIREMENTS  # the buffer was linted, not the disk
    assert ("DKL403", 3) in codes(client, df)  # the rest of the Dockerfile's findings are still shown

    # a safe fix as a quick fix: apply it and get the fixed text
    d403 = next(d for d in client.diagnostics[df] if d.code == "DKL403")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(text_document=types.TextDocumentIdentifier(uri=df), range=d403.range, context=types.CodeActionContext(diagnostics=[d403]))
    )
    quick = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert len(quick) == 1 and quick[0].is_preferred
    fixed = apply_edits(DOCKERFILE, quick[0].edit.changes[df])
    assert "RUN apk add --no-cache gcc musl-dev &&" in fixed
    assert fixed.replace(" --no-cache", "", 1) == DOCKERFILE
    # ... and the suppression comment, above the instruction
    ignore = [a for a in actions if a.kind == "quickfix.dockerlint.suppress"]
    assert len(ignore) == 1
    suppressed = apply_edits(DOCKERFILE, ignore[0].edit.changes[df])
    assert suppressed.splitlines()[3] == "# dockerlint: ignore=DKL403"
    replace_all(client, df, 2, suppressed)
    await until(lambda: "DKL403" not in [c for c, _ in codes(client, df)], "the suppressed DKL403 to disappear")

    # hover on FROM: what the linter knows of the base
    hover = await client.text_document_hover_async(types.HoverParams(text_document=types.TextDocumentIdentifier(uri=df), position=types.Position(0, 8)))
    text = hover.contents.value
    assert "musl" in text and "3.12" in text and "alpine" in text and "default user" in text
    # hover on a requirement: the wheel verdict for the stage's Python/libc/architecture
    hover = await client.text_document_hover_async(types.HoverParams(text_document=types.TextDocumentIdentifier(uri=req), position=types.Position(1, 2)))
    text = hover.contents.value
    assert "psutil" in text and "7.2.0" in text and "musllinux wheel: yes" in text and "x86_64" in text
    # hover on a finding: the rule's summary and documentation link
    d405 = next(d for d in client.diagnostics[df] if d.code == "DKL405")
    hover = await client.text_document_hover_async(types.HoverParams(text_document=types.TextDocumentIdentifier(uri=df), position=d405.range.start))
    assert "DKL405" in hover.contents.value and "docs/rules/DKL405.md" in hover.contents.value
    # no hover where there is nothing to say
    hover = await client.text_document_hover_async(types.HoverParams(text_document=types.TextDocumentIdentifier(uri=df), position=types.Position(1, 2)))
    assert hover is None


@pytest.mark.asyncio
async def test_unsafe_fix_is_marked_and_manifest_suppression(client: LanguageClient, project):
    (project / "requirements.txt").write_text("psycopg2==2.9.9\n")
    df = open_doc(client, project / "Dockerfile", "dockerfile")
    req = open_doc(client, project / "requirements.txt", "pip-requirements")
    await until(lambda: ("DKL201", 0) in codes(client, req), "DKL201 on psycopg2")
    d = next(d for d in client.diagnostics[req] if d.code == "DKL201")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(text_document=types.TextDocumentIdentifier(uri=req), range=d.range, context=types.CodeActionContext(diagnostics=[d]))
    )
    unsafe = [a for a in actions if a.kind == "quickfix.dockerlint.unsafe"]
    assert len(unsafe) == 1 and "unsafe" in unsafe[0].title and not unsafe[0].is_preferred
    assert apply_edits("psycopg2==2.9.9\n", unsafe[0].edit.changes[req]) == "psycopg2-binary==2.9.9\n"
    assert not [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    # DKL201 is a finding of the install command: its suppression goes above it in the Dockerfile
    ignore = [a for a in actions if a.kind == "quickfix.dockerlint.suppress"]
    assert len(ignore) == 1 and list(ignore[0].edit.changes) == [df]
    # only the unsafe fix's kind when the client asks for it
    only = await client.text_document_code_action_async(
        types.CodeActionParams(text_document=types.TextDocumentIdentifier(uri=req), range=d.range, context=types.CodeActionContext(diagnostics=[d], only=["quickfix.dockerlint.unsafe"]))
    )
    assert [a.kind for a in only] == ["quickfix.dockerlint.unsafe"]


@pytest.mark.asyncio
async def test_manifest_finding_suppressed_by_trailing_comment(client: LanguageClient, project):
    (project / "requirements.txt").write_text("flask\n")
    open_doc(client, project / "Dockerfile", "dockerfile")
    req = open_doc(client, project / "requirements.txt", "pip-requirements")
    await until(lambda: ("DKL501", 0) in codes(client, req), "DKL501 on the unpinned requirement")
    d = next(d for d in client.diagnostics[req] if d.code == "DKL501")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(text_document=types.TextDocumentIdentifier(uri=req), range=d.range, context=types.CodeActionContext(diagnostics=[d]))
    )
    ignore = [a for a in actions if a.kind == "quickfix.dockerlint.suppress"]
    assert len(ignore) == 1
    text = apply_edits("flask\n", ignore[0].edit.changes[req])
    assert text == "flask  # dockerlint: ignore=DKL501\n"
    replace_all(client, req, 2, text)
    await until(lambda: ("DKL501", 0) not in codes(client, req), "DKL501 to be suppressed")


@pytest.mark.asyncio
async def test_opening_a_manifest_first_finds_the_dockerfile_that_installs_it(client: LanguageClient, project):
    req = open_doc(client, project / "requirements.txt", "pip-requirements")
    await until(lambda: ("DKL201", 1) in codes(client, req), "DKL201 from the Dockerfile on disk")


@pytest.mark.asyncio
async def test_configuration_is_reloaded_when_it_changes(client: LanguageClient, project):
    df = open_doc(client, project / "Dockerfile", "dockerfile")
    await until(lambda: ("DKL403", 3) in codes(client, df), "DKL403")
    cfg = project / ".dockerlint.toml"
    cfg.write_text('ignore = ["DKL403"]\n')
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=uri(cfg), type=types.FileChangeType.Created)]))
    await until(lambda: client.diagnostics.get(df) and "DKL403" not in [c for c, _ in codes(client, df)], "DKL403 to be ignored by the new configuration")
    assert "DKL201" in [c for c, _ in codes(client, df)]


BOOM_PLUGIN = textwrap.dedent(
    '''
    from dockerlint_py.rules._base import rule


    @rule(code="BOOM001", name="always-raises", severity="warning")
    def always_raises(model):
        """Raises."""
        raise RuntimeError("boom")
        yield


    @rule(code="BOOM002", name="breaks-the-engine", severity="warning")
    def breaks_the_engine(model):
        """Yields something that is not a Hit when the Dockerfile asks for it."""
        if any("crash-now" in line for line in model.parsed.lines):
            yield 42


    RULES = [always_raises, breaks_the_engine]
    '''
)


def _plugin_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    (site / "boom_rules.py").write_text(BOOM_PLUGIN)
    dist = site / "boom_rules-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: boom-rules\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[dockerlint_py.rules]\nboom = boom_rules\n")
    return site


@pytest_asyncio.fixture
async def boom_client(tmp_path_factory):
    site = _plugin_site(tmp_path_factory)
    env = dict(os.environ, PYTHONPATH=str(site) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    config = ClientServerConfig(server_command=SERVER, server_env=env)
    lsp_client = await config.start()
    await start(lsp_client)
    yield lsp_client
    await lsp_client.shutdown_session()
    await lsp_client.stop()


@pytest.mark.asyncio
async def test_server_survives_a_rule_that_raises(boom_client: LanguageClient, project):
    client = boom_client
    df = open_doc(client, project / "Dockerfile", "dockerfile")
    await until(lambda: ("DKL201", 3) in codes(client, df), "diagnostics despite a rule that raises")
    await until(lambda: any("BOOM001" in m.message for m in client.log_messages), "the failing rule to be logged")
    # a rule bug the engine does not catch: logged, previous diagnostics kept, server alive
    replace_all(client, df, 2, DOCKERFILE + "# crash-now\n")
    await until(lambda: any("internal error while checking" in m.message for m in client.log_messages), "the crash to be logged")
    assert ("DKL201", 3) in codes(client, df)
    replace_all(client, df, 3, DOCKERFILE.replace("apk add gcc", "apk add --no-cache gcc"))
    await until(lambda: "DKL403" not in [c for c, _ in codes(client, df)], "fresh diagnostics after the crash")
    hover = await client.text_document_hover_async(types.HoverParams(text_document=types.TextDocumentIdentifier(uri=df), position=types.Position(0, 8)))
    assert hover is not None and "musl" in hover.contents.value


@pytest.mark.asyncio
async def test_clean_shutdown(tmp_path):
    config = ClientServerConfig(server_command=SERVER)
    lsp_client = await config.start()
    result = await start(lsp_client)
    assert result.capabilities.hover_provider and result.capabilities.code_action_provider
    await lsp_client.shutdown_session()
    assert lsp_client._server.returncode == 0
    await lsp_client.stop()


@pytest.mark.asyncio
async def test_editing_the_dockerfile_refreshes_its_manifest_and_closing_clears(client: LanguageClient, project):
    df = open_doc(client, project / "Dockerfile", "dockerfile")
    req = open_doc(client, project / "requirements.txt", "pip-requirements")
    await until(lambda: ("DKL201", 1) in codes(client, req), "DKL201 on the psutil line")
    # an unsaved switch to a glibc base: psutil installs from a manylinux wheel
    replace_all(client, df, 2, DOCKERFILE.replace("python:3.12-alpine", "python:3.12-slim").replace("apk add gcc musl-dev && ", ""))
    await until(lambda: req in client.diagnostics and "DKL201" not in [c for c, _ in codes(client, req)], "the manifest's DKL201 to go")
    hover = await client.text_document_hover_async(types.HoverParams(text_document=types.TextDocumentIdentifier(uri=req), position=types.Position(1, 0)))
    assert "glibc" in hover.contents.value and "manylinux" in hover.contents.value
    replace_all(client, df, 3, DOCKERFILE)
    await until(lambda: ("DKL201", 1) in codes(client, req), "DKL201 back")
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=df)))
    # the manifest is still open: the Dockerfile on disk keeps its findings there
    await until(lambda: df in client.diagnostics and len(client.diagnostics[df]) == 0, "the closed Dockerfile's diagnostics to be cleared")
    assert ("DKL201", 1) in codes(client, req)


@pytest.mark.asyncio
async def test_dockerfile_name_variants_and_language_id(client: LanguageClient, project):
    (project / "api.Dockerfile").write_text(DOCKERFILE)
    (project / "build.docker").write_text(DOCKERFILE)
    a = open_doc(client, project / "api.Dockerfile", "dockerfile")
    b = open_doc(client, project / "build.docker", "dockerfile")  # named oddly, but the editor says it is one
    await until(lambda: ("DKL201", 3) in codes(client, a) and ("DKL201", 3) in codes(client, b), "diagnostics for both")


@pytest.mark.asyncio
async def test_positions_count_utf16_units(client: LanguageClient, project):
    text = "# ünïcødé 😀 comment\nFROM python:3.12-alpine\nRUN apk add gcc  # 😀😀\nUSER app\n"
    (project / "Dockerfile").write_text(text)
    df = open_doc(client, project / "Dockerfile", "dockerfile")
    await until(lambda: ("DKL403", 2) in codes(client, df), "DKL403")
    d = next(d for d in client.diagnostics[df] if d.code == "DKL403")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(text_document=types.TextDocumentIdentifier(uri=df), range=d.range, context=types.CodeActionContext(diagnostics=[d]))
    )
    quick = next(a for a in actions if a.kind == types.CodeActionKind.QuickFix)
    (edit,) = quick.edit.changes[df]
    assert (edit.range.start.line, edit.range.start.character) == (2, len("RUN apk add"))


def test_missing_extra_gives_a_clear_message():
    import subprocess

    code = "import sys; sys.modules['pygls'] = None; from dockerlint_py.cli import main; sys.exit(main(['server']))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 2
    assert "dockerlint-py[lsp]" in r.stderr and "Traceback" not in r.stderr


def test_plain_cli_does_not_import_the_server(project):
    import subprocess

    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "dockerlint_py", "check", "Dockerfile"], cwd=project, capture_output=True, text=True, timeout=60)
    imported = {line.split("|")[-1].strip() for line in r.stderr.splitlines() if line.startswith("import time:")}
    assert "dockerlint_py.engine" in imported  # the measurement saw the CLI's imports
    assert not {m for m in imported if m.startswith(("pygls", "lsprotocol", "dockerlint_py.lsp"))}


@pytest.mark.asyncio
async def test_configuration_is_per_workspace_folder(client: LanguageClient, tmp_path):
    roots = []
    for name, config in (("a", 'ignore = ["DKL403"]\n'), ("b", None)):
        root = tmp_path / name
        root.mkdir()
        (root / ".git").mkdir()
        (root / "Dockerfile").write_text(DOCKERFILE)
        (root / "requirements.txt").write_text(REQUIREMENTS)
        if config:
            (root / ".dockerlint.toml").write_text(config)
        roots.append(root)
    a = open_doc(client, roots[0] / "Dockerfile", "dockerfile")
    b = open_doc(client, roots[1] / "Dockerfile", "dockerfile")
    await until(lambda: ("DKL201", 3) in codes(client, a) and ("DKL201", 3) in codes(client, b), "diagnostics in both folders")
    assert "DKL403" not in [c for c, _ in codes(client, a)]
    assert ("DKL403", 3) in codes(client, b)


@pytest.mark.asyncio
async def test_a_dockerfile_appearing_on_disk_is_linked_to_the_open_manifest(client: LanguageClient, project):
    (project / "Dockerfile").unlink()
    req = open_doc(client, project / "requirements.txt", "pip-requirements")
    await until(lambda: req in client.diagnostics, "the manifest's first (empty) diagnostics")
    assert codes(client, req) == []
    (project / "Dockerfile").write_text(DOCKERFILE)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=uri(project / "Dockerfile"), type=types.FileChangeType.Created)])
    )
    await until(lambda: ("DKL201", 1) in codes(client, req), "the new Dockerfile's finding on the psutil line")
