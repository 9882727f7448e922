#!/usr/bin/env python3
"""Scaffold a new rule (ruff's `add_rule`, yamllint's one-module-per-rule):

    python scripts/add_rule.py --code DKL408 --name conda-cache-kept --scope command \
        --severity warning --module conda_cache

creates ``dockerlint_py/rules/<module>.py`` (the rule with its documentation skeleton),
``tests/fixtures/rules/<CODE>.toml`` (a failing and a passing case to fill in) and regenerates
``docs/rules/``. Nothing else needs to change: the module is registered by existing.
"""

import argparse
import os
import re
import subprocess
import sys

TEMPLATE = '''"""{code}: {summary}"""

from __future__ import annotations

from typing import Iterator

from ..api import {ctx_type}, Hit, {at}, rule


@rule(code="{code}", name="{name}", severity="{severity}", scope="{scope}", tags=())
def {func}(ctx: {ctx_type}) -> Iterator[Hit]:
    """{summary}

    ## What it does
    TODO: what is reported, exactly, and what is not.

    ## Why is this bad?
    TODO: the cost in the built image.

    ## How to fix
    TODO

    ## Bad
    ```dockerfile
    FROM python:3.12-slim
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-slim
    ```
    """
    return
    yield
'''

CTX = {"file": ("DockerfileModel", "at"), "stage": ("StageContext", "at"), "instruction": ("InstructionContext", "at"), "command": ("CommandContext", "at_command")}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--code", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--module", required=True, help="new module name under dockerlint_py/rules/")
    ap.add_argument("--scope", choices=sorted(CTX), default="command")
    ap.add_argument("--severity", choices=("error", "warning", "info", "style"), default="warning")
    ap.add_argument("--summary", default="TODO: one line, what and why.")
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    a = ap.parse_args(argv)
    if not re.fullmatch(r"[A-Z]{2,5}\d{3}", a.code) or not re.fullmatch(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*", a.name) or not a.module.isidentifier():
        ap.error("code like DKL408, name like kebab-case, module a Python identifier")
    mod_path = os.path.join(a.root, "dockerlint_py", "rules", a.module + ".py")
    fix_path = os.path.join(a.root, "tests", "fixtures", "rules", a.code + ".toml")
    for p in (mod_path, fix_path):
        if os.path.exists(p):
            ap.error(f"{p} exists")
    ctx_type, at = CTX[a.scope]
    with open(mod_path, "w", encoding="utf-8") as fh:
        fh.write(TEMPLATE.format(code=a.code, name=a.name, severity=a.severity, scope=a.scope, func=a.name.replace("-", "_"), ctx_type=ctx_type, at=at, summary=a.summary))
    with open(fix_path, "w", encoding="utf-8") as fh:
        fh.write(f'rule = "{a.code}"\n\n[[case]]\nname = "TODO: reported"\ndockerfile = "FROM python:3.12-slim\\n"\nexpect = [[1, 1]]\n\n[[case]]\nname = "TODO: not reported"\ndockerfile = "FROM python:3.12-slim\\n"\nexpect = []\n')
    subprocess.run([sys.executable, "-m", "dockerlint_py.ruledoc", os.path.join(a.root, "docs", "rules")], cwd=a.root, check=True, env=dict(os.environ, PYTHONPATH=a.root))
    print(f"created {mod_path}\ncreated {fix_path}\nregenerated docs/rules/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
