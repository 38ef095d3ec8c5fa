"""A hosted catalog (FASTRTC_PLUGINS_REGISTRY_URL over http) from a real server on 127.0.0.1."""

from __future__ import annotations

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

from fastrtc_registry._catalog_fetch import catalog_cache_path, load_remote_catalog
from fastrtc_registry.catalog import MAX_CATALOG_BYTES, default_catalog

TESTS = Path(__file__).resolve().parent
GOOD = (TESTS / "data" / "legacy-registry.json").read_bytes()


@dataclass
class Hosted:
    """What the test server answers, and what it was asked."""

    body: bytes = GOOD
    status: int = 200
    etag: str = '"v1"'
    send_length: bool = True
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""


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
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("ETag", state.etag)
            if state.send_length:
                self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # the client hanging up on an oversized body is the point of one test

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/registry.json"
    yield state
    server.shutdown()
    server.server_close()


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/registry.json"


def _age_cache(url: str, seconds: float) -> None:
    path = catalog_cache_path(url)
    doc = json.loads(path.read_text())
    doc["fetched_at"] = time.time() - seconds
    path.write_text(json.dumps(doc))


def test_fetches_caches_and_reuses(hosted: Hosted) -> None:
    catalog = load_remote_catalog(hosted.url, offline=False)
    assert [e.name for e in catalog.entries] == ["legacy", "uninstalled"]
    assert catalog.source == hosted.url and catalog.warnings == ()
    assert hosted.requests[0]["User-Agent"].startswith("fastrtc-registry/")
    cache = catalog_cache_path(hosted.url)
    assert cache.is_file()
    assert [p.name for p in cache.parent.iterdir()] == [cache.name]  # no temp files left
    again = load_remote_catalog(hosted.url, offline=False)
    assert again.entries == catalog.entries
    assert len(hosted.requests) == 1  # fresh cache: the server is not asked


def test_old_cache_is_revalidated_with_its_etag(hosted: Hosted) -> None:
    load_remote_catalog(hosted.url, offline=False)
    _age_cache(hosted.url, 7200)
    catalog = load_remote_catalog(hosted.url, offline=False)
    assert hosted.requests[-1].get("If-None-Match") == '"v1"'
    assert [e.name for e in catalog.entries] == ["legacy", "uninstalled"]
    assert catalog.warnings == ()
    # The 304 renewed the copy: the next call does not ask again.
    load_remote_catalog(hosted.url, offline=False)
    assert len(hosted.requests) == 2


def test_server_down_uses_the_stale_copy_and_says_how_old(hosted: Hosted, tmp_path: Path) -> None:
    load_remote_catalog(hosted.url, offline=False)
    _age_cache(hosted.url, 3 * 3600 + 5)
    hosted.status = 503
    catalog = load_remote_catalog(hosted.url, offline=False)
    assert [e.name for e in catalog.entries] == ["legacy", "uninstalled"]
    (warning,) = catalog.warnings
    assert "HTTP 503" in warning and "using the copy cached 3 hours ago" in warning


def test_unreachable_without_cache_falls_back_to_the_shipped_catalog() -> None:
    url = _dead_url()
    catalog = load_remote_catalog(url, offline=False, timeout=5)
    assert catalog.find("humaware")  # the embedded catalog
    assert "could not fetch the catalog" in catalog.warnings[0]
    assert "using the catalog shipped with fastrtc-registry" in catalog.warnings[0]
    assert not catalog_cache_path(url).exists()


@pytest.mark.parametrize(
    ("body", "send_length", "expected"),
    [
        (b"{not json", True, "not valid JSON"),
        (
            b'{"schema_version": 1, "plugins": [{"name": "a/b", "kind": "vad", '
            b'"package": "x"}], "removed": []}',
            True,
            "looks like a file path",
        ),
        (b" " * (MAX_CATALOG_BYTES + 1), True, "byte limit"),
        (b" " * (MAX_CATALOG_BYTES + 1), False, "byte limit"),  # no Content-Length: streamed
        (b"\xff\xfe{}", True, "not UTF-8"),
    ],
    ids=["not-json", "hostile-entry", "too-big-declared", "too-big-streamed", "not-utf8"],
)
def test_bad_answer_never_replaces_a_good_copy(
    hosted: Hosted, body: bytes, send_length: bool, expected: str
) -> None:
    load_remote_catalog(hosted.url, offline=False)
    cached = catalog_cache_path(hosted.url).read_bytes()
    _age_cache(hosted.url, 7200)
    aged = catalog_cache_path(hosted.url).read_bytes()
    assert aged != cached
    hosted.body, hosted.etag, hosted.send_length = body, '"v2"', send_length
    catalog = load_remote_catalog(hosted.url, offline=False)
    assert [e.name for e in catalog.entries] == ["legacy", "uninstalled"]
    (warning,) = catalog.warnings
    assert expected in warning and "using the copy cached 2 hours ago" in warning
    assert catalog_cache_path(hosted.url).read_bytes() == aged


def test_offline_uses_the_cache_without_asking(hosted: Hosted) -> None:
    load_remote_catalog(hosted.url, offline=False)
    catalog = load_remote_catalog(hosted.url, offline=True)
    assert len(hosted.requests) == 1
    assert [e.name for e in catalog.entries] == ["legacy", "uninstalled"]
    assert catalog.warnings[0].startswith("offline: using the copy of")


def test_offline_without_cache_uses_the_shipped_catalog(hosted: Hosted) -> None:
    catalog = load_remote_catalog(hosted.url, offline=True)
    assert hosted.requests == []
    assert catalog.find("walkie-talkie")
    assert "offline and no cached copy" in catalog.warnings[0]


@pytest.mark.parametrize(
    "damage",
    [
        b"{",
        b'{"format": 1, "url": "elsewhere"}',
        b"\xff",
        b'{"format": 1, "url": "%s", "fetched_at": 1e300, "body": "[]"}',
    ],
    ids=["truncated", "foreign", "binary", "unparsable-body"],
)
def test_corrupt_cache_is_discarded(hosted: Hosted, damage: bytes) -> None:
    path = catalog_cache_path(hosted.url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(damage.replace(b"%s", hosted.url.encode()))
    catalog = load_remote_catalog(hosted.url, offline=False)
    assert [e.name for e in catalog.entries] == ["legacy", "uninstalled"]
    assert json.loads(path.read_bytes())["url"] == hosted.url  # rewritten from the server


def test_default_catalog_follows_the_environment(
    hosted: Hosted, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FASTRTC_PLUGINS_REGISTRY_URL", hosted.url)
    monkeypatch.delenv("FASTRTC_PLUGINS_OFFLINE")
    assert [e.name for e in default_catalog().entries] == ["legacy", "uninstalled"]
    cache_root = Path(os.environ["FASTRTC_PLUGINS_CACHE_DIR"])
    assert catalog_cache_path(hosted.url).is_relative_to(cache_root)
    monkeypatch.setenv("FASTRTC_PLUGINS_OFFLINE", "1")
    assert [e.name for e in default_catalog().entries] == ["legacy", "uninstalled"]
    assert len(hosted.requests) == 1
