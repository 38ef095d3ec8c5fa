"""Run the suite on a target: every tier's checks judged here, in registry order.

This sits on top of both halves: :mod:`fastrtc_registry.validation` resolves
the target, reads the package (tier 0's facts) and runs plugin code in a
worker (tiers 1 and 2), and the pure judges in :mod:`fastrtc_registry.checks`
give the verdicts.

For each plugin the runner walks the registered checks in order. A check
whose ``after`` prerequisite did not pass is skipped with ``reason`` ``after
<ID>`` (the root cause, once). Otherwise the runner asks the worker for the
observations the check needs that have not arrived yet, then judges them
here. When the worker stops (timeout, exit, crash) or breaks the protocol
(a forged or out-of-order reply), the check that was waiting is an error
(a failure for a protocol break) and the rest are skipped after it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .checks.base import (
    CheckError,
    CheckFailed,
    CheckSkipped,
    CheckSpec,
    CheckWarning,
    Crashed,
    Interfered,
    NeedsNetwork,
    Observations,
    SkipAfter,
)
from .checks.ids import planned_checks
from .checks.results import CheckResult, PluginReport, Status, ValidationReport
from .deadlines import VALIDATE_TIMEOUT
from .validation.distribution import DeclaredPlugin, PackageInfo
from .validation.protocol import (
    BuildReply,
    BuildRequest,
    LoadReply,
    LoadRequest,
    ObserveReply,
    ObserveRequest,
    PingReply,
    PingRequest,
    ProtocolViolation,
)
from .validation.tags import TAGS_VARIABLE, pyproject_tags
from .validation.worker import WorkerSession, WorkerStopped

if TYPE_CHECKING:
    from .packages import PackageMetadata

__all__ = [
    "DEFAULT_TIMEOUT",
    "INTERFERED",
    "Progress",
    "judge_package",
    "judge_plugin",
    "run_plugin_checks",
    "validate",
    "validate_packages",
]

DEFAULT_TIMEOUT = VALIDATE_TIMEOUT
INTERFERED = "the plugin interfered with the validator"
Progress = Callable[[str, str], None]  # (plugin name, what is running)


def validate(
    target: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    ignore: Iterable[str] = (),
    index_url: str | None = None,
    on_progress: Progress | None = None,
    memory: int | str | None = None,
    python: str | None = None,
) -> ValidationReport:
    """Validate ``target``: an installed plugin or package name, a project directory,
    a wheel file, or ``pypi:NAME[==VERSION]``.

    ``python`` (``X.Y``) runs the plugins on that Python, found on PATH or under
    pyenv (PythonNotFoundError if not); the report's ``python`` says which ran.
    """
    from dataclasses import replace

    from .validation.targets import resolve_target

    with resolve_target(
        target, index_url=index_url, on_progress=on_progress, timeout=timeout, python=python
    ) as resolved:
        report = validate_packages(
            resolved.label,
            resolved.plugins,
            python=resolved.python,
            timeout=timeout,
            on_progress=on_progress,
            notes=resolved.notes,
            memory=memory,
            pyproject=_read_pyproject(target),
            host=resolved.host,
        )
    return replace(report, python=resolved.python_version).ignoring(ignore)


def _read_pyproject(target: str) -> Mapping[str, Any] | None:
    """A project directory's pyproject.toml, for its ``[tool.fastrtc-plugins]`` tags."""
    from pathlib import Path

    from .validation.targets import PYPI_PREFIX

    if target.startswith(PYPI_PREFIX):
        return None
    # The same reading of TARGET as the build step's (``~`` expanded).
    path = Path(target).expanduser() / "pyproject.toml"
    if not path.is_file():
        return None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # a dependency on 3.10 (pyproject.toml)
        import tomli as tomllib
    try:
        data: Mapping[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None  # the build step reports a broken pyproject
    return data


def validate_packages(
    label: str,
    plugins: Iterable[tuple[PackageInfo | None, DeclaredPlugin]],
    *,
    python: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    on_progress: Progress | None = None,
    notes: Iterable[str] = (),
    memory: int | str | None = None,
    pyproject: Mapping[str, Any] | None = None,
    host: PackageMetadata | None = None,
) -> ValidationReport:
    """Run every tier on each (package, plugin); ``python`` is the interpreter with them.

    ``host`` is the distribution providing fastrtc there (fastrtc or a fork), for PKG003.

    ``pyproject`` is the project's pyproject.toml, when the target is a project
    directory: its ``[tool.fastrtc-plugins]`` tags reach the checks.
    """
    reports = []
    for package, plugin in plugins:
        static: list[CheckResult] = []
        if package is not None:
            static = judge_package(package, plugin, host=host)
        dynamic: list[CheckResult] = []
        if plugin.kind is not None and plugin.object is not None:
            dynamic = run_plugin_checks(
                plugin.object,
                plugin.kind,
                plugin.name,
                python=python,
                timeout=timeout,
                on_progress=on_progress,
                memory=memory,
                tags=pyproject_tags(pyproject, plugin.name) if pyproject else None,
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


def judge_package(
    package: PackageInfo, plugin: DeclaredPlugin, *, host: PackageMetadata | None = None
) -> list[CheckResult]:
    """Tier 0 for ``plugin`` of ``package``: metadata and sources, no plugin code runs.

    ``host`` is the distribution providing fastrtc where the plugin runs, for PKG003.
    """
    obs = Observations(plugin.object or "", plugin.kind, plugin.name)
    obs.package, obs.plugin, obs.host = package, plugin, host
    results: dict[str, CheckResult] = {}
    for spec in planned_checks(obs.kind, tiers=(0,)):
        started = time.perf_counter()
        root = _blocked_by(spec, results)
        results[spec.id] = (
            _skip(spec, root, results) if root is not None else _judge(spec, obs, started)
        )
    return list(results.values())


def run_plugin_checks(
    spec: str,
    kind: str,
    name: str = "",
    *,
    python: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    env: Mapping[str, str] | None = None,
    on_progress: Progress | None = None,
    memory: int | str | None = None,
    tags: Mapping[str, Any] | None = None,
) -> list[CheckResult]:
    """Tiers 1 and 2 for the entry point ``spec`` in a fresh worker, within ``timeout``.

    ``tags`` are raw tags from pyproject (the class attribute wins over them);
    the worker gets them too, to plan what it feeds the plugin.
    """
    observations = Observations(spec, kind, name)
    if tags:
        import json
        import os

        observations.tags["pyproject"] = dict(tags)
        env = {**(os.environ if env is None else env), TAGS_VARIABLE: json.dumps(dict(tags))}
    try:
        session = WorkerSession(timeout=timeout, python=python, env=env, memory=memory)
    except WorkerStopped as exc:
        return _all_error(kind, str(exc))
    with session:
        return judge_plugin(observations, session, on_progress=on_progress)


def _all_error(kind: str, reason: str) -> list[CheckResult]:
    specs = planned_checks(kind, tiers=(1, 2))
    first, rest = specs[0], specs[1:]
    return [CheckResult(first.id, first.title, "error", reason)] + [
        CheckResult(
            s.id, s.title, "skipped", f"not run: {first.id} {reason}", reason=f"after {first.id}"
        )
        for s in rest
    ]


def judge_plugin(
    obs: Observations,
    session: WorkerSession,
    *,
    on_progress: Progress | None = None,
    only: Iterable[str] | None = None,
) -> list[CheckResult]:
    """Gather what each check needs from ``session`` and judge it, in registry order."""
    results: dict[str, CheckResult] = {}
    stopped: tuple[str, str] | None = None  # (check id, why) once the worker is unusable
    wanted = None if only is None else set(only)
    for spec in planned_checks(obs.kind, tiers=(1, 2)):
        if wanted is not None and spec.id not in wanted:
            continue
        started = time.perf_counter()
        root = stopped[0] if stopped else _blocked_by(spec, results)
        if root is not None:
            results[spec.id] = _skip(spec, root, results)
            continue
        if on_progress is not None:
            on_progress(obs.name or obs.spec, f"{spec.id} {spec.title}")
        try:
            _gather(obs, session, spec.needs)
        except ProtocolViolation as exc:
            message = f"{INTERFERED}: {exc}{_printed(session)}"
            results[spec.id] = _result(spec, "failed", message, started)
            stopped = (spec.id, message)
            session.close()
            continue
        except WorkerStopped as exc:
            message = f"{exc} (while running {spec.id}){_printed(session)}"
            results[spec.id] = _result(spec, "error", message, started)
            stopped = (spec.id, message)
            session.close()
            continue
        results[spec.id] = _judge(spec, obs, started)
    if stopped is None:
        # The worker must still be alive and in step: a plugin that forged a reply and
        # quit, or sent one more reply than was asked for, is caught here.
        try:
            session.request(PingRequest(), PingReply)
        except ProtocolViolation as exc:
            _blame_last(results, f"{INTERFERED}: {exc}")
        except WorkerStopped as exc:
            _blame_last(results, f"{INTERFERED}: after its last answer, {exc}")
    return list(results.values())


def _blame_last(results: dict[str, CheckResult], what: str) -> None:
    # The last judged check may have read a forged reply: it cannot stand.
    judged = [r for r in results.values() if r.status != "skipped"]
    if judged:
        last = judged[-1]
        results[last.id] = CheckResult(last.id, last.title, "failed", what, last.duration_s)


def _printed(session: WorkerSession) -> str:
    text = session.output.strip()
    if not text:
        return ""
    last = text.splitlines()[-1][:300]
    return f"; the plugin's last output line: {last}"


def _blocked_by(spec: CheckSpec, results: Mapping[str, CheckResult]) -> str | None:
    for prerequisite in spec.after:
        done = results.get(prerequisite)
        if done is None or done.status in ("passed", "warning"):
            continue
        if done.reason and done.reason.startswith("after "):
            return done.reason.removeprefix("after ")
        return prerequisite
    return None


def _skip(spec: CheckSpec, root: str, results: Mapping[str, CheckResult]) -> CheckResult:
    cause = results.get(root)
    what = f"{root} {cause.status}" if cause else f"{root} did not pass"
    return CheckResult(spec.id, spec.title, "skipped", f"not run: {what}", reason=f"after {root}")


def _gather(obs: Observations, session: WorkerSession, needs: Iterable[str]) -> None:
    for need in needs:
        if obs.has(need):
            continue
        if need == "load":
            obs.load = session.request(LoadRequest(obs.spec, obs.kind or "", obs.name), LoadReply)
        elif need == "build":
            obs.build = session.request(BuildRequest(), BuildReply)
        else:
            reply = session.request(ObserveRequest(need), ObserveReply)
            if reply.probe != need:
                raise ProtocolViolation(f"the reply was for {reply.probe!r}, not {need!r}")
            obs.probes[need] = reply


def _result(
    spec: CheckSpec,
    status: Status,
    message: str,
    started: float,
    reason: str | None = None,
    *,
    fix: str | None = None,
) -> CheckResult:
    elapsed = time.perf_counter() - started
    return CheckResult(spec.id, spec.title, status, message, elapsed, reason, fix)


def _judge(spec: CheckSpec, obs: Observations, started: float) -> CheckResult:
    assert spec.func is not None
    try:
        message = spec.func(obs)
    except SkipAfter as skip:
        return _result(spec, "skipped", str(skip), started, f"after {skip.check_id}")
    except NeedsNetwork as skip:
        return _result(spec, "skipped", str(skip), started, "needs-network")
    except Interfered as exc:
        return _result(spec, "failed", f"{INTERFERED}: {exc}", started)
    except CheckFailed as exc:
        if isinstance(exc, Crashed):
            obs.crashes.setdefault(exc.key, spec.id)  # later checks meeting it skip after it
        fix = exc.fix if exc.fix != spec.fix else None
        return _result(spec, "failed", str(exc), started, fix=fix)
    except CheckWarning as exc:
        return _result(spec, "warning", str(exc), started)
    except CheckSkipped as exc:
        return _result(spec, "skipped", str(exc), started, "not-applicable")
    except CheckError as exc:
        return _result(spec, "error", str(exc), started)
    except Exception as exc:
        # Every reply was checked against its type on arrival: this is a bug of the check.
        return _result(
            spec,
            "error",
            f"internal error in {spec.id} ({type(exc).__name__}: {exc}); this is a bug in "
            "fastrtc-registry, not in the plugin: please report it",
            started,
        )
    return _result(spec, "passed", message, started)
