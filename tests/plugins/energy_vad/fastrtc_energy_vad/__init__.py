"""A frame-energy voice activity detector in pure numpy."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["EnergyVAD"]


class EnergyVAD:
    """Marks 30 ms frames louder than ``threshold_db`` dBFS as speech."""

    def __init__(
        self, threshold_db: float = -35.0, frame_ms: float = 30.0, min_gap_ms: float = 150.0
    ) -> None:
        self.threshold_db = threshold_db
        self.frame_ms = frame_ms
        self.min_gap_ms = min_gap_ms

    def warmup(self) -> None:
        self.vad((16000, np.zeros(16000, dtype=np.float32)), None)

    def vad(
        self, audio: tuple[int, np.ndarray], options: Any
    ) -> tuple[float, list[dict[str, int]]]:
        sampling_rate, samples = audio
        data = np.asarray(samples).reshape(-1)
        if data.dtype == np.int16:
            data = data.astype(np.float32) / 32768.0
        else:
            data = data.astype(np.float32, copy=False)
        frame = max(1, int(sampling_rate * self.frame_ms / 1000))
        count = len(data) // frame
        if count == 0:
            return 0.0, []
        frames = data[: count * frame].reshape(count, frame)
        rms = np.sqrt(np.mean(frames * frames, axis=1) + 1e-12)
        loud = 20 * np.log10(rms) > self.threshold_db
        chunks: list[dict[str, int]] = []
        gap = int(sampling_rate * self.min_gap_ms / 1000)
        for index in np.flatnonzero(loud):
            start, end = int(index) * frame, (int(index) + 1) * frame
            if chunks and start - chunks[-1]["end"] <= gap:
                chunks[-1]["end"] = end
            else:
                chunks.append({"start": start, "end": end})
        speech = sum(c["end"] - c["start"] for c in chunks) / sampling_rate
        return float(speech), chunks
