"""DKL3xx: TLS and CA bundles.

CA facts about base images come from the knowledge base and are used only where verified
(``debian:*-slim``, ``ubuntu``: no CA bundle; ``alpine``: a bundle; ``python:*``: a bundle). On
Debian, ``python3-pip`` and ``python3-venv`` depend on ``ca-certificates``; ``curl``, ``wget``,
``git`` and ``python3`` only recommend it, so ``--no-install-recommends`` leaves it out (V-apt,
shared/knowledge/README.md section C.3). pip, uv and ``requests`` carry their own bundle
(certifi) and are never reported.
"""

from __future__ import annotations

import re
from typing import Iterator, List, Optional

from ..contexts import CommandContext, InstructionContext
from ..findings import Hit, Related
from ._base import at, rule
from ._base import at_command as _cmd_hit

__all__ = ["RULES"]

def _no_ca_base(stage) -> bool:
    facts = stage.facts
    return bool(facts is not None and facts.ca is False and facts.verified == "S" and facts.pkg == "apt")


def _packages(tc) -> List[str]:
    from ..analysis.ospkg import package_names

    return package_names(tc)[0]


def _ca_installed(stage, until_ins, until_cmd_index: Optional[int]) -> Optional[bool]:
    """Did anything install a CA bundle before that point (or by the end when ``until_ins`` is
    None)? True / False, or None when an installed package has unknown dependencies."""
    from ..knowledge import apt_ca_relation
    from ..analysis.ospkg import apt_recommends_disabled as recommends_disabled

    unknown = False
    chain = list(reversed(stage.ancestors)) + [stage]
    for st in chain:
        for ins in st.instructions:
            if st is stage and until_ins is not None and ins.index > until_ins.index:
                return None if unknown else False
            if ins.keyword in ("COPY", "ADD"):
                from ..model.runs import copy_args

                sources, dest = copy_args(st, ins)
                if dest and ("/etc/ssl/certs" in dest or any("ca-certificates" in w or "/etc/ssl/certs" in w for w in sources)):
                    return True
                continue
            if ins.keyword != "RUN":
                continue
            for k, tc in enumerate(st.tool_commands(ins)):
                if st is stage and until_ins is not None and ins.index == until_ins.index and until_cmd_index is not None and k >= until_cmd_index:
                    break
                if tc.is_(("apt-get", "apt", "aptitude"), "install"):
                    recommends = not tc.has("--no-install-recommends", "--without-recommends") and not any("Install-Recommends" in a for a in tc.args) and not recommends_disabled(st, ins)
                    for n in _packages(tc):
                        rel = apt_ca_relation(n)
                        if rel == "depends" or (rel == "recommends" and recommends):
                            return True
                        if rel is None or (rel == "neither_without_recommends" and recommends):
                            unknown = True  # dependencies (or recommends) not in the knowledge base
                    if any("$" in a for a in tc.operands):
                        unknown = True
                elif tc.is_("apk", "add"):
                    if "ca-certificates" in _packages(tc):
                        return True
                elif tc.tool in ("update-ca-certificates", "dpkg", "conda", "mamba", "micromamba"):
                    if tc.tool == "update-ca-certificates":
                        return True
                    unknown = True  # packages from elsewhere: unknown contents
    return None if unknown else False


def _https_args(cmd) -> List[str]:
    return [a for a in cmd.args if a.startswith("https://")]


def _tls_use(cmd) -> Optional[str]:
    """Why this command (a :class:`~dockerlint_py.model.commands.ToolCommand`) needs the system
    CA store, or None."""
    if cmd.tool == "curl" and _https_args(cmd) and not cmd.has("--insecure"):
        return f"curl fetches {_https_args(cmd)[0]}"
    if cmd.tool == "wget" and _https_args(cmd) and not cmd.has("--no-check-certificate"):
        return f"wget fetches {_https_args(cmd)[0]}"
    if cmd.tool == "git":
        sub = cmd.subcommand
        if sub in ("clone", "fetch", "pull", "ls-remote", "submodule") and any(a.startswith("https://") or a.startswith("git+https://") for a in cmd.args):
            if any(a.lower().startswith("http.sslverify=") for a in cmd.args):
                return None
            return f"git {sub} over https"
    return None


def _https_apt_source_before(stage, ins, cmd_index: int) -> bool:
    from ..model.runs import commands_before

    cmds = list(commands_before(stage, ins)) + list(stage.commands(ins))[:cmd_index]
    for c in cmds:
        for a in c.args:
            if re.search(r"\bdeb(?:-src)?\s+(?:\[[^\]]*\]\s+)?https://", a) or (c.tool == "add-apt-repository" and "https://" in a):
                return True
    return False


@rule(code="DKL301", name="ca-certificates-missing", severity="error", scope="command", tags=("tls", "build"))
def ca_certificates_missing(ctx: CommandContext) -> Iterator[Hit]:
    """A build step uses HTTPS through system tools on a base without a CA bundle.

    ## What it does
    Reports `curl`/`wget` of an `https://` URL, `git clone|fetch|pull` over https, and `apt-get`
    against an https repository configured earlier, in a stage whose base image has no CA
    bundle (`debian:*-slim`, `ubuntu`) when nothing installed one before that command:
    `ca-certificates` itself, a package that depends on it (`python3-pip`, `python3-venv`), or
    `curl`/`wget`/`git`/`python3` installed *with* recommends. It stays silent when the stage
    installed packages whose dependencies are not in the knowledge base (one of them may pull
    `ca-certificates` in). pip, uv and `requests` bring their own bundle (certifi) and are
    never reported.

    ## Why is this bad?
    The step fails with `curl: (77) error setting certificate file` /
    `server certificate verification failed` — typically after someone added
    `--no-install-recommends`, which silently drops `ca-certificates`.

    ## How to fix
    Install it explicitly: `apt-get install -y --no-install-recommends ca-certificates curl`.

    ## Bad
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \\
        && curl -fsSL https://example.com/install.sh -o /tmp/install.sh
    ```

    ## Good
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/* \\
        && curl -fsSL https://example.com/install.sh -o /tmp/install.sh
    ```
    """
    stage, ins, cmd = ctx.stage, ctx.instruction, ctx.command
    if not _no_ca_base(stage):
        return
    why = _tls_use(cmd)
    if why is None and cmd.is_(("apt-get", "apt"), "update", "install") and _https_apt_source_before(stage, ins, cmd.index):
        why = "apt reads an https repository configured above"
    if why is None or _ca_installed(stage, ins, cmd.index) is not False:
        return
    yield _cmd_hit(cmd.shell, f"{why}, but `{stage.image.raw if stage.image else 'the base'}` has no CA bundle and nothing installed `ca-certificates` before this point (`--no-install-recommends` leaves it out): certificate verification will fail. Install `ca-certificates` first")


def _runtime_tls_reason(model, stage) -> Optional[str]:
    """Why the shipped image will make TLS connections through the system store."""
    for ins in reversed((stage.from_instruction,) + tuple(stage.instructions)):
        if ins.keyword not in ("CMD", "ENTRYPOINT", "HEALTHCHECK"):
            continue
        from ..model.runs import exec_commands

        from ..model.commands import parse_tool_command

        for i, sh in enumerate(exec_commands(stage, ins)):
            why = _tls_use(parse_tool_command(sh, sh.args, stage.env, None, (), i))
            if why:
                return f"its {ins.keyword} runs {why.replace('fetches', 'on')}"
    from ..analysis.ospkg import os_packages

    # Only the distribution's own Python is known to use the system store; a Python copied in
    # (a conda env, a python:* stage) may bring its own OpenSSL and bundle.
    distro_python = any(re.fullmatch(r"python3(?:\.\d+)?", n) for n in os_packages(stage).explicit_at_end())
    if distro_python:
        return (
            "it ships the distribution's Python, whose `ssl.create_default_context()` — used by urllib, http.client, "
            "smtplib, aiohttp and others — verifies against the system store (requests, httpx and botocore bring certifi and are unaffected)"
        )
    return None


@rule(code="DKL302", name="runtime-ca-certificates-missing", severity="warning", tags=("tls", "runtime"))
def runtime_ca_certificates_missing(model) -> Iterator[Hit]:
    """The image ships without a CA bundle but will make TLS connections at runtime.

    ## What it does
    For the final stage: its base has no CA bundle (`debian:*-slim`, `ubuntu`), nothing
    installed one (directly or through a package that depends on it) or copied one to
    `/etc/ssl/certs`, no `SSL_CERT_FILE` points elsewhere, and the image runs something that
    verifies TLS against the system store: the distribution's Python (the standard library's
    default SSL context), or a `CMD`/`ENTRYPOINT`/`HEALTHCHECK` that calls curl/wget on
    https. The message says which. A Python copied in from elsewhere (a conda environment,
    another image) may bring its own OpenSSL and bundle and is not judged; neither is a stage
    that installs packages whose dependencies on `ca-certificates` are not known.

    ## Why is this bad?
    Every HTTPS call that does not bring its own bundle fails in production with
    `CERTIFICATE_VERIFY_FAILED`, often only on the first code path that talks to an external
    API.

    ## How to fix
    `apt-get install -y --no-install-recommends ca-certificates` in the final stage, or copy
    `/etc/ssl/certs/ca-certificates.crt` from a stage that has it.

    ## Bad
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*
    COPY app.py /app.py
    CMD ["python3", "/app.py"]
    ```

    ## Good
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y --no-install-recommends python3 ca-certificates && rm -rf /var/lib/apt/lists/*
    COPY app.py /app.py
    CMD ["python3", "/app.py"]
    ```
    """
    stage = model.final_stage
    if stage is None or not _no_ca_base(stage):
        return
    if any(k in stage.env for k in ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE")):
        return
    if _ca_installed(stage, None, None) is not False:
        return
    reason = _runtime_tls_reason(model, stage)
    if reason is None:
        return
    ins = stage.from_instruction
    yield Hit(ins.start_line, ins.start_column, ins.end_line, ins.end_column, f"the final image has no CA bundle (`{stage.image.raw if stage.image else ''}` ships none and nothing installs `ca-certificates`), but {reason}: HTTPS calls will fail with CERTIFICATE_VERIFY_FAILED. Install `ca-certificates` in this stage")


_PY_HTTPS = "turns off certificate verification in distribution Pythons patched for PEP 493 (RHEL/CentOS; upstream CPython ignores it)"
_ENV_INSECURE = (
    ("PYTHONHTTPSVERIFY", lambda v: v.strip() == "0", _PY_HTTPS),
    ("GIT_SSL_NO_VERIFY", lambda v: True, "makes git skip certificate verification (any value counts)"),
    ("NODE_TLS_REJECT_UNAUTHORIZED", lambda v: v.strip() == "0", "makes Node.js accept any certificate"),
    ("PIP_TRUSTED_HOST", lambda v: bool(v.strip()), "makes pip accept any certificate (and plain HTTP) from those hosts"),
    ("UV_INSECURE_HOST", lambda v: bool(v.strip()), "makes uv accept any certificate from those hosts"),
)


def _upstream_python(stage) -> bool:
    """The stage's Python is an upstream build (the python/pypy images), which never reads
    PYTHONHTTPSVERIFY: the setting does nothing there."""
    facts = stage.facts
    return bool(facts is not None and facts.family in ("python", "pypy"))


def _env_insecure(stage, name: str, value: str) -> Optional[str]:
    for key, bad, why in _ENV_INSECURE:
        if key == name and bad(value):
            if key == "PYTHONHTTPSVERIFY" and _upstream_python(stage):
                return None  # no effect on upstream CPython: nothing is disabled
            return why
    return None


def _insecure_cmd(stage, cmd) -> Optional[str]:
    """Why a command (a ToolCommand) turns verification off, or None."""
    t = cmd.tool
    if t == "curl" and cmd.has("--insecure"):
        return "`curl -k/--insecure` accepts any certificate"
    if t == "wget" and cmd.has("--no-check-certificate"):
        return "`wget --no-check-certificate` accepts any certificate"
    if t == "pip" and cmd.has("--trusted-host"):
        return "`pip --trusted-host` accepts any certificate (and plain HTTP) from that host"
    if t == "uv" and cmd.has("--allow-insecure-host", "--trusted-host"):
        return "`uv --allow-insecure-host` accepts any certificate from that host"
    if t == "apk" and cmd.has("--allow-untrusted"):
        return "`apk --allow-untrusted` installs packages without checking their signature"
    if t in ("apt-get", "apt") and cmd.has("--force-yes"):
        return "`apt-get --force-yes` also accepts unauthenticated packages (and downgrades): drop it" + ("" if cmd.has("--yes", "--assume-yes") else " and use `-y`")
    if t in ("apt-get", "apt") and (cmd.has("--allow-unauthenticated", "--allow-insecure-repositories") or any(re.search(r"Verify-(?:Peer|Host)\s*=\s*(?:false|0)|AllowInsecureRepositories\s*=\s*(?:true|1)|AllowUnauthenticated\s*=\s*(?:true|1)", a, re.I) for a in cmd.args)):
        return "apt is told to accept unauthenticated packages or unverified repositories"
    if t == "git":
        args = [a.lower() for a in cmd.args]
        for i, a in enumerate(args):
            if re.match(r"^http\.(?:[^=]*\.)?sslverify=(?:false|0|no|off)$", a):
                return "`git -c http.sslVerify=false` disables certificate verification"
            if a == "config" and any(re.match(r"^http\.(?:.*\.)?sslverify$", x) for x in args[i + 1 :]) and args and args[-1] in ("false", "0", "no", "off"):
                return "`git config http.sslVerify false` disables certificate verification"
    if t == "npm" and (any(a in ("--strict-ssl=false",) for a in cmd.args) or (tuple(cmd.args[:2]) == ("config", "set") and "strict-ssl" in cmd.args and cmd.args[-1] == "false")):
        return "npm's `strict-ssl false` disables certificate verification"
    for k, v in cmd.shell.env:
        why = _env_insecure(stage, k, v)
        if why:
            return f"`{k}={v}` {why}"
    if t == "export":
        for a in cmd.args:
            k, eq, v = a.partition("=")
            why = _env_insecure(stage, k, v) if eq else None
            if why:
                return f"`{k}={v}` {why}"
    return None


_CHECKSUM_TOOLS = frozenset({"sha256sum", "sha384sum", "sha512sum", "sha224sum", "b2sum", "shasum"})


def _verified_later(later) -> bool:
    """Does a later command of the RUN check the download against a known digest or signature
    (`sha256sum -c`, `shasum -a 256 -c`, `gpg --verify`, `gpgv`)? Then an unverified TLS
    connection cannot slip in other content: the download is authenticated another way."""
    for c in later:
        prog = c.tool.rsplit("/", 1)[-1]
        if prog in _CHECKSUM_TOOLS and any(a in ("-c", "--check") or (a.startswith("-") and not a.startswith("--") and "c" in a[1:] and a[1:].isalpha()) for a in c.args):
            return True
        if prog in ("gpg", "gpg2") and any(a in ("--verify", "--verify-files") for a in c.args) or prog == "gpgv":
            signed = [a for a in c.args if not a.startswith("-")]
            # a signed checksum list authenticates the list; the download still needs `sha*sum -c`
            if not any(re.search(r"(?i)(?:\.sha\d*|\.md5|sums?)(?:\.(?:asc|sig|gpg))?$", a) for a in signed[:2]):
                return True
    return False


@rule(code="DKL303", name="tls-verification-disabled", severity="error", scope="instruction", tags=("tls", "security"), security_severity=7.4)
def tls_verification_disabled(ctx: InstructionContext) -> Iterator[Hit]:
    """TLS certificate or package signature verification is turned off.

    ## What it does
    Reports `curl -k/--insecure`, `wget --no-check-certificate`, `pip --trusted-host` (on the
    command line, in a requirements file, or `PIP_TRUSTED_HOST`), `uv --allow-insecure-host`,
    `PYTHONHTTPSVERIFY=0` (except on the python/pypy images, whose upstream Python ignores it;
    distribution Pythons patched for PEP 493, such as RHEL's, honour it), `GIT_SSL_NO_VERIFY`, `git -c http.sslVerify=false` /
    `git config http.sslVerify false`, `apk --allow-untrusted`,
    `apt-get --allow-unauthenticated` and `--force-yes` (which implies it),
    `NODE_TLS_REJECT_UNAUTHORIZED=0` and npm's
    `strict-ssl false`, in `ENV`, inline prefixes, `export`s and commands of every stage.
    A `curl`/`wget` download that the same `RUN` then checks against a digest or signature
    (`sha256sum -c`, `shasum -a 256 -c`, `gpg --verify`, `gpgv`) is not reported: its content is
    authenticated another way. Printing a checksum (`sha512sum file`) checks nothing.

    ## Why is this bad?
    Anyone on the network path (a proxy, a compromised mirror, a hostile Wi-Fi on a laptop
    build) can substitute what gets downloaded and installed: code execution in your build
    and your image. An `ENV` also keeps verification off at runtime.

    ## How to fix
    Install the CA bundle (`ca-certificates`) or the corporate CA (`COPY corp-ca.crt
    /usr/local/share/ca-certificates/ && update-ca-certificates`; `PIP_CERT`) instead.

    ## Bad
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install --no-cache-dir --trusted-host pypi.example.com flask==3.0.3
    ```

    ## Good
    ```dockerfile
    FROM python:3.12-slim
    COPY corp-ca.crt /usr/local/share/ca-certificates/corp-ca.crt
    RUN update-ca-certificates && PIP_CERT=/etc/ssl/certs/ca-certificates.crt pip install --no-cache-dir flask==3.0.3
    ```
    """
    from ..model.resolve import env_pairs

    stage, ins, body = ctx.stage, ctx.instruction, ctx.body
    if body.keyword == "ENV":
        for key_name, value in env_pairs(body.args_text, ctx.env.get):
            why = _env_insecure(stage, key_name, value)
            if why:
                yield at(ins, f"`{key_name}={value}` {why}, for every later build step and at runtime")
                return
        return
    if body.keyword != "RUN":
        return
    commands = list(ctx.commands)
    found = [(cmd, why) for i, cmd in enumerate(commands) for why in (_insecure_cmd(stage, cmd),) if why and not (cmd.tool in ("curl", "wget") and _verified_later(commands[i + 1 :]))]
    if found:
        # one finding per RUN: the first, with the others as related locations
        first, why = found[0]
        related = tuple(Related(ctx.model.path, c.line, c.column, w) for c, w in found[1:] if w != why or c.line != first.line)
        yield _cmd_hit(first.shell, why + (f" (and {len(related)} more in this RUN)" if related else ""), related)
    plan = ctx.model.plan.for_stage(stage)
    for inst in plan.installs if plan else ():
        if inst.instruction is not ins and inst.instruction is not body:
            continue
        if inst.options.get("trusted-host") and inst.command is not None and not inst.command.has_option("--trusted-host"):
            yield _cmd_hit(inst.command, f"the requirements file read here sets `--trusted-host {inst.options['trusted-host'][0]}`: pip accepts any certificate (and plain HTTP) from that host")


RULES = [ca_certificates_missing, runtime_ca_certificates_missing, tls_verification_disabled]
