"""The check catalogue: stable ids, titles and tiers, importable without numpy.

Ids never change meaning once published; new checks get new ids. The prefix
names the area: ``PKG0xx`` static metadata (tier 0, no plugin code runs),
``IMP1xx`` import and construction (tier 1), ``VAD2xx`` VAD behaviour and
``TT2xx`` turn-taking behaviour (tier 2). ``docs/checks.md`` explains each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..names import Kind

__all__ = ["CHECKS", "CheckInfo", "check_info", "planned_checks"]

Applies = Literal["any", "vad", "turn-taking"]


@dataclass(frozen=True, slots=True)
class CheckInfo:
    """What one check asserts, for reports and docs."""

    id: str
    title: str
    tier: int
    applies_to: Applies


def _table(*rows: tuple[str, str, int, Applies]) -> dict[str, CheckInfo]:
    return {row[0]: CheckInfo(*row) for row in rows}


CHECKS: dict[str, CheckInfo] = _table(
    ("PKG001", "declares entry points in the fastrtc plugin groups", 0, "any"),
    ("PKG002", "entry point values are module:attr references", 0, "any"),
    ("PKG003", "requires fastrtc", 0, "any"),
    ("PKG004", "declares Requires-Python", 0, "any"),
    ("PKG005", "has a summary and a README", 0, "any"),
    ("PKG006", "project name starts with fastrtc-", 0, "any"),
    ("PKG007", "no network downloads at import or construction", 0, "any"),
    ("IMP101", "entry point imports", 1, "any"),
    ("IMP102", "object is of the declared kind", 1, "any"),
    ("IMP103", "builds with default arguments", 1, "any"),
    ("IMP104", "signatures match the protocol", 1, "any"),
    ("IMP105", "warmup() runs", 1, "vad"),
    ("IMP106", "overrides copy()", 1, "turn-taking"),
    ("IMP107", "copy() returns its own type", 1, "turn-taking"),
    ("VAD201", "accepts fastrtc's call: (48000, int16 array of shape (28800,))", 2, "vad"),
    ("VAD202", "returns (float, list of chunk dicts)", 2, "vad"),
    ("VAD203", "speech duration is finite and within the audio's length", 2, "vad"),
    ("VAD204", "chunks are integer, sorted, non-overlapping and in bounds", 2, "vad"),
    ("VAD205", "int16 and float32 input give the same answer", 2, "vad"),
    ("VAD206", "works at 16, 24 and 48 kHz", 2, "vad"),
    ("VAD207", "finds speech in real speech", 2, "vad"),
    ("VAD208", "finds almost no speech in silence", 2, "vad"),
    ("VAD209", "empty and very short audio do not crash", 2, "vad"),
    ("VAD210", "does not modify its input array", 2, "vad"),
    ("VAD211", "same input twice gives the same answer", 2, "vad"),
    ("VAD212", "concurrent calls from several threads give the sequential answers", 2, "vad"),
    ("VAD213", "latency per 0.6 s chunk is below real time", 2, "vad"),
    ("TT201", "replies once after the speaker pauses", 2, "turn-taking"),
    ("TT202", "never replies to silence alone", 2, "turn-taking"),
    ("TT203", "copy() keeps the class and the settings", 2, "turn-taking"),
    ("TT204", "copies share no state", 2, "turn-taking"),
)


def check_info(check_id: str) -> CheckInfo:
    """The catalogue entry of ``check_id``; KeyError names the known ids."""
    try:
        return CHECKS[check_id.upper()]
    except KeyError:
        raise KeyError(f"unknown check id {check_id!r}; known: {', '.join(CHECKS)}") from None


def planned_checks(kind: Kind | None, *, tiers: tuple[int, ...] = (0, 1, 2)) -> list[CheckInfo]:
    """The checks that apply to a plugin of ``kind``, in running order."""
    return [
        info for info in CHECKS.values() if info.tier in tiers and info.applies_to in ("any", kind)
    ]
