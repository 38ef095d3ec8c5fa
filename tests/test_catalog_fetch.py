"""A hosted catalog (FASTRTC_PLUGINS_REGISTRY_URL over http) from real servers on 127.0.0.1.

Honest and hostile: a trickling server, a gzip bomb, huge numbers, control
characters and non-PEP 508 names each end in a fallback with one warning, and
loading by name never asks the network at all.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from fastrtc_registry.catalog import MAX_CATALOG_BYTES, load_catalog
from fastrtc_registry.catalog.sources import CACHE_SLOT, hosted_catalog
from fastrtc_registry.errors import CatalogError
from fastrtc_registry.index.cache import IndexCache

TESTS = Path(__file__).resolve().parent
GOOD = (TESTS / "data" / "legacy-registry.json").read_bytes()
LEGACY = ["legacy", "uninstalled"]


@dataclass
class Hosted:
    """What the test server answers, and what it was asked."""

    body: bytes = GOOD
    status: int = 200
    etag: str = '"v1"'
    send_length: bool = True
    gzip: bool = False
    trickle: bool = False
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""
    stop: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def hosted() -> Iterator[Hosted]:
    state = Hosted()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(dict(self.headers))
            if self.headers.get("If-None-Match") == state.etag and state.status == 200:
                self.send_response(304)
                self.end_headers()
                return
            body = gzip.compress(state.body) if state.gzip else state.body
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("ETag", state.etag)
            if state.gzip:
                self.send_header("Content-Encoding", "gzip")
            if state.send_length:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if state.trickle:  # one byte at a time, never finishing
                for byte in body:
                    if state.stop.wait(0.2):
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                return
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            pass  # the client hanging up on an oversized or slow body is the point

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/registry.json"
    yield state
    state.stop.set()
    server.shutdown()
    server.server_close()


def _cache_file(url: str) -> Path:
    return IndexCache(url).path / f"{CACHE_SLOT}.json"


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/registry.json"


def _age_cache(url: str, seconds: float) -> None:
    path = _cache_file(url)
    doc = json.loads(path.read_text())
    doc["fetched_at"] = time.time() - seconds
    path.write_text(json.dumps(doc))


def _names(catalog: object) -> list[str]:
    return [e.name for e in catalog.entries]  # type: ignore[attr-defined]


def _doc(**entry: object) -> bytes:
    base = {"name": "energy", "kind": "vad", "package": "fastrtc-energy-vad"}
    return json.dumps({"schema_version": 1, "plugins": [{**base, **entry}], "removed": []}).encode()


def test_fetches_caches_and_reuses(hosted: Hosted) -> None:
    catalog = hosted_catalog(hosted.url, network=True)
    assert _names(catalog) == LEGACY
    assert catalog.source == hosted.url and catalog.warnings == ()
    assert hosted.requests[0]["User-Agent"].startswith("fastrtc-registry/")
    cache = _cache_file(hosted.url)
    assert cache.is_file()
    assert [p.name for p in cache.parent.iterdir()] == [cache.name]  # no temp files left
    again = hosted_catalog(hosted.url, network=True)
    assert again.entries == catalog.entries
    assert len(hosted.requests) == 1  # fresh cache: the server is not asked


def test_old_cache_is_revalidated_with_its_etag(hosted: Hosted) -> None:
    hosted_catalog(hosted.url, network=True)
    _age_cache(hosted.url, 7200)
    catalog = hosted_catalog(hosted.url, network=True)
    assert hosted.requests[-1].get("If-None-Match") == '"v1"'
    assert _names(catalog) == LEGACY and catalog.warnings == ()
    # The 304 renewed the copy: the next call does not ask again.
    hosted_catalog(hosted.url, network=True)
    assert len(hosted.requests) == 2


def test_server_down_uses_the_stale_copy_and_says_how_old(hosted: Hosted) -> None:
    hosted_catalog(hosted.url, network=True)
    _age_cache(hosted.url, 3 * 3600 + 5)
    hosted.status = 404
    catalog = hosted_catalog(hosted.url, network=True)
    assert _names(catalog) == LEGACY
    (warning,) = catalog.warnings
    assert "404" in warning and "using the copy cached 3 hours ago" in warning


def test_unreachable_without_cache_falls_back_to_the_shipped_catalog() -> None:
    url = _dead_url()
    catalog = hosted_catalog(url, network=True, deadline=5)
    assert catalog.find("humaware")  # the embedded catalog
    assert "could not fetch the catalog" in catalog.warnings[0]
    assert "using the catalog shipped with fastrtc-registry" in catalog.warnings[0]
    assert not _cache_file(url).exists()


HOSTILE_ANSWERS = {
    "not-json": (b"{not json", {}, "not valid JSON"),
    "path-name": (_doc(name="a/b"), {}, "/plugins/0/name"),
    "shell-in-package": (_doc(package="fastrtc-evil; curl x | sh"), {}, "/plugins/0/package"),
    "escape-in-summary": (_doc(summary="ok\x1b[2J"), {}, "control characters"),
    "huge-version": (
        _doc(
            validation={
                "version": "1" * 5000,
                "suite": "0.1.0",
                "fastrtc": "0.0.34",
                "python": "3.11.7",
                "status": "passed",
                "date": "2026-01-01",
            }
        ),
        {},
        "/plugins/0/validation/version",
    ),
    "huge-integer": (b'{"schema_version": 1' + b"0" * 5000 + b"}", {}, "not valid JSON"),
    "too-big-declared": (b" " * (MAX_CATALOG_BYTES + 1), {}, "limit"),
    "too-big-streamed": (b" " * (MAX_CATALOG_BYTES + 1), {"send_length": False}, "limit"),
    "gzip-bomb": (b" " * (64 * MAX_CATALOG_BYTES) + b"{}", {"gzip": True}, "limit"),
    "not-utf8": (b"\xff\xfe{}", {}, "not UTF-8"),
}


@pytest.mark.parametrize(
    ("body", "settings", "expected"), HOSTILE_ANSWERS.values(), ids=HOSTILE_ANSWERS.keys()
)
def test_bad_answer_never_replaces_a_good_copy(
    hosted: Hosted, body: bytes, settings: dict[str, bool], expected: str
) -> None:
    hosted_catalog(hosted.url, network=True)
    _age_cache(hosted.url, 7200)
    aged = _cache_file(hosted.url).read_bytes()
    hosted.body, hosted.etag = body, '"v2"'
    for name, value in settings.items():
        setattr(hosted, name, value)
    catalog = hosted_catalog(hosted.url, network=True)
    assert _names(catalog) == LEGACY
    (warning,) = catalog.warnings
    assert expected in warning and "using the copy cached 2 hours ago" in warning
    assert "\x1b" not in warning and "\n" not in warning
    assert _cache_file(hosted.url).read_bytes() == aged


@pytest.mark.parametrize(
    "body", [v[0] for k, v in HOSTILE_ANSWERS.items() if k in ("huge-version", "escape-in-summary")]
)
def test_hostile_answer_without_cache_falls_back_to_the_shipped_catalog(
    hosted: Hosted, body: bytes
) -> None:
    hosted.body = body
    catalog = hosted_catalog(hosted.url, network=True)
    assert catalog.find("walkie-talkie")  # the embedded catalog, not a ValueError
    assert "using the catalog shipped with fastrtc-registry" in catalog.warnings[0]
    assert not _cache_file(hosted.url).exists()


def test_a_trickling_server_is_cut_off_at_the_deadline(hosted: Hosted) -> None:
    hosted.trickle = True
    catalog = hosted_catalog(hosted.url, network=True, deadline=1.5)
    assert catalog.find("humaware")
    assert "using the catalog shipped with fastrtc-registry" in catalog.warnings[0]
    assert len(hosted.requests) >= 1


def test_without_network_the_server_is_never_asked(hosted: Hosted) -> None:
    catalog = hosted_catalog(hosted.url, network=False)
    assert hosted.requests == []
    assert catalog.find("walkie-talkie")
    assert "no cached copy of the catalog" in catalog.warnings[0]
    hosted_catalog(hosted.url, network=True)
    _age_cache(hosted.url, 10 * 86400)  # however old: used as it is
    catalog = hosted_catalog(hosted.url, network=False)
    assert _names(catalog) == LEGACY and catalog.warnings == ()
    assert len(hosted.requests) == 1


@pytest.mark.parametrize(
    "damage",
    [
        b"{",
        b'{"format": 1, "index_url": "elsewhere", "data": {}, "fetched_at": 0}',
        b"\xff",
        b'{"format": 1, "index_url": "%s", "fetched_at": 1, "key": null, "data": {"body": "[]"}}',
        b'{"format": 1, "index_url": "%s", "fetched_at": 1, "key": null, '
        b'"data": {"body": "{\\"schema_version\\": 1%s}"}}',
    ],
    ids=["truncated", "foreign", "binary", "unparsable-body", "huge-number-body"],
)
def test_corrupt_cache_is_never_trusted(hosted: Hosted, damage: bytes) -> None:
    path = _cache_file(hosted.url)
    path.parent.mkdir(parents=True, exist_ok=True)
    damage = damage.replace(b"%s", hosted.url.encode(), 1).replace(b"%s", b"0" * 5000)
    path.write_bytes(damage)
    offline = hosted_catalog(hosted.url, network=False)
    assert offline.find("humaware") and hosted.requests == []
    catalog = hosted_catalog(hosted.url, network=True)
    assert _names(catalog) == LEGACY
    assert json.loads(path.read_bytes())["data"]["etag"] == '"v1"'  # rewritten from the server


def test_load_catalog_follows_the_environment(
    hosted: Hosted, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FASTRTC_PLUGINS_REGISTRY_URL", hosted.url)
    monkeypatch.delenv("FASTRTC_PLUGINS_OFFLINE")
    assert load_catalog(network=False).find("humaware")  # nothing cached yet
    assert hosted.requests == []
    assert _names(load_catalog(network=True)) == LEGACY
    cache_root = Path(os.environ["FASTRTC_PLUGINS_CACHE_DIR"])
    assert _cache_file(hosted.url).is_relative_to(cache_root)
    assert _names(load_catalog(network=False)) == LEGACY
    monkeypatch.setenv("FASTRTC_PLUGINS_OFFLINE", "1")
    _age_cache(hosted.url, 7200)
    assert _names(load_catalog(network=True)) == LEGACY  # offline: the cache, no request
    assert len(hosted.requests) == 1


def test_a_local_catalog_with_a_huge_number_is_a_catalog_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "registry.json"
    path.write_bytes(HOSTILE_ANSWERS["huge-version"][0])
    monkeypatch.setenv("FASTRTC_PLUGINS_REGISTRY_URL", str(path))
    with pytest.raises(CatalogError, match="/plugins/0/validation/version"):
        load_catalog(network=False)


def test_trickling_catalog_never_holds_up_list_or_loading(
    hosted: Hosted, good_env: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``list`` and ``load_vad`` use the catalog without asking the network at all."""
    hosted.trickle = True
    env = {"FASTRTC_PLUGINS_REGISTRY_URL": hosted.url, "FASTRTC_PLUGINS_OFFLINE": ""}
    listed = good_env.run("list", "--json", env=env, timeout=120)  # type: ignore[attr-defined]
    assert listed.returncode == 0, listed.stderr
    assert {"energy", "silero"} <= {row["name"] for row in json.loads(listed.stdout)}
    loaded = good_env.python_run(  # type: ignore[attr-defined]
        "-c",
        "from fastrtc_registry import load_vad; print(type(load_vad('energy')).__name__)",
        env=env,
        timeout=120,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "EnergyVAD"
    assert hosted.requests == []


def test_credentials_in_the_catalog_url_are_never_shown_or_stored(hosted: Hosted) -> None:
    url = hosted.url.replace("http://", "http://alice:s3cret@")
    catalog = hosted_catalog(url, network=True)
    assert _names(catalog) == LEGACY
    assert catalog.source == hosted.url.replace("http://", "http://alice:****@")
    assert hosted.requests[0].get("Authorization", "").startswith("Basic ")
    hosted.status = 404
    _age_cache(url, 7200)
    stale = hosted_catalog(url, network=True)
    assert "s3cret" not in " ".join(stale.warnings) and "alice:****" in stale.warnings[0]
    cache_root = Path(os.environ["FASTRTC_PLUGINS_CACHE_DIR"])
    for path in cache_root.rglob("*"):
        if path.is_file():
            assert b"s3cret" not in path.read_bytes(), path
