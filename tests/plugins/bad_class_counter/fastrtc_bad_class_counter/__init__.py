"""Keeps its pause counter on the class, shared by every copy (test fixture)."""

from __future__ import annotations

import numpy as np
from fastrtc.reply_on_pause import ReplyOnPause


class BadPause(ReplyOnPause):
    """Ends a turn after two quiet chunks, counted on the class: every connection counts."""

    quiet = 0  # one counter for every copy: the defect

    def __init__(self, fn, *args, quiet_chunks=2, **kwargs):
        super().__init__(fn, *args, **kwargs)
        self.quiet_chunks = quiet_chunks
        self._init_args = args
        self._init_kwargs = kwargs

    def copy(self):
        kwargs = {**self._init_kwargs, "model": self.model}
        return BadPause(self.fn, *self._init_args, quiet_chunks=self.quiet_chunks, **kwargs)

    def reset(self):
        super().reset()
        type(self).quiet = 0

    def determine_pause(self, audio, sampling_rate, state):
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
            type(self).quiet += 1
        else:
            type(self).quiet = 0
        if type(self).quiet >= self.quiet_chunks:
            type(self).quiet = 0
            return True
        return False
