"""vad() takes only the audio (test fixture)."""

from __future__ import annotations


class BadVAD:
    def warmup(self):
        pass

    def vad(self, audio):
        return 0.0, []
