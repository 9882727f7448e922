"""``--fix`` / ``--diff``: lint, apply the fixes, lint again until nothing is left to fix.

Edits of one pass are grouped by target file (a finding's own file, or the manifest an edit
names) and applied together; overlapping edits wait for the next pass. At most a few passes run,
so a fix that keeps re-triggering cannot loop forever. With ``write=False`` the passes run on an
in-memory copy and the result is a unified diff.

Writing is per file and careful (:func:`~dockerlint_py.fixes.edits.write_in_place`): a file edited
since it was read, a read-only file, a symlink out of the repository or a failed write is a
message for that file; the other files are still fixed and linted.
"""

from __future__ import annotations

import difflib
import os
from typing import Dict, List, Sequence, Tuple

from .edits import WriteRefused, apply_edits, write_in_place

_MAX_PASSES = 4


def fix_files(files: Sequence[str], options, unsafe: bool, write: bool) -> Tuple[int, str, List[str]]:
    from ..engine import display_path, is_excluded, lint_source, read_source

    contents: Dict[str, bytes] = {}
    originals: Dict[str, bytes] = {}
    on_disk: Dict[str, bytes] = {}  # what we read or last wrote: the file must still hold it
    failed: Dict[str, str] = {}  # files that could not be written: not touched again
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
        on_disk[key] = data
        return data

    shown: Dict[str, str] = {}
    targets: Dict[str, str] = {}
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
                if key in failed:
                    continue
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
                    targets[key] = os.path.abspath(target)
                    changed = True
            if not changed:
                break
            fixed += count
            if write:
                for key in list(shown):
                    if key in failed or contents[key] == on_disk[key]:
                        continue
                    name = shown[key]
                    try:
                        write_in_place(targets[key], contents[key], on_disk[key])
                    except WriteRefused as exc:
                        failed[key] = f"{name}: {exc}"
                    except OSError as exc:
                        failed[key] = f"{name}: cannot write the fix: {exc.strerror or exc}; file left as it was"
                    else:
                        on_disk[key] = contents[key]
                    if key in failed:
                        errors.append(failed[key])
                        contents[key] = on_disk[key]
                        fixed -= count if key == os.path.realpath(path) else 0
            if not write:
                break  # a diff shows one pass: the next lint would read unchanged files
    diff: List[str] = []
    for key, name in sorted(shown.items(), key=lambda kv: kv[1]):
        if contents[key] == originals[key]:
            continue
        diff.extend(unified_diff(originals[key], contents[key], name))
    return fixed, "".join(diff), errors


def unified_diff(old: bytes, new: bytes, name: str) -> List[str]:
    """A patch ``git apply`` and ``patch`` accept: a last line without a newline is marked
    ``\\ No newline at end of file`` (on each side where it occurs)."""
    a = _lines(old)
    b = _lines(new)
    out = []
    for line in difflib.unified_diff(a, b, fromfile=f"a/{name}", tofile=f"b/{name}"):
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return out


def _lines(data: bytes) -> List[str]:
    # split on "\n" only, as git does (str.splitlines would also split on \r, \f, \x85...)
    text = data.decode("utf-8", "replace")
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines
