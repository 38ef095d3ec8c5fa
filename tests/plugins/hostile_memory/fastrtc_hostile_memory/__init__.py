"""Reserves 3.5 GiB when built (np.empty: address space, no page is touched)."""

import numpy as np


class HostileVAD:
    """Builds a 3.5 GiB buffer, then answers as if nothing happened."""

    def __init__(self) -> None:
        self.buffer = np.empty(int(3.5 * 1024**3), dtype=np.uint8)

    def warmup(self) -> None:
        pass

    def vad(self, audio, options):
        return 0.0, []
