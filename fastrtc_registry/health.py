"""``list --check``: import each installed plugin in its own worker process."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from ._worker import run_worker
from .discovery import PluginRecord

__all__ = ["DEFAULT_TIMEOUT", "check_plugins"]

DEFAULT_TIMEOUT = 60.0


def check_plugins(
    records: Sequence[PluginRecord],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    python: str | None = None,
    jobs: int | None = None,
) -> list[PluginRecord]:
    """Each record with ``status`` ok or broken (and ``error``), in the same order.

    Every plugin is imported in a fresh interpreter, so one that hangs or
    crashes marks only itself broken.
    """

    def check(record: PluginRecord) -> PluginRecord:
        outcome = run_worker(
            {"action": "import", "object": record.object, "kind": record.kind, "name": record.name},
            timeout=timeout,
            python=python,
        )
        if outcome.answer is None:
            return replace(record, status="broken", error=outcome.error)
        if outcome.answer.get("ok"):
            return replace(record, status="ok", error=None)
        return replace(record, status="broken", error=str(outcome.answer.get("error")))

    workers = jobs or max(1, min(len(records), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(check, records))
