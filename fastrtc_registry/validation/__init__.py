"""Validation: resolve a target, run plugin code in a worker, judge what it observed.

:mod:`.targets` resolves a target (name, project, wheel, ``pypi:``) into
installed distributions, :mod:`.venv` makes and fills the throwaway environments it
needs (on this Python or another, ``--python``), :mod:`.protocol` holds the typed
requests and replies, :mod:`.worker` the parent side of the worker process and
:mod:`.child` its child side,
:mod:`.process` process control (sessions, limits, group kill),
:mod:`.observe` (request handlers), :mod:`.probes` and the ``observe_*``
modules the worker-side code that calls the plugin, and :mod:`.runner` the parent side that asks for
observations and hands them to the checks in :mod:`fastrtc_registry.checks`.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "DEFAULT_TIMEOUT",
    "run_bench",
    "run_plugin_checks",
    "validate",
    "validate_packages",
]


def __getattr__(name: str) -> Any:
    # Lazy: the checks import .protocol, and the runner imports the checks.
    if name in ("DEFAULT_TIMEOUT", "run_plugin_checks", "validate", "validate_packages"):
        from . import runner

        return getattr(runner, name)
    if name == "run_bench":
        from .bench import run_bench

        return run_bench
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
