"""``--online``: wheel facts for packages or releases outside the bundled data, from the index.

Off by default (pre-commit stays offline and deterministic). When on, a package the bundled data
lacks, or a pin newer than it, is looked up on the index the user's pip is configured for
(``PIP_INDEX_URL``, then ``index-url`` in pip's configuration files, else PyPI): one PEP 691 JSON
request per project, and PEP 658 metadata (``<file>.metadata``) for a release's dependencies.
Answers are cached on disk (``$XDG_CACHE_HOME/dockerlint-py/index``) and reused until they expire
(a day by default). Every failure (network, HTTP error, bad JSON) is "no data": the finding stays
unknown, exactly as offline.
"""

from __future__ import annotations

import os
import time
from typing import Dict, List, Optional, Tuple

__all__ = ["configure", "enabled", "facts", "requires_dist", "index_url", "DEFAULT_INDEX"]

DEFAULT_INDEX = "https://pypi.org/simple"
_ACCEPT = "application/vnd.pypi.simple.v1+json"
_MAX_BYTES = 64 * 1024 * 1024
_CONF: Dict[str, object] = {"enabled": False, "index": None, "cache": None, "ttl": 86400.0, "timeout": 15.0}
_MEMO: Dict[str, object] = {}


def configure(enabled: bool = True, index: Optional[str] = None, cache_dir: Optional[str] = None, ttl: Optional[float] = None, timeout: Optional[float] = None) -> None:
    _CONF["enabled"] = bool(enabled)
    from .wheels import _STATE

    _STATE["online"] = bool(enabled)
    _CONF["index"] = index
    _CONF["cache"] = cache_dir
    if ttl is not None:
        _CONF["ttl"] = float(ttl)
    if timeout is not None:
        _CONF["timeout"] = float(timeout)
    _MEMO.clear()


def enabled() -> bool:
    return bool(_CONF["enabled"])


def index_url() -> str:
    """The index pip is configured for: PIP_INDEX_URL, then pip's config files, else PyPI."""
    if _CONF["index"]:
        return str(_CONF["index"]).rstrip("/")
    env = os.environ.get("PIP_INDEX_URL")
    if env:
        return env.rstrip("/")
    import configparser

    files = []
    if os.environ.get("PIP_CONFIG_FILE"):
        files.append(os.environ["PIP_CONFIG_FILE"])
    home = os.path.expanduser("~")
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    files += ["/etc/pip.conf", os.path.join(home, ".pip", "pip.conf"), os.path.join(xdg, "pip", "pip.conf")]
    if os.environ.get("VIRTUAL_ENV"):
        files.append(os.path.join(os.environ["VIRTUAL_ENV"], "pip.conf"))
    found = None
    for path in files:
        if not os.path.isfile(path):
            continue
        cp = configparser.ConfigParser(interpolation=None)
        try:
            cp.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue
        for section in ("global", "install"):
            if cp.has_option(section, "index-url"):
                found = cp.get(section, "index-url").strip()
    return (found or DEFAULT_INDEX).rstrip("/")


def _cache_dir() -> str:
    if _CONF["cache"]:
        return str(_CONF["cache"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "dockerlint-py", "index")


def _cache_path(kind: str, key: str) -> str:
    import hashlib

    h = hashlib.sha256(f"{index_url()}\n{kind}\n{key}".encode()).hexdigest()[:32]
    return os.path.join(_cache_dir(), f"{kind}-{h}.txt")


def _cached(kind: str, key: str) -> Optional[str]:
    path = _cache_path(kind, key)
    try:
        st = os.stat(path)
        if time.time() - st.st_mtime > float(_CONF["ttl"]):  # type: ignore[arg-type]
            return None
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        return None


def _store(kind: str, key: str, text: str) -> None:
    path = _cache_path(kind, key)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + f".{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError:
        pass


def _get(url: str, accept: Optional[str] = None) -> Optional[bytes]:
    import urllib.error
    import urllib.request

    if not url.startswith(("http://", "https://")):
        return None
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(req, timeout=float(str(_CONF["timeout"]))) as resp:  # noqa: S310 - http(s) only, checked above
            data = resp.read(_MAX_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    if len(data) > _MAX_BYTES:
        return None
    return data


def _listing(name: str) -> Optional[dict]:
    key = f"listing:{name}"
    if key in _MEMO:
        return _MEMO[key]  # type: ignore[return-value]
    import json

    raw = _get(f"{index_url()}/{name}/", _ACCEPT)
    data = None
    if raw is not None:
        try:
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            data = None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        data = None
    _MEMO[key] = data
    return data


def facts(name: str):
    """Live wheel facts of ``name`` (source "live"), or None when the index cannot tell."""
    from .wheels import Facts, _decode, encode_release, facts_from_files

    key = f"facts:{name}"
    if key in _MEMO:
        return _MEMO[key]
    text = _cached("facts", name)
    if text is not None:
        f = _decode(name, text, "live") if text != "-" else None
    else:
        listing = _listing(name)
        if listing is None:
            f = None
        else:
            files = [x for x in listing["files"] if isinstance(x, dict) and isinstance(x.get("filename"), str)]
            built = facts_from_files(name, files, "live")
            f = Facts(name, built.releases, "live") if built.releases else None
        _store("facts", name, " ".join(encode_release(r) for r in f.releases) if f is not None else "-")
    _MEMO[key] = f
    return f


def requires_dist(name: str, version: str) -> Optional[List[str]]:
    """``Requires-Dist`` of a release from PEP 658 metadata (a wheel's ``.metadata`` file)."""
    key = f"{name}=={version}"
    text = _cached("meta", key)
    if text is None:
        text = _fetch_metadata(name, version)
        if text is None:
            return None
        _store("meta", key, text)
    if text == "-":
        return None
    from email.parser import HeaderParser

    msg = HeaderParser().parsestr(text)
    return [v for v in (msg.get_all("Requires-Dist") or []) if isinstance(v, str)]


def _fetch_metadata(name: str, version: str) -> Optional[str]:
    from .wheels import _same

    listing = _listing(name)
    if listing is None:
        return None
    best: Optional[Tuple[int, dict]] = None
    for f in listing["files"]:
        fn = f.get("filename", "") if isinstance(f, dict) else ""
        if not fn.endswith(".whl"):
            continue
        meta = f.get("core-metadata", f.get("dist-info-metadata"))
        if not meta:
            continue
        parts = fn.split("-")
        if len(parts) < 5 or not _same(parts[1], version):
            continue
        rank = 0 if fn.endswith("-none-any.whl") else 1
        if best is None or rank < best[0]:
            best = (rank, f)
    if best is None:
        return "-"
    url = best[1].get("url", "")
    if not url.startswith(("http://", "https://")):
        from urllib.parse import urljoin

        url = urljoin(f"{index_url()}/{name}/", url)
    raw = _get(url.split("#", 1)[0] + ".metadata")
    if raw is None:
        return None
    return raw.decode("utf-8", "replace")
