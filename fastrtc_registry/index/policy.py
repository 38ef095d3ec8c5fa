"""The index client's policy as values: size caps, deadlines, retries, inflating.

Pure (no I/O, no httpx): :mod:`.client` applies it to requests.
"""

from __future__ import annotations

import email.utils
import os
import time
import zlib
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import IndexProtocolError
from ..packages import MAX_ENTRY_POINTS_BYTES, MAX_METADATA_BYTES

__all__ = [
    "COMMAND_DEADLINE",
    "INFLATE_STEP",
    "LIMITS",
    "LOW_SPEED_LIMIT",
    "LOW_SPEED_TIME",
    "REQUEST_DEADLINE",
    "Deadline",
    "RetryPolicy",
    "SpeedFloor",
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


# A body that stays below LOW_SPEED_LIMIT bytes per second (on the wire) for
# LOW_SPEED_TIME seconds is abandoned, as curl's --speed-limit/--speed-time and
# git's http.lowSpeedLimit/lowSpeedTime do: a trickle ends in about that
# time instead of at the command's deadline, while a slow but steady link
# (anything above 1 KB/s) still finishes. FASTRTC_PLUGINS_LOW_SPEED_LIMIT and
# FASTRTC_PLUGINS_LOW_SPEED_TIME change them; 0 turns the rule off.
LOW_SPEED_LIMIT = 1024.0
LOW_SPEED_TIME = 20.0


@dataclass(slots=True)
class SpeedFloor:
    """The low-speed rule for one body: feed it what arrives, ask whether it is too slow."""

    limit: float
    window: float
    started: float = field(default_factory=time.monotonic)
    _samples: deque[tuple[float, int]] = field(default_factory=deque)
    _in_window: int = 0

    @classmethod
    def from_env(cls) -> SpeedFloor:
        """The floor from FASTRTC_PLUGINS_LOW_SPEED_LIMIT / _TIME, else the defaults."""
        return cls(
            env_number("FASTRTC_PLUGINS_LOW_SPEED_LIMIT", LOW_SPEED_LIMIT),
            env_number("FASTRTC_PLUGINS_LOW_SPEED_TIME", LOW_SPEED_TIME),
        )

    @property
    def enabled(self) -> bool:
        """Whether the rule applies at all (both numbers positive)."""
        return self.limit > 0 and self.window > 0

    def add(self, size: int, now: float | None = None) -> None:
        """Count ``size`` bytes arriving at ``now``."""
        self._samples.append((time.monotonic() if now is None else now, size))
        self._in_window += size

    def too_slow(self, now: float | None = None) -> bool:
        """True once a whole window has passed with fewer than ``limit * window`` bytes in it."""
        if not self.enabled:
            return False
        now = time.monotonic() if now is None else now
        if now - self.started < self.window:
            return False
        cutoff = now - self.window
        while self._samples and self._samples[0][0] < cutoff:
            self._in_window -= self._samples.popleft()[1]
        return self._in_window < self.limit * self.window

    def next_check(self, now: float | None = None) -> float:
        """Seconds to wait for data before asking :meth:`too_slow` again."""
        if not self.enabled:
            return float("inf")
        now = time.monotonic() if now is None else now
        return max(0.05, min(1.0, self.started + self.window - now))


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
