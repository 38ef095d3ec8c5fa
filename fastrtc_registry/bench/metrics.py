"""Pure scoring: VAD spans to frame decisions, frame counts to F1, replies to turn figures."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .corpus import Conversation

if TYPE_CHECKING:
    from .hesitations import Talk

__all__ = [
    "CutoffCounts",
    "FrameCounts",
    "TurnCounts",
    "frames_from_spans",
    "percentile",
    "score_frames",
    "score_hesitations",
    "score_turns",
    "tradeoff",
]

FALSE_CUTOFF_TARGET = 0.05
LATENCY_TARGET_MS = 500.0


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


@dataclass(frozen=True, slots=True)
class CutoffCounts:
    """What replies did over hesitation talks: cut-offs mid-turn, delays at true turn ends."""

    hesitations: int = 0
    cutoffs: int = 0
    """Hesitations during which a reply fired."""
    turns: int = 0
    delays_s: tuple[float, ...] = ()
    missed: int = 0

    def __add__(self, other: CutoffCounts) -> CutoffCounts:
        return CutoffCounts(
            self.hesitations + other.hesitations,
            self.cutoffs + other.cutoffs,
            self.turns + other.turns,
            self.delays_s + other.delays_s,
            self.missed + other.missed,
        )

    @property
    def false_cutoffs(self) -> float | None:
        """Share of hesitations during which a reply fired; None without hesitations."""
        return self.cutoffs / self.hesitations if self.hesitations else None

    def as_dict(self) -> dict[str, float | int | None]:
        """One point of the trade-off curve (latency p50/p95 in ms over the turns answered)."""
        delays = [d * 1000 for d in self.delays_s]
        return {
            "false_cutoffs": _round(self.false_cutoffs),
            "end_of_turn_p50_ms": _round(percentile(delays, 50), 1),
            "end_of_turn_p95_ms": _round(percentile(delays, 95), 1),
            "missed_turns": self.missed,
        }


def score_hesitations(replies_s: Sequence[float], talk: Talk) -> CutoffCounts:
    """Match reply times to a talk's hesitations and turn ends.

    A hesitation is cut off when a reply fires from its start until the next
    hesitation starts or its utterance ends (the handler decided at the pause,
    even if the reply lands once speech has resumed). The first reply in a turn
    end's window answers it, its delay measured from the end of the utterance;
    a turn end with none is missed.
    """
    marks = sorted(
        [(start, "h", index) for index, (start, _) in enumerate(talk.hesitations)]
        + [(turn.end_s, "t", index) for index, turn in enumerate(talk.turns)]
    )
    cut: set[int] = set()
    answered: dict[int, float] = {}
    for at in sorted(replies_s):
        last = None
        for mark in marks:
            if mark[0] > at:
                break
            last = mark
        if last is None:
            continue
        _, what, index = last
        if what == "h":
            cut.add(index)
        elif at <= talk.turns[index].until_s and index not in answered:
            answered[index] = at - talk.turns[index].end_s
    return CutoffCounts(
        hesitations=len(talk.hesitations),
        cutoffs=len(cut),
        turns=len(talk.turns),
        delays_s=tuple(answered[i] for i in sorted(answered)),
        missed=len(talk.turns) - len(answered),
    )


def tradeoff(
    points: Sequence[Mapping[str, float | int | None]],
    *,
    max_false_cutoffs: float = FALSE_CUTOFF_TARGET,
    at_latency_ms: float = LATENCY_TARGET_MS,
) -> tuple[float | None, float | None]:
    """(latency at <= 5% false cutoffs, false cutoffs at 500 ms) from sweep points.

    The curve joins the points ordered by p50 latency with straight lines.
    The first figure is the lowest latency on that curve where false cutoffs
    fall to ``max_false_cutoffs``: a measured point at or under it, or the
    crossing on the segment that leads to one. The second is the false-cutoff
    share read off the curve at ``at_latency_ms``. Either is None when the
    curve never reaches it (points without a latency are left out).
    """
    curve = sorted(
        (float(p["end_of_turn_p50_ms"]), float(p["false_cutoffs"]))  # type: ignore[arg-type]
        for p in points
        if p.get("end_of_turn_p50_ms") is not None and p.get("false_cutoffs") is not None
    )
    latency = None
    for index, (ms, share) in enumerate(curve):
        if share <= max_false_cutoffs:
            latency = ms
            if index:
                before_ms, before = curve[index - 1]
                if before > max_false_cutoffs:
                    fraction = (before - max_false_cutoffs) / (before - share)
                    latency = before_ms + fraction * (ms - before_ms)
            break
    at_latency = None
    for (left_ms, left), (right_ms, right) in itertools.pairwise(curve):
        if left_ms <= at_latency_ms <= right_ms:
            fraction = (
                (at_latency_ms - left_ms) / (right_ms - left_ms) if right_ms > left_ms else 0.0
            )
            at_latency = left + fraction * (right - left)
            break
    if at_latency is None and len(curve) == 1 and curve[0][0] == at_latency_ms:
        at_latency = curve[0][1]
    return _round(latency, 1), _round(at_latency)
