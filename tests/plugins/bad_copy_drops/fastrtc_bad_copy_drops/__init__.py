"""The scaffold's turn-taking plugin, whose copy() forgets ``quiet_chunks`` (test fixture).

Built with its default (2) every copy behaves the same, so only a handler
built with another value shows the lost setting.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from fastrtc.reply_on_pause import AppState, ReplyOnPause

__all__ = ["CopyDropsPause"]


class CopyDropsPause(ReplyOnPause):
    """Ends the user's turn after ``quiet_chunks`` quiet chunks in a row.

    Replace ``determine_pause`` with your algorithm. Keep ``copy()``: fastrtc
    calls it once per connection, and without it every connection would get a
    plain ReplyOnPause.
    """

    def __init__(self, fn: Any, *args: Any, quiet_chunks: int = 2, **kwargs: Any) -> None:
        super().__init__(fn, *args, **kwargs)
        self.quiet_chunks = quiet_chunks
        self._quiet = 0
        self._args = args
        self._kwargs = kwargs

    def copy(self) -> CopyDropsPause:
        """A fresh handler with this one's class, settings and shared model."""
        kwargs = {**self._kwargs, "model": self.model}
        return CopyDropsPause(self.fn, *self._args, **kwargs)  # quiet_chunks forgotten

    def reset(self) -> None:
        super().reset()
        self._quiet = 0

    def determine_pause(self, audio: np.ndarray, sampling_rate: int, state: AppState) -> bool:
        """True when the user has finished their turn."""
        if len(audio) / sampling_rate < self.algo_options.audio_chunk_duration:
            return False
        speech, _ = self.model.vad((sampling_rate, audio), self.model_options)
        state.buffer = None
        if speech > self.algo_options.started_talking_threshold:
            state.started_talking = True
        if not state.started_talking:
            return False
        state.stream = audio if state.stream is None else np.concatenate((state.stream, audio))
        self._quiet = self._quiet + 1 if speech < self.algo_options.speech_threshold else 0
        if self._quiet >= self.quiet_chunks:
            self._quiet = 0
            return True
        return False
