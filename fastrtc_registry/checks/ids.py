"""The check catalogue, derived from the registry: ids, titles, tiers; importable without numpy.

Ids never change meaning once published; new checks get new ids. The prefix
names the area: ``PKG0xx`` static metadata (tier 0, no plugin code runs),
``IMP1xx`` import and construction (tier 1), ``VAD2xx`` VAD behaviour and
``TT2xx`` turn-taking behaviour (tier 2). ``docs/checks.md`` is rendered
from the same registry (:mod:`.docs`).
"""

from __future__ import annotations

# Importing the check modules registers their checks, in running order.
from . import imports, metadata, turn_taking, vad, vad_serving  # noqa: F401
from .base import REGISTRY, CheckSpec

__all__ = ["CHECKS", "CheckInfo", "check_info", "planned_checks"]

CheckInfo = CheckSpec
_KINDS = ("any", "vad", "turn-taking")
CHECKS: dict[str, CheckSpec] = dict(
    sorted(
        REGISTRY.items(),
        key=lambda item: (
            item[1].tier,
            _KINDS.index(item[1].applies_to) if item[1].tier == 2 else 0,
            list(REGISTRY).index(item[0]),
        ),
    )
)


def check_info(check_id: str) -> CheckSpec:
    """The catalogue entry of ``check_id``; KeyError names the known ids."""
    try:
        return REGISTRY[check_id.upper()]
    except KeyError:
        raise KeyError(f"unknown check id {check_id!r}; known: {', '.join(CHECKS)}") from None


def planned_checks(kind: str | None, *, tiers: tuple[int, ...] = (0, 1, 2)) -> list[CheckSpec]:
    """The checks that apply to a plugin of ``kind``, in running order."""
    return [spec for spec in CHECKS.values() if spec.tier in tiers and spec.applies(kind)]
