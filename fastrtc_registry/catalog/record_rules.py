"""Rules for the two measured records of a catalog entry: ``validation`` and ``bench``.

Both are written only by ``registry update`` from real runs (``--validate``,
``--bench``); these rules keep a hand-edited or hostile record from reaching a
user: bounded counts and figures, real versions and dates, no control text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .fields import (
    Problem,
    Rule,
    date_problem,
    json_pointer,
    missing_or_wrong,
    python_problem,
    text_problem,
    unknown_fields,
    version_problem,
)

__all__ = [
    "BENCH_COUNTS",
    "BENCH_FRACTIONS",
    "BENCH_TIMES",
    "VALIDATION_COUNTS",
    "VALIDATION_STATUSES",
    "bench_problems",
    "validation_problems",
]

VALIDATION_STATUSES = ("passed", "warning", "failed", "needs-network", "unsupported-python")
VALIDATION_COUNTS = ("passed", "failed", "warnings", "skipped", "needs_network", "errors")
_MAX_COUNT = 100_000
_MAX_FIGURE = 10_000_000.0

_RUN_STRINGS: dict[str, Rule] = {
    "version": version_problem,
    "fastrtc": lambda v: text_problem(v, 100) or (None if v else "must not be empty"),
    "python": python_problem,
    "date": date_problem,
}
_VALIDATION_STRINGS: dict[str, Rule] = {
    **_RUN_STRINGS,
    "suite": version_problem,
    "reason": lambda v: text_problem(v, 300),
}
_VALIDATION_REQUIRED = ("version", "suite", "fastrtc", "python", "status", "date")
_VALIDATION_FIELDS = frozenset({*_VALIDATION_STRINGS, "status", *VALIDATION_COUNTS})

BENCH_FRACTIONS = (
    "f1",
    "precision",
    "recall",
    "humming_false_speech",
    "noise_false_speech",
    "silence_false_speech",
    "false_cutoffs",
    "false_cutoffs_at_500ms",
)
BENCH_TIMES = (
    "end_of_turn_p50_ms",
    "end_of_turn_p95_ms",
    "p50_ms",
    "realtime_factor",
    "latency_at_5pct_ms",
)
BENCH_COUNTS = ("false_turn_ends", "missed_turns", "hesitations", "turn_ends")
# The trade-off curve: one point per value of the swept setting.
MAX_SWEEP_POINTS = 50
_SWEEP_POINT = {
    "value": _MAX_FIGURE,
    "false_cutoffs": 1.0,
    "end_of_turn_p50_ms": _MAX_FIGURE,
    "end_of_turn_p95_ms": _MAX_FIGURE,
}
_BENCH_STRINGS: dict[str, Rule] = {
    **_RUN_STRINGS,
    "corpus": lambda v: text_problem(v, 20) or (None if v else "must not be empty"),
}
_BENCH_FIELDS = frozenset({*_BENCH_STRINGS, *BENCH_FRACTIONS, *BENCH_TIMES, *BENCH_COUNTS, "sweep"})


def _count_problem(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _MAX_COUNT:
        return None
    return f"must be a count (an integer 0..{_MAX_COUNT})"


def _figure_problem(value: Any, top: float) -> str | None:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number and math.isfinite(value) and 0 <= value <= top:
        return None
    return f"must be a number from 0 to {top:g}, or null"


def _strings(
    raw: Mapping[str, Any], rules: Mapping[str, Rule], required: tuple[str, ...], at: tuple
) -> list[Problem]:
    problems = []
    for field, rule in rules.items():
        value = raw.get(field)
        if field not in required and value is None:
            continue
        message = rule(value) if isinstance(value, str) else missing_or_wrong(raw, field)
        if message:
            problems.append(Problem(json_pointer(*at, field), message))
    return problems


def _sweep_problems(raw: Any, at: tuple[str | int, ...], strict: bool) -> list[Problem]:
    """What is wrong with a bench record's ``sweep`` (null is fine)."""
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        return [Problem(json_pointer(*at), "must be an object or null")]
    problems = []
    setting = raw.get("setting")
    message = (
        text_problem(setting, 60) or (None if setting else "must not be empty")
        if isinstance(setting, str)
        else missing_or_wrong(raw, "setting")
    )
    if message:
        problems.append(Problem(json_pointer(*at, "setting"), message))
    points = raw.get("points")
    if not isinstance(points, list) or len(points) > MAX_SWEEP_POINTS:
        problems.append(
            Problem(
                json_pointer(*at, "points"),
                f"must be a list of at most {MAX_SWEEP_POINTS} points",
            )
        )
        points = []
    for index, point in enumerate(points):
        where = (*at, "points", index)
        if not isinstance(point, Mapping):
            problems.append(Problem(json_pointer(*where), "each point must be an object"))
            continue
        for field, top in _SWEEP_POINT.items():
            message = _figure_problem(point.get(field), top)
            if message:
                problems.append(
                    Problem(json_pointer(*where, field), message.removesuffix(", or null"))
                )
        message = _count_problem(point.get("missed_turns"))
        if message:
            problems.append(Problem(json_pointer(*where, "missed_turns"), message))
        if strict:
            problems.extend(
                unknown_fields(point, frozenset({*_SWEEP_POINT, "missed_turns"}), where)
            )
    if strict:
        problems.extend(unknown_fields(raw, frozenset({"setting", "points"}), at))
    return problems


def validation_problems(raw: Any, at: tuple[str | int, ...], strict: bool) -> list[Problem]:
    """What is wrong with a ``validation`` record (null is fine)."""
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        return [Problem(json_pointer(*at), "must be an object or null")]
    problems = []
    status = raw.get("status")
    if status not in VALIDATION_STATUSES:
        expected = f"one of {', '.join(VALIDATION_STATUSES)}"
        problems.append(
            Problem(json_pointer(*at, "status"), missing_or_wrong(raw, "status", expected))
        )
    required: tuple[str, ...] = _VALIDATION_REQUIRED
    if status == "unsupported-python" and raw.get("version") is None:
        required = tuple(f for f in required if f != "version")  # nothing could be installed
    problems += _strings(raw, _VALIDATION_STRINGS, required, at)
    for field in VALIDATION_COUNTS:
        message = _count_problem(raw.get(field, 0))
        if message:
            problems.append(Problem(json_pointer(*at, field), message))
    if strict:
        problems.extend(unknown_fields(raw, _VALIDATION_FIELDS, at))
    return problems


def bench_problems(raw: Any, at: tuple[str | int, ...], strict: bool) -> list[Problem]:
    """What is wrong with a ``bench`` record (null is fine)."""
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        return [Problem(json_pointer(*at), "must be an object or null")]
    problems = _strings(raw, _BENCH_STRINGS, tuple(_BENCH_STRINGS), at)
    for fields, check in (
        (BENCH_FRACTIONS, lambda v: _figure_problem(v, 1.0)),
        (BENCH_TIMES, lambda v: _figure_problem(v, _MAX_FIGURE)),
        (BENCH_COUNTS, _count_problem),
    ):
        for field in fields:
            value = raw.get(field)
            message = None if value is None else check(value)
            if message:
                problems.append(Problem(json_pointer(*at, field), message))
    problems.extend(_sweep_problems(raw.get("sweep"), (*at, "sweep"), strict))
    if strict:
        problems.extend(unknown_fields(raw, _BENCH_FIELDS, at))
    return problems
