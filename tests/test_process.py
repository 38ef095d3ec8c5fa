"""Process control: each way a supervised process's descendants are found is needed on its own.

A supervised process is killed as a group (``os.killpg``), and any process
that carries its marker in its environment is swept from ``/proc``; a signal
to the parent kills every process registered as running. Each test below
starts real processes that only one of the three reaches, and checks in
``/proc`` that none is left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from pathlib import Path

from fastrtc_registry.validation.process import MARKER_VARIABLE, OutputTail, kill_all, start

# The grandchildren do not hold the output pipe: a survivor that did would make
# Supervised.kill() wait for the output reader, and a test hang instead of fail.

# A grandchild that re-executes itself without the marker, staying in the group.
_UNMARKED = f"""
import os, subprocess, sys, time
GRANDCHILD = '''
import os, sys, time
if {MARKER_VARIABLE!r} in os.environ:
    env = {{k: v for k, v in os.environ.items() if k != {MARKER_VARIABLE!r}}}
    os.execve(sys.executable, [sys.executable, "-c", sys.argv[1], *sys.argv[1:]], env)
with open(sys.argv[2] + ".tmp", "w") as out:
    out.write(str(os.getpid()))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
while True:
    time.sleep(1)
'''
subprocess.Popen(
    [sys.executable, "-c", GRANDCHILD, GRANDCHILD, sys.argv[1]],
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
while True:
    time.sleep(1)
"""

# A grandchild that leaves the group (its own session) and keeps the marker.
_ESCAPED = """
import os, subprocess, sys, time
SLEEPER = "import time\\nwhile True: time.sleep(1)"
pid = subprocess.Popen(
    [sys.executable, "-c", SLEEPER],
    start_new_session=True,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
).pid
with open(sys.argv[1] + ".tmp", "w") as out:
    out.write(str(pid))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    time.sleep(1)
"""


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _gone(pids: list[int], wait: float = 3.0) -> list[int]:
    """Those of ``pids`` still running after ``wait`` seconds (SIGKILL is asynchronous)."""
    deadline = time.monotonic() + wait
    while any(_running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.02)
    return [p for p in pids if _running(p)]


def _wait_for_pid(path: Path) -> int:
    for _ in range(500):
        if path.is_file():
            return int(path.read_text())
        time.sleep(0.02)
    raise AssertionError("the grandchild never started")


def _marked(pid: int) -> bool:
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return any(v.startswith(f"{MARKER_VARIABLE}=".encode()) for v in environ)


def _kill(pids: list[int]) -> None:
    for pid in pids:
        if pid <= 0:
            continue
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_an_unmarked_grandchild_in_the_group_dies_by_the_group_kill(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    job = start([sys.executable, "-c", _UNMARKED, str(pidfile)])
    grandchild = -1
    try:
        grandchild = _wait_for_pid(pidfile)
        assert not _marked(grandchild)  # the sweep cannot find it...
        assert os.getpgid(grandchild) == job.process.pid  # ...only the group kill
        job.kill()
        assert _gone([job.process.pid, grandchild]) == []
    finally:
        _kill([grandchild])
        job.kill()


def test_a_marked_descendant_that_left_the_group_dies_by_the_marker_sweep(
    tmp_path: Path,
) -> None:
    pidfile = tmp_path / "pid"
    job = start([sys.executable, "-c", _ESCAPED, str(pidfile)])
    escaped = -1
    try:
        escaped = _wait_for_pid(pidfile)
        assert _marked(escaped)
        assert os.getpgid(escaped) == os.getsid(escaped) == escaped  # out of the group kill
        job.kill()
        assert _gone([job.process.pid, escaped]) == []
    finally:
        _kill([escaped])
        job.kill()


def test_a_process_nobody_holds_yet_dies_when_validate_is_signalled(tmp_path: Path) -> None:
    """kill_all() (the SIGINT/SIGTERM handler) reaches a process before its caller kills it.

    The caller may be interrupted before it holds the process (a signal while
    the worker starts); only the registry of running processes finds it.
    """
    pidfile = tmp_path / "pid"
    job = start([sys.executable, "-c", _UNMARKED, str(pidfile)])
    grandchild = -1
    try:
        grandchild = _wait_for_pid(pidfile)
        kill_all()
        assert _gone([job.process.pid, grandchild]) == []
    finally:
        _kill([grandchild])
        job.kill()


def test_the_tail_holds_what_was_printed_before_it_is_read() -> None:
    # The worker's reply comes on another pipe and can overtake the output printed before it:
    # reading the tail takes in what is already in the pipe, so the last line is never missing.
    for _ in range(20):
        read_end, write_end = os.pipe()
        tail = OutputTail(os.fdopen(read_end, "rb"))
        try:
            os.write(write_end, b"x" * 1000 + b"\nthe last line\n")
            assert tail.total == 1015
            assert tail.text().endswith("\nthe last line\n")
        finally:
            os.close(write_end)
            tail.close()
    assert tail.total == 1015  # and a closed tail keeps what it read
