"""OS packages per stage: what apk/apt/dnf commands install and remove, in order.

A rule asks "is package X installed at this point of the stage?" (:meth:`OsPackages.has_at`)
or "which packages remain, explicitly installed, at the end of the stage?"
(:meth:`OsPackages.explicit_at_end`). Virtual packages (``apk add --virtual .build-deps ...``)
group their members; ``apk del .build-deps`` removes the group together with what the members
pulled in. ``apt-get purge --auto-remove`` (or a later ``apt-get autoremove``) removes the
dependencies the purged packages had pulled in, which is how runtime libraries disappear.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Dict, FrozenSet, List, Optional, Set, Tuple
from .._record import Record

if TYPE_CHECKING:
    from ..model.commands import ToolCommand
    from ..model.dockerfile import Instruction
    from ..model.resolve import Stage

__all__ = ["PkgEvent", "OsPackages", "os_packages"]

_VERSION_SUFFIX = re.compile(r"(?:[=<>~].*)$")


class PkgEvent(Record):
    ins_index: int
    cmd_index: int  # position of the command inside its RUN
    op: str  # "add" | "del" | "autoremove"
    manager: str  # "apk" | "apt" | "dnf"
    names: Tuple[str, ...]
    virtual: Optional[str]  # apk --virtual NAME
    line: int
    auto_remove: bool = False


def _names(args: Tuple[str, ...], value_opts: Tuple[str, ...]) -> Tuple[List[str], Dict[str, str]]:
    out: List[str] = []
    opts: Dict[str, str] = {}
    i = 0
    while i < len(args):
        a = args[i]
        if a in value_opts and i + 1 < len(args):
            opts[a] = args[i + 1]
            i += 2
            continue
        if a.startswith("-"):
            if "=" in a:
                k, v = a.split("=", 1)
                opts[k] = v
            else:
                opts[a] = ""
        else:
            name = _VERSION_SUFFIX.sub("", a)
            if name and "$" not in name:
                out.append(name)
        i += 1
    return out, opts


def _events(stage: Stage) -> List[PkgEvent]:
    out: List[PkgEvent] = []
    for ins in stage.instructions:
        if ins.keyword != "RUN":
            continue
        from ..model.runs import run_args

        for k, (cmd, args) in enumerate(run_args(stage, ins)):
            tool = cmd.tool
            if not args:
                continue
            # the subcommand is the first word that is not an option (`apk --update add ...`)
            sub, j = cmd.subcommand_at(args)
            if sub is None:
                continue
            args = args[:j] + args[j:]
            args = (sub,) + tuple(a for i, a in enumerate(args) if i != j)
            if tool == "apk" and sub in ("add", "del"):
                names, opts = _names(args[1:], ("--virtual", "-t", "--repository", "-X", "--root", "-p", "--arch", "--cache-dir", "--keys-dir"))
                virtual = opts.get("--virtual") or opts.get("-t")
                out.append(PkgEvent(ins.index, k, "add" if sub == "add" else "del", "apk", tuple(names), virtual, cmd.line))
            elif tool in ("apt-get", "apt", "aptitude") and sub in ("install", "remove", "purge", "autoremove"):
                names, opts = _names(args[1:], ("-o", "-t", "--target-release", "-c"))
                if sub == "install":
                    out.append(PkgEvent(ins.index, k, "add", "apt", tuple(names), None, cmd.line))
                elif sub == "autoremove":
                    out.append(PkgEvent(ins.index, k, "autoremove", "apt", (), None, cmd.line, True))
                else:
                    auto = "--auto-remove" in opts or "--autoremove" in opts
                    out.append(PkgEvent(ins.index, k, "del", "apt", tuple(names), None, cmd.line, auto))
            elif tool in ("dnf", "yum", "microdnf", "tdnf") and sub in ("install", "remove", "erase"):
                names, _ = _names(args[1:], ("--setopt", "--enablerepo", "--disablerepo", "--releasever"))
                out.append(PkgEvent(ins.index, k, "add" if sub == "install" else "del", "dnf", tuple(names), None, cmd.line))
    return out


class OsPackages:
    """Package events of a stage and the stages it is built FROM."""

    def __init__(self, stage: Stage) -> None:
        chain = list(reversed(stage.ancestors)) + [stage]
        self.events: List[Tuple[int, PkgEvent]] = []  # (depth in chain, event)
        for depth, st in enumerate(chain):
            for e in _events(st):
                self.events.append((depth, e))
        self._depth = len(chain) - 1

    def _replay(self, until: Optional[Tuple[int, int]]) -> Tuple[Set[str], Set[str], Dict[str, Set[str]]]:
        """(explicit, pulled-in-by-virtual-or-auto, virtual groups) before ``until`` (ins, cmd)."""
        explicit: Set[str] = set()
        virtual_members: Dict[str, Set[str]] = {}
        for depth, e in self.events:
            if until is not None and depth == self._depth and (e.ins_index, e.cmd_index) >= until:
                break
            if e.op == "add":
                if e.virtual:
                    virtual_members.setdefault(e.virtual, set()).update(e.names)
                else:
                    explicit.update(e.names)
            elif e.op == "del":
                for n in e.names:
                    if n in virtual_members:
                        virtual_members.pop(n)
                    explicit.discard(n)
        members = set().union(*virtual_members.values()) if virtual_members else set()
        return explicit, members, virtual_members

    def installed_at(self, ins_index: int, cmd_index: int) -> FrozenSet[str]:
        """Packages installed (explicitly or through a virtual group) before that command."""
        explicit, members, _ = self._replay((ins_index, cmd_index))
        return frozenset(explicit | members)

    def explicit_at_end(self) -> FrozenSet[str]:
        """Packages still installed at the end of the stage, by name, explicitly or in a group."""
        explicit, members, _ = self._replay(None)
        return frozenset(explicit | members)

    def removed_after(self, ins_index: int, cmd_index: int) -> List[PkgEvent]:
        """Removal events later in this stage."""
        out = []
        for depth, e in self.events:
            if depth == self._depth and (e.ins_index, e.cmd_index) > (ins_index, cmd_index) and e.op in ("del", "autoremove"):
                out.append(e)
        return out

    def added_anywhere(self) -> Set[str]:
        return {n for _, e in self.events if e.op == "add" for n in e.names}


def os_packages(stage: Stage) -> OsPackages:
    """The stage's OS packages (cached by the stage: :meth:`~dockerlint_py.model.resolve.Stage.os_packages`)."""
    return stage.os_packages()


def package_names(cmd: ToolCommand) -> Tuple[List[str], Optional[str]]:
    """Package names a :class:`~dockerlint_py.model.commands.ToolCommand` installs or removes
    (versions stripped; local files, URLs and unexpanded variables left out), and its apk
    ``--virtual`` group."""
    names: List[str] = []
    for a in cmd.operands:
        name = _VERSION_SUFFIX.sub("", a)
        if name and "$" not in name and "/" not in name and not name.endswith((".deb", ".apk", ".rpm")):
            names.append(name)
    virtual = cmd.values("--virtual")
    return names, (virtual[-1] if virtual else None)


_RECOMMENDS_OFF = re.compile(r"APT::Install-Recommends\s*[= ]\s*\"?(?:false|0|no)\"?", re.I)


def recommends_off_in(text: str) -> bool:
    """Does ``text`` (an option value, an apt.conf snippet) turn recommends off?"""
    return bool(_RECOMMENDS_OFF.search(text))


def apt_recommends_disabled(stage: Stage, ins: Instruction) -> bool:
    """Has apt configuration written before ``ins`` (in the stage or the stages it is built on)
    turned recommends off? A COPY of an apt.conf we cannot read is trusted to do so."""
    from ..model.runs import commands_before, copy_args

    for c in commands_before(stage, ins):
        if any(recommends_off_in(a) for a in c.argv):
            return True
    for st in list(reversed(stage.ancestors)) + [stage]:
        for i in st.instructions:
            if st is stage and i.index >= ins.index:
                break
            if i.keyword in ("COPY", "ADD"):
                _sources, dest = copy_args(st, i)
                if dest and "/etc/apt/apt.conf" in dest:
                    return True
                if any(recommends_off_in(hd.body) for hd in i.heredocs):
                    return True
    return False
