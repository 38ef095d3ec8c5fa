"""Carries a hangover from one vad() call into the next (test fixture)."""

from __future__ import annotations

import numpy as np


def _energy(rate, samples, threshold_db=-35.0):
    """Seconds of speech and spans: 20 ms frames louder than ``threshold_db`` dBFS."""
    data = np.asarray(samples).reshape(-1)
    if data.dtype == np.int16:
        data = data.astype(np.float32) / 32768.0
    data = data.astype(np.float32)
    frame = max(1, rate // 50)
    count = len(data) // frame
    if count == 0:
        return 0.0, []
    frames = data[: count * frame].reshape(count, frame)
    loud = 10 * np.log10(np.mean(frames * frames, axis=1) + 1e-12) > threshold_db
    chunks = []
    for index in np.flatnonzero(loud):
        start = int(index) * frame
        if chunks and chunks[-1]["end"] == start:
            chunks[-1]["end"] = start + frame
        else:
            chunks.append({"start": start, "end": start + frame})
    return sum(c["end"] - c["start"] for c in chunks) / rate, chunks


class BadVAD:
    """An energy VAD with one deliberate protocol violation."""

    def __init__(self):
        self._speaking = False  # did the previous call end in speech? shared by every user

    def warmup(self):
        pass

    def vad(self, audio, options):
        rate, samples = audio
        duration, chunks = _energy(rate, samples)
        hangover = min(len(np.asarray(samples).reshape(-1)), int(0.2 * rate))
        if self._speaking and hangover and not (chunks and chunks[0]["start"] == 0):
            # speech that went on at the end of the last call goes on for 0.2 s
            chunks.insert(0, {"start": 0, "end": hangover})
            while len(chunks) > 1 and chunks[1]["start"] <= chunks[0]["end"]:
                chunks[0]["end"] = max(chunks[0]["end"], chunks.pop(1)["end"])
            duration = sum(c["end"] - c["start"] for c in chunks) / rate
        length = len(np.asarray(samples).reshape(-1))
        self._speaking = bool(chunks) and chunks[-1]["end"] >= length - rate // 50
        return duration, chunks
