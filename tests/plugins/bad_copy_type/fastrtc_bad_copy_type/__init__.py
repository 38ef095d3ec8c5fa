"""copy() is overridden but returns a plain ReplyOnPause (test fixture)."""

from __future__ import annotations

from fastrtc.reply_on_pause import ReplyOnPause


class BadPause(ReplyOnPause):
    """Overrides copy(), but builds the base class."""

    def copy(self):
        return ReplyOnPause(self.fn, model=self.model, algo_options=self.algo_options)
