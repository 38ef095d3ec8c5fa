"""A walkie-talkie that forgot to resample: it labels every input 16 kHz (test fixture).

At 16 kHz input it works. At 24 or 48 kHz the speech-to-text model gets the
audio at the wrong rate and never hears "over".
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import numpy as np
from fastrtc.reply_on_pause import AppState, ReplyOnPause
from fastrtc.speech_to_text import get_stt_model, stt_for_chunks
from fastrtc.utils import audio_to_float32

__all__ = ["Assumes16k"]


class Assumes16k(ReplyOnPause):
    """Transcribes 3 s windows as if they were 16 kHz."""

    __fastrtc_tags__: ClassVar[dict[str, Any]] = {"trigger": "keyword", "keywords": ["over"]}

    def __init__(self, fn: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(fn, *args, **kwargs)
        self.stt_model = get_stt_model("moonshine/base")
        self._args = args
        self._kwargs = kwargs

    def determine_pause(self, audio: np.ndarray, sampling_rate: int, state: AppState) -> bool:
        if len(audio) / sampling_rate < 3.0:
            return False
        samples = audio_to_float32(audio)
        _, chunks = self.model.vad((16000, samples), self.model_options)
        text = stt_for_chunks(self.stt_model, (16000, samples), chunks)
        state.buffer = None
        if re.search(r"\bover[.,!?]*$", text.lower().strip()):
            state.stream = audio
            return True
        return False

    def copy(self) -> Assumes16k:
        return Assumes16k(self.fn, *self._args, **{**self._kwargs, "model": self.model})
