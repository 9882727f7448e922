"""``dockerlint inspect``: what dockerlint understood of a Dockerfile, stage by stage.

JSON shape (``--format json``), one object per file::

    {"path": str, "stages": [{
        "index": int, "name": str|null, "from": {"line": int, "text": str, "image": str|null},
        "parent_stage": str|null, "reaches_final": bool,
        "base": {libc, distro, release, pkg, ca, ca_tools, python, implementation, user,
                 compiler, verified} | null,
        "python": str|null, "python_source": "tag"|"env"|"floating tag"|"distro"|"unknown",
        "machine": "x86_64"|"aarch64",
        "instructions": [{"keyword": str, "start": [line, col], "end": [line, col]}],
        "installs": [{"line", "column", "tool", "options": {name: [values]}, "location", "lock",
                      "manifests": [path], "packages": [{"name", "version", "specifier", "extras",
                      "direct", "inferred", "via", "pinned_by", "declared_at": {path, line, column},
                      "group", "marker"}]}],
        "copied": [{"line", "from_stage", "source", "dest", "packages": [name]}]}],
     "manifest_problems": [{"path", "line", "message", "kind"}],
     "missing_manifests": [{"line", "source", "reason"}],
     "role": {"role": "service"|"base"|"build"|"dev", "evidence": [str], "image_stage": str|null,
              "configured": bool}}
"""

from __future__ import annotations

import json
from typing import Any, Dict, List


def inspect_model(model) -> Dict[str, Any]:
    plan = model.plan
    role = model.role
    stages: List[Dict[str, Any]] = []
    for stage in model.stages:
        sp = plan.for_stage(stage)
        facts = stage.facts
        base = None
        if facts is not None:
            base = {k: v for k, v in facts.as_dict().items() if k not in ("image", "family", "source")}
        d: Dict[str, Any] = {
            "index": stage.index,
            "name": stage.name,
            "from": {"line": stage.from_instruction.start_line, "text": stage.base_text, "image": str(stage.image.raw) if stage.image else None},
            "parent_stage": stage.parent.label if stage.parent is not None else None,
            "reaches_final": stage.reaches_final,
            "base": base,
            "instructions": [
                {"keyword": i.keyword, "start": [i.start_line, i.start_column], "end": [i.end_line, i.end_column]}
                for i in (stage.from_instruction,) + tuple(stage.instructions)
            ],
        }
        if sp is not None:
            d.update(sp.as_dict())
        stages.append(d)
    return {
        "path": model.path,
        "stages": stages,
        "manifest_problems": [p._asdict() for p in plan.problems],
        "missing_manifests": [{"line": m.instruction.start_line, "source": m.source, "reason": m.reason} for m in plan.missing],
        "role": {
            "role": role.role,
            "evidence": list(role.evidence),
            "image_stage": role.runtime_stage.label if role.runtime_stage is not None else None,
            "configured": role.configured,
        },
    }


def render_text(info: Dict[str, Any]) -> str:
    out: List[str] = [f"{info['path']}"]
    role = info.get("role")
    if role:
        out.append(f"  image role: {role['role']}" + (f" (stage {role['image_stage']})" if role["image_stage"] else "") + " — " + "; ".join(role["evidence"]))
    for st in info["stages"]:
        label = st["name"] or str(st["index"])
        final = "reaches the final image" if st["reaches_final"] else "not shipped (only copied from, or not built)"
        out.append(f"  stage {label} (line {st['from']['line']}): FROM {st['from']['text']}" + (f"  [built on stage {st['parent_stage']}]" if st["parent_stage"] else "") + f" — {final}")
        b = st["base"]
        if b:
            out.append(
                "    base: libc={libc} distro={distro}{rel} pkg={pkg} ca-bundle={ca} default-user={user} [{verified}]".format(
                    rel=("/" + b["release"]) if b.get("release") else "", **b
                )
            )
        else:
            out.append("    base: unknown image (no facts)")
        out.append(f"    python: {st.get('python') or 'unknown'} ({st.get('python_source')}), machine {st.get('machine')}")
        for ins in st.get("installs", ()):
            opts = " ".join(f"--{k}" + (f"={','.join(v)}" if any(v) else "") for k, v in ins["options"].items())
            out.append(f"    line {ins['line']}: {ins['tool']} -> {ins['location']}" + (f" (lock {ins['lock']})" if ins["lock"] else "") + (f"  [{opts}]" if opts else ""))
            for p in ins["packages"]:
                ver = p["version"] or (p["specifier"] or "any version")
                kind = "direct" if p["direct"] else ("inferred" if p["inferred"] else "transitive")
                via = f" via {' -> '.join(p['via'])}" if p["via"] else ""
                at = p["declared_at"]
                out.append(f"      {p['name']} {ver}  ({kind}{via}; {at['path']}:{at['line']})")
        for c in st.get("copied", ()):
            out.append(f"    line {c['line']}: COPY --from={c['from_stage']} {c['source']} -> {c['dest']}: {', '.join(c['packages']) or '(no packages)'}")
    for p in info["manifest_problems"]:
        out.append(f"  manifest problem: {p['path']}:{p['line'] or '-'}: {p['message']}")
    for m in info["missing_manifests"]:
        out.append(f"  missing manifest: line {m['line']}: {m['source']} ({m['reason']})")
    return "\n".join(out) + "\n"


def run(paths, fmt: str, options, out, err) -> int:
    from ..discovery import expand_paths
    from ..engine import read_source, display_path
    from ..errors import DockerlintError
    from ..exitcodes import ERROR, SUCCESS
    from ..model.dockerfile import decode_source, parse_dockerfile
    from ..model.resolve import BuildOptions, resolve

    results = []
    status = SUCCESS
    for path in expand_paths(paths or ["."]):
        shown = display_path(path)
        data, problem = read_source(path)
        if problem is not None or data is None:
            err.write(f"{problem}\n")
            status = ERROR
            continue
        try:
            parsed = parse_dockerfile(decode_source(data, shown), shown)
        except DockerlintError as exc:
            err.write(f"{shown}:{exc.line or ''}: {exc.message}\n")
            status = ERROR
            continue
        model = resolve(parsed, BuildOptions(dict(options.build_args), options.target, options.arch, options.context))
        results.append(inspect_model(model))
    if fmt == "json":
        out.write(json.dumps(results, indent=2) + "\n")
    else:
        out.write("".join(render_text(r) for r in results))
    return status


def run_cli(args) -> int:
    from ..engine import LintOptions

    import sys

    from ..exitcodes import ERROR
    from . import parse_build_args

    pairs = parse_build_args(args.build_arg)
    if pairs is None:
        return ERROR
    options = LintOptions(build_args=pairs, target=args.target, arch=args.target_arch, context=args.context)
    return run(args.paths, args.format, options, sys.stdout, sys.stderr)


