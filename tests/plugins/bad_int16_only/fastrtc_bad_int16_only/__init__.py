"""Asserts int16 input, and warms up the way fastrtc's Silero model does (test fixture).

One defect: float32 samples crash ``vad()``. It shows in ``warmup()`` (which
calls ``vad()`` on float32 zeros, as ``SileroVADModel.warmup`` does), in the
dtype check, on short float32 input and in the untouched-input check; the
validator reports it once. ``ColdVAD`` has the same defect and an empty
``warmup()``.
"""

from __future__ import annotations

import numpy as np


def _energy(rate, samples, threshold_db=-35.0):
    """Seconds of speech and spans: 20 ms frames louder than ``threshold_db`` dBFS."""
    data = np.asarray(samples).reshape(-1).astype(np.float32) / 32768.0
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
    """An energy VAD for int16 samples only."""

    def warmup(self):
        for _ in range(3):
            self.vad((24000, np.zeros(102400, dtype=np.float32)), None)

    def vad(self, audio, options):
        rate, samples = audio
        assert samples.dtype == np.int16
        return _energy(rate, samples)


class ColdVAD(BadVAD):
    """The same int16-only VAD with nothing to warm up: the dtype check meets the crash first."""

    def warmup(self):
        pass
