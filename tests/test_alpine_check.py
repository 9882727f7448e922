"""`dockerlint alpine-check`: per-package verdicts, Python/arch sensitivity, exit codes."""

import json
import subprocess
import sys


def run(tmp_path, text, *args, name="requirements.txt"):
    p = tmp_path / name
    p.write_text(text)
    proc = subprocess.run([sys.executable, "-m", "dockerlint_py", "alpine-check", str(p), "--format", "json", *args], capture_output=True, text=True)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else None, proc.stderr


def by_name(result):
    return {r["name"]: r for r in result["packages"]}


def test_verdicts_per_package(tmp_path):
    code, res, _ = run(tmp_path, "psycopg2==2.9.9\norjson==3.10.7\npyyaml==5.4.1\ntorch\ndjango==5.1\n")
    rows = by_name(res)
    assert rows["psycopg2"]["action"] == "compile" and rows["psycopg2"]["alternative"] == "psycopg2-binary"
    assert "libpq-dev" in rows["psycopg2"]["apk_build"] and rows["psycopg2"]["apk_runtime"] == ["libpq"]
    assert rows["orjson"]["action"] == "wheel"
    assert rows["pyyaml"]["action"] == "pure-fallback"
    assert rows["torch"]["action"] == "fail"
    assert rows["django"]["native"] == "none" and rows["django"]["action"] == "pure"
    assert res["summary"]["compile"] == 1 and res["summary"]["fail"] == 1
    assert code == 1


def test_python_and_arch_sensitivity(tmp_path):
    _, res, _ = run(tmp_path, "numpy==1.25.2\n", "--python", "3.12")
    assert by_name(res)["numpy"]["action"] == "compile" and by_name(res)["numpy"]["first_musl_version"] == "1.26.0"
    code, res, _ = run(tmp_path, "matplotlib\n", "--arch", "x86_64")
    assert by_name(res)["matplotlib"]["action"] == "wheel" and code == 0
    code, res, _ = run(tmp_path, "matplotlib\n", "--arch", "aarch64")
    assert by_name(res)["matplotlib"]["action"] == "compile" and code == 1


def test_inferred_transitive_and_viable_alpine(tmp_path):
    code, res, _ = run(tmp_path, "fastapi\n")
    core = by_name(res)["pydantic-core"]
    assert core["direct"] is False and core["via"] == ["fastapi"] and core["action"] == "wheel"
    assert code == 0 and "viable" in res["recommendation"]


def test_lock_file_names_decide(tmp_path):
    lock = '[[package]]\nname = "orjson"\nversion = "3.9.0"\nfiles = [\n {file = "orjson-3.9.0-cp312-cp312-manylinux_2_17_x86_64.whl", hash = "sha256:x"},\n {file = "orjson-3.9.0.tar.gz", hash = "sha256:y"},\n]\n'
    code, res, _ = run(tmp_path, lock, name="poetry.lock")
    assert by_name(res)["orjson"]["action"] == "compile" and code == 1


def test_markers_and_dev_groups_excluded(tmp_path):
    pyproject = '[project]\nname = "x"\ndependencies = ["psycopg2==2.9.9; python_version < \'3.10\'", "orjson==3.10.7"]\n[dependency-groups]\ndev = ["torch"]\n'
    code, res, _ = run(tmp_path, pyproject, name="pyproject.toml")
    assert set(by_name(res)) == {"orjson"} and code == 0


def test_missing_manifest_is_exit_2(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "dockerlint_py", "alpine-check", str(tmp_path / "nope.txt")], capture_output=True, text=True)
    assert proc.returncode == 2 and "nope.txt" in proc.stderr


def test_unknown_packages_are_never_viable(tmp_path):
    code, res, _ = run(tmp_path, "orjson==3.10.7\nsome-private-package==1.0\n")
    assert by_name(res)["some-private-package"]["action"] == "unknown"
    assert "viable" not in res["recommendation"] and code == 1


def test_pinned_releases_per_python_and_arch(tmp_path):
    # numpy 1.26.4: musllinux wheels for cp312 (both arches), none for cp313
    for py, arch, action in (("3.12", "x86_64", "wheel"), ("3.12", "aarch64", "wheel"), ("3.13", "x86_64", "compile"), ("3.13", "aarch64", "compile")):
        _, res, _ = run(tmp_path, "numpy==1.26.4\n", "--python", py, "--arch", arch)
        row = by_name(res)["numpy"]
        assert row["action"] == action, (py, arch)
    _, res, _ = run(tmp_path, "numpy==1.26.4\n", "--python", "3.13")
    assert by_name(res)["numpy"]["first_musl_version"] == "2.1.0"


def test_unpinned_follows_requires_python(tmp_path):
    _, res, _ = run(tmp_path, "numpy\n", "--python", "3.8")
    row = by_name(res)["numpy"]
    assert row["picked"] == "1.24.4" and row["action"] == "compile"


def test_extras_pull_compiled_distributions_and_pins_win(tmp_path):
    _, res, _ = run(tmp_path, "psycopg[c]==3.2.3\n")
    assert by_name(res)["psycopg-c"]["action"] == "compile"
    _, res, _ = run(tmp_path, "fastapi\npydantic-core==2.27.2\n", "--python", "3.13")
    core = by_name(res)["pydantic-core"]
    assert core["direct"] is True and core["version"] == "2.27.2"
