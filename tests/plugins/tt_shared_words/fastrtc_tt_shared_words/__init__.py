"""Collects audio in a class-level list, so every copy fills the same window (test fixture).

Alone, or one handler after another, it works like a walkie-talkie
("... over."). Two connections at once feed one buffer: the copy whose
frame completes the window transcribes the other's speech, and neither
copy hears its own speaker's "over" whole.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import numpy as np
from fastrtc.reply_on_pause import AppState, ReplyOnPause
from fastrtc.speech_to_text import get_stt_model, stt_for_chunks
from fastrtc.utils import audio_to_float32

__all__ = ["SharedWords"]


class SharedWords(ReplyOnPause):
    """A walkie-talkie whose window buffer is a class attribute."""

    frames: ClassVar[list[np.ndarray]] = []  # the defect: one list for every copy

    def __init__(self, fn: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(fn, *args, **kwargs)
        self.frames.clear()  # "start fresh": but the list is the class's, shared by every copy
        self.stt_model = get_stt_model("moonshine/base")
        self._args = args
        self._kwargs = kwargs

    def determine_pause(self, audio: np.ndarray, sampling_rate: int, state: AppState) -> bool:
        import librosa

        state.buffer = None
        self.frames.append(audio_to_float32(audio))
        if sum(len(f) for f in self.frames) / sampling_rate < 3.0:
            return False
        window = np.concatenate(self.frames)
        self.frames.clear()
        audio_16k = librosa.resample(window, orig_sr=sampling_rate, target_sr=16000)
        _, chunks = self.model.vad((16000, audio_16k), self.model_options)
        text = stt_for_chunks(self.stt_model, (16000, audio_16k), chunks)
        if re.search(r"\bover[.,!?]*$", text.lower().strip()):
            state.stream = audio
            return True
        return False

    def copy(self) -> SharedWords:
        return SharedWords(self.fn, *self._args, **{**self._kwargs, "model": self.model})
