"""Run plugin code in a separate interpreter, with a timeout.

The parent sends one JSON request on the child's stdin and reads one JSON
answer from the child's original stdout; anything the plugin prints is sent
to stderr so it cannot corrupt the answer. A plugin that hangs, raises, calls
``os._exit`` or crashes the interpreter gives a :class:`WorkerOutcome` that
says so, never an exception in the caller.

Run as ``python -m fastrtc_registry._worker``. Actions are looked up in
``ACTIONS``; each takes the request dict and returns a JSON-able dict.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ACTIONS", "WorkerOutcome", "format_exception", "run_worker"]

Action = Callable[[Mapping[str, Any]], dict[str, Any]]
ACTIONS: dict[str, str] = {
    # action name -> "module:function"; imported lazily in the child only.
    "import": "fastrtc_registry._worker:import_action",
    "bench": "fastrtc_registry.bench:bench_action",
    "validate": "fastrtc_registry.checks.runner:validate_action",
}


@dataclass(frozen=True, slots=True)
class WorkerOutcome:
    """What came back from one worker run."""

    answer: dict[str, Any] | None
    error: str | None
    returncode: int | None
    duration_s: float
    stderr: str

    @property
    def ok(self) -> bool:
        """True when the worker answered (the answer may still report a failure)."""
        return self.answer is not None


def run_worker(
    request: Mapping[str, Any],
    *,
    timeout: float,
    python: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
) -> WorkerOutcome:
    """Run one request in a fresh interpreter (``python``, default this one)."""
    command = [python or sys.executable, "-m", "fastrtc_registry._worker"]
    child_env = dict(os.environ if env is None else env)
    child_env.setdefault("PYTHONUNBUFFERED", "1")
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            command,
            input=json.dumps(dict(request)).encode(),
            capture_output=True,
            timeout=timeout,
            env=child_env,
            cwd=cwd,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        return WorkerOutcome(
            answer=None,
            error=f"timed out after {timeout:g} s (the plugin hung or is too slow)",
            returncode=None,
            duration_s=time.perf_counter() - started,
            stderr=_decode(exc.stderr),
        )
    except OSError as exc:
        return WorkerOutcome(
            answer=None,
            error=f"could not start the worker {command[0]}: {exc.strerror}",
            returncode=None,
            duration_s=time.perf_counter() - started,
            stderr="",
        )
    duration = time.perf_counter() - started
    stderr = _decode(proc.stderr)
    answer = _parse_answer(proc.stdout)
    if answer is not None:
        return WorkerOutcome(answer, None, proc.returncode, duration, stderr)
    return WorkerOutcome(
        None, _describe_exit(proc.returncode, stderr), proc.returncode, duration, stderr
    )


def _decode(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode("utf-8", "replace")


def _parse_answer(stdout: bytes) -> dict[str, Any] | None:
    lines = stdout.strip().splitlines()
    if not lines:
        return None
    try:
        answer = json.loads(lines[-1])
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return answer if isinstance(answer, dict) else None


def _describe_exit(returncode: int, stderr: str) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"the plugin crashed the interpreter ({name})"
    last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
    detail = f": {last}" if last else ""
    return f"the worker exited with code {returncode} without answering{detail}"


def format_exception(exc: BaseException) -> str:
    """``Type: message`` of an exception, one line."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def import_action(request: Mapping[str, Any]) -> dict[str, Any]:
    """Import a ``module:attr`` object and check it is of the declared kind."""
    from .loading import check_object_kind, import_object

    try:
        obj = import_object(str(request["object"]))
        check_object_kind(obj, request["kind"], str(request.get("name", "")))
    except Exception as exc:
        cause = exc.__cause__ if exc.__cause__ is not None else exc
        return {"ok": False, "error": format_exception(cause)}
    return {"ok": True, "error": None}


def _resolve(spec: str) -> Action:
    import importlib

    module, _, attr = spec.partition(":")
    func: Action = getattr(importlib.import_module(module), attr)
    return func


def main() -> None:
    """Child side: read a request, run its action, write the answer."""
    answer_fd = os.dup(1)
    # Whatever the plugin prints goes to stderr; stdout carries only the answer.
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        request = json.loads(sys.stdin.read() or "{}")
        action = ACTIONS[request["action"]]
        answer = _resolve(action)(request)
    except Exception as exc:
        answer = {"ok": False, "error": format_exception(exc), "traceback": traceback.format_exc()}
    with os.fdopen(answer_fd, "w") as out:
        out.write(json.dumps(answer, default=str) + "\n")


if __name__ == "__main__":
    main()
