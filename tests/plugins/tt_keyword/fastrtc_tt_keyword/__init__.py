"""Reply when a sentence ends with "over", like a walkie-talkie (test fixture).

Shaped like the published Walkie Talkie plugin: fastrtc's speech-to-text
model transcribes each ``window_s`` of audio, resampled to 16 kHz and cut
into the VAD's speech chunks, and the turn ends when the words end with
"over". It declares no ``__fastrtc_tags__``: the validator must find the
trigger itself.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import numpy as np
from fastrtc.reply_on_pause import AppState, ReplyOnPause
from fastrtc.speech_to_text import get_stt_model, stt_for_chunks
from fastrtc.utils import audio_to_float32

__all__ = ["KeywordTalkie"]


class KeywordTalkie(ReplyOnPause):
    """The turn ends with the word "over"; the reply gets the window that said it."""

    def __init__(self, fn: Any, *args: Any, window_s: float = 3.0, **kwargs: Any) -> None:
        super().__init__(fn, *args, **kwargs)
        self.window_s = window_s
        self.algo_options = replace(self.algo_options, audio_chunk_duration=window_s)
        self.stt_model = get_stt_model("moonshine/base")
        self._args = args
        self._kwargs = kwargs

    def over_detected(self, text: str) -> bool:
        return bool(re.search(r"\bover[.,!?]*$", text.lower().strip()))

    def determine_pause(self, audio: np.ndarray, sampling_rate: int, state: AppState) -> bool:
        import librosa

        if len(audio) / sampling_rate < self.algo_options.audio_chunk_duration:
            return False
        audio_16k = librosa.resample(
            audio_to_float32(audio), orig_sr=sampling_rate, target_sr=16000
        )
        _, chunks = self.model.vad((16000, audio_16k), self.model_options)
        text = stt_for_chunks(self.stt_model, (16000, audio_16k), chunks)
        state.buffer = None
        if self.over_detected(text):
            state.stream = audio
            return True
        state.stream = None
        return False

    def reset(self) -> None:
        super().reset()
        self.generator = None
        self.event.clear()
        self.state = AppState()

    def copy(self) -> KeywordTalkie:
        kwargs = {**self._kwargs, "model": self.model}
        return KeywordTalkie(self.fn, *self._args, window_s=self.window_s, **kwargs)
