"""The conformance suite: checks that judge what a plugin did (docs/checks.md).

Tier 0 (``PKG0xx``) reads metadata and source only; tiers 1 (``IMP1xx``) and
2 (``VAD2xx``, ``TT2xx``) judge what a worker subprocess observed while it
ran the plugin (see :mod:`fastrtc_registry.validation`). Each check is a
``check_<property>(observations)`` function in the registry
(:mod:`.registry`). Importing this package imports neither numpy nor fastrtc.
"""

from __future__ import annotations

from typing import Any

from .ids import CHECKS, CheckInfo, check_info, planned_checks
from .registry import REGISTRY, CheckSpec, Observations, check
from .results import CheckResult, PluginReport, Status, Summary, ValidationReport

__all__ = [
    "CHECKS",
    "DEFAULT_TIMEOUT",
    "REGISTRY",
    "CheckInfo",
    "CheckResult",
    "CheckSpec",
    "Observations",
    "PluginReport",
    "Status",
    "Summary",
    "ValidationReport",
    "check",
    "check_info",
    "planned_checks",
    "run_plugin_checks",
    "validate",
]

_RUNNER = {"DEFAULT_TIMEOUT", "run_plugin_checks", "validate"}


def __getattr__(name: str) -> Any:
    # The runner lives in fastrtc_registry.validation, which imports this package.
    if name in _RUNNER:
        from ..validation import runner

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
