"""Sample findings per rule from a corpus run, for a precision review; score a reviewed sheet.

    python bench/sample_findings.py sample [CORPUS] [-n 8] [--seed 7] [-o review.md] [--json run.json]
    python bench/sample_findings.py score review.md

``sample`` runs ``dockerlint check --format json --exit-zero --no-config`` on CORPUS (default:
``../shared/corpus``), or reads a saved run (``--json``). For each rule it shuffles the
repositories (the first path component: ``owner__repo``) with the seed, then each repository's
findings, and takes findings round-robin across repositories until it has N (all of them when a
rule has fewer). Round-robin keeps one large repository from filling a rule's sample. The same
corpus, version and seed always give the same sheet.

The sheet is Markdown: one section per rule, one entry per finding with its location, message,
the lines around it, and a verdict line for the reviewer to fill in (``right``, ``debatable`` or
``wrong``, with a reason). ``score`` reads a filled sheet back and prints precision per rule and
overall against the project's targets (README, "Precision").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
from collections import defaultdict
from typing import Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "corpus"))
VERDICTS = ("right", "debatable", "wrong")
TARGET_STRICT_EXCL = 0.97  # right / (right + wrong)
TARGET_STRICT = 0.92  # right / all judged (debatable counted against us)
TARGET_RULE = 0.90  # right / (right + wrong), per rule


def run_corpus(corpus: str) -> List[dict]:
    cmd = [sys.executable, "-m", "dockerlint_py", "check", "--format", "json", "--exit-zero", "--no-config", "."]
    out = subprocess.run(cmd, cwd=corpus, capture_output=True, text=True, check=False)
    if out.returncode not in (0, 1):
        sys.exit(f"dockerlint failed ({out.returncode}): {out.stderr[-2000:]}")
    return json.loads(out.stdout)


def repo_of(path: str) -> str:
    return path.replace("\\", "/").split("/", 1)[0]


def sample(findings: List[dict], n: int, seed: int) -> Dict[str, List[dict]]:
    """N findings per rule, round-robin over repositories shuffled with ``seed``."""
    by_rule: Dict[str, Dict[str, List[dict]]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        by_rule[f["code"]][repo_of(f["path"])].append(f)
    out: Dict[str, List[dict]] = {}
    for code in sorted(by_rule):
        rng = random.Random(f"{seed}:{code}")
        repos = sorted(by_rule[code])
        rng.shuffle(repos)
        queues = []
        for r in repos:
            items = sorted(by_rule[code][r], key=lambda f: (f["path"], f["line"], f["column"]))
            rng.shuffle(items)
            queues.append(items)
        picked: List[dict] = []
        while len(picked) < n and any(queues):
            for q in queues:
                if q and len(picked) < n:
                    picked.append(q.pop(0))
        out[code] = picked
    return out


def context(base: str, path: str, line: int, radius: int = 3) -> str:
    full = os.path.join(base, path)
    try:
        if not os.path.isfile(full) or os.path.getsize(full) > 1_000_000:
            return "(file not readable)"
        with open(full, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return "(file not readable)"
    lo, hi = max(1, line - radius), min(len(lines), line + radius)
    width = len(str(hi))
    return "\n".join(f"{'>' if i == line else ' '} {i:>{width}} | {lines[i - 1]}" for i in range(lo, hi + 1))


def render(samples: Dict[str, List[dict]], totals: Dict[str, int], base: str, seed: int, n: int) -> str:
    out = [
        "# Precision review sheet",
        "",
        f"Seed {seed}, up to {n} findings per rule, {sum(totals.values())} findings in the run.",
        "For each entry, replace `?` on the verdict line with `right`, `debatable` or `wrong`, and",
        "give a reason after the dash. Judge against the whole Dockerfile (stages, ARGs, mounts,",
        "what ships), not only the shown lines. Then run `python bench/sample_findings.py score`",
        "on this file.",
        "",
        "| Rule | Findings in run | Sampled |",
        "|---|---|---|",
    ]
    out += [f"| {code} | {totals[code]} | {len(items)} |" for code, items in samples.items()]
    k = 0
    for code, items in samples.items():
        out += ["", f"## {code}", ""]
        for f in items:
            out += [
                f"### S{k:03d} {code} `{f['path']}:{f['line']}:{f['column']}`",
                "",
                f"> {f['message']}",
                "",
                "```",
                context(base, f["path"], f["line"]),
                "```",
                "",
                "Verdict: ? - ",
                "",
            ]
            k += 1
    return "\n".join(out) + "\n"


_ENTRY = re.compile(r"^### S\d+ (\S+) ")
_VERDICT = re.compile(r"^Verdict:\s*(\w+|\?)", re.I)


_RUN_ROW = re.compile(r"^\| (DKL\d+) \| (\d+) \| \d+ \|$")


def score(sheets: List[str]) -> int:
    """Precision per rule and overall from one or more filled sheets (of the same run: their
    verdicts are pooled; an entry that is in several sheets counts once per sheet), and the
    overall figures weighted by how often each rule fires in the run."""
    counts: Dict[str, Dict[str, int]] = defaultdict(lambda: dict.fromkeys(VERDICTS + ("?",), 0))
    in_run: Dict[str, int] = {}
    for sheet in sheets:
        code: Optional[str] = None
        with open(sheet, encoding="utf-8") as fh:
            for line in fh:
                m = _RUN_ROW.match(line.strip())
                if m:
                    in_run.setdefault(m.group(1), int(m.group(2)))
                    continue
                m = _ENTRY.match(line)
                if m:
                    code = m.group(1)
                    continue
                m = _VERDICT.match(line)
                if m and code:
                    v = m.group(1).lower()
                    counts[code][v if v in VERDICTS else "?"] += 1
                    code = None

    def pct(a: int, b: int) -> str:
        return f"{100 * a / b:5.1f}%" if b else "  n/a"

    print(f"{'rule':8} {'right':>5} {'deb':>5} {'wrong':>5} {'open':>5}  {'prec':>6}  {'strict':>6}")
    tot = dict.fromkeys(VERDICTS + ("?",), 0)
    low = []
    for c in sorted(counts):
        r, d, w, q = (counts[c][v] for v in VERDICTS + ("?",))
        for v in tot:
            tot[v] += counts[c][v]
        if r + w and r / (r + w) < TARGET_RULE:
            low.append(c)
        print(f"{c:8} {r:5} {d:5} {w:5} {q:5}  {pct(r, r + w)}  {pct(r, r + d + w)}")
    r, d, w, q = (tot[v] for v in VERDICTS + ("?",))
    print(f"{'all':8} {r:5} {d:5} {w:5} {q:5}  {pct(r, r + w)}  {pct(r, r + d + w)}")
    judged = {c: counts[c] for c in counts if c in in_run and counts[c]["right"] + counts[c]["wrong"]}
    if judged:
        weight = sum(in_run[c] for c in judged)
        wp = sum(in_run[c] * counts[c]["right"] / (counts[c]["right"] + counts[c]["wrong"]) for c in judged) / weight
        ws = sum(in_run[c] * counts[c]["right"] / (counts[c]["right"] + counts[c]["debatable"] + counts[c]["wrong"]) for c in judged) / weight
        print(f"weighted by findings per rule in the run: {100 * wp:5.1f}% without debatable, {100 * ws:5.1f}% with debatable counted against")
    ok = q == 0 and (r + w > 0 and r / (r + w) >= TARGET_STRICT_EXCL) and (r + d + w > 0 and r / (r + d + w) >= TARGET_STRICT) and not low
    print(
        f"targets: >= {TARGET_STRICT_EXCL:.0%} without debatable, >= {TARGET_STRICT:.0%} with debatable counted against, "
        f"no rule under {TARGET_RULE:.0%}" + (f" (under: {', '.join(low)})" if low else "") + (" -> met" if ok else " -> not met" if not q else " -> not yet judged")
    )
    if q:
        print(f"{q} entries have no verdict yet")
    return 0 if ok else 1


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample", help="run the corpus and write a review sheet")
    s.add_argument("corpus", nargs="?", default=DEFAULT_CORPUS)
    s.add_argument("-n", type=int, default=8, help="findings per rule (default 8)")
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("-o", "--output", default="-", help="sheet path (default: stdout)")
    s.add_argument("--json", help="use a saved `check --format json` run (paths relative to CORPUS)")
    s.add_argument("--save-json", help="also save the run's JSON here")
    sc = sub.add_parser("score", help="precision from a filled sheet")
    sc.add_argument("sheet", nargs="+", help="filled sheets of the same run (pooled)")
    args = ap.parse_args(argv)
    if args.cmd == "score":
        return score(args.sheet)
    if not os.path.isdir(args.corpus):
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    if args.json:
        with open(args.json, encoding="utf-8") as fh:
            findings = json.load(fh)
    else:
        findings = run_corpus(args.corpus)
    if args.save_json:
        with open(args.save_json, "w", encoding="utf-8") as fh:
            json.dump(findings, fh)
    totals: Dict[str, int] = defaultdict(int)
    for f in findings:
        totals[f["code"]] += 1
    samples = sample(findings, args.n, args.seed)
    text = render(samples, totals, args.corpus, args.seed, args.n)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
        print(f"{args.output}: {sum(len(v) for v in samples.values())} findings from {len(samples)} rules", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
