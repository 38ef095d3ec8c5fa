"""What the frame-based VAD adapters share: audio in, fastrtc's speech spans out.

Each back-end scores fixed frames of 16 kHz audio (a probability, or 0/1).
``FrameVAD`` turns fastrtc's input (any rate, int16 or float, shape ``(N,)``
or ``(1, N)``) into those frames and the scores into what fastrtc's
``PauseDetectionModel.vad`` returns: seconds of speech and the speech spans
as ``{"start", "end"}`` sample offsets at the input's rate.

fastrtc builds one model and shares it across every connection, so the
back-end's own detector (recurrent state inside) is kept one per thread and
reset at the start of every call: an answer depends only on the audio given.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from ..errors import PluginLoadError

__all__ = ["RATE", "FrameVAD", "SpanOptions", "import_backend", "settle_options", "to_16k"]

RATE = 16000
OptionsT = TypeVar("OptionsT", bound="SpanOptions")


@dataclass(frozen=True)
class SpanOptions:
    """How frame scores become speech spans (shared by every frame-based back-end).

    A run of frames is speech from the first one scoring ``threshold`` or more
    until one scores below ``neg_threshold`` (``threshold - 0.15`` when None);
    gaps up to ``min_silence_ms`` join two spans, and each span is widened by
    ``pad_ms`` on both sides.
    """

    threshold: float = 0.5
    neg_threshold: float | None = None
    min_silence_ms: float = 100.0
    pad_ms: float = 30.0

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise ValueError(f"threshold must be between 0 and 1 (got {self.threshold!r})")
        if self.neg_threshold is not None and not 0.0 < self.neg_threshold <= self.threshold:
            raise ValueError("neg_threshold must be above 0 and at most threshold")
        if self.min_silence_ms < 0 or self.pad_ms < 0:
            raise ValueError("min_silence_ms and pad_ms must not be negative")

    @property
    def release(self) -> float:
        """The score below which a speech run ends."""
        if self.neg_threshold is not None:
            return self.neg_threshold
        return max(self.threshold - 0.15, 0.01)


def import_backend(module: str, *, vad: str, package: str, extra: str) -> Any:
    """Import a back-end's module; missing, a ``PluginLoadError`` with the install command."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        install = f'pip install "fastrtc-registry[{extra}]"'
        raise PluginLoadError(
            f"the {vad} VAD needs the {package} package: run '{install}'", install=install
        ) from exc


def settle_options(
    kind: type[OptionsT], options: OptionsT | None, settings: dict[str, Any]
) -> OptionsT:
    """The options object: ``options`` as given, or ``kind(**settings)``, never both."""
    if options is not None and settings:
        raise TypeError("pass either an options object or keyword settings, not both")
    if options is None:
        return kind(**settings)
    if not isinstance(options, kind):
        raise TypeError(f"options must be a {kind.__name__} (got {type(options).__name__})")
    return options


def to_16k(rate: int, samples: Any) -> np.ndarray:
    """Mono float32 in [-1, 1] at 16 kHz from fastrtc's ``(rate, samples)``."""
    data = np.asarray(samples).reshape(-1)
    if data.dtype == np.int16:
        data = data.astype(np.float32) / 32768.0
    else:
        data = np.clip(np.nan_to_num(data.astype(np.float32)), -1.0, 1.0)
    if rate == RATE or len(data) == 0:
        return data
    if rate % RATE == 0:
        # 32 or 48 kHz (what WebRTC sends): a box average is the anti-alias filter.
        factor = rate // RATE
        usable = len(data) - len(data) % factor
        return data[:usable].reshape(-1, factor).mean(axis=1, dtype=np.float32)
    positions = np.arange(int(len(data) * RATE / rate)) * (rate / RATE)
    return np.interp(positions, np.arange(len(data)), data).astype(np.float32)


class FrameVAD:
    """A fastrtc VAD over a back-end that scores ``frame`` samples of 16 kHz audio at a time.

    Subclasses call ``__init__`` with their options and frame size, and
    implement ``_new_detector`` (one per thread), ``_reset`` and ``_score``.
    """

    def __init__(self, options: SpanOptions, frame: int) -> None:
        self.options = options
        self.frame = frame
        self._local = threading.local()

    # What a back-end provides.
    def _new_detector(self) -> Any:
        raise NotImplementedError

    def _reset(self, detector: Any) -> Any:
        """Clear ``detector``'s state before a call; returns the detector to use."""
        detector.reset()
        return detector

    def _score(self, detector: Any, frame: np.ndarray) -> float:
        """The speech score of one frame of ``self.frame`` float32 samples."""
        raise NotImplementedError

    # The fastrtc protocol.
    def warmup(self) -> None:
        """Build this thread's detector and run it once on a second of silence."""
        self.vad((RATE, np.zeros(RATE, dtype=np.float32)), None)

    def vad(self, audio: tuple[int, Any], options: Any) -> tuple[float, list[dict[str, int]]]:
        """Seconds of speech in ``audio`` and its spans; fastrtc's ``options`` are not used."""
        rate, samples = audio
        total = int(np.asarray(samples).size)
        data = to_16k(rate, samples)
        if len(data) == 0:
            return 0.0, []
        scores = self._scores(data)
        chunks = self._chunks(scores, len(data), rate / RATE, total)
        return sum(c["end"] - c["start"] for c in chunks) / rate, chunks

    def _scores(self, data: np.ndarray) -> list[float]:
        detector = getattr(self._local, "detector", None)
        if detector is None:
            detector = self._local.detector = self._new_detector()
        detector = self._local.detector = self._reset(detector)
        frame = self.frame
        padded = np.pad(data, (0, -len(data) % frame))
        return [
            self._score(detector, np.ascontiguousarray(padded[start : start + frame]))
            for start in range(0, len(padded), frame)
        ]

    def _chunks(
        self, scores: list[float], length: int, scale: float, total: int
    ) -> list[dict[str, int]]:
        options, frame = self.options, self.frame
        gap = RATE * options.min_silence_ms / 1000
        spans: list[list[int]] = []
        speaking = False
        for index, score in enumerate(scores):
            speaking = score >= options.threshold or (speaking and score >= options.release)
            if not speaking:
                continue
            start, end = index * frame, min((index + 1) * frame, length)
            if spans and start - spans[-1][1] <= gap:
                spans[-1][1] = end
            else:
                spans.append([start, end])
        pad = RATE * options.pad_ms / 1000
        chunks: list[dict[str, int]] = []
        for start, end in spans:
            first = max(0, round((start - pad) * scale))
            last = min(total, round((end + pad) * scale))
            if chunks and first <= chunks[-1]["end"]:
                chunks[-1]["end"] = last
            else:
                chunks.append({"start": first, "end": last})
        return chunks
