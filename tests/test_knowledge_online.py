"""`--online`: a fake PEP 691 / PEP 658 index served on loopback (never the network)."""

import http.server
import json
import os
import subprocess
import sys
import threading

import pytest

from dockerlint_py.knowledge import online
from dockerlint_py.knowledge.native import musl_wheel

PROJECTS = {
    "fakepkg": [
        ("fakepkg-1.0.tar.gz", ">=3.8", None),
        ("fakepkg-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", ">=3.8", "Metadata-Version: 2.1\nName: fakepkg\nVersion: 1.0\nRequires-Dist: fakedep>=2\nRequires-Dist: winonly; sys_platform == 'win32'\n"),
        ("fakepkg-2.0.tar.gz", ">=3.8", None),
        ("fakepkg-2.0-cp312-cp312-musllinux_1_2_x86_64.whl", ">=3.8", "Metadata-Version: 2.1\nName: fakepkg\nVersion: 2.0\nRequires-Dist: fakedep>=2\n"),
    ],
    "fakedep": [
        ("fakedep-2.1-py3-none-any.whl", ">=3.7", "Metadata-Version: 2.1\nName: fakedep\nVersion: 2.1\n"),
    ],
    # a newer release of a bundled package than the bundled data knows
    "numpy": [
        ("numpy-99.0.tar.gz", ">=3.12", None),
        ("numpy-99.0-cp312-cp312-musllinux_1_2_x86_64.whl", ">=3.12", "Metadata-Version: 2.1\nName: numpy\nVersion: 99.0\n"),
    ],
}


class _Index(http.server.BaseHTTPRequestHandler):
    hits = []

    def log_message(self, *a):
        pass

    def do_GET(self):
        _Index.hits.append(self.path)
        parts = [p for p in self.path.split("/") if p]
        if len(parts) == 2 and parts[0] == "simple" and parts[1] in PROJECTS:
            files = [{"filename": fn, "url": f"/files/{fn}", "hashes": {}, "requires-python": rp, "core-metadata": bool(meta)} for fn, rp, meta in PROJECTS[parts[1]]]
            body = json.dumps({"meta": {"api-version": "1.1"}, "name": parts[1], "files": files}).encode()
            self._send(200, body, "application/vnd.pypi.simple.v1+json")
            return
        if len(parts) == 2 and parts[0] == "files" and parts[1].endswith(".metadata"):
            fn = parts[1][: -len(".metadata")]
            for items in PROJECTS.values():
                for name, _rp, meta in items:
                    if name == fn and meta:
                        self._send(200, meta.encode(), "text/plain")
                        return
        self._send(404, b"not found", "text/plain")

    def _send(self, code, body, ctype):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def index(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Index)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/simple"
    _Index.hits.clear()
    online.configure(True, index=url, cache_dir=str(tmp_path / "cache"))
    yield url, tmp_path / "cache"
    online.configure(False)
    server.shutdown()
    server.server_close()


def test_offline_by_default():
    online.configure(False)
    assert musl_wheel("fakepkg", None, "3.12", "x86_64").status == "unknown"


def test_live_facts_for_unknown_packages_and_newer_releases(index):
    v = musl_wheel("fakepkg", None, "3.12", "x86_64")
    assert v.status == "yes" and v.picked == "2.0" and v.source == "live"
    v = musl_wheel("fakepkg", "1.0", "3.12", "x86_64")
    assert v.status == "no" and v.first_ok == "2.0" and v.glibc_ok
    assert musl_wheel("numpy", "99.0", "3.12", "x86_64").source == "live"
    assert musl_wheel("numpy", "1.26.4", "3.12", "x86_64").source == "bundled"  # bundled data suffices


def test_cache_is_reused_until_it_expires(index):
    url, cache = index
    musl_wheel("fakepkg", None, "3.12", "x86_64")
    first = len(_Index.hits)
    online.configure(True, index=url, cache_dir=str(cache))  # new process state, same disk cache
    assert musl_wheel("fakepkg", None, "3.12", "x86_64").source == "live"
    assert len(_Index.hits) == first
    online.configure(True, index=url, cache_dir=str(cache), ttl=-1)
    musl_wheel("fakepkg", None, "3.12", "x86_64")
    assert len(_Index.hits) > first


def test_metadata_dependencies(index):
    assert online.requires_dist("fakepkg", "2.0") == ["fakedep>=2"]


def test_unreachable_index_is_no_data(tmp_path):
    online.configure(True, index="http://127.0.0.1:9/simple", cache_dir=str(tmp_path / "c"), timeout=2)
    try:
        assert musl_wheel("fakepkg", None, "3.12", "x86_64").status == "unknown"
    finally:
        online.configure(False)


def test_alpine_check_online_closure(index, tmp_path):
    url, cache = index
    req = tmp_path / "requirements.txt"
    req.write_text("fakepkg\n")
    env = dict(os.environ, PIP_INDEX_URL=url, XDG_CACHE_HOME=str(tmp_path / "xdg"))
    proc = subprocess.run([sys.executable, "-m", "dockerlint_py", "alpine-check", str(req), "--online", "--format", "json"], capture_output=True, text=True, env=env)
    res = json.loads(proc.stdout)
    rows = {r["name"]: r for r in res["packages"]}
    assert rows["fakepkg"]["source"] == "live" and rows["fakepkg"]["musl_wheel"] == "yes"
    assert rows["fakedep"]["via"] == ["fakepkg"] and "winonly" not in rows
    proc = subprocess.run([sys.executable, "-m", "dockerlint_py", "alpine-check", str(req), "--format", "json"], capture_output=True, text=True, env=env)
    assert {r["name"]: r for r in json.loads(proc.stdout)["packages"]}["fakepkg"]["action"] == "unknown"
