"""Loads its model on the first vad() call instead of in warmup() (test fixture)."""

from __future__ import annotations

import time

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
        self._model = None

    def warmup(self):
        pass  # forgets to load: the first call does it

    def vad(self, audio, options):
        if self._model is None:
            time.sleep(0.5)  # stands in for reading weights from disk
            self._model = _energy
        rate, samples = audio
        return self._model(rate, samples)
