"""Replies to any quiet chunk, even before anyone spoke (test fixture)."""

from __future__ import annotations

from fastrtc.reply_on_pause import ReplyOnPause


class BadPause(ReplyOnPause):
    """Forgets to check that the user started talking."""

    def copy(self):
        return BadPause(
            self.fn,
            model=self.model,
            algo_options=self.algo_options,
            model_options=self.model_options,
            can_interrupt=self.can_interrupt,
        )

    def determine_pause(self, audio, sampling_rate, state):
        if len(audio) / sampling_rate < self.algo_options.audio_chunk_duration:
            return False
        speech, _ = self.model.vad((sampling_rate, audio), self.model_options)
        state.buffer = None
        return speech < self.algo_options.speech_threshold
