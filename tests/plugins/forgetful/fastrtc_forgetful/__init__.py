"""A ReplyOnPause subclass that does not override copy()."""

from __future__ import annotations

from typing import Any

import numpy as np
from fastrtc.reply_on_pause import AppState, ReplyOnPause

__all__ = ["ForgetfulPause"]


class ForgetfulPause(ReplyOnPause):
    """Replies when a chunk has less speech than ``quiet_below`` seconds."""

    def __init__(self, fn: Any, *args: Any, quiet_below: float = 0.1, **kwargs: Any) -> None:
        super().__init__(fn, *args, **kwargs)
        self.quiet_below = quiet_below

    def determine_pause(self, audio: np.ndarray, sampling_rate: int, state: AppState) -> bool:
        self.algo_options.speech_threshold = self.quiet_below
        return super().determine_pause(audio, sampling_rate, state)
