"""Running one check: outcome exceptions, timing, and the progress log the parent reads.

A check is a function that returns its pass message or raises
:class:`CheckFailed` (the plugin broke the protocol), :class:`CheckWarning`,
:class:`CheckSkipped` or :class:`CheckError` (the check could not run here,
e.g. the plugin needs the network). Any other exception raised by plugin
code inside :func:`call` becomes a failure naming the call.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .._worker import format_exception
from .ids import check_info
from .results import CheckResult, Status

__all__ = [
    "CheckError",
    "CheckFailed",
    "CheckSkipped",
    "CheckWarning",
    "Recorder",
    "call",
]

T = TypeVar("T")


class CheckFailed(Exception):
    """The plugin does not do what the protocol expects."""


class CheckWarning(Exception):
    """Worth fixing, but not a protocol violation."""


class CheckSkipped(Exception):
    """The check does not apply or cannot run because an earlier one failed."""


class CheckError(Exception):
    """The check could not be carried out here (network, missing dependency)."""


def call(what: str, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call plugin code; an exception it raises fails the check with ``what`` named."""
    try:
        return func(*args, **kwargs)
    except (CheckFailed, CheckWarning, CheckSkipped, CheckError):
        raise
    except Exception as exc:
        raise CheckFailed(f"{what} raised {format_exception(exc)}") from exc


_OUTCOMES: dict[type[Exception], Status] = {
    CheckFailed: "failed",
    CheckWarning: "warning",
    CheckSkipped: "skipped",
    CheckError: "error",
}


class Recorder:
    """Runs checks in order, appending a line per start and per result to ``progress``.

    The parent reads the log after the worker ends, so when a plugin hangs or
    crashes the interpreter it still knows which checks finished and which
    one was running.
    """

    def __init__(self, progress: str | None = None) -> None:
        self.results: list[CheckResult] = []
        self._progress = Path(progress) if progress else None

    def _log(self, entry: dict[str, Any]) -> None:
        if self._progress is None:
            return
        with self._progress.open("a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")

    def run(self, check_id: str, check: Callable[..., str | None], *args: Any) -> CheckResult:
        """Run one check and record its result."""
        title = check_info(check_id).title
        self._log({"start": check_id})
        started = time.perf_counter()
        status: Status = "passed"
        try:
            message = check(*args) or ""
        except tuple(_OUTCOMES) as outcome:
            status = _OUTCOMES[type(outcome)]
            message = str(outcome)
        except Exception as exc:
            status, message = "error", f"the check itself failed: {format_exception(exc)}"
        result = CheckResult(check_id, title, status, message, time.perf_counter() - started)
        return self.add(result)

    def skip(self, check_id: str, message: str) -> CheckResult:
        """Record ``check_id`` as skipped without running it."""
        return self.add(CheckResult(check_id, check_info(check_id).title, "skipped", message))

    def add(self, result: CheckResult) -> CheckResult:
        """Record a finished result."""
        self.results.append(result)
        self._log({"result": result.as_dict()})
        return result

    def passed(self, check_id: str) -> bool:
        """True when ``check_id`` has run and passed (or only warned)."""
        return any(r.id == check_id and r.status in ("passed", "warning") for r in self.results)
