"""What the built image is for, and which stage of the file is that image.

Some findings are only right for an image that runs as a service: a container left running as
root matters for a web service, not for an image others build ``FROM``, for a stage whose files
are only copied out, or for a development container whose user comes from ``devcontainer.json``.
:func:`image_role` decides, from evidence in the file, its path and the configuration:

``service``  the image runs a program (the default: nothing says otherwise)
``base``     meant to be built upon (``ONBUILD``; a ``CMD`` that only starts a shell or an
             interpreter; no ``CMD``/``ENTRYPOINT`` on a base whose own command is a shell)
``build``    produces files and runs nothing (a trailing ``FROM scratch`` stage that only copies
             artefacts; no ``CMD``/``ENTRYPOINT`` and the last step builds something)
``dev``      a development environment (``.devcontainer/``, a local-development compose image,
             ``Dockerfile.dev``, a stage named ``dev``/``dev-envs``, a Jupyter notebook server,
             a CI agent image such as ``jenkins/inbound-agent``)

Configuration (``image-role = "..."``) overrides the inference. The weighing is documented in
``docs/roles.md``. :func:`needs_root` says when the image's own program must run as root
(containerd, Docker-in-Docker, an s6-overlay or systemd init).
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple
from .._record import Record

if TYPE_CHECKING:  # pragma: no cover
    from ..model.resolve import DockerfileModel, Stage
    from ..model.shell import Command

__all__ = ["ROLES", "Role", "image_role", "runtime_stage", "default_image_stage", "is_devcontainer", "dev_path_reason", "base_path_reason", "needs_root", "start_commands"]

ROLES = ("service", "base", "build", "dev")

# Programs that are a shell or a language's interactive interpreter: an image whose command is
# one of them (without arguments) runs nothing of its own.
_INTERACTIVE = frozenset({
    "sh", "bash", "ash", "dash", "zsh", "fish", "ksh", "busybox",
    "python", "python2", "python3", "pypy", "pypy3", "ipython", "node", "irb", "ruby", "php", "perl",
    "jshell", "ghci", "iex", "erl", "julia", "R", "scala", "clojure", "lua", "gradle", "mvn",
})
_VERSION_ARGS = frozenset({"--version", "-version", "version", "-v", "-V", "--help", "-h"})
# Command-line tools run once with arguments (`docker run img ARGS`): an ENTRYPOINT naming one of
# them is a tool image, not a service.
_CLI_TOOLS = frozenset({
    "jq", "yq", "pandoc", "hadolint", "shellcheck", "kubectl", "helm", "kustomize", "terraform", "tofu",
    "packer", "aws", "gcloud", "gsutil", "az", "ansible", "ansible-playbook", "ffmpeg", "convert", "magick",
    "git", "curl", "wget", "http", "pylint", "flake8", "black", "ruff", "mypy", "yamllint", "sqlfluff",
    "pre-commit", "trivy", "grype", "syft", "cosign", "crane", "skopeo", "openssl", "asciidoctor",
    "plantuml", "dot", "typst", "latexmk", "pdflatex", "xelatex", "markdownlint", "eslint", "prettier",
    "pytest", "tox", "nox", "pack", "jsonnet", "jb", "gomplate", "envsubst", "rclone", "restic", "pg_dump",
})
# Programs whose job is to build files (the last step of a build-only image).
_BUILDERS = frozenset({
    "make", "cmake", "ninja", "gcc", "g++", "cc", "protoc", "buf", "go", "cargo", "mvn", "gradle",
    "tsc", "webpack", "webpack-cli", "esbuild", "vite", "rollup", "parcel", "hugo", "sphinx-build", "mkdocs",
})
# A build tool as the ENTRYPOINT: a build-step image (CI builders), run with the tool's arguments.
_BUILD_ENTRYPOINTS = frozenset({"make", "cmake", "ninja", "gcc", "cargo", "mvn", "gradle", "go", "bazel", "bazelisk", "tsc", "protoc", "buf", "sphinx-build", "esy", "dune", "sbt", "ant", "msbuild", "dotnet-build", "ballerina", "bal"})
# Programs in the start command that change the host-facing network or kernel state: root (or
# CAP_NET_ADMIN/CAP_SYS_ADMIN) is their job.
_ROOT_TOOLS = {"iptables": "iptables", "ip6tables": "ip6tables", "nft": "nft", "sysctl": "sysctl", "modprobe": "modprobe", "mount": "mount"}
_BUILD_SUBS = {"npm": ("run", "ci"), "yarn": ("build", "run", "install"), "pnpm": ("build", "run", "install"), "pip": ("wheel", "download"), "python": ("-m",)}
_NOTEBOOK = frozenset({"jupyter", "jupyter-lab", "jupyter-notebook", "start-notebook.sh", "start-notebook.py", "start-singleuser.sh", "start-singleuser.py", "jupyterhub-singleuser", "jupyter-labhub"})
_NOTEBOOK_IMAGES = ("jupyter/", "quay.io/jupyter/", "jupyterhub/singleuser")
_DEVCONTAINER_IMAGES = ("mcr.microsoft.com/devcontainers/", "mcr.microsoft.com/vscode/devcontainers/")
_NOTEBOOK_PACKAGES = frozenset({"jupyterlab", "notebook", "jupyterhub", "jupyter", "jupyter-server", "nbclassic"})
# CI agents and runners: images that exist to run build jobs (compilers are their purpose).
_CI_AGENT_IMAGES = (
    "jenkins/inbound-agent", "jenkins/agent", "jenkins/ssh-agent", "jenkins/jnlp-slave", "jenkins/slave",
    "jenkinsci/jnlp-slave", "jenkinsci/slave", "gitlab/gitlab-runner", "myoung34/github-runner",
    "summerwind/actions-runner", "ghcr.io/actions/actions-runner", "buildkite/agent",
    "cimg/", "circleci/", "gcr.io/cloud-builders/",
)
# Stage names that mark a development environment (Docker Dev Environments use `dev-envs`).
_DEV_STAGE_NAMES = frozenset({"dev", "devel", "develop", "development", "dev-env", "dev-envs", "devenv", "devcontainer", "local-dev"})
_DEV_STAGE_WORDS = frozenset({"dev", "devel", "development", "devenv", "test", "tests", "testing"})  # `bench-test`, `app-dev`
# What must run as root, keyed by the program that the image starts.
_ROOT_PROGRAMS = {
    "containerd": "containerd manages containers and needs root",
    "dockerd": "dockerd (Docker-in-Docker) needs root",
    "dockerd-entrypoint.sh": "the Docker-in-Docker entrypoint starts dockerd, which needs root",
    "init": "an init system (s6-overlay `/init`, sysvinit) runs as PID 1 with root and drops privileges per service",
    "s6-svscan": "s6-svscan supervises services as root and drops privileges per service",
    "runsvdir": "runit supervises services as root and drops privileges per service",
    "systemd": "systemd runs as PID 1 with root",
    "supervisord": "supervisord starts its programs as root and drops privileges per program",
    "postfix": "postfix's master process starts as root and drops privileges itself",
    "master": "postfix's master process starts as root and drops privileges itself",
    "crond": "cron runs jobs for users and needs root",
    "cron": "cron runs jobs for users and needs root",
    "sshd": "sshd needs root to switch to the logged-in user",
    "rsyslogd": "rsyslogd binds privileged sockets as root",
    "openvpn": "openvpn configures the tun device and routes (CAP_NET_ADMIN)",
    "nginx": "nginx's master process binds :80/:443 as root and runs its workers as an unprivileged user",
    "openresty": "openresty (nginx) binds :80/:443 as root and runs its workers as an unprivileged user",
    "httpd": "httpd binds :80 as root and runs its workers as an unprivileged user",
    "httpd-foreground": "httpd binds :80 as root and runs its workers as an unprivileged user",
    "apache2-foreground": "Apache binds :80 as root and runs its workers as www-data",
    "php-fpm": "php-fpm's master runs as root and its pool workers as www-data",
    "tinyproxy": "tinyproxy starts as root and switches to the `User` of its configuration",
}


class Role(Record):
    """The image's role, why, and the stage that is the image (None: nothing of it runs)."""

    role: str  # one of ROLES
    evidence: Tuple[str, ...]  # human-readable reasons, strongest first
    runtime_stage: Optional["Stage"]
    configured: bool = False  # True when the configuration said so
    weak: bool = False  # inferred only from what is missing (no CMD/ENTRYPOINT on a shell/interpreter base)
    ci: bool = False  # a `dev` image that runs CI jobs: pulled by every job, so its size still matters

    @property
    def interactive(self) -> bool:
        """A development environment a person works in (not a CI job image): size is secondary."""
        return self.role == "dev" and not self.ci


def is_devcontainer(path: str) -> bool:
    """A Dockerfile of a development container (in a ``.devcontainer/`` directory)."""
    p = (path or "").replace("\\", "/")
    return p.startswith(".devcontainer/") or "/.devcontainer/" in p


def dev_path_reason(path: str) -> Optional[str]:
    """Why the file's path says it builds a development environment, or None."""
    p = (path or "").replace("\\", "/")
    if is_devcontainer(p):
        return "it is in `.devcontainer/` (a development container; its user comes from devcontainer.json)"
    parts = [x for x in p.split("/") if x]
    name = parts[-1].lower() if parts else ""
    dirs = [d.lower() for d in parts[:-1]]
    for i, d in enumerate(dirs[:-1]):
        if d == "compose" and dirs[i + 1] in ("local", "dev", "development"):
            return f"it is under `compose/{dirs[i + 1]}/` (a local-development compose image)"
    stem_words = set(name.replace(".", "-").replace("_", "-").split("-"))
    if name.startswith(("dockerfile", "containerfile")) or name.endswith(("dockerfile", "containerfile")):
        if stem_words & {"dev", "development", "local"}:
            return f"its name `{parts[-1]}` marks a development image"
    for d in dirs:
        if _ci_dir(d):
            return f"it is under `{d}/` (an image for CI jobs or builds, run with a command)"
        if d in ("workstation", "devenv", "dev-env", "devcontainer", "devcontainers") or "dev" in d.replace("_", "-").split("-"):
            return f"it is under `{d}/` (a development environment)"
        if d in ("test", "tests", "testing", "e2e", "integration-tests", "integration_tests", "test-infra"):
            return f"it is under `{d}/` (an image for running tests)"
    return None


def _ci_dir(d: str) -> bool:
    return d in (".kokoro", ".circleci", ".ci", ".github", ".gitlab", ".buildkite") or "ci" in d.replace("_", "-").split("-") or d.endswith(("_builder", "-builder")) or d in ("builder", "builders")


def is_ci_path(path: str) -> bool:
    """The file is in a CI or builder folder (an image CI jobs pull and run)."""
    parts = [x.lower() for x in (path or "").replace("\\", "/").split("/") if x][:-1]
    return not is_devcontainer(path) and any(_ci_dir(d) for d in parts)


def base_path_reason(path: str) -> Optional[str]:
    """Why the file's name says it builds an image meant to be built upon, or None."""
    p = (path or "").replace("\\", "/")
    name = p.rsplit("/", 1)[-1]
    low = name.lower()
    if not (low.startswith(("dockerfile", "containerfile")) or ".dockerfile" in low or ".containerfile" in low):
        return None
    words = set(low.replace("_", "-").replace(".", "-").split("-"))
    if "base" in words:
        return f"its name `{name}` marks a base image (images are built FROM it)"
    parts = [x for x in p.split("/") if x]
    if len(parts) >= 2 and "base" in parts[-2].lower().replace("_", "-").split("-"):
        return f"its folder `{parts[-2]}/` marks a base image (images are built FROM it)"
    return None


def start_commands(stage: "Stage") -> Tuple[List["Command"], List["Command"]]:
    """(ENTRYPOINT commands, CMD commands) in effect at the end of ``stage`` (inherited through
    ``FROM <stage>``; an ENTRYPOINT set after a CMD of an earlier stage resets it, as Docker does).
    Each list holds shell-model commands; empty when not set in the file."""
    from ..model.runs import exec_commands

    entry: List["Command"] = []
    cmd: List["Command"] = []
    chain = list(reversed(stage.ancestors)) + [stage]
    for st in chain:
        cmd_set_here = False
        for ins in st.instructions:
            if ins.keyword == "ENTRYPOINT":
                entry = exec_commands(st, ins)
                if not cmd_set_here:
                    cmd = []  # BuildKit: an ENTRYPOINT resets a CMD inherited from the base
            elif ins.keyword == "CMD":
                cmd = exec_commands(st, ins)
                cmd_set_here = True
    return list(entry), list(cmd)


def _program(cmd: Optional["Command"]) -> str:
    return cmd.program.rsplit("/", 1)[-1] if cmd is not None and cmd.words else ""


def _sets(stage: "Stage", keyword: str) -> bool:
    chain = list(reversed(stage.ancestors)) + [stage]
    return any(ins.keyword == keyword for st in chain for ins in st.instructions)


def _is_export(stage: "Stage") -> bool:
    """A stage built on scratch that runs nothing: its files are the output (``--output``)."""
    root = stage.root
    if root.base_ref is None or not root.base_ref.is_scratch:
        return False
    return not _sets(stage, "ENTRYPOINT") and not _sets(stage, "CMD")


def runs_something(stage: "Stage") -> bool:
    """Does the stage (or a stage it is built on) set CMD or ENTRYPOINT?"""
    return _sets(stage, "CMD") or _sets(stage, "ENTRYPOINT")


def is_export(stage: "Stage") -> bool:
    """Public name of the export-stage test (``FROM scratch`` that runs nothing)."""
    return _is_export(stage)


def _used_as_source(stages: Sequence["Stage"], stage: "Stage") -> bool:
    """Does another stage build FROM ``stage``, copy from it, or mount it?"""
    from ..model.commands import parse_mounts

    for st in stages:
        if st.parent is stage or any(src.stage is stage for src in st.copy_sources):
            return True
        for ins in st.instructions:
            if ins.keyword == "RUN":
                for m in parse_mounts(ins.flag_values("mount"), st.vars_at(ins)):
                    if m.from_ and (m.from_.lower() == stage.name or m.from_ == str(stage.index)):
                        return True
    return False


def default_image_stage(stages: Sequence["Stage"]) -> Tuple[Optional["Stage"], Optional[str]]:
    """(the stage a plain ``docker build`` gives you, why) without ``--target``: the last stage,
    unless it is an export stage (FROM scratch, no CMD/ENTRYPOINT): then the last stage that no
    other stage builds FROM, copies from or mounts. (None, why) when every candidate is an
    export or a source of one. Usable while resolving (it needs only the stages)."""
    if not stages:
        return None, None
    last = stages[-1]
    if not _is_export(last):
        return last, None
    for st in reversed(stages):
        if _is_export(st) or _used_as_source(stages, st):
            continue
        return st, f"the last stage `{last.label}` only exports files (FROM scratch, no CMD/ENTRYPOINT); stage `{st.label}` is the image that runs"
    return None, f"the last stage `{last.label}` only exports files (FROM scratch, no CMD/ENTRYPOINT)"


def runtime_stage(model: "DockerfileModel") -> Tuple[Optional["Stage"], Optional[str]]:
    """(the stage ``docker build`` users run, why): ``--target``/``target`` when given, else
    :func:`default_image_stage`."""
    if model.options.target and model.target is not None and model.target.name == model.options.target.lower():
        return model.target, f"the build target is `{model.target.label}`"
    stage, why = default_image_stage(model.stages)
    if stage is None and model.target is not None and not _is_export(model.target):
        # the resolver's choice: the last stage before the export that starts a program
        return model.target, f"the last stage `{model.stages[-1].label}` only exports files; stage `{model.target.label}` starts a program"
    return stage, why


def _copies_context(chain: Sequence["Stage"]) -> bool:
    """Does a COPY/ADD bring in the whole build context (``COPY . /app``)?"""
    from ..model.runs import copy_args

    for st in chain:
        for ins in st.instructions:
            if ins.keyword in ("COPY", "ADD") and ins.flag("from") is None:
                sources, _dest = copy_args(st, ins)
                if any(src.rstrip("/") in (".", "") or src == "./" for src in sources):
                    return True
    return False


def _builds(stage: "Stage") -> Optional[str]:
    """The last RUN's building command, when the stage's last RUN builds files."""
    last_run = None
    chain = list(reversed(stage.ancestors)) + [stage]
    for st in chain:
        for ins in st.instructions:
            if ins.keyword == "RUN":
                last_run = (st, ins)
    if last_run is None:
        return None
    st, ins = last_run
    for tc in reversed(st.tool_commands(ins)):
        tool = tc.tool
        if tool in _BUILDERS and (tool != "go" or (tc.args[:1] in (("build",), ("generate",), ("install",)))) and (tool != "cargo" or tc.args[:1] in (("build",), ("install",))):
            return " ".join((tool,) + tuple(tc.args[:1]))
        subs = _BUILD_SUBS.get(tool)
        if subs and tc.args and tc.args[0] in subs:
            if tool == "python" and not (len(tc.args) > 1 and tc.args[1] in ("build", "grpc_tools.protoc", "compileall")):
                continue
            if tool in ("npm", "yarn", "pnpm") and tc.args[0] == "run" and not (len(tc.args) > 1 and "build" in tc.args[1]):
                continue
            if tool in ("yarn", "pnpm") and tc.args[0] == "install":
                continue
            if tool == "npm" and tc.args[0] == "ci":
                continue
            return " ".join((tool,) + tuple(tc.args[:2]))
    return None


def image_role(model: "DockerfileModel") -> Role:
    """The role of the image this Dockerfile builds (see the module documentation)."""
    stage, why_stage = runtime_stage(model)
    configured = getattr(model.options, "role", None)
    if configured in ROLES:
        return Role(configured, ("the configuration sets `image-role = \"" + configured + "\"`",) + ((why_stage,) if why_stage else ()), stage, True)
    dev = dev_path_reason(model.path)
    if dev:
        return Role("dev", (dev,), stage, ci=is_ci_path(model.path))
    if stage is None:
        return Role("build", (why_stage or "the file has no stage",), None)
    evidence: List[str] = [why_stage] if why_stage else []
    if _is_export(stage):
        return Role("build", tuple(evidence + [f"stage `{stage.label}` only exports files (FROM scratch, no CMD/ENTRYPOINT)"]), stage)
    chain = list(reversed(stage.ancestors)) + [stage]
    if any(ins.keyword == "ONBUILD" for st in chain for ins in st.instructions):
        return Role("base", tuple(evidence + ["it has ONBUILD instructions (triggers for images built FROM it)"]), stage)
    base_name = base_path_reason(model.path)
    if base_name:
        return Role("base", tuple(evidence + [base_name]), stage)
    entry, cmd = start_commands(stage)
    programs = [_program(c) for c in entry[:1] + cmd[:1] if c is not None]
    image = stage.image
    repo = image.repository if image is not None else ""
    if repo.startswith(_DEVCONTAINER_IMAGES):
        return Role("dev", tuple(evidence + [f"it is built on the development-container image `{image.raw if image else repo}`"]), stage)
    if repo.startswith(_CI_AGENT_IMAGES):
        return Role("dev", tuple(evidence + [f"it is built on the CI agent image `{image.raw if image else repo}` (an image that runs build jobs)"]), stage, ci=True)
    if stage.name and (stage.name in _DEV_STAGE_NAMES or stage.name.replace("_", "-").rsplit("-", 1)[-1] in _DEV_STAGE_WORDS):
        return Role("dev", tuple(evidence + [f"the image stage is named `{stage.name}` (a development or test environment)"]), stage)
    if any(p in _NOTEBOOK for p in programs) or (not entry and not cmd and repo.startswith(_NOTEBOOK_IMAGES)):
        return Role("dev", tuple(evidence + ["it starts a Jupyter notebook server (an interactive environment)"]), stage)
    if not entry and not cmd and _installs_notebook(model, chain):
        return Role("dev", tuple(evidence + ["it installs a Jupyter notebook server and leaves its start to the spawner (an interactive environment)"]), stage)
    if entry and not cmd and len(entry) == 1 and _program(entry[0]) in _INTERACTIVE and all(a.startswith("-") or a.startswith("/etc/") for a in entry[0].args) and "-c" not in entry[0].args:
        return Role("base", tuple(evidence + [f"its ENTRYPOINT only starts `{_program(entry[0])}` (a shell or interpreter): an image to build on or run with a command"]), stage)
    if cmd and len(cmd) == 1 and not cmd[0].args and _program(cmd[0]) in _INTERACTIVE:
        if not entry or (len(entry) == 1 and _runs_entrypoint_script(entry[0])):
            return Role("base", tuple(evidence + [f"its CMD only starts `{_program(cmd[0])}` (a shell or interpreter): an image to build on or run with a command"]), stage)
    keep = entry[:1] if entry else cmd[:1]
    if len(keep) == 1 and len(entry) + len(cmd) <= 1 and _keeps_alive(keep[0]):
        return Role("dev", tuple(evidence + [f"its command only keeps the container alive (`{' '.join(keep[0].argv)}`): a sandbox to `docker exec` into"]), stage)
    if entry and (_program(entry[0]) in _CLI_TOOLS or _program(entry[0]).endswith("-lint")) and not any(ins.keyword in ("EXPOSE", "HEALTHCHECK") for st in chain for ins in st.instructions):
        return Role("build", tuple(evidence + [f"its ENTRYPOINT is the command-line tool `{_program(entry[0])}`: an image run once with arguments"]), stage)
    if entry and _program(entry[0]) in _BUILD_ENTRYPOINTS:
        return Role("build", tuple(evidence + [f"its ENTRYPOINT is the build tool `{_program(entry[0])}`: a build-step image"]), stage)
    shown = entry[:1] if entry else cmd[:1]
    if len(shown) == 1 and len(cmd) <= 1 and shown[0].args and all(a in _VERSION_ARGS for a in shown[0].args) and (not entry or not cmd):
        return Role("base", tuple(evidence + [f"its command only prints a version (`{' '.join(shown[0].argv)}`): a toolchain image to build on"]), stage)
    if not entry and not cmd:
        exposes = [ins.keyword for st in chain for ins in st.instructions if ins.keyword in ("EXPOSE", "HEALTHCHECK")]
        if exposes:
            return Role("service", tuple(evidence + [f"it sets {exposes[-1]} (a server), with the base's command"]), stage)
        facts = stage.facts
        kind = getattr(facts, "command", None) if facts is not None else None
        if kind in ("shell", "interpreter") or (image is not None and image.is_scratch):
            built = _builds(stage)
            if built:
                return Role("build", tuple(evidence + [f"it sets no CMD/ENTRYPOINT and its last step builds files (`{built}`)"]), stage)
            if _copies_context(chain):
                return Role("service", tuple(evidence + ["it copies the whole build context (an application) and leaves its command to where it runs (compose, Kubernetes)"]), stage)
            return Role("base", tuple(evidence + [f"it sets no CMD/ENTRYPOINT and `{image.raw if image else 'its base'}` only starts {'an interpreter' if kind == 'interpreter' else 'a shell'}: an image to build on or to run with a command"]), stage, weak=True)
    return Role("service", tuple(evidence) or ("nothing says otherwise",), stage)


def _runs_entrypoint_script(cmd: "Command") -> bool:
    """``/entrypoint.sh``, or a shell running one (``bash -m /usr/local/bin/entrypoint.sh``)."""
    if "entrypoint" in _program(cmd).lower() and not cmd.args:
        return True
    if _program(cmd) in ("sh", "bash", "ash", "dash"):
        rest = [a for a in cmd.args if not a.startswith("-")]
        return len(rest) == 1 and "entrypoint" in rest[0].rsplit("/", 1)[-1].lower()
    return False


def _keeps_alive(cmd: "Command") -> bool:
    """``tail -f /dev/null``, ``sleep infinity``: a command that does nothing, forever."""
    prog, args = _program(cmd), list(cmd.args)
    if prog == "tail" and "/dev/null" in args and any(a in ("-f", "-F", "--follow") for a in args):
        return True
    return prog == "sleep" and args in (["infinity"], ["inf"])


def _installs_notebook(model: "DockerfileModel", chain: Sequence["Stage"]) -> bool:
    """Does the install plan of these stages put a Jupyter server into the image?"""
    for st in chain:
        sp = model.plan.for_stage(st)
        if sp is not None and any(p.name in _NOTEBOOK_PACKAGES for p in sp.packages):
            return True
    return False


def needs_root(stage: "Stage") -> Optional[str]:
    """Why the image's own program must start as root (None: nothing says so)."""
    image = stage.image
    if image is not None and image.repository in ("docker", "library/docker") and image.tag and "dind" in image.tag and "rootless" not in image.tag:
        return f"`{image.raw}` is Docker-in-Docker, whose dockerd needs root"
    entry, cmd = start_commands(stage)
    for c in entry[:1] + cmd[:1]:  # the entrypoint, and the command it is handed
        prog = _program(c)
        if prog in ("init", "systemd") and c.program not in ("/init", "/sbin/init", "/usr/sbin/init", "/lib/systemd/systemd", "/usr/lib/systemd/systemd", "init", "systemd"):
            continue
        if prog in ("tini", "tini-static", "dumb-init", "catatonit"):
            # an init wrapper: judge what it starts
            rest = [a for a in c.args if not a.startswith("-")]
            prog = posixpath.basename(rest[0]) if rest else (_program(cmd[0]) if cmd and entry else "")
        why = _ROOT_PROGRAMS.get(prog)
        if why:
            return why
    for c in entry + cmd:
        tool = _ROOT_TOOLS.get(_program(c))
        if tool:
            return f"its start command runs `{tool}`, which changes network or kernel settings and needs root"
    if "container" in stage.env:
        return f"it sets `container={stage.env['container']}`, the convention for running systemd as PID 1, which needs root"
    chain = list(reversed(stage.ancestors)) + [stage]
    # the shell model keeps no redirections (`echo ... >> /etc/rc.local`): the RUN's text is read
    if any(ins.keyword == "RUN" and "rc.local" in ins.args_text for st in chain for ins in st.instructions):
        return "it starts its programs from rc.local, which an init system runs as root"
    vpn = sorted(stage.os_packages().explicit_at_end() & _NET_ADMIN_PACKAGES)
    if vpn:
        return f"it installs `{vpn[0]}`, which configures the host-facing network (tunnels, routes, firewall rules) and needs root"
    first = entry[:1] or cmd[:1]
    if first and _is_script(first[0]):
        # a start script we do not read, in an image whose installed packages are a root daemon
        daemon = sorted(stage.os_packages().explicit_at_end() & _ROOT_DAEMON_PACKAGES.keys())
        if daemon:
            return f"it installs `{daemon[0]}` and starts through `{first[0].program}`: {_ROOT_DAEMON_PACKAGES[daemon[0]]}"
    return None


# OS packages whose job is changing the network stack (CAP_NET_ADMIN): VPN gateways, firewalls.
_NET_ADMIN_PACKAGES = frozenset({"strongswan", "openvpn", "wireguard", "wireguard-tools", "iptables", "nftables", "ipsec-tools", "libreswan"})
# OS packages whose daemon must start as root, for images that start through their own script.
_ROOT_DAEMON_PACKAGES = {
    "cron": "cron runs jobs for users and needs root", "cronie": "cron runs jobs for users and needs root",
    "dcron": "cron runs jobs for users and needs root", "busybox-openrc": "an init system runs as root",
    "openssh-server": "sshd needs root to switch to the logged-in user", "supervisor": "supervisord starts its programs as root",
    "rsyslog": "rsyslogd binds privileged sockets as root", "postfix": "postfix's master process starts as root",
}


def _is_script(cmd: "Command") -> bool:
    name = _program(cmd).lower()
    return name.endswith(".sh") or "entrypoint" in name or name in ("start", "run", "docker-start", "init.sh")
