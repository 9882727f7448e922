"""DKL406 (package manager against the base distro) and DKL601 (the container's user)."""

from __future__ import annotations

import re
from typing import Iterator, Optional

from ..findings import Hit
from ._base import at_command, rule

__all__ = ["RULES"]

_FAMILY = {"apk": "apk", "apt-get": "apt", "apt": "apt", "aptitude": "apt", "dnf": "rpm", "yum": "rpm", "microdnf": "rpm", "tdnf": "rpm", "zypper": "zypper"}
_NAMES = {"apk": "Alpine (apk)", "apt": "Debian/Ubuntu (apt)", "rpm": "RPM-based (dnf/yum)", "zypper": "SUSE (zypper)"}
_PKG_SUBS = {"add", "install", "update", "upgrade", "del", "remove", "purge", "dist-upgrade", "in"}


@rule(code="DKL406", name="package-manager-mismatch", severity="error", tags=("correctness",))
def package_manager_mismatch(model) -> Iterator[Hit]:
    """A package manager that the base image's distribution does not have.

    ## What it does
    Reports `apt`/`apt-get` on an Alpine-family base, `apk` on a Debian/Ubuntu base, and
    `dnf`/`yum`/`microdnf` on either — only when the base image is known (directly, through an
    ARG, or through `FROM <stage>`). A `RUN` that uses several package managers or tests
    something (`command -v apk`, `[ "$ID" = alpine ]`: a multi-distribution script) is not
    judged.

    ## Why is this bad?
    The build fails with `apt-get: not found` — usually after the base image was switched
    (`python:3.12-slim` -> `python:3.12-alpine`) without updating the package commands, or
    because a build-arg chooses the base.

    ## How to fix
    Use the base's package manager (`apk add --no-cache ...` on Alpine,
    `apt-get install -y --no-install-recommends ...` on Debian/Ubuntu) and its package names.

    ## Bad
    ```dockerfile
    FROM python:3.12-alpine
    RUN apt-get update && apt-get install -y --no-install-recommends curl
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-alpine
    RUN apk add --no-cache curl
    ```
    """
    from .hygiene import _subcommand

    for stage in model.stages:
        facts = stage.facts
        if facts is None or facts.pkg not in ("apk", "apt"):
            continue
        for ins in stage.instructions:
            if ins.keyword != "RUN":
                continue
            cmds = stage.commands(ins)
            families = {_FAMILY[c.tool] for c in cmds if c.tool in _FAMILY}
            # a conditional (`if [ "$ID" = alpine ]`, `command -v apk`) makes the script multi-distro
            guarded = any(c.tool in ("command", "which", "type", "hash", "test", "[", "[[") for c in cmds)
            if len(families) > 1 or guarded:
                continue
            for cmd in cmds:
                fam = _FAMILY.get(cmd.tool)
                if fam is None or fam == facts.pkg:
                    continue
                if _subcommand(cmd)[0] not in _PKG_SUBS:
                    continue
                base = stage.image.raw if stage.image else "the base image"
                yield at_command(cmd, f"`{cmd.tool}` on `{base}`, a {_NAMES[facts.pkg]} image: the command does not exist there and the build fails. Use `{'apk add --no-cache' if facts.pkg == 'apk' else 'apt-get install -y --no-install-recommends'}` with that distribution's package names")
                break


_ROOT = re.compile(r"^(?:root|0)(?::(?:root|0))?$")
_DROPPERS = frozenset({"gosu", "su-exec", "setpriv", "runuser", "s6-setuidgid", "chpst", "setuidgid"})


def _user_value(stage, ins) -> Optional[str]:
    from ..model.words import expand

    value, unresolved = expand(ins.args_text.strip(), stage.vars_at(ins))
    if unresolved or not value:
        return None
    return value.split()[0]


@rule(code="DKL601", name="runs-as-root", severity="warning", tags=("security", "runtime"), hadolint=("DL3002",))
def runs_as_root(model) -> Iterator[Hit]:
    """The final image runs as root.

    ## What it does
    Reports the final stage when it (and the stages it is built `FROM`) sets no `USER`, or when
    its last `USER` is `root`, `0` or `0:0`. Builder stages are not judged: only the image you
    ship runs. Bases known to run as non-root by default (distroless `:nonroot`, Chainguard)
    pass without a `USER`; on bases the knowledge base does not know, only an explicit last
    `USER root` is reported, because their default user is unknown. Images that drop privileges at start-up (`gosu`, `su-exec`,
    `setpriv`, `runuser` installed or used) are not reported, nor are development containers
    (`.devcontainer/`), whose user is set by `devcontainer.json`.

    ## Why is this bad?
    A process running as root inside the container turns any code-execution bug into root on
    the container's filesystem and one kernel bug away from the host; many clusters refuse to
    run root containers (`runAsNonRoot`).

    ## How to fix
    Create an unprivileged user and switch to it at the end:
    `RUN useradd --create-home --uid 10001 app` then `USER app` (`adduser -D -u 10001 app` on
    Alpine).

    ## Bad
    ```dockerfile
    FROM python:3.12-slim
    COPY app.py /app/app.py
    CMD ["python", "/app/app.py"]
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-slim
    RUN useradd --create-home --uid 10001 app
    COPY app.py /app/app.py
    USER app
    CMD ["python", "/app/app.py"]
    ```
    """
    from .hygiene import _is_devcontainer

    final = model.final_stage
    if final is None or _is_devcontainer(model.path):
        return  # a dev container's user comes from devcontainer.json (remoteUser)
    facts = final.facts
    chain = list(reversed(final.ancestors)) + [final]
    last_user = None
    last_ins = None
    for st in chain:
        for ins in st.instructions:
            if ins.keyword == "USER":
                value = _user_value(st, ins)
                if value is None:
                    return  # unresolved: cannot judge
                last_user, last_ins = value, ins
            elif ins.keyword in ("RUN", "ENTRYPOINT", "CMD"):
                from ..model.runs import exec_commands

                cmds = st.commands(ins) if ins.keyword == "RUN" else exec_commands(st, ins)
                # installed (`apt-get install gosu`, `chmod +x /usr/local/bin/gosu`) or used: the
                # image drops privileges at start-up
                if any(c.tool in _DROPPERS or any(a.rsplit("/", 1)[-1] in _DROPPERS for a in c.argv) for c in cmds):
                    return
    if last_user is None:
        if facts is None or facts.user != "root":
            return  # the base's default user is unknown (or not root)
        ins = final.from_instruction
        yield Hit(ins.start_line, ins.start_column, ins.end_line, ins.end_column, f"the final stage sets no USER, and `{final.image.raw if final.image else ''}` runs as root by default: add an unprivileged user and `USER` it before CMD/ENTRYPOINT")
        return
    if _ROOT.match(last_user):
        yield Hit(last_ins.start_line, last_ins.start_column, last_ins.end_line, last_ins.end_column, f"the last USER of the final stage is `{last_user}`: the container runs as root. Switch back to an unprivileged user after the steps that need root")


RULES = [package_manager_mismatch, runs_as_root]
