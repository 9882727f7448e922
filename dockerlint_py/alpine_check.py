"""``dockerlint alpine-check``: would these Python dependencies install on Alpine (musl)?

Reads requirements files, ``pyproject.toml`` or lock files without any Dockerfile and prints,
per package, what pip would do on ``python:<version>-alpine`` for the given architecture:
install a musllinux wheel, fall back to pure Python, compile from source, or fail. The answer
comes from the bundled PyPI wheel data (or the file names a lock lists); packages the data does
not know are shown as such, never guessed.

JSON (``--format json``)::

    {"python": "3.12", "arch": "x86_64",
     "packages": [{"name", "version", "declared_at": {"path", "line"}, "direct", "via",
                   "native": "required"|"optional"|null, "musl_wheel": "yes"|"no"|"unknown",
                   "first_musl_version": str|null, "action": "wheel"|"pure-fallback"|"compile"|
                   "fail"|"unknown", "apk_build": [..], "apk_runtime": [..],
                   "alternative": str|null, "verdict": str}],
     "summary": {"packages", "native", "wheel", "compile", "fail", "unknown"},
     "recommendation": str, "problems": [{"path", "line", "message"}]}

Exit status: 1 when anything would compile or fail, 0 otherwise, 2 when a manifest cannot be read.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List


def _rows(manifest, python: str, arch: str) -> List[Dict[str, Any]]:
    from .knowledge.native import musl_wheel, native_package, toolchain, wheel_from_files
    from .manifests.markers import marker_holds, target_environment
    from .model.plan import inferred_natives

    env = target_environment(python, arch)
    locked = manifest.extra.get("packages") if manifest.kind != "Pipfile.lock" else None
    items = []
    constraints = {c.name: c.pinned_version for c in manifest.constraints if c.pinned_version}
    for r in manifest.requirements:
        if r.group not in ("",) and manifest.kind in ("pyproject", "Pipfile", "Pipfile.lock", "setup.cfg"):
            continue  # main dependencies only: extras and dev groups are opt-in
        if r.marker and not marker_holds(r.marker, env):
            continue
        if not r.name:
            continue
        version = r.pinned_version or constraints.get(r.name)
        files = locked[r.name].files if locked and r.name in locked else ()
        items.append((r.name, version, r, True, (), files))
        if not locked:
            for n, _v, _parent in inferred_natives(r.name, r.extras, version, python):
                items.append((n, constraints.get(n), r, False, (r.name,), ()))
    seen = set()
    rows: List[Dict[str, Any]] = []
    c_deps = toolchain("c").get("apk", [])
    for name, version, req, direct, via, files in items:
        if name in seen:
            continue
        seen.add(name)
        native = native_package(name)
        if files:
            fv = wheel_from_files(files, python, arch, "musl")
            wheel = {"yes": "yes", "sdist": "no", "none": "no"}.get(fv, "unknown")
            first = None
            no_sdist = fv == "none"
        else:
            v = musl_wheel(name, version, python, arch)
            wheel, first, no_sdist = v.status, v.first_ok, v.no_sdist
        if native is None:
            action = "wheel" if wheel == "yes" else "unknown"
            verdict = "not in the native-package data (no known compiled code)" if wheel != "yes" else "installs from a musllinux wheel"
        elif wheel == "yes":
            action, verdict = "wheel", "installs from a musllinux wheel"
        elif native.compiled == "optional":
            action = "pure-fallback" if wheel == "no" else "unknown"
            verdict = "pure-Python fallback (slower, works)" if wheel == "no" else "optional speedups; works either way"
        elif wheel == "no":
            if no_sdist:
                action, verdict = "fail", "no musllinux wheel and no sdist: installation fails"
            else:
                action, verdict = "compile", "compiled from source on Alpine: needs " + " ".join(sorted(set(c_deps) | set(native.apk)))
        else:
            action, verdict = "unknown", "compiled code; no wheel data for this Python/architecture"
        rows.append(
            {
                "name": name,
                "version": version,
                "declared_at": {"path": req.origin.path, "line": req.origin.line},
                "direct": direct,
                "via": list(via),
                "native": native.compiled if native else None,
                "musl_wheel": wheel,
                "first_musl_version": first,
                "action": action,
                "apk_build": (list(c_deps) + list(native.apk)) if native and native.compiled == "required" else [],
                "apk_runtime": list(native.apk_run) if native else [],
                "alternative": native.alternative if native else None,
                "verdict": verdict,
            }
        )
    return rows


def check(paths: List[str], python: str, arch: str) -> Dict[str, Any]:
    from .manifests import load_manifest

    rows: List[Dict[str, Any]] = []
    problems: List[Dict[str, Any]] = []
    for p in paths:
        m = load_manifest(p, root=os.path.dirname(os.path.abspath(p)))
        for pr in m.problems:
            problems.append({"path": pr.path, "line": pr.line, "message": pr.message, "kind": pr.kind})
        known = {r["name"] for r in rows}
        rows.extend(r for r in _rows(m, python, arch) if r["name"] not in known)
    summary = {
        "packages": len(rows),
        "native": sum(1 for r in rows if r["native"] == "required"),
        "wheel": sum(1 for r in rows if r["action"] == "wheel"),
        "compile": sum(1 for r in rows if r["action"] == "compile"),
        "fail": sum(1 for r in rows if r["action"] == "fail"),
        "unknown": sum(1 for r in rows if r["action"] == "unknown" and r["native"]),
    }
    if summary["fail"]:
        rec = f"Alpine is not viable: {summary['fail']} package(s) cannot be installed on musl. Use python:{python}-slim."
    elif summary["compile"]:
        rec = f"Use python:{python}-slim: {summary['compile']} package(s) would be compiled from source on Alpine (slow builds, a compiler in the image)."
    elif summary["native"]:
        rec = f"Alpine is viable today (every native package has a musllinux wheel), but python:{python}-slim is the safer production base: musl wheel coverage has gaps on upgrades."
    else:
        rec = "Alpine is viable: no package with required compiled code."
    return {"python": python, "arch": arch, "packages": rows, "summary": summary, "recommendation": rec, "problems": problems}


def render_text(result: Dict[str, Any]) -> str:
    out = [f"Alpine (musl) check for CPython {result['python']} on {result['arch']}", ""]
    table = [("package", "version", "native", "musl wheel", "on Alpine", "verdict")]
    for r in result["packages"]:
        wheel = r["musl_wheel"] + (f" (>= {r['first_musl_version']})" if r["musl_wheel"] == "no" and r["first_musl_version"] else "")
        extra = []
        if r["alternative"] and r["action"] in ("compile", "fail"):
            extra.append(f"alternative: {r['alternative']}")
        if r["apk_runtime"] and r["action"] == "compile":
            extra.append("runtime: " + " ".join(r["apk_runtime"]))
        origin = "" if r["direct"] else f" [via {' -> '.join(r['via'])}]"
        verdict = r["verdict"] + origin + ("; " + "; ".join(extra) if extra else "")
        table.append((r["name"], r["version"] or "newest", r["native"] or "-", wheel, r["action"], verdict))
    widths = [max(len(row[i]) for row in table) for i in range(5)]
    for row in table:
        out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5])
    s = result["summary"]
    out.append("")
    out.append(f"{s['packages']} packages: {s['native']} with required compiled code, {s['compile']} would compile, {s['fail']} would fail, {s['unknown']} native without data")
    out.append(result["recommendation"])
    for p in result["problems"]:
        out.append(f"{p['path']}:{p['line'] or '-'}: {p['message']}")
    return "\n".join(out) + "\n"


def run(paths: List[str], python: str, arch: str, fmt: str, out, err) -> int:
    from .exitcodes import ERROR, FINDINGS, SUCCESS
    from .manifests import manifest_kind

    if not paths:
        paths = [f for f in sorted(os.listdir(".")) if os.path.isfile(f) and manifest_kind(f) in ("requirements", "pyproject", "uv.lock", "poetry.lock", "Pipfile.lock", "pylock")]
        if not paths:
            err.write("dockerlint alpine-check: no manifest given and none found in the current directory\n")
            return ERROR
    missing = [p for p in paths if not os.path.isfile(p)]
    for p in missing:
        err.write(f"{p}: cannot read: no such file\n")
    result = check([p for p in paths if p not in missing], python, arch)
    out.write(json.dumps(result, indent=2) + "\n" if fmt == "json" else render_text(result))
    if missing or any(p["kind"] != "remote" for p in result["problems"] if p["line"] is None):
        return ERROR
    return FINDINGS if (result["summary"]["compile"] or result["summary"]["fail"]) else SUCCESS
