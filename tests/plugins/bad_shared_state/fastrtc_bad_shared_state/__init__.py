"""Copies share one history list (test fixture)."""

from __future__ import annotations

from fastrtc.reply_on_pause import ReplyOnPause


class BadPause(ReplyOnPause):
    """Keeps a history of VAD answers that every copy shares."""

    def __init__(self, fn, *args, history=None, **kwargs):
        super().__init__(fn, *args, **kwargs)
        self.history = [] if history is None else history

    def copy(self):
        return BadPause(
            self.fn,
            model=self.model,
            algo_options=self.algo_options,
            model_options=self.model_options,
            can_interrupt=self.can_interrupt,
            history=self.history,
        )

    def determine_pause(self, audio, sampling_rate, state):
        paused = super().determine_pause(audio, sampling_rate, state)
        self.history.append(paused)
        return paused
