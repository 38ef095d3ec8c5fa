"""Downloads its weights through a helper method the constructor calls (test fixture).

The static scan (PKG007) must follow ``__init__`` -> ``_weights`` -> ``_fetch``
to find ``urlopen``; the validator's network guard must block the attempt
and name the address. 0.0.0.1 is never routed: without the guard the
connection fails on this machine, so nothing leaves it either way.
"""

from __future__ import annotations

import urllib.request
from typing import Any

import numpy as np

WEIGHTS_URL = "http://0.0.0.1:9/vad-weights.bin"


class HelperDownloadVAD:
    """An energy VAD that insists on fetching weights first."""

    def __init__(self, threshold_db: float = -35.0) -> None:
        self.threshold_db = threshold_db
        self.weights = self._weights()

    def _weights(self) -> bytes:
        return self._fetch(WEIGHTS_URL)

    @staticmethod
    def _fetch(url: str) -> bytes:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bytes(response.read())

    def warmup(self) -> None:
        pass

    def vad(self, audio: tuple[int, Any], options: Any) -> tuple[float, list[dict[str, int]]]:
        rate, samples = audio
        data = np.asarray(samples, dtype=np.float32).reshape(-1)
        loud = float(np.mean(data * data)) > 10 ** (self.threshold_db / 10)
        return (len(data) / rate if loud else 0.0), []
