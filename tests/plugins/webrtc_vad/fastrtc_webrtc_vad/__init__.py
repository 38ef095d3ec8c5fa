"""FastRTC VAD plugin around the WebRTC voice activity detector."""

from __future__ import annotations

from typing import Any

import numpy as np
import webrtcvad

__all__ = ["WebRTCVAD"]

_NATIVE_RATES = (8000, 16000, 32000, 48000)


class WebRTCVAD:
    """WebRTC's VAD on 30 ms frames; other rates are resampled to 16 kHz."""

    def __init__(self, aggressiveness: int = 2, frame_ms: int = 30) -> None:
        if aggressiveness not in (0, 1, 2, 3):
            raise ValueError("aggressiveness must be 0, 1, 2 or 3")
        if frame_ms not in (10, 20, 30):
            raise ValueError("frame_ms must be 10, 20 or 30")
        self.aggressiveness = aggressiveness
        self.frame_ms = frame_ms

    def _detector(self) -> webrtcvad.Vad:
        # A fresh detector per call: the native one adapts to what it has heard, so a
        # shared one would make answers depend on earlier calls (and other threads).
        return webrtcvad.Vad(self.aggressiveness)

    def warmup(self) -> None:
        self.vad((16000, np.zeros(16000, dtype=np.int16)), None)

    def vad(
        self, audio: tuple[int, np.ndarray], options: Any
    ) -> tuple[float, list[dict[str, int]]]:
        rate, samples = audio
        data = np.asarray(samples).reshape(-1)
        if data.dtype != np.int16:
            data = (np.clip(data.astype(np.float32), -1.0, 1.0) * 32767).astype(np.int16)
        work_rate = rate
        if rate not in _NATIVE_RATES:
            work_rate = 16000
            positions = np.arange(0, len(data), rate / work_rate)
            data = np.interp(positions, np.arange(len(data)), data).astype(np.int16)
        scale = rate / work_rate
        frame = work_rate * self.frame_ms // 1000
        detector = self._detector()
        chunks: list[dict[str, int]] = []
        for index in range(len(data) // frame):
            piece = data[index * frame : (index + 1) * frame]
            if not detector.is_speech(piece.tobytes(), work_rate):
                continue
            start, end = round(index * frame * scale), round((index + 1) * frame * scale)
            if chunks and chunks[-1]["end"] == start:
                chunks[-1]["end"] = end
            else:
                chunks.append({"start": start, "end": end})
        speech = sum(c["end"] - c["start"] for c in chunks) / rate
        return float(speech), chunks
