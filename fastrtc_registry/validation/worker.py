"""The worker: a fresh interpreter that runs plugin code and answers typed requests.

Parent side, :class:`WorkerSession` starts ``python -m
fastrtc_registry.validation.worker R W`` in its own session (see
:mod:`.process`), writes numbered requests to pipe ``R`` and reads the
replies from pipe ``W``, within one deadline for the whole session. The
child's stdout and stderr both go to a capped tail: nothing a plugin prints
can reach the answer channel. A reply that is malformed, out of order or
for another run raises :class:`~.protocol.ProtocolViolation`; a worker that
hangs, exits or crashes gives :class:`WorkerStopped`; the caller turns both
into check results. Child side, :func:`main` serves requests until EOF.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import select
import signal
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .process import MEMORY_VARIABLE, Supervised, memory_limit, start
from .protocol import (
    BenchReply,
    BenchRequest,
    ExcInfo,
    FailureReply,
    PingReply,
    ProtocolViolation,
    Reply,
    Request,
    decode_message,
    encode_message,
)

__all__ = ["MAX_REPLY_BYTES", "WorkerSession", "WorkerStopped", "exc_info", "main"]

MAX_REPLY_BYTES = 64 * 1024 * 1024
R = TypeVar("R")


class WorkerStopped(Exception):
    """The worker timed out, exited or crashed before answering; the message says which."""


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
        command = [
            python or sys.executable,
            "-m",
            "fastrtc_registry.validation.worker",
            str(request_read),
            str(reply_write),
        ]
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
                    f"{_size(self.memory)} memory limit (--memory-limit)"
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


def _size(limit: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2)):
        if limit >= scale:
            return f"{limit / scale:g} {unit}"
    return f"{limit} bytes"


def exc_info(exc: BaseException) -> ExcInfo:
    """The facts of an exception raised by plugin code (worker side)."""
    try:
        from ..loading import is_network_error

        network = is_network_error(exc)
    except Exception:
        network = False
    bases = tuple(c.__name__ for c in type(exc).__mro__[1:] if c not in (object, BaseException))
    message = str(exc)[:2000]
    limit = int(os.environ.get(MEMORY_VARIABLE) or 0)
    if isinstance(exc, MemoryError) and limit > 0:
        message = f"{message} [the worker's memory limit is {_size(limit)}]"
    host = getattr(exc, "fastrtc_host", None)
    if host is None and network:
        from .netguard import network_target

        host = network_target(exc)
    return ExcInfo(type(exc).__name__, message, network, host, bases)


Handler = Callable[[Any, dict[str, Any]], Reply]


def _bench(request: BenchRequest, state: dict[str, Any]) -> Reply:
    from ..bench import bench_action

    return BenchReply(bench_action({"name": request.name}))


def _handlers() -> dict[str, Handler]:
    from . import observe

    table: dict[str, Handler] = dict(observe.HANDLERS)
    table["bench"] = _bench
    table["ping"] = lambda request, state: PingReply()
    return table


def _limit_memory() -> None:
    limit = int(os.environ.get(MEMORY_VARIABLE) or 0)
    if limit <= 0:
        return
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass  # no RLIMIT_AS here (e.g. macOS, Windows): run without a limit


def _die_with_parent() -> None:
    # Linux: if validate itself is killed outright (SIGKILL), the kernel kills the worker too.
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(1)


def _offline_sandbox() -> None:
    """Before any plugin code: no network (blocked and recorded), scripted speech-to-text.

    A benchmark (``MODE_VARIABLE=bench``) measures the real models on real speech:
    it keeps fastrtc's speech-to-text, and the network unless the run is offline.
    """
    from .netguard import MODE_VARIABLE, enter_offline_sandbox
    from .scripted_stt import install as install_scripted_stt

    if os.environ.get(MODE_VARIABLE) == "bench":
        from ..index.config import is_offline

        if is_offline():
            enter_offline_sandbox()
        return
    enter_offline_sandbox()
    install_scripted_stt()


def main(argv: list[str] | None = None) -> None:
    """Child side: serve numbered requests from fd ``R``, replying on fd ``W``, until EOF."""
    args = sys.argv[1:] if argv is None else argv
    request_fd, reply_fd = int(args[0]), int(args[1])
    for fd in (request_fd, reply_fd):
        os.set_inheritable(fd, False)  # processes the plugin starts do not get them
    _die_with_parent()
    _limit_memory()
    _offline_sandbox()
    sys.stdout = sys.stderr  # print() goes to the capped output, with everything else
    handlers = _handlers()
    state: dict[str, Any] = {}
    requests = os.fdopen(request_fd, "rb", buffering=0)
    buffer = b""
    while True:
        while b"\n" not in buffer:
            chunk = requests.read(1 << 16)
            if not chunk:
                return
            buffer += chunk
        line, _, buffer = buffer.partition(b"\n")
        envelope = decode_message(line, replies=False)
        request = envelope.message
        try:
            reply = handlers[request.TYPE](request, state)
        except Exception as exc:
            reply = FailureReply(exc_info(exc))
        data = encode_message(envelope.run, envelope.seq, reply, envelope.nonce)
        view = memoryview(data)
        while view:
            view = view[os.write(reply_fd, view) :]


if __name__ == "__main__":
    main()
