"""A polite async HTTP client for package indexes.

The client owns the policy: a ``User-Agent`` naming this tool, a semaphore
bounding concurrent requests, and retries with exponential backoff for
connection errors, 429 (honouring ``Retry-After``) and 5xx answers. Proxies
and CA settings come from the environment as httpx reads them, except that
loopback addresses never go through a proxy. Tests inject a transport.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._version import __version__
from ..errors import IndexAccessError, IndexUnreachableError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "USER_AGENT",
    "IndexClient",
    "IndexHTTPError",
    "RetryPolicy",
]

USER_AGENT = f"fastrtc-registry/{__version__}"
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class IndexHTTPError(IndexAccessError):
    """The index answered with an HTTP error status that retrying did not fix."""

    def __init__(self, message: str, *, status: int, url: str) -> None:
        super().__init__(message)
        self.status = status
        self.url = url


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to wait before asking again."""

    attempts: int = 4
    backoff: float = 0.5
    max_delay: float = 30.0

    def delay(self, attempt: int, retry_after: str | None = None) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or None to give up.

        ``attempt`` counts from 1. ``Retry-After`` (seconds or an HTTP date)
        wins over the backoff; a server asking for longer than ``max_delay``
        is not retried, so the caller reports it instead of hanging.
        """
        if attempt >= self.attempts:
            return None
        if retry_after is not None:
            wait = _parse_retry_after(retry_after)
            if wait is not None:
                return wait if wait <= self.max_delay else None
        return min(self.backoff * 2 ** (attempt - 1), self.max_delay)


def _parse_retry_after(value: str) -> float | None:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _proxy_configured() -> bool:
    import os

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


def _env_number(name: str, default: float) -> float:
    """A positive number from the environment (timeouts, retries); a bad value is ignored."""
    import os

    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value >= 0 else default


class IndexClient:
    """GET and HEAD against an index, with the retry and concurrency policy applied.

    Use as an async context manager. ``transport`` replaces the network (tests).
    """

    def __init__(
        self,
        *,
        concurrency: int = 8,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        import httpx

        timeout = timeout if timeout is not None else _env_number("FASTRTC_PLUGINS_TIMEOUT", 20.0)
        attempts = int(_env_number("FASTRTC_PLUGINS_RETRIES", 3)) + 1
        self.retry = retry or RetryPolicy(attempts=max(1, attempts))
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
            headers={"User-Agent": USER_AGENT},
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

    async def get(self, url: str, headers: Mapping[str, str] | None = None) -> httpx.Response:
        """GET ``url`` with its body read; a body cut short or stalled is asked for again."""
        import httpx

        attempt = 0
        while True:
            attempt += 1
            try:
                async with self.stream("GET", url, headers) as response:
                    await response.aread()
            except httpx.TransportError as exc:
                wait = self.retry.delay(attempt)
                if wait is None:
                    raise IndexUnreachableError(
                        f"{url}: the answer was cut short or stalled ({_describe(exc)}) after "
                        f"{attempt} attempt(s); try again later or use --offline"
                    ) from exc
                await asyncio.sleep(wait)
                continue
            self.bytes_received += len(response.content)
            return response

    async def head(self, url: str) -> httpx.Response:
        """HEAD ``url``."""
        async with self.stream("HEAD", url) as response:
            return response

    @asynccontextmanager
    async def stream(
        self, method: str, url: str, headers: Mapping[str, str] | None = None
    ) -> AsyncIterator[httpx.Response]:
        """Send a request and yield the response with its body unread.

        Retries connection errors, 429 and 5xx before the body is handed
        over; errors after that are the caller's (it knows whether it can
        resume). Raises :class:`IndexUnreachableError` or :class:`IndexHTTPError`.
        """
        import httpx

        attempt = 0
        async with self._semaphore:
            while True:
                attempt += 1
                self.requests += 1
                request = self._client.build_request(method, url, headers=headers)
                try:
                    response = await self._client.send(request, stream=True)
                except httpx.TransportError as exc:
                    wait = self.retry.delay(attempt)
                    if wait is None:
                        raise IndexUnreachableError(
                            f"cannot reach {_host(url)} ({_describe(exc)}) after {attempt} "
                            "attempt(s); check the index URL and your network, or use --offline"
                        ) from exc
                    await asyncio.sleep(wait)
                    continue
                if response.status_code in _RETRY_STATUS:
                    wait = self.retry.delay(attempt, response.headers.get("Retry-After"))
                    await response.aclose()
                    if wait is None:
                        raise IndexHTTPError(
                            f"{url} answered HTTP {response.status_code} after {attempt} "
                            "attempt(s); the index is busy or failing, try again later",
                            status=response.status_code,
                            url=url,
                        )
                    await asyncio.sleep(wait)
                    continue
                if response.status_code >= 400:
                    await response.aclose()
                    raise IndexHTTPError(
                        f"{url} answered HTTP {response.status_code}",
                        status=response.status_code,
                        url=url,
                    )
                try:
                    yield response
                finally:
                    await response.aclose()
                return


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or url


def _describe(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
