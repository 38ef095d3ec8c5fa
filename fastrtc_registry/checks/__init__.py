"""The conformance suite: checks that a plugin follows fastrtc's protocols (docs/checks.md).

Tier 0 (``PKG0xx``) reads metadata and source only; tiers 1 (``IMP1xx``) and
2 (``VAD2xx``, ``TT2xx``) run plugin code, always in a worker subprocess.
Use :func:`validate` for a whole target, or :mod:`fastrtc_registry.testing`
from pytest. Importing this package imports neither numpy nor fastrtc.
"""

from __future__ import annotations

from .ids import CHECKS, CheckInfo, check_info, planned_checks
from .results import CheckResult, PluginReport, Status, Summary, ValidationReport
from .runner import DEFAULT_TIMEOUT, run_plugin_checks, validate

__all__ = [
    "CHECKS",
    "DEFAULT_TIMEOUT",
    "CheckInfo",
    "CheckResult",
    "PluginReport",
    "Status",
    "Summary",
    "ValidationReport",
    "check_info",
    "planned_checks",
    "run_plugin_checks",
    "validate",
]
