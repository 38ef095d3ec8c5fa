"""Ends the turn on "roger"; its tags are in pyproject.toml, not on the class (test fixture).

Every 0.6 s it transcribes the last 2 s (resampled to 16 kHz) with fastrtc's
speech-to-text model. "roger" is not one of the triggers the validator
knows: only ``[tool.fastrtc-plugins.tt-pyproject-tags]`` leads it there.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from fastrtc.reply_on_pause import AppState, ReplyOnPause
from fastrtc.speech_to_text import get_stt_model, stt_for_chunks
from fastrtc.utils import audio_to_float32

__all__ = ["RogerFromPyproject"]


class RogerFromPyproject(ReplyOnPause):
    """The turn ends with the word "roger"."""

    def __init__(self, fn: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(fn, *args, **kwargs)
        self.stt_model = get_stt_model("moonshine/base")
        self._recent = np.zeros(0, dtype=np.float32)
        self._args = args
        self._kwargs = kwargs

    def determine_pause(self, audio: np.ndarray, sampling_rate: int, state: AppState) -> bool:
        import librosa

        if len(audio) / sampling_rate < self.algo_options.audio_chunk_duration:
            return False
        state.buffer = None
        state.stream = audio if state.stream is None else np.concatenate((state.stream, audio))
        fresh = librosa.resample(audio_to_float32(audio), orig_sr=sampling_rate, target_sr=16000)
        self._recent = np.concatenate((self._recent, fresh))[-32000:]
        _, chunks = self.model.vad((16000, self._recent), self.model_options)
        text = stt_for_chunks(self.stt_model, (16000, self._recent), chunks)
        return bool(re.search(r"\broger[.,!?]*$", text.lower().strip()))

    def reset(self) -> None:
        super().reset()
        self._recent = np.zeros(0, dtype=np.float32)

    def copy(self) -> RogerFromPyproject:
        return RogerFromPyproject(self.fn, *self._args, **{**self._kwargs, "model": self.model})
