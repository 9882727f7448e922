"""The structure the project promises contributors: the engine walks and rules look, rules are
registered by being defined, no rule module reaches into another's private helpers, and a rule
that raises is reported as an internal error (exit 2), not swallowed."""

import ast
import glob
import importlib
import os
import textwrap

import pytest

from support.cli import run_cli

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.join(os.path.dirname(HERE), "dockerlint_py")
RULE_MODULES = sorted(p for p in glob.glob(os.path.join(PKG, "rules", "*.py")) if not os.path.basename(p).startswith("_"))


def test_every_rule_defined_in_a_rules_module_is_registered():
    from dockerlint_py.rules import load_rules
    from dockerlint_py.rules._base import Rule

    registered, _ = load_rules()
    defined = []
    for path in RULE_MODULES:
        mod = importlib.import_module("dockerlint_py.rules." + os.path.basename(path)[:-3])
        defined += [v for v in vars(mod).values() if isinstance(v, Rule)]
    assert defined, "no rules found"
    for r in defined:
        assert registered.get(r.code) is r, f"{r.code} is defined in {r.module} but not registered"




@pytest.mark.parametrize("path", RULE_MODULES, ids=os.path.basename)
def test_no_rule_module_imports_private_names_of_another(path):
    rule_mods = {os.path.basename(p)[:-3] for p in RULE_MODULES}
    tree = ast.parse(open(path, encoding="utf-8").read())
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and (node.module or "") in rule_mods:
            bad += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    assert not bad, f"{os.path.basename(path)} imports private helpers of other rule modules: {bad}"


@pytest.mark.parametrize("path", RULE_MODULES, ids=os.path.basename)
def test_rules_do_not_parse_instruction_text(path):
    """A rule reads the model; splitting RUN text or args itself is the model's job."""
    src = open(path, encoding="utf-8").read()
    for needle in (".args_text.split(", "shlex.", "parse_script("):
        assert needle not in src, f"{os.path.basename(path)} parses text itself ({needle})"


RAISING_PLUGIN = textwrap.dedent(
    '''
    from dockerlint_py.api import rule


    @rule(code="BOOM001", name="always-raises", severity="warning", scope="command")
    def always_raises(ctx):
        """Raises on every command.

        ## Bad
        ```dockerfile
        FROM python:3.12-slim
        ```
        """
        raise RuntimeError("kaboom")
        yield
    '''
)


def test_a_rule_that_raises_is_an_internal_error_with_exit_2(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "boom_rules.py").write_text(RAISING_PLUGIN)
    dist = site / "boom_rules-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: boom-rules\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[dockerlint_py.rules]\nboom = boom_rules\n")
    proj = tmp_path / "proj"
    (proj / ".git").mkdir(parents=True)
    (proj / "Dockerfile").write_text("FROM python:3.12-slim\nRUN echo hi\nUSER app\n")
    (proj / "other.Dockerfile").write_text("FROM python:latest\nUSER app\n")
    env = {"PYTHONPATH": str(site) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    r = run_cli("check", "--no-config", "--format", "json", ".", cwd=proj, env=env)
    assert r.returncode == 2, r.stderr
    assert "BOOM001" in r.stderr and "internal error" in r.stderr
    import json

    codes = {(f["path"], f["code"]) for f in json.loads(r.stdout)}
    assert ("other.Dockerfile", "DKL102") in codes  # every other file and rule still ran


def test_onbuild_run_is_linted_at_the_onbuild_line():
    from support.lint import lint

    found = lint("FROM python:3.12-slim\nONBUILD RUN pip install flask==3.0.3\nUSER app\n", select=["DKL404"])
    assert [(f.code, f.line, f.column) for f in found] == [("DKL404", 2, 13)]


def test_add_rule_scaffolding_touches_only_the_rule_its_fixtures_and_docs(tmp_path):
    """A new rule module is registered by existing: scaffold one in a copy of the tree and load it."""
    import shutil
    import subprocess
    import sys

    root = os.path.dirname(HERE)
    shutil.copytree(os.path.join(root, "dockerlint_py"), tmp_path / "dockerlint_py", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "tests" / "fixtures" / "rules").mkdir(parents=True)
    (tmp_path / "docs" / "rules").mkdir(parents=True)
    r = subprocess.run([sys.executable, os.path.join(root, "scripts", "add_rule.py"), "--code", "DKL999", "--name", "scaffold-test", "--module", "scaffold_test", "--root", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "docs" / "rules" / "DKL999.md").is_file()
    code = "from dockerlint_py.rules import builtin_rules; print(sorted(r.code for r in builtin_rules()))"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(tmp_path)))
    assert "DKL999" in out.stdout, out.stderr
