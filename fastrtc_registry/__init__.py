"""Find, validate and load FastRTC VAD models and turn-taking algorithms by name.

    from fastrtc import Stream
    from fastrtc_registry import reply_on_pause

    handler = reply_on_pause(echo, vad="webrtc", turn_taking="pause")
    Stream(handler, modality="audio", mode="send-receive")

Importing this package is cheap: fastrtc and plugin code are imported only
when a plugin is loaded.
"""

from __future__ import annotations

from ._version import __version__
from .discovery import PluginRecord, installed_plugins
from .errors import (
    AmbiguousPluginError,
    PluginKindError,
    PluginLoadError,
    PluginNotFoundError,
    PluginNotInstalledError,
    PluginRuntimeError,
    RegistryError,
)
from .loading import PluginCopyWarning, load_turn_taking, load_vad, reply_on_pause

__all__ = [
    "AmbiguousPluginError",
    "PluginCopyWarning",
    "PluginKindError",
    "PluginLoadError",
    "PluginNotFoundError",
    "PluginNotInstalledError",
    "PluginRecord",
    "PluginRuntimeError",
    "RegistryError",
    "__version__",
    "installed_plugins",
    "load_turn_taking",
    "load_vad",
    "reply_on_pause",
]
