"""From several threads, answers each chunk with the next chunk's answer (test fixture).

It keeps the last 8 chunks it was given on self, in order, as look-ahead
context. A call from the thread that loaded it answers its own chunk; a call
from another thread finds its chunk there and answers from the slot after it,
which is what a later call would have left in a shared slot. So under
threads every chunk gets another chunk's correct answer, and the one it gets
is always the next chunk's: only a comparison with each job's own sequential
answer shows it.
"""

from __future__ import annotations

import threading

import numpy as np

_CONTEXT = 8


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


def _key(audio):
    rate, samples = audio
    data = np.asarray(samples)
    return rate, str(data.dtype), data.tobytes()


class BadVAD:
    """An energy VAD with one deliberate protocol violation."""

    def __init__(self):
        self._owner = threading.get_ident()
        self._context = []  # (key, audio) of the last chunks, oldest first

    def warmup(self):
        pass

    def vad(self, audio, options):
        key = _key(audio)
        keys = [k for k, _ in self._context]
        if threading.get_ident() == self._owner:
            if key not in keys:
                self._context = [*self._context, (key, audio)][-_CONTEXT:]
            return _energy(*audio)
        if key in keys:
            audio = self._context[(keys.index(key) + 1) % len(keys)][1]
        return _energy(*audio)
