"""Tier 1: the entry point imports, has the right kind, builds, and has the right signatures.

Runs inside the worker only. Returns the built object (a VAD model or a
turn-taking handler) for the behaviour checks, or None when it could not be
built.
"""

from __future__ import annotations

import inspect
from typing import Any

from .._worker import format_exception
from ..names import Kind
from ._base import CheckError, CheckFailed, CheckWarning, Recorder, call

__all__ = ["run_import_checks"]

_NEEDS_NETWORK = (
    "needs network: building it downloads files and the download failed ({error}). "
    "Connect (or pre-fetch its files into the local cache) and validate again; "
    "consider shipping the weights in the wheel so it works offline."
)


def run_import_checks(rec: Recorder, spec: str, kind: Kind, name: str) -> Any:
    """Run IMP101-IMP107 on the entry point ``spec``; the built object or None."""
    holder: dict[str, Any] = {}

    def imports() -> str:
        from ..loading import import_object, is_network_error

        try:
            holder["obj"] = import_object(spec)
        except Exception as exc:
            cause = exc.__cause__ or exc
            if is_network_error(cause):
                raise CheckError(_NEEDS_NETWORK.format(error=format_exception(cause))) from exc
            raise CheckFailed(
                f"importing {spec} raised {format_exception(cause)}; the entry point must "
                "import with only the package's declared dependencies installed"
            ) from exc
        return f"imported {spec}"

    def right_kind() -> str:
        from ..loading import check_object_kind

        try:
            check_object_kind(holder["obj"], kind, name)
        except TypeError as exc:
            raise CheckFailed(str(exc)) from exc
        return f"{_describe(holder['obj'])} fits the {kind} contract"

    rec.run("IMP101", imports)
    if "obj" not in holder:
        _skip_rest(rec, kind, "the entry point did not import (IMP101)")
        return None
    rec.run("IMP102", right_kind)
    if not rec.passed("IMP102"):
        _skip_rest(rec, kind, "the object is not of the declared kind (IMP102)")
        return None
    if kind == "vad":
        return _vad(rec, holder["obj"])
    return _turn_taking(rec, holder["obj"])


def _build_error(exc: BaseException, what: str, expected: str) -> Exception:
    from ..errors import PluginRuntimeError
    from ..loading import is_network_error

    if is_network_error(exc):
        return CheckError(_NEEDS_NETWORK.format(error=format_exception(exc)))
    if isinstance(exc, (ImportError, PluginRuntimeError)):
        return CheckError(f"cannot be built here: {format_exception(exc)}")
    return CheckFailed(f"{what} raised {format_exception(exc)}; the protocol expects {expected}")


def _vad(rec: Recorder, factory: Any) -> Any:
    built: dict[str, Any] = {}

    def builds() -> str:
        try:
            model = factory()
        except Exception as exc:
            raise _build_error(
                exc,
                f"{_describe(factory)}()",
                "it to build with no arguments (every option defaulted)",
            ) from exc
        if not callable(getattr(model, "vad", None)):
            raise CheckFailed(
                f"{_describe(factory)}() returned a {type(model).__name__}, which has no "
                "vad(audio, options); a fastrtc.vad factory must return a PauseDetectionModel"
            )
        built["model"] = model
        return f"built a {type(model).__name__}"

    def signatures() -> str:
        model = built["model"]
        _require_bindable(model.vad, "vad", ((16000, None), None), "vad(audio, options)")
        warmup = getattr(model, "warmup", None)
        if not callable(warmup):
            raise CheckFailed(
                f"{type(model).__name__} has no warmup(); the protocol "
                "expects warmup() -> None (it may do nothing)"
            )
        _require_bindable(warmup, "warmup", (), "warmup()")
        return "vad(audio, options) and warmup() match PauseDetectionModel"

    def warms_up() -> str:
        call("warmup()", built["model"].warmup)
        return "warmup() returned"

    rec.run("IMP103", builds)
    if "model" not in built:
        _skip_rest(rec, "vad", "it could not be built (IMP103)")
        return None
    rec.run("IMP104", signatures)
    if not rec.passed("IMP104"):
        _skip_rest(rec, "vad", "its methods do not match the protocol (IMP104)")
        return None
    rec.run("IMP105", warms_up)
    return built["model"]


def _turn_taking(rec: Recorder, cls: type) -> Any:
    from .turn_taking import ReferenceVAD, reply_recorder

    built: dict[str, Any] = {}

    def builds() -> str:
        try:
            built["handler"] = cls(reply_recorder([]), model=ReferenceVAD())
        except Exception as exc:
            raise _build_error(
                exc,
                f"{cls.__qualname__}(fn, model=...)",
                "ReplyOnPause's parameters, with every other option defaulted",
            ) from exc
        return f"built {cls.__qualname__}(fn, model=<reference VAD>)"

    def signatures() -> str:
        from fastrtc.reply_on_pause import AppState

        _require_bindable(
            built["handler"].determine_pause,
            "determine_pause",
            (None, 48000, AppState()),
            "determine_pause(audio, sampling_rate, state)",
        )
        return "determine_pause(audio, sampling_rate, state) matches ReplyOnPause"

    def overrides_copy() -> str:
        from fastrtc import ReplyOnPause

        owner = next((k for k in cls.__mro__ if "copy" in vars(k)), None)
        if owner is ReplyOnPause and cls is not ReplyOnPause:
            raise CheckFailed(
                f"{cls.__qualname__} inherits ReplyOnPause.copy(), which builds a plain "
                "ReplyOnPause: every real connection (Stream calls copy()) loses the "
                "algorithm; override copy() to return the same class with the same settings"
            )
        return f"copy() is defined by {owner.__qualname__ if owner else '?'}"

    def copy_type() -> str:
        handler = built["handler"]
        copied = call("copy()", handler.copy)
        if type(copied) is not type(handler):
            raise CheckFailed(
                f"copy() returned a {type(copied).__qualname__}, not a {cls.__qualname__}; "
                "Stream uses the copy for each connection, so it must be the same class"
            )
        return f"copy() returned a {cls.__qualname__}"

    rec.run("IMP103", builds)
    if "handler" not in built:
        _skip_rest(rec, "turn-taking", "it could not be built (IMP103)")
        return None
    rec.run("IMP104", signatures)
    rec.run("IMP106", overrides_copy)
    rec.run("IMP107", copy_type)
    if not rec.passed("IMP104"):
        return None
    return built["handler"]


def _require_bindable(method: Any, name: str, args: tuple[Any, ...], expected: str) -> None:
    try:
        signature = inspect.signature(method)
    except (TypeError, ValueError):
        return  # builtins without a signature: the behaviour checks will tell
    try:
        signature.bind(*args)
    except TypeError as exc:
        raise CheckFailed(
            f"{name}{signature} cannot be called as {expected} ({exc}); "
            "the protocol calls it with exactly those positional arguments"
        ) from exc
    if any(
        p.kind is p.KEYWORD_ONLY and p.default is p.empty for p in signature.parameters.values()
    ):
        raise CheckWarning(
            f"{name}{signature} has required keyword-only parameters, "
            f"which fastrtc never passes; expected {expected}"
        )


def _describe(obj: Any) -> str:
    return getattr(obj, "__qualname__", type(obj).__name__)


def _skip_rest(rec: Recorder, kind: Kind, reason: str) -> None:
    from .ids import planned_checks

    done = {r.id for r in rec.results}
    for info in planned_checks(kind, tiers=(1, 2)):
        if info.id not in done:
            rec.skip(info.id, f"not run: {reason}")
