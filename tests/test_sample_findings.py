"""bench/sample_findings.py: sampling is seeded and round-robin; scoring pools sheets and weights."""

from __future__ import annotations

import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location("sample_findings", os.path.join(ROOT, "bench", "sample_findings.py"))
sf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sf)


def _findings():
    out = []
    for repo in ("a__x", "b__y", "c__z"):
        for i in range(5):
            out.append({"path": f"{repo}/Dockerfile", "line": i + 1, "column": 1, "code": "DKL601", "message": "m"})
    out.append({"path": "a__x/Dockerfile", "line": 9, "column": 1, "code": "DKL101", "message": "m"})
    return out


def test_sampling_is_seeded_and_spreads_over_repositories():
    one = sf.sample(_findings(), 3, 7)
    assert one == sf.sample(_findings(), 3, 7)
    assert {f["path"].split("/")[0] for f in one["DKL601"]} == {"a__x", "b__y", "c__z"}
    assert len(one["DKL101"]) == 1


def _sheet(tmp_path, name, verdicts):
    samples = sf.sample(_findings(), 3, 7)
    totals = {"DKL601": 15, "DKL101": 1}
    text = sf.render(samples, totals, str(tmp_path), 7, 3)
    for v in verdicts:
        text = text.replace("Verdict: ? - ", f"Verdict: {v} - reason", 1)
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_score_pools_sheets_and_weights_by_rule_frequency(tmp_path, capsys):
    # entries are DKL101 first (sorted codes), then DKL601
    a = _sheet(tmp_path, "a.md", ["right", "right", "right", "wrong"])
    b = _sheet(tmp_path, "b.md", ["right", "right", "debatable", "right"])
    assert sf.score([a, b]) == 1  # a wrong DKL601: under the 90 % floor
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("DKL601"))
    assert row.split()[1:4] == ["4", "1", "1"]
    # weighted: DKL601 (15 findings) 4/5 right, DKL101 (1 finding) 2/2 -> (15*0.8 + 1) / 16
    assert "81.2% without debatable" in out
