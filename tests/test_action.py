"""The GitHub Action (action.yml): valid, checked by real offline checkers, and its `run:` scripts
do what they claim when run as the runner would run them (env set from the inputs, bash)."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ACTION = os.path.join(ROOT, "action.yml")
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def load_action():
    with open(ACTION, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _tool(name):
    """An executable from the test extra: on PATH or beside this interpreter."""
    found = shutil.which(name) or shutil.which(name, path=os.path.dirname(sys.executable))
    if not found:
        pytest.fail(f"`{name}` is not installed: it is in the test extra (pip install -e '.[test]'); action.yml cannot be checked without it")
    return found


def test_action_is_valid_yaml_with_pinned_actions_and_no_inputs_in_scripts():
    action = load_action()
    inputs = action["inputs"]
    assert inputs["upload-sarif"]["default"] == "false"  # opt-in: fails on forks / without code scanning
    steps = action["runs"]["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert uses and all(SHA_PIN.match(u) for u in uses), uses
    for s in steps:
        if "run" in s:
            assert "${{" not in s["run"], f"expression pasted into a script in step {s.get('id') or s.get('name')}"
            assert s["shell"] == "bash"
    # the caller's Python is untouched: setup-python must not update PATH
    (py,) = [s for s in steps if "setup-python" in s.get("uses", "")]
    assert py["with"]["update-environment"] is False


def test_zizmor_offline_has_no_findings():
    proc = subprocess.run([_tool("zizmor"), "--offline", "--format", "json", ACTION], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout) == []


def test_check_jsonschema_github_actions_schema():
    proc = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", ACTION], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# -- running the scripts -------------------------------------------------------------------------


def _step(step_id):
    (s,) = [s for s in load_action()["runs"]["steps"] if s.get("id") == step_id]
    return s


def _evaluate(value, inputs, context):
    """The few expression forms the action uses in `env:`; anything else is a test failure."""
    def sub(m):
        expr = m.group(1)
        if expr.startswith("inputs."):
            return inputs[expr[len("inputs."):]]
        assert expr in context, f"unexpected expression {expr!r} in action.yml env"
        return context[expr]
    return EXPR.sub(sub, str(value))


def run_step(step_id, tmp_path, inputs=None, context=None, cwd=None, extra_env=None):
    """Run one step's script with bash and the env the runner would give it; returns
    (process, outputs written to $GITHUB_OUTPUT, text written to $GITHUB_STEP_SUMMARY)."""
    action = load_action()
    values = {k: v.get("default", "") for k, v in action["inputs"].items()}
    values.update(inputs or {})
    step = _step(step_id)
    out_file = tmp_path / f"{step_id}.output"
    summary = tmp_path / f"{step_id}.summary"
    out_file.write_text("")
    summary.write_text("")
    ctx = {"github.action_path": ROOT, "runner.temp": str(tmp_path / "runner-temp")}
    ctx.update(context or {})
    os.makedirs(ctx["runner.temp"], exist_ok=True)
    env = dict(os.environ, GITHUB_OUTPUT=str(out_file), GITHUB_STEP_SUMMARY=str(summary), NO_COLOR="1")
    env.update(extra_env or {})
    for k, v in (step.get("env") or {}).items():
        env[k] = _evaluate(v, values, ctx)
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step["run"]], cwd=cwd, env=env, capture_output=True, text=True)
    outputs = dict(line.split("=", 1) for line in out_file.read_text().splitlines() if "=" in line)
    return proc, outputs, summary.read_text()


@pytest.fixture
def repo(tmp_path):
    r = tmp_path / "repo"
    (r / ".git").mkdir(parents=True)
    (r / "my app").mkdir()
    (r / "my app" / "Dockerfile").write_text("FROM python:latest\nRUN pip install flask\n")
    (r / "clean").mkdir()
    (r / "clean" / "Dockerfile").write_text("FROM scratch\nCOPY app /app\nUSER 1000\n")
    return r


@pytest.fixture
def dockerlint_shim(tmp_path):
    """Stands in for the venv's console script: this checkout, run by this interpreter."""
    shim = tmp_path / "bin" / "dockerlint"
    shim.parent.mkdir()
    shim.write_text(f"#!/bin/sh\nexec '{sys.executable}' -m dockerlint_py \"$@\"\n")
    shim.chmod(0o755)
    return str(shim)


def test_run_step_one_lint_run_annotations_text_summary_and_sarif(tmp_path, repo, dockerlint_shim):
    proc, outputs, summary = run_step(
        "run", tmp_path, inputs={"paths": "my app\nclean\n"}, cwd=repo,
        context={"steps.install.outputs.dockerlint": dockerlint_shim},
    )
    assert proc.returncode == 0, proc.stderr  # the script itself succeeds; the last step fails the job
    assert outputs["exit-code"] == "1" and outputs["sarif-file"] == "dockerlint.sarif"
    lines = proc.stdout.splitlines()
    annotations = [l for l in lines if l.startswith("::")]
    assert annotations and all("file=my app/Dockerfile" in l for l in annotations)
    assert any(re.match(r"^my app/Dockerfile:\d+:\d+: DKL\d{3}", l) for l in lines)  # readable text too
    assert summary.startswith("## dockerlint") and "DKL" in summary
    sarif = json.loads((repo / "dockerlint.sarif").read_text())
    assert sarif["runs"][0]["results"]


def test_run_step_without_sarif_still_writes_the_summary(tmp_path, repo, dockerlint_shim):
    proc, outputs, summary = run_step(
        "run", tmp_path, inputs={"sarif": "", "annotations": "false", "paths": "clean"}, cwd=repo,
        context={"steps.install.outputs.dockerlint": dockerlint_shim},
    )
    assert proc.returncode == 0, proc.stderr
    assert outputs["exit-code"] == "0" and "sarif-file" not in outputs
    assert "## dockerlint" in summary and "No findings" in proc.stdout
    assert not (repo / "dockerlint.sarif").exists()


def test_hostile_inputs_are_data_not_code(tmp_path, repo, dockerlint_shim):
    canary = tmp_path / "pwned"
    proc, outputs, _ = run_step(
        "run", tmp_path,
        inputs={"paths": f"$(touch {canary})\n*", "args": f"--select DKL1 ; touch {canary} `touch {canary}`"},
        cwd=repo, context={"steps.install.outputs.dockerlint": dockerlint_shim},
    )
    assert not canary.exists()
    assert outputs["exit-code"] == "2"  # the odd path and argument are reported, not run


def test_install_step_uses_a_private_venv_and_rejects_an_injected_version(tmp_path):
    canary = tmp_path / "pwned"
    proc, outputs, _ = run_step(
        "install", tmp_path, inputs={"version": f"1; touch {canary}"},
        context={"steps.python.outputs.python-path": sys.executable},
        extra_env={"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": ""},
    )
    assert proc.returncode != 0 and not canary.exists()
    assert (tmp_path / "runner-temp" / "dockerlint-venv" / "pyvenv.cfg").is_file()


@pytest.mark.slow
def test_install_then_run_from_the_action_source(tmp_path, repo):
    wheelhouse = os.environ.get("DOCKERLINT_WHEELHOUSE")
    if not wheelhouse:
        pytest.skip("DOCKERLINT_WHEELHOUSE is not set: installing the action's source needs the offline wheelhouse .ci/run builds")
    proc, outputs, _ = run_step(
        "install", tmp_path, context={"steps.python.outputs.python-path": sys.executable},
        extra_env={"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": wheelhouse},
    )
    assert proc.returncode == 0, proc.stderr
    exe = outputs["dockerlint"]
    assert exe.startswith(str(tmp_path / "runner-temp" / "dockerlint-venv")) and os.access(exe, os.X_OK)
    proc, outputs, summary = run_step("run", tmp_path, cwd=repo, context={"steps.install.outputs.dockerlint": exe})
    assert outputs["exit-code"] == "1" and "## dockerlint" in summary
