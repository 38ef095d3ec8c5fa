"""Moved to :mod:`fastrtc_registry.validation.targets`; kept so old imports work."""

from __future__ import annotations

from .validation.targets import (
    ResolvedTarget,
    build_project_wheel,
    make_overlay_venv,
    resolve_target,
)

__all__ = ["ResolvedTarget", "build_project_wheel", "make_overlay_venv", "resolve_target"]
