from dockerlint_py.model.dockerfile import parse_dockerfile
from dockerlint_py.model.resolve import BuildOptions, resolve
from dockerlint_py.model.shell import parse_script


def tools(script):
    return [(c.tool, c.args) for c in parse_script(script)]


def test_operators_and_quotes():
    cmds = parse_script("apt-get update && apt-get install -y 'a && b' | tee x; echo \"c || d\" || true &")
    assert [c.tool for c in cmds] == ["apt-get", "apt-get", "tee", "echo", "true"]
    assert [c.separator for c in cmds] == ["", "&&", "|", ";", "||"]
    assert cmds[1].args == ("install", "-y", "a && b")


def test_tool_spellings():
    for spelling in ("pip", "pip3", "pip3.12", "/usr/local/bin/pip", "python -m pip", "python3.12 -m pip", "python3 -I -m pip", "sudo -E pip", "env A=1 pip"):
        (cmd,) = parse_script(f"{spelling} install flask")
        assert (cmd.tool, cmd.args) == ("pip", ("install", "flask")), spelling
    assert tools("uv pip install x") == [("uv", ("pip", "install", "x"))]


def test_env_prefix_and_export():
    (cmd,) = parse_script("PIP_NO_CACHE_DIR=1 A='x y' pip install z")
    assert dict(cmd.env) == {"PIP_NO_CACHE_DIR": "1", "A": "x y"}
    assert tools("export PIP_NO_CACHE_DIR=0") == [("export", ("PIP_NO_CACHE_DIR=0",))]


def test_sh_c_is_parsed():
    cmds = parse_script("set -eux; bash -o pipefail -c \"apk add --no-cache gcc && pip install x\"")
    assert [(c.tool, c.nested) for c in cmds] == [("set", 0), ("bash", 0), ("apk", 1), ("pip", 1)]


def test_control_flow_comments_heredocs():
    script = "if [ -f r.txt ]; then pip install -r r.txt; fi\n# apt-get install no\ncat <<EOF > f\napk add nope\nEOF\nfor p in a b; do echo $p; done\n"
    assert [c.tool for c in parse_script(script)] == ["[", "pip", "cat", "echo"]


def test_positions_in_dockerfile():
    text = "FROM alpine:3.20\nRUN apk update \\\n    && apk add curl\nRUN <<EOF\nset -e\n  pip install x\nEOF\n"
    m = resolve(parse_dockerfile(text), BuildOptions())
    st = m.stages[0]
    c1 = st.commands(st.instructions[0])
    assert [(c.tool, c.line, c.column) for c in c1] == [("apk", 2, 5), ("apk", 3, 8)]
    c2 = st.commands(st.instructions[1])
    assert [(c.tool, c.line, c.column) for c in c2] == [("set", 5, 1), ("pip", 6, 3)]


def test_exec_form_and_powershell():
    text = 'FROM alpine:3.20\nRUN ["sh", "-c", "apk add x"]\nRUN ["pip", "install", "x"]\nSHELL ["powershell", "-Command"]\nRUN Invoke-WebRequest x\n'
    m = resolve(parse_dockerfile(text), BuildOptions())
    st = m.stages[0]
    assert [c.tool for c in st.commands(st.instructions[0])] == ["apk"]
    assert st.commands(st.instructions[1]) == []
    assert st.commands(st.instructions[3]) == []


def test_unterminated_quote_does_not_crash():
    assert parse_script("echo 'unterminated && x") is not None
    assert parse_script('echo "$(foo') is not None


def test_positions_in_tab_stripped_heredoc():
    text = "FROM alpine:3.20\nRUN <<-EOF\n\t\tapk add curl\n\tEOF\n"
    m = resolve(parse_dockerfile(text), BuildOptions())
    st = m.stages[0]
    assert [(c.tool, c.line, c.column) for c in st.commands(st.instructions[0])] == [("apk", 3, 3)]
