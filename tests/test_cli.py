import json

import pytest

from support.cli import run_cli

BAD = "FROM python:latest\nUSER app\nRUN echo hi\n"
GOOD = "FROM python:3.12-slim\nUSER app\nRUN echo hi\n"


@pytest.fixture
def repo(tmp_path):
    (tmp_path / ".git").mkdir()
    return tmp_path


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_version_and_help():
    r = run_cli("--version")
    assert r.returncode == 0 and "dockerlint-py" in r.stdout
    assert run_cli("--help").returncode == 0


def test_findings_exit_1_and_text_format(repo):
    write(repo / "Dockerfile", BAD)
    r = run_cli("check", "Dockerfile", cwd=repo)
    assert r.returncode == 1
    first = r.stdout.splitlines()[0]
    assert first.startswith("Dockerfile:1:6: DKL102 [warning] ")
    assert "Found 1 finding" in r.stdout


def test_clean_exit_0(repo):
    write(repo / "Dockerfile", GOOD)
    r = run_cli("check", ".", cwd=repo)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "No findings in 1 file" in r.stdout


def test_default_command_is_check(repo):
    write(repo / "Dockerfile", BAD)
    assert run_cli("Dockerfile", cwd=repo).returncode == 1


def test_discovery_names(repo):
    for name in ["Dockerfile", "Dockerfile.dev", "api.Dockerfile", "web.dockerfile", "Containerfile", "Containerfile.prod", "Dockerfile-ci", "sub/Dockerfile"]:
        write(repo / name, BAD)
    write(repo / "Dockerfile.md", "# docs")
    write(repo / "node_modules" / "x" / "Dockerfile", BAD)
    write(repo / ".venv" / "pyvenv.cfg", "")
    write(repo / ".venv" / "Dockerfile", BAD)
    r = run_cli("check", "--format", "json", ".", cwd=repo)
    paths = sorted({f["path"] for f in json.loads(r.stdout)})
    assert paths == sorted(["Containerfile", "Containerfile.prod", "Dockerfile", "Dockerfile-ci", "Dockerfile.dev", "api.Dockerfile", "sub/Dockerfile", "web.dockerfile"])


def test_json_contract(repo):
    write(repo / "Dockerfile", "FROM python:3-slim\nUSER app\n")
    r = run_cli("check", "--format", "json", "Dockerfile", cwd=repo)
    data = json.loads(r.stdout)
    assert len(data) == 1
    f = data[0]
    assert {"path", "line", "column", "end_line", "end_column", "code", "name", "severity", "message"} <= set(f)
    assert (f["path"], f["line"], f["column"], f["end_line"], f["end_column"], f["code"], f["name"], f["severity"]) == (
        "Dockerfile", 1, 6, 1, 19, "DKL103", "image-floating-tag", "warning")


def test_unparsable_file_exit_2_and_others_still_linted(repo):
    write(repo / "a" / "Dockerfile", "FROM alpine:3.20\nRUN <<EOF\necho\n")
    write(repo / "b" / "Dockerfile", BAD)
    r = run_cli("check", "--format", "json", ".", cwd=repo)
    assert r.returncode == 2
    assert "a/Dockerfile:2: unterminated heredoc" in r.stderr
    # the broken file is in the report too (every format carries it), located, as DKL000
    assert [(f["path"], f["code"], f["line"]) for f in json.loads(r.stdout)] == [("a/Dockerfile", "DKL000", 2), ("b/Dockerfile", "DKL102", 1)]


def test_missing_file_and_directory_named_dockerfile(repo):
    (repo / "Dockerfile").mkdir()
    r = run_cli("check", "nope/Dockerfile", "Dockerfile", cwd=repo)
    assert r.returncode == 2
    assert "nope/Dockerfile: cannot read" in r.stderr
    assert "Traceback" not in r.stderr


def test_stdin(repo):
    r = run_cli("check", "-", "--stdin-filename", "svc/Dockerfile", "--format", "json", cwd=repo, stdin=BAD)
    assert r.returncode == 1
    assert json.loads(r.stdout)[0]["path"] == "svc/Dockerfile"


def test_select_ignore_threshold_exit_zero(repo):
    write(repo / "Dockerfile", "FROM python:3.12-slim\nUSER app\n")
    assert run_cli("check", "Dockerfile", cwd=repo).returncode == 0
    r = run_cli("check", "--select", "DKL104", "Dockerfile", cwd=repo)
    assert "DKL104" in r.stdout and r.returncode == 0  # info is below the default threshold
    assert run_cli("check", "--select", "DKL104", "--failure-threshold", "info", "Dockerfile", cwd=repo).returncode == 1
    write(repo / "Dockerfile", BAD)
    assert run_cli("check", "--ignore", "DKL1", "Dockerfile", cwd=repo).returncode == 0
    assert run_cli("check", "--exit-zero", "Dockerfile", cwd=repo).returncode == 0


def test_build_arg_and_target(repo):
    write(repo / "Dockerfile", "ARG BASE\nFROM ${BASE} AS a\nFROM alpine:3.20 AS b\nUSER app\n")
    r = run_cli("check", "--format", "json", "--build-arg", "BASE=python", "Dockerfile", cwd=repo)
    assert [f["code"] for f in json.loads(r.stdout)] == ["DKL101"]
    assert run_cli("check", "--build-arg", "oops", "Dockerfile", cwd=repo).returncode == 2


def test_config_pyproject_and_dockerlint_toml(repo):
    write(repo / "pyproject.toml", '[project]\nname="x"\n[tool.dockerlint]\nignore = ["DKL102"]\nbogus = 1\n')
    write(repo / "svc" / "Dockerfile", BAD)
    r = run_cli("check", "svc/Dockerfile", cwd=repo)
    assert r.returncode == 0
    assert "unknown configuration key `bogus`" in r.stderr
    # a nearer .dockerlint.toml wins
    write(repo / "svc" / ".dockerlint.toml", 'select = ["DKL101", "DKL102"]\n[severity]\nDKL102 = "error"\n')
    r = run_cli("check", "--format", "json", "svc/Dockerfile", cwd=repo)
    assert [(f["code"], f["severity"]) for f in json.loads(r.stdout)] == [("DKL102", "error")]
    # the CLI overrides the file
    r = run_cli("check", "--ignore", "DKL102", "svc/Dockerfile", cwd=repo)
    assert r.returncode == 0


def test_config_per_file_ignores_build_args_unknown_code(repo):
    write(repo / ".dockerlint.toml", '[per-file-ignores]\n"legacy/*" = ["DKL102"]\n[build-args]\nBASE = "python"\n')
    write(repo / "legacy" / "Dockerfile", BAD)
    write(repo / "new" / "Dockerfile", "ARG BASE\nFROM $BASE\nUSER app\n")
    r = run_cli("check", "--format", "json", ".", cwd=repo)
    assert [(f["path"], f["code"]) for f in json.loads(r.stdout)] == [("new/Dockerfile", "DKL101")]
    # a typo in a code is an error, never a silently disabled gate
    write(repo / ".dockerlint.toml", '[severity]\nDKL999 = "error"\n')
    r = run_cli("check", "--format", "json", ".", cwd=repo)
    assert r.returncode == 2 and "unknown rule code `DKL999`" in r.stderr
    r = run_cli("check", "--no-config", "--select", "FOO1", ".", cwd=repo)
    assert r.returncode == 2 and "FOO1" in r.stderr


def test_broken_dockerlint_toml_is_an_error(repo):
    write(repo / ".dockerlint.toml", "select = [\n")
    write(repo / "Dockerfile", BAD)
    r = run_cli("check", "Dockerfile", cwd=repo)
    assert r.returncode == 2 and ".dockerlint.toml" in r.stderr and "Traceback" not in r.stderr


def test_suppression_comments(repo):
    write(repo / "Dockerfile", "# dockerlint: ignore=DKL102 -- pinned by our registry mirror\nFROM python:latest\nFROM node:latest\nUSER node\n")
    r = run_cli("check", "--format", "json", "Dockerfile", cwd=repo)
    assert [(f["line"], f["code"]) for f in json.loads(r.stdout)] == [(3, "DKL102")]
    write(repo / "Dockerfile", "FROM python:latest\n# dockerlint: global ignore=DKL1\nFROM node:latest\nUSER node\n")
    assert json.loads(run_cli("check", "--format", "json", "Dockerfile", cwd=repo).stdout) == []


def test_output_file_statistics_show_source_color(repo):
    write(repo / "Dockerfile", BAD)
    r = run_cli("check", "--output-file", "out.json", "--format", "json", "Dockerfile", cwd=repo)
    assert r.stdout == "" and json.loads((repo / "out.json").read_text())[0]["code"] == "DKL102"
    r = run_cli("check", "--show-source", "Dockerfile", cwd=repo)
    assert "    FROM python:latest" in r.stdout and "     ^^^^^^^^^^^^^" in r.stdout
    assert run_cli("check", "--statistics", "Dockerfile", cwd=repo).stdout.split() == ["1", "DKL102", "image-latest"]
    assert "\033[" not in r.stdout
    assert "\033[" in run_cli("check", "Dockerfile", cwd=repo, env={"FORCE_COLOR": "1"}).stdout
    assert "\033[" not in run_cli("check", "Dockerfile", cwd=repo, env={"NO_COLOR": "1", "FORCE_COLOR": "1"}).stdout
    # an explicit --color always wins over the environment
    assert "\033[" in run_cli("check", "--color", "always", "Dockerfile", cwd=repo, env={"NO_COLOR": "1"}).stdout
    assert "\033[" in run_cli("check", "--color", "always", "Dockerfile", cwd=repo).stdout


def test_quiet(repo):
    write(repo / "Dockerfile", BAD)
    r = run_cli("check", "-q", "Dockerfile", cwd=repo)
    assert r.stdout.count("\n") == 1 and "Found" not in r.stdout


def test_rules_and_rule(repo):
    r = run_cli("rules")
    assert r.returncode == 0 and "DKL101" in r.stdout and "(opt-in)" in r.stdout
    r = run_cli("rule", "dkl103")
    assert r.returncode == 0 and "## Bad" in r.stdout
    assert run_cli("rule", "DKL999").returncode == 2


def test_usage_error_exit_2():
    assert run_cli("check", "--format", "nope").returncode == 2


def test_walk_honours_exclude_gitignore_and_default_folders(repo):
    for d in ("app", "build/lib/pkg", "dist", "legacy", "ignored", ".devcontainer", ".github/ci", "{{cookiecutter.name}}", "keep", "deploy/build"):
        write(repo / d / "Dockerfile", BAD)
    write(repo / ".gitignore", "ignored/\n*.tmp\n!keep/\n")
    write(repo / ".dockerlint.toml", 'exclude = ["legacy"]\n')
    r = run_cli("check", "--format", "json", ".", cwd=repo)
    paths = sorted({f["path"] for f in json.loads(r.stdout)})
    assert paths == [".devcontainer/Dockerfile", ".github/ci/Dockerfile", "app/Dockerfile", "deploy/build/Dockerfile", "keep/Dockerfile"]
    r = run_cli("check", "--format", "json", "--no-respect-gitignore", "--extend-exclude", "app", ".", cwd=repo)
    paths = sorted({f["path"] for f in json.loads(r.stdout)})
    assert paths == [".devcontainer/Dockerfile", ".github/ci/Dockerfile", "deploy/build/Dockerfile", "ignored/Dockerfile", "keep/Dockerfile"]
    # explicit paths are linted, unless --force-exclude
    assert run_cli("check", "legacy/Dockerfile", cwd=repo).returncode == 1
    assert run_cli("check", "--force-exclude", "legacy/Dockerfile", cwd=repo).returncode == 0


def test_manifest_change_never_lints_an_ignored_dockerfile(repo):
    write(repo / ".gitignore", "build/\n")
    write(repo / "requirements.txt", "flask==3.0.3\n")
    write(repo / "build" / "Dockerfile", "FROM python:latest\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n")
    r = run_cli("check", "requirements.txt", cwd=repo)
    assert r.returncode == 0, r.stdout


def test_stdin_filename_without_dash_and_fix_on_stdin(repo):
    src = "FROM python:3.12-slim\nRUN pip install flask==3.0.3\nUSER a\n"
    r = run_cli("check", "--no-config", "--format", "json", "--stdin-filename", "svc/Dockerfile", cwd=repo, stdin=src)
    assert [(f["path"], f["code"]) for f in json.loads(r.stdout)] == [("svc/Dockerfile", "DKL404")]
    r = run_cli("check", "--no-config", "--fix", "--stdin-filename", "Dockerfile", cwd=repo, stdin=src)
    assert r.returncode == 0 and "--no-cache-dir" in r.stdout and r.stdout.startswith("FROM")
    r = run_cli("check", "--no-config", "--diff", "--stdin-filename", "Dockerfile", cwd=repo, stdin=src)
    assert r.returncode == 1 and "+RUN pip install --no-cache-dir" in r.stdout
    assert not (repo / "Dockerfile").exists()


def test_output_files_and_several_formats_on_stdout(repo):
    write(repo / "Dockerfile", BAD)
    assert run_cli("check", "--format", "json", "--format", "sarif", "Dockerfile", cwd=repo).returncode == 2
    r = run_cli("check", "--format", "text", "--format", "sarif:out/deep/r.sarif", "Dockerfile", cwd=repo)
    assert r.returncode == 1 and (repo / "out" / "deep" / "r.sarif").is_file()


def test_threshold_comes_from_each_files_configuration(repo):
    write(repo / "strict" / ".dockerlint.toml", 'failure-threshold = "info"\nselect = ["DKL104"]\n')
    write(repo / "strict" / "Dockerfile", "FROM python:3.12-slim\nUSER a\n")
    write(repo / "lax" / "Dockerfile", "FROM python:3.12-slim\nUSER a\n")
    assert run_cli("check", "lax/Dockerfile", "strict/Dockerfile", cwd=repo).returncode == 1
    assert run_cli("check", "lax/Dockerfile", cwd=repo).returncode == 0


def test_syntax_errors_are_findings(repo):
    write(repo / "Dockerfile", "FORM python:3.12\nRNU pip install flask\n")
    r = run_cli("check", "--format", "json", "Dockerfile", cwd=repo)
    assert r.returncode == 1
    assert [(f["code"], f["line"]) for f in json.loads(r.stdout)] == [("DKL000", 1), ("DKL000", 2)]


def test_ci_formats_report_paths_from_the_repository_root(repo):
    write(repo / "svc" / "Dockerfile", BAD)
    sub = repo / "svc"
    r = run_cli("check", "--format", "json", "Dockerfile", cwd=sub)
    assert [f["path"] for f in json.loads(r.stdout)] == ["svc/Dockerfile"]
    r = run_cli("check", "Dockerfile", cwd=sub)
    assert r.stdout.startswith("Dockerfile:1:6:")  # the text format stays clickable from the cwd
    r = run_cli("check", "--format", "json", "--root", str(sub), "Dockerfile", cwd=sub)
    assert [f["path"] for f in json.loads(r.stdout)] == ["Dockerfile"]


def test_statistics_prints_only_the_table_and_fixable_count(repo):
    write(repo / "Dockerfile", "FROM python:latest\nRUN pip install flask==3.0.3\nRUN pip install gunicorn==22.0.0\nUSER app\n")
    r = run_cli("check", "--statistics", "Dockerfile", cwd=repo)
    rows = [ln.split() for ln in r.stdout.splitlines()]
    assert rows == [["2", "DKL404", "[*]", "pip-cache-kept"], ["1", "DKL102", "image-latest"]]
    r = run_cli("check", "Dockerfile", cwd=repo)
    assert r.stdout.splitlines()[-1].startswith("[*] 2 fixable")


def test_manifest_on_stdin_is_checked_through_its_dockerfiles(repo):
    write(repo / "Dockerfile", "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nUSER app\n")
    write(repo / "requirements.txt", "flask==3.0.3\n")
    write(repo / "other.Dockerfile", "FROM python:latest\nUSER app\n")
    r = run_cli("check", "--format", "json", "--stdin-filename", "requirements.txt", cwd=repo, stdin="flask\n")
    found = json.loads(r.stdout)
    # the unsaved text (flask unpinned) is what is checked; only the stdin file's findings
    assert [(f["path"], f["code"], f["line"]) for f in found] == [("requirements.txt", "DKL501", 1)]
    r = run_cli("check", "--format", "json", "--stdin-filename", "requirements.txt", cwd=repo, stdin="flask==3.0.3\n")
    assert json.loads(r.stdout) == [] and r.returncode == 0
