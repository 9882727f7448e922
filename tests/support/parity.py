"""Compare our Dockerfile model with BuildKit's parser (the PyPI package ``dockerfile``)."""

from __future__ import annotations

from typing import Optional

from dockerlint_py.errors import DockerfileParseError
from dockerlint_py.model.dockerfile import decode_source, parse_dockerfile


def oracle_view(text: str):
    import dockerfile

    out = []
    for cmd in dockerfile.parse_string(text):
        out.append(
            (
                cmd.cmd.upper(),
                cmd.start_line,
                cmd.end_line,
                tuple((h.name, h.content) for h in cmd.heredocs),
            )
        )
    return out


def our_view(text: str, path: str = "Dockerfile"):
    out = []
    for ins in parse_dockerfile(text, path).instructions:
        hd = ins.heredocs
        if ins.onbuild is not None:
            hd = ()  # the oracle does not report heredocs under ONBUILD
        out.append((ins.keyword, ins.start_line, ins.end_line, tuple((h.name, h.raw_body) for h in hd)))
    return out


def compare_file(path: str) -> Optional[str]:
    """None when both agree, otherwise a description of the first difference."""
    import dockerfile

    data = open(path, "rb").read()
    try:
        text = decode_source(data, path)
    except DockerfileParseError as exc:
        return None if _oracle_fails(data) else f"we failed to decode: {exc}"
    try:
        ours = our_view(text, path)
    except DockerfileParseError as exc:
        try:
            oracle_view(text)
        except dockerfile.GoParseError:
            return None
        return f"we reject, BuildKit accepts: {exc}"
    try:
        theirs = oracle_view(text)
    except dockerfile.GoParseError as exc:
        return f"BuildKit rejects ({exc}), we accept"
    if ours == theirs:
        return None
    for a, b in zip(ours, theirs):
        if a != b:
            return f"ours {a!r} != buildkit {b!r}"
    return f"instruction count {len(ours)} != {len(theirs)}"


def _oracle_fails(data: bytes) -> bool:
    import dockerfile

    try:
        dockerfile.parse_string(data.decode("utf-8", "replace"))
    except dockerfile.GoParseError:
        return True
    return False
