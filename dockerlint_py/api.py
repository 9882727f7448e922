"""The public, typed plugin API: everything a rule module (built-in or plugin) needs.

A plugin is a module named by an entry point in the ``dockerlint_py.rules`` group; every
:class:`Rule` it defines at top level is registered::

    from dockerlint_py.api import CommandContext, Hit, at_command, rule

    @rule(code="ACME001", name="no-curl-pipe-sh", severity="warning", scope="command")
    def no_curl_pipe_sh(ctx: CommandContext):
        '''One-line summary. (Then ## Why is this bad? / ## Bad / ## Good sections.)'''
        if ctx.command.tool == "curl" and ...:
            yield at_command(ctx.command.shell, "...")

Scopes: ``"file"`` (the check receives the :class:`DockerfileModel`), ``"stage"``
(:class:`StageContext`), ``"instruction"`` (:class:`InstructionContext`), ``"command"``
(:class:`CommandContext`). The engine walks; a rule looks at what it is given.
"""

from __future__ import annotations

from .contexts import CommandContext, InstructionContext, StageContext
from .findings import Edit, Finding, Fix, Hit, Related
from .model.commands import Mount, ToolCommand
from .model.resolve import DockerfileModel, Stage
from .rules._base import Rule, at, at_command, rule

__all__ = [
    "rule", "Rule", "Hit", "Fix", "Edit", "Related", "Finding", "at", "at_command",
    "StageContext", "InstructionContext", "CommandContext", "ToolCommand", "Mount",
    "DockerfileModel", "Stage",
]
