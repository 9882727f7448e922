"""The per-stage install plan: each install tool, COPY following, copied environments, markers."""

import json
import subprocess
import sys

from dockerlint_py.model.context import BuildContext
from dockerlint_py.model.dockerfile import parse_dockerfile
from dockerlint_py.model.resolve import BuildOptions, resolve


def plan_of(tmp_path, dockerfile, files=None, **options):
    for name, text in (files or {}).items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    path = str(tmp_path / "Dockerfile")
    (tmp_path / "Dockerfile").write_text(dockerfile)
    model = resolve(parse_dockerfile(dockerfile, path), BuildOptions(context=str(tmp_path), **options))
    return model, model.plan


def pkgs(install):
    return [(p.name, p.version, p.direct) for p in install.packages]


def test_pip_requirements_after_copy_to_tmp(tmp_path):
    _, plan = plan_of(tmp_path, "FROM python:3.12-slim\nCOPY requirements.txt /tmp/\nRUN pip install --no-cache-dir --only-binary=:all: -r /tmp/requirements.txt\n",
                      {"requirements.txt": "flask==3.0.3\n"})
    (inst,) = plan.stages[0].installs
    assert inst.tool == "pip" and inst.location == "system" and inst.options["only-binary"] == (":all:",)
    assert pkgs(inst)[0] == ("flask", "3.0.3", True)
    assert inst.packages[0].origin.path.endswith("requirements.txt") and inst.packages[0].origin.line == 1
    # flask pulls markupsafe: inferred from the bundled map, marked as such
    inferred = [p for p in inst.packages if p.inferred]
    assert [(p.name, p.via) for p in inferred] == [("markupsafe", ("flask",))]


def test_workdir_cd_and_directory_copy_with_dockerignore(tmp_path):
    files = {"app/requirements.txt": "requests==2.32.3\n", "app/dev.txt": "pytest\n", ".dockerignore": "app/dev.txt\n"}
    _, plan = plan_of(tmp_path, "FROM python:3.12\nWORKDIR /srv\nCOPY . .\nRUN cd app && pip install -r requirements.txt && pip install -r dev.txt\n", files)
    first, second = plan.stages[0].installs
    assert pkgs(first) == [("requests", "2.32.3", True), ("charset-normalizer", None, False)]
    assert second.packages == ()  # dev.txt is excluded from the context


def test_markers_use_the_stage_python_and_platform(tmp_path):
    files = {"requirements.txt": "tomli==2.0.1; python_version < '3.11'\nuvloop==0.21.0; platform_machine == 'aarch64'\n"}
    df = "FROM --platform=linux/arm64 python:3.10-alpine\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    _, plan = plan_of(tmp_path, df, files)
    assert plan.stages[0].machine == "aarch64" and plan.stages[0].python == "3.10"
    assert [p.name for p in plan.stages[0].installs[0].packages] == ["tomli", "uvloop"]
    _, plan = plan_of(tmp_path, df.replace("--platform=linux/arm64 ", "").replace("3.10", "3.12"), files)
    assert [p.name for p in plan.stages[0].installs[0].packages] == []


def test_uv_sync_groups_and_extras(tmp_path):
    from test_manifests import PYPROJECT, UV_LOCK

    files = {"pyproject.toml": PYPROJECT.replace('name = "App"', 'name = "app"'), "uv.lock": UV_LOCK}
    _, plan = plan_of(tmp_path, "FROM python:3.12-slim\nWORKDIR /app\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --frozen --no-dev --extra prod\n", files)
    (inst,) = plan.stages[0].installs
    got = {p.name: (p.version, p.direct, p.pinned_by) for p in inst.packages}
    assert got["fastapi"] == ("0.115.0", True, "lock") and got["pydantic-core"][1] is False
    assert "gunicorn" in got and "pytest" not in got
    assert inst.location == "/app/.venv" and inst.lock.endswith("uv.lock")
    _, plan = plan_of(tmp_path, "FROM python:3.12-slim\nWORKDIR /app\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --frozen\n", files)
    assert "pytest" in {p.name for p in plan.stages[0].installs[0].packages}  # dev group by default


def test_poetry_groups(tmp_path):
    pyproject = '[tool.poetry]\nname = "svc"\n[tool.poetry.dependencies]\npython = "^3.11"\nflask = "^3.0"\n[tool.poetry.group.dev.dependencies]\npytest = "^8"\n'
    _, plan = plan_of(tmp_path, "FROM python:3.12-slim\nCOPY pyproject.toml ./\nRUN poetry install --without dev --no-root\n", {"pyproject.toml": pyproject})
    assert [p.name for p in plan.stages[0].installs[0].packages if p.direct] == ["flask"]
    _, plan = plan_of(tmp_path, "FROM python:3.12-slim\nCOPY pyproject.toml ./\nRUN poetry install --no-root\n", {"pyproject.toml": pyproject})
    assert [p.name for p in plan.stages[0].installs[0].packages if p.direct] == ["flask", "pytest"]


def test_pipenv_deploy_uses_the_lock(tmp_path):
    files = {"Pipfile": '[packages]\nrequests = "*"\n[dev-packages]\npytest = "*"\n',
             "Pipfile.lock": json.dumps({"default": {"requests": {"version": "==2.32.3"}}, "develop": {"pytest": {"version": "==8.0.0"}}})}
    _, plan = plan_of(tmp_path, "FROM python:3.12-slim\nCOPY Pipfile Pipfile.lock ./\nRUN pipenv install --system --deploy\n", files)
    (inst,) = plan.stages[0].installs
    assert pkgs(inst) == [("requests", "2.32.3", True)] and inst.location == "system"


def test_pip_sync_and_uv_pip_sync(tmp_path):
    files = {"requirements.txt": "fastapi==0.115.0\n"}
    for cmd in ("pip-sync requirements.txt", "uv pip sync --system requirements.txt"):
        _, plan = plan_of(tmp_path, f"FROM python:3.12-slim\nCOPY requirements.txt .\nRUN {cmd}\n", files)
        (inst,) = plan.stages[0].installs
        assert pkgs(inst) == [("fastapi", "0.115.0", True)] and "no-deps" in inst.options  # compiled: no inference


def test_venv_copied_between_stages_and_stage_inheritance(tmp_path):
    df = (
        "FROM python:3.12-slim AS build\n"
        "RUN python -m venv /opt/venv\n"
        "ENV PATH=/opt/venv/bin:$PATH\n"
        "COPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\n"
        "FROM build AS test\n"
        "FROM python:3.12-alpine\n"
        "COPY --from=build /opt/venv /opt/venv\n"
    )
    _, plan = plan_of(tmp_path, df, {"requirements.txt": "orjson==3.10.7\n"})
    build, test, final = plan.stages
    assert build.installs[0].location == "/opt/venv"
    assert test.installs == [] and [p.name for p in test.packages] == ["orjson"]
    (copied,) = final.copied
    assert copied.from_stage.name == "build" and [p.name for p in copied.packages] == ["orjson"]


def test_pip_wheel_then_install_from_the_wheel_dir(tmp_path):
    df = (
        "FROM python:3.12-alpine AS build\n"
        "COPY requirements.txt .\n"
        "RUN pip wheel --wheel-dir /wheels -r requirements.txt\n"
        "FROM python:3.12-alpine\n"
        "COPY --from=build /wheels /wheels\n"
        "RUN pip install --no-index --find-links /wheels /wheels/*.whl\n"
    )
    _, plan = plan_of(tmp_path, df, {"requirements.txt": "psycopg2==2.9.9\n"})
    assert plan.stages[0].installs[0].tool == "pip wheel"
    (inst,) = plan.stages[1].installs
    assert [p.name for p in inst.packages] == ["psycopg2"]


def test_prefix_and_user_installs_are_tracked(tmp_path):
    df = (
        "FROM python:3.12-slim AS build\n"
        "RUN pip install --prefix=/install requests==2.32.3 && pip install --user rich==13.0.0\n"
        "FROM python:3.12-slim\n"
        "COPY --from=build /install /usr/local\n"
        "COPY --from=build /root/.local /root/.local\n"
    )
    _, plan = plan_of(tmp_path, df)
    assert [i.location for i in plan.stages[0].installs] == ["/install", "/root/.local"]
    assert [[p.name for p in c.packages if p.direct] for c in plan.stages[1].copied] == [["requests"], ["rich"]]


def test_heredoc_and_sh_c_installs(tmp_path):
    df = "FROM python:3.12-slim\nRUN <<EOF\nset -e\npip install flask==3.0.3\nEOF\nRUN sh -c 'pip install gunicorn==22.0.0'\n"
    _, plan = plan_of(tmp_path, df)
    assert [(i.line, [p.name for p in i.packages if p.direct]) for i in plan.stages[0].installs] == [(4, ["flask"]), (6, ["gunicorn"])]


def test_context_falls_back_to_parent_directories(tmp_path):
    (tmp_path / ".git").mkdir()  # the fallback stops at the repository root (issue 13)
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\n")
    sub = tmp_path / "docker"
    sub.mkdir()
    (sub / "Dockerfile").write_text("FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n")
    path = str(sub / "Dockerfile")
    model = resolve(parse_dockerfile((sub / "Dockerfile").read_text(), path))
    assert [p.name for p in model.plan.stages[0].installs[0].packages if p.direct] == ["flask"]
    # an explicit context is not second-guessed
    model = resolve(parse_dockerfile((sub / "Dockerfile").read_text(), path), BuildOptions(context=str(sub)))
    assert model.plan.stages[0].installs[0].packages == () and len(model.plan.missing) == 1


def test_dockerignore_patterns(tmp_path):
    (tmp_path / ".dockerignore").write_text("**/*.pyc\nbuild\n!build/keep.txt\n")
    ctx = BuildContext(str(tmp_path), True)
    assert ctx.ignored("a/b/c.pyc") and ctx.ignored("x.pyc") and ctx.ignored("build/other")
    assert not ctx.ignored("build/keep.txt") and not ctx.ignored("src/main.py")


def test_inspect_json_and_text(tmp_path):
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\n")
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-alpine AS app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n")
    cmd = [sys.executable, "-m", "dockerlint_py", "inspect", "--format", "json", str(tmp_path / "Dockerfile")]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    (info,) = json.loads(out)
    (stage,) = info["stages"]
    assert stage["name"] == "app" and stage["reaches_final"] and stage["base"]["libc"] == "musl" and stage["python"] == "3.12"
    (inst,) = stage["installs"]
    flask = inst["packages"][0]
    assert (flask["name"], flask["version"], flask["declared_at"]["line"]) == ("flask", "3.0.3", 1)
    assert flask["declared_at"]["path"].endswith("requirements.txt")
    # no CMD on an interpreter base and no application copied in: an image to build on
    assert info["role"]["role"] == "base" and info["role"]["image_stage"] == "app" and info["role"]["evidence"]
    text = subprocess.run(cmd[:4] + [str(tmp_path / "Dockerfile")], capture_output=True, text=True, check=True).stdout
    assert "libc=musl" in text and "flask 3.0.3" in text and "image role: base" in text


def test_pdm_install_from_the_lock(tmp_path):
    files = {
        "pyproject.toml": '[project]\nname = "app"\ndependencies = ["requests"]\n[tool.pdm.dev-dependencies]\ntest = ["pytest"]\n',
        "pdm.lock": '[[package]]\nname = "requests"\nversion = "2.32.3"\ngroups = ["default"]\n\n[[package]]\nname = "pytest"\nversion = "8.3.3"\ngroups = ["test"]\n',
    }
    _, plan = plan_of(tmp_path, "FROM python:3.12-slim\nWORKDIR /app\nCOPY pyproject.toml pdm.lock ./\nRUN pdm install --prod\n", files)
    (inst,) = plan.stages[0].installs
    assert [(p.name, p.version, p.pinned_by) for p in inst.packages] == [("requests", "2.32.3", "lock")]
    _, plan = plan_of(tmp_path, "FROM python:3.12-slim\nWORKDIR /app\nCOPY pyproject.toml pdm.lock ./\nRUN pdm install\n", files)
    assert {p.name for p in plan.stages[0].installs[0].packages} == {"requests", "pytest"}


def test_requirements_exported_from_the_lock_in_the_image(tmp_path):
    """`uv export -o requirements.txt` then `pip install -r requirements.txt`: the packages come
    from the lock the export read."""
    from test_manifests import PYPROJECT, UV_LOCK

    files = {"pyproject.toml": PYPROJECT.replace('name = "App"', 'name = "app"'), "uv.lock": UV_LOCK}
    df = ("FROM python:3.12-slim AS build\nWORKDIR /app\nCOPY pyproject.toml uv.lock ./\n"
          "RUN uv export --frozen --no-dev -o requirements.txt && pip install --no-cache-dir -r requirements.txt\n")
    _, plan = plan_of(tmp_path, df, files)
    (inst,) = plan.stages[0].installs
    got = {p.name: (p.version, p.pinned_by) for p in inst.packages}
    assert got["fastapi"] == ("0.115.0", "lock") and "pytest" not in got


def test_install_commands_are_read_with_the_tools_grammar(tmp_path):
    """The subcommand is found after global options, aliases are the tool's, and an option's
    value is never taken for a package (the plan reads the command model's grammar)."""
    files = {"requirements.txt": "flask==3.0.3\n"}
    df = ("FROM python:3.12-slim\nCOPY requirements.txt .\n"
          "RUN pip --no-cache-dir install requests\n"
          "RUN uv pip install --system --python-preference system --requirements requirements.txt\n"
          "RUN poetry -C /srv install --no-root\n")
    _, plan = plan_of(tmp_path, df, files)
    pip_, uv_, poetry_ = plan.stages[0].installs
    assert (pip_.tool, [p.name for p in pip_.packages if p.direct]) == ("pip", ["requests"])
    assert uv_.tool == "uv pip" and uv_.location == "system"
    assert [p.name for p in uv_.packages if p.direct] == ["flask"]  # not `system`, not `requirements-txt`
    assert poetry_.tool == "poetry" and poetry_.options["directory"] == ("/srv",)


def test_pip_sync_installs_its_files_without_dependencies(tmp_path):
    files = {"requirements.txt": "flask==3.0.3\n"}
    for run in ("pip-sync requirements.txt", "uv pip sync requirements.txt"):
        _, plan = plan_of(tmp_path, f"FROM python:3.12-slim\nCOPY requirements.txt .\nRUN {run}\n", files)
        (inst,) = plan.stages[0].installs
        assert inst.has("no-deps") and inst.options["requirement"] == ("requirements.txt",)
        assert [(p.name, p.direct) for p in inst.packages] == [("flask", True)]  # nothing inferred


def test_the_model_is_not_extended_by_helpers(tmp_path):
    """Analyses are cached in declared slots (the model has no __dict__ to attach things to)."""
    model, _ = plan_of(tmp_path, "FROM python:3.12-alpine\nRUN apk add --no-cache gcc && pip install psycopg2==2.9.9\n")
    assert not hasattr(model, "__dict__") and not hasattr(model.stages[0], "__dict__")
    builds = model.source_builds()
    assert builds is model.source_builds() and [b.package.name for b in builds] == ["psycopg2"]
    stage = model.stages[0]
    assert stage.os_packages() is stage.os_packages()
    run = stage.instructions[0]
    assert stage.run_args(run) is stage.run_args(run)


def test_plan_modules_do_not_import_the_engine():
    import subprocess as sp

    code = "import sys, dockerlint_py.analysis.plan as p, dockerlint_py.model.resolve; print('dockerlint_py.engine' in sys.modules)"
    out = sp.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
