"""Worker side: what every probe shares: the registry, recorded calls, exception facts.

A probe (registered with :func:`probe`) calls plugin code through
:func:`observed_call` and returns what it saw; :mod:`.observe` serves them.
Kept apart from :mod:`.observe` and :mod:`.worker` so that the probe modules,
the request handlers and the process's main loop import it without circles.
"""

from __future__ import annotations

import inspect
import os
import time
from collections.abc import Callable
from typing import Any

from .probe_facts import ProbeFacts
from .process import MEMORY_VARIABLE, format_size
from .protocol import CallRecord, ExcInfo, SignatureFact, encode_value

__all__ = [
    "PROBES",
    "Observed",
    "Probe",
    "State",
    "exc_info",
    "observed_call",
    "probe",
    "signature_fact",
]

State = dict[str, Any]
Observed = tuple[tuple[CallRecord, ...], ProbeFacts | None]
"""What a probe saw: the plugin calls it made, and its typed facts (None after a raise)."""
Probe = Callable[[State], Observed]
PROBES: dict[str, Probe] = {}


def probe(name: str) -> Callable[[Probe], Probe]:
    """Register a worker-side observation under ``name`` (what checks list in ``needs``).

    The reply is sent under the name the request asked for, so a probe never
    repeats it.
    """

    def register(func: Probe) -> Probe:
        PROBES[name] = func
        return func

    return register


def observed_call(
    label: str, func: Callable[..., Any], *args: Any, **kwargs: Any
) -> tuple[CallRecord, Any]:
    """Call plugin code; the record (answer encoded, or the exception) and the raw answer."""
    started = time.perf_counter()
    try:
        answer = func(*args, **kwargs)
    except Exception as exc:
        return CallRecord(label, error=exc_info(exc), elapsed_s=time.perf_counter() - started), None
    elapsed = time.perf_counter() - started
    return CallRecord(label, answer=encode_value(answer), elapsed_s=elapsed), answer


def signature_fact(owner: Any, method: str, args: tuple[Any, ...]) -> SignatureFact:
    """Whether ``owner.method`` exists and binds ``args`` (include ``self`` for a class)."""
    func = getattr(owner, method, None)
    if not callable(func):
        return SignatureFact(method, present=False)
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return SignatureFact(method, present=True)  # builtins: the behaviour checks will tell
    error = None
    try:
        signature.bind(*args)
    except TypeError as exc:
        error = str(exc)
    shown = signature
    if inspect.isclass(owner):  # show the method as callers see it, without self
        shown = signature.replace(parameters=list(signature.parameters.values())[1:])
    required_kw = any(
        p.kind is p.KEYWORD_ONLY and p.default is p.empty for p in signature.parameters.values()
    )
    return SignatureFact(method, True, str(shown), error, required_kw)


def exc_info(exc: BaseException) -> ExcInfo:
    """The facts of an exception raised by plugin code (worker side)."""
    try:
        from ..network_errors import is_network_error

        network = is_network_error(exc)
    except Exception:
        network = False
    bases = tuple(c.__name__ for c in type(exc).__mro__[1:] if c not in (object, BaseException))
    message = str(exc)[:2000]
    limit = int(os.environ.get(MEMORY_VARIABLE) or 0)
    if isinstance(exc, MemoryError) and limit > 0:
        message = f"{message} [the worker's memory limit is {format_size(limit)}]"
    host = getattr(exc, "fastrtc_host", None)
    if host is None and network:
        from .netguard import network_target

        host = network_target(exc)
    where, vad_input = _raised_in(exc)
    rate, dtype, shape = vad_input or (None, None, None)
    return ExcInfo(type(exc).__name__, message, network, host, bases, where, rate, dtype, shape)


def _raised_in(
    exc: BaseException,
) -> tuple[str | None, tuple[int, str, tuple[int, ...]] | None]:
    """Where ``exc`` was raised, and the input of the outermost ``vad()`` call it came through.

    A ``warmup()`` that calls ``self.vad(...)`` on an input the model rejects
    is a crash of ``vad()``; the frame's own argument says on what.
    """
    where = vad_input = None
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        where = f"{os.path.basename(code.co_filename)}:{tb.tb_lineno} in {code.co_name}"
        if vad_input is None and code.co_name == "vad":
            vad_input = _audio_argument(tb.tb_frame)
        tb = tb.tb_next
    return where, vad_input


def _audio_argument(frame: Any) -> tuple[int, str, tuple[int, ...]] | None:
    code = frame.f_code
    names = code.co_varnames[: code.co_argcount]
    if names and names[0] in ("self", "cls"):
        names = names[1:]
    if not names:
        return None
    try:
        audio = frame.f_locals.get(names[0])
        if not isinstance(audio, tuple) or len(audio) != 2:
            return None
        rate, samples = audio
        import numpy as np

        if not isinstance(samples, np.ndarray) or isinstance(rate, bool):
            return None
        return int(rate), str(samples.dtype), tuple(int(n) for n in samples.shape)
    except Exception:  # a plugin's own types: not worth a crash of the worker
        return None
