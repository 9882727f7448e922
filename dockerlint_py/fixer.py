"""``--fix`` / ``--diff``: lint, apply the fixes, lint again until nothing is left to fix.

Edits of one pass are grouped by target file (a finding's own file, or the manifest an edit
names) and applied together; overlapping edits wait for the next pass. At most a few passes run,
so a fix that keeps re-triggering cannot loop forever. With ``write=False`` the passes run on an
in-memory copy and the result is a unified diff.
"""

from __future__ import annotations

import difflib
import os
from typing import Dict, List, Sequence, Tuple

from .fix import apply_edits, write_atomic

_MAX_PASSES = 4


def fix_files(files: Sequence[str], options, unsafe: bool, write: bool) -> Tuple[int, str, List[str]]:
    from .engine import display_path, is_excluded, lint_source, read_source

    contents: Dict[str, bytes] = {}
    originals: Dict[str, bytes] = {}
    errors: List[str] = []
    fixed = 0

    def current(path: str):
        key = os.path.realpath(path)
        if key in contents:
            return contents[key]
        data, err = read_source(path)
        if err is not None or data is None:
            return None
        contents[key] = data
        originals[key] = data
        return data

    shown: Dict[str, str] = {}
    for path in files:
        if path == "-" or (options.force_exclude and is_excluded(path, options)):
            continue
        for _ in range(_MAX_PASSES):
            data = current(path)
            if data is None:
                break
            # the Dockerfile is linted from memory; manifests are read from disk, so with --diff a
            # manifest fix shows once (it cannot re-trigger anyway)
            result = lint_source(data, path, options)
            groups: Dict[str, list] = {}
            count = 0
            for f in result.findings:
                if f.fix is None or (not f.fix.safe and not unsafe):
                    continue
                count += 1
                for e in f.fix.edits:
                    target = e.path or path
                    groups.setdefault(os.path.realpath(target), []).append((target, e))
            if not groups:
                break
            changed = False
            for key, items in groups.items():
                target = items[0][0]
                data_t = current(target)
                if data_t is None:
                    errors.append(f"{display_path(target)}: cannot read; fix not applied")
                    continue
                try:
                    new, applied = apply_edits(data_t, [e for _, e in items])
                except UnicodeDecodeError:
                    errors.append(f"{display_path(target)}: not UTF-8; fix not applied")
                    continue
                if applied and new != data_t:
                    contents[key] = new
                    shown[key] = display_path(target)
                    changed = True
            if not changed:
                break
            fixed += count
            if write:
                for key in list(shown):
                    if contents[key] != originals[key]:
                        write_atomic(key, contents[key])
            if not write:
                break  # a diff shows one pass: the next lint would read unchanged files
    diff = []
    for key, name in sorted(shown.items(), key=lambda kv: kv[1]):
        if contents[key] == originals[key]:
            continue
        a = originals[key].decode("utf-8", "replace").splitlines(keepends=True)
        b = contents[key].decode("utf-8", "replace").splitlines(keepends=True)
        diff.extend(difflib.unified_diff(a, b, fromfile=f"a/{name}", tofile=f"b/{name}"))
        if diff and not diff[-1].endswith("\n"):
            diff[-1] += "\n\\ No newline at end of file\n"
    return fixed, "".join(diff), errors
