"""Regular expressions and parsers against adversarial input: bounded time, never a hang.

Every entry point that applies a regular expression or a matcher to text from the linted
repository runs on inputs built to trigger catastrophic backtracking (long runs of spaces,
stars, separators). The whole set runs in a child process with a time limit: a quadratic or
exponential blow-up makes it exceed the limit by orders of magnitude.
"""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent('''
    from dockerlint_py.manifests.requirements import parse_requirements_text
    from dockerlint_py.manifests import parse_requirement_string, Origin
    from dockerlint_py.manifests.pyproject import poetry_constraint
    from dockerlint_py.model.context import _pattern_match
    from dockerlint_py.model.dockerfile import parse_dockerfile
    from dockerlint_py.model.shell import parse_script
    from dockerlint_py.model.words import expand
    from dockerlint_py.model.image import parse_image_ref
    from dockerlint_py.suppress import parse_pragma, trailing_ignores
    from dockerlint_py.discovery import matches_any
    n = 20000
    o = Origin("x", 1)
    parse_requirements_text("a" + " " * n + "x\\n", "r")
    parse_requirements_text("a" + " \\t" * n + "#x\\n", "r")
    parse_requirements_text("flask " + "--hash=sha256:x " * n + "\\n", "r")
    parse_requirements_text("-" * n + "\\n" + "\\\\\\n" * n, "r")
    parse_requirement_string("a" * n + "!", o)
    parse_requirement_string("a" + "==1," * n + "!", o)
    parse_requirement_string("a" + " " * n + "=", o)
    parse_requirement_string("a[" + "b," * n, o)
    poetry_constraint("^1" * n)
    _pattern_match("*a" * 50 + "b", "a" * n)
    _pattern_match("**/" * 30 + "x", "a/" * 2000 + "b")
    parse_dockerfile("FROM a\\nRUN " + "\\\\\\n" * n + "x\\n")
    parse_dockerfile("FROM a\\nRUN " + " " * n + "x\\nENV " + "a=b " * n + "\\n")
    for s in ('"' * n, "$(" * n, "`" * n, "2>" * n, "a" + " " * n + "b", "<<" * n, "((" * n):
        parse_script(s)
    expand("${" * n, {})
    for ref in ("a" * n + ":" + "b" * n + "@", "a/" * n + "!", "a." * n + "!", "a-" * n + "!"):
        parse_image_ref(ref)
    parse_pragma("dockerlint: ignore=" + "A," * n + "!")
    trailing_ignores("x # dockerlint: ignore=" + "A " * n + "!")
    matches_any("a/" * 2000 + "b", ["*" * 40 + "c"])
    print("done")
''')


def test_adversarial_inputs_finish_quickly():
    r = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "done", r.stderr[-2000:]
