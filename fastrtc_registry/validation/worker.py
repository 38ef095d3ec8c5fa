"""The worker: a fresh interpreter that runs plugin code and answers typed requests.

:class:`WorkerSession` starts ``python -m
fastrtc_registry._worker_main R W`` in its own session (see
:mod:`.process`), writes numbered requests to pipe ``R`` and reads the
replies from pipe ``W``, within one deadline for the whole session. The
child's stdout and stderr both go to a capped tail: nothing a plugin prints
can reach the answer channel. A reply that is malformed, out of order or
for another run raises :class:`~.protocol.ProtocolViolation`; a worker that
hangs, exits or crashes gives :class:`WorkerStopped`; the caller turns both
into check results. The child side is
:mod:`.child`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import select
import signal
import sys
import time
from collections.abc import Mapping
from typing import TypeVar

from ..errors import WorkerStopped
from .process import MEMORY_VARIABLE, Supervised, format_size, memory_limit, start
from .protocol import (
    FailureReply,
    ProtocolViolation,
    Request,
    decode_message,
    encode_message,
)

__all__ = ["MAX_REPLY_BYTES", "WorkerSession", "WorkerStopped"]

MAX_REPLY_BYTES = 64 * 1024 * 1024
R = TypeVar("R")


# ``python -m`` would put the working directory first on sys.path, so a project checkout
# (or a plugin's folder) holding a ``fastrtc_registry`` directory would run in its place.
_BOOT = (
    "import sys; del sys.path[0]; import runpy; "
    "runpy.run_module('fastrtc_registry._worker_main', run_name='__main__')"
)


class WorkerSession:
    """One worker process, answering requests in order within ``timeout`` seconds in total."""

    def __init__(
        self,
        *,
        timeout: float,
        python: str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        memory: int | str | None = None,
    ) -> None:
        self.timeout = timeout
        self.run_id = secrets.token_hex(8)
        self.memory = memory_limit(memory)
        self._seq = 0
        self._deadline = time.monotonic() + timeout
        self._buffer = bytearray()
        request_read, self._request_write = os.pipe()
        self._reply_read, reply_write = os.pipe()
        child_env = dict(os.environ if env is None else env)
        child_env.setdefault("PYTHONUNBUFFERED", "1")
        child_env[MEMORY_VARIABLE] = str(self.memory)
        command = [python or sys.executable, "-c", _BOOT, str(request_read), str(reply_write)]
        try:
            self._job: Supervised = start(
                command, env=child_env, cwd=cwd, pass_fds=(request_read, reply_write)
            )
        except OSError as exc:
            os.close(self._request_write)
            os.close(self._reply_read)
            raise WorkerStopped(f"could not start the worker {command[0]}: {exc.strerror}") from exc
        finally:
            # The child has its own copies; ours would hide its exit (no EOF).
            os.close(request_read)
            os.close(reply_write)
        self._closed = False

    def __enter__(self) -> WorkerSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def output(self) -> str:
        """The last 64 KB the plugin printed (stdout and stderr)."""
        return self._job.output.text()

    @property
    def output_bytes(self) -> int:
        """How many bytes the plugin printed in all."""
        return self._job.output.total

    def request(self, message: Request, expect: type[R]) -> R:
        """Send ``message``; its reply, which must be an ``expect`` (or a FailureReply)."""
        self._seq += 1
        seq, nonce = self._seq, secrets.token_hex(8)
        if self.has_unread():
            raise ProtocolViolation(f"a reply came before request {seq} was sent")
        try:
            os.write(self._request_write, encode_message(self.run_id, seq, message, nonce))
        except OSError:
            raise WorkerStopped(self._stopped_reason()) from None
        got = decode_message(self._read_line(), replies=True)
        reply = got.message
        if got.run != self.run_id or got.seq != seq or got.nonce != nonce:
            raise ProtocolViolation(
                f"a reply numbered {got.seq} (run {got.run[:16]!r}) came for request {seq}, "
                "or did not echo the request's nonce"
            )
        if isinstance(reply, FailureReply):
            raise WorkerStopped(f"the worker could not {message.TYPE}: {reply.error.line()}")
        if not isinstance(reply, expect):
            raise ProtocolViolation(f"a {type(reply).__name__} came for a {type(message).__name__}")
        return reply

    def _read_line(self) -> bytes:
        while b"\n" not in self._buffer:
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                self.close()
                raise WorkerStopped(
                    f"timed out after {self.timeout:g} s (the plugin hung or is too slow)"
                )
            ready, _, _ = select.select([self._reply_read], [], [], min(remaining, 0.5))
            if not ready:
                if self._job.process.poll() is not None and not self._pending():
                    raise WorkerStopped(self._stopped_reason())
                continue
            chunk = os.read(self._reply_read, 1 << 20)
            if not chunk:
                raise WorkerStopped(self._stopped_reason())
            self._buffer += chunk
            if len(self._buffer) > MAX_REPLY_BYTES:
                raise ProtocolViolation(f"a reply longer than {MAX_REPLY_BYTES >> 20} MB")
        line, _, rest = bytes(self._buffer).partition(b"\n")
        self._buffer = bytearray(rest)
        return line

    def has_unread(self) -> bool:
        """True when a reply (or part of one) is waiting that no request asked for."""
        return bool(self._buffer) or (not self._closed and self._pending())

    def _pending(self) -> bool:
        ready, _, _ = select.select([self._reply_read], [], [], 0)
        return bool(ready)

    def _stopped_reason(self) -> str:
        try:
            code = self._job.process.wait(timeout=5)
        except Exception:
            return "the worker stopped answering"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            if -code == signal.SIGKILL and self.memory:
                return (
                    f"the worker was killed (SIGKILL); the plugin may have exceeded the "
                    f"{format_size(self.memory)} memory limit (--memory-limit)"
                )
            return f"the plugin crashed the interpreter ({name})"
        last = [line for line in self.output.strip().splitlines() if line.strip()]
        detail = f": {last[-1][:300]}" if last else ""
        return f"the worker exited with code {code} without answering{detail}"

    def close(self) -> None:
        """Kill the worker with every descendant; release the pipes."""
        if self._closed:
            return
        self._closed = True
        self._job.kill()
        for fd in (self._request_write, self._reply_read):
            with contextlib.suppress(OSError):
                os.close(fd)
