"""``earshot``: the Earshot VAD (a small Rust model; weights in the ``earshot`` wheel).

Install with ``pip install "fastrtc-registry[earshot]"``: no download, no
system library, 16 ms frames. One detector per thread, reset on every call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._frames import FrameVAD, SpanOptions, import_backend, settle_options

__all__ = ["EarshotOptions", "EarshotVAD"]


@dataclass(frozen=True)
class EarshotOptions(SpanOptions):
    """Earshot's probability per 16 ms frame; speech from ``threshold``.

    The default, 0.7, was picked on the bench corpus by
    ``benchmarks/vad_defaults.py`` (docs/bench.md): the best F1 (0.867) of
    0.3-0.9. Earshot scores humming high: 45% of it is heard as speech at 0.7.
    """

    threshold: float = 0.7


class EarshotVAD(FrameVAD):
    """Earshot as a fastrtc model: ``EarshotVAD(threshold=0.6)``."""

    def __init__(self, options: EarshotOptions | None = None, **settings: Any) -> None:
        options = settle_options(EarshotOptions, options, settings)
        self._earshot = import_backend("earshot", vad="earshot", package="earshot", extra="earshot")
        super().__init__(options, 256)

    def _new_detector(self) -> Any:
        return self._earshot.Detector()

    def _score(self, detector: Any, frame: np.ndarray) -> float:
        return float(detector.predict_f32(frame))
