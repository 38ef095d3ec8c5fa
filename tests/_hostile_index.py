"""A hostile package index on 127.0.0.1: a real HTTP server that lies, stalls, bombs and floods.

:class:`HostileIndex` serves a PEP 691 root page and project pages built from
:class:`Project` entries; each project points at a wheel file on disk (served
with byte ranges, read from disk so a 100 MB wheel costs the server nothing),
and may have a PEP 658 ``.metadata`` body. Paths can be made to answer gzip
bombs, hang, trickle, or (``storm``) every other request a 429.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import struct
import threading
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from _index_fixtures import byte_range

__all__ = [
    "HostileIndex",
    "Project",
    "gzip_bomb",
    "hostile_wheel",
    "lie_about_member_size",
]

JSON_TYPE = "application/vnd.pypi.simple.v1+json"


def gzip_bomb(size: int, fill: bytes = b" ", prefix: bytes = b"") -> bytes:
    """``prefix`` then ``size`` bytes of ``fill``, gzip-compressed without holding them."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [packer.compress(prefix)]
    block = fill * (1 << 20)
    for _ in range(size >> 20):
        out.append(packer.compress(block))
    out.append(packer.flush())
    return b"".join(out)


def hostile_wheel(
    folder: Path,
    name: str,
    version: str,
    *,
    metadata: bytes | None = None,
    entry_points: bytes | None = b"",
    entry_points_size: int = 0,
    entry_points_method: int = zipfile.ZIP_DEFLATED,
    padding: int = 0,
    bad_utf8_member: bool = False,
    filename: str | None = None,
) -> Path:
    """A wheel whose metadata and entry points are given raw.

    ``entry_points_size`` writes that many ``#`` bytes (streamed, never held)
    as entry_points.txt; ``bad_utf8_member`` adds a member whose name is
    flagged UTF-8 but is not.
    """
    module = name.replace("-", "_").lower()
    info = f"{module}-{version}.dist-info"
    path = folder / (filename or f"{module}-{version}-py3-none-any.whl")
    if metadata is None:
        metadata = (
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
            f"Summary: {name} summary\nRequires-Python: >=3.8\nRequires-Dist: fastrtc\n"
        ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as whl:
        whl.writestr(f"{module}/__init__.py", "raise SystemExit('never imported')\n")
        if bad_utf8_member:
            whl.writestr(f"{module}/\u00e9.py", "")
        if padding:
            whl.writestr(f"{module}/weights.bin", os.urandom(padding), zipfile.ZIP_STORED)
        whl.writestr(f"{info}/METADATA", metadata)
        whl.writestr(
            f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        if entry_points_size:
            member = zipfile.ZipInfo(f"{info}/entry_points.txt")
            member.compress_type = entry_points_method
            with whl.open(member, "w") as out:
                block = b"#" * (1 << 20)
                for _ in range(entry_points_size >> 20):
                    out.write(block)
        elif entry_points is not None:
            whl.writestr(f"{info}/entry_points.txt", entry_points)
        whl.writestr(f"{info}/RECORD", "")
    if bad_utf8_member:
        data = path.read_bytes().replace(
            f"{module}/\u00e9.py".encode(), f"{module}/".encode() + b"\xff\xfe.py"
        )
        path.write_bytes(data)
    return path


def lie_about_member_size(path: Path, member: str, size: int) -> None:
    """Rewrite the sizes ``member`` declares (central directory and local header) to ``size``."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_len]) == name:
            struct.pack_into("<I", data, at + 24, size)
            local = struct.unpack_from("<I", data, at + 42)[0]
            struct.pack_into("<I", data, local + 22, size)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


@dataclass
class Project:
    """One project on the hostile index."""

    name: str
    wheel: Path | None = None
    listed_filename: str | None = None
    metadata: bytes | None = None  # served as the PEP 658 file when set
    metadata_gzip: bool = False
    page_bomb: bytes | None = None  # a gzip body served as the project page
    hang: float = 0.0  # seconds the project page stalls before answering


@dataclass
class HostileIndex:
    """The server; ``url`` is its simple index (give it credentials with ``userinfo``)."""

    projects: list[Project]
    extra_names: list[str] = field(default_factory=list)
    storm: bool = False
    storm_global: bool = False
    trickle_root: bool = False
    slow_root: float = 0.0  # bytes per second: the root page at a steady, slow rate
    userinfo: str = ""
    seen: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        handler = type("Handler", (_Handler,), {"index": self})
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        at = f"{self.userinfo}@" if self.userinfo else ""
        self.url = f"http://{at}127.0.0.1:{self.httpd.server_port}/simple/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        """Stop serving."""
        self.httpd.shutdown()
        self.httpd.server_close()

    def storm_hit(self, path: str) -> bool:
        """Under a storm, every other request (the first included) for a path is a 429.

        ``storm_global`` instead answers every other request to the server a 429,
        whatever its path: with requests in flight together, one project may
        then meet only 429s.
        """
        with self._lock:
            key = "" if self.storm_global else path
            self._counts[key] = self._counts.get(key, 0) + 1
            return (self.storm or self.storm_global) and self._counts[key] % 2 == 1

    def project(self, name: str) -> Project | None:
        return next((p for p in self.projects if p.name == name), None)

    def root(self) -> bytes:
        names = [p.name for p in self.projects] + self.extra_names + ["numpy"]
        doc = {"meta": {"api-version": "1.0"}, "projects": [{"name": n} for n in names]}
        return json.dumps(doc).encode()

    def page(self, project: Project) -> bytes:
        files = []
        if project.wheel is not None:
            filename = project.listed_filename or project.wheel.name
            entry: dict[str, object] = {
                "filename": filename,
                "url": f"/files/{project.wheel.name}",
                "hashes": {},
            }
            if project.metadata is not None:
                entry["core-metadata"] = True
            files.append(entry)
        return json.dumps(
            {"meta": {"api-version": "1.0"}, "name": project.name, "files": files}
        ).encode()


class _Server(ThreadingHTTPServer):
    request_queue_size = 64

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client hanging up on a bomb or a trickle is the point


class _Handler(BaseHTTPRequestHandler):
    index: HostileIndex
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        index = self.index
        index.seen.append((self.command, self.path))
        if index.storm_hit(self.path):
            return self._send(429, b"slow down", "text/plain", {"Retry-After": "1"})
        if self.path == "/simple/":
            if index.trickle_root:
                return self._trickle(index.root())
            if index.slow_root:
                return self._steady(index.root(), index.slow_root)
            return self._send(200, index.root(), JSON_TYPE)
        page = re.fullmatch(r"/simple/([^/]+)/", self.path)
        if page:
            project = next((p for p in index.projects if _canonical(p.name) == page[1]), None)
            if project is None:
                return self._send(404, b"no", "text/plain")
            if project.hang:
                time.sleep(project.hang)
            if project.page_bomb is not None:
                return self._send(200, project.page_bomb, JSON_TYPE, {"Content-Encoding": "gzip"})
            return self._send(200, index.page(project), JSON_TYPE)
        wanted = self.path.removeprefix("/files/")
        if wanted.endswith(".metadata"):
            project = next(
                (p for p in index.projects if p.wheel and p.wheel.name + ".metadata" == wanted),
                None,
            )
            if project is None or project.metadata is None:
                return self._send(404, b"no", "text/plain")
            if project.metadata_gzip:
                return self._send(200, project.metadata, "text/plain", {"Content-Encoding": "gzip"})
            return self._send(200, project.metadata, "text/plain")
        project = next((p for p in index.projects if p.wheel and p.wheel.name == wanted), None)
        if project is None or project.wheel is None:
            return self._send(404, b"no", "text/plain")
        self._file(project.wheel, head)

    def _file(self, path: Path, head: bool) -> None:
        size = path.stat().st_size
        ranged = byte_range(self.headers.get("Range", ""), size)
        start, end, status = 0, size - 1, 200
        if ranged:
            (start, end), status = ranged, 206
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if head:
            return
        with path.open("rb") as f:
            f.seek(start)
            left = end - start + 1
            while left > 0:
                chunk = f.read(min(left, 1 << 16))
                if not chunk:
                    break
                try:
                    self.wfile.write(chunk)
                except OSError:
                    return
                left -= len(chunk)

    def _trickle(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", JSON_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for byte in _bytes(body):
            try:
                self.wfile.write(byte)
                self.wfile.flush()
            except OSError:
                return
            time.sleep(2)

    def _steady(self, body: bytes, rate: float) -> None:
        self.send_response(200)
        self.send_header("Content-Type", JSON_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        step = max(1, int(rate / 10))
        for start in range(0, len(body), step):
            try:
                self.wfile.write(body[start : start + step])
                self.wfile.flush()
            except OSError:
                return
            time.sleep(step / rate)

    def _send(
        self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(body)
            except OSError:
                return


def _bytes(body: bytes) -> Iterator[bytes]:
    for i in range(len(body)):
        yield body[i : i + 1]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def gzip_of(data: bytes) -> bytes:
    """gzip-compress ``data`` (small helper for honest bodies)."""
    return gzip.compress(data)
