"""A turn-taking algorithm that waits for several quiet chunks in a row."""

from __future__ import annotations

from typing import Any

import numpy as np
from fastrtc.reply_on_pause import AppState, ReplyOnPause

__all__ = ["PatientPause"]


class PatientPause(ReplyOnPause):
    """Like ReplyOnPause, but the turn ends after ``quiet_chunks`` quiet chunks."""

    def __init__(self, fn: Any, *args: Any, quiet_chunks: int = 2, **kwargs: Any) -> None:
        super().__init__(fn, *args, **kwargs)
        self.quiet_chunks = quiet_chunks
        self._quiet = 0
        self._init_args = args
        self._init_kwargs = kwargs

    def copy(self) -> PatientPause:
        kwargs = {**self._init_kwargs, "model": self.model}
        return PatientPause(self.fn, *self._init_args, quiet_chunks=self.quiet_chunks, **kwargs)

    def reset(self) -> None:
        super().reset()
        self._quiet = 0

    def determine_pause(self, audio: np.ndarray, sampling_rate: int, state: AppState) -> bool:
        if len(audio) / sampling_rate < self.algo_options.audio_chunk_duration:
            return False
        speech, _ = self.model.vad((sampling_rate, audio), self.model_options)
        state.buffer = None
        if speech > self.algo_options.started_talking_threshold:
            state.started_talking = True
        if not state.started_talking:
            return False
        state.stream = audio if state.stream is None else np.concatenate((state.stream, audio))
        if speech < self.algo_options.speech_threshold:
            self._quiet += 1
        else:
            self._quiet = 0
        if self._quiet >= self.quiet_chunks:
            self._quiet = 0
            return True
        return False
