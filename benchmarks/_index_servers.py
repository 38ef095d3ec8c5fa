"""Loopback HTTP servers for the index benchmarks: static bodies, byte ranges, a byte count."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["StaticServer"]

Route = tuple[bytes, str]


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The span (inclusive) ``Range: bytes=a-b``, ``a-`` or ``-n`` asks of ``size`` bytes."""
    asked = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip())
    if asked is None or not (asked[1] or asked[2]):
        return None
    if not asked[1]:  # a suffix: the last n bytes
        return max(0, size - int(asked[2])), size - 1
    return int(asked[1]), min(int(asked[2]) if asked[2] else size - 1, size - 1)


class StaticServer:
    """Serve ``routes(path) -> (body, content type) | None`` with Range support; count bytes sent.

    Set ``gzipped = (path, compressed body)`` to answer that path gzip-encoded
    to clients that accept it, as the public index does for its root page,
    and ``rate`` (bytes per second) to send that path no faster, like a link.
    """

    def __init__(self, routes: Callable[[str], Route | None]) -> None:
        self.routes = routes
        self.gzipped: tuple[str, bytes] | None = None
        self.rate: float | None = None
        self.sent = 0
        self.requests: list[tuple[str, str, str | None]] = []
        handler = type("Handler", (_Handler,), {"server_ref": self})
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        """Stop serving."""
        self.httpd.shutdown()
        self.httpd.server_close()


class _Server(ThreadingHTTPServer):
    # The default listen backlog (5) drops concurrent connects; the kernel
    # then retries them a second later, which would be timed as client time.
    request_queue_size = 128


class _Handler(BaseHTTPRequestHandler):
    server_ref: StaticServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        owner = self.server_ref
        owner.requests.append((self.command, self.path, self.headers.get("Range")))
        route = owner.routes(self.path)
        if route is None:
            self._headers(404, 0, "text/plain")
            return
        body, kind = route
        status, extra = 200, {"Accept-Ranges": "bytes"}
        if (
            owner.gzipped is not None
            and self.path == owner.gzipped[0]
            and "gzip" in self.headers.get("Accept-Encoding", "")
        ):
            body, extra = owner.gzipped[1], {"Content-Encoding": "gzip"}
        ranged = byte_range(self.headers.get("Range", ""), len(body))
        if ranged:
            start, end = ranged
            extra["Content-Range"] = f"bytes {start}-{end}/{len(body)}"
            body, status = body[start : end + 1], 206
        self._headers(status, len(body), kind, extra)
        if head:
            return
        view = memoryview(body)
        paced = owner.rate if owner.gzipped and self.path == owner.gzipped[0] else None
        started, step = time.perf_counter(), 1 << 14
        for at in range(0, len(view), step):
            if paced:
                ahead = at / paced - (time.perf_counter() - started)
                if ahead > 0:
                    time.sleep(ahead)
            self.wfile.write(view[at : at + step])
        owner.sent += len(body)

    def _headers(
        self, status: int, length: int, kind: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
