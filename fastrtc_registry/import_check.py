"""``list --check``: import each installed plugin in its own worker process.

The verdict is computed here from what the worker observed (IMP101 and
IMP102 of the suite), so a plugin cannot report itself ``ok``: a forged or
out-of-order reply, or a worker that stops, marks it ``broken``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from .deadlines import IMPORT_CHECK_TIMEOUT
from .discovery import PluginRecord

__all__ = ["DEFAULT_TIMEOUT", "check_plugins"]

DEFAULT_TIMEOUT = IMPORT_CHECK_TIMEOUT


def check_plugins(
    records: Sequence[PluginRecord],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    python: str | None = None,
    jobs: int | None = None,
    memory: int | str | None = None,
) -> list[PluginRecord]:
    """Each record with ``status`` ok or broken (and ``error``), in the same order.

    Every plugin is imported in a fresh interpreter, so one that hangs or
    crashes marks only itself broken.
    """
    from .checks.base import Observations
    from .suite import judge_plugin
    from .validation.worker import WorkerSession, WorkerStopped

    wanted = {"IMP101", "IMP102"}

    def check(record: PluginRecord) -> PluginRecord:
        obs = Observations(record.object, record.kind, record.name)
        try:
            with WorkerSession(timeout=timeout, python=python, memory=memory) as session:
                results = judge_plugin(obs, session, only=wanted)
        except WorkerStopped as exc:
            return replace(record, status="broken", error=str(exc))
        bad = [r for r in results if r.status not in ("passed", "warning")]
        if not bad:
            return replace(record, status="ok", error=None)
        if obs.load is not None and obs.load.error is not None:
            return replace(record, status="broken", error=obs.load.error.line())
        return replace(record, status="broken", error=bad[0].message)

    workers = jobs or max(1, min(len(records), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(check, records))
