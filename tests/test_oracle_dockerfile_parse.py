"""dockerfile-parse as a test oracle for what it models: instructions, their line spans, and
base images, on corpus files without heredocs (dockerfile-parse does not know heredocs).

Why it is not a runtime dependency: our own model follows BuildKit (heredocs, escape
directive, ONBUILD bodies, exact columns) and costs no import at start-up; dockerfile-parse
checks the common ground."""

import glob
import io
import os
import random

import pytest

from dockerlint_py.model.dockerfile import decode_source, parse_dockerfile
from dockerlint_py.model.resolve import resolve

import dockerfile_parse  # the test extra: a missing oracle is a failure, not a skip

CORPUS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "shared", "corpus")


def _sample(n=400):
    if not os.path.isdir(CORPUS):
        pytest.skip(f"corpus not found at {CORPUS} (../shared/corpus): oracle comparison skipped")
    files = sorted(p for p in glob.glob(os.path.join(CORPUS, "**", "*Dockerfile*"), recursive=True) if os.path.isfile(p) and not p.endswith((".md", ".j2")))
    random.Random(12).shuffle(files)
    return files[:n]


def _empty_continuation(text):
    lines = text.split("\n")
    return any(a.rstrip().endswith("\\") and (not b.strip() or b.lstrip().startswith("#")) for a, b in zip(lines, lines[1:]))


def _ours(data):
    return parse_dockerfile(decode_source(data, "Dockerfile"), "Dockerfile")


def test_instructions_and_spans_agree_with_dockerfile_parse():
    compared = 0
    disagreements = []
    for path in _sample():
        with open(path, "rb") as fh:
            data = fh.read()
        text = data.decode("utf-8", "replace")
        if "<<" in text or "\r" in text or "# escape" in text.lower() or "#escape" in text.lower():
            continue  # heredocs and escape directives: outside what dockerfile-parse models
        if _empty_continuation(text):
            continue  # BuildKit joins across empty lines after `\`; dockerfile-parse stops there
        try:
            parsed = _ours(data)
        except Exception:
            continue
        theirs = dockerfile_parse.DockerfileParser(fileobj=io.BytesIO(data)).structure
        mine = [(i.keyword, i.start_line, i.end_line) for i in parsed.instructions]
        other = [(s["instruction"], s["startline"] + 1, s["endline"] + 1) for s in theirs if s["instruction"] not in ("COMMENT",)]
        compared += 1
        if [m[0] for m in mine] != [o[0] for o in other] or [m[1] for m in mine] != [o[1] for o in other]:
            disagreements.append(os.path.relpath(path, CORPUS))
    assert compared > 100
    assert len(disagreements) <= compared // 100, disagreements[:10]


def test_base_images_agree_with_dockerfile_parse():
    compared = 0
    bad = []
    for path in _sample(200):
        with open(path, "rb") as fh:
            data = fh.read()
        text = data.decode("utf-8", "replace")
        if "<<" in text or "$" in text.split("FROM", 1)[-1].split("\n", 1)[0] or "ARG" in text.split("FROM", 1)[0]:
            continue
        try:
            model = resolve(_ours(data))
        except Exception:
            continue
        theirs = dockerfile_parse.DockerfileParser(fileobj=io.BytesIO(data)).parent_images
        mine = [s.base_text for s in model.stages]
        compared += 1
        if [m.lower() for m in mine] != [t.lower() for t in theirs]:
            bad.append((os.path.relpath(path, CORPUS), mine, theirs))
    assert compared > 50
    assert len(bad) <= compared // 50, bad[:5]
