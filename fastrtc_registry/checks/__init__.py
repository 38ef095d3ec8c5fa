"""The conformance suite: checks that judge what a plugin did (docs/checks.md).

Tier 0 (``PKG0xx``, :mod:`.metadata`) judges a package's metadata and
sources; tiers 1 (``IMP1xx``, :mod:`.imports`) and 2 (``VAD2xx``, ``TT2xx``)
judge what a worker subprocess observed while it ran the plugin (see
:mod:`fastrtc_registry.validation`). Each check is a
``check_<property>(observations)`` function registered with :func:`check`
(:mod:`.base`); the checks are pure: they run no plugin code and start no
process. :mod:`fastrtc_registry.suite` runs them on a target. Importing this
package imports neither numpy nor fastrtc.
"""

from __future__ import annotations

from .base import REGISTRY, CheckSpec, Observations, check
from .ids import CHECKS, CheckInfo, check_info, planned_checks
from .results import CheckResult, PluginReport, Status, Summary, ValidationReport

__all__ = [
    "CHECKS",
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
]
