"""Autofix: minimal edits, byte fidelity, idempotence, --diff, unsafe opt-in, corpus-wide checks."""

import os
import stat
import subprocess
import sys

import pytest

from dockerlint_py.engine import LintOptions, lint_source
from dockerlint_py.findings import Edit
from dockerlint_py.fixes.edits import apply_edits
from dockerlint_py.fixes.run import fix_files

FIXABLE = ("DKL401", "DKL402", "DKL403", "DKL404")


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "dockerlint_py", "check", "--no-config", *args], cwd=cwd, capture_output=True)


def test_apply_edits_keeps_crlf_bom_and_missing_final_newline():
    data = b"\xef\xbb\xbfFROM x\r\nRUN a \\\r\n  b"
    new, n = apply_edits(data, [Edit(3, 4, 3, 4, " --flag"), Edit(1, 6, 1, 7, "y")])
    assert n == 2 and new == b"\xef\xbb\xbfFROM y\r\nRUN a \\\r\n  b --flag"


def test_overlapping_edits_wait_for_the_next_pass():
    new, n = apply_edits(b"RUN abc\n", [Edit(1, 5, 1, 8, "x"), Edit(1, 6, 1, 7, "y")])
    assert n == 1


@pytest.mark.parametrize("before, after", [
    ("FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nUSER a\n",
     "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\nUSER a\n"),
    ("FROM debian:bookworm-slim\nRUN apt-get update; apt-get install -y --no-install-recommends curl;\nUSER a\n",
     "FROM debian:bookworm-slim\nRUN apt-get update; apt-get install -y --no-install-recommends curl; rm -rf /var/lib/apt/lists/*\nUSER a\n"),
    ("FROM debian:bookworm-slim\nRUN apt-get -y install curl && rm -rf /var/lib/apt/lists/*\nUSER a\n",
     "FROM debian:bookworm-slim\nRUN apt-get -y install --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/*\nUSER a\n"),
    ("FROM alpine:3.20\nRUN apk add \\\n    curl \\\n    git\nUSER a\n",
     "FROM alpine:3.20\nRUN apk add --no-cache \\\n    curl \\\n    git\nUSER a\n"),
    ("FROM python:3.12-slim\nRUN python -m pip install -r /r.txt\nUSER a\n",
     "FROM python:3.12-slim\nRUN python -m pip install --no-cache-dir -r /r.txt\nUSER a\n"),
    ("FROM debian:bookworm-slim\nRUN <<EOF\napt-get update\napt-get install -y --no-install-recommends curl\nEOF\nUSER a\n",
     "FROM debian:bookworm-slim\nRUN <<EOF\napt-get update\napt-get install -y --no-install-recommends curl\nrm -rf /var/lib/apt/lists/*\nEOF\nUSER a\n"),
])
def test_safe_fixes(tmp_path, before, after):
    p = tmp_path / "Dockerfile"
    p.write_text(before)
    os.chmod(p, 0o640)
    r = run("--fix", "Dockerfile", cwd=tmp_path)
    assert p.read_text() == after, r.stderr
    assert stat.S_IMODE(os.stat(p).st_mode) == 0o640
    codes = {f.code for f in lint_source(p.read_bytes(), str(p), LintOptions(use_config=False)).findings}
    assert not codes & set(FIXABLE)
    run("--fix", "Dockerfile", cwd=tmp_path)
    assert p.read_text() == after  # fixing twice equals fixing once


def test_no_fix_when_a_trailing_comment_would_swallow_it(tmp_path):
    p = tmp_path / "Dockerfile"
    text = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl # tools\nUSER a\n"
    p.write_text(text)
    run("--fix", "Dockerfile", cwd=tmp_path)
    assert p.read_text() == text


def test_diff_changes_nothing(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_text("FROM alpine:3.20\nRUN apk add curl\nUSER a\n")
    r = run("--diff", "Dockerfile", cwd=tmp_path)
    assert r.returncode == 1 and b"+RUN apk add --no-cache curl" in r.stdout
    assert p.read_text() == "FROM alpine:3.20\nRUN apk add curl\nUSER a\n"
    p.write_text("FROM alpine:3.20\nRUN apk add --no-cache curl\nUSER a\n")
    r = run("--diff", "Dockerfile", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout == b""


def test_text_output_marks_fixable_findings(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nRUN apk add curl\nUSER a\n")
    r = run("Dockerfile", cwd=tmp_path)
    assert b"DKL403 [*]" in r.stdout


def test_unsafe_fixes_need_the_flag(tmp_path):
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\npsycopg2==2.9.9  # db\n")
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-alpine\nCOPY requirements.txt .\nRUN pip install --no-cache-dir --only-binary=:all: -r requirements.txt\nUSER a\n")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PRE_COMMIT")}
    r = subprocess.run([sys.executable, "-m", "dockerlint_py", "check", "--no-config", "--fix", "Dockerfile"], cwd=tmp_path, capture_output=True, env=env)
    assert (tmp_path / "requirements.txt").read_text() == "flask==3.0.3\npsycopg2==2.9.9  # db\n"
    assert b"--unsafe-fixes" in r.stderr  # the hint, for people (not in CI or hook logs)
    r = subprocess.run([sys.executable, "-m", "dockerlint_py", "check", "--no-config", "Dockerfile"], cwd=tmp_path, capture_output=True, env=dict(env, PRE_COMMIT="1"))
    assert b"--unsafe-fixes" not in r.stderr
    run("--fix", "--unsafe-fixes", "Dockerfile", cwd=tmp_path)
    assert (tmp_path / "requirements.txt").read_text() == "flask==3.0.3\npsycopg2-binary==2.9.9  # db\n"


def test_unsafe_slim_swap(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_text("FROM python:3.12-alpine AS app\nRUN pip install --no-cache-dir --only-binary=:all: orjson==3.10.7\nUSER a\n")
    run("--fix", "--unsafe-fixes", "Dockerfile", cwd=tmp_path)
    assert p.read_text().startswith("FROM python:3.12-slim AS app\n")
    p.write_text("FROM python:3.12-alpine\nRUN apk add --no-cache git && pip install --no-cache-dir --only-binary=:all: orjson==3.10.7\nUSER a\n")
    run("--fix", "--unsafe-fixes", "Dockerfile", cwd=tmp_path)
    assert p.read_text().startswith("FROM python:3.12-alpine\n")  # apk in the stage: no swap


def test_fix_on_every_corpus_file_with_fixable_findings(corpus_dir, tmp_path):
    """Applied to a copy: the fixed rules stop firing, a second pass changes nothing, and
    BuildKit's parser reads the same instructions."""
    from dockerlint_py.discovery import iter_dockerfiles
    from support.parity import oracle_view

    options = LintOptions(use_config=False)
    checked = 0
    problems = []
    for path in iter_dockerfiles(corpus_dir):
        data = open(path, "rb").read()
        res = lint_source(data, path, options)
        if not any(f.fix is not None and f.fix.safe for f in res.findings):
            continue
        copy_dir = tmp_path / str(checked)
        copy_dir.mkdir()
        copy = copy_dir / "Dockerfile"
        copy.write_bytes(data)
        before = lint_source(data, str(copy), options)
        n, _, errs = fix_files([str(copy)], options, unsafe=False, write=True)
        fixed = copy.read_bytes()
        after = lint_source(fixed, str(copy), options)
        left = [f for f in after.findings if f.fix is not None and f.fix.safe]
        n2, _, _ = fix_files([str(copy)], options, unsafe=False, write=True)
        rel = os.path.relpath(path, corpus_dir)
        if left:
            problems.append(f"{rel}: still fixable after --fix: {[(f.code, f.line) for f in left][:3]}")
        if n2 or copy.read_bytes() != fixed:
            problems.append(f"{rel}: second --fix changed the file")
        # a fix must not create a finding (of any rule)
        from collections import Counter

        grown = Counter(f.code for f in after.findings) - Counter(f.code for f in before.findings)
        if grown:
            problems.append(f"{rel}: new findings after --fix: {dict(grown)}")
        # the build does the same thing: no apt install left without its package lists
        if _apt_without_lists(fixed.decode("utf-8", "replace")) > _apt_without_lists(data.decode("utf-8", "replace")):
            problems.append(f"{rel}: a RUN installs with apt after the lists were removed")
        try:
            kw_before = [k for k, *_ in oracle_view(data.decode("utf-8-sig"))]
            kw_after = [k for k, *_ in oracle_view(fixed.decode("utf-8-sig"))]
        except Exception as exc:  # the oracle rejecting the fixed file is a failure too
            problems.append(f"{rel}: BuildKit cannot parse the fixed file: {exc}")
            continue
        if kw_before != kw_after:
            problems.append(f"{rel}: instructions changed")
        checked += 1
    assert checked > 300
    assert not problems, "\n".join(problems[:20])


def _apt_without_lists(text):
    """How many RUNs install with apt while the lists an earlier RUN fetched were removed and
    not fetched again (the build breaks there)."""
    from dockerlint_py.model.dockerfile import parse_dockerfile
    from dockerlint_py.model.resolve import resolve

    try:
        model = resolve(parse_dockerfile(text, "Dockerfile"))
    except Exception:
        return 0
    broken = 0
    for st in model.stages:
        have = None  # unknown at the start of a stage (the base may hold lists)
        for ins in st.instructions:
            if ins.keyword != "RUN":
                continue
            for c in st.tool_commands(ins):
                if c.tool in ("apt-get", "apt") and c.subcommand == "update":
                    have = True
                elif c.tool in ("apt-get", "apt") and c.subcommand == "install" and have is False:
                    broken += 1
                elif c.tool == "rm" and any("/var/lib/apt/lists" in a for a in c.args):
                    have = False
    return broken


def _fix_text(tmp_path, before, *extra):
    (tmp_path / ".git").mkdir(exist_ok=True)
    p = tmp_path / "Dockerfile"
    p.write_text(before)
    run("--fix", *extra, "Dockerfile", cwd=tmp_path)
    return p.read_text()


def test_apt_lists_kept_when_a_later_run_installs(tmp_path):
    """Removing the lists would break the later `apt-get install` (no update there): no fix."""
    before = "FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl ca-certificates\nUSER a\n"
    assert _fix_text(tmp_path, before) == before


def test_aptitude_gets_its_own_option(tmp_path):
    before = "FROM debian:bookworm-slim\nRUN apt-get update && aptitude install -y git && rm -rf /var/lib/apt/lists/*\nUSER a\n"
    after = _fix_text(tmp_path, before, "--select", "DKL402")
    assert "aptitude install --without-recommends -y git" in after and "--no-install-recommends" not in after


def test_poetry_older_than_1_2_gets_no_no_cache(tmp_path):
    before = "FROM python:3.12-slim\nRUN pip install --no-cache-dir poetry==1.1.15\nRUN poetry install\nUSER a\n"
    assert _fix_text(tmp_path, before, "--select", "DKL404") == before
    assert _fix_text(tmp_path, before, "--select", "DKL404", "--unsafe-fixes") == before
    unknown = "FROM python:3.12-slim\nRUN poetry install\nUSER a\n"
    assert _fix_text(tmp_path, unknown, "--select", "DKL404") == unknown  # unknown version: unsafe only


def test_heredoc_ending_in_backslash_gets_no_appended_rm(tmp_path):
    before = "FROM debian:bookworm-slim\nRUN <<EOF\napt-get update\napt-get install -y --no-install-recommends curl \\\n  git\nEOF\nUSER a\n"
    after = _fix_text(tmp_path, before, "--select", "DKL401")
    assert "git\nrm -rf /var/lib/apt/lists/*\nEOF" in after or after == before
    assert after.count("rm -rf") <= 1


PSYCOPG_DF = "FROM python:3.12-alpine\nCOPY requirements.txt .\nRUN apk add --no-cache build-base postgresql-dev && pip install --no-cache-dir -r requirements.txt\nUSER a\n"


@pytest.mark.parametrize("manifest", [
    "# psycopg2 is needed for postgres\n\f\npsycopg2==2.9.9\n",   # a form feed on an earlier line
    "psycopg2-pool==1.1\npsycopg2==2.9.9\n",
    "  psycopg2==2.9.9  # psycopg2 comment\n",
])
def test_unsafe_manifest_fix_edits_only_the_requirement(tmp_path, manifest):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(PSYCOPG_DF)
    (tmp_path / "requirements.txt").write_text(manifest)
    for _ in range(3):  # repeated runs never grow the name
        run("--fix", "--unsafe-fixes", "--select", "DKL201", "Dockerfile", cwd=tmp_path)
    after = (tmp_path / "requirements.txt").read_text()
    assert after.count("psycopg2-binary") == 1 and "binary-binary" not in after
    assert after.replace("psycopg2-binary==2.9.9", "psycopg2==2.9.9") == manifest
    if "psycopg2-pool" in manifest:
        assert "psycopg2-pool==1.1" in after


def test_edit_with_unexpected_old_text_is_skipped():
    from dockerlint_py.findings import Edit
    from dockerlint_py.fixes.edits import apply_edits

    data = b'"psycopg2" = "^2.9"\n'
    out, n = apply_edits(data, [Edit(1, 1, 1, 9, "psycopg2-binary", None, "psycopg2")])
    assert n == 0 and out == data
    out, n = apply_edits(data, [Edit(1, 2, 1, 10, "psycopg2-binary", None, "psycopg2")])
    assert n == 1 and out == b'"psycopg2-binary" = "^2.9"\n'
