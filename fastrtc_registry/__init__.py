"""Find, validate and load FastRTC VAD models and turn-taking algorithms by name.

    # pip install "fastrtc-registry[webrtc]"
    from fastrtc import Stream
    from fastrtc_registry import reply_on_pause

    def echo(audio):
        yield audio

    handler = reply_on_pause(echo, vad="webrtc", turn_taking="pause")
    Stream(handler, modality="audio", mode="send-receive")

Importing this package is cheap: fastrtc and plugin code are imported only
when a plugin is loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .discovery import PluginRecord, installed_plugins
    from .errors import (
        AmbiguousPluginError,
        PluginKindError,
        PluginLoadError,
        PluginNameTypeError,
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
    "PluginNameTypeError",
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

# Where each public name lives. They are imported on first use (PEP 562), so
# that ``import fastrtc_registry.cli`` does not pay for discovery and loading
# (importlib.metadata, the catalog, email, inspect) before a command needs them.
_HOMES = {
    "PluginRecord": "discovery",
    "installed_plugins": "discovery",
    "AmbiguousPluginError": "errors",
    "PluginKindError": "errors",
    "PluginLoadError": "errors",
    "PluginNotFoundError": "errors",
    "PluginNotInstalledError": "errors",
    "PluginNameTypeError": "errors",
    "PluginRuntimeError": "errors",
    "RegistryError": "errors",
    "PluginCopyWarning": "loading",
    "load_turn_taking": "loading",
    "load_vad": "loading",
    "reply_on_pause": "loading",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
