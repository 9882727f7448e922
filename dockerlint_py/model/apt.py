"""apt configuration facts that several rules read (not rule logic, not message text)."""

from __future__ import annotations

import re

__all__ = ["recommends_disabled"]

_RECOMMENDS_OFF = re.compile(r"APT::Install-Recommends\s*[= ]\s*\"?(?:false|0|no)\"?", re.I)


def recommends_disabled(stage, ins) -> bool:
    """Did something before ``ins`` (in this stage or the stages it is built FROM) turn off
    apt's recommends globally: an ``APT::Install-Recommends "false"`` written by a command or a
    heredoc, or a file copied into ``/etc/apt/apt.conf*`` (unreadable here: trusted)?"""
    from .runs import commands_before, copy_args

    for c in commands_before(stage, ins):
        if any(_RECOMMENDS_OFF.search(a) for a in c.argv):
            return True
    for st in list(reversed(stage.ancestors)) + [stage]:
        for i in st.instructions:
            if st is stage and i.index >= ins.index:
                break
            if i.keyword in ("COPY", "ADD"):
                _sources, dest = copy_args(st, i)
                if dest and "/etc/apt/apt.conf" in dest:
                    return True
                for hd in i.heredocs:
                    if _RECOMMENDS_OFF.search(hd.body):
                        return True
    return False
