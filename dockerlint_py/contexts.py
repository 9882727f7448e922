"""What the engine hands a rule: typed contexts for a stage, an instruction and a command.

The engine walks the resolved model once — stages, their instructions (an ``ONBUILD RUN`` is
walked at its ONBUILD line, with the body it will run), and the commands of every RUN — and
calls each rule at the scope it declared (``@rule(scope="command")``...). Rules look; they do
not walk, and they never parse text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Mapping, Optional, Tuple

if TYPE_CHECKING:  # pragma: no cover
    from .model.commands import ToolCommand
    from .model.dockerfile import Instruction
    from .model.resolve import DockerfileModel, Stage

__all__ = ["StageContext", "InstructionContext", "CommandContext", "SCOPES", "walk"]

SCOPES = ("file", "stage", "instruction", "command")


class StageContext:
    """A stage, whether its files reach the image being built (the target and its FROM chain),
    and whether it is the stage ``docker build`` (or ``--target``) produces."""

    __slots__ = ("model", "stage", "ships", "is_target")

    def __init__(self, model: "DockerfileModel", stage: "Stage", ships: bool, is_target: bool) -> None:
        self.model = model
        self.stage = stage
        self.ships = ships
        self.is_target = is_target


class InstructionContext:
    """An instruction: ``instruction`` is where findings go (the ONBUILD line for an ONBUILD
    body), ``body`` what runs (the instruction itself, or the ONBUILD's inner instruction),
    ``user`` the USER in effect (None: the base image's default), ``commands`` the command model
    of a RUN (() for anything else)."""

    __slots__ = ("stage_context", "instruction", "body", "user", "commands")

    def __init__(self, stage_context: StageContext, instruction: "Instruction", body: "Instruction", user: Optional[str], commands: Tuple["ToolCommand", ...]) -> None:
        self.stage_context = stage_context
        self.instruction = instruction
        self.body = body
        self.user = user
        self.commands = commands

    @property
    def env(self) -> Mapping[str, str]:
        """ENV and ARG values visible here (built on demand: a scope is a log, not a copy)."""
        return self.stage.vars_at(self.instruction)

    @property
    def model(self) -> "DockerfileModel":
        return self.stage_context.model

    @property
    def stage(self) -> "Stage":
        return self.stage_context.stage

    @property
    def ships(self) -> bool:
        return self.stage_context.ships

    @property
    def onbuild(self) -> bool:
        return self.body is not self.instruction

    @property
    def keyword(self) -> str:
        return self.body.keyword


class CommandContext:
    """One command of a RUN, with the instruction it belongs to."""

    __slots__ = ("instruction_context", "command")

    def __init__(self, instruction_context: InstructionContext, command: "ToolCommand") -> None:
        self.instruction_context = instruction_context
        self.command = command

    @property
    def model(self) -> "DockerfileModel":
        return self.instruction_context.model

    @property
    def stage(self) -> "Stage":
        return self.instruction_context.stage

    @property
    def instruction(self) -> "Instruction":
        return self.instruction_context.instruction

    @property
    def ships(self) -> bool:
        return self.instruction_context.ships

    @property
    def later(self) -> Tuple["ToolCommand", ...]:
        """The commands after this one in the same RUN."""
        cmds = self.instruction_context.commands
        return cmds[self.command.index + 1 :]

    @property
    def earlier(self) -> Tuple["ToolCommand", ...]:
        cmds = self.instruction_context.commands
        return cmds[: self.command.index]


def walk(model: "DockerfileModel") -> Iterator[Tuple[StageContext, Tuple[InstructionContext, ...]]]:
    """Each stage with the contexts of its instructions, in file order."""
    target = model.final_stage
    for stage in model.stages:
        sctx = StageContext(model, stage, stage.reaches_final, stage is target)
        out = []
        for ins in stage.instructions:
            body = ins.onbuild if ins.keyword == "ONBUILD" and ins.onbuild is not None else ins
            cmds = tuple(stage.tool_commands(ins)) if body.keyword == "RUN" else ()
            out.append(InstructionContext(sctx, ins, body, stage.user_at(ins), cmds))
        yield sctx, tuple(out)
