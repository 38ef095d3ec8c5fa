"""Worker side: drive a turn-taking handler over the hesitation talks, across its main setting.

For each value of the swept setting a fresh handler is built; all of them,
plus one with the plugin's own defaults, hear each talk together, frame by
frame (:func:`~fastrtc_registry.simulate.drive_handlers`), so a talk is
built and walked once per plugin, not once per value. Each handler's replies
are scored by :func:`~.metrics.score_hesitations`; the default handler gives
the headline figures, the swept ones the trade-off curve.

The setting is an ``AlgoOptions`` field (given as ``algo_options``) or a
keyword of the plugin's constructor (e.g. smart-turn's ``threshold``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["PAUSE_SWEEP", "Sweep", "measure_hesitations", "sweep_for"]


@dataclass(frozen=True, slots=True)
class Sweep:
    """Which setting to sweep and over what values."""

    setting: str
    values: tuple[float, ...]


PAUSE_SWEEP = Sweep("audio_chunk_duration", (0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.2, 1.6))
"""ReplyOnPause's pause length: it replies when a chunk this long holds under
``speech_threshold`` (0.1 s) of speech after the speaker started."""


def sweep_for(tags: Mapping[str, Any] | None) -> Sweep | None:
    """The plugin's declared ``bench_sweep``, else the pause sweep; None for keyword plugins."""
    if tags and tags.get("bench_sweep"):
        declared = tags["bench_sweep"]
        return Sweep(str(declared["setting"]), tuple(float(v) for v in declared["values"]))
    if tags and tags.get("trigger") == "keyword":
        return None
    return PAUSE_SWEEP


def _builder(cls: Any, vad: Any, setting: str | None, value: float) -> Callable[[Any], Any]:
    from dataclasses import fields

    from fastrtc import AlgoOptions

    def build(reply: Any) -> Any:
        if setting is None:
            return cls(reply, model=vad)
        if setting in {f.name for f in fields(AlgoOptions)}:
            return cls(reply, model=vad, algo_options=AlgoOptions(**{setting: value}))
        return cls(reply, model=vad, **{setting: value})

    return build


def measure_hesitations(cls: Any, vad: Any, sweep: Sweep | None, rate: int) -> dict[str, Any]:
    """Figures over every hesitation talk: the defaults' and, with ``sweep``, each point's."""
    from ..simulate import drive_handlers, recording_reply
    from . import hesitations
    from .metrics import CutoffCounts, score_hesitations, tradeoff

    values: Sequence[float] = sweep.values if sweep else ()
    builders = [_builder(cls, vad, None, 0.0)]
    builders += [_builder(cls, vad, sweep.setting if sweep else None, v) for v in values]
    totals = [CutoffCounts() for _ in builders]
    for talk in hesitations.talks(rate):
        handlers = []
        for build in builders:
            reply, _ = recording_reply()
            handlers.append(build(reply))
        replies = drive_handlers(handlers, [talk.audio] * len(handlers), rate=rate)
        for index in range(len(handlers)):
            mine = [r.at_s for r in replies if r.handler == index]
            totals[index] = totals[index] + score_hesitations(mine, talk)
    default = totals[0]
    figures: dict[str, Any] = {
        "false_cutoffs": default.as_dict()["false_cutoffs"],
        "hesitations": default.hesitations,
        "turn_ends": default.turns,
        "end_of_turn_p50_ms": default.as_dict()["end_of_turn_p50_ms"],
        "end_of_turn_p95_ms": default.as_dict()["end_of_turn_p95_ms"],
        "missed_turns": default.missed,
        "latency_at_5pct_ms": None,
        "false_cutoffs_at_500ms": None,
        "sweep": None,
    }
    if sweep is not None:
        points = [
            {"value": value, **counts.as_dict()}
            for value, counts in zip(sweep.values, totals[1:], strict=True)
        ]
        latency, share = tradeoff(points)
        figures.update(
            latency_at_5pct_ms=latency,
            false_cutoffs_at_500ms=share,
            sweep={"setting": sweep.setting, "points": points},
        )
    return figures
