"""The index client's policy as values: size caps, deadlines, retries, inflating.

Pure (no I/O, no httpx): :mod:`.client` applies it to requests.
"""

from __future__ import annotations

import email.utils
import os
import time
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from ..errors import IndexProtocolError
from ..packages import MAX_ENTRY_POINTS_BYTES, MAX_METADATA_BYTES

__all__ = [
    "COMMAND_DEADLINE",
    "INFLATE_STEP",
    "LIMITS",
    "REQUEST_DEADLINE",
    "Deadline",
    "RetryPolicy",
    "env_number",
    "inflater",
    "one_chunk",
]

# Decompressed size caps by kind of body. The root page is scanned as it
# streams (never held), so its cap only bounds the work; the rest are held.
LIMITS: dict[str, int] = {
    "root": 512 * 1024 * 1024,
    "project": 16 * 1024 * 1024,
    "metadata": MAX_METADATA_BYTES,
    "entry-points": MAX_ENTRY_POINTS_BYTES,
    "wheel": 64 * 1024 * 1024,
    "range": 1024 * 1024,
}
# Seconds one request may take from first byte sent to last byte read, all
# retries included; and the default for a whole command.
REQUEST_DEADLINE = 30.0
COMMAND_DEADLINE = 120.0


class Deadline:
    """A point in time after which no request starts and running ones are cut."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = (
            seconds
            if seconds is not None
            else env_number("FASTRTC_PLUGINS_DEADLINE", COMMAND_DEADLINE)
        )
        self.end = time.monotonic() + self.seconds

    def remaining(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self.end - time.monotonic())

    @property
    def expired(self) -> bool:
        """Whether the time is up."""
        return time.monotonic() >= self.end


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


def env_number(name: str, default: float) -> float:
    """A positive number from the environment (timeouts, retries); a bad value is ignored."""

    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value >= 0 else default


# Bytes inflated per step: bounds memory whatever the compression ratio.
INFLATE_STEP = 1 << 20


async def one_chunk(body: bytes) -> AsyncIterator[bytes]:
    yield body


def inflater(encoding: str, url: str) -> Any:
    """A zlib decompressor for the body's Content-Encoding (None for identity)."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj(32 + zlib.MAX_WBITS)  # zlib or gzip header, auto-detected
    raise IndexProtocolError(f"{url}: unsupported Content-Encoding {encoding[:20]!r}")
