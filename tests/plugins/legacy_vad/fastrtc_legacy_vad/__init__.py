"""A VAD that declares no entry point; the catalog names its object."""

from __future__ import annotations

import numpy as np


class LegacyVAD:
    def warmup(self) -> None:
        pass

    def vad(self, audio, options):
        rate, samples = audio
        data = np.asarray(samples).reshape(-1).astype(np.float32)
        if np.asarray(samples).dtype == np.int16:
            data /= 32768.0
        loud = np.abs(data) > 0.02
        if not loud.any():
            return 0.0, []
        idx = np.flatnonzero(loud)
        start, end = int(idx[0]), int(idx[-1]) + 1
        return (end - start) / rate, [{"start": start, "end": end}]
