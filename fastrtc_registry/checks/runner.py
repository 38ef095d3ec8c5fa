"""Run the checks on a target: tier 0 here, tiers 1 and 2 in a worker per plugin.

Plugin code runs only in the worker (:mod:`fastrtc_registry._worker`, action
``validate``). The worker appends each check's start and result to a progress
file, so when a plugin hangs, exits or crashes the interpreter the parent
still knows what finished and which check was running, marks that one
``error`` with the reason, skips the rest, and goes on with the next plugin.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .._worker import WorkerOutcome, run_worker
from ..names import Kind
from .ids import check_info, planned_checks
from .results import CheckResult, PluginReport, ValidationReport
from .static import DeclaredPlugin, PackageInfo, run_static_checks

__all__ = [
    "DEFAULT_TIMEOUT",
    "Progress",
    "run_plugin_checks",
    "validate",
    "validate_action",
    "validate_packages",
]

DEFAULT_TIMEOUT = 120.0
Progress = Callable[[str, str], None]  # (plugin name, what is running)


def validate(
    target: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    ignore: Iterable[str] = (),
    index_url: str | None = None,
    on_progress: Progress | None = None,
) -> ValidationReport:
    """Validate ``target``: an installed plugin or package name, a project directory,
    a wheel file, or ``pypi:NAME[==VERSION]``."""
    from ..targets import resolve_target

    with resolve_target(target, index_url=index_url, on_progress=on_progress) as resolved:
        report = validate_packages(
            resolved.label,
            resolved.plugins,
            python=resolved.python,
            timeout=timeout,
            on_progress=on_progress,
            notes=resolved.notes,
        )
    return report.ignoring(ignore)


def validate_packages(
    label: str,
    plugins: Iterable[tuple[PackageInfo | None, DeclaredPlugin]],
    *,
    python: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    on_progress: Progress | None = None,
    notes: Iterable[str] = (),
) -> ValidationReport:
    """Run every tier on each (package, plugin); ``python`` is the interpreter with them."""
    reports = []
    for package, plugin in plugins:
        static = run_static_checks(package, plugin) if package is not None else []
        dynamic: list[CheckResult] = []
        if plugin.kind is not None and plugin.object is not None:
            dynamic = run_plugin_checks(
                plugin.object,
                plugin.kind,
                plugin.name,
                python=python,
                timeout=timeout,
                on_progress=on_progress,
            )
        reports.append(
            PluginReport(
                name=plugin.name,
                kind=plugin.kind,
                object=plugin.object,
                checks=tuple(static + dynamic),
                package=package.name if package else None,
                version=package.version if package else None,
            )
        )
    return ValidationReport(label, tuple(reports), tuple(notes))


def run_plugin_checks(
    spec: str,
    kind: Kind,
    name: str = "",
    *,
    python: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    env: Mapping[str, str] | None = None,
    on_progress: Progress | None = None,
) -> list[CheckResult]:
    """Tiers 1 and 2 for the entry point ``spec`` in a fresh worker, within ``timeout``."""
    with tempfile.TemporaryDirectory(prefix="fastrtc-validate-") as tmp:
        progress = Path(tmp) / "progress.jsonl"
        progress.touch()
        request = {
            "action": "validate",
            "object": spec,
            "kind": kind,
            "name": name,
            "progress": str(progress),
        }
        done = threading.Event()
        watcher = None
        if on_progress is not None:
            watcher = threading.Thread(
                target=_watch, args=(progress, name, on_progress, done), daemon=True
            )
            watcher.start()
        try:
            outcome = run_worker(request, timeout=timeout, python=python, env=env)
        finally:
            done.set()
            if watcher is not None:
                watcher.join(timeout=2)
        return _collect(outcome, _read_log(progress), kind)


def _watch(progress: Path, name: str, on_progress: Progress, done: threading.Event) -> None:
    seen = 0
    while not done.wait(0.1):
        entries = _read_log(progress)
        for entry in entries[seen:]:
            if "start" in entry:
                check_id = str(entry["start"])
                on_progress(name, f"{check_id} {check_info(check_id).title}")
        seen = len(entries)


def _read_log(progress: Path) -> list[dict[str, Any]]:
    entries = []
    try:
        lines = progress.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            break  # a line cut short by a crash
    return entries


def _collect(outcome: WorkerOutcome, log: list[dict[str, Any]], kind: Kind) -> list[CheckResult]:
    answer = outcome.answer
    if answer is not None and isinstance(answer.get("results"), list):
        return [CheckResult.from_dict(r) for r in answer["results"]]
    results = [CheckResult.from_dict(e["result"]) for e in log if "result" in e]
    finished = {r.id for r in results}
    running = next(
        (str(e["start"]) for e in reversed(log) if "start" in e and e["start"] not in finished),
        None,
    )
    reason = outcome.error or (answer or {}).get("error") or "the worker gave no answer"
    if running is None:
        running = next(
            (i.id for i in planned_checks(kind, tiers=(1, 2)) if i.id not in finished), None
        )
    if running is not None:
        results.append(
            CheckResult(
                running,
                check_info(running).title,
                "error",
                f"{reason} (while running {running})",
                outcome.duration_s,
            )
        )
        finished.add(running)
    for info in planned_checks(kind, tiers=(1, 2)):
        if info.id not in finished:
            results.append(
                CheckResult(
                    info.id, info.title, "skipped", f"not run: the worker stopped during {running}"
                )
            )
    return results


def validate_action(request: Mapping[str, Any]) -> dict[str, Any]:
    """Worker side: run tiers 1 and 2 on one entry point; results as dicts."""
    from ._base import Recorder
    from .imports import run_import_checks

    kind: Kind = request["kind"]
    rec = Recorder(request.get("progress"))
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    built = run_import_checks(rec, str(request["object"]), kind, str(request.get("name", "")))
    if built is not None and kind == "vad":
        from .vad import run_vad_checks

        run_vad_checks(rec, built)
    elif built is not None:
        from .turn_taking import run_turn_taking_checks

        run_turn_taking_checks(rec, type(built))
    done = {r.id for r in rec.results}
    for info in planned_checks(kind, tiers=(1, 2)):
        if info.id not in done:
            rec.skip(info.id, "not run: an earlier check failed")
    return {"ok": True, "results": [r.as_dict() for r in rec.results]}
