"""``ten``: TEN VAD (``ten-vad``; the model is inside its native library).

Install with ``pip install "fastrtc-registry[ten]"``. Its library needs the
system's LLVM C++ runtime, ``libc++.so.1`` (Debian and Ubuntu: ``apt-get
install libc++1``); without it the load error says so. TEN's licence adds
terms to Apache-2.0: read it before shipping. The native detector has no
reset, so this adapter builds one per call (about 1 ms).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import PluginLoadError
from ._frames import FrameVAD, SpanOptions, import_backend, settle_options

__all__ = ["TenOptions", "TenVAD"]

SYSTEM_LIBRARY = "libc++.so.1"


@dataclass(frozen=True)
class TenOptions(SpanOptions):
    """TEN's probability per ``hop`` samples (256: 16 ms, 160: 10 ms); speech from ``threshold``.

    The default, 0.7, was picked on the bench corpus by
    ``benchmarks/vad_defaults.py`` (docs/bench.md): F1 0.865, within 0.005 of
    the best (0.867 at 0.6) with less false speech on noise and humming.
    """

    threshold: float = 0.7
    hop: int = 256

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.hop not in (160, 256):
            raise ValueError(f"hop must be 160 or 256 (got {self.hop!r})")


class TenVAD(FrameVAD):
    """TEN VAD as a fastrtc model: ``TenVAD(threshold=0.6)``."""

    options: TenOptions

    def __init__(self, options: TenOptions | None = None, **settings: Any) -> None:
        options = settle_options(TenOptions, options, settings)
        try:
            backend = import_backend("ten_vad", vad="ten", package="ten-vad", extra="ten")
        except OSError as exc:  # the native library is loaded on import in some versions
            raise _no_system_library(exc) from exc
        self._detector_type = backend.TenVad
        super().__init__(options, options.hop)
        try:
            self._new_detector()
        except OSError as exc:
            raise _no_system_library(exc) from exc

    def _new_detector(self) -> Any:
        return self._detector_type(self.options.hop, self.options.threshold)

    def _reset(self, detector: Any) -> Any:
        return self._new_detector()

    def _score(self, detector: Any, frame: np.ndarray) -> float:
        probability, _flag = detector.process((frame * 32767).astype(np.int16))
        return float(probability)


def _no_system_library(exc: OSError) -> PluginLoadError:
    if SYSTEM_LIBRARY not in str(exc):
        return PluginLoadError(f"the ten VAD's native library failed to load: {exc}")
    install = "apt-get install libc++1"
    return PluginLoadError(
        f"the ten VAD needs the system library {SYSTEM_LIBRARY} (LLVM's C++ runtime), "
        f"which is missing: on Debian or Ubuntu run '{install}'",
        install=install,
    )
