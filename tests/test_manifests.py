"""Manifest parsers, one section per format: real-world shapes, line numbers, problems."""

import json
import os

import pytest

from dockerlint_py.manifests import load_manifest, manifest_kind
from dockerlint_py.manifests.locks import lock_closure
from dockerlint_py.manifests.markers import marker_holds, target_environment
from dockerlint_py.manifests.pyproject import poetry_constraint
from dockerlint_py.manifests.requirements import parse_requirements_file


def write(tmp_path, name, text):
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return str(p)


def names(m):
    return [(r.name, r.origin.line) for r in m.requirements]


# -- requirements files ------------------------------------------------------------------------


def test_requirements_full_syntax(tmp_path):
    path = write(tmp_path, "requirements.txt", "\n".join([
        "# comment",
        "--index-url https://pypi.example/simple",
        "--only-binary=:all:",
        "Django>=4.2,<5  # trailing comment",
        "requests[socks,security]==2.32.3 \\",
        "    --hash=sha256:aaaa \\",
        "    --hash=sha256:bbbb",
        "uvloop; sys_platform != 'win32'",
        "-e git+https://github.com/org/lib.git@v1.0#egg=lib",
        "https://files.example/pkg-1.0-py3-none-any.whl",
        "./local/pkg",
        "pkg2 @ git+https://github.com/org/pkg2.git@0123456789abcdef0123456789abcdef01234567",
        "",
    ]))
    m = parse_requirements_file(path)
    assert not m.problems
    assert names(m) == [("django", 4), ("requests", 5), ("uvloop", 8), ("lib", 9), ("pkg", 10), ("", 11), ("pkg2", 12)]
    req = m.requirements[1]
    assert req.extras == ("security", "socks") and req.hashes == ("sha256:aaaa", "sha256:bbbb") and req.pinned_version == "2.32.3"
    assert m.requirements[0].pinned_version is None
    assert m.requirements[3].editable and m.requirements[3].is_vcs and not m.requirements[3].vcs_commit_pinned
    assert m.requirements[6].vcs_commit_pinned
    assert m.options["only-binary"] == (":all:",) and m.options["index-url"] == ("https://pypi.example/simple",)


def test_requirements_includes_and_constraints_relative_to_including_file(tmp_path):
    write(tmp_path, "reqs/base.txt", "-c ../constraints.txt\nflask\n")
    write(tmp_path, "constraints.txt", "flask==3.0.3\n")
    path = write(tmp_path, "reqs/prod.txt", "-r base.txt\ngunicorn==22.0.0\n")
    m = parse_requirements_file(path, root=str(tmp_path))
    assert not m.problems
    assert [r.name for r in m.requirements] == ["flask", "gunicorn"]
    assert [(r.name, r.pinned_version) for r in m.constraints] == [("flask", "3.0.3")]
    assert m.requirements[0].origin.path.endswith("reqs/base.txt") and m.requirements[0].origin.line == 2


def test_requirements_include_cycle_is_reported_not_followed(tmp_path):
    write(tmp_path, "b.txt", "-r a.txt\n")
    path = write(tmp_path, "a.txt", "-r b.txt\nflask==3.0.3\n")
    m = parse_requirements_file(path, root=str(tmp_path))
    assert [r.name for r in m.requirements] == ["flask"]
    assert [(p.kind, p.line) for p in m.problems] == [("cycle", 1)]


def test_requirements_include_outside_root_is_not_followed(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret==1\n")
    path = write(tmp_path, "ctx/requirements.txt", "-r ../outside.txt\n")
    m = parse_requirements_file(path, root=str(tmp_path / "ctx"))
    assert m.requirements == () and [p.kind for p in m.problems] == ["outside"]


def test_requirements_bad_lines_and_env_vars(tmp_path):
    path = write(tmp_path, "requirements.txt", "flask=3\n--frobnicate\n${PKG}==1.0\nok==1\n")
    m = parse_requirements_file(path)
    assert [p.line for p in m.problems] == [1, 2]  # ${PKG} without a value is unknown, not malformed
    assert [r.name for r in m.requirements] == ["ok"] and m.extra["unresolved_lines"] == (3,)
    m2 = parse_requirements_file(path, env={"PKG": "flask"})
    assert "flask" in [r.name for r in m2.requirements]


@pytest.mark.parametrize("data", [b"\x00\x01\x02binary", b"\xff\xfe\xfdnot utf8"])
def test_binary_or_undecodable_manifest_is_a_problem(tmp_path, data):
    p = tmp_path / "requirements.txt"
    p.write_bytes(data)
    m = load_manifest(str(p))
    assert m.requirements == () and len(m.problems) == 1


# -- pyproject -----------------------------------------------------------------------------------


PYPROJECT = '''
[project]
name = "App"
dependencies = [
    "fastapi>=0.110",
    "uvicorn[standard]==0.30.6",
]

[project.optional-dependencies]
prod = ["gunicorn==22.0.0"]

[dependency-groups]
dev = ["pytest>=8", {include-group = "lint"}]
lint = ["ruff==0.6.0"]
'''


def test_pyproject_pep621_and_pep735(tmp_path):
    m = load_manifest(write(tmp_path, "pyproject.toml", PYPROJECT))
    assert not m.problems
    got = [(r.name, r.group, r.origin.line) for r in m.requirements]
    assert got == [("fastapi", "", 5), ("uvicorn", "", 6), ("gunicorn", "extra:prod", 10), ("pytest", "group:dev", 13), ("ruff", "group:lint", 14)]
    assert m.extra["name"] == "app" and m.extra["group_includes"]["dev"] == ["lint"]


def test_pyproject_poetry(tmp_path):
    text = '''
[tool.poetry]
name = "svc"

[tool.poetry.dependencies]
python = "^3.11"
Django = "^4.2"
psycopg2 = "2.9.9"
celery = { version = "~5.3", extras = ["redis"] }

[tool.poetry.group.dev.dependencies]
pytest = "*"
'''
    m = load_manifest(write(tmp_path, "pyproject.toml", text))
    got = [(r.name, r.specifier, r.group, r.origin.line, r.pinned_version) for r in m.requirements]
    assert got == [
        ("django", ">=4.2,<5", "", 7, None),
        ("psycopg2", "==2.9.9", "", 8, "2.9.9"),
        ("celery", ">=5.3,<5.4", "", 9, None),
        ("pytest", "", "group:dev", 12, None),
    ]
    assert m.requirements[2].extras == ("redis",)


@pytest.mark.parametrize("constraint, spec, exact", [
    ("^1.2.3", ">=1.2.3,<2", None),
    ("^0.2.3", ">=0.2.3,<0.3", None),
    ("~1.2", ">=1.2,<1.3", None),
    ("1.2.3", "==1.2.3", "1.2.3"),
    ("==1.2.3", "==1.2.3", "1.2.3"),
    ("*", "", None),
    (">=1,<2", ">=1,<2", None),
])
def test_poetry_constraints(constraint, spec, exact):
    assert poetry_constraint(constraint) == (spec, exact)


def test_pyproject_invalid_toml_gives_line(tmp_path):
    m = load_manifest(write(tmp_path, "pyproject.toml", "[project]\nname = \nx = 1\n"))
    assert m.requirements == () and m.problems[0].line == 2


# -- locks ------------------------------------------------------------------------------------------


UV_LOCK = '''version = 1

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "fastapi" }, { name = "uvloop", marker = "sys_platform != 'win32'" }]

[package.optional-dependencies]
prod = [{ name = "gunicorn" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]

[[package]]
name = "fastapi"
version = "0.115.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "pydantic" }]

[[package]]
name = "pydantic"
version = "2.9.2"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "pydantic-core" }]

[[package]]
name = "pydantic-core"
version = "2.23.4"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://files/pydantic_core-2.23.4-cp312-cp312-musllinux_1_1_x86_64.whl" }]

[[package]]
name = "uvloop"
version = "0.21.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "gunicorn"
version = "23.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.3.3"
source = { registry = "https://pypi.org/simple" }
'''


def test_uv_lock_closure_with_extras_and_groups(tmp_path):
    m = load_manifest(write(tmp_path, "uv.lock", UV_LOCK))
    pk = m.extra["packages"]
    env = target_environment("3.12")
    assert set(lock_closure(pk, [("app", ())], env)) == {"app", "fastapi", "pydantic", "pydantic-core", "uvloop"}
    assert "gunicorn" in lock_closure(pk, [("app", ("prod",))], env)
    assert "pytest" in lock_closure(pk, [("app", ())], env, ["dev"])
    chain = lock_closure(pk, [("app", ())], env)["pydantic-core"][1]
    assert chain == ("app", "fastapi", "pydantic")
    assert pk["pydantic-core"].files == ("pydantic_core-2.23.4-cp312-cp312-musllinux_1_1_x86_64.whl",)
    assert pk["fastapi"].line == 16


def test_poetry_lock_and_pdm_lock(tmp_path):
    poetry = '[[package]]\nname = "Django"\nversion = "4.2.16"\noptional = false\ngroups = ["main"]\nfiles = [\n {file = "Django-4.2.16-py3-none-any.whl", hash = "sha256:x"},\n]\n\n[package.dependencies]\nasgiref = ">=3.6.0,<4"\n\n[metadata]\nlock-version = "2.0"\n'
    m = load_manifest(write(tmp_path, "poetry.lock", poetry))
    p = m.extra["packages"]["django"]
    assert (p.version, p.groups, p.line, p.deps[0][0]) == ("4.2.16", ("main",), 2, "asgiref")
    pdm = '[[package]]\nname = "requests"\nversion = "2.32.3"\ngroups = ["default"]\ndependencies = ["idna<4,>=2.5", "urllib3<3"]\n'
    m = load_manifest(write(tmp_path, "pdm.lock", pdm))
    assert [d[0] for d in m.extra["packages"]["requests"].deps] == ["idna", "urllib3"]


def test_pylock(tmp_path):
    text = 'lock-version = "1.0"\ncreated-by = "x"\n\n[[packages]]\nname = "attrs"\nversion = "25.1.0"\n\n[[packages]]\nname = "tomli"\nversion = "2.0.1"\nmarker = "python_version < \'3.11\'"\n'
    m = load_manifest(write(tmp_path, "pylock.toml", text))
    assert [(r.name, r.pinned_version, r.origin.line) for r in m.requirements] == [("attrs", "25.1.0", 5), ("tomli", "2.0.1", 9)]


def test_pipfile_and_lock(tmp_path):
    pipfile = '[[source]]\nurl = "https://pypi.org/simple"\n\n[packages]\nrequests = "*"\nflask = "==3.0.3"\nlegacy = "1.1.3"\ncelery = {version = ">=5", extras = ["redis"]}\n\n[dev-packages]\npytest = "*"\n'
    m = load_manifest(write(tmp_path, "Pipfile", pipfile))
    assert not m.problems
    assert [(r.name, r.specifier, r.group, r.origin.line) for r in m.requirements] == [
        ("requests", "", "", 5), ("flask", "==3.0.3", "", 6), ("legacy", "==1.1.3", "", 7), ("celery", ">=5", "", 8), ("pytest", "", "group:dev", 11)]
    lock = {"_meta": {}, "default": {"requests": {"hashes": ["sha256:x"], "version": "==2.32.3"}}, "develop": {"pytest": {"version": "==8.0.0"}}}
    m = load_manifest(write(tmp_path, "Pipfile.lock", json.dumps(lock, indent=4)))
    assert [(r.name, r.pinned_version, r.group) for r in m.requirements] == [("requests", "2.32.3", ""), ("pytest", "8.0.0", "group:dev")]
    assert m.requirements[0].origin.line == 4


def test_setup_cfg_and_environment_yml(tmp_path):
    cfg = "[metadata]\nname = x\n\n[options]\ninstall_requires =\n    requests>=2\n    click==8.1.7\n\n[options.extras_require]\ndev = pytest\n"
    m = load_manifest(write(tmp_path, "setup.cfg", cfg))
    assert [(r.name, r.group, r.origin.line) for r in m.requirements] == [("requests", "", 6), ("click", "", 7), ("pytest", "extra:dev", 10)]
    env = "name: x\ndependencies:\n  - python=3.11\n  - numpy\n  - pip\n  - pip:\n    - flask==3.0.3\n    - -r requirements.txt\n    - gunicorn\n"
    m = load_manifest(write(tmp_path, "environment.yml", env))
    assert [(r.name, r.origin.line) for r in m.requirements] == [("flask", 7), ("gunicorn", 9)]


@pytest.mark.parametrize("name, kind", [
    ("requirements.txt", "requirements"), ("requirements-dev.txt", "requirements"), ("requirements/prod.txt", "requirements"),
    ("dev-requirements.in", "requirements"), ("pyproject.toml", "pyproject"), ("uv.lock", "uv.lock"), ("Pipfile", "Pipfile"),
    ("Pipfile.lock", "Pipfile.lock"), ("pylock.toml", "pylock"), ("pylock.web.toml", "pylock"), ("README.txt", None),
])
def test_manifest_kind(name, kind):
    assert manifest_kind(name) == kind


def test_markers_for_the_target():
    env = target_environment("3.12", "aarch64")
    assert marker_holds("python_version >= '3.11' and platform_machine == 'aarch64'", env)
    assert not marker_holds("sys_platform == 'win32'", env)
    assert marker_holds("python_version < '3.0'", target_environment(None)) is False
    assert marker_holds("python_version >= '3.9'", target_environment(None))
    assert marker_holds("extra == 'prod'", env, ["prod"]) and not marker_holds("extra == 'prod'", env)


def test_every_corpus_manifest_parses_or_reports(corpus_dir):
    """Every manifest of the shared corpus gives a result: requirements or problems, never a crash."""
    count = 0
    for root, _dirs, files in os.walk(corpus_dir):
        for f in files:
            path = os.path.join(root, f)
            kind = manifest_kind(path)
            if kind is None:
                continue
            m = load_manifest(path, root=root)
            count += 1
            for p in m.problems:
                assert p.message
            for r in m.requirements:
                assert r.origin.line >= 1
    assert count > 600
