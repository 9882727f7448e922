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


# -- manifest parsers ------------------------------------------------------------------------

import os  # noqa: E402

from dockerlint_py.manifests import Manifest  # noqa: E402
from dockerlint_py.manifests.locks import parse_pipfile, parse_pipfile_lock, parse_toml_lock  # noqa: E402
from dockerlint_py.manifests.other import parse_environment_yml, parse_setup_cfg  # noqa: E402
from dockerlint_py.manifests.pyproject import parse_pyproject  # noqa: E402
from dockerlint_py.manifests.requirements import parse_requirements_text  # noqa: E402

PARSERS = [
    lambda t: parse_requirements_text(t, "requirements.txt"),
    lambda t: parse_pyproject(t, "pyproject.toml"),
    lambda t: parse_pipfile(t, "Pipfile"),
    lambda t: parse_pipfile_lock(t, "Pipfile.lock"),
    lambda t: parse_toml_lock(t, "uv.lock", "uv.lock"),
    lambda t: parse_toml_lock(t, "poetry.lock", "poetry.lock"),
    lambda t: parse_toml_lock(t, "pylock.toml", "pylock"),
    lambda t: parse_setup_cfg(t, "setup.cfg"),
    lambda t: parse_environment_yml(t, "environment.yml"),
]

MANIFEST_PIECES = st.sampled_from([
    "flask", "==", "3.0.3", ">=", "<", ",", "[", "]", "extra", ";", " python_version < '3.11'", "@", " git+https://x/y.git@main",
    "-r ", "-c ", "-e ", "--hash=sha256:00", "--index-url ", "\\\n", "\n", "#", " ", "\t", "${X}", "[project]\n",
    "dependencies = [", "\"requests>=2\"", "]", "[tool.poetry.dependencies]\n", "x = \"^1.2\"", "{ version = \"1\" }",
    "[[package]]\n", "name = \"a\"\n", "version = \"1\"\n", "dependencies = [{ name = \"b\" }]\n", "{", "}", "\"default\": ",
    "- pip:\n", "    - numpy\n", "[options]\ninstall_requires =\n", "\x00", "\ufeff", "\r\n",
])


def _check(manifest):
    assert isinstance(manifest, Manifest)
    for r in manifest.requirements:
        assert r.origin.line >= 1
    for p in manifest.problems:
        assert p.message


@settings(max_examples=200, deadline=None)
@given(st.lists(MANIFEST_PIECES, max_size=30).map("".join), st.sampled_from(range(len(PARSERS))))
def test_manifest_parsers_never_crash(text, which):
    _check(PARSERS[which](text))


CORPUS = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "corpus"))


def _corpus_manifests():
    from dockerlint_py.manifests import manifest_kind

    out = []
    if os.path.isdir(CORPUS):
        for root, _dirs, files in os.walk(CORPUS):
            for f in files:
                p = os.path.join(root, f)
                if manifest_kind(p) and os.path.getsize(p) < 60_000:
                    out.append(p)
    return sorted(out)[:400] or ["/dev/null"]


SEEDS = _corpus_manifests()


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SEEDS), st.integers(0, 10_000), st.integers(0, 200), st.binary(max_size=8), st.sampled_from(range(len(PARSERS))))
def test_mutated_corpus_manifests_never_crash(path, pos, cut, junk, which):
    """Corpus manifests, truncated and spliced with junk bytes, through every parser."""
    data = open(path, "rb").read()
    pos = pos % (len(data) + 1)
    mutated = data[:pos] + junk + data[pos + cut:]
    text = mutated.decode("utf-8", "replace")
    _check(PARSERS[which](text))
