"""DKL900/DKL901: suppression comments that are malformed or unused (opt-in, like ruff's RUF100).

The engine applies suppression comments after the rules ran, so it is the engine that knows
which pragmas matched: these two rules carry the metadata (selection, severity, docs) and the
engine produces their findings (``engine._suppression_findings``)."""

from __future__ import annotations

from typing import Iterator

from ..findings import Hit
from ._base import rule


@rule(code="DKL900", name="invalid-suppression", severity="warning", enabled=False, tags=("suppression",))
def invalid_suppression(model) -> Iterator[Hit]:
    """A `# dockerlint:` comment that does not parse, or names no rule (opt-in).

    ## What it does
    Reports comments that mention `dockerlint:` but are not a valid pragma (a missing `=`,
    `# dockerlint: ignore DKL401`), and pragmas naming a code no rule has (`ignore=DKL999`).
    Enable it with `extend-select = ["DKL900"]`.

    ## Why is this bad?
    A typo in a suppression comment silently suppresses nothing, or hides that a rule was renamed.

    ## Bad
    ```dockerfile
    # dockerlint: ignore DKL102
    FROM python:latest
    ```

    ## Good
    ```dockerfile
    # dockerlint: ignore=DKL102 -- pinned by the registry mirror
    FROM python:latest
    ```
    """
    return iter(())


@rule(code="DKL901", name="unused-suppression", severity="info", enabled=False, tags=("suppression",))
def unused_suppression(model) -> Iterator[Hit]:
    """A suppression comment that suppressed nothing (opt-in).

    ## What it does
    Reports codes in `# dockerlint: ignore=` pragmas that matched no finding in this run. Only
    rules that ran count: a pragma for a rule that is not selected is left alone. Enable it with
    `extend-select = ["DKL901"]`.

    ## Why is this bad?
    Stale pragmas hide the next real finding on that line.

    ## Bad
    ```dockerfile
    # dockerlint: ignore=DKL102
    FROM python:3.12-slim
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-slim
    ```
    """
    return iter(())
