"""Tier 2 checks for VAD models, judged in the parent from the worker's ``vad.*`` probes.

Every observed call was ``model.vad((rate, samples), None)`` with a fresh
1-D copy, as ``ReplyOnPause.determine_pause`` makes it (see
:mod:`fastrtc_registry.validation.observe_vad`). Checks whose answers must
first be well-formed run after VAD201-VAD204, so one broken answer is
reported once, not by every later check.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from ..stream import CHUNK_S
from ..validation.probe_facts import ThreadsFacts
from ..validation.protocol import CallRecord, type_name
from .base import CheckFailed, Interfered, Observations, SkipAfter, check
from .imports import crashed

__all__ = [
    "answer_problem",
    "check_accepts_fastrtc_call",
    "check_chunks",
    "check_concurrent_calls",
    "check_deterministic",
    "check_dtypes",
    "check_edge_cases",
    "check_finite_duration",
    "check_input_untouched",
    "check_latency",
    "check_rates",
    "check_real_speech",
    "check_return_shape",
    "check_silence",
    "percentile",
]

# Speech the VAD may find in digital silence before we call it "speech in silence".
_SILENCE_TOLERANCE = 0.05
# Share of fastrtc's recording a working VAD marks as speech (good ones find ~85%).
_MIN_SPEECH_SHARE = 0.25
_VALID = ("VAD201", "VAD202", "VAD203", "VAD204")


def answer_problem(answer: Any, length: int, rate: int) -> str | None:
    """What is wrong with a ``vad()`` answer for ``length`` samples, or None."""
    return (
        _shape_problem(answer)
        or _duration_problem(answer, length, rate)
        or _chunk_problem(answer[1], length)
    )


def _shape_problem(answer: Any) -> str | None:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return f"returned {_short(answer)}; expected a (duration, chunks) pair"
    duration, chunks = answer
    if isinstance(duration, bool) or not isinstance(duration, (int, float)):
        return f"returned a duration of type {type_name(duration)}; expected a float"
    if not isinstance(chunks, list):
        return f"returned chunks of type {type_name(chunks)}; expected a list of dicts"
    for chunk in chunks:
        if not isinstance(chunk, dict) or not {"start", "end"} <= set(chunk):
            return f"returned the chunk {_short(chunk)}; expected {{'start': int, 'end': int}}"
    return None


def _duration_problem(answer: Any, length: int, rate: int) -> str | None:
    duration = float(answer[0])
    seconds = length / rate
    if not math.isfinite(duration):
        return (
            f"returned a duration of {duration} s; expected a finite number of seconds "
            "(fastrtc's Silero returns inf when it failed)"
        )
    if duration < 0 or duration > seconds + 1e-3:
        return (
            f"returned {duration:.3f} s of speech for {seconds:.3f} s of audio at {rate} Hz; "
            "expected seconds of speech between 0 and the audio's length"
        )
    return None


def _chunk_problem(chunks: list[dict[str, Any]], length: int) -> str | None:
    previous_end = 0
    for index, chunk in enumerate(chunks):
        start, end = chunk["start"], chunk["end"]
        for value in (start, end):
            if isinstance(value, bool) or not isinstance(value, int):
                return (
                    f"chunk {index} has a {type_name(value)} bound ({value!r}); "
                    "expected integer sample indices"
                )
        if not 0 <= start <= end <= length:
            return (
                f"chunk {index} spans samples {start}..{end} of a {length}-sample input; "
                "expected 0 <= start <= end <= length"
            )
        if start < previous_end:
            return (
                f"chunk {index} starts at {start}, before the previous chunk ends at "
                f"{previous_end}; expected sorted, non-overlapping chunks"
            )
        previous_end = end
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _label(record: CallRecord) -> str:
    return record.label.removeprefix("vad() on ")


def _answered(obs: Observations, record: CallRecord) -> Any:
    if record.error is not None:
        raise crashed(obs, record)
    return record.answer


def _each(records: Sequence[CallRecord], judge: Callable[[CallRecord], object]) -> None:
    """``judge`` each record; a crash reported by an earlier check skips only if nothing else
    is wrong."""
    reported: SkipAfter | None = None
    for record in records:
        try:
            judge(record)
        except SkipAfter as skip:
            reported = reported or skip
    if reported is not None:
        raise reported


def _each_answer(
    obs: Observations, probe: str, problem: Callable[[CallRecord, Any], str | None]
) -> None:
    def judge(record: CallRecord) -> None:
        found = problem(record, _answered(obs, record))
        if found:
            raise CheckFailed(f"on {_label(record)}: {found}")

    _each(obs.probe(probe).calls, judge)


def _valid(obs: Observations, record: CallRecord) -> tuple[float, list[dict[str, int]]]:
    answer = _answered(obs, record)
    problem = answer_problem(answer, record.samples, record.rate)
    if problem:
        raise CheckFailed(f"on {_label(record)}: {problem}")
    return float(answer[0]), list(answer[1])


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile with linear interpolation (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@check(
    "VAD201",
    "accepts fastrtc's call: (48000, int16 array of shape (28800,))",
    kind="vad",
    needs=("vad.fastrtc_call",),
    after=("IMP103", "IMP104"),
    doc="One 0.6 s WebRTC chunk. *Why:* that is the only call fastrtc makes. When it fails, "
    "the later VAD checks are skipped.",
    fix="accept 1-D input (`np.asarray(samples).reshape(-1)`), at any rate.",
)
def check_accepts_fastrtc_call(obs: Observations) -> str:
    """``vad()`` answers fastrtc's own call without raising."""
    record = obs.probe("vad.fastrtc_call").calls[0]
    _answered(obs, record)
    return "vad((48000, int16 (28800,)), None) returned"


@check(
    "VAD202",
    "returns (float, list of chunk dicts)",
    kind="vad",
    needs=("vad.basic",),
    after=("VAD201",),
    doc='Each chunk is `{"start": int, "end": int}`; checked on speech, silence and noise.',
    fix='return `duration_seconds, [{"start": s, "end": e}, ...]`.',
)
def check_return_shape(obs: Observations) -> str:
    """The answer is a (duration, list of {start, end}) pair."""
    _each_answer(obs, "vad.basic", lambda record, answer: _shape_problem(answer))
    return "returned (float, [{'start', 'end'}, ...]) for speech, silence and noise"


@check(
    "VAD203",
    "speech duration is finite and within the audio's length",
    kind="vad",
    needs=("vad.basic",),
    after=("VAD202",),
    doc="Catches fastrtc's Silero failure mode `(inf, [])`.",
    fix="return seconds of speech (not samples or milliseconds) and never `inf`/`nan`.",
)
def check_finite_duration(obs: Observations) -> str:
    """The duration is finite, at least 0 and at most the audio's length."""
    _each_answer(obs, "vad.basic", lambda r, answer: _duration_problem(answer, r.samples, r.rate))
    return "durations are finite and within the audio's length"


@check(
    "VAD204",
    "chunks are integer, sorted, non-overlapping and in bounds",
    kind="vad",
    needs=("vad.basic",),
    after=("VAD202",),
    doc="`0 <= start <= end <= len(samples)`, integer sample indices, each chunk starting "
    "at or after the end of the one before.",
    fix="return sample indices, not seconds, merged and in order.",
)
def check_chunks(obs: Observations) -> str:
    """Chunk bounds are integers, in bounds, sorted and non-overlapping."""
    _each_answer(obs, "vad.basic", lambda r, answer: _chunk_problem(answer[1], r.samples))
    return "chunks are integer, sorted, non-overlapping and in bounds"


@check(
    "VAD205",
    "int16 and float32 input give the same answer",
    kind="vad",
    needs=("vad.dtypes",),
    after=_VALID,
    doc="Within 20% of the audio or 0.5 s. *Why:* fastrtc passes both; float32 samples are "
    "in [-1, 1].",
    fix="convert by dtype: `int16 / 32768`.",
)
def check_dtypes(obs: Observations) -> str:
    """The same speech as int16 and as float32 gives about the same amount of speech."""
    as_int_record, as_float_record = obs.probe("vad.dtypes").calls
    as_int, _ = _valid(obs, as_int_record)
    as_float, _ = _valid(obs, as_float_record)
    total = as_int_record.samples / as_int_record.rate
    if abs(as_int - as_float) > max(0.5, 0.2 * total):
        raise CheckFailed(
            f"found {as_float:.2f} s of speech in float32 input but {as_int:.2f} s in the "
            "same audio as int16; fastrtc passes both (float32 samples are in [-1, 1])"
        )
    return f"int16 {as_int:.2f} s, float32 {as_float:.2f} s of speech"


@check(
    "VAD206",
    "works at 16, 24 and 48 kHz",
    kind="vad",
    needs=("vad.rates",),
    after=_VALID,
    doc="The same speech at 16, 24 and 48 kHz: a valid answer at each rate, and speech "
    "durations that agree across rates (within 20% or 0.5 s). Chunk positions are only "
    "checked to lie within the input; the rate they are counted in is not checked, since "
    "fastrtc's own Silero model returns 16 kHz positions for 48 kHz input and "
    "`ReplyOnPause` reads only the duration. *Why:* the VAD sees the connection's rate "
    "(48 kHz from WebRTC), not 16 kHz.",
    fix="read the rate from `audio[0]` and resample inside `vad()` to what your model "
    "needs, so the duration is right at every rate.",
)
def check_rates(obs: Observations) -> str:
    """The same speech at 16, 24 and 48 kHz gives valid answers that agree."""
    records = obs.probe("vad.rates").calls
    found = {r.rate: _valid(obs, r)[0] for r in records}
    low, high = min(found.values()), max(found.values())
    seconds = records[0].samples / records[0].rate
    if high - low > max(0.5, 0.2 * seconds):
        spread = ", ".join(f"{r // 1000} kHz {s:.2f} s" for r, s in found.items())
        raise CheckFailed(
            f"the same speech gave different answers by rate ({spread}); "
            "a VAD sees the input rate and must resample itself"
        )
    return ", ".join(f"{r // 1000} kHz: {s:.2f} s" for r, s in found.items())


@check(
    "VAD207",
    "finds speech in real speech",
    kind="vad",
    needs=("vad.rates",),
    after=_VALID,
    doc="At least a quarter of fastrtc's 24 kHz recording, in at least one chunk (good VADs "
    "find about 85%). *Why:* a VAD that finds none never lets a turn start.",
    fix="check the input scaling (int16 vs float32) and the threshold.",
)
def check_real_speech(obs: Observations) -> str:
    """A real speech recording is mostly speech."""
    record = next(r for r in obs.probe("vad.rates").calls if r.rate == 24000)
    seconds, chunks = _valid(obs, record)
    total = record.samples / record.rate
    if seconds < _MIN_SPEECH_SHARE * total or not chunks:
        raise CheckFailed(
            f"found {seconds:.2f} s of speech in {len(chunks)} chunk(s) in {total:.2f} s of "
            f"real speech; expected at least {_MIN_SPEECH_SHARE * total:.1f} s "
            "(a VAD that finds none never lets ReplyOnPause start a turn)"
        )
    return f"{seconds:.2f} s of speech in {len(chunks)} chunk(s) of {total:.2f} s"


@check(
    "VAD208",
    "finds almost no speech in silence",
    kind="vad",
    needs=("vad.silence",),
    after=_VALID,
    doc="At most 5% of 5 s of digital silence, at each rate. *Why:* otherwise every "
    "silence is a turn.",
    fix="compare against an absolute level, not one relative to the loudest sample.",
)
def check_silence(obs: Observations) -> str:
    """Digital silence is (almost) no speech."""
    worst = max(_valid(obs, r)[0] for r in obs.probe("vad.silence").calls)
    if worst > _SILENCE_TOLERANCE * 5.0:
        raise CheckFailed(
            f"found {worst:.2f} s of speech in 5 s of digital silence; "
            f"expected at most {_SILENCE_TOLERANCE * 5.0:.2f} s"
        )
    return f"at most {worst:.2f} s of speech in 5 s of silence"


@check(
    "VAD209",
    "empty and very short audio do not crash",
    kind="vad",
    needs=("vad.edges",),
    after=_VALID,
    doc="0, 1 and 160 samples, int16 and float32.",
    fix="return `0.0, []` when there is not enough audio.",
)
def check_edge_cases(obs: Observations) -> str:
    """0, 1 and 160 samples get a valid answer."""
    _each(obs.probe("vad.edges").calls, lambda record: _valid(obs, record))
    return "answered for 0, 1 and 160 samples, int16 and float32"


@check(
    "VAD210",
    "does not modify its input array",
    kind="vad",
    needs=("vad.untouched",),
    after=("VAD201",),
    doc="*Why:* `ReplyOnPause` keeps using the buffer it passed.",
    fix="copy before normalising or clipping.",
)
def check_input_untouched(obs: Observations) -> str:
    """The input array is the same after the call."""

    def judge(record: CallRecord) -> None:
        _answered(obs, record)
        if record.changed:
            dtype = "int16" if "int16" in record.label else "float32"
            raise CheckFailed(
                f"vad() changed {record.changed} samples of its {dtype} input in place; "
                "ReplyOnPause keeps using that buffer, so copy before editing"
            )

    _each(obs.probe("vad.untouched").calls, judge)
    return "int16 and float32 inputs unchanged"


def _same(a: tuple[float, list[dict[str, int]]], b: tuple[float, list[dict[str, int]]]) -> bool:
    return math.isclose(a[0], b[0], rel_tol=1e-6, abs_tol=1e-9) and [
        (c["start"], c["end"]) for c in a[1]
    ] == [(c["start"], c["end"]) for c in b[1]]


@check(
    "VAD211",
    "same input twice gives the same answer",
    kind="vad",
    needs=("vad.twice",),
    after=_VALID,
    doc="*Why:* one model is shared by every connection; state kept between calls leaks "
    "between users.",
    fix="keep no per-call state on `self`, or reset it at the start of each call.",
)
def check_deterministic(obs: Observations) -> str:
    """Two calls on the same audio give the same answer."""
    first, second = (_valid(obs, r) for r in obs.probe("vad.twice").calls)
    if not _same(first, second):
        raise CheckFailed(
            f"the same audio gave {first[0]:.3f} s then {second[0]:.3f} s "
            f"({len(first[1])} then {len(second[1])} chunks); expected the "
            "same answer (keep no state between calls)"
        )
    return "same answer twice"


@check(
    "VAD212",
    "concurrent calls from several threads give the sequential answers",
    kind="vad",
    needs=("vad.threads",),
    after=_VALID,
    doc="4 threads, 16 calls on 0.6 s chunks. *Why:* `receive()` runs in worker threads on "
    "a shared model.",
    fix="keep per-call data in locals, or use a lock or `threading.local`.",
)
def check_concurrent_calls(obs: Observations) -> str:
    """Calls from 4 threads at once match the same calls made one at a time."""
    reply = obs.probe("vad.threads")
    facts = obs.facts("vad.threads", ThreadsFacts)
    jobs = list(facts.jobs)
    if len(reply.calls) < len(jobs) or any(not 0 <= j < len(reply.calls) - len(jobs) for j in jobs):
        raise Interfered(f"{len(reply.calls)} calls do not fit {len(jobs)} threaded jobs")
    expected = [_valid(obs, r) for r in reply.calls[: len(reply.calls) - len(jobs)]]
    got = [_valid(obs, r) for r in reply.calls[len(reply.calls) - len(jobs) :]]
    wrong = [i for i, job in enumerate(jobs) if not _same(got[i], expected[job])]
    if wrong:
        raise CheckFailed(
            f"{len(wrong)} of {len(jobs)} calls from {facts.threads} threads differed "
            "from the same calls made one at a time; fastrtc calls vad() from several threads "
            "on one shared model, so keep no per-call state on self (or use a lock or "
            "threading.local)"
        )
    return f"{len(jobs)} calls from {facts.threads} threads matched the sequential answers"


@check(
    "VAD213",
    "latency per 0.6 s chunk is below real time",
    kind="vad",
    needs=("vad.latency",),
    after=("VAD201",),
    doc="Reports p50 and p95 over 15 chunks at 48 kHz; fails when p95 reaches 600 ms. "
    "*Why:* slower than real time means audio piles up and replies come later and later.",
    fix="run the model once per chunk, not per frame; keep it loaded between calls.",
)
def check_latency(obs: Observations) -> str:
    """The p95 time per 0.6 s chunk is below 600 ms."""
    records = obs.probe("vad.latency").calls
    _each(records, lambda record: _answered(obs, record))
    times = [r.elapsed_s for r in records]
    p50, p95 = (percentile(times, q) * 1000 for q in (50, 95))
    budget = CHUNK_S * 1000
    summary = (
        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms per 0.6 s 48 kHz chunk "
        f"(real time: {budget:.0f} ms, {len(times)} chunks)"
    )
    if p95 >= budget:
        raise CheckFailed(f"{summary}; expected below real time, or audio piles up")
    return summary
