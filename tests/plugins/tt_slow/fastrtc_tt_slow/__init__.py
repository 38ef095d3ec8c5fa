"""determine_pause takes 25 ms on every call, longer than the 20 ms frame it gets (test fixture)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from fastrtc.reply_on_pause import AppState, ReplyOnPause

__all__ = ["SlowPause"]


class SlowPause(ReplyOnPause):
    """ReplyOnPause that falls behind real time."""

    def __init__(self, fn: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(fn, *args, **kwargs)
        self._args = args
        self._kwargs = kwargs

    def determine_pause(self, audio: np.ndarray, sampling_rate: int, state: AppState) -> bool:
        time.sleep(0.025)
        return super().determine_pause(audio, sampling_rate, state)

    def copy(self) -> SlowPause:
        return SlowPause(self.fn, *self._args, **{**self._kwargs, "model": self.model})
