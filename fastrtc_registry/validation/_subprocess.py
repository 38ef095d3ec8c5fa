"""Running the build and install steps of a target: one deadline, supervised commands.

Shared by :mod:`.venv` (making and filling throwaway environments) and
:mod:`.targets` (building and downloading wheels); both import it, it imports
neither.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Sequence

from ..errors import ValidationTargetError

__all__ = ["NO_DEADLINE", "Deadline", "last_line", "run", "supervised"]

NO_DEADLINE = 3600.0


class Deadline:
    """The seconds left of one ``--timeout`` shared by the build and install steps."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def left(self, what: str) -> float:
        """The seconds left; ValidationTargetError once none are."""
        remaining = self._end - time.monotonic()
        if remaining <= 0:
            raise ValidationTargetError(f"{what} timed out after {self.seconds:g} s (--timeout)")
        return remaining


def supervised(
    command: Sequence[str], what: str, *, env: dict[str, str] | None, timeout: float
) -> None:
    """Run ``command``, killed with its descendants after ``timeout`` seconds."""
    # Installers run build backends: supervised, killed with their descendants on timeout.
    from .process import run_command

    try:
        done = run_command(command, timeout=timeout, env=env)
    except OSError as exc:
        raise ValidationTargetError(f"{what} failed: {exc}") from exc
    if done.returncode is None:
        raise ValidationTargetError(f"{what} timed out (--timeout); it was stopped")
    if done.returncode != 0:
        raise ValidationTargetError(f"{what} failed: {last_line(done.output)}")


def run(
    command: Sequence[str],
    what: str,
    env: dict[str, str] | None = None,
    timeout: float = 900.0,
) -> str:
    """The standard output of a short command of ours; ValidationTargetError if it fails."""
    try:
        proc = subprocess.run(
            list(command), capture_output=True, text=True, env=env, check=False, timeout=timeout
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ValidationTargetError(f"{what} failed: {exc}") from exc
    if proc.returncode != 0:
        raise ValidationTargetError(f"{what} failed: {last_line(proc.stderr or proc.stdout)}")
    return proc.stdout


def last_line(text: str) -> str:
    """The line of a tool's output that says what went wrong (an error line, else the last)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    errors = [line for line in lines if line.lower().startswith(("error", "×", "x "))]
    return (errors or lines or ["no output"])[-1][:300]
