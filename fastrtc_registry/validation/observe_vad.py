"""Worker side: the calls the VAD checks judge, made as ``ReplyOnPause`` makes them.

Every call is ``model.vad((rate, samples), None)`` with a fresh 1-D copy of
the input. Each probe returns the calls' raw answers, exceptions and
timings; :mod:`fastrtc_registry.checks.vad` judges them in the parent.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ..stream import CHUNK_S, RATES
from . import signals
from .probe_facts import (
    FirstCallFacts,
    GrowthFacts,
    InterleavedFacts,
    NoFacts,
    ProbeFacts,
    ThreadsFacts,
)
from .probes import Observed, State, observed_call, probe
from .protocol import CallRecord

__all__ = ["basic_inputs", "vad_call"]


def vad_call(
    state: State, rate: int, samples: np.ndarray, label: str, *, fresh: bool = True
) -> CallRecord:
    """One ``vad()`` call on a copy of ``samples`` (the array itself when not ``fresh``)."""
    data = samples.copy() if fresh else samples
    state["vad_calls"] = state.get("vad_calls", 0) + 1
    record, _ = observed_call(f"vad() on {label}", state["built"].vad, (rate, data), None)
    return _with(
        record, rate=rate, samples=len(samples), dtype=str(data.dtype), shape=tuple(data.shape)
    )


def _with(record: CallRecord, **changes: Any) -> CallRecord:
    from dataclasses import replace

    return replace(record, **changes)


def basic_inputs() -> list[tuple[int, np.ndarray, str]]:
    """Speech, silence and noise at 16 kHz: the answers VAD202-VAD204 judge."""
    return [
        (16000, np.array(signals.speech(16000)), "16 kHz int16 speech"),
        (16000, signals.silence(16000, 3.0), "16 kHz int16 silence"),
        (16000, signals.noise(16000, 3.0, dbfs=-30.0), "16 kHz int16 noise at -30 dBFS"),
    ]


def _reply(calls: list[CallRecord], facts: ProbeFacts | None = None) -> Observed:
    return tuple(calls), NoFacts() if facts is None else facts


# Calls after the first one on the same chunk: the steady time the first is compared with.
FIRST_CALL_REPEATS = 8
# Audio fed to measure memory growth: minutes, of which the first sixth is warm-up (not
# fitted), and the seconds of calls after which a slow VAD stops being fed.
GROWTH_MINUTES = 3.0
GROWTH_WARMUP_SHARE = 1 / 6
GROWTH_BUDGET_S = 4.0


@probe("vad.fastrtc_call")
def _fastrtc_call(state: State) -> Observed:
    """The first ``vad()`` call after ``warmup()`` on one chunk, then the same call again.

    The first call is the one the first user's first turn waits on; the repeats
    time the same work once nothing is left to load.
    """
    facts = FirstCallFacts(bool(state.get("warmed_up")), int(state.get("vad_calls", 0)))
    chunk = signals.chunks_of(np.array(signals.speech(48000)), 48000)[4].copy()
    label = "a 0.6 s 48 kHz int16 (28800,) chunk"
    calls = [vad_call(state, 48000, chunk, label)]
    if calls[0].error is None:
        calls += [
            vad_call(state, 48000, chunk, f"{label} (again, {i + 1})")
            for i in range(FIRST_CALL_REPEATS)
        ]
    return _reply(calls, facts)


@probe("vad.basic")
def _basic(state: State) -> Observed:
    calls = [vad_call(state, rate, samples, label) for rate, samples, label in basic_inputs()]
    return _reply(calls)


@probe("vad.dtypes")
def _dtypes(state: State) -> Observed:
    speech = np.array(signals.speech(16000))
    return _reply(
        [
            vad_call(state, 16000, speech, "16 kHz int16 speech"),
            vad_call(state, 16000, signals.to_float32(speech), "16 kHz float32 speech"),
        ],
    )


@probe("vad.rates")
def _rates(state: State) -> Observed:
    calls = [
        vad_call(state, rate, np.array(signals.speech(rate)), f"{rate} Hz int16 speech")
        for rate in RATES
    ]
    return _reply(calls)


@probe("vad.silence")
def _silence(state: State) -> Observed:
    calls = [
        vad_call(state, rate, signals.silence(rate, 5.0), f"5 s of {rate} Hz silence")
        for rate in RATES
    ]
    return _reply(calls)


@probe("vad.edges")
def _edges(state: State) -> Observed:
    speech = np.array(signals.speech(16000))
    calls = []
    for size in (0, 1, 160):
        for dtype in ("int16", "float32"):
            source = np.array(speech[8000 : 8000 + size])
            samples = source if dtype == "int16" else signals.to_float32(source)
            calls.append(vad_call(state, 16000, samples, f"{size} {dtype} samples"))
    return _reply(calls)


@probe("vad.untouched")
def _untouched(state: State) -> Observed:
    speech = np.array(signals.speech(16000))
    calls = []
    for label, samples in (
        ("int16", np.array(speech[:48000])),
        ("float32", signals.to_float32(speech[:48000])),
    ):
        before = samples.copy()
        record = vad_call(state, 16000, samples, f"3 s of 16 kHz {label} speech", fresh=False)
        changed = (
            int(np.count_nonzero(before != samples))
            if before.shape == samples.shape
            else len(before)
        )
        calls.append(_with(record, changed=changed))
    return _reply(calls)


@probe("vad.twice")
def _twice(state: State) -> Observed:
    speech = np.array(signals.speech(16000))
    return _reply(
        [
            vad_call(state, 16000, speech, "16 kHz speech"),
            vad_call(state, 16000, speech, "16 kHz speech (again)"),
        ],
    )


@probe("vad.threads")
def _threads(state: State) -> Observed:
    chunks = signals.chunks_of(np.array(signals.speech(48000)), 48000)[:8]
    sequential = [vad_call(state, 48000, c, f"chunk {i}") for i, c in enumerate(chunks)]
    jobs = [i % len(chunks) for i in range(16)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(
            pool.map(lambda i: vad_call(state, 48000, chunks[i], f"chunk {i} (threaded)"), jobs)
        )
    return _reply(sequential + threaded, ThreadsFacts(tuple(jobs), 4))


@probe("vad.latency")
def _latency(state: State) -> Observed:
    chunks = signals.chunks_of(np.array(signals.speech(48000)), 48000)[:15]
    calls = [vad_call(state, 48000, c, f"chunk {i}") for i, c in enumerate(chunks)]
    return _reply(calls)


def _resident_bytes() -> int | None:
    """The worker's resident set size now (Linux), or its peak so far elsewhere; None if unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except (ImportError, OSError):
        return None
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024  # bytes on macOS, else KiB


@probe("vad.growth")
def _growth(state: State) -> Observed:
    """Minutes of speech in 0.6 s 48 kHz chunks, the worker's memory after each call.

    A VAD too slow to get through them in ``GROWTH_BUDGET_S`` is fed less.

    Only the calls that raised are sent back as records (a few hundred answers
    are not worth the pipe); ``memory`` pairs seconds of audio fed with bytes
    resident once the call returned.
    """
    chunks = signals.chunks_of(np.array(signals.speech(48000)), 48000)
    count = round(GROWTH_MINUTES * 60 / CHUNK_S)
    model = state["built"]
    memory: list[tuple[float, int]] = []
    failed: list[CallRecord] = []
    started = time.perf_counter()
    for index in range(count):
        chunk = chunks[index % len(chunks)].copy()
        record, _ = observed_call(
            f"vad() on chunk {index} of the looped speech", model.vad, (48000, chunk), None
        )
        if record.error is not None:
            failed.append(
                _with(record, rate=48000, samples=len(chunk), dtype="int16", shape=chunk.shape)
            )
            break
        rss = _resident_bytes()
        if rss is None:
            break
        memory.append((round((index + 1) * CHUNK_S, 3), rss))
        if time.perf_counter() - started > GROWTH_BUDGET_S:
            break
    fed_s = len(memory) * CHUNK_S
    return _reply(
        failed,
        GrowthFacts(
            memory=tuple(memory),
            warmup_s=round(fed_s * GROWTH_WARMUP_SHARE, 3),
            fed_s=fed_s,
            elapsed_s=time.perf_counter() - started,
        ),
    )


# Chunks per stream for the interleaving probe: 9.6 s of speech with its pauses.
INTERLEAVED_CHUNKS = 16


def _fresh_model(state: State, label: str) -> tuple[list[CallRecord], Any]:
    """A new model built and warmed up as fastrtc does; the records, and the model or None."""
    cls = state["object"]
    built, model = observed_call(f"{getattr(cls, '__qualname__', 'factory')}() for {label}", cls)
    if built.error is not None:
        return [built], None
    warmed, _ = observed_call(f"warmup() of the model for {label}", model.warmup)
    return ([built, warmed], model) if warmed.error is not None else ([], model)


@probe("vad.interleaved")
def _interleaved(state: State) -> Observed:
    """Two streams of 0.6 s chunks, each alone on a fresh model, then alternating on one.

    Stream B is stream A one chunk later (a silent chunk first), so the two
    streams' pauses overlap without coinciding, as two users' do. Each part
    gets its own freshly built and warmed-up model, so leftover state from
    earlier probes cannot tell them apart.
    """
    speech = signals.chunks_of(np.array(signals.speech(48000)), 48000)[:INTERLEAVED_CHUNKS]
    streams = {"A": speech, "B": [signals.silence(48000, CHUNK_S), *speech[:-1]]}
    calls: list[CallRecord] = []
    for name, chunks in streams.items():
        failed, model = _fresh_model(state, f"stream {name} alone")
        if model is None or failed:
            return tuple(failed), None
        alone = {"built": model}
        calls += [
            vad_call(alone, 48000, c, f"chunk {i} of stream {name} alone")
            for i, c in enumerate(chunks)
        ]
    failed, model = _fresh_model(state, "the interleaved streams")
    if model is None or failed:
        return tuple(failed), None
    shared = {"built": model}
    for index in range(len(speech)):
        for name, chunks in streams.items():
            label = f"chunk {index} of stream {name} interleaved"
            calls.append(vad_call(shared, 48000, chunks[index], label))
    return _reply(calls, InterleavedFacts(tuple(streams), len(speech)))
