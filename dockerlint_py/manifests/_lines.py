"""Lines as editors, diffs and the fixer count them: split on LF, CRLF and CR only.

``str.splitlines`` also breaks on form feeds, vertical tabs, U+2028 and friends: a finding's line
number would then point at the wrong line in the file, and a fix would edit the wrong text."""

from __future__ import annotations

import re
from typing import List

_EOL = re.compile(r"\r\n|\r|\n")


def physical_lines(text: str) -> List[str]:
    lines = _EOL.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines
