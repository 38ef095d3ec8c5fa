"""Where the utterances are in fastrtc's speech recording: found once, stored beside this file.

:func:`find_utterances` is the detector that produced ``speech_segments.json``:
10 ms frames louder than -50 dBFS are voiced; gaps of up to 250 ms between
them (stops, breaths between words) belong to the utterance; stretches under
150 ms are dropped. A test runs it again on the installed recording and
compares with the stored file, and :func:`utterances` refuses a recording whose
checksum differs from the one the boundaries were found on.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import numpy as np

from ..simulate import fastrtc_speech

__all__ = ["SEGMENTS_FILE", "find_utterances", "utterances"]

SEGMENTS_FILE = Path(__file__).with_name("speech_segments.json")
FRAMES_PER_S = 100
THRESHOLD_DBFS = -50.0
MAX_GAP_FRAMES = 25
MIN_FRAMES = 15


def find_utterances(samples: np.ndarray, rate: int) -> list[tuple[int, int]]:
    """Utterances in mono int16 ``samples`` as ``(first, end)`` 10 ms frame indices."""
    size = rate // FRAMES_PER_S
    count = len(samples) // size
    frames = samples[: count * size].astype(np.float64).reshape(count, size) / 32768.0
    level = 10 * np.log10(np.mean(frames * frames, axis=1) + 1e-12)
    spans: list[list[int]] = []
    for index in np.flatnonzero(level > THRESHOLD_DBFS):
        frame = int(index)
        if spans and frame - spans[-1][1] <= MAX_GAP_FRAMES:
            spans[-1][1] = frame + 1
        else:
            spans.append([frame, frame + 1])
    return [(a, b) for a, b in spans if b - a >= MIN_FRAMES]


def recording_sha256() -> str:
    """Checksum of the installed speech recording's samples."""
    return hashlib.sha256(fastrtc_speech()[1].tobytes()).hexdigest()


@functools.lru_cache(maxsize=1)
def utterances() -> tuple[tuple[int, int], ...]:
    """The stored utterance boundaries, in 10 ms frames of fastrtc's recording."""
    stored = json.loads(SEGMENTS_FILE.read_text("utf-8"))
    found = recording_sha256()
    if stored["sha256"] != found:
        raise RuntimeError(
            "fastrtc's speech recording is not the one the bench corpus was labelled on "
            f"(sha256 {found[:12]}..., expected {stored['sha256'][:12]}...); "
            "regenerate fastrtc_registry/bench/speech_segments.json with "
            "`python benchmarks/bench_corpus.py --segments`"
        )
    return tuple((int(a), int(b)) for a, b in stored["utterances"])
