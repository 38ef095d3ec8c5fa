"""Misspells a tag: ``triger`` (test fixture)."""

from __future__ import annotations

from typing import Any, ClassVar

from fastrtc.reply_on_pause import ReplyOnPause

__all__ = ["MisTagged"]


class MisTagged(ReplyOnPause):
    """ReplyOnPause with a misspelt tag."""

    __fastrtc_tags__: ClassVar[dict[str, Any]] = {"triger": "pause"}

    def __init__(self, fn: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(fn, *args, **kwargs)
        self._args = args
        self._kwargs = kwargs

    def copy(self) -> MisTagged:
        return MisTagged(self.fn, *self._args, **{**self._kwargs, "model": self.model})
