"""Run the benchmark of one installed plugin in a worker, under the worker's limits."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..validation.netguard import MODE_VARIABLE
from ..validation.protocol import BenchReply, BenchRequest, ProtocolViolation
from ..validation.worker import WorkerSession, WorkerStopped

__all__ = ["run_bench"]


def run_bench(
    name: str,
    *,
    timeout: float,
    python: str | None = None,
    memory: int | str | None = None,
) -> tuple[Mapping[str, Any] | None, str | None]:
    """``(answer of bench_action, None)``, or ``(None, why the worker gave none)``."""
    try:
        env = {**os.environ, MODE_VARIABLE: "bench"}  # real models; offline only when asked
        with WorkerSession(timeout=timeout, python=python, memory=memory, env=env) as session:
            reply = session.request(BenchRequest(name), BenchReply)
    except ProtocolViolation as exc:
        return None, f"the plugin interfered with the benchmark: {exc}"
    except WorkerStopped as exc:
        return None, str(exc)
    return reply.answer, None
