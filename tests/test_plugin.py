"""A third-party rule package registered through the same entry-point group as the built-ins."""

import json
import os
import textwrap

from support.cli import run_cli

PLUGIN = textwrap.dedent(
    '''
    from dockerlint_py.api import rule, at


    @rule(code="ACME001", name="no-maintainer", severity="warning")
    def no_maintainer(model):
        """MAINTAINER is deprecated.

        ## Why is this bad?
        Use a LABEL instead.

        ## Bad
        ```dockerfile
        FROM python:3.12-slim
        MAINTAINER me
        ```

        ## Good
        ```dockerfile
        FROM python:3.12-slim
        ```
        """
        for ins in model.instructions:
            if ins.keyword == "MAINTAINER":
                yield at(ins, "MAINTAINER is deprecated; use LABEL org.opencontainers.image.authors")


    RULES = [no_maintainer]
    '''
)


def install_plugin(site):
    """Lay the plugin out as an installed distribution (module + .dist-info with entry points)."""
    (site / "acme_rules.py").write_text(PLUGIN)
    dist = site / "acme_rules-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-rules\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[dockerlint_py.rules]\nacme = acme_rules\nbroken = acme_missing_module\n")
    (dist / "RECORD").write_text("")


def test_plugin_rules_run_and_are_listed(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site)
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / ".git").mkdir()
    (proj / "Dockerfile").write_text("FROM python:3.12-slim\nMAINTAINER someone\nUSER app\n")
    env = {"PYTHONPATH": str(site) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    r = run_cli("check", "--format", "json", "Dockerfile", cwd=proj, env=env)
    assert [(f["code"], f["line"]) for f in json.loads(r.stdout)] == [("ACME001", 2)]
    # the broken entry point is reported, not fatal
    assert "plugin broken" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("rules", env=env)
    assert "ACME001" in r.stdout and "DKL101" in r.stdout
    r = run_cli("check", "--ignore", "ACME", "Dockerfile", cwd=proj, env=env)
    assert r.returncode == 0
