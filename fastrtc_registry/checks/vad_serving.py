"""Tier 2 checks of a VAD as a server runs it: the first call after ``warmup()``, and hours.

fastrtc builds one model, calls ``warmup()`` at start-up and then calls
``vad()`` on every 0.6 s chunk of every connection for as long as the server
runs. These checks judge what the worker saw of that life (see
:mod:`fastrtc_registry.validation.observe_vad`): how long the first call after
``warmup()`` took next to the same call repeated, and how the worker's
resident memory moved while minutes of speech went through.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from ..validation.probe_facts import FirstCallFacts, GrowthFacts, InterleavedFacts
from .base import CheckFailed, CheckSkipped, Interfered, Observations, check
from .vad import _VALID, _answered, _each, _same, _valid

__all__ = [
    "FIRST_CALL_FACTOR",
    "FIRST_CALL_FLOOR_S",
    "GROWTH_BOUND_MB",
    "check_first_call",
    "check_interleaved_streams",
    "check_memory_growth",
    "slope",
]

# The first vad() call fails VAD214 when it is this many times the median of the
# repeats AND at least this much longer than it: microsecond VADs stay clear of noise.
FIRST_CALL_FACTOR = 10.0
FIRST_CALL_FLOOR_S = 0.1
# MB of resident memory per minute of audio. Keeping every 48 kHz int16 chunk is
# 5.76 MB/min; the shipped back-ends measure below 0.25.
GROWTH_BOUND_MB = 2.0
_MIN_POINTS = 20  # chunks after the warm-up: 12 s of audio


@check(
    "VAD214",
    "the first call after warmup() is not slower than the next ones",
    kind="vad",
    needs=("imp.warmup", "vad.fastrtc_call"),
    after=("IMP105", "VAD201"),
    doc="After `warmup()`, the first `vad()` call on a 0.6 s 48 kHz chunk is timed against "
    "the median of 8 more calls on the same chunk; it fails when the first is at least "
    f"{FIRST_CALL_FACTOR:g} times that median and at least {FIRST_CALL_FLOOR_S * 1000:.0f} ms "
    "longer (so noise on a fast VAD never fails it). *Why:* fastrtc calls `warmup()` at "
    "start-up so that the first user's first turn is not slow; a model that loads its "
    "weights (or builds tables) on its first `vad()` call makes that turn late by the "
    "difference.",
    fix="load weights and build what `vad()` needs in `warmup()` or `__init__`, and make "
    "`warmup()` run one `vad()` call if the first one is still slow.",
)
def check_first_call(obs: Observations) -> str:
    """The first ``vad()`` after ``warmup()`` is not an order of magnitude slower than the rest."""
    reply = obs.probe("vad.fastrtc_call")
    facts = obs.facts("vad.fastrtc_call", FirstCallFacts)
    if not facts.warmed_up or facts.calls_before:
        raise CheckSkipped("not measured: vad() was called before warmup() had returned")
    first, *repeats = reply.calls
    _each(reply.calls, lambda record: _answered(obs, record))
    if not repeats:
        raise CheckSkipped("not measured: the worker made no repeat calls")
    median = statistics.median(r.elapsed_s for r in repeats)
    summary = (
        f"the first vad() call after warmup() took {first.elapsed_s * 1000:.2f} ms, the next "
        f"{len(repeats)} a median of {median * 1000:.2f} ms (0.6 s 48 kHz chunk)"
    )
    late = first.elapsed_s - median
    if first.elapsed_s >= FIRST_CALL_FACTOR * median and late >= FIRST_CALL_FLOOR_S:
        raise CheckFailed(
            f"{summary}: the first user's first turn is {late * 1000:.0f} ms late; "
            "load the weights (or whatever the first call builds) in warmup() or __init__"
        )
    return summary


def slope(points: Sequence[tuple[float, float]]) -> float:
    """The least-squares slope of ``points`` (x, y); 0.0 with fewer than two distinct x."""
    if len(points) < 2:
        return 0.0
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


@check(
    "VAD215",
    "memory does not grow with the audio fed",
    kind="vad",
    needs=("vad.growth",),
    after=("VAD201",),
    doc="3 minutes of fastrtc's speech recording, looped, in 0.6 s 48 kHz int16 chunks (fewer "
    "when the calls take more than 4 s in all); the worker's resident memory "
    "(`/proc/self/statm`) is read after each call, and a straight line is fitted to it "
    "after the first sixth of the audio (allocator warm-up). It fails above "
    f"{GROWTH_BOUND_MB:g} MB per minute of audio (keeping every chunk is 5.76 MB/min); the "
    "message gives the slope. *Why:* a model serves every connection for as long as the "
    "server runs; one that keeps a reference to each chunk (a history list, a cache keyed "
    "on the audio) passes every short check, then runs the server out of memory. A VAD "
    "that answers too few chunks in that time to fit a line (20 after the warm-up) is "
    "skipped as not applicable.",
    fix="keep only a bounded window (`collections.deque(maxlen=...)`) or per-call data in "
    "locals; clear caches that grow with the audio.",
)
def check_memory_growth(obs: Observations) -> str:
    """Resident memory grows by at most GROWTH_BOUND_MB per minute of audio."""
    reply = obs.probe("vad.growth")
    _each(reply.calls, lambda record: _answered(obs, record))
    facts = obs.facts("vad.growth", GrowthFacts)
    points = [
        (seconds / 60, rss / 1e6) for seconds, rss in facts.memory if seconds > facts.warmup_s
    ]
    if not facts.memory:
        raise CheckSkipped("not measured: this platform does not report the worker's memory")
    if len(points) < _MIN_POINTS:
        raise CheckSkipped(
            f"not measured: vad() answered only {len(facts.memory)} chunks within "
            "the time allowed (it is close to real time); too few to fit"
        )
    per_minute = slope(points)
    minutes = points[-1][0] - points[0][0]
    grown = points[-1][1] - points[0][1]
    summary = (
        f"{per_minute:+.3f} MB per minute of audio ({grown:+.1f} MB resident over "
        f"{minutes:.1f} min of 0.6 s 48 kHz chunks after {facts.warmup_s:.0f} s of warm-up; "
        f"bound {GROWTH_BOUND_MB:g} MB/min)"
    )
    if per_minute > GROWTH_BOUND_MB:
        hours = per_minute * 60 / 1000
        raise CheckFailed(
            f"memory grew {summary}: {hours:.2f} GB per hour of audio on one connection, "
            "so a long-running server runs out of memory; keep no reference to past chunks"
        )
    return summary


@check(
    "VAD216",
    "two streams interleaved on one model get the answers each gets alone",
    kind="vad",
    needs=("vad.interleaved",),
    after=_VALID,
    doc="Two streams of 16 chunks of 0.6 s at 48 kHz: fastrtc's speech, and the same speech "
    "one chunk later (so the pauses overlap without coinciding). Each is fed alone to a "
    "freshly built and warmed-up model; then both go to a third one, alternating chunk by "
    "chunk, as two connections sharing one model do. Every answer on the interleaved "
    "streams must equal the answer to the same chunk of that stream alone. *Why:* fastrtc "
    "shares one model instance across every connection; state kept between calls (a "
    "hangover, a running noise floor, a recurrent state) carries one user's audio into "
    "another user's answer.",
    fix="make each `vad()` answer depend on its own audio only: keep no state between "
    "calls on `self` (reset a recurrent model's state at the start of each call).",
)
def check_interleaved_streams(obs: Observations) -> str:
    """Answers on chunk-interleaved streams equal the answers on each stream alone."""
    reply = obs.probe("vad.interleaved")
    calls = reply.calls
    # A fresh model's build or warmup() that raised ends the probe early.
    _each([r for r in calls if r.error is not None], lambda record: _answered(obs, record))
    facts = obs.facts("vad.interleaved", InterleavedFacts)
    streams, count = list(facts.streams), facts.chunks
    if len(calls) != 2 * len(streams) * count:
        raise Interfered(f"{len(calls)} calls for {len(streams)} streams of {count} chunks")
    alone = {name: calls[i * count : (i + 1) * count] for i, name in enumerate(streams)}
    mixed = calls[len(streams) * count :]
    differed = []
    for index in range(count):
        for offset, name in enumerate(streams):
            own = _valid(obs, alone[name][index])
            shared = _valid(obs, mixed[index * len(streams) + offset])
            if not _same(own, shared):
                differed.append((name, index, own[0], shared[0]))
    total = len(streams) * count
    if differed:
        name, index, own_s, shared_s = differed[0]
        raise CheckFailed(
            f"{len(differed)} of {total} answers on {len(streams)} streams interleaved chunk "
            f"by chunk on one model differed from the answers on each stream alone (first: "
            f"chunk {index} of stream {name}, {own_s:.3f} s of speech alone, {shared_s:.3f} s "
            "interleaved); fastrtc shares one model across every connection, so one user's "
            "audio changed another's answer: keep no state between vad() calls"
        )
    return f"{total} answers on {len(streams)} interleaved streams matched each stream alone"
