"""DKL4xx and DKL502: package-manager caches, recommends, build tools, pins.

Size rules (DKL401-DKL405, DKL407) judge only stages whose files ship: the final stage (or
``--target``) and the stages it is built ``FROM``. A cache left in a builder stage that is only
copied from does not reach the image. Every rule reads heredoc bodies and ``sh -c`` strings
through the shell-command model and honours BuildKit ``--mount=type=cache|tmpfs``.
"""

from __future__ import annotations

import re
from typing import Iterator, List, Optional, Tuple

from ..findings import Hit
from ..analysis.ospkg import apt_recommends_disabled, package_names, recommends_off_in
from ..model.runs import covered_by_mount, pip_bool_set, removes, truthy
from ._base import at_command as _at
from ._base import rule

__all__: list = []

_APT = ("apt-get", "apt", "aptitude")
_LISTS = [r"/var/lib/apt/lists(?:/\*?)?", r"/var/lib/apt(?:/\*)?"]
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})


def _subcommand(cmd) -> Tuple[Optional[str], int]:
    """Kept for rule modules that have not moved to the command model yet."""
    return cmd.subcommand_at()


def _judged(ctx) -> bool:
    """Size rules judge what ships: the target's FROM chain, and ONBUILD bodies (they run in
    the child image). Development images are not judged."""
    return (ctx.ships or ctx.instruction_context.onbuild) and not ctx.model.role.interactive


def _covered(cmd, path: str) -> bool:

    return covered_by_mount(path, [m.target for m in cmd.mounts if m.type in ("cache", "tmpfs") and m.target])


def _unknown_effect(cmds) -> bool:
    """Does one of ``cmds`` run a script we cannot read (``curl ... | sh``, ``sh cleanup.sh``,
    ``./cleanup.sh``)? Its effect on caches is unknown, so cache rules say nothing."""
    for c in cmds:
        sh = c.shell
        if c.tool in _SHELLS and "-c" not in sh.args:
            return True  # reads a script from stdin or a file
        if sh.program.startswith(("./", "/tmp/", "/usr/local/bin/")) and sh.program.endswith(".sh"):
            return True
    return False


def _removes(cmds, patterns) -> bool:

    return any(removes(c.shell, patterns) for c in cmds)


@rule(code="DKL401", name="apt-lists-not-removed", severity="warning", scope="command", tags=("size", "apt"), fixable=True, hadolint=("DL3009",))
def apt_lists_not_removed(ctx) -> Iterator[Hit]:
    """apt package lists downloaded in a RUN are left in the image layer.

    ## What it does
    Reports `apt-get update` / `apt update` in a stage that ships, when the same `RUN` does not
    remove `/var/lib/apt/lists/*` afterwards and no BuildKit cache or tmpfs mount covers
    `/var/lib/apt/lists`. The report is at the command that downloads the lists (an install in
    a `RUN` without an update uses lists an earlier layer already holds). Cleanup in a later `RUN` does not count: the earlier layer keeps
    the files. `apt-get clean` alone does not remove the lists. Builder stages that are only
    copied from are not judged.

    ## Why is this bad?
    The lists are tens of megabytes of metadata that nothing at runtime needs, shipped in
    every pull, and they go stale.

    ## How to fix
    End the `RUN` with `&& rm -rf /var/lib/apt/lists/*`, or use
    `RUN --mount=type=cache,target=/var/lib/apt/lists ...`. `--fix` appends the `rm` to the
    `RUN` (or as the heredoc's last line).

    It also reports an apt install after the stage turned off the base image's `docker-clean`
    hook (removed `/etc/apt/apt.conf.d/docker-clean`, or set `Keep-Downloaded-Packages`), the
    usual prelude to cache mounts, when no cache mount covers `/var/cache/apt` and the `RUN`
    does not `apt-get clean`: the downloaded `.deb` files then stay in the layer.

    ## Bad
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends curl
    ```

    ## Good
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends curl \
        && rm -rf /var/lib/apt/lists/*
    ```
    """
    cmd = ctx.command
    if _judged(ctx) and cmd.is_(_APT, "install", "upgrade", "dist-upgrade", "full-upgrade") and not _covered(cmd, "/var/cache/apt/archives"):
        kept = _debs_kept_since(ctx)
        later = ctx.later
        if kept is not None and not any(c.is_(_APT, "clean", "autoclean", "dist-clean") for c in later) and not _removes(later, _DEBS) and not _unknown_effect(later):
            yield _at(cmd.shell, f"`.deb` files stay in /var/cache/apt (docker-clean is off since line {kept}): mount a cache there or `apt-get clean`")
            return
    if not _judged(ctx) or not cmd.is_(_APT, "update") or _covered(cmd, "/var/lib/apt/lists"):
        return
    later = ctx.later
    if _removes(later, _LISTS) or any(c.is_(_APT, "dist-clean") for c in later) or _unknown_effect(later):
        return  # apt 3's `dist-clean` removes the lists too
    if _lists_needed_later(ctx):
        # removing them here would break the later install: the fix is to merge the RUNs
        yield _at(cmd.shell, "apt lists downloaded here stay in the layer: update and install in one RUN, then `rm -rf /var/lib/apt/lists/*`")
        return
    from ._fixes import append_to_run

    fix = append_to_run(ctx.model, ctx.instruction_context.body, cmd.shell, "rm -rf /var/lib/apt/lists/*", "remove the apt lists at the end of the RUN")
    yield _at(cmd.shell, "apt lists downloaded here stay in the layer: end this RUN with `rm -rf /var/lib/apt/lists/*`", fix=fix)


_DEBS = [r"/var/cache/apt(?:/\*)?", r"/var/cache/apt/archives(?:/\*(?:\.deb)?)?"]


def _debs_kept_since(ctx) -> Optional[int]:
    """The line of an earlier step of this stage (or a stage it is built on) that turns off the
    base image's `docker-clean` apt hook (removes `/etc/apt/apt.conf.d/docker-clean`, or sets
    `Keep-Downloaded-Packages "true"`), the usual prelude to apt cache mounts; else None."""
    stage, ins = ctx.stage, ctx.instruction
    for st in list(reversed(stage.ancestors)) + [stage]:
        for i in st.instructions:
            if st is stage and i.index >= ins.index:
                break
            if i.keyword != "RUN":
                continue
            for c in st.tool_commands(i):
                if c.tool == "rm" and any(a.rstrip("/").endswith("apt.conf.d/docker-clean") for a in c.operands):
                    return i.start_line
                if any("Keep-Downloaded-Packages" in a and "true" in a for a in c.args):  # echo '... "true";' > keep-cache
                    return i.start_line
    return None


def _lists_needed_later(ctx) -> bool:
    """Does a later RUN (this stage, or a stage built on it) install with apt without updating
    the lists first? Then removing them here would break that RUN: no fix."""
    model, stage, ins = ctx.model, ctx.stage, ctx.instruction
    chain = [s for s in model.stages if s is stage or stage in s.ancestors]
    for st in chain:
        for i in st.instructions:
            if st is stage and i.index <= ins.index:
                continue
            if i.keyword != "RUN":
                continue
            updated = False
            for c in st.tool_commands(i):
                if c.is_(_APT, "update"):
                    updated = True
                elif c.tool in _APT and c.subcommand in ("install", "build-dep", "source", "upgrade", "dist-upgrade", "full-upgrade", "download") and not updated:
                    return True
    return False


@rule(code="DKL402", name="apt-install-recommends", severity="warning", scope="command", tags=("size", "apt"), fixable=True, hadolint=("DL3015",))
def apt_install_recommends(ctx) -> Iterator[Hit]:
    """`apt-get install` without `--no-install-recommends`.

    ## What it does
    Reports `apt-get install` / `apt install` in a stage that ships when recommended packages
    are not turned off: no `--no-install-recommends`, no `-o APT::Install-Recommends=false`, and
    no apt configuration written earlier in the stage (`APT::Install-Recommends "false";` in
    `/etc/apt/apt.conf.d/`).

    ## Why is this bad?
    Recommends routinely double the installed size (`git` pulls `perl`, `less`, `ssh-client`...)
    and add packages nobody reviewed.

    ## How to fix
    `apt-get install -y --no-install-recommends <packages>`, and name what you actually need
    (for HTTPS downloads that is often `ca-certificates`, which `curl` only recommends).
    `--fix` inserts the flag after `install`.

    ## Bad
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*
    ```

    ## Good
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*
    ```
    """
    cmd = ctx.command
    if not _judged(ctx) or not cmd.is_(_APT, "install"):
        return
    off = ("--without-recommends",) if cmd.tool == "aptitude" else ("--no-install-recommends",)
    if cmd.has(*off) or any(recommends_off_in(v) for v in cmd.values("--option")) or any(recommends_off_in(a) for a in cmd.args):
        return
    if apt_recommends_disabled(ctx.stage, ctx.instruction):
        return
    names, _ = package_names(cmd)
    if names and _purged_with_autoremove(ctx.later, names):
        return  # installed for this RUN only: its recommends leave with it
    from ._fixes import insert_after

    flag = off[0]
    fix = insert_after(cmd.shell, "install", " " + flag, f"add {flag}")
    names, _ = package_names(cmd)
    if fix is not None and "ca-certificates" not in names and _recommends_ca(names):
        # dropping recommends would drop ca-certificates: keep it, explicitly
        last = cmd.word_index(len(cmd.args) - 1)
        span = cmd.shell.word_span(last) if last > 0 else None
        if span is None or span[0] != span[2]:
            fix = None
        else:
            from ..findings import Edit

            fix = fix._replace(edits=fix.edits + (Edit(span[2], span[3], span[2], span[3], " ca-certificates"),), description=f"add {flag} and install ca-certificates explicitly")
    yield _at(cmd.shell, f"installs recommended packages too: add `{flag}`", fix=fix)


def _purged_with_autoremove(later, names) -> bool:
    """Does the rest of the RUN purge or remove every one of ``names`` and then auto-remove what
    they pulled in (`apt-get purge -y --auto-remove wget`, or `remove` then `autoremove`)?"""
    removed = set()
    auto = False
    for c in later:
        if c.is_(_APT, "purge", "remove"):
            removed.update(package_names(c)[0])
            auto = auto or c.has("--auto-remove", "--autoremove")
        elif c.is_(_APT, "autoremove"):
            auto = True
    return auto and set(names) <= removed


def _recommends_ca(names) -> bool:
    from ..knowledge import apt_ca_relation

    return any(apt_ca_relation(n) in ("recommends", "neither_without_recommends") for n in names)


@rule(code="DKL403", name="apk-cache-kept", severity="warning", scope="command", tags=("size", "apk"), fixable=True, hadolint=("DL3019",))
def apk_cache_kept(ctx) -> Iterator[Hit]:
    """`apk add` without `--no-cache` leaves the package index in the layer.

    ## What it does
    Reports `apk add` in a stage that ships without `--no-cache`, unless the same `RUN` later
    removes `/var/cache/apk/*` or a BuildKit cache/tmpfs mount covers `/var/cache/apk`.

    ## Why is this bad?
    The APKINDEX files (a few MB) are shipped in the image and go stale; `--no-cache` fetches the
    index into memory instead, and makes a separate `apk update` unnecessary.

    ## How to fix
    `apk add --no-cache <packages>` (`--fix` inserts the flag after `add`).

    ## Bad
    ```dockerfile
    FROM alpine:3.20
    RUN apk update && apk add curl
    ```

    ## Good
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache curl
    ```
    """
    cmd = ctx.command
    if not _judged(ctx) or cmd.tool != "apk" or cmd.subcommand not in ("add", "update", "upgrade"):
        return
    if cmd.subcommand == "upgrade" and not cmd.has("--update-cache"):
        return  # it uses the index an `apk update` or `apk add` fetched; that command is reported
    if _covered(cmd, "/var/cache/apk") or _covered(cmd, "/etc/apk/cache"):
        return
    if cmd.subcommand == "add" and cmd.has("--no-cache", "--no-network"):
        return  # with --no-cache, -U/--update-cache fetches the index into memory only
    if cmd.subcommand != "add" and cmd.has("--no-cache"):
        return
    later = ctx.later
    if _removes(later, [r"/var/cache/apk(?:/\*)?"]) or _unknown_effect(later):
        return
    if cmd.subcommand == "add" and not cmd.has("--update-cache") and not any(c.is_("apk", "update") for c in ctx.earlier) and _index_from_earlier_run(ctx):
        return  # the index this add reads was fetched, and is reported, in an earlier RUN
    fix = None
    if cmd.subcommand == "add" and not cmd.has("--no-cache"):
        from ._fixes import insert_after

        fix = insert_after(cmd.shell, "add", " --no-cache", "add --no-cache")
        if any(c.is_("apk", "update") for c in ctx.earlier):
            fix = None  # the index `apk update` fetched stays: the flag alone does not remove it
    what = f"`apk {cmd.subcommand}` keeps" if cmd.subcommand != "add" else "`apk add` without `--no-cache` keeps"
    updates = cmd.subcommand == "update" or any(c.is_("apk", "update") for c in list(ctx.earlier) + list(later))
    user = next((c.subcommand for c in later if c.tool == "apk" and c.subcommand in ("add", "upgrade")), "add")  # what needs the index
    how = (f"drop it and use `apk {user} --no-cache`" if cmd.subcommand == "update" else "use `apk add --no-cache` and drop `apk update`") if updates else "use `apk add --no-cache`" if cmd.subcommand == "add" else "add `--no-cache`"
    yield _at(cmd.shell, f"{what} the apk index in the layer: {how}", fix=fix)


def _index_from_earlier_run(ctx) -> bool:
    """Did an earlier RUN of this stage (or a stage it is built on) leave an apk index in its
    layer (`apk update`, or `apk add` without `--no-cache`)?"""
    stage, ins = ctx.stage, ctx.instruction
    for st in list(reversed(stage.ancestors)) + [stage]:
        for i in st.instructions:
            if st is stage and i.index >= ins.index:
                return False
            if i.keyword != "RUN":
                continue
            for c in st.tool_commands(i):
                if c.is_("apk", "update") and not c.has("--no-cache") or c.is_("apk", "add") and not c.has("--no-cache", "--no-network"):
                    return True
    return False


@rule(code="DKL404", name="pip-cache-kept", severity="warning", scope="command", tags=("size", "python"), fixable=True, hadolint=("DL3042",))
def pip_cache_kept(ctx) -> Iterator[Hit]:
    """pip, uv or Poetry leave their download cache in the image layer.

    ## What it does
    Reports, in stages that ship: `pip install` without `--no-cache-dir` where `PIP_NO_CACHE_DIR`
    is not set (ENV in the stage or a parent stage, an inline prefix, or an `export`; pip treats
    *any* valid boolean, even `0` or `false`, as "no cache") and no cache/tmpfs mount covers the
    pip cache directory; `uv pip install` / `uv sync` without `--no-cache`/`UV_NO_CACHE` or a mount
    on the uv cache; `poetry install` without `--no-cache` or a mount/cleanup of Poetry's cache;
    `pipenv install|sync` without a mount/cleanup of Pipenv's cache. A later
    `rm -rf ~/.cache/pip` (or `pip cache purge`) in the same `RUN` counts. An install into a
    virtualenv copied from a builder stage that already holds its packages (the builder ran the
    same install of the same manifests) downloads nothing and is not reported; nor is an
    install on a base the knowledge base does not know (it may set `PIP_NO_CACHE_DIR`).

    ## Why is this bad?
    The cache holds every downloaded wheel a second time: often as large as the installed
    packages themselves, shipped in every pull and never used again.

    ## How to fix
    `pip install --no-cache-dir ...`, `ENV PIP_NO_CACHE_DIR=1`, `uv ... --no-cache`, or
    `RUN --mount=type=cache,target=/root/.cache/pip pip install ...` (which also speeds up
    rebuilds). `--fix` inserts `--no-cache-dir` (pip) or `--no-cache` (uv, Poetry).

    ## Bad
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install flask==3.0.3
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-slim
    RUN --mount=type=cache,target=/root/.cache/pip pip install flask==3.0.3
    ```
    """
    cmd = ctx.command
    if not _judged(ctx):
        return
    spec = _cacher(cmd)
    if spec is None:
        return
    label, after_word, off_flags, off_var, cache_var, subdir, cleanup, flag = spec
    env = cmd.env
    if cmd.has(*off_flags):
        return
    if off_var and (pip_bool_set(env.get(off_var)) if label == "pip" else truthy(env.get(off_var))):
        return
    if ctx.stage.facts is None:
        return  # an unknown (or unresolved) base may set PIP_NO_CACHE_DIR & co. itself: say nothing
    given = cmd.values("--cache-dir") if label == "pip" else []
    user = cmd.user if cmd.user is not None else getattr(ctx.stage.facts, "user", None)
    root = user in (None, "root", "0") or (user or "").startswith(("root:", "0:"))
    home = env.get("HOME") or ("/root" if root else None)
    if given:
        cache_dir = given[-1]
    elif env.get(cache_var):
        cache_dir = env[cache_var]
    elif env.get("XDG_CACHE_HOME"):
        cache_dir = env["XDG_CACHE_HOME"] + "/" + subdir
    elif home:
        cache_dir = home + "/.cache/" + subdir
    else:
        cache_dir = "~/.cache/" + subdir  # another user's home: not known here
    if cache_dir == "/dev/null" or _covered(cmd, cache_dir):
        return
    if _already_in_copied_env(ctx):
        return  # every package is already in an environment copied from a builder: nothing is downloaded
    later = ctx.later
    gone = [re.escape(cache_dir) + r"(?:/\*)?", r"(?:/root|~|\$HOME|/home/[^/]+)/\.cache(?:/" + subdir + r")?(?:/\*)?", r"\$\{?" + cache_var + r"\}?(?:/\*)?"]
    if _removes(later, gone) or any(c.tool == cmd.tool and c.subcommand in cleanup for c in later) or _unknown_effect(later):
        return
    fix = None
    if flag:
        from ._fixes import insert_after

        fix = insert_after(cmd.shell, after_word, " " + flag, f"add {flag}")
        if fix is not None and label == "Poetry":
            version = _poetry_version(ctx)
            if version is None or version < (1, 2):
                # `--no-cache` exists from Poetry 1.2: unknown or older versions get no safe fix
                fix = None if version is not None else fix._replace(safe=False)
    how = f"add `{flag}`" if flag else f"remove `{cache_dir}` in the same RUN"
    yield _at(cmd.shell, f"{label} keeps its download cache ({cache_dir}) in the layer: {how} or use a cache mount", fix=fix)


def _already_in_copied_env(ctx) -> bool:
    """Does this install only re-check packages that a virtualenv copied in from another stage
    already holds (`COPY --from=builder /venv /venv` then `poetry install --only main`)? Then
    it downloads at most the project itself."""
    sp = ctx.model.plan.for_stage(ctx.stage)
    if sp is None or not sp.copied:
        return False
    here = (ctx.command.shell.line, ctx.command.shell.column)
    inst = next((i for i in sp.installs if i.command is not None and (i.command.line, i.command.column) == here), None)
    if inst is None:
        return False
    made_by = [i for c in sp.copied for src in (ctx.model.plan.for_stage(c.from_stage),) if src is not None for i in src.all_installs if _within(i.location, c.source)]
    if any(i.tool == inst.tool and set(inst.manifests) <= set(i.manifests) for i in made_by) and (inst.manifests or not inst.packages):
        # the copied environment was made by the same install of the same manifests (or, when
        # the manifests are not in the context, by the same tool: what is left to fetch is unknown)
        return True
    if not inst.packages:
        return False
    have = {}
    for c in sp.copied:
        for p in c.packages:
            have[p.name] = p.version
    return all(p.tooling or (p.name in have and (p.version is None or have[p.name] in (None, p.version))) for p in inst.packages)


def _within(path: str, top: str) -> bool:
    top = top.rstrip("/") or "/"
    return top == "/" or path == top or path.startswith(top + "/")


def _poetry_version(ctx) -> Optional[Tuple[int, ...]]:
    """The Poetry version the Dockerfile installs (pip/pipx pin or POETRY_VERSION), if it says."""
    from ..model.runs import commands_before

    env = ctx.command.env
    pinned = env.get("POETRY_VERSION")
    if not pinned:
        for c in commands_before(ctx.stage, ctx.instruction) + [c.shell for c in ctx.earlier]:
            if c.tool in ("pip", "pipx") and c.subcommand == "install":
                for a in c.args:
                    m = re.match(r"^poetry(?:==|===)([0-9][0-9.]*)$", a, re.I)
                    if m:
                        pinned = m.group(1)
                    elif a.lower() == "poetry" or re.match(r"^poetry(?:>=|~=)", a, re.I):
                        pinned = "99"  # the newest release: has --no-cache
    if not pinned:
        return None
    try:
        return tuple(int(x) for x in pinned.split(".")[:2] if x.isdigit())
    except ValueError:
        return None


_PIP_INSTALLERS = ("install", "wheel", "download")


def _cacher(cmd):
    """(label, word to insert the flag after, options that turn the cache off, env variable that
    turns it off, cache-dir variable, cache sub-directory, cleanup subcommands, the flag a fix
    inserts) for an install command that caches downloads; None for anything else."""
    sub = cmd.subcommand
    if cmd.tool == "pip" and sub in _PIP_INSTALLERS:
        return ("pip", sub, ("--no-cache-dir",), "PIP_NO_CACHE_DIR", "PIP_CACHE_DIR", "pip", ("cache purge", "cache"), "--no-cache-dir")
    if cmd.tool == "uv" and sub in ("sync", "pip install", "pip sync", "tool install", "run"):
        if sub == "run":
            return None
        return ("uv", sub.split()[-1], ("--no-cache",), "UV_NO_CACHE", "UV_CACHE_DIR", "uv", ("cache clean", "cache prune", "cache"), "--no-cache")
    if cmd.tool == "poetry" and sub in ("install", "sync"):
        return ("Poetry", sub, ("--no-cache",), "", "POETRY_CACHE_DIR", "pypoetry", ("cache clear", "cache"), "--no-cache")
    if cmd.tool == "pipenv" and sub in ("install", "sync"):
        return ("Pipenv", sub, (), "", "PIPENV_CACHE_DIR", "pipenv", (), "")
    return None


_BUILD_TOOLS = re.compile(r"^(?:gcc(?:-\d+)?|g\+\+(?:-\d+)?|clang(?:-\d+)?|build-base|build-essential|musl-dev|libc6?-dev|cargo|rust|rustc|gfortran|.+-dev|.+-devel)$")
# `-dev` here names an application's development channel, not headers.
_DEV_CHANNELS = ("microsoft-edge-", "google-chrome-", "brave-browser-", "vivaldi-", "opera-", "firefox-", "code-", "thunderbird-")
_GROUPS = r"(?i)^@?(?:development tools|development|c development tools and libraries|development-tools)$"  # compiled on first use


@rule(code="DKL405", name="build-tools-in-final-image", severity="warning", scope="command", tags=("size", "security", "multi-stage"))
def build_tools_in_final_image(ctx) -> Iterator[Hit]:
    """Compilers and development packages installed in the image that ships.

    ## What it does
    Reports `apk add` / `apt-get install` / `dnf install` of compilers and development packages
    (`gcc`, `g++`, `clang`, `build-base`, `build-essential`, `musl-dev`, `*-dev`, `*-devel`,
    `cargo`, `rust`, `gfortran`) in the final stage or a stage it is built `FROM`, unless
    the same `RUN` removes them again (`apk del` of the packages or their `--virtual` group,
    `apt-get purge`/`remove`, or `apt-mark auto` followed by `apt-get purge --auto-remove`, as the
    official images do). Removal in a later `RUN` does not shrink the image.
    Only images that run as a service are judged (see [image roles](../roles.md)): not
    development or CI images, build-only stages, or images meant to be built upon, for which
    compilers are the purpose; nor images that install PyTorch, Triton or DeepSpeed, which
    compile kernels with the system compiler at runtime (`torch.compile`, vLLM, SGLang). The rule
    judges toolchains that are the build dependencies of a Python install (pip, uv, Poetry,
    Pipenv, PDM in the image's stages): in an image that installs no Python packages, what a
    compiler is for is not known (benchmarks and kernel modules compiled at start, IDEs, runtime
    plugin installs), so it says nothing. Development packages
    are reported without a compiler too: they ship headers, static libraries and their
    dependencies that only a build needs.

    ## Why is this bad?
    Toolchains add 100-300 MB, widen the attack surface (a compiler inside a compromised
    container), and are only needed to build.

    ## How to fix
    Build in a builder stage and copy the result (a venv, wheels) into a clean runtime stage;
    or install and remove the build dependencies in the same `RUN`
    (`apk add --virtual .build-deps ... && pip install ... && apk del .build-deps`).

    ## Bad
    ```dockerfile
    FROM python:3.12-slim
    RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev && rm -rf /var/lib/apt/lists/*
    RUN pip install --no-cache-dir psycopg2==2.9.9
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-alpine
    RUN apk add --no-cache --virtual .build-deps gcc musl-dev \
        && pip install --no-cache-dir psycopg2==2.9.9 \
        && apk del .build-deps
    ```
    """
    cmd = ctx.command
    if not ctx.ships or ctx.instruction_context.onbuild:
        return
    rpm = ("dnf", "yum", "microdnf", "tdnf")
    group = cmd.tool in rpm and (cmd.subcommand in ("groupinstall",) or cmd.subcommand in ("group install", "group"))
    if not (cmd.is_("apk", "add") or cmd.is_(_APT, "install") or cmd.is_(rpm, "install") or group):
        return
    names, virtual = package_names(cmd)
    if group:
        tools = [" ".join(cmd.operands[1:] if cmd.subcommand == "group" else cmd.operands)] if any(re.match(_GROUPS, n) for n in (cmd.operands[1:] if cmd.subcommand == "group" else cmd.operands) + (" ".join(cmd.operands),)) else []
    else:
        tools = [n for n in names if _BUILD_TOOLS.match(n) and not n.startswith(_DEV_CHANNELS)]
    if not tools or not _ships_as_service(ctx):
        return
    later = ctx.later
    if _unknown_effect(later):
        return
    if not _python_build_in_chain(ctx):
        return  # not a Python install's build dependency: what the toolchain is for is not known
    removed = set()
    auto = cmd.has("--mark-auto")
    for c in later:
        if c.tool == "apt-mark" and c.subcommand == "auto":
            auto = True  # the docker-library idiom: apt-mark auto '.*' ... purge --auto-remove
        if c.is_("apk", "del") or c.is_(_APT, "purge", "remove", "autoremove") or c.is_(rpm, "remove", "erase", "autoremove", "groupremove"):
            removed.update(package_names(c)[0])
            if group:
                removed.update(tools)
            if auto and (c.subcommand == "autoremove" or c.has("--autoremove")):
                removed.update(names)
    if virtual and virtual in removed:
        return
    left = [t for t in tools if t not in removed]
    if not group:
        before = ctx.stage.os_packages().installed_at(ctx.instruction.index, 0)
        left = [t for t in left if t not in before]  # installed (and reported) by an earlier RUN
    if not left:
        return
    shown = ", ".join(f"`{t}`" for t in left[:2]) + (f" (+{len(left) - 2} more)" if len(left) > 2 else "")
    yield _at(cmd.shell, f"build tools stay in the image: {shown}; build in another stage or remove them in this RUN")


_JIT_COMPILING = frozenset({"torch", "triton", "pytorch-triton", "deepspeed", "vllm", "flashinfer-python", "sglang"})
_FULL_IMAGES = frozenset({"python", "pypy", "node", "ruby", "golang", "rust", "buildpack-deps", "gcc", "perl", "php"})


def _python_build_in_chain(ctx) -> bool:
    """Does this stage (or a stage it is built FROM) install Python packages (pip, uv, Poetry,
    Pipenv, PDM)? A toolchain there is the build dependency of that install. Without
    one, what the toolchain is for is not known: benchmarks and kernel modules compiled at
    start, IDEs, runtime plugin installs, conda-build images."""
    stage = ctx.stage  # this stage and those it is built FROM: the install the toolchain came for
    for st in list(reversed(stage.ancestors)) + [stage]:
        for ins in st.instructions:
            if ins.keyword != "RUN":
                continue
            for tc in st.tool_commands(ins):
                prog = tc.tool.rsplit("/", 1)[-1]
                if prog in ("pip", "pip3", "uv", "poetry", "pipenv", "pdm") or (prog.startswith("python") and tc.args[:2] == ("-m", "pip")):
                    return True
    return False


def _ships_as_service(ctx) -> bool:
    """Build tools matter in an image that runs a service. Not in a development image, a build
    or export stage, a declared base image (configuration, or ONBUILD), nor on the full official
    language images, which ship a compiler toolchain (buildpack-deps) anyway."""
    role = ctx.model.role
    if role.role in ("dev", "build"):
        return False
    if role.role == "base" and not role.weak:
        return False  # compilers in an image to build on serve the images built FROM it (a
        # file that merely sets no command may still be the service: judged)
    sp = ctx.model.plan.for_stage(ctx.stage)
    if sp is not None and any(p.name in _JIT_COMPILING for p in sp.packages):
        return False  # torch.compile / Triton / DeepSpeed build kernels with the C compiler at runtime
    image = ctx.stage.image
    if image is not None and image.registry is None and image.path in _FULL_IMAGES:
        tag = (image.tag or "latest").lower()
        if not any(w in tag for w in ("slim", "alpine", "windows", "nanoserver", "servercore")):
            return False
    return True


def _is_devcontainer(path: str) -> bool:
    from ..analysis.role import is_devcontainer

    return is_devcontainer(path)


def _package_args(cmd, sub_index: int) -> Tuple[List[str], Optional[str]]:
    """Kept for rule modules that have not moved to the command model yet."""
    from ..analysis.ospkg import _names

    if sub_index < 0:
        return [], None
    names, opts = _names(cmd.args[sub_index + 1 :], ("--virtual", "-t", "--repository", "-X", "-o", "--root", "-p", "--setopt", "--enablerepo", "--disablerepo"))
    return [n for n in names if not n.endswith((".deb", ".apk", ".rpm")) and "/" not in n], opts.get("--virtual") or opts.get("-t")


def _apt_config_disables_recommends(stage, ins) -> bool:
    """Kept for rule modules that have not moved to the model function yet."""
    from ..analysis.ospkg import apt_recommends_disabled

    return apt_recommends_disabled(stage, ins)


_RPM_CLEAN = {
    "dnf": ("clean", r"/var/cache/dnf(?:/\*)?"),
    "yum": ("clean", r"/var/cache/yum(?:/\*)?"),
    "microdnf": ("clean", r"/var/cache/(?:yum|dnf)(?:/\*)?"),
    "tdnf": ("clean", r"/var/cache/tdnf(?:/\*)?"),
    "zypper": ("clean", r"/var/cache/zypp(?:/\*)?"),
}


@rule(code="DKL407", name="package-cache-kept", severity="warning", scope="command", tags=("size",), fixable=False, hadolint=("DL3032", "DL3036", "DL3040"))
def package_cache_kept(ctx) -> Iterator[Hit]:
    """`dnf`/`yum`/`microdnf`/`zypper` install without cleaning the package cache in the same RUN.

    ## What it does
    Reports package installs with the RPM-based managers in a stage that ships when the same
    `RUN` does not clean their cache afterwards (`dnf clean all`, `yum clean all`,
    `microdnf clean all`, `zypper clean`, or `rm -rf /var/cache/dnf` and friends) and no
    cache/tmpfs mount covers it.

    ## Why is this bad?
    Repository metadata and downloaded RPMs stay in the layer: often 100 MB or more.

    ## How to fix
    End the `RUN` with `&& dnf clean all` (or the manager's equivalent).

    ## Bad
    ```dockerfile
    FROM fedora:40
    RUN dnf install -y python3
    ```

    ## Good
    ```dockerfile
    FROM fedora:40
    RUN dnf install -y python3 && dnf clean all
    ```
    """
    cmd = ctx.command
    if not _judged(ctx) or cmd.tool not in _RPM_CLEAN:
        return
    if cmd.subcommand not in ("install", "in", "update", "upgrade", "groupinstall", "reinstall", "group install"):
        return
    clean, cache_re = _RPM_CLEAN[cmd.tool]
    cache_dir = cache_re.split("(")[0].replace("\\", "")
    if _covered(cmd, cache_dir) or _covered(cmd, "/var/cache"):
        return
    later = ctx.later
    for c in later:
        if c.tool in _RPM_CLEAN and c.subcommand == "clean" and (c.tool == "zypper" or "all" in c.operands or c.has("--all") or c.tool != cmd.tool):
            return
    if _removes(later, [cache_re, r"/var/cache/(?:dnf|yum|zypp)(?:/\*)?"]) or _unknown_effect(later):
        return
    yield _at(cmd.shell, f"the {cmd.tool} cache stays in the layer: end this RUN with `{cmd.tool} clean{'' if cmd.tool == 'zypper' else ' all'}`")


@rule(code="DKL502", name="os-package-unpinned", severity="info", enabled=False, scope="command", tags=("reproducibility",), hadolint=("DL3008", "DL3018"))
def os_package_unpinned(ctx) -> Iterator[Hit]:
    """OS packages installed without a version (opt-in).

    ## What it does
    Reports `apt-get install` / `apk add` arguments without a version (`curl=8.5.0-2`,
    `curl=8.9.1-r0`). Not enabled by default: enable it with `extend-select = ["DKL502"]`.

    ## Why is this bad?
    Unpinned OS packages make builds non-reproducible. But pinning has a cost: Debian and
    Alpine remove old package versions from their archives, so pinned builds break on the next
    point release — which is why hadolint's users routinely disable its default-on DL3008 and
    DL3018. Pin the base image by digest first; pin packages only if you also maintain the pins.

    ## How to fix
    `apt-get install -y curl=<version>` / `apk add curl=<version>`, or pin the base image digest.

    ## Bad
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache curl
    ```

    ## Good
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache curl=8.9.1-r0
    ```
    """
    cmd = ctx.command
    if not (cmd.is_("apk", "add") or cmd.is_(_APT, "install")):
        return
    unpinned = [a for a in cmd.operands if "$" not in a and not a.endswith((".deb", ".apk")) and "/" not in a and not re.search(r"[=<>~]", a)]
    if unpinned:
        yield _at(cmd.shell, f"OS packages without a version: {', '.join(f'`{p}`' for p in unpinned[:6])}{', ...' if len(unpinned) > 6 else ''}")

