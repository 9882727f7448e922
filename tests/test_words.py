from dockerlint_py.model.words import expand, process_words


def test_simple_and_braced():
    env = {"A": "1", "B": "two"}
    assert expand("$A-${B}", env) == ("1-two", set())


def test_defaults_and_alternatives():
    env = {"SET": "x", "EMPTY": ""}
    assert expand("${UNSET:-d}", env) == ("d", set())
    assert expand("${EMPTY:-d}", env) == ("d", set())
    assert expand("${EMPTY-d}", env) == ("", set())
    assert expand("${SET:+alt}", env) == ("alt", set())
    assert expand("${UNSET:+alt}", env)[1] == {"UNSET"}


def test_unresolved_recorded():
    value, unresolved = expand("python:${PY}-slim", {})
    assert value == "python:-slim" and unresolved == {"PY"}


def test_quotes_and_single_quotes_stop_expansion():
    words = process_words("a='$X' b=\"$X y\" c\\ d", {"X": "1"}).words
    assert words == ["a=$X", "b=1 y", "c d"]


def test_nested_default():
    assert expand("${A:-${B:-z}}", {}) == ("z", set())
