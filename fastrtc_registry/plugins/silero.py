"""The built-in ``silero`` VAD: fastrtc's own Silero model, by name."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

from ..errors import PluginRuntimeError

if TYPE_CHECKING:
    from fastrtc.pause_detection import PauseDetectionModel

__all__ = ["silero"]


def silero(**kwargs: Any) -> PauseDetectionModel:
    """fastrtc's default Silero VAD; needs ``fastrtc[vad]`` (onnxruntime) and its weights."""
    if kwargs:
        raise TypeError(f"the silero VAD takes no options (got {', '.join(kwargs)})")
    if importlib.util.find_spec("onnxruntime") is None:
        # On a fork (fastrtc-compact), "fastrtc[vad]" would install fastrtc over it.
        from ..packages import fastrtc_host, host_extra_command

        command = host_extra_command(fastrtc_host(), "vad", ("onnxruntime",))
        raise PluginRuntimeError(f"the silero VAD needs onnxruntime: run '{command}'")
    from fastrtc.pause_detection import get_silero_model

    return get_silero_model()
