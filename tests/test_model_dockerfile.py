import pytest

from dockerlint_py.errors import DockerfileParseError
from dockerlint_py.model.dockerfile import decode_source, parse_dockerfile


def kw_lines(text):
    return [(i.keyword, i.start_line, i.end_line) for i in parse_dockerfile(text).instructions]


def test_spans_and_columns():
    p = parse_dockerfile("FROM python:3.12 AS build\n  RUN echo hi\n")
    frm, run = p.instructions
    assert (frm.start_line, frm.start_column, frm.end_line, frm.end_column) == (1, 1, 1, 26)
    assert (run.start_line, run.start_column, run.end_line, run.end_column) == (2, 3, 2, 14)


def test_keywords_are_case_insensitive():
    p = parse_dockerfile("from alpine:3.20\nrun echo\nCoPy a b\n")
    assert [i.keyword for i in p.instructions] == ["FROM", "RUN", "COPY"]
    assert p.instructions[1].keyword_text == "run"


def test_flags_and_args():
    p = parse_dockerfile(
        "FROM --platform=$BUILDPLATFORM python:3.12 AS b\n"
        "RUN --mount=type=cache,target=/root/.cache/pip --network=none pip install x\n"
        "COPY --from=b --chown=1000:1000 --chmod=755 --link /src /dst\n"
    )
    frm, run, copy = p.instructions
    assert frm.flag("platform").value == "$BUILDPLATFORM"
    assert run.flag_values("mount") == ["type=cache,target=/root/.cache/pip"]
    assert run.flag("network").value == "none"
    assert run.args_text == "pip install x"
    assert [f.name for f in copy.flags] == ["from", "chown", "chmod", "link"]
    assert copy.flag("link").value is None
    assert copy.flag("chown").column == 15


def test_json_and_shell_form():
    p = parse_dockerfile('CMD ["python", "app.py"]\nCMD python app.py\nRUN [not json\n')
    assert p.instructions[0].json == ("python", "app.py")
    assert p.instructions[1].json is None
    assert p.instructions[2].json is None


def test_continuations_with_comments_and_empty_lines():
    text = "RUN apt-get update \\\n    # a comment inside\n\n    && apt-get install -y curl\nEXPOSE 80\n"
    p = parse_dockerfile(text)
    run = p.instructions[0]
    assert (run.start_line, run.end_line) == (1, 4)
    assert "# a comment" not in run.args_text
    assert "apt-get install -y curl" in run.args_text
    off = run.args_text.index("apt-get install")
    assert run.locate_args(off) == (4, 8)
    assert kw_lines(text)[1] == ("EXPOSE", 5, 5)


def test_escape_directive_backtick():
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n  C:\\\\\n"
    p = parse_dockerfile(text)
    assert p.escape == "`"
    assert p.directive("escape") == "`"
    assert (p.instructions[1].start_line, p.instructions[1].end_line) == (3, 4)


def test_syntax_directive_only_at_top():
    p = parse_dockerfile("# syntax=docker/dockerfile:1.7\nFROM alpine:3.20\n# escape=`\nRUN a \\\n b\n")
    assert p.directive("syntax") == "docker/dockerfile:1.7"
    assert p.escape == "\\"
    assert p.instructions[1].end_line == 5


def test_heredocs():
    text = (
        "FROM alpine:3.20\n"
        "RUN <<EOF\napk add curl\nEOF\n"
        "RUN <<-EOT sh\n\techo tabbed\n\tEOT\n"
        "RUN <<'RAW' <<\"TWO\" cat\n$HOME\nRAW\nsecond\nTWO\n"
        "COPY <<EOF /etc/app.conf\nkey=value\nEOF\n"
        "RUN python3 <<PY\nprint('x')\nPY\n"
    )
    p = parse_dockerfile(text)
    kws = [(i.keyword, i.start_line, i.end_line) for i in p.instructions]
    assert kws == [("FROM", 1, 1), ("RUN", 2, 4), ("RUN", 5, 7), ("RUN", 8, 12), ("COPY", 13, 15), ("RUN", 16, 18)]
    r1, r2, r3, cp, py = p.instructions[1:]
    assert r1.heredocs[0].body == "apk add curl\n" and r1.heredocs[0].start_line == 3
    assert r2.heredocs[0].strip_tabs and r2.heredocs[0].body == "echo tabbed\n"
    assert [(h.name, h.expand) for h in r3.heredocs] == [("RAW", False), ("TWO", False)]
    assert r3.heredocs[1].body == "second\n"
    assert cp.heredocs[0].body == "key=value\n"
    assert py.heredocs[0].name == "PY"


def test_heredoc_not_in_json_or_other_instructions():
    p = parse_dockerfile('RUN ["sh", "-c", "cat <<EOF"]\nLABEL a="<<EOF"\nEXPOSE 80\n')
    assert [i.keyword for i in p.instructions] == ["RUN", "LABEL", "EXPOSE"]


def test_onbuild_body():
    p = parse_dockerfile("FROM alpine:3.20\nONBUILD RUN --mount=type=cache,target=/x <<EOF\napk add x\nEOF\n")
    ob = p.instructions[1]
    assert ob.keyword == "ONBUILD" and ob.end_line == 4
    assert ob.onbuild.keyword == "RUN"
    assert ob.onbuild.flag("mount").value == "type=cache,target=/x"
    assert ob.onbuild.heredocs[0].body == "apk add x\n"
    assert ob.onbuild.locate_args(0) == (2, 42)


def test_unterminated_heredoc_is_a_parse_error():
    with pytest.raises(DockerfileParseError) as exc:
        parse_dockerfile("FROM alpine\nRUN <<EOF\necho\n", "x/Dockerfile")
    assert exc.value.line == 2 and exc.value.path == "x/Dockerfile"


def test_crlf_and_bom():
    p = parse_dockerfile("\ufeffFROM alpine:3.20\r\nRUN a \\\r\n  b\r\n")
    assert [(i.keyword, i.start_line, i.end_line) for i in p.instructions] == [("FROM", 1, 1), ("RUN", 2, 3)]
    assert p.instructions[1].args_text == "a   b"


def test_comments_above_instruction():
    p = parse_dockerfile("# one\n# two\nFROM alpine:3.20\n\n# detached\n\nRUN x\n")
    assert [t for _, t in p.instructions[0].comments] == ["one", "two"]
    assert p.instructions[1].comments == ()


def test_decode_source():
    assert decode_source(b"\xef\xbb\xbfFROM a", "D") == "FROM a"
    assert decode_source("FROM a".encode("utf-16"), "D") == "FROM a"
    with pytest.raises(DockerfileParseError) as exc:
        decode_source(b"FROM a\nRUN \xff\n", "D")
    assert exc.value.line == 2
