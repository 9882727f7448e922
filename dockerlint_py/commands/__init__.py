"""The subcommands, one module each: ``check`` (lint, fix, report), ``inspect`` (what the model
understood), ``alpine_check`` (musl verdicts without a Dockerfile), ``rules`` (the rule list and
one rule's documentation). ``cli.py`` parses arguments and dispatches here; ``server`` lives in
``dockerlint_py.lsp`` (an optional extra)."""

from __future__ import annotations

import os
import sys
from typing import List, Optional

__all__ = ["split_codes", "parse_build_args", "configure_online"]


def split_codes(values: Optional[List[str]]) -> Optional[tuple]:
    if values is None:
        return None
    out: List[str] = []
    for v in values:
        out.extend(c.strip().upper() for c in v.split(",") if c.strip())
    return tuple(out)



def parse_build_args(items: List[str]):
    """``--build-arg NAME=VALUE`` values -> ((name, value), ...); None after an error message."""
    out = []
    for item in items:
        if "=" not in item:
            print(f"dockerlint: --build-arg expects NAME=VALUE, got {item!r}", file=sys.stderr)
            return None
        name, value = item.split("=", 1)
        out.append((name, value))
    return tuple(out)



def configure_online(flag: bool, config: Optional[str] = "") -> None:
    """--online, or `online = true` in the configuration (config: a file, "" to search, None: off)."""
    if not flag and config is not None:
        from ..config import find_config, load_config_file
        from ..errors import ConfigError

        try:
            cfg = load_config_file(config) if config else find_config(os.getcwd())
        except ConfigError:
            cfg = None  # the session reports a broken configuration, naming the file (exit 2)
        flag = bool(cfg is not None and cfg.online)
    if flag:
        from ..knowledge import online

        online.configure(True)


