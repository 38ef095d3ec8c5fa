"""Worker side: import, build and observe plugin code; report raw facts, never verdicts.

Each handler takes a typed request and the worker's state (the loaded
object, the built model or handler) and returns a typed reply. Named
observations (``ObserveRequest.probe``) are looked up in :data:`PROBES`,
filled by :mod:`.observe_vad`, :mod:`.observe_turn_taking` and
:mod:`.observe_conversations` (the shared toolkit is :mod:`.probes`).
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable
from typing import Any

from ..contract import copy_owner, import_object, inherits_copy, missing_vad_methods
from .probe_facts import CopyFacts, NoFacts
from .probes import PROBES, Observed, State, exc_info, observed_call, probe, signature_fact
from .protocol import (
    BuildReply,
    BuildRequest,
    LoadReply,
    LoadRequest,
    ObjectFacts,
    ObserveReply,
    ObserveRequest,
    Reply,
    SignatureFact,
)

__all__ = ["HANDLERS"]


def _load(request: LoadRequest, state: State) -> Reply:
    started = time.perf_counter()
    try:
        obj = import_object(request.object)
    except Exception as exc:
        cause = exc.__cause__ if exc.__cause__ is not None else exc
        return LoadReply(error=exc_info(cause), elapsed_s=time.perf_counter() - started)
    state.update(object=obj, kind=request.kind, name=request.name)
    return LoadReply(facts=_facts(obj, request.kind), elapsed_s=time.perf_counter() - started)


def _facts(obj: Any, kind: str) -> ObjectFacts:
    is_class = inspect.isclass(obj)
    qualname = getattr(obj, "__qualname__", type(obj).__name__)
    facts: dict[str, Any] = {}
    if kind == "vad":
        if is_class:
            facts["missing_methods"] = missing_vad_methods(obj)
    else:
        from fastrtc import ReplyOnPause
        from fastrtc.reply_on_pause import AppState

        subclass = is_class and issubclass(obj, ReplyOnPause)
        facts["is_reply_on_pause"] = subclass
        if subclass:
            facts["copy_owner"] = getattr(copy_owner(obj), "__qualname__", None)
            facts["copy_inherited"] = inherits_copy(obj)
            facts["signatures"] = (
                signature_fact(obj, "determine_pause", (object(), None, 48000, AppState())),
            )
    return ObjectFacts(qualname, type(obj).__name__, is_class, callable(obj), **facts)


def _build(request: BuildRequest, state: State) -> Reply:
    obj, kind = state["object"], state["kind"]
    started = time.perf_counter()
    try:
        if kind == "vad":
            built = obj()
        else:
            from .observe_turn_taking import ReferenceVAD, reply_recorder

            built = obj(reply_recorder([]), model=ReferenceVAD())
    except Exception as exc:
        return BuildReply(error=exc_info(exc), elapsed_s=time.perf_counter() - started)
    elapsed = time.perf_counter() - started
    state["built"] = built
    signatures: tuple[SignatureFact, ...]
    if kind == "vad":
        signatures = (
            signature_fact(built, "vad", ((16000, None), None)),
            signature_fact(built, "warmup", ()),
        )
    else:
        from fastrtc.reply_on_pause import AppState

        signatures = (signature_fact(built, "determine_pause", (None, 48000, AppState())),)
    return BuildReply(built_type=type(built).__qualname__, signatures=signatures, elapsed_s=elapsed)


def _observe(request: ObserveRequest, state: State) -> Reply:
    if request.probe not in PROBES:
        # Importing them registers their probes.
        from . import observe_conversations, observe_turn_taking, observe_vad  # noqa: F401
    calls, facts = PROBES[request.probe](state)
    return ObserveReply(request.probe, calls, facts)


@probe("imp.warmup")
def _warmup(state: State) -> Observed:
    record, _ = observed_call("warmup()", state["built"].warmup)
    error = record.error
    state["warmed_up"] = error is None
    shape = error.vad_shape if error is not None else None
    if (
        error is None
        or error.vad_dtype not in _OTHER_DTYPE
        or not shape
        or math.prod(shape) > _MAX_TWIN
    ):
        return (record,), NoFacts()
    # warmup() crashed inside its own vad() call: is it the dtype? The same call with
    # the other dtype fastrtc passes (zeros, as warmups use) says.
    import numpy as np

    from .observe_vad import vad_call

    other = _OTHER_DTYPE[error.vad_dtype]
    twin = np.zeros(shape, dtype=other)
    label = f"the input of warmup()'s vad() call, as {other}"
    return (record, vad_call(state, int(error.vad_rate or 16000), twin, label)), NoFacts()


_OTHER_DTYPE = {"float32": "int16", "int16": "float32"}
_MAX_TWIN = 10_000_000  # samples: a larger input is not remade


@probe("imp.copy")
def _copy(state: State) -> Observed:
    handler = state["built"]
    record, copied = observed_call("copy()", handler.copy)
    if record.error is not None:
        return (record,), None
    return (record,), CopyFacts(type(copied).__qualname__, type(copied) is type(handler))


HANDLERS: dict[str, Callable[[Any, State], Reply]] = {
    "load": _load,
    "build": _build,
    "observe": _observe,
}
