"""A polite async HTTP client for package indexes.

The client owns the policy: a ``User-Agent`` naming this tool, a semaphore
bounding concurrent requests, retries with exponential backoff for
connection errors, 429 (honouring ``Retry-After``) and 5xx answers, a cap on
every decompressed body (by kind: :data:`LIMITS`), a total deadline per
request (not only an idle timeout) and an overall deadline for the command
(:class:`Deadline`). Proxies and CA settings come from the environment as
httpx reads them, except that loopback addresses never go through a proxy.
Tests inject a transport. :func:`fetch_url` is the same policy for one
synchronous GET (the hosted catalog uses it).
"""

from __future__ import annotations

import asyncio
import os
import time
import zlib
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .._text import mask_secrets, mask_url
from .._version import __version__
from ..errors import (
    IndexBodyTooLargeError,
    IndexDeadlineError,
    IndexHTTPError,
    IndexProtocolError,
    IndexUnreachableError,
)
from .policy import (
    COMMAND_DEADLINE,
    INFLATE_STEP,
    LIMITS,
    REQUEST_DEADLINE,
    Deadline,
    RetryPolicy,
    SpeedFloor,
    env_number,
    inflater,
    one_chunk,
)

if TYPE_CHECKING:
    import httpx

__all__ = [
    "COMMAND_DEADLINE",
    "LIMITS",
    "REQUEST_DEADLINE",
    "USER_AGENT",
    "Deadline",
    "FetchedBody",
    "IndexClient",
    "IndexHTTPError",
    "RetryPolicy",
    "fetch_url",
]

USER_AGENT = f"fastrtc-registry/{__version__}"
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class FetchedBody:
    """One fetched answer: status (200, or 304 to a conditional GET), headers, body."""

    url: str
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _proxy_configured() -> bool:

    return any(
        os.environ.get(k)
        for k in (
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
            "all_proxy",
        )
    )


class IndexClient:
    """GET and HEAD against an index, with the retry, size and time policy applied.

    Use as an async context manager. ``transport`` replaces the network (tests).
    ``deadline`` bounds the whole command (default: FASTRTC_PLUGINS_DEADLINE
    or 120 s); ``request_deadline`` bounds each request, retries included.
    """

    def __init__(
        self,
        *,
        concurrency: int = 8,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        deadline: Deadline | float | None = None,
        request_deadline: float | None = None,
    ) -> None:
        import httpx

        timeout = timeout if timeout is not None else env_number("FASTRTC_PLUGINS_TIMEOUT", 20.0)
        attempts = int(env_number("FASTRTC_PLUGINS_RETRIES", 3)) + 1
        self.retry = retry or RetryPolicy(attempts=max(1, attempts))
        self.deadline = deadline if isinstance(deadline, Deadline) else Deadline(deadline)
        self.request_deadline = (
            request_deadline
            if request_deadline is not None
            else env_number("FASTRTC_PLUGINS_REQUEST_DEADLINE", REQUEST_DEADLINE)
        )
        self.bytes_received = 0
        self.requests = 0
        self._semaphore = asyncio.Semaphore(concurrency)
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        # Loopback never goes through an environment proxy. (Only built when a
        # proxy is set: each transport costs an SSL context, tens of ms.)
        mounts = (
            None
            if transport or not _proxy_configured()
            else {
                "all://127.0.0.1": httpx.AsyncHTTPTransport(limits=limits),
                "all://localhost": httpx.AsyncHTTPTransport(limits=limits),
            }
        )
        self._client = httpx.AsyncClient(
            # Only encodings inflated here, step by step (see body()).
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=limits,
            follow_redirects=True,
            transport=transport,
            mounts=mounts,
            trust_env=True,
        )

    async def __aenter__(self) -> IndexClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    def until(self, whole_command: bool = False) -> float:
        """The monotonic time a request starting now must end by."""
        if whole_command:
            return self.deadline.end
        return min(self.deadline.end, time.monotonic() + self.request_deadline)

    async def get(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        limit: int = LIMITS["project"],
        what: str = "answer",
    ) -> httpx.Response:
        """GET ``url`` with its body read (at most ``limit`` bytes decompressed).

        A body cut short or stalled is asked for again. Raises
        :class:`IndexBodyTooLargeError`, :class:`IndexDeadlineError`,
        :class:`IndexHTTPError` or :class:`IndexUnreachableError`.
        """
        import httpx

        attempt = 0
        until = self.until()
        while True:
            attempt += 1
            try:
                async with self.stream("GET", url, headers, until=until) as response:
                    chunks = [c async for c in self.body(response, limit=limit, what=what)]
            except httpx.TransportError as exc:
                wait = self.retry.delay(attempt)
                if wait is None or time.monotonic() + wait >= until:
                    raise IndexUnreachableError(
                        f"{mask_url(url)}: the answer was cut short or stalled "
                        f"({_describe(exc)}) after {attempt} attempt(s); try again later "
                        "or use --offline"
                    ) from exc
                await asyncio.sleep(wait)
                continue
            # Hand the body over as if read normally (decoded, within the cap).
            response._content = b"".join(chunks)
            return response

    async def body(
        self, response: httpx.Response, *, limit: int, what: str = "answer"
    ) -> AsyncIterator[bytes]:
        """The decompressed body in chunks; raise past ``limit`` bytes or the request's deadline."""
        url = mask_url(str(response.request.url))
        declared = response.headers.get("Content-Length", "")
        if (
            declared.isdigit()
            and len(declared) < 16
            and int(declared) > limit
            and response.headers.get("Content-Encoding", "identity") == "identity"
        ):
            raise IndexBodyTooLargeError(
                f"{url}: the {what} is {int(declared):,} bytes, over the {limit:,}-byte limit"
            )
        until = response.extensions.get("fastrtc_until", self.until())
        # Inflate ourselves, a bounded step at a time: httpx would inflate each
        # network read whole, and a 64 KB read of a gzip bomb is 64 MB.
        import httpx

        unzip = inflater(response.headers.get("Content-Encoding", ""), url)
        size = 0
        floor: SpeedFloor | None = None
        try:
            read = response.content  # already read: an in-memory (test) transport
        except httpx.ResponseNotRead:
            raw = response.aiter_raw().__aiter__()
            floor = SpeedFloor.from_env()
        else:
            raw, unzip = one_chunk(read), None
        pending: asyncio.Task[bytes] | None = None
        try:
            while True:
                left = until - time.monotonic()
                if left <= 0:
                    raise self._late(url, what, size)
                if pending is None:
                    pending = asyncio.ensure_future(raw.__anext__())
                wait = left if floor is None else min(left, floor.next_check())
                done, _ = await asyncio.wait({pending}, timeout=wait)
                if not done:
                    if floor is not None and floor.too_slow():
                        raise self._slow(url, what, size, floor)
                    continue
                task, pending = pending, None
                try:
                    data = task.result()
                except StopAsyncIteration:
                    break
                self.bytes_received += len(data)
                if floor is not None:
                    floor.add(len(data))
                    if floor.too_slow():
                        raise self._slow(url, what, size, floor)
                while data:
                    if unzip is None:
                        chunk, data = data, b""
                    else:
                        try:
                            chunk = unzip.decompress(data, INFLATE_STEP)
                        except zlib.error as exc:
                            raise IndexProtocolError(
                                f"{url}: the {what} does not inflate ({exc})"
                            ) from exc
                        data = b"" if unzip.eof else unzip.unconsumed_tail
                    size += len(chunk)
                    if size > limit:
                        raise IndexBodyTooLargeError(
                            f"{url}: the {what} passed the {limit:,}-byte limit (decompressed)"
                        )
                    if chunk:
                        yield chunk
        finally:
            if pending is not None:
                pending.cancel()

    def _slow(self, url: str, what: str, size: int, floor: SpeedFloor) -> IndexDeadlineError:
        return IndexDeadlineError(
            f"{url}: the {what} came at under {floor.limit:,.0f} bytes/s for {floor.window:g} s "
            f"({size:,} bytes in); the index is too slow (FASTRTC_PLUGINS_LOW_SPEED_LIMIT and "
            "FASTRTC_PLUGINS_LOW_SPEED_TIME set the rule)"
        )

    def _late(self, url: str, what: str, size: int) -> IndexDeadlineError:
        if self.deadline.expired and self.deadline.seconds != self.request_deadline:
            return IndexDeadlineError(
                f"{url}: the command deadline ({self.deadline.seconds:g} s) passed while reading "
                f"the {what} ({size:,} bytes in); raise it with --deadline"
            )
        return IndexDeadlineError(
            f"{url}: the {what} took longer than {self.request_deadline:g} s "
            f"({size:,} bytes in); the index is too slow"
        )

    async def head(self, url: str) -> httpx.Response:
        """HEAD ``url``."""
        async with self.stream("HEAD", url) as response:
            return response

    @asynccontextmanager
    async def stream(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        until: float | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """Send a request and yield the response with its body unread.

        Retries connection errors, 429 and 5xx before the body is handed
        over, within the deadline ``until`` (default: this request's own);
        read the body with :meth:`body`. Raises :class:`IndexUnreachableError`,
        :class:`IndexDeadlineError` or :class:`IndexHTTPError`.
        """
        import httpx

        shown = mask_url(url)
        attempt = 0
        async with self._semaphore:
            until = until if until is not None else self.until()
            while True:
                attempt += 1
                left = until - time.monotonic()
                if left <= 0:
                    raise self._late(shown, "answer", 0)
                self.requests += 1
                request = self._client.build_request(method, url, headers=headers)
                try:
                    response = await asyncio.wait_for(self._client.send(request, stream=True), left)
                except asyncio.TimeoutError:
                    raise self._late(shown, "answer", 0) from None
                except httpx.TransportError as exc:
                    wait = self.retry.delay(attempt)
                    if wait is None or time.monotonic() + wait >= until:
                        raise IndexUnreachableError(
                            f"cannot reach {_host(shown)} ({_describe(exc)}) after {attempt} "
                            "attempt(s); check the index URL and your network, or use --offline"
                        ) from exc
                    await asyncio.sleep(wait)
                    continue
                if response.status_code in _RETRY_STATUS:
                    # A 429 is the index pacing us, not failing: it gets twice the tries.
                    counted = (attempt + 1) // 2 if response.status_code == 429 else attempt
                    wait = self.retry.delay(counted, response.headers.get("Retry-After"))
                    await response.aclose()
                    if wait is None or time.monotonic() + wait >= until:
                        raise IndexHTTPError(
                            f"{shown} answered HTTP {response.status_code} after {attempt} "
                            "attempt(s); the index is busy or failing, try again later",
                            status=response.status_code,
                            url=shown,
                        )
                    await asyncio.sleep(wait)
                    continue
                if response.status_code >= 400:
                    await response.aclose()
                    raise IndexHTTPError(
                        f"{shown} answered HTTP {response.status_code}",
                        status=response.status_code,
                        url=shown,
                    )
                response.extensions["fastrtc_until"] = until
                try:
                    yield response
                finally:
                    await response.aclose()
                return


def fetch_url(
    url: str,
    *,
    limit: int,
    deadline: float,
    headers: Mapping[str, str] | None = None,
) -> FetchedBody:
    """GET one URL with the index policy, synchronously (its own event loop).

    ``limit`` caps the decompressed body and ``deadline`` the whole request,
    retries included. 304 answers a conditional GET with an empty body.
    Raises :class:`~fastrtc_registry.errors.IndexAccessError` subclasses only.
    """

    async def run() -> FetchedBody:
        async with IndexClient(
            deadline=Deadline(deadline), request_deadline=deadline, concurrency=1
        ) as client:
            response = await client.get(url, headers, limit=limit, what="answer")
            return FetchedBody(
                mask_url(str(response.url)),
                response.status_code,
                response.content,
                {k.lower(): v for k, v in response.headers.items()},
            )

    return asyncio.run(run())


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or url


def _describe(exc: Exception) -> str:
    text = mask_secrets(str(exc).strip())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
