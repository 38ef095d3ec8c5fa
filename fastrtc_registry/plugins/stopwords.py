"""The built-in ``stopwords`` turn-taking plugin.

fastrtc's ``ReplyOnStopWords`` takes ``stop_words`` as its second positional
parameter, so it cannot be built the way the ``fastrtc.turn_taking``
contract promises (``cls(fn, model=..., ...)``), and its ``copy()`` returns
the base class. This subclass takes ``stop_words`` as a keyword and keeps
itself, and its settings, in ``copy()``. Importing it imports fastrtc.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from fastrtc import ReplyOnStopWords

__all__ = ["DEFAULT_STOP_WORDS", "StopWords"]

DEFAULT_STOP_WORDS = ("computer",)


class StopWords(ReplyOnStopWords):
    """Reply after a stop word and then a pause; ``stop_words`` is a keyword."""

    # The stop word opens the turn ("computer, what time is it?"); the reply
    # follows the next pause. See docs/authoring.md, "Tags".
    __fastrtc_tags__: ClassVar[dict[str, Any]] = {
        "trigger": "keyword",
        "keywords": list(DEFAULT_STOP_WORDS),
        "keyword_position": "start",
        "stt": True,
    }

    def __init__(
        self, fn: Any, *args: Any, stop_words: Sequence[str] = DEFAULT_STOP_WORDS, **kwargs: Any
    ) -> None:
        try:
            super().__init__(fn, list(stop_words), *args, **kwargs)
        except ImportError as exc:
            # fastrtc's own message says "Install fastrtc[stt]", which over a fork
            # (fastrtc-compact) would install fastrtc on top of it.
            from ..packages import fastrtc_host, host_extra_command

            command = host_extra_command(
                fastrtc_host(), "stt", ("fastrtc-moonshine-onnx", "onnxruntime")
            )
            raise ImportError(
                f"stop words need speech-to-text, which is not installed: run '{command}'"
            ) from exc
        self._args = args
        self._kwargs = kwargs

    def copy(self) -> StopWords:
        """A fresh handler of this class with the same settings and the shared model."""
        kwargs = {**self._kwargs, "model": self.model}
        return StopWords(self.fn, *self._args, stop_words=self.stop_words, **kwargs)
