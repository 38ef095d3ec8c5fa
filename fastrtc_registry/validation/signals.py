"""Audio for the behaviour checks: fastrtc's real speech, silence, noise, edge cases.

The speech is ``fastrtc/speech_to_text/test_file.wav`` (24 kHz mono int16,
20.75 s), located without importing fastrtc, resampled to the rates the
checks need. Everything is deterministic and cached per process.
"""

from __future__ import annotations

import functools

import numpy as np

from ..simulate import fastrtc_speech, resample, speech_wav_path
from ..stream import CHUNK_S

__all__ = [
    "chunks_of",
    "noise",
    "silence",
    "speech",
    "speech_wav_path",
    "to_float32",
    "voiced",
]


@functools.lru_cache(maxsize=8)
def speech(rate: int) -> np.ndarray:
    """The real speech at ``rate`` Hz, int16, shape (N,); read-only."""
    source_rate, data = fastrtc_speech()
    data = resample(data, source_rate, rate)
    data.setflags(write=False)
    return data


def silence(rate: int, seconds: float) -> np.ndarray:
    """Digital silence, int16."""
    return np.zeros(int(rate * seconds), dtype=np.int16)


def noise(rate: int, seconds: float, dbfs: float = -60.0, seed: int = 0) -> np.ndarray:
    """White noise at ``dbfs`` RMS, int16, the same every time."""
    rng = np.random.default_rng(seed)
    level = 32768.0 * 10 ** (dbfs / 20)
    return np.clip(rng.normal(0.0, level, int(rate * seconds)), -32768, 32767).astype(np.int16)


def voiced(rate: int, seconds: float, *, level: float = 0.3) -> np.ndarray:
    """A steady voice-like sound (150 Hz and harmonics, gently modulated), int16."""
    t = np.arange(int(rate * seconds)) / rate
    wave_ = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 6))
    envelope = 0.75 + 0.25 * np.sin(2 * np.pi * 3 * t)
    signal = level * envelope * wave_ / np.max(np.abs(wave_))
    return (signal * 32767).astype(np.int16)


def to_float32(samples: np.ndarray) -> np.ndarray:
    """int16 samples as float32 in [-1, 1], as fastrtc converts them."""
    return (samples.astype(np.float32) / 32768.0).astype(np.float32)


def chunks_of(samples: np.ndarray, rate: int, seconds: float = CHUNK_S) -> list[np.ndarray]:
    """Consecutive whole chunks of ``seconds`` (the tail that does not fill one is dropped)."""
    size = int(rate * seconds)
    return [samples[i : i + size] for i in range(0, len(samples) - size + 1, size)]
