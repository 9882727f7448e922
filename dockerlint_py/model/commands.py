"""The command model: every command of every RUN as a typed, tool-aware command.

The shell model (:mod:`.shell`) turns a RUN script into simple commands (words, positions, env
prefixes, ``sh -c`` nests, wrappers). This module reads each of them the way the tool itself
reads its command line:

* the **subcommand** is found after the tool's global options, skipping their values
  (``pip --no-cache-dir install``, ``apk --no-cache add``, ``apt-get -o X=1 -y install``,
  ``uv pip install``, ``uv tool install``, ``poetry self add``);
* **options are canonicalised** the way the tool parses them: short aliases become long names
  (``apk -U`` -> ``--update-cache``), short clusters are split (``apt-get -qqy``), ``--opt=value``
  and ``--opt value`` are one thing, and for pip (optparse) an unambiguous prefix of a long
  option is that option (``--no-cache`` -> ``--no-cache-dir``);
* the remaining words are the **operands** (package names, requirement specifiers, paths);
* the command carries the **environment** (ENV, ARG, prefix assignments and earlier ``export``s),
  the **user** and the **BuildKit mounts** in effect.

Rules read :class:`ToolCommand`; none of them splits arguments itself.
"""

from __future__ import annotations

import posixpath
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

from .._record import Record
from .shell import Command

__all__ = ["Grammar", "GRAMMARS", "grammar", "Mount", "ToolCommand", "parse_tool_command", "parse_mounts", "canonical_option"]


class Grammar(Record):
    """How a tool reads its command line."""

    value_options: FrozenSet[str]  # long names (canonical) that take a value
    aliases: Mapping[str, str]  # short or alternative spelling -> canonical long name
    long_names: FrozenSet[str] = frozenset()  # every known long option (for abbreviations)
    abbreviations: bool = False  # optparse/argparse-style unambiguous prefixes
    sub_depth: Mapping[str, int] = {}  # first subcommand word -> number of subcommand words


def _g(values: Iterable[str], aliases: Mapping[str, str], flags: Iterable[str] = (), *, abbreviations: bool = False, sub_depth: Optional[Mapping[str, int]] = None) -> Grammar:
    vals = frozenset(values)
    return Grammar(vals, dict(aliases), frozenset(vals) | frozenset(flags) | frozenset(v for v in aliases.values()), abbreviations, dict(sub_depth or {}))


def _build_grammars() -> Dict[str, Grammar]:
    """The tools' grammars, built on first use (start-up: ~20 frozensets per tool)."""
    # pip (optparse: unambiguous long-option prefixes are accepted). General and install options.
    _PIP_VALUES = (
        "--requirement", "--constraint", "--editable", "--target", "--platform", "--python-version",
        "--implementation", "--abi", "--root", "--prefix", "--src", "--upgrade-strategy",
        "--install-option", "--global-option", "--config-settings", "--progress-bar",
        "--root-user-action", "--report", "--index-url", "--extra-index-url", "--find-links",
        "--no-binary", "--only-binary", "--trusted-host", "--cache-dir", "--log", "--log-file",
        "--proxy", "--retries", "--timeout", "--exists-action", "--cert", "--client-cert", "--python",
        "--use-feature", "--use-deprecated", "--keyring-provider", "--group", "--wheel-dir", "--dest",
        "--build-option", "--resume-retries",
    )
    _PIP_FLAGS = (
        "--no-cache-dir", "--upgrade", "--force-reinstall", "--ignore-installed", "--ignore-requires-python",
        "--no-deps", "--pre", "--user", "--no-build-isolation", "--use-pep517", "--no-use-pep517",
        "--check-build-dependencies", "--break-system-packages", "--prefer-binary", "--require-hashes",
        "--no-clean", "--compile", "--no-compile", "--no-warn-script-location", "--no-warn-conflicts",
        "--no-index", "--quiet", "--verbose", "--isolated", "--disable-pip-version-check", "--no-color",
        "--no-input", "--no-python-version-warning", "--dry-run", "--require-virtualenv", "--yes",
        "--help", "--version", "--debug",
    )
    _PIP = _g(
        _PIP_VALUES,
        {"-r": "--requirement", "-c": "--constraint", "-e": "--editable", "-t": "--target", "-i": "--index-url",
         "-f": "--find-links", "-U": "--upgrade", "-I": "--ignore-installed", "-q": "--quiet", "-v": "--verbose",
         "-C": "--config-settings", "-w": "--wheel-dir", "-d": "--dest", "-y": "--yes", "-h": "--help", "-V": "--version"},
        _PIP_FLAGS,
        abbreviations=True,
    )

    _UV = _g(
        ("--requirement", "--requirements", "--constraint", "--constraints", "--override", "--editable", "--target", "--prefix", "--python",
         "--python-platform", "--python-version", "--index-url", "--extra-index-url", "--index", "--default-index", "--find-links",
         "--no-binary", "--only-binary", "--cache-dir", "--group", "--extra", "--only-group", "--no-group", "--package",
         "--output-file", "--directory", "--project", "--config-file", "--with", "--from", "--index-strategy",
         "--resolution", "--prerelease", "--link-mode", "--exclude-newer", "--keyring-provider", "--color", "--no-install-package",
         "--python-preference", "--reinstall-package", "--upgrade-package", "--refresh-package", "--no-build-package",
         "--no-build-isolation-package", "--config-setting", "--format", "--fork-strategy", "--torch-backend"),
        {"-r": "--requirement", "-c": "--constraint", "-e": "--editable", "-t": "--target", "-p": "--python", "-i": "--index-url",
         "-f": "--find-links", "-o": "--output-file", "-q": "--quiet", "-v": "--verbose", "-n": "--no-cache", "-U": "--upgrade",
         "-P": "--upgrade-package", "-C": "--config-setting", "--requirements": "--requirement", "--constraints": "--constraint",
         "--no-cache-dir": "--no-cache"},  # uv keeps pip's spelling as a hidden alias
        ("--no-cache", "--system", "--break-system-packages", "--frozen", "--locked", "--no-dev", "--all-extras", "--all-groups",
         "--no-install-project", "--no-editable", "--compile-bytecode", "--upgrade", "--quiet", "--verbose", "--offline",
         "--no-deps", "--reinstall", "--native-tls", "--inexact", "--exact", "--no-sources", "--strict", "--dev"),
        sub_depth={"pip": 2, "tool": 2, "python": 2, "cache": 2, "self": 2},
    )

    _POETRY = _g(
        ("--with", "--without", "--only", "--extras", "--directory", "--project", "--group", "--output", "--format", "--source", "--python"),
        {"-E": "--extras", "-C": "--directory", "-P": "--project", "-o": "--output", "-f": "--format", "-G": "--group",
         "-n": "--no-interaction", "-q": "--quiet", "-v": "--verbose"},
        ("--no-root", "--no-dev", "--sync", "--no-interaction", "--no-ansi", "--compile", "--all-extras", "--dry-run",
         "--no-cache", "--only-root", "--without-hashes", "--without-urls", "--all-groups", "--quiet", "--verbose", "--no-directory"),
        sub_depth={"self": 2, "env": 2, "source": 2, "cache": 2, "config": 1},
    )

    _PIPENV = _g(
        ("--python", "--categories", "--extra-pip-args", "--requirements", "--pypi-mirror"),
        {"-r": "--requirements", "-d": "--dev", "-q": "--quiet", "-v": "--verbose"},
        ("--system", "--deploy", "--ignore-pipfile", "--dev", "--skip-lock", "--clear", "--quiet", "--verbose", "--selective-upgrade", "--site-packages"),
    )

    _PDM = _g(
        ("--group", "--project", "--lockfile", "--venv", "--without"),
        {"-G": "--group", "-p": "--project", "-L": "--lockfile", "-d": "--dev", "-v": "--verbose", "-q": "--quiet", "-g": "--global"},
        ("--prod", "--production", "--no-self", "--no-editable", "--frozen-lockfile", "--check", "--dev", "--no-default",
         "--no-isolation", "--global", "--fail-fast", "--clean", "--only-keep", "--dry-run"),
    )

    _APT = _g(
        ("--option", "--config-file", "--target-release", "--host-architecture"),
        {"-o": "--option", "-c": "--config-file", "-t": "--target-release", "-a": "--host-architecture", "-y": "--yes",
         "-q": "--quiet", "-s": "--simulate", "-d": "--download-only", "-f": "--fix-broken", "-m": "--ignore-missing",
         "-u": "--show-upgraded", "-b": "--compile", "-V": "--verbose-versions", "-h": "--help",
         "--assume-yes": "--yes", "--force-yes": "--force-yes", "--no-install-suggests": "--no-install-suggests",
         "--just-print": "--simulate", "--dry-run": "--simulate", "--recon": "--simulate", "--no-act": "--simulate",
         "--auto-remove": "--autoremove"},
        ("--yes", "--quiet", "--no-install-recommends", "--install-recommends", "--no-install-suggests", "--force-yes",
         "--allow-unauthenticated", "--allow-downgrades", "--allow-remove-essential", "--allow-change-held-packages",
         "--purge", "--autoremove", "--fix-missing", "--fix-broken", "--reinstall", "--mark-auto", "--no-upgrade",
         "--only-upgrade", "--simulate", "--download-only", "--ignore-missing", "--assume-no", "--list-cleanup"),
    )

    _APTITUDE = _g(
        ("--option", "--target-release"),
        {"-o": "--option", "-t": "--target-release", "-y": "--assume-yes", "-q": "--quiet", "-R": "--without-recommends",
         "-r": "--with-recommends", "-s": "--simulate", "-d": "--download-only", "-f": "--fix-broken", "--yes": "--assume-yes"},
        ("--assume-yes", "--quiet", "--without-recommends", "--with-recommends", "--simulate", "--download-only", "--purge-unused"),
    )

    _APK = _g(
        ("--virtual", "--repository", "--root", "--keys-dir", "--arch", "--cache-dir", "--repositories-file", "--allow-untrusted-keys"),
        {"-t": "--virtual", "-X": "--repository", "-p": "--root", "-U": "--update-cache", "-q": "--quiet", "-v": "--verbose",
         "-i": "--interactive", "-f": "--force", "-s": "--simulate", "-u": "--upgrade", "-l": "--latest", "-a": "--available",
         "-r": "--rdepends", "-h": "--help"},
        ("--no-cache", "--no-network", "--update-cache", "--quiet", "--verbose", "--interactive", "--force", "--simulate",
         "--upgrade", "--latest", "--available", "--allow-untrusted", "--purge", "--no-scripts", "--clean-protected",
         "--force-broken-world", "--force-overwrite", "--initdb", "--no-progress", "--progress", "--wait", "--rdepends"),
    )

    _RPM = _g(
        ("--setopt", "--enablerepo", "--disablerepo", "--repo", "--repoid", "--releasever", "--installroot", "--exclude",
         "--config", "--nodocs-ignored", "--forcearch", "--color", "--noplugins-ignored", "--disableplugin", "--enableplugin"),
        {"-y": "--assumeyes", "-q": "--quiet", "-v": "--verbose", "-x": "--exclude", "-c": "--config", "-C": "--cacheonly",
         "-b": "--best", "--yes": "--assumeyes"},
        ("--assumeyes", "--quiet", "--verbose", "--nodocs", "--setopt", "--best", "--nobest", "--skip-broken",
         "--allowerasing", "--refresh", "--cacheonly", "--noplugins", "--nogpgcheck", "--allowerasing", "--downloadonly"),
    )

    _ZYPPER = _g(
        ("--root", "--repo", "--from", "--type", "--config"),
        {"-n": "--non-interactive", "-q": "--quiet", "-v": "--verbose", "-y": "--no-confirm", "-r": "--repo", "-t": "--type",
         "-R": "--root", "-c": "--config", "-l": "--auto-agree-with-licenses"},
        ("--non-interactive", "--no-confirm", "--quiet", "--verbose", "--no-recommends", "--recommends", "--clean-deps",
         "--no-refresh", "--auto-agree-with-licenses", "--gpg-auto-import-keys", "--no-gpg-checks", "--force",
         "--download-only", "--keep-packages", "--no-keep-packages"),
    )

    _CURL = _g(
        ("--output", "--header", "--user", "--data", "--request", "--cacert", "--capath", "--proxy", "--max-time",
         "--connect-timeout", "--retry", "--user-agent", "--write-out", "--form", "--upload-file", "--cookie", "--range",
         "--output-dir", "--config", "--referer", "--retry-delay", "--retry-max-time", "--speed-limit", "--limit-rate",
         "--create-dirs-ignored", "--proto", "--proto-redir", "--tlsv1.2-ignored", "--ciphers", "--resolve"),
        {"-o": "--output", "-H": "--header", "-u": "--user", "-d": "--data", "-X": "--request", "-x": "--proxy",
         "-m": "--max-time", "-A": "--user-agent", "-w": "--write-out", "-F": "--form", "-T": "--upload-file",
         "-b": "--cookie", "-r": "--range", "-K": "--config", "-e": "--referer", "-k": "--insecure", "-s": "--silent",
         "-S": "--show-error", "-L": "--location", "-f": "--fail", "-O": "--remote-name", "-I": "--head",
         "-v": "--verbose", "-C": "--continue-at", "-#": "--progress-bar", "-q": "--disable", "-J": "--remote-header-name",
         "-Y": "--speed-limit", "-y": "--speed-time", "-4": "--ipv4", "-6": "--ipv6", "-g": "--globoff", "-N": "--no-buffer",
         "-Z": "--parallel", "-R": "--remote-time", "-i": "--include", "-n": "--netrc"},
        ("--insecure", "--silent", "--show-error", "--location", "--fail", "--remote-name", "--head", "--verbose",
         "--compressed", "--create-dirs", "--fail-with-body", "--ssl-no-revoke", "--proxy-insecure", "--doh-insecure",
         "--retry-connrefused", "--retry-all-errors", "--globoff", "--no-buffer", "--include", "--netrc",
         "--remote-header-name", "--progress-bar", "--disable", "--ipv4", "--ipv6", "--parallel", "--remote-time"),
    )

    _WGET = _g(
        ("--output-document", "--directory-prefix", "--header", "--user", "--password", "--tries", "--timeout",
         "--user-agent", "--ca-certificate", "--ca-directory", "--input-file", "--output-file", "--post-data"),
        {"-O": "--output-document", "-P": "--directory-prefix", "-t": "--tries", "-T": "--timeout", "-U": "--user-agent",
         "-i": "--input-file", "-o": "--output-file", "-q": "--quiet", "-c": "--continue", "-N": "--timestamping",
         "-nv": "--no-verbose", "-v": "--verbose", "-r": "--recursive", "-x": "--force-directories"},
        ("--no-check-certificate", "--quiet", "--continue", "--timestamping", "--no-verbose", "--verbose",
         "--recursive", "--progress", "--show-progress", "--no-hsts", "--https-only", "--force-directories"),
    )

    _GIT = _g(
        ("--config-env", "--git-dir", "--work-tree", "--namespace", "--exec-path-ignored"),
        {"-C": "--directory", "-c": "--config"},
        ("--no-pager", "--bare", "--paginate", "--no-replace-objects"),
    )
    # -C DIR and -c NAME=VALUE take values too
    _GIT = _GIT._replace(value_options=_GIT.value_options | {"--directory", "--config"})

    _NPM = _g(
        ("--registry", "--prefix", "--cache", "--omit", "--include", "--workspace", "--loglevel", "--only"),
        {"-g": "--global", "-D": "--save-dev", "-S": "--save", "-E": "--save-exact", "-w": "--workspace", "-q": "--quiet", "-y": "--yes"},
        ("--global", "--save-dev", "--save", "--save-exact", "--production", "--no-audit", "--no-fund", "--ci",
         "--ignore-scripts", "--no-optional", "--legacy-peer-deps", "--force", "--quiet", "--silent", "--yes",
         "--no-save", "--prefer-offline", "--prefer-online", "--offline", "--unsafe-perm"),
        sub_depth={"cache": 2, "config": 2},
    )

    _CONDA = _g(
        ("--name", "--prefix", "--channel", "--file", "--override-channels-ignored"),
        {"-n": "--name", "-p": "--prefix", "-c": "--channel", "-f": "--file", "-y": "--yes", "-q": "--quiet", "-a": "--all"},
        ("--yes", "--quiet", "--all", "--no-deps", "--freeze-installed", "--override-channels", "--update-deps",
         "--force-reinstall", "--tarballs", "--packages", "--index-cache", "--no-pin", "--strict-channel-priority"),
        sub_depth={"env": 2},
    )

    return {
        "pip": _PIP,
        "uv": _UV,
        "poetry": _POETRY,
        "pipenv": _PIPENV,
        "pdm": _PDM,
        "apt-get": _APT,
        "apt": _APT,
        "aptitude": _APTITUDE,
        "apk": _APK,
        "dnf": _RPM,
        "yum": _RPM,
        "microdnf": _RPM,
        "tdnf": _RPM,
        "zypper": _ZYPPER,
        "curl": _CURL,
        "wget": _WGET,
        "git": _GIT,
        "npm": _NPM,
        "conda": _CONDA,
        "mamba": _CONDA,
        "micromamba": _CONDA,
    }


GRAMMARS: Dict[str, Grammar] = {}  # filled by grammar() on first use


def grammar(tool: str) -> Optional[Grammar]:
    """The grammar of ``tool`` (None: a tool read generically)."""
    if not GRAMMARS:
        GRAMMARS.update(_build_grammars())
    return GRAMMARS.get(tool)



# Tools without a grammar of their own whose first operand is a subcommand.
_SUBCOMMAND_TOOLS = frozenset({"apt-mark", "apt-cache", "dpkg-query", "pipx", "pip-sync", "rpm", "systemctl", "update-alternatives", "yarn", "pnpm", "gem", "cargo", "go", "docker", "hatch", "pyenv"})
_GENERIC = Grammar(frozenset(), {})

# Options that only some subcommands give a value; listed per (tool, subcommand).
_SUB_VALUE_OPTIONS: Dict[Tuple[str, str], FrozenSet[str]] = {
    ("uv", "pip install"): frozenset({"--requirement", "--constraint"}),
}
# Options that are flags for a subcommand even though the tool's grammar gives them a value.
_SUB_FLAG_OPTIONS: Dict[Tuple[str, str], FrozenSet[str]] = {
    ("pipenv", "install"): frozenset({"--dev"}),
    ("pdm", "install"): frozenset({"--dev"}),
    ("uv", "sync"): frozenset({"--dev"}),
}


class Mount(Record):
    """A ``RUN --mount=...`` (variables expanded)."""

    type: str  # bind (default), cache, tmpfs, secret, ssh
    target: Optional[str]  # absolute, normalised
    source: Optional[str]
    from_: Optional[str]
    options: Tuple[Tuple[str, str], ...]


class ToolCommand(Record):
    """One command of a RUN, read the way its tool reads it."""

    shell: Command  # the shell-model command (words, positions, env prefixes)
    tool: str  # normalised program: pip, uv, apt-get, apk, ...
    subcommand: Optional[str]  # "install", "pip install", "tool install", ... (None: none)
    options: Tuple[Tuple[str, str], ...]  # canonical (name, value); value "" for flags, in order
    operands: Tuple[str, ...]  # the non-option arguments after the subcommand
    args: Tuple[str, ...]  # all arguments after the tool, variables expanded
    env: Mapping[str, str]  # ENV/ARG, prefix assignments and earlier exports in the same RUN
    user: Optional[str]  # USER in effect (None: the image's default)
    mounts: Tuple[Mount, ...]
    index: int  # type: ignore[assignment]  # position among the RUN's commands (shadows tuple.index, as in the public API)

    # -- questions rules ask -------------------------------------------------------------------
    def is_(self, tools: Iterable[str], *subcommands: str) -> bool:
        """``cmd.is_(("apt-get", "apt"), "install")``; no subcommands: any."""
        if isinstance(tools, str):
            tools = (tools,)
        return self.tool in tools and (not subcommands or self.subcommand in subcommands)

    def has(self, *names: str) -> bool:
        """Is one of the canonical options (or their aliases) given?"""
        wanted = {self._canon(n) for n in names}
        return any(name in wanted for name, _ in self.options)

    def values(self, *names: str) -> List[str]:
        wanted = {self._canon(n) for n in names}
        return [v for name, v in self.options if name in wanted]

    def _canon(self, name: str) -> str:
        g = grammar(self.tool)
        return g.aliases.get(name, name) if g else name

    @property
    def line(self) -> int:
        return self.shell.line

    @property
    def column(self) -> int:
        return self.shell.column

    @property
    def nested(self) -> int:
        return self.shell.nested

    def word_index(self, arg_index: int) -> int:
        """Index in ``shell.words`` of ``args[arg_index]`` (best effort; -1 when unknown)."""
        offset = len(self.shell.words) - len(self.shell.args)
        i = offset + arg_index
        return i if 0 <= arg_index < len(self.shell.args) and i < len(self.shell.words) else -1

    def subcommand_word_index(self) -> int:
        """Index in ``shell.words`` of the last word of the subcommand, or -1."""
        if self.subcommand is None:
            return -1
        last = self.subcommand.split()[-1]
        for i, a in enumerate(self.shell.args):
            if a == last:
                return self.word_index(i)
        return -1


def canonical_option(tool: str, word: str) -> Optional[str]:
    """The canonical long name of one option word for ``tool`` (None for ambiguous prefixes)."""
    g = grammar(tool)
    name = word.split("=", 1)[0]
    if g is None:
        return name
    return _resolve_long(g, name)


def _resolve_long(g: Grammar, name: str) -> Optional[str]:
    if name in g.aliases:
        return g.aliases[name]
    if name in g.long_names or not g.abbreviations or not name.startswith("--"):
        return name
    matches = [n for n in g.long_names if n.startswith(name)]
    if len(matches) == 1:
        return matches[0]
    return name if not matches else None  # unknown stays as written; ambiguous is an error for the tool


def parse_tool_command(cmd: Command, args: Sequence[str], env: Mapping[str, str], user: Optional[str], mounts: Tuple[Mount, ...], index: int) -> ToolCommand:
    """Read ``args`` (the command's arguments, variables expanded) with the tool's grammar."""
    tool = cmd.tool
    g = grammar(tool)
    if g is None:
        if tool not in _SUBCOMMAND_TOOLS:
            return ToolCommand(cmd, tool, None, tuple((a, "") for a in args if a.startswith("-")), tuple(a for a in args if not a.startswith("-")), tuple(args), env, user, mounts, index)
        g = _GENERIC
    options: List[Tuple[str, str]] = []
    operands: List[str] = []
    sub_words: List[str] = []
    depth = 1
    i = 0
    only_operands = False
    while i < len(args):
        a = args[i]
        i += 1
        if only_operands or a == "-" or not a.startswith("-") or len(a) == 1:
            if a == "--" and not only_operands:
                only_operands = True
                continue
            if len(sub_words) < depth and not operands:
                sub_words.append(a)
                if len(sub_words) == 1:
                    depth = g.sub_depth.get(a, 1)
                continue
            operands.append(a)
            continue
        if a == "--":
            only_operands = True
            continue
        sub = " ".join(sub_words)
        takes_value = _value_set(tool, sub, g)
        if a.startswith("--"):
            name, eq, value = a.partition("=")
            canon = _resolve_long(g, name) or name
            if eq:
                options.append((canon, value))
            elif canon in takes_value and i < len(args):
                options.append((canon, args[i]))
                i += 1
            else:
                options.append((canon, ""))
            continue
        # short options: "-o value", "-ovalue", clusters "-qqy"; a known multi-letter alias (wget -nv)
        if a in g.aliases and len(a) > 2:
            canon = g.aliases[a]
            if canon in takes_value and i < len(args):
                options.append((canon, args[i]))
                i += 1
            else:
                options.append((canon, ""))
            continue
        j = 1
        while j < len(a):
            short = "-" + a[j]
            canon = g.aliases.get(short, short)
            if canon in takes_value:
                rest = a[j + 1 :]
                if rest:
                    options.append((canon, rest[1:] if rest.startswith("=") else rest))
                elif i < len(args):
                    options.append((canon, args[i]))
                    i += 1
                else:
                    options.append((canon, ""))
                break
            options.append((canon, ""))
            j += 1
    return ToolCommand(cmd, tool, " ".join(sub_words) or None, tuple(options), tuple(operands), tuple(args), env, user, mounts, index)


def _value_set(tool: str, sub: str, g: Grammar) -> FrozenSet[str]:
    out = g.value_options
    extra = _SUB_VALUE_OPTIONS.get((tool, sub))
    if extra:
        out = out | extra
    flags = _SUB_FLAG_OPTIONS.get((tool, sub))
    if flags:
        out = out - flags
    return out


def parse_mounts(values: Sequence[str], vars_: Mapping[str, str]) -> Tuple[Mount, ...]:
    """``--mount=type=cache,target=/root/.cache/pip,...`` values -> :class:`Mount`s."""
    from .words import expand

    out: List[Mount] = []
    for value in values:
        parts: Dict[str, str] = {}
        for p in value.split(","):
            k, _, v = p.partition("=")
            parts[k.strip().lower()] = v.strip()
        target = parts.get("target") or parts.get("dst") or parts.get("destination")
        if target:
            target = expand(target, dict(vars_))[0]
            if target.startswith("~"):
                target = "/root" + target[1:]
            target = posixpath.normpath(target)
        opts = tuple((k, v) for k, v in parts.items() if k not in ("type", "target", "dst", "destination", "source", "src", "from"))
        out.append(Mount(parts.get("type", "bind") or "bind", target or None, parts.get("source") or parts.get("src"), parts.get("from"), opts))
    return tuple(out)
