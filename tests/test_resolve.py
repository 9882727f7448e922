from dockerlint_py.model.dockerfile import parse_dockerfile
from dockerlint_py.model.resolve import BuildOptions, resolve


def model(text, **kw):
    return resolve(parse_dockerfile(text), BuildOptions(**kw))


DOC = """\
ARG PY=3.12
ARG BASE
FROM python:${PY}-slim AS build
ENV PIP_NO_CACHE_DIR=1 VENV=/opt/venv
ARG EXTRA
RUN pip install x
FROM build AS test
RUN pytest
FROM ${BASE} AS other
FROM python:${PY}-alpine
COPY --from=build /opt/venv /opt/venv
COPY --from=0 /a /a
COPY --from=nginx:1.27 /etc/nginx /etc/nginx
"""


def test_global_args_in_from():
    m = model(DOC)
    assert [s.base_text for s in m.stages] == ["python:3.12-slim", "build", "", "python:3.12-alpine"]
    assert m.stages[0].base_ref.tag == "3.12-slim"


def test_build_arg_overrides_default():
    m = model(DOC, build_args={"PY": "3.11", "BASE": "ubuntu:24.04"})
    assert m.stages[0].base_text == "python:3.11-slim"
    assert m.stages[2].base_ref.repository == "ubuntu" and not m.stages[2].unresolved


def test_unresolved_base():
    m = model(DOC)
    assert m.stages[2].unresolved == {"BASE"}
    assert m.stages[2].base_ref is None and m.stages[2].facts is None


def test_stage_parent_and_env_inheritance():
    m = model(DOC)
    build, test = m.stages[0], m.stages[1]
    assert test.parent is build
    assert test.vars_at(test.instructions[0])["PIP_NO_CACHE_DIR"] == "1"
    assert test.facts.libc == "glibc"  # inherited from python:3.12-slim
    assert build.vars_at(build.instructions[2]).get("EXTRA") is None


def test_final_stage_and_target():
    m = model(DOC)
    assert [s.reaches_final for s in m.stages] == [False, False, False, True]
    m = model(DOC, target="test")
    assert [s.reaches_final for s in m.stages] == [True, True, False, False]


def test_copy_from_edges():
    m = model(DOC)
    sources = m.stages[3].copy_sources
    assert sources[0].stage is m.stages[0]
    assert sources[1].stage is m.stages[0]
    assert sources[2].stage is None and sources[2].image.repository == "nginx"


def test_arg_inherits_global_value_in_stage():
    m = model("ARG V=1\nFROM alpine:3.20\nARG V\nRUN echo $V\n")
    st = m.stages[0]
    assert st.vars_at(st.instructions[1])["V"] == "1"


def test_env_legacy_form_and_quotes():
    # Within one ENV instruction, $B means the value from before it (Docker's documented rule).
    m = model('FROM alpine:3.20\nENV A hello world\nENV B="x y" C=$B\nENV D=$B\nRUN true\n')
    st = m.stages[0]
    v = st.vars_at(st.instructions[-1])
    assert v["A"] == "hello world" and v["B"] == "x y" and v["C"] == "" and v["D"] == "x y"


def test_platform_args():
    m = model("FROM --platform=$BUILDPLATFORM python:3.12-slim\n", arch="aarch64")
    assert m.stages[0].platform == "linux/arm64"
