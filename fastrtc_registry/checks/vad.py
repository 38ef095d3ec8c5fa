"""Tier 2 for VAD models: the answers fastrtc relies on, on real audio.

Runs inside the worker only. Every check calls ``model.vad((rate, samples),
None)`` exactly as ``ReplyOnPause.determine_pause`` does, with 1-D arrays.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from . import signals
from ._base import CheckFailed, Recorder, call

__all__ = ["answer_problem", "run_vad_checks"]

Answer = tuple[float, list[dict[str, int]]]
# Speech the VAD may find in digital silence before we call it "speech in silence".
_SILENCE_TOLERANCE = 0.05
# Share of fastrtc's recording a working VAD marks as speech (good ones find ~85%).
_MIN_SPEECH_SHARE = 0.25


def _vad(model: Any, rate: int, samples: np.ndarray, label: str, *, fresh: bool = True) -> Any:
    # A fresh copy per call: a plugin that edits its input must not spoil the next check.
    data = samples.copy() if fresh else samples
    return call(f"vad() on {label}", model.vad, (rate, data), None)


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
    if isinstance(duration, bool) or not isinstance(duration, numbers.Real):
        return f"returned a duration of type {type(duration).__name__}; expected a float"
    if not isinstance(chunks, list):
        return f"returned chunks of type {type(chunks).__name__}; expected a list of dicts"
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
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                return (
                    f"chunk {index} has a {type(value).__name__} bound ({value!r}); "
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


def _valid(answer: Any, length: int, rate: int, label: str) -> Answer:
    problem = answer_problem(answer, length, rate)
    if problem:
        raise CheckFailed(f"on {label}: {problem}")
    return float(answer[0]), list(answer[1])


def run_vad_checks(rec: Recorder, model: Any) -> None:
    """Run VAD201-VAD213 on a built, warmed-up model."""
    speech16 = np.array(signals.speech(16000))
    fastrtc_chunk = signals.chunks_of(np.array(signals.speech(48000)), 48000)[4].copy()

    def fastrtc_call() -> str:
        _vad(model, 48000, fastrtc_chunk, "a 0.6 s 48 kHz int16 (28800,) chunk")
        return "vad((48000, int16 (28800,)), None) returned"

    def shape() -> str:
        for rate, samples, label in _basic_inputs(speech16):
            problem = _shape_problem(_vad(model, rate, samples, label))
            if problem:
                raise CheckFailed(f"on {label}: {problem}")
        return "returned (float, [{'start', 'end'}, ...]) for speech, silence and noise"

    def duration() -> str:
        for rate, samples, label in _basic_inputs(speech16):
            problem = _duration_problem(_vad(model, rate, samples, label), len(samples), rate)
            if problem:
                raise CheckFailed(f"on {label}: {problem}")
        return "durations are finite and within the audio's length"

    def chunk_bounds() -> str:
        for rate, samples, label in _basic_inputs(speech16):
            problem = _chunk_problem(_vad(model, rate, samples, label)[1], len(samples))
            if problem:
                raise CheckFailed(f"on {label}: {problem}")
        return "chunks are integer, sorted, non-overlapping and in bounds"

    rec.run("VAD201", fastrtc_call)
    rec.run("VAD202", shape)
    if not (rec.passed("VAD201") and rec.passed("VAD202")):
        reason = "VAD201" if not rec.passed("VAD201") else "VAD202"
        for check_id in _LATER:
            rec.skip(check_id, f"not run: vad() cannot be called as fastrtc does ({reason})")
        return
    rec.run("VAD203", duration)
    rec.run("VAD204", chunk_bounds)
    for check_id, check in _behaviour_checks(model, speech16):
        rec.run(check_id, check)


_LATER = (
    "VAD203",
    "VAD204",
    "VAD205",
    "VAD206",
    "VAD207",
    "VAD208",
    "VAD209",
    "VAD210",
    "VAD211",
    "VAD212",
    "VAD213",
)


def _basic_inputs(speech16: np.ndarray) -> list[tuple[int, np.ndarray, str]]:
    return [
        (16000, speech16, "16 kHz int16 speech"),
        (16000, signals.silence(16000, 3.0), "16 kHz int16 silence"),
        (16000, signals.noise(16000, 3.0, dbfs=-30.0), "16 kHz int16 noise at -30 dBFS"),
    ]


def _behaviour_checks(model: Any, speech16: np.ndarray) -> list[tuple[str, Callable[[], str]]]:
    def answer(rate: int, samples: np.ndarray, label: str) -> Answer:
        return _valid(_vad(model, rate, samples, label), len(samples), rate, label)

    def dtypes() -> str:
        as_int, _ = answer(16000, speech16, "16 kHz int16 speech")
        as_float, _ = answer(16000, signals.to_float32(speech16), "16 kHz float32 speech")
        total = len(speech16) / 16000
        if abs(as_int - as_float) > max(0.5, 0.2 * total):
            raise CheckFailed(
                f"found {as_float:.2f} s of speech in float32 input but {as_int:.2f} s in the "
                "same audio as int16; fastrtc passes both (float32 samples are in [-1, 1])"
            )
        return f"int16 {as_int:.2f} s, float32 {as_float:.2f} s of speech"

    def rates() -> str:
        found = {}
        for rate in signals.RATES:
            samples = np.array(signals.speech(rate))
            found[rate], _ = answer(rate, samples, f"{rate} Hz int16 speech")
        low, high = min(found.values()), max(found.values())
        if high - low > max(0.5, 0.2 * len(speech16) / 16000):
            spread = ", ".join(f"{r // 1000} kHz {s:.2f} s" for r, s in found.items())
            raise CheckFailed(
                f"the same speech gave different answers by rate ({spread}); "
                "a VAD sees the input rate and must resample itself"
            )
        return ", ".join(f"{r // 1000} kHz: {s:.2f} s" for r, s in found.items())

    def real_speech() -> str:
        rate = 24000
        samples = np.array(signals.speech(rate))
        seconds, chunks = answer(rate, samples, "fastrtc's 24 kHz speech recording")
        total = len(samples) / rate
        if seconds < _MIN_SPEECH_SHARE * total or not chunks:
            raise CheckFailed(
                f"found {seconds:.2f} s of speech in {len(chunks)} chunk(s) in {total:.2f} s of "
                f"real speech; expected at least {_MIN_SPEECH_SHARE * total:.1f} s "
                "(a VAD that finds none never lets ReplyOnPause start a turn)"
            )
        return f"{seconds:.2f} s of speech in {len(chunks)} chunk(s) of {total:.2f} s"

    def in_silence() -> str:
        worst = 0.0
        for rate in signals.RATES:
            seconds, _ = answer(rate, signals.silence(rate, 5.0), f"5 s of {rate} Hz silence")
            worst = max(worst, seconds)
        if worst > _SILENCE_TOLERANCE * 5.0:
            raise CheckFailed(
                f"found {worst:.2f} s of speech in 5 s of digital silence; "
                f"expected at most {_SILENCE_TOLERANCE * 5.0:.2f} s"
            )
        return f"at most {worst:.2f} s of speech in 5 s of silence"

    def edge_cases() -> str:
        for size in (0, 1, 160):
            for dtype in ("int16", "float32"):
                source = np.array(speech16[8000 : 8000 + size])
                samples = source if dtype == "int16" else signals.to_float32(source)
                answer(16000, samples, f"{size} {dtype} samples")
        return "answered for 0, 1 and 160 samples, int16 and float32"

    def untouched() -> str:
        for label, samples in (
            ("int16", np.array(speech16[:48000])),
            ("float32", signals.to_float32(speech16[:48000])),
        ):
            before = samples.copy()
            _vad(model, 16000, samples, f"3 s of 16 kHz {label} speech", fresh=False)
            if not np.array_equal(before, samples):
                changed = int(np.count_nonzero(before != samples))
                raise CheckFailed(
                    f"vad() changed {changed} samples of its {label} input in place; "
                    "ReplyOnPause keeps using that buffer, so copy before editing"
                )
        return "int16 and float32 inputs unchanged"

    def deterministic() -> str:
        first = answer(16000, speech16, "16 kHz speech")
        second = answer(16000, speech16, "16 kHz speech (again)")
        if not _same(first, second):
            raise CheckFailed(
                f"the same audio gave {first[0]:.3f} s then {second[0]:.3f} s "
                f"({len(first[1])} then {len(second[1])} chunks); expected the "
                "same answer (keep no state between calls)"
            )
        return "same answer twice"

    def thread_safe() -> str:
        chunks = signals.chunks_of(np.array(signals.speech(48000)), 48000)[:8]
        expected = [answer(48000, c, f"chunk {i}") for i, c in enumerate(chunks)]
        jobs = [(i % len(chunks), chunks[i % len(chunks)]) for i in range(16)]
        with ThreadPoolExecutor(max_workers=4) as pool:
            got = list(pool.map(lambda job: answer(48000, job[1], f"chunk {job[0]}"), jobs))
        wrong = [
            i for (i, _), result in zip(jobs, got, strict=True) if not _same(result, expected[i])
        ]
        if wrong:
            raise CheckFailed(
                f"{len(wrong)} of {len(jobs)} calls from 4 threads differed from "
                "the same calls made one at a time; fastrtc calls vad() from "
                "several threads on one shared model, so keep no per-call state "
                "on self (or use a lock or threading.local)"
            )
        return f"{len(jobs)} calls from 4 threads matched the sequential answers"

    def latency() -> str:
        chunks = signals.chunks_of(np.array(signals.speech(48000)), 48000)[:15]
        times = []
        for index, chunk in enumerate(chunks):
            started = time.perf_counter()
            _vad(model, 48000, chunk, f"chunk {index}")
            times.append(time.perf_counter() - started)
        p50, p95 = (float(np.percentile(times, q)) * 1000 for q in (50, 95))
        budget = signals.CHUNK_S * 1000
        summary = (
            f"p50 {p50:.2f} ms, p95 {p95:.2f} ms per 0.6 s 48 kHz chunk "
            f"(real time: {budget:.0f} ms, {len(times)} chunks)"
        )
        if p95 >= budget:
            raise CheckFailed(f"{summary}; expected below real time, or audio piles up")
        return summary

    return [
        ("VAD205", dtypes),
        ("VAD206", rates),
        ("VAD207", real_speech),
        ("VAD208", in_silence),
        ("VAD209", edge_cases),
        ("VAD210", untouched),
        ("VAD211", deterministic),
        ("VAD212", thread_safe),
        ("VAD213", latency),
    ]


def _same(a: Answer, b: Answer) -> bool:
    return math.isclose(a[0], b[0], rel_tol=1e-6, abs_tol=1e-9) and [
        (int(c["start"]), int(c["end"])) for c in a[1]
    ] == [(int(c["start"]), int(c["end"])) for c in b[1]]
