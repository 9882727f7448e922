"""DKL406 (package manager against the base distro) and DKL601 (the container's user)."""

from __future__ import annotations

import re
from typing import Iterator, Optional

from ..contexts import InstructionContext
from ..findings import Hit
from ._base import at_command, rule

__all__ = ["RULES"]

_FAMILY = {"apk": "apk", "apt-get": "apt", "apt": "apt", "aptitude": "apt", "dnf": "rpm", "yum": "rpm", "microdnf": "rpm", "tdnf": "rpm", "zypper": "zypper"}
_NAMES = {"apk": "Alpine (apk)", "apt": "Debian/Ubuntu (apt)", "rpm": "RPM-based (dnf/yum)", "zypper": "SUSE (zypper)"}
_PKG_SUBS = {"add", "install", "update", "upgrade", "del", "remove", "purge", "dist-upgrade", "in"}


@rule(code="DKL406", name="package-manager-mismatch", severity="error", scope="instruction", tags=("correctness",))
def package_manager_mismatch(ctx: InstructionContext) -> Iterator[Hit]:
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
    stage = ctx.stage
    facts = stage.facts
    if facts is None or facts.pkg not in ("apk", "apt") or ctx.body.keyword != "RUN":
        return
    cmds = ctx.commands
    families = {_FAMILY[c.tool] for c in cmds if c.tool in _FAMILY}
    # a conditional (`if [ "$ID" = alpine ]`, `command -v apk`) makes the script multi-distro
    guarded = any(c.tool in ("command", "which", "type", "hash", "test", "[", "[[") for c in cmds)
    if len(families) > 1 or guarded:
        return
    for cmd in cmds:
        fam = _FAMILY.get(cmd.tool)
        if fam is None or fam == facts.pkg:
            continue
        if (cmd.subcommand or "").split(" ")[0] not in _PKG_SUBS:
            continue
        base = stage.image.raw if stage.image else "the base image"
        yield at_command(cmd.shell, f"`{cmd.tool}` on `{base}`, a {_NAMES[facts.pkg]} image: the command does not exist there and the build fails. Use `{'apk add --no-cache' if facts.pkg == 'apk' else 'apt-get install -y --no-install-recommends'}` with that distribution's package names")
        return


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
    """The image runs its service as root.

    ## What it does
    Judges only an image that runs as a service (see [image roles](../roles.md)): not an
    image meant to be built upon, a build-only or export stage, or a development environment
    (`.devcontainer/`, local-development compose images, notebook servers); set
    `image-role` in the configuration when the inference is wrong. The image is the stage a
    `docker build` user runs: `--target` (or `target` in the configuration), else the last
    stage, unless that stage only exports files (`FROM scratch` without CMD/ENTRYPOINT).

    It reports that stage when its last `USER` (through the stages it is built `FROM`) is
    `root`, `0` or `0:0`, or when it sets no `USER` and its base image is known to run as root
    (the knowledge base records each common image's default user: python, node, debian,
    ubuntu, openjdk, eclipse-temurin, nvidia/cuda, continuumio/*, nginx, httpd...). On a base
    the knowledge base does not know, only an explicit `USER root` is reported. It stays
    silent when the image drops privileges at start-up (`gosu`, `su-exec`, `setpriv`,
    `runuser`... installed or used, or a base whose own entrypoint switches user, such as
    postgres or redis, or whose own server binds as root and runs its workers unprivileged:
    nginx, httpd, php's apache and fpm variants) and when its program must start as root (containerd, dockerd /
    Docker-in-Docker, an s6-overlay `/init` or systemd as PID 1).

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
    from ..analysis.role import image_role, needs_root, start_commands
    from ..model.runs import exec_commands

    role = image_role(model)
    image = role.runtime_stage
    if role.role != "service" or image is None:
        return
    if needs_root(image):
        return
    chain = list(reversed(image.ancestors)) + [image]
    last_ins = None
    for st in chain:
        for ins in st.instructions:
            if ins.keyword == "USER":
                if _user_value(st, ins) is None:
                    return  # unresolved: cannot judge
                last_ins = (st, ins)
            elif ins.keyword in ("RUN", "ENTRYPOINT", "CMD"):
                if ins.keyword == "RUN":
                    progs = [(c.tool, c.args) for c in st.tool_commands(ins)]
                else:
                    progs = [(c.tool, c.args) for c in exec_commands(st, ins)]
                # installed (`apt-get install gosu`, `chmod +x /usr/local/bin/gosu`) or used: the
                # image drops privileges at start-up
                if any(tool in _DROPPERS or any(a.rsplit("/", 1)[-1] in _DROPPERS for a in args) for tool, args in progs):
                    return
    where = "the final stage" if image is model.stages[-1] else f"stage `{image.label}` (the image that runs)"
    if last_ins is None:
        facts = image.facts
        if facts is None or facts.user != "root":
            return  # the base's default user is unknown (or not root)
        entry, _cmd = start_commands(image)
        if facts.entrypoint_user and (not entry or _wraps_base_entrypoint(image, entry[0])):
            return  # the base's own entrypoint switches to its service user
        if facts.server_user and not entry and not _cmd:
            return  # the base's own server binds as root and runs its workers unprivileged
        ins = image.from_instruction
        yield Hit(ins.start_line, ins.start_column, ins.end_line, ins.end_column, f"the container runs as root: no USER in {where.replace(' (the image that runs)', '')}, and its base runs as root. Add an unprivileged USER")
        return
    st, ins = last_ins
    user = _user_value(st, ins)
    if user is not None and _ROOT.match(user):
        yield Hit(ins.start_line, ins.start_column, ins.end_line, ins.end_column, f"the container runs as root: the last USER is `{user}`. Switch to an unprivileged user after the steps that need root")


def _wraps_base_entrypoint(stage, entry) -> bool:
    """``ENTRYPOINT ["eatmydata", "/entrypoint.sh"]``, ``["tini", "--", "docker-entrypoint.sh"]``:
    a wrapper that still runs the base image's own entrypoint script (the file does not copy a
    script of its own to that name)."""
    from ..model.runs import copy_args

    names = {"docker-entrypoint.sh", "entrypoint.sh"}
    # the shell model already looks through wrappers (`eatmydata`, `tini --`, `exec`)
    called = [w.rsplit("/", 1)[-1] for w in entry.argv if not w.startswith("-")][:1]
    if not called or called[0] not in names:
        return False
    for st in list(reversed(stage.ancestors)) + [stage]:
        for ins in st.instructions:
            if ins.keyword in ("COPY", "ADD"):
                srcs, dest = copy_args(st, ins)
                if dest and (dest.rstrip("/").rsplit("/", 1)[-1] == called[0] or any(s.rsplit("/", 1)[-1] == called[0] for s in srcs)):
                    return False  # its own script: what it runs is not known
    return True


RULES = [package_manager_mismatch, runs_as_root]
