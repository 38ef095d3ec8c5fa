"""Declares the keyword "over" in its tags but replies on any pause (test fixture)."""

from __future__ import annotations

from typing import Any, ClassVar

from fastrtc.reply_on_pause import ReplyOnPause

__all__ = ["DeafKeyword"]


class DeafKeyword(ReplyOnPause):
    """Tagged as a walkie-talkie, behaves as ReplyOnPause."""

    __fastrtc_tags__: ClassVar[dict[str, Any]] = {"trigger": "keyword", "keywords": ["over"]}

    def __init__(self, fn: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(fn, *args, **kwargs)
        self._args = args
        self._kwargs = kwargs

    def copy(self) -> DeafKeyword:
        return DeafKeyword(self.fn, *self._args, **{**self._kwargs, "model": self.model})
