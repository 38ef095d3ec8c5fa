"""Process control for plugin code: own session, capped output, memory limit, group kill.

Every process that may run plugin code (the worker, a build backend, an
installer) starts in its own session with a marker in its environment. It is
killed as a group, and any descendant that left the group but kept the
marker is found in ``/proc`` and killed too, on timeout, at the end of every
run, and on SIGINT/SIGTERM of the parent (see :func:`terminate_on_signals`).
Output is drained by a thread into :class:`OutputTail`, which keeps only the
last 64 KB, so a plugin that prints a gigabyte does not grow the parent.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import select
import signal
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "MARKER_VARIABLE",
    "MEMORY_VARIABLE",
    "OUTPUT_TAIL_BYTES",
    "CommandResult",
    "OutputTail",
    "Supervised",
    "format_size",
    "kill_tree",
    "memory_limit",
    "parse_size",
    "run_command",
    "terminate_on_signals",
]

OUTPUT_TAIL_BYTES = 64 * 1024
_PIPE_MAX = 1024 * 1024  # Linux's largest pipe by default (/proc/sys/fs/pipe-max-size)
DEFAULT_MEMORY_LIMIT = 3 * 1024**3
MARKER_VARIABLE = "FASTRTC_PLUGINS_RUN_MARKER"
MEMORY_VARIABLE = "FASTRTC_PLUGINS_MEMORY_LIMIT"

_active: dict[int, str] = {}  # pid -> marker of every supervised process still running
_active_lock = threading.Lock()


def format_size(limit: int) -> str:
    """``3 GiB``, ``512 MiB``: a byte count as the memory limit is shown."""
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2)):
        if limit >= scale:
            return f"{limit / scale:g} {unit}"
    return f"{limit} bytes"


def parse_size(text: str) -> int:
    """Bytes in ``text``: a number with an optional K, M, G or T suffix (``3G``); 0 = no limit."""
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    scale = 1
    for power, suffix in enumerate("KMGT", start=1):
        if value.endswith(suffix):
            value, scale = value[:-1], 1024**power
            break
    try:
        size = float(value) * scale
    except ValueError:
        raise ValueError(
            f"{text!r} is not a size; write e.g. 3G, 2048M or 0 for no limit"
        ) from None
    if size < 0:
        raise ValueError(f"{text!r} is negative; write e.g. 3G, or 0 for no limit")
    return int(size)


def memory_limit(value: int | str | None = None) -> int:
    """The worker's address-space limit in bytes: ``value``, else the environment, else 3 GiB."""
    if value is None:
        value = os.environ.get(MEMORY_VARIABLE) or DEFAULT_MEMORY_LIMIT
    return parse_size(value) if isinstance(value, str) else int(value)


class OutputTail:
    """Drains a pipe in a thread and keeps only its last ``limit`` bytes.

    Every read of the pipe happens under one lock, by the thread or by a reader
    of :meth:`text` or :attr:`total`, which first takes in whatever the pipe
    already holds. So output printed before a reply on another pipe is counted
    when that reply is read, however late the thread is scheduled.
    """

    def __init__(self, stream: IO[bytes], limit: int = OUTPUT_TAIL_BYTES) -> None:
        self._stream = stream
        self._fd = stream.fileno()
        os.set_blocking(self._fd, False)
        self._limit = limit
        self._buffer = bytearray()
        self._total = 0
        self._done = False  # end of file, a read error, or closed
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._drain, name="plugin-output", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        while True:
            with self._lock:
                self._take_in()
                if self._done:
                    return
            # A timeout, because closing the pipe elsewhere would not wake the wait;
            # a closed descriptor reports POLLNVAL at once, and the next round ends.
            poller.poll(500)

    def _take_in(self) -> None:
        """Read what the pipe holds now, at most a pipe's capacity (under the lock)."""
        for _ in range(_PIPE_MAX // 65536):
            if self._done:
                return
            try:
                chunk = os.read(self._fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                self._done = True
                return
            self._total += len(chunk)
            self._buffer += chunk
            if len(self._buffer) > 2 * self._limit:
                del self._buffer[: -self._limit]

    @property
    def total(self) -> int:
        """How many bytes were printed in all, up to now."""
        with self._lock:
            self._take_in()
            return self._total

    def text(self) -> str:
        """The kept output, decoded; says how much was dropped."""
        with self._lock:
            self._take_in()
            data = bytes(self._buffer[-self._limit :])
            total = self._total
        text = data.decode("utf-8", "replace")
        if total > len(data):
            return f"[... {total - len(data)} earlier bytes dropped]\n{text}"
        return text

    def close(self, wait: float = 1.0) -> None:
        """Stop reading (after the writers are gone, or ``wait`` seconds)."""
        self._thread.join(timeout=wait)
        with self._lock:
            self._done = True
            with contextlib.suppress(OSError):
                self._stream.close()


@dataclass(slots=True)
class Supervised:
    """A running process in its own session, registered for cleanup."""

    process: subprocess.Popen[bytes]
    marker: str
    output: OutputTail

    def kill(self) -> None:
        """Kill the process, its group and every descendant carrying the marker; reap it."""
        kill_tree(self.process.pid, self.marker)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        with _active_lock:
            _active.pop(self.process.pid, None)
        self.output.close()


def start(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    pass_fds: Sequence[int] = (),
) -> Supervised:
    """Start ``command`` in a new session with a fresh marker, output drained into a tail."""
    marker = secrets.token_hex(8)
    child_env = {**(os.environ if env is None else env), MARKER_VARIABLE: marker}
    process = subprocess.Popen(
        list(command),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=child_env,
        cwd=cwd,
        pass_fds=tuple(pass_fds),
        start_new_session=True,
    )
    with _active_lock:
        _active[process.pid] = marker
    assert process.stdout is not None
    return Supervised(process, marker, OutputTail(process.stdout))


def kill_tree(pid: int, marker: str) -> None:
    """SIGKILL the group ``pid`` leads and every process whose environment has ``marker``."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    for _ in range(100):  # SIGKILL is asynchronous: wait until none is left running
        survivors = _marked(marker)
        if not survivors:
            return
        for other in survivors:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(other, signal.SIGKILL)
        time.sleep(0.02)


def _marked(marker: str) -> list[int]:
    needle = f"{MARKER_VARIABLE}={marker}".encode()
    found: list[int] = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def kill_all() -> None:
    """Kill every supervised process still running (signal handlers, interpreter exit)."""
    with _active_lock:
        running = list(_active.items())
    for pid, marker in running:
        kill_tree(pid, marker)


@dataclass(frozen=True, slots=True)
class CommandResult:
    """How a supervised command ended."""

    returncode: int | None  # None: killed on timeout
    output: str
    duration_s: float


def run_command(
    command: Sequence[str],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
) -> CommandResult:
    """Run ``command`` supervised; on ``timeout`` kill it with all its descendants."""
    started = time.monotonic()
    job = start(command, env=env, cwd=cwd)
    try:
        returncode: int | None = job.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        returncode = None
    finally:
        job.kill()
    return CommandResult(returncode, job.output.text(), time.monotonic() - started)


@contextmanager
def terminate_on_signals() -> Iterator[None]:
    """On SIGINT/SIGTERM kill every supervised process, then exit 130/143 (cleanups run).

    Only the main thread can install handlers; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        kill_all()
        raise SystemExit(128 + signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        kill_all()
        for signum, old in previous.items():
            signal.signal(signum, old)
