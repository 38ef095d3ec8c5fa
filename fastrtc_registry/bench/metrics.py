"""Pure scoring: VAD spans to frame decisions, frame counts to F1, replies to turn figures."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .corpus import Conversation

__all__ = [
    "FrameCounts",
    "TurnCounts",
    "frames_from_spans",
    "percentile",
    "score_frames",
    "score_turns",
]


def frames_from_spans(spans: Iterable[Mapping[str, int]], samples: int, rate: int) -> np.ndarray:
    """Bool per 10 ms frame: at least half of the frame's samples lie inside a span.

    Spans are clipped to the audio; overlapping spans count once.
    """
    size = rate // 100
    count = samples // size
    coverage = np.zeros(samples + 1, dtype=np.int64)
    for span in spans:
        start = min(max(int(span["start"]), 0), samples)
        end = min(max(int(span["end"]), start), samples)
        coverage[start] += 1
        coverage[end] -= 1
    covered = np.cumsum(coverage[:samples]) > 0
    per_frame = covered[: count * size].reshape(count, size).sum(axis=1)
    result: np.ndarray = per_frame * 2 >= size
    return result


@dataclass(frozen=True, slots=True)
class FrameCounts:
    """Frame-level confusion counts against the labels."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def __add__(self, other: FrameCounts) -> FrameCounts:
        return FrameCounts(
            self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn
        )

    @property
    def precision(self) -> float | None:
        """Speech frames found that are speech; None when nothing was called speech."""
        called = self.tp + self.fp
        return self.tp / called if called else None

    @property
    def recall(self) -> float | None:
        """Speech frames that were found; None when there was no speech."""
        real = self.tp + self.fn
        return self.tp / real if real else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall (0 when nothing right was found)."""
        if self.tp + self.fn == 0:
            return None
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else None

    @property
    def false_speech(self) -> float | None:
        """Share of non-speech frames called speech; None when there were none."""
        quiet = self.fp + self.tn
        return self.fp / quiet if quiet else None

    def as_dict(self) -> dict[str, float | int | None]:
        """Counts and rates, rounded for JSON."""
        return {
            "frames": self.tp + self.fp + self.fn + self.tn,
            "speech_frames": self.tp + self.fn,
            "precision": _round(self.precision),
            "recall": _round(self.recall),
            "f1": _round(self.f1),
            "false_speech": _round(self.false_speech),
        }


def score_frames(decided: np.ndarray, labels: np.ndarray) -> FrameCounts:
    """Confusion counts of frame decisions against labels (compared over the shorter)."""
    count = min(len(decided), len(labels))
    said, truth = decided[:count].astype(bool), labels[:count].astype(bool)
    return FrameCounts(
        tp=int(np.sum(said & truth)),
        fp=int(np.sum(said & ~truth)),
        fn=int(np.sum(~said & truth)),
        tn=int(np.sum(~said & ~truth)),
    )


@dataclass(frozen=True, slots=True)
class TurnCounts:
    """What replies did over conversations: delays of the turns answered, and the mistakes."""

    turns: int = 0
    delays_s: tuple[float, ...] = ()
    missed: int = 0
    false_ends: Mapping[str, int] = field(default_factory=dict)
    """Replies where none belonged, by where: ``short pause``, ``humming``, ``speech``."""

    def __add__(self, other: TurnCounts) -> TurnCounts:
        merged = dict(self.false_ends)
        for key, value in other.false_ends.items():
            merged[key] = merged.get(key, 0) + value
        return TurnCounts(
            self.turns + other.turns,
            self.delays_s + other.delays_s,
            self.missed + other.missed,
            merged,
        )

    def as_dict(self) -> dict[str, object]:
        """Figures for JSON: delays in ms as p50/p95, counts of mistakes."""
        delays = [d * 1000 for d in self.delays_s]
        return {
            "turns": self.turns,
            "answered": len(self.delays_s),
            "end_of_turn_p50_ms": _round(percentile(delays, 50), 1),
            "end_of_turn_p95_ms": _round(percentile(delays, 95), 1),
            "delays_ms": [round(d, 1) for d in delays],
            "false_turn_ends": sum(self.false_ends.values()),
            "false_turn_ends_by": dict(sorted(self.false_ends.items())),
            "missed_turns": self.missed,
        }


def score_turns(replies_s: Sequence[float], conversation: Conversation) -> TurnCounts:
    """Match reply times to the conversation's turns.

    The first reply inside a turn's window (from the end of its speech to the
    next sound) answers it; the delay is measured from the end of the speech.
    A turn with no reply in its window is missed. Any other reply is a false
    turn end, named by where it fell.
    """
    answered: dict[int, float] = {}
    false_ends: dict[str, int] = {}
    for at in sorted(replies_s):
        index = next(
            (i for i, t in enumerate(conversation.turns) if t.end_s <= at <= t.until_s), None
        )
        if index is not None and index not in answered:
            answered[index] = at - conversation.turns[index].end_s
            continue
        where = "speech"
        if index is not None:
            where = "repeat"
        elif any(a < at <= b for a, b in conversation.short_pauses):
            where = "short pause"
        elif any(a < at <= b for a, b in conversation.humming):
            where = "humming"
        false_ends[where] = false_ends.get(where, 0) + 1
    return TurnCounts(
        turns=len(conversation.turns),
        delays_s=tuple(answered[i] for i in sorted(answered)),
        missed=len(conversation.turns) - len(answered),
        false_ends=false_ends,
    )


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (linear), or None for no values."""
    if not values:
        return None
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)
