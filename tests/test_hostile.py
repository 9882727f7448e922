"""Issue 13: hostile repositories. One file's problem is that file's error; nothing is read
outside the build context or repository, nothing from the repository runs, fixes are written
in place and never over an edit."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from support.cli import run_cli

OK = "FROM python:latest\n"
PY_DF = "FROM python:3.12-alpine\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nUSER app\n"


@pytest.fixture
def repo(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "Dockerfile").write_text(OK)
    return tmp_path


def _codes(stdout):
    return {(f["path"], f["line"], f["code"]) for f in json.loads(stdout)}


# -- item 11: one file cannot abort the run --------------------------------------------------


def _nested_default(depth):
    n = "x"
    for i in range(depth):
        n = "${a%d:-%s}" % (i, n)
    return n


@pytest.mark.parametrize(
    "content",
    [
        "FROM alpine:3.20 AS a\nFROM alpine:3.20\nCOPY --from=\u00b2 /a /b\n",
        "FROM alpine:3.20 AS x\nFROM alpine:3.20\nCOPY --from=" + "9" * 5000 + " /a /b\n",
        "FROM " + _nested_default(1000) + "\n",
        "FROM alpine:3.20\nRUN " + "[" * 100000 + "]" * 100000 + "\n",
        "FROM alpine:3.20\nRUN " + "9" * 5000 + "<<EOF\necho\nEOF\n",
    ],
    ids=["from-superscript", "from-5000-digits", "nested-1000", "json-100k-deep", "heredoc-fd-digits"],
)
def test_one_dockerfile_cannot_abort_the_run(repo, content):
    (repo / "bad").mkdir()
    (repo / "bad" / "Dockerfile").write_text(content)
    r = run_cli("check", "--format", "json", ".", cwd=repo)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr[-1500:]
    assert r.returncode in (0, 1)
    assert ("ok/Dockerfile", 1, "DKL102") in _codes(r.stdout)


def test_superscript_from_is_an_image_not_a_stage_index():
    from dockerlint_py.model.dockerfile import parse_dockerfile
    from dockerlint_py.model.resolve import resolve

    model = resolve(parse_dockerfile("FROM alpine:3.20 AS a\nFROM alpine:3.20\nCOPY --from=\u00b2 /a /b\nCOPY --from=0 /a /c\n", "Dockerfile"))
    src = model.stages[1].copy_sources
    assert src[0].stage is None and src[1].stage is model.stages[0]


@pytest.mark.parametrize(
    "pyproject",
    ["tool = 5\n", 'tool = "x"\n', "x = " + "[" * 5000 + "]" * 5000 + "\n", "a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n"],
    ids=["tool-int", "tool-str", "deep-array", "deep-inline-table"],
)
def test_a_projects_pyproject_on_the_config_path_does_not_abort(repo, pyproject):
    (repo / "pyproject.toml").write_text(pyproject)
    r = run_cli("check", "--format", "json", "ok/Dockerfile", cwd=repo)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    assert r.returncode == 1 and ("ok/Dockerfile", 1, "DKL102") in _codes(r.stdout)


@pytest.mark.parametrize("value", ["5", '["DKL1", 5]', "{a = 1}"])
@pytest.mark.parametrize("where", [".dockerlint.toml", "pyproject.toml"])
def test_unusable_select_fails_closed(repo, value, where):
    if where == "pyproject.toml":
        (repo / where).write_text(f"[tool.dockerlint]\nselect = {value}\n")
    else:
        (repo / where).write_text(f"select = {value}\n")
    r = run_cli("check", "ok/Dockerfile", cwd=repo)
    assert r.returncode == 2
    assert where in r.stderr and "select" in r.stderr
    assert "internal error" not in r.stderr  # a user's mistake, named as such


def test_broken_configuration_of_one_directory_does_not_stop_the_others(tmp_path):
    (tmp_path / ".git").mkdir()
    for name in ("broken", "fine"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "Dockerfile").write_text("FROM python:latest\n")
    (tmp_path / "broken" / ".dockerlint.toml").write_text("select = 5\n")
    r = run_cli("check", "--format", "json", "--select", "DKL102", "broken/Dockerfile", "fine/Dockerfile", cwd=tmp_path)
    assert r.returncode == 2 and "internal error" not in r.stderr
    assert "broken/.dockerlint.toml" in r.stderr.replace("\\", "/")
    import json

    assert [(f["path"], f["code"]) for f in json.loads(r.stdout)] == [("fine/Dockerfile", "DKL102")]


def test_unusable_extend_select_fails_closed(repo):
    (repo / ".dockerlint.toml").write_text("extend-select = 5\n")
    assert run_cli("check", "ok/Dockerfile", cwd=repo).returncode == 2


def test_tool_not_a_table_in_dockerlint_toml_is_an_error(repo):
    (repo / ".dockerlint.toml").write_text("tool = 5\n")
    r = run_cli("check", "ok/Dockerfile", cwd=repo)
    assert r.returncode == 2 and "Traceback" not in r.stderr


_PIPENV_DF = "FROM python:3.12-slim\nCOPY Pipfile Pipfile.lock ./\nRUN pip install --no-cache-dir pipenv==2024.0.1 && pipenv install --system --deploy\nUSER app\n"
_POETRY_DF = "FROM python:3.12-slim\nCOPY pyproject.toml poetry.lock ./\nRUN pip install --no-cache-dir poetry==1.8.3 && poetry install --no-cache\nUSER app\n"
_UV_DF = "FROM python:3.12-slim\nCOPY pyproject.toml uv.lock ./\nRUN pip install --no-cache-dir uv==0.4.0 && uv sync --frozen --no-cache\nUSER app\n"


@pytest.mark.parametrize(
    "dockerfile, files",
    [
        (_PIPENV_DF, {
            "Pipfile": '[packages]\nflask = {version="*", extras=5}\nreq = {version=5}\nx = {git=5, ref=[1]}\ny = {version="==1", markers=5}\n',
            "Pipfile.lock": '{"default": {"flask": {"version": 5, "extras": [1, "a"], "hashes": 5, "markers": 5, "git": 5}, "b": {"version": "==1", "extras": "ab"}}, "develop": []}',
        }),
        (_PIPENV_DF, {"Pipfile": '[packages]\nflask = "*"\n', "Pipfile.lock": "[" * 100000 + "]" * 100000}),
        (_POETRY_DF, {
            "pyproject.toml": '[tool.poetry]\nname="x"\n[tool.poetry.dependencies]\npython="^3.12"\nflask={version="^3", extras=[1]}\na="^\u00b2"\nb="^' + "9" * 5000 + '"\nc={version=5, markers=5, optional="x", develop=[1]}\nd=["a", 5]\ne="~\u00b2"\n[tool.poetry.extras]\nx=[1]\ny=5\n[tool.poetry.group.g]\ndependencies=5\n',
            "poetry.lock": '[[package]]\nname="flask"\nversion=5\ngroups=5\nmarkers=5\n[package.dependencies]\nclick=5\nj=[5]\n[package.extras]\nx=[1]\n[[package]]\nname=5\n',
        }),
        (_UV_DF, {
            "pyproject.toml": '[project]\nname="x"\nversion="1"\ndependencies=["flask"]\n[project.optional-dependencies]\nx=5\n[dependency-groups]\ng=[{"include-group"=5}]\n',
            "uv.lock": 'version=1\n[[package]]\nname="flask"\nversion="3"\nsource=5\nmarker=5\ndependencies=[5, {name=5}, {name="a", marker=5, extra=5}]\noptional-dependencies={x=[1]}\ndev-dependencies=5\nwheels=5\nsdist={url=5}\n[[package]]\nname="x"\nversion="1"\nsource={editable="."}\ndependencies=[{name="flask", extra=[1]}]\n',
        }),
    ],
    ids=["pipfile-types", "pipfile-lock-deep", "poetry-types", "uv-lock-types"],
)
def test_type_confused_manifests_are_not_internal_errors(repo, dockerfile, files):
    (repo / "svc").mkdir()
    (repo / "svc" / "Dockerfile").write_text(dockerfile)
    for name, text in files.items():
        (repo / "svc" / name).write_text(text)
    for cmd in (["check", "--format", "json", "svc/Dockerfile", "ok/Dockerfile"], ["alpine-check", "svc"]):
        r = run_cli(*cmd, cwd=repo)
        assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr[-1500:]


def test_include_chain_of_1000_is_a_finding(repo):
    (repo / "svc").mkdir()
    (repo / "svc" / "Dockerfile").write_text(PY_DF)
    (repo / "svc" / "requirements.txt").write_text("-r r0.txt\n")
    for i in range(1000):
        (repo / "svc" / f"r{i}.txt").write_text(f"-r r{i + 1}.txt\n")
    r = run_cli("check", "--format", "json", "--select", "DKL001", "svc/Dockerfile", cwd=repo)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    assert any(c == "DKL001" for _, _, c in _codes(r.stdout))


# -- items 10, 13: the guarded reader --------------------------------------------------------


def test_reader_refuses_devices_fifos_and_oversized_files(tmp_path):
    from dockerlint_py.safe_read import read_bytes

    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "big").write_bytes(b"x" * 2000)
    assert read_bytes(str(tmp_path / "fifo"))[0] is None  # returns at once, no writer needed
    assert read_bytes("/dev/zero")[0] is None
    assert read_bytes(str(tmp_path))[1] == "is a directory"
    assert read_bytes(str(tmp_path / "big"), limit=1000)[0] is None
    assert read_bytes(str(tmp_path / "big"), limit=2000)[0] == b"x" * 2000


def test_reader_refuses_symlinks_out_of_the_root(tmp_path):
    from dockerlint_py.safe_read import read_bytes

    (tmp_path / "root").mkdir()
    (tmp_path / "secret").write_text("token\n")
    os.symlink(tmp_path / "secret", tmp_path / "root" / "link")
    (tmp_path / "root" / "inner").write_text("ok\n")
    os.symlink("inner", tmp_path / "root" / "inner-link")
    root = str(tmp_path / "root")
    assert read_bytes(str(tmp_path / "root" / "link"), root=root)[0] is None
    assert read_bytes(str(tmp_path / "root" / "../secret"), root=root)[0] is None
    assert read_bytes(str(tmp_path / "root" / "inner-link"), root=root)[0] == b"ok\n"


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom", "fifo"])
@pytest.mark.parametrize("name", [".dockerignore", "Dockerfile.dockerignore", "poetry.lock"])
def test_devices_and_fifos_in_the_context_are_refused(repo, target, name):
    (repo / "svc").mkdir()
    if name == "poetry.lock":
        (repo / "svc" / "Dockerfile").write_text(_POETRY_DF)
        (repo / "svc" / "pyproject.toml").write_text('[tool.poetry]\nname="x"\n[tool.poetry.dependencies]\npython="^3.12"\nflask="^3"\n')
    else:
        (repo / "svc" / "Dockerfile").write_text(PY_DF)
        (repo / "svc" / "requirements.txt").write_text("flask==3.0.3\n")
    if target == "fifo":
        os.mkfifo(repo / "svc" / name)
    else:
        os.symlink(target, repo / "svc" / name)
    r = run_cli("check", "--format", "json", "svc/Dockerfile", "ok/Dockerfile", cwd=repo)
    assert "Traceback" not in r.stderr and "MemoryError" not in r.stderr
    assert ("ok/Dockerfile", 1, "DKL102") in _codes(r.stdout)


CANARY = "ghp_CANARY_1234567890abcdef"


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_symlinked_manifest_outside_the_repo_is_not_followed(repo, fmt):
    outside = repo.parent / f"outside-{fmt}"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"SECRET_TOKEN={CANARY}\n")
    (repo / "svc").mkdir()
    (repo / "svc" / "Dockerfile").write_text(PY_DF.replace("requirements.txt .", "requirements.txt extra.txt sub/ ./").replace("-r requirements.txt", "-r requirements.txt -r extra.txt -r sub/secret.txt"))
    os.symlink(outside / "secret.txt", repo / "svc" / "requirements.txt")
    (repo / "svc" / "extra.txt").write_text("-r inc.txt\n")
    os.symlink(outside / "secret.txt", repo / "svc" / "inc.txt")
    os.symlink(outside, repo / "svc" / "sub")
    r = run_cli("check", "--format", fmt, "svc/Dockerfile", cwd=repo)
    assert CANARY not in r.stdout and CANARY not in r.stderr
    assert "SECRET_TOKEN" not in r.stdout + r.stderr


def test_proc_and_git_config_contents_are_not_quoted(repo):
    (repo / ".git" / "config").write_text(f'[http]\n\textraheader = AUTHORIZATION: basic {CANARY}\n')
    (repo / "Dockerfile").write_text(PY_DF.replace("requirements.txt .", "requirements.txt p.txt ./"))
    (repo / "requirements.txt").write_text("-r .git/config\n-r p.txt\n")
    os.symlink("/proc/self/status", repo / "p.txt")
    r = run_cli("check", "--format", "json", "Dockerfile", cwd=repo)
    out = r.stdout + r.stderr
    assert CANARY not in out and "AUTHORIZATION" not in out and "Umask" not in out and "Tgid" not in out


def test_unparsable_lines_are_quoted_short_and_printable(repo):
    (repo / "Dockerfile").write_text(PY_DF)
    long_line = "not a requirement \x1b[31m" + "y" * 300
    (repo / "requirements.txt").write_text(long_line + "\n")
    r = run_cli("check", "--format", "json", "--select", "DKL001", "Dockerfile", cwd=repo)
    findings = json.loads(r.stdout)
    assert findings and all(f["code"] == "DKL001" for f in findings)
    for f in findings:
        assert "y" * 60 not in f["message"] and "\x1b" not in f["message"]


# -- item 14: plugins only from installed distributions --------------------------------------


def test_python_m_does_not_load_plugins_from_the_working_directory(repo):
    marker = repo.parent / "PWNED"
    (repo / "zzz.dist-info").mkdir()
    (repo / "zzz.dist-info" / "entry_points.txt").write_text("[dockerlint_py.rules]\npwn = pwnrule\n")
    (repo / "pwnrule.py").write_text(f"open({str(marker)!r}, 'w').write('x')\nRULES = []\n")
    (repo / "Dockerfile").write_text("FROM python:3.12-slim\nUSER app\n")
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    for extra in ({}, {"PYTHONPATH": "."}):
        r = subprocess.run([sys.executable, "-m", "dockerlint_py", "check", "."], cwd=repo, capture_output=True, text=True, env={**env, **extra}, timeout=120)
        assert "Traceback" not in r.stderr
        assert not marker.exists()


# -- item 16: the build context without a repository -----------------------------------------


def test_without_git_manifests_above_the_context_are_not_read(tmp_path):
    home = tmp_path / "home"
    (home / "proj" / "svc").mkdir(parents=True)
    (home / "requirements.txt").write_text("psycopg2==2.9.9\n")
    (home / "proj" / "svc" / "Dockerfile").write_text(PY_DF)
    r = run_cli("check", "--fix", "--unsafe-fixes", "--format", "json", "Dockerfile", cwd=home / "proj" / "svc")
    assert (home / "requirements.txt").read_text() == "psycopg2==2.9.9\n"
    assert "Traceback" not in r.stderr
    assert not any("requirements.txt" in p and ".." in p for p, _, _ in _codes(r.stdout))
    # with a repository root above, the parent directories are build-context candidates again
    (home / ".git").mkdir()
    from dockerlint_py.model.context import BuildContext

    assert BuildContext(str(home / "proj" / "svc")).resolve("requirements.txt")[0][1] == "requirements.txt"


# -- item 17: silent passes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        "FROM python:latest\nRUN pip install flask\n".encode("utf-16-le"),
        "FROM python:latest\nRUN pip install flask\n".encode("utf-16-be"),
        "FROM python:latest\nRUN pip install flask\n".encode("utf-32"),
        "FROM python:latest\nRUN pip install flask\n".encode("utf-32-le"),
        b"FROM python:latest\rRUN pip install flask\rUSER app\r",
        "FROM\u00a0python:latest\nRUN pip install flask\n".encode("utf-8"),
        "FROM python:latest\nRUN\u00a0pip install flask\n".encode("utf-8"),
    ],
    ids=["utf16le-nobom", "utf16be-nobom", "utf32-bom", "utf32-nobom", "lone-cr", "nbsp-from", "nbsp-run"],
)
def test_unreadable_encodings_are_errors_not_passes(repo, content):
    (repo / "bad").mkdir()
    (repo / "bad" / "Dockerfile").write_bytes(content)
    r = run_cli("check", "--format", "json", ".", cwd=repo)
    assert "Traceback" not in r.stderr
    assert r.returncode == 2 and "bad/Dockerfile" in r.stderr
    assert ("ok/Dockerfile", 1, "DKL102") in _codes(r.stdout)


def test_crlf_and_one_stray_cr_still_lint():
    from dockerlint_py.model.dockerfile import decode_source

    assert decode_source(b"FROM a\r\nRUN x\r\n", "D") == "FROM a\r\nRUN x\r\n"
    assert decode_source(b"FROM a\nRUN echo 'a\rb'\nUSER x\n", "D")
    assert decode_source(b"FROM a\nRUN echo \x00\n", "D")


# -- items 6, 7: writing fixes ---------------------------------------------------------------

FIXABLE = "FROM python:3.12-slim\nRUN pip install flask==3.0.3\nUSER app\n"
FIXED = "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.3\nUSER app\n"


def test_fix_keeps_hard_links_and_inode(repo):
    df = repo / "Dockerfile"
    df.write_text(FIXABLE)
    os.link(df, repo / "Dockerfile.link")
    ino = os.stat(df).st_ino
    run_cli("check", "--fix", "Dockerfile", cwd=repo)
    assert df.read_text() == FIXED
    assert os.stat(df).st_ino == ino and (repo / "Dockerfile.link").read_text() == FIXED


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="changing a file's owner needs root")
def test_fix_keeps_the_owner(repo):
    df = repo / "Dockerfile"
    df.write_text(FIXABLE)
    os.chown(df, 1000, 1000)
    df.chmod(0o640)
    run_cli("check", "--fix", "Dockerfile", cwd=repo)
    st = os.stat(df)
    assert df.read_text() == FIXED and (st.st_uid, st.st_gid) == (1000, 1000) and st.st_mode & 0o777 == 0o640


def test_fix_refuses_read_only_files_and_still_fixes_the_others(repo):
    ro = repo / "Dockerfile.ro"
    ro.write_text(FIXABLE)
    ro.chmod(0o444)
    (repo / "Dockerfile").write_text(FIXABLE)
    r = run_cli("check", "--fix", "--format", "json", "Dockerfile.ro", "Dockerfile", cwd=repo)
    assert ro.read_text() == FIXABLE and (repo / "Dockerfile").read_text() == FIXED
    assert r.returncode == 2 and "Dockerfile.ro" in r.stderr and "read-only" in r.stderr
    assert any(p == "Dockerfile.ro" for p, _, _ in _codes(r.stdout))  # still linted


def test_fix_refuses_a_symlink_out_of_the_repository(repo):
    outside = repo.parent / "outside-df"
    outside.mkdir()
    (outside / "Dockerfile").write_text(FIXABLE)
    os.symlink(outside / "Dockerfile", repo / "Dockerfile")
    (repo / "inner.Dockerfile").write_text(FIXABLE)
    os.symlink("inner.Dockerfile", repo / "Dockerfile.inner")
    r = run_cli("check", "--fix", "Dockerfile", "Dockerfile.inner", cwd=repo)
    assert (outside / "Dockerfile").read_text() == FIXABLE
    assert r.returncode == 2 and "outside the repository" in r.stderr
    # inside the repository the link's target is fixed and the link stays a link
    assert (repo / "inner.Dockerfile").read_text() == FIXED and os.path.islink(repo / "Dockerfile.inner")


def test_fix_skips_a_file_edited_while_linting(repo, monkeypatch):
    from dockerlint_py import engine
    from dockerlint_py.engine import LintOptions
    from dockerlint_py.fixes.run import fix_files

    df = repo / "Dockerfile"
    df.write_text(FIXABLE)
    real = engine.lint_source

    def lint_and_edit(data, path, options=LintOptions(), shown=None):
        result = real(data, path, options, shown)
        if "USER EDIT" not in df.read_text():  # the user saves once, while the first lint runs
            with open(df, "a") as fh:
                fh.write("# IMPORTANT USER EDIT\n")
        return result

    monkeypatch.setattr(engine, "lint_source", lint_and_edit)
    fixed, _, errors = fix_files([str(df)], LintOptions(), unsafe=False, write=True)
    assert df.read_text() == FIXABLE + "# IMPORTANT USER EDIT\n"
    assert fixed == 0 and len(errors) == 1 and "changed since it was read" in errors[0]


def test_fix_write_failure_restores_the_file_and_is_reported(repo, monkeypatch):
    import errno

    from dockerlint_py.fixes import edits as fix_mod
    from dockerlint_py.engine import LintOptions
    from dockerlint_py.fixes.run import fix_files

    df = repo / "Dockerfile"
    df.write_text(FIXABLE)
    other = repo / "ok" / "Dockerfile.fix"
    other.write_text(FIXABLE)
    real = fix_mod._write_all
    calls = []

    def disk_full(fd, data):
        calls.append(1)
        if len(calls) == 1:
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, data[:10])  # a partial write, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(fix_mod, "_write_all", disk_full)
    fixed, _, errors = fix_files([str(df), str(other)], LintOptions(), unsafe=False, write=True)
    assert df.read_text() == FIXABLE  # the original is back
    assert other.read_text() == FIXED  # the next file is still fixed
    assert len(errors) == 1 and "No space left" in errors[0] and fixed == 1
    assert not [n for n in os.listdir(repo) if n.startswith(".dockerlint-")]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize(
    "content",
    [
        "FROM python:3.12-slim\nUSER app\nRUN pip install flask==3.0.3",
        "FROM python:3.12-slim\r\nUSER app\r\nRUN pip install flask==3.0.3",
        "FROM python:3.12-slim\nRUN pip install flask==3.0.3\nUSER app",
        "FROM python:3.12-slim\nRUN pip install flask==3.0.3\n\n",
    ],
    ids=["last-line-changes", "crlf-last-line-changes", "unchanged-last-line", "blank-end"],
)
def test_diff_applies_with_git_apply(tmp_path, content):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    df = tmp_path / "Dockerfile"
    df.write_bytes(content.encode())
    exe = shutil.which("dockerlint")
    cmd = [exe] if exe else [sys.executable, "-m", "dockerlint_py"]
    r = subprocess.run(cmd + ["check", "--diff", "Dockerfile"], cwd=tmp_path, capture_output=True, timeout=120)
    assert r.stdout.startswith(b"--- a/Dockerfile")  # bytes: CRLF lines must reach the patch as they are
    (tmp_path / "p.diff").write_bytes(r.stdout)
    check = subprocess.run(["git", "apply", "--check", "p.diff"], cwd=tmp_path, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr + r.stdout.decode()
    subprocess.run(["git", "apply", "p.diff"], cwd=tmp_path, check=True)
    assert b"--no-cache-dir" in df.read_bytes()
    assert df.read_bytes().endswith(b"\n") == content.endswith("\n")


@pytest.mark.parametrize("fmt", ["sarif", "gitlab", "rdjson"])
@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_reporters_do_not_open_refused_manifests(repo, fmt, target):
    (repo / "svc").mkdir()
    (repo / "svc" / "Dockerfile").write_text(_POETRY_DF)
    (repo / "svc" / "pyproject.toml").write_text('[tool.poetry]\nname="x"\n[tool.poetry.dependencies]\npython="^3.12"\nflask="^3"\n')
    if target == "fifo":
        os.mkfifo(repo / "svc" / "poetry.lock")
    else:
        os.symlink(target, repo / "svc" / "poetry.lock")
    r = run_cli("check", "--format", fmt, "svc/Dockerfile", cwd=repo)  # run_cli times out at 120 s
    assert "Traceback" not in r.stderr and "MemoryError" not in r.stderr
    json.loads(r.stdout)


def test_without_git_a_manifest_above_is_unknown_not_missing(tmp_path):
    (tmp_path / "svc").mkdir()
    (tmp_path / "requirements.txt").write_text("flask\n")  # unpinned: DKL501 if it were read
    (tmp_path / "svc" / "Dockerfile").write_text(PY_DF)
    r = run_cli("check", "--format", "json", "svc/Dockerfile", cwd=tmp_path)
    codes = {c for _, _, c in _codes(r.stdout)}
    assert "DKL002" not in codes and "DKL501" not in codes
    (tmp_path / "svc" / "Dockerfile").write_text(PY_DF.replace("requirements.txt", "requirements-nowhere.txt"))
    r = run_cli("check", "--format", "json", "svc/Dockerfile", cwd=tmp_path)
    assert "DKL002" in {c for _, _, c in _codes(r.stdout)}


def test_env_legacy_form_with_only_a_non_ascii_space(repo):
    (repo / "bad").mkdir()
    (repo / "bad" / "Dockerfile").write_text("FROM python:3.12\nENV \u00a0\nRUN echo $A\n")
    r = run_cli("check", "--format", "json", ".", cwd=repo)
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert ("ok/Dockerfile", 1, "DKL102") in _codes(r.stdout)


def test_oversized_dockerfile_is_refused_not_read(repo):
    (repo / "big").mkdir()
    with open(repo / "big" / "Dockerfile", "w") as fh:
        fh.write("FROM alpine:3.20\n" + ("RUN echo " + "z" * 1000 + "\n") * 17000)  # ~17 MiB
    r = run_cli("check", "--format", "json", ".", cwd=repo)
    assert r.returncode == 2 and "big/Dockerfile: larger than 16 MiB" in r.stderr
    assert ("ok/Dockerfile", 1, "DKL102") in _codes(r.stdout)
