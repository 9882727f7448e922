"""The exec-form reader (``json_string_array``) against ``json.loads``."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from dockerlint_py.model.dockerfile import json_string_array


def oracle(text):
    stripped = text.lstrip()
    if not stripped.startswith("["):
        return None
    try:
        value = json.loads(stripped)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return tuple(value)


CASES = [
    '["a", "b"]', "[]", " [ ] ", '["x"]  ', '["a",]', '[,"a"]', '["a" "b"]', '["a"] x', "['a']",
    '["\\u00e9\\n\\t\\"q\\\\"]', '["\\ud800"]', '["\\x"]', '["a\tb"]', '["a\nb"]', '[1]', '["a", 1]',
    '[["a"]]', '{"a": 1}', '["a"', '[', '"a"', 'a', '', '[\n"a",\r\n"b"\n]', '[\u00a0"a"]', '["a"]\u00a0',
    '[null]', '[true]', '["a",\t"b"]', '[' * 50 + ']' * 50,
]


def test_known_cases():
    for text in CASES:
        assert json_string_array(text) == oracle(text), text


ALPHABET = st.sampled_from(list('[]," \t\n\r\\uabn01x\u00e9{}:') + ["\\u00e9", "\\ud83d", '\\"', '"a"', "null"])


@settings(max_examples=3000, deadline=None)
@given(st.lists(ALPHABET, max_size=14).map("".join))
def test_agrees_with_json_loads(text):
    assert json_string_array(text) == oracle(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(max_size=8), max_size=5), st.sampled_from(["", " ", "\n", "\t "]))
def test_round_trips_dumped_arrays(values, space):
    text = json.dumps(values, ensure_ascii=False, separators=("," + space, ":"))
    assert json_string_array(space + text + space) == tuple(values)
