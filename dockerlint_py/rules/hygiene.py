"""DKL4xx and DKL502: package-manager caches, recommends, build tools, pins.

Size rules (DKL401-DKL405, DKL407) judge only stages whose files ship: the final stage (or
``--target``) and the stages it is built ``FROM``. A cache left in a builder stage that is only
copied from does not reach the image. Every rule reads heredoc bodies and ``sh -c`` strings
through the shell-command model and honours BuildKit ``--mount=type=cache|tmpfs``.
"""

from __future__ import annotations

import re
from typing import Iterator, List, Optional, Sequence, Tuple

from ..findings import Hit
from ._base import at_command as _cmd_hit
from ._base import rule

__all__ = ["RULES"]


def _shipped_runs(model):
    """(stage, RUN instruction, commands) for stages that reach the final image."""
    for stage in model.stages:
        if not stage.reaches_final:
            continue
        for ins in stage.instructions:
            if ins.keyword == "RUN":
                yield stage, ins, stage.commands(ins)


def _subcommand(cmd) -> Tuple[Optional[str], int]:
    return cmd.subcommand_at()


def _is(cmd, tools: Sequence[str], subs: Sequence[str]) -> bool:
    return cmd.tool in tools and _subcommand(cmd)[0] in subs


_APT = ("apt-get", "apt", "aptitude")
_LISTS = [r"/var/lib/apt/lists(?:/\*?)?", r"/var/lib/apt(?:/\*)?"]


@rule(code="DKL401", name="apt-lists-not-removed", severity="warning", tags=("size", "apt"), fixable=True, hadolint=("DL3009",))
def apt_lists_not_removed(model) -> Iterator[Hit]:
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

    ## Bad
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends curl
    ```

    ## Good
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends curl \\
        && rm -rf /var/lib/apt/lists/*
    ```
    """
    from ..model.runs import covered_by_mount, mount_targets, removes

    for stage, ins, cmds in _shipped_runs(model):
        if covered_by_mount("/var/lib/apt/lists", mount_targets(stage, ins)):
            continue
        for i, cmd in enumerate(cmds):
            if not _is(cmd, _APT, ("update",)):
                continue
            if any(removes(c, _LISTS) or _is(c, _APT, ("dist-clean",)) for c in cmds[i + 1 :]):
                continue  # apt 3's `dist-clean` removes the lists too
            from ._fixes import append_to_run

            fix = append_to_run(model, ins, cmd, "rm -rf /var/lib/apt/lists/*", "remove the apt lists at the end of the RUN")
            yield _cmd_hit(cmd, "apt lists downloaded here stay in the layer: add `&& rm -rf /var/lib/apt/lists/*` at the end of this RUN (a later RUN cannot shrink this layer), or use a cache mount on /var/lib/apt/lists")._replace(fix=fix)
            break


_RECOMMENDS_OFF = re.compile(r"APT::Install-Recommends\s*[= ]\s*\"?(?:false|0|no)\"?", re.I)


def _apt_config_disables_recommends(stage, ins) -> bool:
    from ..model.runs import commands_before

    for c in commands_before(stage, ins):
        if any(_RECOMMENDS_OFF.search(a) for a in c.argv):
            return True
    for st in list(reversed(stage.ancestors)) + [stage]:
        for i in st.instructions:
            if st is stage and i.index >= ins.index:
                break
            if i.keyword in ("COPY", "ADD"):
                from ..model.runs import copy_args

                _sources, dest = copy_args(st, i)
                if dest and "/etc/apt/apt.conf" in dest:
                    return True  # a config file we cannot read: trust it
                for hd in i.heredocs:
                    if _RECOMMENDS_OFF.search(hd.body):
                        return True
    return False


@rule(code="DKL402", name="apt-install-recommends", severity="warning", tags=("size", "apt"), fixable=True, hadolint=("DL3015",))
def apt_install_recommends(model) -> Iterator[Hit]:
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
    for stage, ins, cmds in _shipped_runs(model):
        for cmd in cmds:
            if not _is(cmd, _APT, ("install",)):
                continue
            if cmd.has_option("--no-install-recommends") or any(_RECOMMENDS_OFF.search(a) for a in cmd.args):
                continue
            if _apt_config_disables_recommends(stage, ins):
                continue
            from ._fixes import insert_after

            fix = insert_after(cmd, "install", " --no-install-recommends", "add --no-install-recommends")
            yield _cmd_hit(cmd, "installs recommended packages too: add `--no-install-recommends` (and list what you need explicitly)")._replace(fix=fix)


@rule(code="DKL403", name="apk-cache-kept", severity="warning", tags=("size", "apk"), fixable=True, hadolint=("DL3019",))
def apk_cache_kept(model) -> Iterator[Hit]:
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
    from ..model.runs import covered_by_mount, mount_targets, removes

    for stage, ins, cmds in _shipped_runs(model):
        targets = mount_targets(stage, ins)
        if covered_by_mount("/var/cache/apk", targets) or covered_by_mount("/etc/apk/cache", targets):
            continue
        for i, cmd in enumerate(cmds):
            if not _is(cmd, ("apk",), ("add",)) or cmd.has_option("--no-cache", "--no-network"):
                continue
            if any(removes(c, [r"/var/cache/apk(?:/\*)?"]) for c in cmds[i + 1 :]):
                continue
            from ._fixes import insert_after

            fix = insert_after(cmd, "add", " --no-cache", "add --no-cache")
            yield _cmd_hit(cmd, "the apk index stays in the layer: use `apk add --no-cache` (then no `apk update` is needed)")._replace(fix=fix)


_PIP_INSTALLERS = ("install", "wheel", "download")


@rule(code="DKL404", name="pip-cache-kept", severity="warning", tags=("size", "python"), fixable=True, hadolint=("DL3042",))
def pip_cache_kept(model) -> Iterator[Hit]:
    """pip, uv or Poetry leave their download cache in the image layer.

    ## What it does
    Reports, in stages that ship: `pip install` without `--no-cache-dir` where `PIP_NO_CACHE_DIR`
    is not set (ENV in the stage or a parent stage, an inline prefix, or an `export`; pip treats
    *any* valid boolean, even `0` or `false`, as "no cache") and no cache/tmpfs mount covers the
    pip cache directory; `uv pip install` / `uv sync` without `--no-cache`/`UV_NO_CACHE` or a mount
    on the uv cache; `poetry install` without `--no-cache` or a mount/cleanup of Poetry's cache;
    `pipenv install|sync` without a mount/cleanup of Pipenv's cache. A later
    `rm -rf ~/.cache/pip` (or `pip cache purge`) in the same `RUN` counts.

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
    from ..model.runs import covered_by_mount, exports_before, mount_targets, removes

    for stage, ins, cmds in _shipped_runs(model):
        targets = mount_targets(stage, ins)
        for i, cmd in enumerate(cmds):
            spec = _cacher(cmd)
            if spec is None:
                continue
            env = dict(stage.vars_at(ins))
            env.update(exports_before(stage, ins, cmd))
            env.update(dict(cmd.env))
            label, after_word, off_flags, off_env, cache_var, subdir, cleanup, flag = spec
            if cmd.has_option(*off_flags) or off_env(env):
                continue
            given = cmd.option_values("--cache-dir") if label == "pip" else []
            home_cache = (env.get("XDG_CACHE_HOME") or env.get("HOME", "/root") + "/.cache") + "/" + subdir
            cache_dir = given[-1] if given else env.get(cache_var) or home_cache
            if cache_dir == "/dev/null" or covered_by_mount(cache_dir, targets):
                continue
            gone = [re.escape(cache_dir) + r"(?:/\*)?", r"(?:/root|~|\$HOME)/\.cache(?:/" + subdir + r")?(?:/\*)?", r"\$" + cache_var + r"(?:/\*)?"]
            later = cmds[i + 1 :]
            if any(removes(c, gone) for c in later) or any(c.tool == cmd.tool and c.args[:2] in cleanup for c in later):
                continue
            from ._fixes import insert_after

            fix = insert_after(cmd, after_word, " " + flag, f"add {flag}") if flag else None
            how = (f"add `{flag}`" if flag else f"remove `{cache_dir}` in the same RUN") + (f", set `ENV {off_env.__doc__}`" if off_env.__doc__ else "")
            yield _cmd_hit(cmd, f"{label} keeps its download cache ({cache_dir}) in the layer: {how}, or mount a cache (`RUN --mount=type=cache,target={cache_dir}`)")._replace(fix=fix)


def _pip_off(env):
    """PIP_NO_CACHE_DIR=1"""
    from ..model.runs import pip_bool_set

    return pip_bool_set(env.get("PIP_NO_CACHE_DIR"))


def _uv_off(env):
    """UV_NO_CACHE=1"""
    from ..model.runs import truthy

    return truthy(env.get("UV_NO_CACHE"))


def _never(env):
    return False


def _cacher(cmd):
    """(label, word to insert the flag after, options that turn the cache off, env check, cache-dir
    variable, cache sub-directory, cleanup subcommands, the flag a fix inserts) for an install
    command that caches downloads; None for anything else."""
    sub = _subcommand(cmd)[0]
    if cmd.tool == "pip" and sub in _PIP_INSTALLERS:
        return ("pip", sub, ("--no-cache-dir",), _pip_off, "PIP_CACHE_DIR", "pip", (("cache", "purge"),), "--no-cache-dir")
    if cmd.tool == "uv" and (sub == "sync" or (sub == "pip" and len(cmd.args) > 1 and cmd.args[1] in ("install", "sync"))):
        word = "sync" if sub == "sync" else cmd.args[1]
        return ("uv", word, ("--no-cache", "--no-cache-dir", "-n"), _uv_off, "UV_CACHE_DIR", "uv", (("cache", "clean"), ("cache", "prune")), "--no-cache")
    if cmd.tool == "poetry" and sub in ("install", "sync"):
        return ("Poetry", sub, ("--no-cache",), _never, "POETRY_CACHE_DIR", "pypoetry", (("cache", "clear"),), "--no-cache")
    if cmd.tool == "pipenv" and sub in ("install", "sync"):
        return ("Pipenv", sub, (), _never, "PIPENV_CACHE_DIR", "pipenv", (), "")
    return None


_BUILD_TOOLS = re.compile(r"^(?:gcc(?:-\d+)?|g\+\+(?:-\d+)?|clang(?:-\d+)?|build-base|build-essential|musl-dev|libc6?-dev|cargo|rust|rustc|gfortran|.+-dev|.+-devel)$")


@rule(code="DKL405", name="build-tools-in-final-image", severity="warning", tags=("size", "security", "multi-stage"))
def build_tools_in_final_image(model) -> Iterator[Hit]:
    """Compilers and development packages installed in the image that ships.

    ## What it does
    Reports `apk add` / `apt-get install` / `dnf install` of compilers and development packages
    (`gcc`, `g++`, `clang`, `build-base`, `build-essential`, `musl-dev`, `*-dev`, `*-devel`,
    `cargo`, `rust`, `gfortran`) in the final stage or a stage it is built `FROM`, unless
    the same `RUN` removes them again (`apk del` of the packages or their `--virtual` group,
    `apt-get purge`/`remove`, or `apt-mark auto` followed by `apt-get purge --auto-remove`, as the
    official images do). Removal in a later `RUN` does not shrink the image.
    Development-container Dockerfiles (under `.devcontainer/`) are not judged: compilers are
    their purpose.

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
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-alpine
    RUN apk add --no-cache --virtual .build-deps gcc musl-dev \\
        && pip install --no-cache-dir psycopg2==2.9.9 \\
        && apk del .build-deps
    ```
    """
    final = model.final_stage
    if final is None or _is_devcontainer(model.path):
        return
    chain = [final] + final.ancestors
    for stage in reversed(chain):
        for ins in stage.instructions:
            if ins.keyword != "RUN":
                continue
            cmds = stage.commands(ins)
            for i, cmd in enumerate(cmds):
                sub, idx = _subcommand(cmd)
                if not ((cmd.tool == "apk" and sub == "add") or (cmd.tool in _APT and sub == "install") or (cmd.tool in ("dnf", "yum", "microdnf") and sub == "install")):
                    continue
                names, virtual = _package_args(cmd, idx)
                tools = [n for n in names if _BUILD_TOOLS.match(n)]
                if not tools:
                    continue
                removed = set()
                marked_auto = False
                for c in cmds[i + 1 :]:
                    csub, cidx = _subcommand(c)
                    if c.tool == "apt-mark" and csub == "auto":
                        marked_auto = True  # the docker-library idiom: apt-mark auto '.*' ... purge --auto-remove
                    if (c.tool == "apk" and csub == "del") or (c.tool in _APT and csub in ("purge", "remove", "autoremove")) or (c.tool in ("dnf", "yum") and csub in ("remove", "erase")):
                        removed.update(_package_args(c, cidx)[0])
                        if marked_auto and (csub == "autoremove" or c.has_option("--auto-remove", "--autoremove")):
                            removed.update(names)
                if virtual and virtual in removed:
                    continue
                left = [t for t in tools if t not in removed]
                if not left:
                    continue
                where = "the final stage" if stage is final else f"stage `{stage.label}`, which the final stage is built on"
                yield _cmd_hit(cmd, f"build tools installed in {where} stay in the shipped image: {', '.join(f'`{t}`' for t in left[:8])}{'...' if len(left) > 8 else ''}; build in a separate stage and copy the result, or remove them in the same RUN")


def _is_devcontainer(path: str) -> bool:
    """A Dockerfile of a development container (`.devcontainer/`): compilers are its purpose,
    and its user is set by devcontainer.json (`remoteUser`), not by USER."""
    p = path.replace("\\", "/")
    return p.startswith(".devcontainer/") or "/.devcontainer/" in p


def _package_args(cmd, sub_index: int) -> Tuple[List[str], Optional[str]]:
    from ..model.ospkg import _names

    if sub_index < 0:
        return [], None
    names, opts = _names(cmd.args[sub_index + 1 :], ("--virtual", "-t", "--repository", "-X", "-o", "--root", "-p", "--setopt", "--enablerepo", "--disablerepo"))
    return [n for n in names if not n.endswith((".deb", ".apk", ".rpm")) and "/" not in n], opts.get("--virtual") or opts.get("-t")


_RPM_CLEAN = {
    "dnf": (("clean", "all"), r"/var/cache/dnf(?:/\*)?"),
    "yum": (("clean", "all"), r"/var/cache/yum(?:/\*)?"),
    "microdnf": (("clean", "all"), r"/var/cache/(?:yum|dnf)(?:/\*)?"),
    "tdnf": (("clean", "all"), r"/var/cache/tdnf(?:/\*)?"),
    "zypper": (("clean",), r"/var/cache/zypp(?:/\*)?"),
}


@rule(code="DKL407", name="package-cache-kept", severity="warning", tags=("size",), fixable=False, hadolint=("DL3032", "DL3036", "DL3040"))
def package_cache_kept(model) -> Iterator[Hit]:
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
    from ..model.runs import covered_by_mount, mount_targets, removes

    for stage, ins, cmds in _shipped_runs(model):
        targets = mount_targets(stage, ins)
        for i, cmd in enumerate(cmds):
            if cmd.tool not in _RPM_CLEAN:
                continue
            sub, _ = _subcommand(cmd)
            if sub not in ("install", "in", "update", "upgrade", "groupinstall", "reinstall"):
                continue
            clean_args, cache_re = _RPM_CLEAN[cmd.tool]
            cache_dir = cache_re.split("(")[0].replace("\\", "")
            if covered_by_mount(cache_dir, targets) or covered_by_mount("/var/cache", targets):
                continue
            cleaned = False
            for c in cmds[i + 1 :]:
                if c.tool == cmd.tool and _subcommand(c)[0] == clean_args[0] and (len(clean_args) == 1 or clean_args[1] in c.args or "--all" in c.args or "-a" in c.args):
                    cleaned = True
                elif c.tool in _RPM_CLEAN and c.tool != cmd.tool and _subcommand(c)[0] == "clean":
                    cleaned = True  # yum is dnf on newer distros
                elif removes(c, [cache_re, r"/var/cache/(?:dnf|yum|zypp)(?:/\*)?"]):
                    cleaned = True
            if not cleaned:
                yield _cmd_hit(cmd, f"the {cmd.tool} cache stays in the layer: end this RUN with `&& {cmd.tool} {' '.join(clean_args)}`")
                break


@rule(code="DKL502", name="os-package-unpinned", severity="info", enabled=False, tags=("reproducibility",), hadolint=("DL3008", "DL3018"))
def os_package_unpinned(model) -> Iterator[Hit]:
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
    for stage in model.stages:
        for ins in stage.instructions:
            if ins.keyword != "RUN":
                continue
            for cmd in stage.commands(ins):
                sub, idx = _subcommand(cmd)
                if not ((cmd.tool == "apk" and sub == "add") or (cmd.tool in _APT and sub == "install")):
                    continue
                rest = cmd.args[idx + 1 :]
                unpinned = []
                skip_next = False
                for a in rest:
                    if skip_next:
                        skip_next = False
                        continue
                    if a in ("--virtual", "-t", "-o", "--repository", "-X", "-t"):
                        skip_next = True
                        continue
                    if a.startswith("-") or "$" in a or a.endswith((".deb", ".apk")) or "/" in a:
                        continue
                    if re.search(r"[=<>~]", a):
                        continue
                    unpinned.append(a)
                if unpinned:
                    yield _cmd_hit(cmd, f"OS packages without a version: {', '.join(f'`{p}`' for p in unpinned[:10])}{'...' if len(unpinned) > 10 else ''}")


RULES = [apt_lists_not_removed, apt_install_recommends, apk_cache_kept, pip_cache_kept, build_tools_in_final_image, package_cache_kept, os_package_unpinned]
