"""Optional tools for tests: skipped on a developer's machine, required under ``CI=true``."""

from __future__ import annotations

import os
import shutil
from types import ModuleType

import pytest

__all__ = ["in_ci", "require_executable", "require_module"]


def in_ci() -> bool:
    """Whether this run is CI (``CI=true``), where nothing may be skipped for a missing tool."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require_module(name: str) -> ModuleType:
    """Import ``name``; skip the test without it, or fail it under CI."""
    try:
        return __import__(name)
    except ImportError:
        if in_ci():
            pytest.fail(f"CI=true but the {name!r} package is missing; .ci/run installs it")
        pytest.skip(f"{name} is not installed")


def require_executable(*names: str) -> str:
    """The path of the first of ``names`` on PATH; skip without one, or fail under CI."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    if in_ci():
        pytest.fail(f"CI=true but none of {', '.join(names)} is on PATH; .ci/run installs it")
    pytest.skip(f"none of {', '.join(names)} is installed")
