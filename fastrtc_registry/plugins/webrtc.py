"""``webrtc``: the WebRTC project's GMM voice activity detector (``webrtcvad-wheels``).

Install with ``pip install "fastrtc-registry[webrtc]"``: an 83 KB native
module, no model download, no system library. It answers speech or not for
each 10, 20 or 30 ms frame, so its scores are 0 or 1 and ``threshold`` only
separates the two. It is the fastest back-end here, and the one most easily
fooled by steady noise (it hears -40 dBFS noise as speech).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._frames import RATE, FrameVAD, SpanOptions, import_backend, settle_options

__all__ = ["WebRTCOptions", "WebRTCVAD"]


@dataclass(frozen=True)
class WebRTCOptions(SpanOptions):
    """``aggressiveness`` 0 (hears the most speech) to 3 (filters the most noise).

    The default, 3, was picked on the bench corpus by
    ``benchmarks/vad_defaults.py`` (docs/bench.md): the best F1 of the four
    (0.850), and the least false speech on noise and humming.
    """

    aggressiveness: int = 3
    frame_ms: int = 30

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.aggressiveness not in (0, 1, 2, 3):
            raise ValueError(f"aggressiveness must be 0, 1, 2 or 3 (got {self.aggressiveness!r})")
        if self.frame_ms not in (10, 20, 30):
            raise ValueError(f"frame_ms must be 10, 20 or 30 (got {self.frame_ms!r})")


class WebRTCVAD(FrameVAD):
    """WebRTC's VAD as a fastrtc model: ``WebRTCVAD(aggressiveness=2)``."""

    options: WebRTCOptions

    def __init__(self, options: WebRTCOptions | None = None, **settings: Any) -> None:
        options = settle_options(WebRTCOptions, options, settings)
        self._webrtcvad = import_backend(
            "webrtcvad", vad="webrtc", package="webrtcvad-wheels", extra="webrtc"
        )
        super().__init__(options, RATE * options.frame_ms // 1000)

    def _new_detector(self) -> Any:
        return self._webrtcvad.Vad(self.options.aggressiveness)

    def _reset(self, detector: Any) -> Any:
        # The native detector adapts to what it has heard and has no reset: a new one
        # per call (cheap) keeps every answer independent of earlier calls.
        return self._new_detector()

    def _score(self, detector: Any, frame: np.ndarray) -> float:
        pcm = (frame * 32767).astype(np.int16).tobytes()
        return 1.0 if detector.is_speech(pcm, RATE) else 0.0
