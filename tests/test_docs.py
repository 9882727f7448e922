"""Every command and configuration snippet in README.md and docs/*.md is checked.

A fenced block is tested when the line right above its opening fence is a marker comment,
``<!-- doc-test: KIND ... -->`` (the grammar is in docs/ci.md, "Checking the snippets"):
``run`` (bash in a temporary copy of the repository, offline; ``exit=N``, ``output=next``, or a
``$ `` transcript; ``UPDATE_DOCS=1`` rewrites outputs that changed), ``network (reason)`` and ``skip (reason)`` (reported as skipped),
``github-workflow`` / ``gitlab-ci`` (schema-checked with check-jsonschema, workflows also with
``zizmor --offline``) and ``pre-commit-config`` (``pre-commit validate-config``). Every sh / bash /
shell / console block must carry a marker.
"""

import glob
import os
import re
import shutil
import subprocess
import sys
from typing import List, NamedTuple, Optional

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
MARKER = re.compile(r"^<!--\s*doc-test:\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(`{3,}|~{3,})\s*([\w+-]*)")
SHELL_LANGS = {"sh", "bash", "shell", "console"}
KINDS = {"run", "network", "skip", "github-workflow", "gitlab-ci", "pre-commit-config"}
# stands in for the commit id users fill in, where a checker insists on one
PLACEHOLDER_SHA = "0123456789abcdef0123456789abcdef01234567"


class Block(NamedTuple):
    doc: str
    line: int  # of the opening fence, 1-based
    lang: str
    body: str
    marker: Optional[str]
    next_body: Optional[str]  # the following fenced block, for output=next

    @property
    def kind(self) -> Optional[str]:
        return self.marker.split()[0] if self.marker else None

    def option(self, name: str) -> Optional[str]:
        m = re.search(rf"(?:^|\s){name}=(\S+)", self.marker or "")
        return m.group(1) if m else None

    @property
    def id(self) -> str:
        return f"{os.path.relpath(self.doc, ROOT)}:{self.line}"


def read_blocks(path: str) -> List[Block]:
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    raw = []  # (line, lang, body, marker)
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang = m.group(1), m.group(2)
        prev = lines[i - 1] if i else ""
        marker = MARKER.match(prev)
        j = i + 1
        while j < len(lines) and not lines[j].startswith(fence):
            j += 1
        raw.append((i + 1, lang, "\n".join(lines[i + 1:j]) + "\n", marker.group(1) if marker else None))
        i = j + 1
    return [Block(path, ln, lang, body, marker, raw[k + 1][2] if k + 1 < len(raw) else None) for k, (ln, lang, body, marker) in enumerate(raw)]


BLOCKS = [b for d in DOCS for b in read_blocks(d)]


def _blocks(*kinds):
    found = [b for b in BLOCKS if b.kind in kinds]
    return pytest.mark.parametrize("block", found, ids=[b.id for b in found])


def test_markers_are_known_and_every_shell_block_has_one():
    assert BLOCKS, "no fenced blocks found"
    for b in BLOCKS:
        if b.marker is not None:
            assert b.kind in KINDS, f"{b.id}: unknown doc-test kind {b.kind!r}"
            if b.kind in ("network", "skip"):
                assert re.search(r"\(.+\)", b.marker), f"{b.id}: say why in parentheses"
        if b.lang in SHELL_LANGS:
            assert b.marker is not None, f"{b.id}: a {b.lang} block needs a <!-- doc-test: ... --> marker on the line above"
    for kind in ("run", "network", "pre-commit-config", "github-workflow"):
        assert any(b.kind == kind for b in BLOCKS), kind


def test_no_stale_install_routes():
    """No snippet presents an unpublished package, a tag that does not exist, or a branch as a pin."""
    for b in BLOCKS:
        assert not re.search(r"pip install\s+(-\S+\s+)*dockerlint-py(\s|$)", b.body), f"{b.id}: dockerlint-py is not on PyPI yet"
        assert not re.search(r"rev:\s*v\d", b.body), f"{b.id}: there is no release tag yet"
        assert not re.search(r"dockerlint-py/dockerlint-py@(main|master)\b", b.body), f"{b.id}: never pin a branch"


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory):
    dst = tmp_path_factory.mktemp("doccopy") / "dockerlint-py"
    ignore = shutil.ignore_patterns(".git", "*.egg-info", "__pycache__", ".venv", ".ci-venv", ".ci-wheelhouse", ".pytest_cache", ".hypothesis", "build", "dist")
    shutil.copytree(ROOT, dst, ignore=ignore, symlinks=True)
    (dst / ".git").mkdir()  # a repository root, as in a clone
    return dst


def _env():
    # `dockerlint` and `python` are this interpreter's (the venv the tests run in)
    bindir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""), NO_COLOR="1", COLUMNS="100")
    for k in ("FORCE_COLOR", "DOCKERLINT_DEBUG"):
        env.pop(k, None)
    return env


@_blocks("run")
def test_run_block(block, repo_copy):
    expected_exit = int(block.option("exit") or 0)
    if block.body.startswith("$ "):
        lines = block.body.split("\n")
        command = lines[0][2:]
        expected_out = "\n".join(lines[1:])
    else:
        command = block.body
        expected_out = block.next_body if block.option("output") == "next" else None
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-o", "pipefail", "-c", command], cwd=repo_copy, env=_env(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == expected_exit, f"{block.id}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    if expected_out is not None and proc.stdout != expected_out and os.environ.get("UPDATE_DOCS"):
        _rewrite(block.doc, expected_out, proc.stdout)
        return
    if expected_out is not None:
        assert proc.stdout == expected_out, f"{block.id}: the output shown differs from the real output (UPDATE_DOCS=1 rewrites it)"


def _rewrite(doc, old, new):
    """UPDATE_DOCS=1: replace the output shown in the document with the real one."""
    with open(doc, encoding="utf-8") as fh:
        text = fh.read()
    assert text.count(old) == 1, f"{doc}: the shown output is not unique; edit it by hand"
    with open(doc, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text.replace(old, new))


@_blocks("network", "skip")
def test_blocks_not_run_here(block):
    pytest.skip(f"{block.id}: doc-test {block.marker}")


def _tool(name):
    found = shutil.which(name) or shutil.which(name, path=os.path.dirname(sys.executable))
    if not found:
        pytest.fail(f"`{name}` is not installed: it is in the test extra (pip install -e '.[test]')")
    return found


def _write(tmp_path, block, name):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(block.body.replace("FULL_COMMIT_SHA", PLACEHOLDER_SHA), encoding="utf-8")
    return path


@_blocks("github-workflow")
def test_github_workflow_block(block, tmp_path):
    path = _write(tmp_path, block, ".github/workflows/snippet.yml")
    proc = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, f"{block.id}: {proc.stdout}{proc.stderr}"
    proc = subprocess.run([_tool("zizmor"), "--offline", str(path)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, f"{block.id}: {proc.stdout}{proc.stderr}"


@_blocks("gitlab-ci")
def test_gitlab_ci_block(block, tmp_path):
    path = _write(tmp_path, block, ".gitlab-ci.yml")
    proc = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, f"{block.id}: {proc.stdout}{proc.stderr}"


@_blocks("pre-commit-config")
def test_pre_commit_config_block(block, tmp_path):
    path = _write(tmp_path, block, ".pre-commit-config.yaml")
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, f"{block.id}: {proc.stdout}{proc.stderr}"
    import yaml  # with pre-commit, in the test extra

    (repo,) = yaml.safe_load(path.read_text())["repos"]
    hooks = {h["id"] for h in repo["hooks"]}
    with open(os.path.join(ROOT, ".pre-commit-hooks.yaml"), encoding="utf-8") as fh:
        assert hooks <= {h["id"] for h in yaml.safe_load(fh)}
    assert re.fullmatch(r"[0-9a-f]{40}|v\d+\.\d+\.\d+", repo["rev"]), f"{block.id}: rev must be a full commit or a release tag"


def test_gitignore_covers_the_documented_venv():
    """The Installation section creates .venv/ in the checkout: git must not pick it up."""
    with open(os.path.join(ROOT, ".gitignore"), encoding="utf-8") as fh:
        assert ".venv/" in fh.read().split()
    assert any(".venv" in b.body for b in BLOCKS)
