"""Resolution: stages, ARG/ENV values, base images and their facts, COPY --from edges.

The result, :class:`DockerfileModel`, is what rules read. It is built once per file and not
modified afterwards.
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING, Callable, Dict, Generic, Literal, List, Mapping, Optional, Set, Tuple, TypeVar, Union, cast

if TYPE_CHECKING:
    from ..knowledge import BaseFacts

if TYPE_CHECKING:
    from ..analysis.builds import SourceBuild
    from .commands import ToolCommand
    from ..analysis.ospkg import OsPackages
    from ..analysis.plan import InstallPlan
    from ..analysis.role import Role

from .._record import Record
from .dockerfile import Instruction, ParsedDockerfile
from .image import ImageRef, parse_image_ref
from .shell import Command, SHELLS, parse_script
from .words import Lookup, expand, process_words

__all__ = ["BuildOptions", "Stage", "CopySource", "DockerfileModel", "resolve"]

# BuildKit's automatic platform ARGs, available to FROM without declaration.
_PLATFORMS = {
    "x86_64": ("linux/amd64", "amd64", ""),
    "amd64": ("linux/amd64", "amd64", ""),
    "aarch64": ("linux/arm64", "arm64", ""),
    "arm64": ("linux/arm64", "arm64", ""),
}


class BuildOptions(Record):
    build_args: Mapping[str, str] = {}
    target: Optional[str] = None
    arch: str = "x86_64"
    context: Optional[str] = None  # build context directory on the host (default: the Dockerfile's)
    role: Optional[str] = None  # `image-role` from the configuration (model/role.py)


class CopySource(Record):
    instruction: Instruction
    stage: "Optional[Stage]"  # the stage copied from, when it is one
    image: Optional[ImageRef]  # an external image (COPY --from=nginx:1.25 ...)
    raw: str


class _VarLog:
    """The ARG/ENV assignments of one stage, in order. The scope of an instruction is a position
    in it, so recording every instruction's scope is O(1) (a dict copy each was quadratic in
    memory: 20,000 ARGs took 5 GB); :meth:`visible` replays it, keeping the last result."""

    __slots__ = ("entries", "_pos", "_args", "_env", "_visible")

    def __init__(self) -> None:
        self.entries: List[Tuple[bool, str, Optional[str]]] = []
        self._pos = 0
        self._args: Dict[str, Optional[str]] = {}
        self._env: Dict[str, Optional[str]] = {}
        self._visible: Optional[Dict[str, str]] = None

    def visible(self, pos: int) -> Dict[str, str]:
        if pos == self._pos and self._visible is not None:
            return self._visible
        if pos < self._pos:
            self._pos, self._args, self._env = 0, {}, {}
        for is_env, name, value in self.entries[self._pos : pos]:
            (self._env if is_env else self._args)[name] = value
        self._pos = pos
        out: Dict[str, str] = {k: v for k, v in self._args.items() if v is not None}
        out.update(self._env)  # type: ignore[arg-type]
        self._visible = out
        return out


_V = TypeVar("_V", bound=Optional[str])
_T = TypeVar("_T")


class _Scope(Dict[str, _V], Generic[_V]):
    """A stage's ARG or ENV dict that records every assignment in the stage's :class:`_VarLog`."""

    def __init__(self, log: _VarLog, is_env: bool, initial: Optional[Mapping[str, _V]] = None) -> None:
        super().__init__()
        self._log = log
        self._is_env = is_env
        for k, v in (initial.items() if initial else ()):
            self[k] = v

    def __setitem__(self, key: str, value: _V) -> None:
        self._log.entries.append((self._is_env, key, value))
        super().__setitem__(key, value)


class Stage:
    """One build stage (``FROM ... [AS name]`` up to the next FROM)."""

    __slots__ = (
        "index",
        "name",
        "from_instruction",
        "base_text",
        "base_ref",
        "parent",
        "unresolved",
        "platform",
        "instructions",
        "reaches_final",
        "copy_sources",
        "_vars",
        "_varlog",
        "_facts",
        "_commands",
        "_shell",
        "_final_env",
        "_ospkg",
        "_run_args",
        "_users",
        "_tool_commands",
    )

    def __init__(self, index: int, from_instruction: Instruction) -> None:
        self.index = index
        self.name: Optional[str] = None
        self.from_instruction = from_instruction
        self.base_text = ""
        self.base_ref: Optional[ImageRef] = None
        self.parent: Optional[Stage] = None
        self.unresolved: Set[str] = set()
        self.platform: Optional[str] = None
        self.instructions: Tuple[Instruction, ...] = ()
        self.reaches_final = False
        self.copy_sources: Tuple[CopySource, ...] = ()
        self._vars: Dict[int, int] = {}  # instruction index -> position in _varlog
        self._varlog = _VarLog()
        self._facts: "Union[BaseFacts, Literal[False], None]" = None
        self._commands: Dict[int, List[Command]] = {}
        self._shell: Dict[int, Tuple[str, ...]] = {}
        self._final_env: Dict[str, str] = {}
        self._ospkg: Optional[OsPackages] = None
        self._run_args: Dict[int, List[Tuple[Command, Tuple[str, ...]]]] = {}
        self._users: Dict[int, Optional[str]] = {}
        self._tool_commands: Dict[int, List[ToolCommand]] = {}

    def __repr__(self) -> str:
        return f"<Stage {self.index} {self.name or ''} from {self.base_text!r}>"

    @property
    def label(self) -> str:
        return self.name if self.name else str(self.index)

    @property
    def root(self) -> "Stage":
        """The first ancestor built on an image (not on another stage)."""
        stage = self
        seen = set()
        while stage.parent is not None and stage.index not in seen:
            seen.add(stage.index)
            stage = stage.parent
        return stage

    @property
    def ancestors(self) -> List["Stage"]:
        out: List[Stage] = []
        stage = self.parent
        while stage is not None and stage not in out:
            out.append(stage)
            stage = stage.parent
        return out

    @property
    def image(self) -> Optional[ImageRef]:
        """The image this stage is ultimately built on (through ``FROM <stage>``)."""
        return self.root.base_ref

    @property
    def facts(self) -> "Optional[BaseFacts]":
        """:class:`BaseFacts` of the root image, or None when unknown or unresolved."""
        root = self.root
        if root._facts is None:
            if root.base_ref is None or root.unresolved:
                root._facts = False
            else:
                from ..knowledge import base_image_facts

                root._facts = base_image_facts(root.base_ref) or False
        return root._facts or None

    def vars_at(self, ins: Instruction) -> Dict[str, str]:
        """ARG and ENV values visible to ``ins`` (ENV wins over ARG, as in BuildKit)."""
        pos = self._vars.get(ins.index)
        return {} if pos is None else self._varlog.visible(pos)

    @property
    def env(self) -> Dict[str, str]:
        """ENV at the end of the stage (inherited by ``FROM <this stage>``)."""
        return self._final_env

    def shell_for(self, ins: Instruction) -> Tuple[str, ...]:
        return self._shell.get(ins.index, ("/bin/sh", "-c"))

    def commands(self, ins: Instruction) -> List[Command]:
        """The shell-command model of a RUN (heredoc scripts included); [] for exec form."""
        cached = self._commands.get(ins.index)
        if cached is not None:
            return cached
        cmds = run_commands(ins, self.shell_for(ins))
        self._commands[ins.index] = cmds
        return cmds


    def run_args(self, ins: Instruction) -> List[Tuple[Command, Tuple[str, ...]]]:
        """[(command, arguments)] of a RUN with shell variables expanded (see
        :func:`~dockerlint_py.model.runs.expand_run_args`). Built once per instruction."""
        cached = self._run_args.get(ins.index)
        if cached is None:
            from .runs import expand_run_args

            cached = expand_run_args(self, ins)
            self._run_args[ins.index] = cached
        return cached

    def os_packages(self) -> "OsPackages":
        """The OS packages this stage installs and removes (:mod:`~dockerlint_py.analysis.ospkg`)."""
        if self._ospkg is None:
            from ..analysis.ospkg import OsPackages

            self._ospkg = OsPackages(self)
        return self._ospkg

    def user_at(self, ins: Instruction) -> Optional[str]:
        """The USER in effect when ``ins`` runs (None: the base image's default user)."""
        return self._users.get(ins.index)

    @property
    def final_user(self) -> Optional[str]:
        """The USER at the end of the stage (inherited by ``FROM <this stage>``)."""
        return self._users.get(-1)

    def tool_commands(self, ins: Instruction) -> List["ToolCommand"]:
        """The command model of a RUN (or ONBUILD RUN): every command read by its tool's grammar,
        with the environment, user and mounts in effect. Built once per instruction."""
        cached = self._tool_commands.get(ins.index)
        if cached is not None:
            return cached
        from .commands import parse_mounts, parse_tool_command

        run = ins.onbuild if ins.keyword == "ONBUILD" and ins.onbuild is not None else ins
        vars_ = self.vars_at(ins)
        mounts = parse_mounts(run.flag_values("mount"), vars_) if run.keyword == "RUN" else ()
        user = self.user_at(ins)
        out = []
        exported: Dict[str, str] = {}
        for i, (cmd, args) in enumerate(self.run_args(ins)):
            env = dict(vars_)
            env.update(exported)
            env.update(dict(cmd.env))
            if cmd.tool == "export":
                for a in cmd.args:
                    if "=" in a:
                        k, v = a.split("=", 1)
                        exported[k] = v
            elif not cmd.words:
                exported.update(dict(cmd.env))  # `A=1 && ...`: a shell variable for later commands
            out.append(parse_tool_command(cmd, args, env, user, mounts, i))
        self._tool_commands[ins.index] = out
        return out


def _assign_users(stages: List["Stage"]) -> None:
    """Record the USER in effect at each instruction of each stage (FROM <stage> inherits)."""
    for st in stages:
        user = st.parent.final_user if st.parent is not None else None
        for ins in st.instructions:
            st._users[ins.index] = user
            if ins.keyword == "USER":
                text = ins.args_text.strip()
                if text:
                    user = expand(text.split()[0], st.vars_at(ins))[0]
        st._users[-1] = user


def run_commands(ins: Instruction, shell: Tuple[str, ...] = ("/bin/sh", "-c")) -> List[Command]:
    """Commands of a RUN instruction (or an ONBUILD RUN body)."""
    if ins.keyword == "ONBUILD" and ins.onbuild is not None:
        ins = ins.onbuild
    if ins.keyword != "RUN":
        return []
    shell_prog = shell[0].replace("\\", "/").rsplit("/", 1)[-1].lower() if shell else "sh"
    if shell_prog.endswith(".exe"):
        shell_prog = shell_prog[:-4]
    if shell_prog not in SHELLS:
        return []  # powershell, cmd: not a POSIX shell
    if ins.json is not None:
        argv = ins.json
        # RUN ["sh", "-c", "script"]
        if len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in SHELLS and argv[1] == "-c":
            return parse_script(argv[2], lambda off: (ins.start_line, ins.start_column), 1)
        return []
    cmds = parse_script(ins.args_text, ins.locate_args)
    for hd in ins.heredocs:
        # A heredoc is a script when the instruction runs it with a shell: `RUN <<EOF`,
        # `RUN <<EOF bash`, `RUN bash <<EOF`, `RUN sh -e <<EOF`.
        consumer = [c for c in cmds if c.words]
        if not consumer or consumer[0].tool in SHELLS:
            # `<<-` strips leading tabs from the body: add them back to get file columns.
            tabs = [len(l) - len(l.lstrip("\t")) if hd.strip_tabs else 0 for l in hd.raw_body.split("\n")]

            body = hd.body
            starts = [0] + [m.end() for m in re.finditer("\n", body)]  # line start offsets

            def locate(off: int, starts: List[int] = starts, base_line: int = hd.start_line, tabs: List[int] = tabs) -> Tuple[int, int]:
                line = bisect.bisect_right(starts, off) - 1  # linear scans made 100k lines quadratic
                return base_line + line, off - starts[line] + 1 + (tabs[line] if line < len(tabs) else 0)

            cmds = cmds + parse_script(hd.body, locate)
    return cmds


class DockerfileModel:
    """The resolved view of one Dockerfile that rules read.

    Analyses derived from it (the install plan, the image role, source builds) are computed on
    first use and kept in declared slots; nothing else is attached to a model."""

    __slots__ = ("parsed", "path", "stages", "global_args", "options", "target", "_plan", "_role", "_source_builds", "_derived")

    def __init__(self, parsed: ParsedDockerfile, stages: List[Stage], global_args: Dict[str, Optional[str]], options: BuildOptions, target: Optional[Stage]):
        self.parsed = parsed
        self.path = parsed.path
        self.stages: Tuple[Stage, ...] = tuple(stages)
        self.global_args = global_args
        self.options = options
        self.target = target
        self._plan: Optional[InstallPlan] = None
        self._role: Optional[Role] = None
        self._source_builds: Optional[List[SourceBuild]] = None
        self._derived: Dict[str, object] = {}

    @property
    def role(self) -> Role:
        """The image's :class:`~dockerlint_py.analysis.role.Role` (service, base, build, dev)."""
        if self._role is None:
            from ..analysis.role import image_role

            self._role = image_role(self)
        return self._role

    @property
    def plan(self) -> InstallPlan:
        """The per-stage :class:`~dockerlint_py.analysis.plan.InstallPlan` (built on first use)."""
        if self._plan is None:
            from .context import BuildContext
            from ..analysis.plan import build_plan

            ctx = BuildContext(self.options.context, True, self.path) if self.options.context else None
            self._plan = build_plan(self, ctx)
        return self._plan

    def source_builds(self) -> List["SourceBuild"]:
        """Every (install, package) that compiles from source or fails for lack of a wheel
        (:func:`~dockerlint_py.analysis.builds.find_source_builds`)."""
        if self._source_builds is None:
            from ..analysis.builds import find_source_builds

            self._source_builds = find_source_builds(self)
        return self._source_builds

    def derived(self, key: str, compute: Callable[[DockerfileModel], _T]) -> _T:
        """An analysis several rules share, computed from the model once (``key`` names it).
        Rules cache here instead of attaching attributes to the model."""
        if key not in self._derived:
            self._derived[key] = compute(self)
        return cast(_T, self._derived[key])

    @property
    def instructions(self) -> Tuple[Instruction, ...]:
        return self.parsed.instructions

    @property
    def final_stage(self) -> Optional[Stage]:
        return self.target

    def stage_of(self, ins: Instruction) -> Optional[Stage]:
        for st in self.stages:
            if st.from_instruction is ins or ins in st.instructions:
                return st
        return None

    def stage_named(self, name: str) -> Optional[Stage]:
        low = name.lower()
        for st in self.stages:
            if st.name == low:
                return st
        return None


def _parse_arg_words(text: str) -> List[Tuple[str, Optional[str]]]:
    """``ARG a=1 b c="x y"`` -> [(a, "1"), (b, None), (c, "x y")] (values unexpanded)."""
    out: List[Tuple[str, Optional[str]]] = []
    words = process_words(text, lambda name: "${" + name + "}").words
    for w in words:
        if "=" in w:
            k, v = w.split("=", 1)
            out.append((k, v))
        else:
            out.append((w, None))
    return out


def _env_pairs(text: str, lookup: Lookup) -> List[Tuple[str, str]]:
    words = process_words(text, lookup).words
    if not words:
        return []
    if "=" not in words[0]:
        # legacy form: ENV key value with spaces
        key = words[0]
        raw = text.strip(" \t\r\n")  # the lexer's whitespace: str.strip() would also eat U+00A0
        first = re.match(r"[^ \t\r\n]*", raw).group(0)  # type: ignore[union-attr]
        value, _ = expand(raw[len(first) :].strip(" \t\r\n"), lookup)
        return [(key, value)]
    out = []
    for w in words:
        if "=" in w:
            k, v = w.split("=", 1)
            out.append((k, v))
    return out


env_pairs = _env_pairs  # public name: (key, value) pairs of an ENV instruction's text


def resolve(parsed: ParsedDockerfile, options: Optional[BuildOptions] = None) -> DockerfileModel:
    options = options or BuildOptions()
    build_args = dict(options.build_args)
    platform, arch, variant = _PLATFORMS.get(options.arch, ("linux/amd64", "amd64", ""))
    auto = {
        "TARGETPLATFORM": platform,
        "TARGETOS": "linux",
        "TARGETARCH": arch,
        "TARGETVARIANT": variant,
        "BUILDPLATFORM": platform,
        "BUILDOS": "linux",
        "BUILDARCH": arch,
        "BUILDVARIANT": variant,
    }
    global_args: Dict[str, Optional[str]] = {}
    stages: List[Stage] = []
    current: Optional[Stage] = None
    body: List[Instruction] = []
    state: Dict[int, Tuple[Dict[str, str], Dict[str, Optional[str]], Tuple[str, ...]]] = {}

    def global_lookup(name: str) -> Optional[str]:
        if name in global_args:
            return global_args[name]
        return auto.get(name)

    def close_stage() -> None:
        if current is not None:
            current.instructions = tuple(body)

    for ins in parsed.instructions:
        if ins.keyword == "ARG" and current is None:
            for name, default in _parse_arg_words(ins.args_text):
                if name in build_args:
                    global_args[name] = build_args[name]
                elif default is not None:
                    value, unresolved = expand(default, global_lookup, parsed.escape)
                    global_args[name] = value if not unresolved else (value or None)
                else:
                    global_args[name] = None
            continue
        if ins.keyword == "FROM":
            close_stage()
            body = []
            current = Stage(len(stages), ins)
            stages.append(current)
            raw_words = ins.args_text.split()
            if len(raw_words) >= 3 and raw_words[-2].lower() == "as":
                current.name = raw_words[-1].lower()
                image_text = " ".join(raw_words[:-2])
            else:
                image_text = " ".join(raw_words)
            value, unresolved = expand(image_text, global_lookup, parsed.escape)
            current.base_text = value
            current.unresolved = unresolved
            plat = ins.flag("platform")
            if plat is not None and plat.value:
                current.platform, _ = expand(plat.value, global_lookup, parsed.escape)
            low = value.lower()
            parent = next((s for s in stages[:-1] if s.name == low), None) if value else None
            if parent is not None:
                current.parent = parent
            elif value and not unresolved:
                current.base_ref = parse_image_ref(value)
            # the stage's variables start from the parent's final ENV (and SHELL)
            start_env = _Scope(current._varlog, True, parent.env if parent is not None else {})
            current._final_env = start_env
            inherited_shell = parent._shell.get(-1, ("/bin/sh", "-c")) if parent is not None else ("/bin/sh", "-c")
            state[current.index] = (start_env, _Scope(current._varlog, False), inherited_shell)
            continue
        if current is None:
            continue  # instructions before FROM other than ARG: BuildKit rejects; rules may flag
        env, args, shell = state[current.index]

        def lookup(name: str, env: Dict[str, str] = env, args: Dict[str, Optional[str]] = args) -> Optional[str]:
            if name in env:
                return env[name]
            if name in args:
                return args[name]
            return None

        current._vars[ins.index] = len(current._varlog.entries)
        current._shell[ins.index] = shell
        body.append(ins)
        kw = ins.keyword
        if kw == "ARG":
            for name, default in _parse_arg_words(ins.args_text):
                if name in build_args:
                    args[name] = build_args[name]
                elif default is not None:
                    value, _u = expand(default, lookup, parsed.escape)
                    args[name] = value
                elif name in global_args:
                    args[name] = global_args[name]
                elif name in auto:
                    args[name] = auto[name]
                else:
                    args[name] = None
        elif kw == "ENV":
            for k, v in _env_pairs(ins.args_text, lookup):
                env[k] = v
        elif kw == "SHELL" and ins.json:
            shell = tuple(ins.json)
            state[current.index] = (env, args, shell)
            current._shell[-1] = shell
    close_stage()

    # copy sources
    for st in stages:
        sources: List[CopySource] = []
        for ins in st.instructions:
            if ins.keyword not in ("COPY", "ADD"):
                continue
            frm = ins.flag("from")
            if frm is None or frm.value is None:
                continue
            value, _ = expand(frm.value, st.vars_at(ins), parsed.escape)
            src_stage: Optional[Stage] = None
            if value.isascii() and value.isdigit() and len(value) < 10:
                idx = int(value)
                if idx < st.index:
                    src_stage = stages[idx]
            else:
                src_stage = next((s for s in stages if s.name == value.lower() and s.index < st.index), None)
            sources.append(CopySource(ins, src_stage, None if src_stage else parse_image_ref(value), value))
        st.copy_sources = tuple(sources)

    _assign_users(stages)
    target: Optional[Stage] = None
    if stages:
        if options.target:
            target = next((s for s in stages if s.name == options.target.lower()), None)
        if target is None and not options.target:
            from ..analysis.role import default_image_stage, is_export, runs_something

            # a trailing export stage (FROM scratch, only copies out) is not the image that runs;
            # the image is the last stage before it that starts a program (CMD/ENTRYPOINT)
            target = default_image_stage(stages)[0]
            if target is None and is_export(stages[-1]):
                target = next((s for s in reversed(stages) if not is_export(s) and runs_something(s)), None)
        if target is None:
            target = stages[-1]
        target.reaches_final = True
        for anc in target.ancestors:
            anc.reaches_final = True
    return DockerfileModel(parsed, stages, global_args, options, target)

