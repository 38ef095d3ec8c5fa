"""Typed check results and their forms: summary, JSON (docs/cli.md) and JUnit XML."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .._text import counted

__all__ = [
    "STATUSES",
    "CheckResult",
    "PluginReport",
    "Status",
    "Summary",
    "ValidationReport",
]

Status = Literal["passed", "failed", "warning", "skipped", "error"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "warning", "skipped", "error")


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check on one plugin."""

    id: str
    title: str
    status: Status
    message: str = ""
    duration_s: float = 0.0
    reason: str | None = None
    """Why a check was skipped: ``"after <ID>"``, ``"needs-network"``, ``"ignored"``..."""
    fix: str | None = None
    """How to fix this failure, when it is not the check's own fix (docs/checks.md)."""

    @property
    def ok(self) -> bool:
        """True unless the check failed or errored."""
        return self.status not in ("failed", "error")

    def as_dict(self) -> dict[str, Any]:
        """The JSON form; keys are only ever added."""
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "message": self.message,
            "duration_s": round(self.duration_s, 4),
            "reason": self.reason,
            "fix": self.fix,
        }


@dataclass(frozen=True, slots=True)
class Summary:
    """How many checks ended in each status."""

    passed: int = 0
    failed: int = 0
    warnings: int = 0
    skipped: int = 0
    errors: int = 0
    needs_network: int = 0
    """Of the skipped, those skipped because the plugin needs the network."""

    @classmethod
    def of(cls, results: Iterable[CheckResult]) -> Summary:
        """Count ``results`` by status."""
        counts = dict.fromkeys(STATUSES, 0)
        network = 0
        for result in results:
            counts[result.status] += 1
            network += result.reason == "needs-network"
        return cls(
            counts["passed"],
            counts["failed"],
            counts["warning"],
            counts["skipped"],
            counts["error"],
            network,
        )

    def as_dict(self) -> dict[str, int]:
        """The JSON form of docs/cli.md."""
        return {
            "passed": self.passed,
            "failed": self.failed,
            "warnings": self.warnings,
            "skipped": self.skipped,
            "errors": self.errors,
            "needs_network": self.needs_network,
        }

    def line(self) -> str:
        """One human line, e.g. ``27 passed, 1 failed, 2 warnings``."""
        parts = [f"{self.passed} passed"]
        for count, one, many in (
            (self.failed, "failed", "failed"),
            (self.errors, "error", "errors"),
            (self.warnings, "warning", "warnings"),
            (self.skipped, "skipped", "skipped"),
            (self.needs_network, "needs the network", "need the network"),
        ):
            if count:
                parts.append(counted(count, one, many))
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class PluginReport:
    """Every check result of one plugin."""

    name: str
    kind: str | None
    object: str | None
    checks: tuple[CheckResult, ...] = ()
    package: str | None = None
    version: str | None = None

    def result(self, check_id: str) -> CheckResult:
        """The result of ``check_id``; KeyError when it was not run."""
        for result in self.checks:
            if result.id == check_id:
                return result
        raise KeyError(f"{check_id} was not run on {self.name!r}")

    @property
    def ok(self) -> bool:
        """True when no check failed or errored."""
        return all(r.ok for r in self.checks)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of docs/cli.md (plus ``package`` and ``version``)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "object": self.object,
            "package": self.package,
            "version": self.version,
            "checks": [r.as_dict() for r in self.checks],
        }


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """The results of validating one target (one or more plugins)."""

    target: str
    plugins: tuple[PluginReport, ...] = ()
    notes: tuple[str, ...] = field(default=())
    python: str | None = None
    """The version of the Python the plugin code ran on (``3.12.1``), when known."""

    @property
    def results(self) -> list[CheckResult]:
        """Every result of every plugin, in order."""
        return [r for p in self.plugins for r in p.checks]

    @property
    def summary(self) -> Summary:
        """Counts by status over all plugins."""
        return Summary.of(self.results)

    def exit_code(self, *, strict: bool = False) -> int:
        """1 when any check failed or errored (with ``strict``, also warned), else 0."""
        bad = {"failed", "error", "warning"} if strict else {"failed", "error"}
        return 1 if any(r.status in bad for r in self.results) else 0

    def ignoring(self, ids: Iterable[str]) -> ValidationReport:
        """This report with the checks in ``ids`` marked skipped (``--ignore``)."""
        ignored = {i.upper() for i in ids}
        if not ignored:
            return self
        plugins = tuple(
            replace(
                p,
                checks=tuple(
                    replace(
                        r,
                        status="skipped",
                        reason="ignored",
                        message=f"ignored ({r.status}: {r.message})"
                        if r.message
                        else f"ignored ({r.status})",
                    )
                    if r.id in ignored
                    else r
                    for r in p.checks
                ),
            )
            for p in self.plugins
        )
        return replace(self, plugins=plugins)

    def as_dict(self) -> dict[str, Any]:
        """The ``validate --json`` shape of docs/cli.md; keys are only ever added."""
        return {
            "target": self.target,
            "plugins": [p.as_dict() for p in self.plugins],
            "summary": self.summary.as_dict(),
            "notes": list(self.notes),
            "python": self.python,
        }

    def to_junit(self) -> str:
        """JUnit XML: one testsuite per plugin, one testcase per check."""
        from xml.etree import ElementTree as ET

        total = self.summary
        root = ET.Element(
            "testsuites",
            name=f"fastrtc-plugins validate {self.target}",
            tests=str(len(self.results)),
            failures=str(total.failed),
            errors=str(total.errors),
            skipped=str(total.skipped),
        )
        for plugin in self.plugins:
            counts = Summary.of(plugin.checks)
            suite = ET.SubElement(
                root,
                "testsuite",
                name=f"{plugin.kind or 'package'}:{plugin.name}",
                tests=str(len(plugin.checks)),
                failures=str(counts.failed),
                errors=str(counts.errors),
                skipped=str(counts.skipped),
                time=f"{sum(r.duration_s for r in plugin.checks):.4f}",
            )
            for result in plugin.checks:
                case = ET.SubElement(
                    suite,
                    "testcase",
                    name=f"{result.id} {result.title}",
                    classname=f"fastrtc_plugins.{plugin.name}",
                    time=f"{result.duration_s:.4f}",
                )
                if result.status == "failed":
                    ET.SubElement(case, "failure", message=result.message).text = result.message
                elif result.status == "error":
                    ET.SubElement(case, "error", message=result.message).text = result.message
                elif result.status == "skipped":
                    skipped = ET.SubElement(case, "skipped", message=result.message)
                    if result.reason:
                        skipped.set("type", result.reason)
                elif result.status == "warning":
                    ET.SubElement(case, "system-out").text = f"warning: {result.message}"
        ET.indent(root)
        return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
