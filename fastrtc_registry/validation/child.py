"""The worker's child side: the loop that ``python -m fastrtc_registry._worker_main R W`` runs.

It limits itself (memory, no network, scripted speech-to-text, death with its
parent), then serves numbered requests from fd ``R`` until EOF, replying on
fd ``W``; the parent side is :class:`~.worker.WorkerSession`. The requests it
serves itself are the observations (:mod:`.observe`) and ping; the entry
module adds those of the layers above (bench, replay).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Mapping
from typing import Any

from .probes import exc_info
from .process import MEMORY_VARIABLE
from .protocol import FailureReply, PingReply, Reply, decode_message, encode_message

__all__ = ["Handler", "main"]

Handler = Callable[[Any, dict[str, Any]], Reply]
"""Serves one request type: ``(request, worker state) -> reply``."""


def _handlers(extra: Mapping[str, Handler]) -> dict[str, Handler]:
    from . import observe

    table: dict[str, Handler] = dict(observe.HANDLERS)
    table.update(extra)
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


def main(argv: list[str] | None = None, handlers: Mapping[str, Handler] | None = None) -> None:
    """Child side: serve numbered requests from fd ``R``, replying on fd ``W``, until EOF.

    ``handlers`` serve request types beyond the observations, by ``TYPE``.
    """
    args = sys.argv[1:] if argv is None else argv
    request_fd, reply_fd = int(args[0]), int(args[1])
    for fd in (request_fd, reply_fd):
        os.set_inheritable(fd, False)  # processes the plugin starts do not get them
    _die_with_parent()
    _limit_memory()
    _offline_sandbox()
    sys.stdout = sys.stderr  # print() goes to the capped output, with everything else
    table = _handlers(handlers or {})
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
            reply = table[request.TYPE](request, state)
        except Exception as exc:
            reply = FailureReply(exc_info(exc))
        data = encode_message(envelope.run, envelope.seq, reply, envelope.nonce)
        view = memoryview(data)
        while view:
            view = view[os.write(reply_fd, view) :]
