"""Fixes, one module per job: ``edits`` applies a fix's edits to bytes and writes files in place
(owner, links and concurrent edits respected); ``run`` lints, applies the safe fixes and lints
again until nothing is left (``--fix``/``--diff``). The rules build fixes with
``dockerlint_py.rules._fixes``."""
