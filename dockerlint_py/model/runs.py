"""Facts about RUN instructions that several rules share: BuildKit mounts, cleanup commands,
environment values as a shell would see them. Rules ask; they never parse RUN text."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from .dockerfile import json_string_array
from .words import expand

if TYPE_CHECKING:
    from .dockerfile import Instruction
    from .resolve import Stage
    from .shell import Command

__all__ = ["mount_targets", "removes", "env_at", "truthy", "pip_bool_set", "commands_before", "copy_words", "copy_args", "exec_commands", "run_args"]


def mount_targets(stage: Stage, ins: Instruction, kinds: Sequence[str] = ("cache", "tmpfs")) -> List[str]:
    """Absolute targets of ``RUN --mount=type=cache|tmpfs`` (variables expanded)."""
    out: List[str] = []
    vars_ = stage.vars_at(ins)
    for value in ins.flag_values("mount"):
        parts: Dict[str, str] = {}
        for p in value.split(","):
            k, _, v = p.partition("=")
            parts[k.strip()] = v.strip()
        if parts.get("type", "bind") not in kinds:
            continue
        target = parts.get("target") or parts.get("dst") or parts.get("destination")
        if not target:
            continue
        target = expand(target, vars_)[0]
        if target.startswith("~"):
            target = "/root" + target[1:]
        out.append(posixpath.normpath(target))
    return out


def covered_by_mount(path: str, targets: Iterable[str]) -> bool:
    """Is ``path`` inside one of the mount targets (or equal to one)?"""
    path = posixpath.normpath(path)
    for t in targets:
        if path == t or path.startswith(t.rstrip("/") + "/"):
            return True
    return False


def removes(cmd: Command, patterns: Sequence[str]) -> bool:
    """Is ``cmd`` an ``rm`` of a path matching one of the regular expressions? A directory needs
    ``-r``/``-f``; a glob of the files in it (``rm /var/cache/apk/*``, ``rm /var/lib/apt/lists/*_*``)
    needs no flag: the files are what takes the space."""
    if cmd.tool != "rm":
        return False
    flags = "".join(a[1:] for a in cmd.args if a.startswith("-") and not a.startswith("--"))
    long_flags = {a for a in cmd.args if a.startswith("--")}
    forced = "r" in flags or "R" in flags or "f" in flags or "--recursive" in long_flags or "--force" in long_flags
    for a in cmd.args:
        if a.startswith("-"):
            continue
        glob = a.rstrip("/").endswith(("/*", "/*_*"))
        if not forced and not glob:
            continue
        target = a.rstrip("/") if a != "/" else a
        if target.endswith("/*_*"):
            target = target[:-2]  # the lists' files are all named host_dist_component_...
        for pat in patterns:
            if re.fullmatch(pat, target):
                return True
    return False


_BOOL = {"1", "0", "true", "false", "yes", "no", "on", "off", "y", "n", "t", "f"}


def truthy(value: Optional[str]) -> bool:
    return value is not None and value.strip().lower() in ("1", "true", "yes", "on", "y", "t")


def pip_bool_set(value: Optional[str]) -> bool:
    """pip's boolean env options (``PIP_NO_CACHE_DIR``) are "set" for any valid boolean value:
    for historical reasons ``PIP_NO_CACHE_DIR=0`` or ``=false`` also disables the cache."""
    return value is not None and value.strip().lower() in _BOOL


def env_at(stage: Stage, ins: Instruction, cmd: Optional[Command] = None, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """ENV/ARG values visible to a command, plus its own prefix assignments and earlier exports."""
    env = dict(stage.vars_at(ins))
    if extra:
        env.update(extra)
    if cmd is not None:
        env.update(dict(cmd.env))
    return env


def exports_before(stage: Stage, ins: Instruction, cmd: Command) -> Dict[str, str]:
    """``export NAME=value`` commands earlier in the same RUN."""
    out: Dict[str, str] = {}
    for c in stage.commands(ins):
        if c is cmd or (c.line, c.column) >= (cmd.line, cmd.column):
            break
        if c.tool == "export":
            for a in c.args:
                if "=" in a:
                    k, v = a.split("=", 1)
                    out[k] = v
    return out


def commands_before(stage: Stage, ins: Instruction) -> List[Command]:
    """Commands of the RUNs before ``ins`` in this stage and its ancestors (in order)."""
    out: List[Command] = []
    for st in list(reversed(stage.ancestors)) + [stage]:
        for i in st.instructions:
            if st is stage and i.index >= ins.index:
                break
            if i.keyword == "RUN":
                out.extend(st.commands(i))
    return out


_VAR_RE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_PERSISTENT = frozenset({"", "set", ":", "true", "export", "readonly", "local", "declare"})


def run_args(stage: Stage, ins: Instruction) -> List[Tuple[Command, Tuple[str, ...]]]:
    """[(command, args)] of a RUN with ``$VAR`` expanded (cached by the stage:
    :meth:`~dockerlint_py.model.resolve.Stage.run_args`)."""
    return stage.run_args(ins)


def expand_run_args(stage: Stage, ins: Instruction) -> List[Tuple[Command, Tuple[str, ...]]]:
    """[(command, args)] of a RUN with ``$VAR`` expanded from shell variables assigned earlier in
    the same RUN (``deps='gcc libpq-dev' && apt-get install $deps``) and ENV/ARG values; an
    unquoted expansion splits into words, as the shell does. Unknown variables stay as written."""
    env: Dict[str, str] = dict(stage.vars_at(ins))
    out = []
    for cmd in stage.commands(ins):
        if cmd.tool in _PERSISTENT or not cmd.words:
            for k, v in cmd.env:
                env[k] = v
            if cmd.tool == "export":
                for a in cmd.args:
                    if "=" in a:
                        k, v = a.split("=", 1)
                        env[k] = v
        args: List[str] = []
        for a in cmd.args:
            if "$" not in a:
                args.append(a)
                continue
            replaced = _VAR_RE.sub(lambda m: env.get(m.group(1) or m.group(2), m.group(0)), a)
            if replaced != a and not any(w.raw.startswith(("'", '"')) for w in cmd.words if w.value == a):
                args.extend(replaced.split())
            else:
                args.append(replaced)
        out.append((cmd, tuple(args)))
    return out


def copy_words(ins: Instruction, vars_: Mapping[str, str]) -> List[str]:
    """The words of a COPY/ADD (sources then destination), variables expanded."""
    return copy_words_unresolved(ins, vars_)[0]


def copy_words_unresolved(ins: Instruction, vars_: Mapping[str, str]) -> Tuple[List[str], Set[str]]:
    """(the words of a COPY/ADD, the variables they use that have no value here)."""
    if ins.json is not None:
        words: List[str] = []
        unresolved: Set[str] = set()
        for w in ins.json:
            value, missing = expand(w, dict(vars_))
            words.append(value)
            unresolved |= missing
        return words, unresolved
    from .words import process_words

    e = process_words(ins.args_text, dict(vars_))
    return list(e.words), set(e.unresolved)


def copy_args(stage: Stage, ins: Instruction) -> Tuple[List[str], Optional[str]]:
    """(sources, destination) of a COPY/ADD; ([], None) when it has no destination."""
    words = copy_words(ins, stage.vars_at(ins))
    if len(words) < 2:
        return [], None
    return words[:-1], words[-1]


def exec_commands(stage: Stage, ins: Instruction) -> List[Command]:
    """What a CMD, ENTRYPOINT or HEALTHCHECK runs, as commands of the shell-command model: the
    exec form is one command, the shell form is parsed like a RUN script."""
    from .shell import parse_script

    def quote(word: str) -> str:  # shlex.quote without importing shlex on the start-up path
        return "'" + word.replace("'", "'\\''") + "'"

    if ins.keyword == "HEALTHCHECK":
        text = ins.args_text.strip()
        head, _, rest = text.partition(" ")
        if head.upper() != "CMD":
            return []
        rest = rest.strip()
        words = json_string_array(rest)
        if words is not None:
            return parse_script(" ".join(quote(w) for w in words))
        return parse_script(rest)
    if ins.json is not None:
        return parse_script(" ".join(quote(w) for w in ins.json))
    return parse_script(ins.args_text)
