"""The .dockerignore matcher against Docker's own pattern semantics: the vectors of Docker's
pattern matcher tests (github.com/moby/patternmatcher: the TestMatches table, the filepath.Match
vectors it reuses, the exception-pattern cases, the ignore-file reader) as a table. A path is
ignored when the pattern matches it or one of its parent directories (what the build does)."""

import pytest

from dockerlint_py.model.context import BuildContext, _pattern_match, _segment_match, ignored_by, parse_dockerignore

WHL = "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl"

# (pattern line, path, ignored?): Docker's TestMatches table (pass or partial pass = ignored)
MATCHES = [
    ("**", "file", True), ("**", "file/", True), ("**/", "file", True), ("**/", "file/", True),
    ("**", "/", True), ("**/", "/", True), ("**", "dir/file", True), ("**/", "dir/file", True),
    ("**", "dir/file/", True), ("**/", "dir/file/", True), ("**/**", "dir/file", True), ("**/**", "dir/file/", True),
    ("dir/**", "dir/file", True), ("dir/**", "dir/file/", True), ("dir/**", "dir/dir2/file", True), ("dir/**", "dir/dir2/file/", True),
    ("**/dir", "dir", True), ("**/dir", "dir/file", True), ("**/dir2/*", "dir/dir2/file", True), ("**/dir2/*", "dir/dir2/file/", True),
    ("**/dir2/**", "dir/dir2/dir3/file", True), ("**/dir2/**", "dir/dir2/dir3/file/", True),
    ("**file", "file", True), ("**file", "dir/file", True), ("**/file", "dir/file", True), ("**file", "dir/dir/file", True),
    ("**/file", "dir/dir/file", True), ("**/file*", "dir/dir/file", True), ("**/file*", "dir/dir/file.txt", True),
    ("**/file*txt", "dir/dir/file.txt", True), ("**/file*.txt", "dir/dir/file.txt", True), ("**/file*.txt*", "dir/dir/file.txt", True),
    ("**/**/*.txt", "dir/dir/file.txt", True), ("**/**/*.txt2", "dir/dir/file.txt", False), ("**/*.txt", "file.txt", True),
    ("**/**/*.txt", "file.txt", True), ("a**/*.txt", "a/file.txt", True), ("a**/*.txt", "a/dir/file.txt", True),
    ("a**/*.txt", "a/dir/dir/file.txt", True), ("a/*.txt", "a/dir/file.txt", False), ("a/*.txt", "a/file.txt", True),
    ("a/*.txt**", "a/file.txt", True), ("a[b-d]e", "ae", False), ("a[b-d]e", "ace", True), ("a[b-d]e", "aae", False),
    ("a[^b-d]e", "aze", True), (".*", ".foo", True), (".*", "foo", False), ("abc.def", "abcdef", False),
    ("abc.def", "abc.def", True), ("abc.def", "abcZdef", False), ("abc?def", "abcZdef", True), ("abc?def", "abcdef", False),
    ("**/foo/bar", "foo/bar", True), ("**/foo/bar", "dir/foo/bar", True), ("**/foo/bar", "dir/dir2/foo/bar", True),
    ("abc/**", "abc", False), ("abc/**", "abc/def", True), ("abc/**", "abc/def/ghi", True), ("**/.foo", ".foo", True),
    ("**/.foo", "bar.foo", False), ("a(b)c/def", "a(b)c/def", True), ("a(b)c/def", "a(b)c/xyz", False),
    ("a.|)$(}+{bc", "a.|)$(}+{bc", True), (WHL, WHL, True), ("dist/*.whl", WHL, True),
    ("a\\\\", "a\\", True), ("a\\*b", "a*b", True),
]

# Go's filepath.Match vectors as Docker's matcher runs them (patterns Docker refuses left out)
FILEPATH_MATCH = [
    ("abc", "abc", True), ("*", "abc", True), ("*c", "abc", True), ("a*", "a", True), ("a*", "abc", True),
    ("a*", "ab/c", True), ("a*/b", "abc/b", True), ("a*/b", "a/c/b", False), ("a*b*c*d*e*/f", "axbxcxdxe/f", True),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/f", True), ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", False), ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", False),
    ("a*b?c*x", "abxbbxdbxebxczzx", True), ("a*b?c*x", "abxbbxdbxebxczzy", False), ("ab[c]", "abc", True), ("ab[b-d]", "abc", True),
    ("ab[e-g]", "abc", False), ("ab[^c]", "abc", False), ("ab[^b-d]", "abc", False), ("ab[^e-g]", "abc", True),
    ("a\\*b", "a*b", True), ("a\\*b", "ab", False), ("a?b", "a\u263ab", True), ("a[^a]b", "a\u263ab", True),
    ("a???b", "a\u263ab", False), ("a[^a][^a][^a]b", "a\u263ab", False), ("[a-\u03b6]*", "\u03b1", True), ("*[a-\u03b6]", "A", False),
    ("a?b", "a/b", False), ("a*b", "a/b", False), ("[\\]a]", "]", True), ("[\\-]", "-", True), ("[x\\-]", "x", True),
    ("[x\\-]", "-", True), ("[x\\-]", "z", False), ("[\\-x]", "x", True), ("[\\-x]", "-", True), ("[\\-x]", "a", False), ("*x", "xxx", True),
]

# several lines: the last pattern matching the path or a parent decides; `!` re-includes
MULTI = [
    (["**", "!util/docker/web"], "util/docker/web/foo", False),
    (["**", "!util/docker/web", "util/docker/web/foo"], "util/docker/web/foo", True),
    (["**", "!" + WHL], WHL, False),
    (["**", "!dist/*.whl"], WHL, False),
    (["*.go"], "fileutils.go", True),
    (["!fileutils.go", "*.go"], "fileutils.go", True),
    (["*.go", "!fileutils.go"], "fileutils.go", False),
    (["docs", "!docs/README.md"], "docs/README.md", False),
    (["docs/", "!docs/README.md"], "docs/README.md", False),
    (["docs/*", "!docs/README.md"], "docs/README.md", False),
    ([], "any/path/there", False),
]


def _ignored(lines, path):
    return ignored_by(parse_dockerignore("\n".join(lines)), path)


@pytest.mark.parametrize("pattern, path, expected", MATCHES + FILEPATH_MATCH)
def test_docker_pattern_vectors(pattern, path, expected):
    assert _ignored([pattern], path) is expected


@pytest.mark.parametrize("lines, path, expected", MULTI)
def test_docker_exception_vectors(lines, path, expected):
    assert _ignored(lines, path) is expected


def test_ignore_file_is_read_as_docker_reads_it():
    text = "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! \n"
    assert parse_dockerignore(text) == [(False, "test1"), (False, "test2"), (False, "a/file/here"), (False, "lastfile"), (True, "inverted/abs/path")]
    # `#` is a comment only at the start of the line; spaces around a pattern do not count
    assert parse_dockerignore("\ufeff# c\n  docs  \n #x\n") == [(False, "docs"), (False, "#x")]


def test_copy_glob_segments_use_go_classes():
    # in Go (and so in Docker) only `^` negates a class; `!` is an ordinary member
    assert _segment_match("[!x]", "!") and _segment_match("[!x]", "x") and not _segment_match("[!x]", "y")
    assert _segment_match("[^x]", "y") and not _segment_match("[^x]", "x")
    assert not _segment_match("**", "a/b") and _segment_match("**", "ab")


def test_context_applies_the_ignore_file(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.pyc").write_text("x")
    (tmp_path / "pkg" / "keep.txt").write_text("x")
    (tmp_path / ".dockerignore").write_text("**.pyc\npkg/**\n!pkg/keep.txt\n")
    ctx = BuildContext(str(tmp_path), explicit=True)
    assert ctx.ignored("pkg/a.pyc") and not ctx.ignored("pkg/keep.txt") and not ctx.ignored("other.txt")
    assert [rel for _p, rel, _r in ctx.resolve("pkg/*")] == ["pkg/keep.txt"]


def test_no_backtracking_blow_up():
    assert not _pattern_match("*a" * 50 + "b", "a" * 3000)
    assert not _pattern_match("**/" * 30 + "x", "a/" * 500 + "b")


# -- a second opinion on generated patterns -------------------------------------------------------
# Docker compiles a pattern into a regular expression (`*` -> `[^/]*`, `?` -> `[^/]`, `**/` ->
# `(.*/)?`, a final `**` -> `.*`) except for three shortcuts (a literal pattern compares equal; a
# literal followed by a final `**` is a prefix; a leading `**` followed by literals a suffix).
# Written here from that description, on Python's `re`, it judges generated patterns and paths.

import re  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _docker_single(pattern, path):
    rx, kind, i, k = "^", "exact", 0, 0
    while k < len(pattern):
        c = pattern[k]
        k += 1
        if c == "*" and pattern[k : k + 1] == "*":
            k += 1
            if pattern[k : k + 1] == "/":
                k += 1
            if k >= len(pattern):
                if kind == "exact":
                    kind = "prefix"
                else:
                    rx += ".*"
                    kind = "regexp"
            else:
                rx += "(.*/)?"
                kind = "regexp"
            if i == 0:
                kind = "suffix"
        elif c == "*":
            rx += "[^/]*"
            kind = "regexp"
        elif c == "?":
            rx += "[^/]"
            kind = "regexp"
        elif c in ".+()|{}$":
            rx += "\\" + c
        elif c == "\\":
            if k < len(pattern):
                rx += "\\" + pattern[k]
                k += 1
                kind = "regexp"
            else:
                rx += "\\\\"
        elif c in "[]":
            rx += c
            kind = "regexp"
        else:
            rx += c
        i += 1
    if kind == "exact":
        return path == pattern
    if kind == "prefix":
        return path.startswith(pattern[:-2])
    if kind == "suffix":
        suffix = pattern[2:]
        return path.endswith(suffix) or (suffix[:1] == "/" and path == suffix[1:])
    return re.match(rx + "$", path) is not None


def _docker_ignored(pattern, path):
    parts = path.split("/")
    return any(_docker_single(pattern, "/".join(parts[:n])) for n in range(1, len(parts) + 1))


_PIECES = st.sampled_from(["a", "b", ".", "/", "*", "**", "**/", "?", "[ab]", "[a-b]", "[^a]", "\\*", "\\."])
_SEGMENT = st.text(alphabet="ab.*", min_size=1, max_size=3)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=7).map("".join), st.lists(_SEGMENT, min_size=1, max_size=4).map("/".join))
def test_generated_patterns_agree_with_dockers_compilation(line, path):
    parsed = parse_dockerignore(line)
    if not parsed:
        return
    _neg, pattern = parsed[0]
    assert ignored_by(parsed, path) == _docker_ignored(pattern, path), (pattern, path)
