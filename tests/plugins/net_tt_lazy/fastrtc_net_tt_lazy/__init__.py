"""Downloads a model the first time it listens (test fixture).

It builds offline; the behaviour checks must report that it needs the
network, not that it is broken. 0.0.0.1 is never routed.
"""

from __future__ import annotations

import urllib.request
from typing import Any

import numpy as np
from fastrtc.reply_on_pause import AppState, ReplyOnPause

__all__ = ["LazyPause"]


class LazyPause(ReplyOnPause):
    """ReplyOnPause that fetches a model on first use."""

    def __init__(self, fn: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(fn, *args, **kwargs)
        self.weights: bytes | None = None
        self._args = args
        self._kwargs = kwargs

    def determine_pause(self, audio: np.ndarray, sampling_rate: int, state: AppState) -> bool:
        if self.weights is None:
            with urllib.request.urlopen("http://0.0.0.1:9/turns.onnx", timeout=5) as response:
                self.weights = response.read()
        return super().determine_pause(audio, sampling_rate, state)

    def copy(self) -> LazyPause:
        return LazyPause(self.fn, *self._args, **{**self._kwargs, "model": self.model})
