"""``dockerlint server``: a Language Server (LSP over stdio) for Dockerfiles and the Python
manifests they install. Needs the optional ``lsp`` extra (pygls)::

    pip install 'dockerlint-py[lsp]'

Nothing in the plain CLI imports this package's server module: pygls is imported only when
the ``server`` command runs.
"""

from __future__ import annotations

import sys
from typing import Optional, Sequence

__all__ = ["main"]

USAGE = """usage: dockerlint server [--stdio] [--log-file FILE]

Run the dockerlint language server over stdin/stdout (what editors start).
  --stdio          accepted for clients that pass it; stdio is the only transport
  --log-file FILE  write the server's own log (debugging) to FILE
"""


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(argv or ())
    log_file = None
    while args:
        a = args.pop(0)
        if a in ("-h", "--help"):
            sys.stdout.write(USAGE)
            return 0
        if a == "--stdio":
            continue
        if a == "--log-file" and args:
            log_file = args.pop(0)
            continue
        if a.startswith("--log-file="):
            log_file = a.split("=", 1)[1]
            continue
        sys.stderr.write(f"dockerlint server: unknown argument {a!r}\n{USAGE}")
        return 2
    try:
        import pygls  # noqa: F401
        import lsprotocol  # noqa: F401
    except ImportError:
        sys.stderr.write(
            "dockerlint server: the language server needs the optional 'lsp' extra (pygls), which is not installed.\n"
            "Install it with:  pip install 'dockerlint-py[lsp]'  (from a checkout: pip install '.[lsp]')\n"
        )
        return 2
    from .server import serve

    return serve(log_file)
