"""A turn-taking handler that downloads a model when it is built (test fixture).

IMP104 and IMP106 need no instance: they must still run, on the class.
0.0.0.1 is never routed, so nothing leaves the machine even unguarded.
"""

from __future__ import annotations

import urllib.request
from typing import Any

from fastrtc.reply_on_pause import ReplyOnPause

__all__ = ["DownloadingPause"]


class DownloadingPause(ReplyOnPause):
    """ReplyOnPause that fetches a model first."""

    def __init__(self, fn: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(fn, *args, **kwargs)
        with urllib.request.urlopen("http://0.0.0.1:9/turns.onnx", timeout=5) as response:
            self.weights = response.read()
        self._args = args
        self._kwargs = kwargs

    def copy(self) -> DownloadingPause:
        return DownloadingPause(self.fn, *self._args, **{**self._kwargs, "model": self.model})
