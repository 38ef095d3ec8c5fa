"""The plugin contract: what an entry point's object must be, read without building it.

One rule for loading by name (:mod:`.loading`), for the worker that reports
the object's facts (:mod:`.validation.observe`) and for the check that judges
them (IMP102 in :mod:`.checks.imports`).
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import PluginLoadError

__all__ = [
    "VAD_METHODS",
    "copy_owner",
    "import_object",
    "inherits_copy",
    "kind_problem",
    "missing_vad_methods",
]


def import_object(spec: str) -> Any:
    """Import ``module:attr.attr``; a failure raises :class:`PluginLoadError` chained."""
    module_name, sep, attr_path = spec.partition(":")
    if not sep or not module_name or not attr_path:
        raise PluginLoadError(f"object reference {spec!r} is not of the form 'module:attr'")
    try:
        obj: Any = importlib.import_module(module_name)
    except Exception as exc:
        raise PluginLoadError(
            f"importing {module_name!r} failed: {type(exc).__name__}: {exc}"
        ) from exc
    for attr in attr_path.split("."):
        try:
            obj = getattr(obj, attr)
        except AttributeError as exc:
            raise PluginLoadError(f"{spec!r}: module {module_name!r} has no {attr!r}") from exc
    return obj


VAD_METHODS = ("vad", "warmup")
"""What fastrtc's PauseDetectionModel protocol calls on a VAD."""


def missing_vad_methods(obj: Any) -> tuple[str, ...]:
    """Of :data:`VAD_METHODS`, those ``obj`` lacks."""
    return tuple(m for m in VAD_METHODS if not callable(getattr(obj, m, None)))


def kind_problem(
    kind: str,
    label: str,
    *,
    qualname: str,
    type_name: str,
    is_class: bool,
    is_callable: bool,
    missing_methods: tuple[str, ...] = (),
    is_reply_on_pause: bool = False,
) -> str | None:
    """Why an object does not fit ``kind``'s contract, or None when it does.

    The one rule for loading by name (:func:`check_object_kind`) and for the
    suite's IMP102, which gets the same facts from the worker.
    """
    if kind == "vad":
        if not is_callable:
            return (
                f"{label} points at a {type_name}, not a class or factory; a fastrtc.vad "
                "entry point must be callable with keyword arguments and return an object "
                "with vad(audio, options) and warmup()"
            )
        if is_class and missing_methods:
            missing = " or ".join(f"{m}()" for m in missing_methods)
            return (
                f"{label} points at class {qualname}, which has no {missing}; a VAD must "
                "implement fastrtc's PauseDetectionModel protocol"
            )
        return None
    if not is_reply_on_pause:
        what = qualname if is_class else type_name
        return (
            f"{label} points at {what}, which is not a subclass of fastrtc.ReplyOnPause; "
            "a fastrtc.turn_taking entry point must name such a class"
        )
    return None


def copy_owner(cls: type) -> type | None:
    """The class along ``cls``'s MRO that defines ``copy()``."""
    return next((k for k in cls.__mro__ if "copy" in vars(k)), None)


def inherits_copy(cls: type) -> bool:
    """True when a ReplyOnPause subclass keeps ReplyOnPause's own ``copy()``.

    That ``copy()`` builds a plain ReplyOnPause, dropping the subclass on every
    connection after the first.
    """
    from fastrtc import ReplyOnPause

    return copy_owner(cls) is ReplyOnPause and cls is not ReplyOnPause
