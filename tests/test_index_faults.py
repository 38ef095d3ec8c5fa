"""An index that fails on purpose: errors are clear, answers go stale, the cache stays sound."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from _index_fixtures import byte_range, free_port, make_wheel

pytestmark = pytest.mark.slow

PROJECTS = ("fastrtc-good-vad", "fastrtc-other-vad")


class FaultServer:
    """A PEP 691 index whose paths can be told to fail in given ways, in order."""

    def __init__(self, files: Path) -> None:
        self.files = files
        self.faults: dict[str, list[str]] = defaultdict(list)
        self.always: dict[str, str] = {}
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self.ignore_range = False
        handler = type("Handler", (_Handler,), {"index": self})
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/simple/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def fail(self, path: str, *actions: str, always: bool = False) -> None:
        """Make ``path`` fail with ``actions`` (one per request), or for ever."""
        if always:
            self.always[path] = actions[0]
        else:
            self.faults[path].extend(actions)

    def heal(self) -> None:
        """Stop failing."""
        self.faults.clear()
        self.always.clear()

    def body(self, path: str) -> tuple[bytes, str]:
        if path == "/simple/":
            doc = {
                "meta": {"api-version": "1.0", "_last-serial": 7},
                "projects": [{"name": n} for n in (*PROJECTS, "numpy", "Fastrtc_Other.VAD")],
            }
            return json.dumps(doc).encode(), "application/vnd.pypi.simple.v1+json"
        match = re.fullmatch(r"/simple/([^/]+)/", path)
        if match and match[1] in PROJECTS:
            wheel = next(self.files.glob(match[1].replace("-", "_") + "-*.whl"))
            doc = {
                "meta": {"api-version": "1.0"},
                "name": match[1],
                "files": [{"filename": wheel.name, "url": f"/files/{wheel.name}", "hashes": {}}],
            }
            return json.dumps(doc).encode(), "application/vnd.pypi.simple.v1+json"
        if path.startswith("/files/") and (self.files / path[7:]).is_file():
            return (self.files / path[7:]).read_bytes(), "application/octet-stream"
        raise FileNotFoundError(path)


class _Server(ThreadingHTTPServer):
    request_queue_size = 64  # the default (5) drops concurrent connects for a second


class _Handler(BaseHTTPRequestHandler):
    index: FaultServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        index = self.index
        index.seen.append((self.command, self.path, dict(self.headers)))
        queued = index.faults.get(self.path)
        action = queued.pop(0) if queued else index.always.get(self.path)
        if action == "hang":
            time.sleep(3)
            return
        if action in ("500", "503"):
            return self._send(int(action), b"down", "text/plain")
        if action == "429":
            return self._send(429, b"slow down", "text/plain", {"Retry-After": "1"})
        try:
            body, kind = index.body(self.path)
        except FileNotFoundError:
            return self._send(404, b"not found", "text/plain")
        if action == "malformed":
            return self._send(200, b'{"files": [{"oops"', kind)
        if action == "truncate":
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        ranged = byte_range(self.headers.get("Range", ""), len(body))
        if ranged and not index.ignore_range:
            start, end = ranged
            return self._send(
                206,
                body[start : end + 1],
                kind,
                {"Content-Range": f"bytes {start}-{end}/{len(body)}"},
                head,
            )
        self._send(200, body, kind, {"Accept-Ranges": "bytes"}, head)

    def _send(
        self,
        status: int,
        body: bytes,
        kind: str,
        headers: dict[str, str] | None = None,
        head: bool = False,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)


@pytest.fixture(scope="module")
def fault_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fault-files")
    make_wheel(
        folder,
        "fastrtc-good-vad",
        "1.2.0",
        padding=300_000,
        entry_points="[fastrtc.vad]\ngood = fastrtc_good_vad:Model\n",
    )
    make_wheel(
        folder,
        "fastrtc-other-vad",
        "0.1.0",
        entry_points="[fastrtc.turn_taking]\nother = fastrtc_other_vad:Turns\n",
    )
    return folder


@pytest.fixture
def index(
    fault_files: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[FaultServer]:
    server = FaultServer(fault_files)
    monkeypatch.delenv("FASTRTC_PLUGINS_OFFLINE", raising=False)
    monkeypatch.setenv("FASTRTC_PLUGINS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("FASTRTC_PLUGINS_RETRIES", "2")
    monkeypatch.setenv("FASTRTC_PLUGINS_INDEX_URL", server.url)
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fastrtc_registry", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        check=False,
    )


def names(result: subprocess.CompletedProcess[str]) -> set[str]:
    assert result.returncode == 0, result.stderr
    return {row["name"] for row in json.loads(result.stdout)}


def assert_cache_sound(root: Path) -> None:
    files = list(root.rglob("*.json"))
    for path in files:
        json.loads(path.read_bytes())
    assert not list(root.rglob("*.tmp"))


def test_transient_errors_are_retried(index: FaultServer):
    index.fail("/simple/", "503", "429")
    index.fail("/simple/fastrtc-good-vad/", "500")
    assert {"good", "other"} <= names(cli("search", "--json"))
    root_requests = [s for s in index.seen if s[1] == "/simple/"]
    assert len(root_requests) == 3
    assert all(h["User-Agent"].startswith("fastrtc-registry/") for _, _, h in index.seen)
    assert "vnd.pypi.simple.v1+json" in root_requests[0][2]["Accept"]


def test_a_failing_index_gives_a_stale_answer_from_the_cache(index: FaultServer, tmp_path: Path):
    assert {"good", "other"} <= names(cli("search", "--json"))
    index.fail("/simple/", "500", always=True)
    result = cli("search", "--json", "--refresh")
    assert {"good", "other"} <= names(result)
    assert "stale" in result.stderr and "old" in result.stderr
    assert "Traceback" not in result.stderr
    assert_cache_sound(tmp_path / "cache")


def test_nothing_cached_and_no_catalog_match_exits_3(index: FaultServer):
    index.fail("/simple/", "500", always=True)
    result = cli("search", "good")
    assert result.returncode == 3
    assert len(result.stderr.strip().splitlines()) == 1
    assert "HTTP 500" in result.stderr and "Traceback" not in result.stderr
    catalog_only = cli("search", "walkie", "--json")
    # The catalog's rows are shown, but the index failed with nothing cached: exit 3.
    assert catalog_only.returncode == 3, catalog_only.stderr
    assert {row["name"] for row in json.loads(catalog_only.stdout)} == {"walkie-talkie"}
    assert "stale" in catalog_only.stderr


def test_a_stalled_index_times_out_clearly(index: FaultServer, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FASTRTC_PLUGINS_TIMEOUT", "0.5")
    monkeypatch.setenv("FASTRTC_PLUGINS_RETRIES", "0")
    index.fail("/simple/", "hang", always=True)
    result = cli("search", "good")
    assert result.returncode == 3, result.stderr
    assert "Timeout" in result.stderr and "Traceback" not in result.stderr


def test_an_unreachable_index_exits_3(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("FASTRTC_PLUGINS_OFFLINE", raising=False)
    monkeypatch.setenv("FASTRTC_PLUGINS_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("FASTRTC_PLUGINS_RETRIES", "1")
    result = cli("search", "good", "--index-url", f"http://127.0.0.1:{free_port()}/simple/")
    assert result.returncode == 3
    assert "cannot reach" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("fault", ["truncate", "malformed"])
def test_a_cut_or_malformed_root_page_never_replaces_the_cache(
    index: FaultServer, tmp_path: Path, fault: str
):
    assert {"good", "other"} <= names(cli("search", "--json"))
    before = {p: p.read_bytes() for p in (tmp_path / "cache").rglob("root.json")}
    index.fail("/simple/", fault, always=True)
    result = cli("search", "--json", "--refresh")
    assert {"good", "other"} <= names(result)
    assert "stale" in result.stderr
    assert {p: p.read_bytes() for p in before} == before
    assert_cache_sound(tmp_path / "cache")


def test_a_malformed_project_page_spoils_only_that_project(index: FaultServer, tmp_path: Path):
    index.fail("/simple/fastrtc-other-vad/", "malformed", always=True)
    result = cli("search", "--json", "--all")
    rows = {r["package"]: r for r in json.loads(result.stdout)}
    assert rows["fastrtc-good-vad"]["declared"] is True
    other = rows["Fastrtc_Other.VAD"] if "Fastrtc_Other.VAD" in rows else rows["fastrtc-other-vad"]
    # Unchecked, never "not a plugin": declared is unknown and the row says why.
    assert other["kind"] is None and other["declared"] is None and other["error"]
    assert "could not be checked" in result.stderr
    assert_cache_sound(tmp_path / "cache")


def test_a_server_ignoring_ranges_still_yields_entry_points(index: FaultServer):
    index.ignore_range = True
    assert {"good", "other"} <= names(cli("search", "--json"))
    wheels = [(m, p) for m, p, _ in index.seen if p.startswith("/files/")]
    # The suffix range's 200 is the whole wheel, read as it is: one GET each.
    assert wheels and all(m == "GET" for m, _ in wheels)
    assert len(wheels) == len(set(wheels))


def test_ranges_are_used_when_honoured(index: FaultServer):
    assert "good" in names(cli("search", "--json"))
    big = [(m, h) for m, p, h in index.seen if "good_vad" in p]
    # No HEAD: the suffix range's answer says the size too.
    assert big and all(m == "GET" and "Range" in h for m, h in big)


def test_a_warm_search_does_not_contact_the_index(index: FaultServer):
    first = names(cli("search", "--json"))
    index.fail("/simple/", "500", always=True)
    index.seen.clear()
    again = cli("search", "--json")
    assert names(again) == first and "stale" not in again.stderr
    assert index.seen == []


@pytest.mark.parametrize(
    "argv",
    [
        ("search", "--json"),
        ("search", "good", "--kind=vad", "--json"),
        ("search", "-kvad", "--json"),
    ],
    ids=["plain", "plain with options", "parsed by typer alone"],
)
def test_a_search_reads_each_page_once_whether_or_not_it_started_early(
    index: FaultServer, argv: tuple[str, ...]
):
    assert "good" in names(cli(*argv))
    pages = [p for m, p, _ in index.seen if not p.startswith("/files/")]
    assert pages.count("/simple/") == 1
    assert len(pages) == len(set(pages))
