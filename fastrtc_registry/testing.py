"""The conformance suite as a pytest API for plugin authors.

In a plugin's own test suite (three lines)::

    from fastrtc_registry.testing import parametrize_with_checks

    @parametrize_with_checks(["."])
    def test_fastrtc_protocol(check):
        check()

Each check becomes its own test, with an id like ``energy-VAD207``. A check
that may fail for a known reason is marked with ``expected_failures={"PKG006":
"kept the old name"}`` (a strict xfail: it tells you once it passes).
Plugin code runs in a worker subprocess, as with ``fastrtc-plugins validate``.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .checks import CheckResult, PluginReport, ValidationReport
from .errors import PluginCheckWarning
from .names import Kind
from .packages import is_reference
from .suite import DEFAULT_TIMEOUT

__all__ = ["CheckCase", "PluginCheckWarning", "check_plugin", "parametrize_with_checks"]

F = TypeVar("F", bound=Callable[..., Any])


def check_plugin(
    target: str,
    *,
    kind: Kind | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    ignore: Iterable[str] = (),
) -> ValidationReport:
    """Run the suite on ``target`` and return typed results.

    ``target`` is anything ``fastrtc-plugins validate`` takes (an installed
    plugin name, a project directory such as ``"."``, a wheel file,
    ``pypi:NAME``), or a ``"module:attr"`` reference together with ``kind``,
    which runs tiers 1 and 2 on an object that is not packaged yet.
    """
    if kind is not None and is_reference(target):
        from .suite import run_plugin_checks

        checks = run_plugin_checks(target, kind, target, timeout=timeout)
        report = ValidationReport(target, (PluginReport(target, kind, target, tuple(checks)),))
        return report.ignoring(ignore)
    from .suite import validate

    return validate(target, timeout=timeout, ignore=ignore)


@dataclass(frozen=True, slots=True)
class CheckCase:
    """One check's result on one plugin; call it in a test to assert it."""

    plugin: PluginReport
    result: CheckResult

    @property
    def id(self) -> str:
        """The pytest id: ``plugin-CHECKID``."""
        return f"{self.plugin.name}-{self.result.id}"

    def __call__(self) -> None:
        """Pass, skip, warn, or fail with the check's message."""
        import pytest

        status, message = self.result.status, self.result.message
        where = f"{self.result.id} {self.result.title} ({self.plugin.name})"
        if status == "skipped":
            reason = f" [{self.result.reason}]" if self.result.reason else ""
            pytest.skip(f"{where}{reason}: {message}")
        if status == "warning":
            warnings.warn(f"{where}: {message}", PluginCheckWarning, stacklevel=2)
        if status in ("failed", "error"):
            pytest.fail(f"{where} {status}: {message}", pytrace=False)


def parametrize_with_checks(
    targets: Sequence[str],
    *,
    expected_failures: Mapping[str, str] | None = None,
    kind: Kind | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Callable[[F], F]:
    """A ``pytest.mark.parametrize`` over every check of every target, one test id each.

    The suite runs once per target when the tests are collected.
    ``expected_failures`` maps a check id (or ``plugin-CHECKID``) to the reason
    it is expected to fail; an unknown check id is a ``ValueError``, as an unknown
    ``--ignore`` id is a usage error.
    """
    import pytest

    expected = {k.upper() if "-" not in k else k: v for k, v in (expected_failures or {}).items()}
    _check_known_ids(expected)
    params = []
    for target in targets:
        for plugin in _cached_report(target, kind, timeout).plugins:
            for result in plugin.checks:
                case = CheckCase(plugin, result)
                reason = expected.get(case.id) or expected.get(result.id)
                marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
                params.append(pytest.param(case, id=case.id, marks=marks))
    return pytest.mark.parametrize("check", params)


def _check_known_ids(expected: Mapping[str, str]) -> None:
    from .checks import CHECKS

    unknown = sorted(k for k in expected if k.rpartition("-")[2].upper() not in CHECKS)
    if unknown:
        raise ValueError(
            f"expected_failures names no check: {', '.join(unknown)} "
            "(check ids look like PKG006 or plugin-PKG006; see docs/checks.md)"
        )


@functools.lru_cache(maxsize=32)
def _cached_report(target: str, kind: Kind | None, timeout: float) -> ValidationReport:
    return check_plugin(target, kind=kind, timeout=timeout)
