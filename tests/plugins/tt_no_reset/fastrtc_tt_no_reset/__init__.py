"""Replies to the first turn only: a flag set on the first reply is never reset (test fixture)."""

from __future__ import annotations

from typing import Any

import numpy as np
from fastrtc.reply_on_pause import AppState, ReplyOnPause

__all__ = ["OneTurn"]


class OneTurn(ReplyOnPause):
    """ReplyOnPause that forgets to clear ``self.answered`` in ``reset()``."""

    def __init__(self, fn: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(fn, *args, **kwargs)
        self.answered = False
        self._args = args
        self._kwargs = kwargs

    def determine_pause(self, audio: np.ndarray, sampling_rate: int, state: AppState) -> bool:
        if self.answered:
            state.buffer = None
            return False
        paused = super().determine_pause(audio, sampling_rate, state)
        self.answered = self.answered or paused
        return paused

    def copy(self) -> OneTurn:
        return OneTurn(self.fn, *self._args, **{**self._kwargs, "model": self.model})
