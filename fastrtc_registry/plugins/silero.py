"""The built-in ``silero`` VAD: fastrtc's own Silero model, by name."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

from ..errors import PluginRuntimeError

if TYPE_CHECKING:
    from fastrtc.pause_detection import PauseDetectionModel

__all__ = ["silero"]


def silero(**kwargs: Any) -> PauseDetectionModel:
    """fastrtc's default Silero VAD; needs ``fastrtc[vad]`` and its weights."""
    if kwargs:
        raise TypeError(f"the silero VAD takes no options (got {', '.join(kwargs)})")
    if importlib.util.find_spec("onnxruntime") is None:
        raise PluginRuntimeError(
            "the silero VAD needs onnxruntime: run 'pip install \"fastrtc[vad]\"'"
        )
    from fastrtc.pause_detection import get_silero_model

    return get_silero_model()
