"""Never detects a pause (test fixture)."""

from __future__ import annotations

from fastrtc.reply_on_pause import ReplyOnPause


class BadPause(ReplyOnPause):
    """Waits forever."""

    def copy(self):
        return BadPause(
            self.fn,
            model=self.model,
            algo_options=self.algo_options,
            model_options=self.model_options,
            can_interrupt=self.can_interrupt,
        )

    def determine_pause(self, audio, sampling_rate, state):
        return False
