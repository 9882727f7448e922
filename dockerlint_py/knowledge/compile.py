"""Write ``_compiled.json``: the knowledge files parsed once, each with its source's size and CRC-32.

    python -m dockerlint_py.knowledge.compile

A test fails when the snapshot is stale; at run time a stale entry is ignored and the source is
parsed directly, so the snapshot only ever saves time.
"""

from __future__ import annotations

import json
import os
import sys

from . import COMPILED_NAME, _source, checksum, parse_source

SOURCES = ("base_images.toml", "native_packages.toml", "transitive.toml", "musl_wheels.csv")


def snapshot() -> dict:
    out = {}
    for name in SOURCES:
        raw = _source(name)
        out[name] = {"checksum": checksum(raw), "data": parse_source(name, raw)}
    return out


def main() -> None:
    path = os.path.join(os.path.dirname(__file__), COMPILED_NAME)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(snapshot(), fh, sort_keys=True, separators=(",", ":"))
        fh.write("\n")
    print(path, file=sys.stderr)


if __name__ == "__main__":
    main()
