"""The command model: subcommands after global options, options as the tool reads them."""

import pytest

from dockerlint_py.model.dockerfile import parse_dockerfile
from dockerlint_py.model.resolve import resolve


def commands(run, pre=""):
    m = resolve(parse_dockerfile(f"FROM python:3.12-slim\n{pre}RUN {run}\n"))
    st = m.stages[0]
    ins = st.instructions[-1]
    return st.tool_commands(ins)


@pytest.mark.parametrize("run, tool, sub, has, operands", [
    ("pip --no-cache-dir install awscli", "pip", "install", "--no-cache-dir", ("awscli",)),
    ("pip -q install flask", "pip", "install", "--quiet", ("flask",)),
    ("pip install --no-cache flask", "pip", "install", "--no-cache-dir", ("flask",)),  # optparse prefix
    ("python -m pip install -r req.txt x==1", "pip", "install", "--requirement", ("x==1",)),
    ("python3.12 -m pip install --user x", "pip", "install", "--user", ("x",)),
    ("apk --no-cache add gcc", "apk", "add", "--no-cache", ("gcc",)),
    ("apk add -t .deps gcc musl-dev", "apk", "add", "--virtual", ("gcc", "musl-dev")),
    ("apt-get -qqy install curl", "apt-get", "install", "--yes", ("curl",)),
    ("apt-get -o Dpkg::Options::=--force-confold -y install curl", "apt-get", "install", "--option", ("curl",)),
    ("apt-get --assume-yes install curl", "apt-get", "install", "--yes", ("curl",)),
    ("uv pip install --system -r r.txt x", "uv", "pip install", "--system", ("x",)),
    ("uv tool install ruff", "uv", "tool install", None, ("ruff",)),
    ("poetry install --no-root --only main", "poetry", "install", "--only", ()),
    ("yum groupinstall -y 'Development Tools'", "yum", "groupinstall", "--assumeyes", ("Development Tools",)),
    ("sudo -E apt-get install -y curl", "apt-get", "install", "--yes", ("curl",)),
    ("sh -c 'pip --no-cache-dir install x'", "pip", "install", "--no-cache-dir", ("x",)),
])
def test_tool_command(run, tool, sub, has, operands):
    cmds = [c for c in commands(run) if c.tool == tool]
    assert cmds, [c.tool for c in commands(run)]
    c = cmds[0]
    assert c.subcommand == sub
    if has:
        assert c.has(has)
    assert c.operands == operands


def test_ambiguous_pip_prefix_is_not_guessed():
    (c,) = commands("pip install --no-c x")
    assert not c.has("--no-cache-dir") and not c.has("--no-clean") and not c.has("--no-compile")


def test_values_and_env_user_mounts():
    (c,) = commands("--mount=type=cache,target=/root/.cache/pip PIP_INDEX_URL=x pip install -r a.txt --requirement=b.txt", pre="ENV A=1\nUSER app\n")
    assert c.values("-r") == ["a.txt", "b.txt"]
    assert c.env["A"] == "1" and c.env["PIP_INDEX_URL"] == "x"
    assert c.user == "app"
    assert [(m.type, m.target) for m in c.mounts] == [("cache", "/root/.cache/pip")]


def test_shell_variables_expand_into_operands():
    cmds = commands("deps='gcc musl-dev' && apk add --no-cache $deps")
    c = [c for c in cmds if c.tool == "apk"][0]
    assert c.operands == ("gcc", "musl-dev")


def test_pip_grammar_against_pips_own_parser(monkeypatch):
    """Oracle: pip's own option parser reads the same options."""
    import os

    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)  # no site configuration (constraints...)
    from pip._internal.commands import create_command

    for argv in (["--no-cache", "flask"], ["-q", "--no-deps", "-r", "r.txt", "x"], ["--upgrade", "--pre", "-c", "c.txt", "y"]):
        opts, args = create_command("install", isolated=True).parse_args(list(argv))
        (c,) = commands("pip install " + " ".join(argv))
        assert list(c.operands) == args
        assert c.has("--no-cache-dir") == (opts.cache_dir is False)
        assert c.values("--requirement") == (opts.requirements or [])
        assert c.values("--constraint") == (opts.constraints or [])
