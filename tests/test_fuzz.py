"""Property tests: any text either parses or raises our own parse error; never anything else."""

from hypothesis import given, settings
from hypothesis import strategies as st

from dockerlint_py.errors import DockerfileParseError
from dockerlint_py.model.dockerfile import parse_dockerfile
from dockerlint_py.model.resolve import BuildOptions, resolve
from dockerlint_py.model.shell import parse_script
from dockerlint_py.model.words import expand

PIECES = st.sampled_from([
    "FROM ", "RUN ", "COPY ", "ARG ", "ENV ", "ONBUILD ", "AS ", "python:3.12", "${A:-x}", "$B", "<<EOF", "<<-'E'",
    "EOF", "E", "\\\n", "`\n", "\n", "# c\n", "# escape=`\n", "--mount=type=cache,target=/x ", '"', "'", "&&", "|",
    "sh -c \"", "pip install x", "apk add y", "[\"a\"]", "\t", " ", "\r\n", "${", "}", "$(", ")",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_model_never_crashes(text):
    try:
        parsed = parse_dockerfile(text)
    except DockerfileParseError:
        return
    model = resolve(parsed, BuildOptions())
    for stage in model.stages:
        for ins in stage.instructions:
            stage.commands(ins)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_shell_and_words_never_crash(text):
    parse_script(text)
    expand(text, {"A": "1"})
