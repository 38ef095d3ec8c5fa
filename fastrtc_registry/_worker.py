"""Compatibility for callers that still pass request dicts: served by the typed worker.

New code uses :mod:`fastrtc_registry.validation` (``run_bench``,
``WorkerSession``); this module maps ``{"action": "bench", "name": ...}``
onto it, with the same process control and limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["WorkerOutcome", "format_exception", "run_worker"]


@dataclass(frozen=True, slots=True)
class WorkerOutcome:
    """What came back from one worker run: the answer, or why there is none."""

    answer: dict[str, Any] | None
    error: str | None

    @property
    def ok(self) -> bool:
        """True when the worker answered (the answer may still report a failure)."""
        return self.answer is not None


def format_exception(exc: BaseException) -> str:
    """``Type: message`` of an exception, one line."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def run_worker(
    request: Mapping[str, Any], *, timeout: float, python: str | None = None
) -> WorkerOutcome:
    """Run a ``bench`` request in a fresh worker."""
    from .validation.bench import run_bench

    if request.get("action") != "bench":
        raise ValueError(f"unknown worker action {request.get('action')!r}; only 'bench' is served")
    answer, error = run_bench(str(request["name"]), timeout=timeout, python=python)
    return WorkerOutcome(dict(answer) if answer is not None else None, error)
