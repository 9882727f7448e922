"""DKL000: what BuildKit would refuse to build."""

from __future__ import annotations

from typing import Iterator

from ..findings import Hit
from ._base import at, rule

_INSTRUCTIONS = frozenset({
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
})


@rule(code="DKL000", name="dockerfile-syntax-error", severity="error", tags=("correctness",), hadolint=("DL1000",))
def dockerfile_syntax_error(model) -> Iterator[Hit]:
    """The Dockerfile cannot be built: unknown instruction, no FROM, instructions before FROM, or an invalid image reference.

    ## What it does
    Reports what BuildKit's parser rejects before any build step runs: an instruction keyword
    it does not know (`FORM`, `RNU`), a file with no `FROM`, an instruction other than `ARG`
    before the first `FROM`, and a `FROM` whose image reference is not a valid reference.
    Files that cannot be read or decoded are reported with this code too, so every report
    format carries them.

    ## Why is this bad?
    The build fails at once; every other check of such a file would be guesswork.

    ## How to fix
    Correct the instruction (`FROM`, `RUN`...), start the file with `FROM` (after global `ARG`s).

    ## Bad
    ```dockerfile
    FORM python:3.12-slim
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-slim
    ```
    """
    instructions = model.instructions
    seen_from = False
    for ins in instructions:
        kw = ins.keyword
        if kw not in _INSTRUCTIONS:
            yield at(ins, f"unknown instruction `{ins.keyword_text[:20]}`: BuildKit refuses the file")
            continue
        if kw == "FROM":
            seen_from = True
            continue
        if not seen_from and kw != "ARG":
            yield at(ins, f"`{kw}` before the first FROM: only ARG may come before FROM")
    if not seen_from:
        yield Hit(1, 1, 1, 1, "no FROM instruction: this is not a buildable Dockerfile", (), None)
    from ..model.spans import from_image_word

    for st in model.stages:
        ref = st.base_ref
        if "$" in from_image_word(st):
            continue  # depends on ARGs: an empty default is filled by --build-arg (DKL105's domain)
        if _placeholder(st.base_text):
            continue  # a template's placeholder (`<project_id>`, `REPLACE-ME`, `[name]`): filled before building
        if st.parent is None and not st.unresolved and st.base_text and (ref is None or not _valid_reference(st.base_text)):
            text = st.base_text if len(st.base_text) <= 60 else st.base_text[:57] + "..."
            hint = ": a digest is written `@sha256:...`" if ":sha256:" in st.base_text else ""
            yield at(st.from_instruction, f"invalid image reference `{text}` in FROM{hint}")


def _placeholder(text: str) -> bool:
    import re

    return any(c in text for c in "<>[]{}") or bool(re.search(r"(?:^|/)[A-Z][A-Z0-9]*(?:[-_][A-Z0-9]+)+(?:$|[:/@])", text))


_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-/")


def _valid_reference(text: str) -> bool:
    import re

    if text.lower() == "scratch":
        return True
    name, _, tag = text.partition(":")
    if name and set(name) <= _PLAIN and "//" not in name and not name.startswith(("/", ".", "-")) and (not tag or (tag[0].isalnum() and set(tag) <= _PLAIN - {"/"} | set("ABCDEFGHIJKLMNOPQRSTUVWXYZ_"))):
        return True  # the common shape, without compiling the full grammar
    # [registry[:port]/]path[:tag][@digest], lower-case path components
    return bool(re.fullmatch(r"(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?", text))
