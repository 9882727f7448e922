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
                   "first_musl_version": str|null, "action": "wheel"|"pure"|"pure-fallback"|"compile"|
                   "fail"|"unknown", "picked": str|null, "source": "bundled"|"live"|"lock", "apk_build": [..], "apk_runtime": [..],
                   "alternative": str|null, "verdict": str}],
     "summary": {"packages", "native", "wheel", "pure", "compile", "fail", "unknown"},
     "recommendation": str, "problems": [{"path", "line", "message"}]}

Exit status: 1 when anything would compile or fail, or when a package is undecided ("unknown":
not in the bundled data nor, with ``--online``, on the index); 0 otherwise; 2 when a manifest
cannot be read. ``source`` per row says where the wheel facts came from: "bundled", "live"
(``--online``) or "lock" (the lock's file list).
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List


def _rows(manifest, python: str, arch: str) -> List[Dict[str, Any]]:
    from ..knowledge.native import Target, native_package, verdict, wheel_from_files
    from ..knowledge.wheels import is_pure
    from ..manifests.markers import marker_holds, target_environment
    from ..analysis.plan import inferred_natives

    env = target_environment(python, arch)
    locked = manifest.extra.get("packages") if manifest.kind != "Pipfile.lock" else None
    items: List[Any] = []
    constraints = {c.name: c.pinned_version for c in manifest.constraints if c.pinned_version}
    declared: Dict[str, Any] = {}
    for r in manifest.requirements:
        if r.group not in ("",) and manifest.kind in ("pyproject", "Pipfile", "Pipfile.lock", "setup.cfg"):
            continue  # main dependencies only: extras and dev groups are opt-in
        if r.marker and not marker_holds(r.marker, env):
            continue
        if r.name:
            declared.setdefault(r.name, r)
    for name, r in declared.items():
        version = r.pinned_version or constraints.get(name)
        files = locked[name].files if locked and name in locked else ()
        items.append((name, version, r.specifier if not version else "", r, True, (), files))
    if not locked:
        for name, r in declared.items():
            version = r.pinned_version or constraints.get(name)
            for n, _v, parent in inferred_natives(name, r.extras, version, python):
                if n in declared:
                    continue  # declared in the same manifest: its own pin (or range) decides
                items.append((n, constraints.get(n), "", r, False, (name,), ()))
    if not locked:
        items.extend(_online_closure(declared, constraints, {it[0] for it in items}, python, arch, env))
    seen = set()
    rows: List[Dict[str, Any]] = []
    target = Target((python,), arch, True)
    for name, version, spec, req, direct, via, files in items:
        if name in seen:
            continue
        seen.add(name)
        native = native_package(name)
        source = "lock" if files else "bundled"
        picked = version
        if files:
            fv = wheel_from_files(files, python, arch, "musl")
            wheel = {"yes": "yes", "sdist": "no", "none": "no"}.get(fv, "unknown")
            first = None
            no_sdist = fv == "none"
            kind = "wheel" if wheel == "yes" else "unknown"
        else:
            v = verdict(name, version, target, spec)
            wheel, first, no_sdist, kind, source = v.status, v.first_ok, v.no_sdist, v.kind, v.source
            picked = v.picked or version
        pure = native is None and is_pure(name)
        if pure:
            action, verdict_text = "pure", "pure Python: installs anywhere"
        elif native is None:
            if wheel == "yes" and kind == "pure":
                action, verdict_text = "pure", "installs from a pure-Python wheel"
            elif wheel == "yes":
                action, verdict_text = "wheel", "installs from a musllinux wheel"
            else:
                action, verdict_text = "unknown", "not in the bundled data" + ("" if source == "live" else " (try --online)")
        elif wheel == "yes":
            action = "wheel" if kind != "pure" else "pure"
            verdict_text = "installs from a musllinux wheel" if kind != "pure" else "installs from a pure-Python wheel"
        elif native.compiled == "optional":
            action = "pure-fallback" if wheel == "no" else "unknown"
            verdict_text = "pure-Python fallback (slower, works)" if wheel == "no" else "optional speedups; works either way"
        elif wheel == "no":
            if no_sdist:
                action, verdict_text = "fail", "no musllinux wheel and no sdist: installation fails"
            else:
                action, verdict_text = "compile", "compiled from source on Alpine: needs " + " ".join(_apk_build(native))
        else:
            action, verdict_text = "unknown", "compiled code; no wheel data for this release" + ("" if source == "live" else " (try --online)")
        rows.append(
            {
                "name": name,
                "version": version,
                "picked": picked,
                "declared_at": {"path": req.origin.path, "line": req.origin.line},
                "direct": direct,
                "via": list(via),
                "native": native.compiled if native else ("none" if pure else None),
                "musl_wheel": wheel if not pure else "yes",
                "first_musl_version": first,
                "action": action,
                "apk_build": _apk_build(native) if native and native.compiled == "required" else [],
                "apk_runtime": list(native.apk_run) if native else [],
                "alternative": native.alternative if native else None,
                "source": source,
                "verdict": verdict_text,
            }
        )
    return rows


def _apk_build(native) -> List[str]:
    """apk packages a source build needs: its toolchains (C, C++, Rust...) and headers."""
    from ..knowledge.native import toolchain

    out: List[str] = []
    for kind in native.toolchain or ("c",):
        for n in toolchain(kind).get("apk", []):
            if n not in out:
                out.append(n)
    for n in native.apk:
        if n not in out:
            out.append(n)
    return out


_CLOSURE_LIMIT = 300


def _online_closure(declared, constraints, known, python: str, arch: str, env) -> list:
    """With ``--online``: the dependencies of the declared packages, from PEP 658 metadata of
    the release pip picks for this Python (breadth first, bounded). Conflicts between ranges
    are not resolved: the first range seen for a name decides (a hint, not a resolver)."""
    from ..knowledge import online
    from ..knowledge.wheels import facts, pick

    if not online.enabled():
        return []
    from packaging.requirements import InvalidRequirement, Requirement

    from ..manifests import canonical

    out: List[Any] = []
    seen = set(known)
    queue: List[Any] = [(name, r.pinned_version or constraints.get(name), r.specifier or "", (), r) for name, r in declared.items()]
    while queue and len(seen) < _CLOSURE_LIMIT:
        name, version, spec, via, origin_req = queue.pop(0)
        f = facts(name, version)
        if f is None:
            continue
        p = pick(f, python, arch, "musl", version, "" if version else spec)
        if p.release is None:
            continue
        deps = online.requires_dist(name, p.release.version) or []
        for text in deps:
            try:
                req = Requirement(text)
            except InvalidRequirement:
                continue
            if req.marker is not None:
                try:
                    if not req.marker.evaluate(dict(env, extra="")):
                        continue
                except Exception:  # noqa: BLE001 - an unknown marker variable: skip the dependency
                    continue
            n = canonical(req.name)
            if n in seen:
                continue
            seen.add(n)
            chain = via + (name,)
            pin = constraints.get(n)
            out.append((n, pin, "" if pin else str(req.specifier), origin_req, False, chain, ()))
            queue.append((n, pin, str(req.specifier), chain, origin_req))
    return out


def check(paths: List[str], python: str, arch: str) -> Dict[str, Any]:
    from ..manifests import load_manifest

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
        "pure": sum(1 for r in rows if r["action"] in ("pure", "pure-fallback")),
        "compile": sum(1 for r in rows if r["action"] == "compile"),
        "fail": sum(1 for r in rows if r["action"] == "fail"),
        "unknown": sum(1 for r in rows if r["action"] == "unknown"),
    }
    slim = f"python:{python}-slim"
    if summary["fail"]:
        rec = f"Alpine is not viable: {summary['fail']} package(s) cannot be installed on musl. Use {slim}."
    elif summary["compile"]:
        rec = f"Use {slim}: {summary['compile']} package(s) would be compiled from source on Alpine (slow builds, a compiler in the image)."
    elif summary["unknown"]:
        rec = f"Undecided: {summary['unknown']} package(s) are not in the bundled data and may contain compiled code (try --online). {slim} is the safe choice."
    elif summary["native"]:
        rec = f"Alpine is viable today (every compiled package has a musllinux wheel), but {slim} is the safer production base: musl wheel coverage has gaps on upgrades."
    else:
        rec = "Alpine is viable: no package with compiled code."
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
        shown = r["version"] or (f"newest ({r['picked']})" if r.get("picked") else "newest")
        table.append((r["name"], shown, r["native"] or "-", wheel, r["action"], verdict + (" [live]" if r.get("source") == "live" else "")))
    widths = [max(len(row[i]) for row in table) for i in range(5)]
    for row in table:
        out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5])
    s = result["summary"]
    out.append("")
    out.append(f"{s['packages']} packages: {s['native']} with required compiled code, {s['pure']} pure, {s['compile']} would compile, {s['fail']} would fail, {s['unknown']} unknown")
    out.append(result["recommendation"])
    for p in result["problems"]:
        out.append(f"{p['path']}:{p['line'] or '-'}: {p['message']}")
    return "\n".join(out) + "\n"


def run(paths: List[str], python: str, arch: str, fmt: str, out, err) -> int:
    from ..exitcodes import ERROR, FINDINGS, SUCCESS
    from ..manifests import manifest_kind

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
    s = result["summary"]
    return FINDINGS if (s["compile"] or s["fail"] or s["unknown"]) else SUCCESS
