"""The own entry-point scanner (``rules._entry_points``) against ``importlib.metadata``: on a
``sys.path`` of temporary site directories with several metadata layouts (normalised and
differently spelt names, the same distribution twice, egg-info directories and files, an
``.egg`` directory, sections and comments its parser reads its own way) both see the same entry
points of the ``dockerlint_py.rules`` group, from the same distributions. The one intended
difference: the current directory is never searched."""

import importlib.metadata
import os
import sys

import pytest

from dockerlint_py.rules import ENTRY_POINT_GROUP, _entry_points

G = ENTRY_POINT_GROUP


def _dist(site, dirname, name, entry_points=None, meta="METADATA"):
    d = site / dirname
    d.mkdir(parents=True)
    (d / meta).write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    if entry_points is not None:
        (d / "entry_points.txt").write_text(entry_points)
    return d


@pytest.fixture
def sites(tmp_path, monkeypatch):
    s1, s2, s3 = tmp_path / "site1", tmp_path / "site2", tmp_path / "eggs" / "eggy-1.0-py3.11.egg"
    for s in (s1, s2, s3):
        s.mkdir(parents=True)
    _dist(s1, "good_plugin-1.0.dist-info", "good_plugin", f"[console_scripts]\nx = y:z\n\n[{G}]\n# a comment\nalpha = good_plugin.rules:RULES\nbeta=good_plugin.more\n")
    _dist(s2, "Good.Plugin-2.0.dist-info", "Good.Plugin", f"[{G}]\nshadowed = good_plugin.old:RULES\n")  # same project: hidden
    _dist(s1, "Legacy_Pkg-0.1-py3.11.egg-info", "Legacy-Pkg", f"[{G}]\nlegacy = legacy_pkg:rules\n", meta="PKG-INFO")
    _dist(s1, "no_entry_points-1.0.dist-info", "no-entry-points")
    _dist(s1, "brackets-1.0.dist-info", "brackets", f"[[{G}]]\nbr = brackets.a\n[ {G} ]\nspaced = brackets.b\n[{G}]\n; semi = brackets.c\n")
    (s1 / "shadow-1.0.egg-info").write_text("Metadata-Version: 1.0\nName: shadow\n")  # a file: no entry points, but it hides the next
    _dist(s2, "shadow-2.0.dist-info", "shadow", f"[{G}]\nhidden = shadow:RULES\n")
    _dist(s2, "other_dist-3.dist-info", "other-dist", f"[{G}]\nother = other_dist:RULES\n[other.group]\nnot_ours = x:y\n")
    _dist(s3, "EGG-INFO", "eggy", f"[{G}]\negg = eggy:RULES\n", meta="PKG-INFO")
    monkeypatch.setattr(sys, "path", [str(s1), str(s2), str(s3)])
    return s1, s2, s3


def _norm(name):
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


def _reference():
    eps = importlib.metadata.entry_points(group=G)
    return sorted((_norm(ep.dist.metadata["Name"]), ep.name, ep.value) for ep in eps)


def test_same_entry_points_as_importlib_metadata(sites):
    ours = sorted((ep.dist, ep.name, ep.value) for ep in _entry_points())
    assert ours == _reference()
    assert {name for _d, name, _v in ours} == {"alpha", "beta", "legacy", "br", "; semi", "other", "egg"}


def test_the_installed_environment_agrees_too(monkeypatch):
    ours = sorted((ep.name, ep.value) for ep in _entry_points())
    assert ("builtin", "dockerlint_py.rules:builtin_rules") in ours
    # the library's view of the same path, minus the current directory (under pytest the
    # checkout's root is on sys.path, with whatever build metadata lies there)
    cwd = os.path.realpath(os.getcwd())
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p and os.path.isabs(p) and os.path.realpath(p) != cwd])
    assert ours == sorted((ep.name, ep.value) for ep in importlib.metadata.entry_points(group=G))


def test_the_current_directory_is_never_searched(sites, tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    _dist(repo, "evil-1.0.dist-info", "evil", f"[{G}]\nevil = evil:RULES\n")
    monkeypatch.chdir(repo)
    monkeypatch.setattr(sys, "path", ["", str(repo)] + sys.path)
    assert "evil" in {ep.name for ep in importlib.metadata.entry_points(group=G)}  # the library would load it
    assert "evil" not in {ep.name for ep in _entry_points()}
    assert sorted((ep.dist, ep.name, ep.value) for ep in _entry_points()) == [r for r in _reference() if r[1] != "evil"]
