"""Load plugins by name: the public API (docs/using.md).

``load_vad`` and ``load_turn_taking`` resolve a name against the installed
plugins (see :mod:`fastrtc_registry.discovery`), import the object, check it
is of the right kind and, for a VAD, build and warm it up. ``reply_on_pause``
puts the two together into a handler for ``fastrtc.Stream``.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._text import truncate
from .catalog import Catalog, CatalogEntry
from .contract import copy_owner, import_object, inherits_copy, kind_problem, missing_vad_methods
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
from .names import Kind, canonicalize, close_names, did_you_mean, split_qualified
from .network_errors import is_network_error

if TYPE_CHECKING:
    from fastrtc import ReplyOnPause
    from fastrtc.pause_detection import PauseDetectionModel

__all__ = [
    "PluginCopyWarning",
    "check_object_kind",
    "find_plugin",
    "import_object",
    "is_network_error",
    "load_turn_taking",
    "load_vad",
    "reply_on_pause",
]


class PluginCopyWarning(UserWarning):
    """A turn-taking plugin would lose its class in ``copy()``; the registry kept it."""


def find_plugin(
    name: str,
    kind: Kind,
    *,
    path: Sequence[str] | None = None,
    catalog: Catalog | None = None,
) -> PluginRecord:
    """The one installed plugin called ``name`` (or ``package:name``) of ``kind``.

    Never waits on the network: the catalog it consults is the embedded one or
    an already-cached copy of a hosted one.
    """
    if not isinstance(name, str):
        raise PluginNameTypeError(
            f"a {_label(kind)} is asked for by name, a string such as 'silero' or "
            f"'package:name', not {type(name).__name__}"
        )
    if catalog is None:
        catalog = _local_catalog()
    package, wanted = split_qualified(name)
    everything = installed_plugins(path=path, catalog=catalog)
    available = [p for p in everything if p.kind == kind]
    named = [p for p in available if p.name == wanted]
    matches = [p for p in named if package is None or canonicalize(p.package) == package]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        packages = [p.package for p in matches]
        picks = " or ".join(f"'{p.qualified_name}'" for p in matches)
        raise AmbiguousPluginError(
            f"{_label(kind)} {_shown(wanted)} is declared by {len(matches)} packages "
            f"({', '.join(packages)}); pick one with {picks}, or uninstall one of them.",
            name=wanted,
            packages=packages,
        )
    if package is not None:
        raise _not_in_package(package, wanted, kind, everything, named)
    other = [p for p in everything if p.kind != kind and p.name == wanted]
    if other:
        raise _other_kind(wanted, kind, other[0])
    elsewhere = [e for e in catalog.find(wanted) if e.kind != kind]
    if elsewhere and not catalog.find(wanted, kind):
        entry = elsewhere[0]
        raise PluginNotFoundError(
            f"{_shown(wanted)} is a {_label(entry.kind)} (package {entry.package!r}, not "
            f"installed), not a {_label(kind)}; install it with '{entry.install_command}' "
            f"and load it with {_loader(entry.kind)}({_shown(wanted)}).",
            name=wanted,
            kind=kind,
            install=entry.install_command,
        )
    raise _not_found(name, wanted, kind, available, catalog.find(wanted, kind))


def _shown(name: str, limit: int = 60) -> str:
    """``name`` quoted for a message, cut to ``limit`` characters with an ellipsis."""
    return repr(truncate(name, limit))


def _local_catalog() -> Catalog:
    """The catalog without touching the network: embedded, a file, or a cached hosted copy."""
    from .catalog import load_catalog

    return load_catalog(network=False)


def _label(kind: Kind) -> str:
    return "VAD plugin" if kind == "vad" else "turn-taking plugin"


def _loader(kind: Kind) -> str:
    return "load_vad" if kind == "vad" else "load_turn_taking"


def _not_in_package(
    package: str,
    wanted: str,
    kind: Kind,
    everything: Sequence[PluginRecord],
    named: Sequence[PluginRecord],
) -> PluginNotFoundError:
    declared = sorted(
        {p.name for p in everything if p.kind == kind and canonicalize(p.package) == package}
    )
    if any(canonicalize(p.package) == package for p in everything) or declared:
        what = (
            f"it declares {', '.join(repr(n) for n in declared)}"
            if declared
            else f"it declares no {_label(kind)}"
        )
        advice = (
            f"the package {_shown(package)} declares no {_label(kind)} {_shown(wanted)}; {what}."
        )
    else:
        advice = (
            f"no installed package {_shown(package)} declares a {_label(kind)} {_shown(wanted)}."
        )
    if named:
        picks = " or ".join(f"'{p.qualified_name}'" for p in named)
        advice += (
            f" {_shown(wanted)} is declared by {', '.join(p.package for p in named)}: use {picks}."
        )
    return PluginNotFoundError(advice, name=wanted, kind=kind)


def _other_kind(wanted: str, kind: Kind, record: PluginRecord) -> PluginNotFoundError:
    return PluginNotFoundError(
        f"{_shown(wanted)} is a {_label(record.kind)} (from {record.package}), not a "
        f"{_label(kind)}; load it with {_loader(record.kind)}({_shown(wanted)}).",
        name=wanted,
        kind=kind,
    )


def _not_found(
    raw: str,
    wanted: str,
    kind: Kind,
    available: Sequence[PluginRecord],
    known: Sequence[CatalogEntry],
) -> PluginNotFoundError:
    if known:
        entry = known[0]
        hint = _compatibility_hint(entry)
        return PluginNotInstalledError(
            f"{_label(kind)} {_shown(wanted)} is not installed; it comes from the package "
            f"{entry.package!r}: run '{entry.install_command}'.{hint}",
            name=wanted,
            kind=kind,
            install=entry.install_command,
        )
    names = sorted({p.name for p in available})
    close = close_names(wanted, names)
    if close:
        advice = did_you_mean(close)
    elif names:
        advice = "installed: " + ", ".join(names) + "."
    else:
        advice = "none is installed."
    flag = "vad" if kind == "vad" else "turn-taking"
    return PluginNotFoundError(
        f"no {_label(kind)} named {_shown(raw)}; {advice} "
        f"Find more with 'fastrtc-plugins search --kind {flag}'.",
        name=wanted,
        kind=kind,
        suggestions=close,
    )


def _compatibility_hint(entry: CatalogEntry) -> str:
    import platform

    from .packages import python_allowed

    here = platform.python_version()
    if python_allowed(entry.requires_python, here) is not False:
        return ""
    return f" Note: it requires Python {entry.requires_python} and this is Python {here}."


def check_object_kind(obj: Any, kind: Kind, name: str = "") -> None:
    """Raise :class:`PluginKindError` unless ``obj`` fits the ``kind``'s contract."""
    label = f"{_label(kind)} {name!r}" if name else _label(kind)
    is_class = inspect.isclass(obj)
    subclass = False
    if kind != "vad":
        from fastrtc import ReplyOnPause

        subclass = is_class and issubclass(obj, ReplyOnPause)
    problem = kind_problem(
        kind,
        label,
        qualname=getattr(obj, "__qualname__", type(obj).__name__),
        type_name=type(obj).__name__,
        is_class=is_class,
        is_callable=callable(obj),
        missing_methods=missing_vad_methods(obj) if kind == "vad" and is_class else (),
        is_reply_on_pause=subclass,
    )
    if problem is not None:
        raise PluginKindError(problem + ".")


def _load_object(record: PluginRecord) -> Any:
    try:
        obj = import_object(record.object)
    except PluginLoadError as exc:
        cause = exc.__cause__ or exc
        raise PluginLoadError(
            f"{_label(record.kind)} {record.name!r} from {record.package} "
            f"{record.version} failed to import ({record.object}): "
            f"{type(cause).__name__}: {cause}"
        ) from cause
    check_object_kind(obj, record.kind, record.name)
    return obj


def load_vad(name: str, /, *, warmup: bool = True, **kwargs: Any) -> PauseDetectionModel:
    """Build the VAD plugin ``name`` with ``kwargs`` and warm it up."""
    record = find_plugin(name, "vad")
    factory = _load_object(record)
    label = f"{_label('vad')} {record.name!r} ({record.package})"
    try:
        model = factory(**kwargs)
    except RegistryError:
        raise
    except Exception as exc:
        if is_network_error(exc):
            raise PluginRuntimeError(
                f"{label} needs the network to build itself (it downloads model files) "
                f"and the download failed: {type(exc).__name__}. Connect, or pre-fetch "
                "its files into the local cache, then try again."
            ) from exc
        raise PluginRuntimeError(f"building {label} failed: {type(exc).__name__}: {exc}") from exc
    if not callable(getattr(model, "vad", None)):
        raise PluginKindError(
            f"{label} returned a {type(model).__name__}, which has no vad(audio, options) "
            "method; fastrtc.vad factories must return a PauseDetectionModel."
        )
    if warmup and callable(getattr(model, "warmup", None)):
        try:
            model.warmup()
        except Exception as exc:
            raise PluginRuntimeError(
                f"{label} failed to warm up: {type(exc).__name__}: {exc}"
            ) from exc
    return model


def load_turn_taking(name: str, /) -> type[ReplyOnPause]:
    """The ``ReplyOnPause`` subclass registered as the turn-taking plugin ``name``."""
    record = find_plugin(name, "turn-taking")
    cls: type[ReplyOnPause] = _load_object(record)
    return cls


def reply_on_pause(
    fn: Callable[..., Any],
    *,
    vad: str | PauseDetectionModel | None = None,
    turn_taking: str | type[ReplyOnPause] = "pause",
    vad_options: Mapping[str, Any] | None = None,
    warmup: bool = True,
    **handler_kwargs: Any,
) -> ReplyOnPause:
    """A handler for ``fastrtc.Stream``: the turn-taking plugin driven by the VAD plugin.

    ``vad`` defaults to fastrtc's Silero model (plugin ``silero``); a model
    already built (``load_vad(...)``'s result, or any object with ``vad()``) is
    used as it is, and ``turn_taking`` may likewise be a ``ReplyOnPause``
    subclass. ``vad_options`` are keyword arguments for building the VAD;
    ``handler_kwargs`` go to the handler (``algo_options``, ``model_options``,
    ``can_interrupt``, ...). The handler's ``copy()`` keeps the plugin class
    and these settings even when the plugin does not override ``copy()``.
    """
    if isinstance(turn_taking, type):
        check_object_kind(turn_taking, "turn-taking", turn_taking.__qualname__)
        cls = turn_taking
        turn_taking = cls.__qualname__
    else:
        cls = load_turn_taking(turn_taking)
    if vad is not None and not isinstance(vad, str):
        if not callable(getattr(vad, "vad", None)):
            raise PluginNameTypeError(
                "vad= takes a VAD plugin's name (such as 'silero') or a built model with a "
                f"vad(audio, options) method, not {type(vad).__name__}"
            )
        if vad_options:
            raise PluginNameTypeError("vad_options= builds a VAD by name; pass them to load_vad")
        model = vad
    else:
        model = load_vad(vad or "silero", warmup=warmup, **dict(vad_options or {}))
    kwargs = {**handler_kwargs, "model": model}
    try:
        handler = cls(fn, **kwargs)
    except ImportError as exc:
        raise PluginLoadError(
            f"turn-taking plugin {turn_taking!r} ({cls.__qualname__}) needs a package that is "
            f"not installed: {exc}"
        ) from exc
    except TypeError as exc:
        raise PluginRuntimeError(
            f"turn-taking plugin {turn_taking!r} ({cls.__qualname__}) rejected the "
            f"handler arguments: {exc}"
        ) from exc
    if not _overrides_copy(cls):
        warnings.warn(
            f"turn-taking plugin {turn_taking!r} ({cls.__module__}.{cls.__qualname__}) "
            "does not override copy(), so fastrtc would replace it with a plain "
            "ReplyOnPause on every connection; fastrtc-registry keeps the class and "
            "settings. Please report this to the plugin's author.",
            PluginCopyWarning,
            stacklevel=2,
        )
        _keep_class_on_copy(handler, cls, fn, kwargs)
    return handler


def _overrides_copy(cls: type) -> bool:
    return copy_owner(cls) is not None and not inherits_copy(cls)


def _keep_class_on_copy(
    handler: ReplyOnPause,
    cls: type[ReplyOnPause],
    fn: Callable[..., Any],
    kwargs: Mapping[str, Any],
) -> None:
    def copy() -> ReplyOnPause:
        fresh = cls(fn, **kwargs)
        _keep_class_on_copy(fresh, cls, fn, kwargs)
        return fresh

    # An instance attribute shadows the inherited method that builds a plain ReplyOnPause.
    handler.copy = copy  # type: ignore[method-assign]
