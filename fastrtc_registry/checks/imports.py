"""Tier 1 checks: the entry point imports, has the right kind, builds, has the right signatures.

Judged in the parent from the worker's ``load`` and ``build`` replies and
the ``imp.*`` probes. Checks that need no instance (IMP104 on a class,
IMP106) run on the class, so they run even when building needs a download.
"""

from __future__ import annotations

from ..contract import kind_problem
from ..validation.probe_facts import CopyFacts
from ..validation.protocol import CallRecord, ExcInfo, SignatureFact
from .base import (
    CheckError,
    CheckFailed,
    CheckWarning,
    Crashed,
    NeedsNetwork,
    Observations,
    SkipAfter,
    check,
)

__all__ = [
    "check_builds",
    "check_copy_overridden",
    "check_copy_type",
    "check_imports",
    "check_object_kind",
    "check_signatures",
    "check_warmup",
    "crash_key",
    "crashed",
    "described_input",
    "needs_network",
    "raised",
]

_NEEDS_NETWORK = (
    "needs network: {what} downloads files and the download failed ({error}){host}. "
    "Connect (or pre-fetch its files into the local cache) and validate again; "
    "consider shipping the weights in the wheel so it works offline"
)


def needs_network(error: ExcInfo, what: str) -> NeedsNetwork:
    """The skip for a plugin that tried the network while doing ``what``."""
    host = f" (it tried {error.host})" if error.host else ""
    return NeedsNetwork(_NEEDS_NETWORK.format(what=what, error=error.line(), host=host), error.host)


def raised(label: str, error: ExcInfo) -> CheckFailed | CheckError:
    """``label raised Type: message``; a memory error is the worker's limit, not a failure."""
    if error.is_memory:
        return CheckError(
            f"{label} raised {error.line()}: the plugin ran out of memory under the worker's "
            "limit; raise it with --memory-limit or FASTRTC_PLUGINS_MEMORY_LIMIT if it is real"
        )
    return CheckFailed(f"{label} raised {error.line()}")


# What fixes a crash depends on the input that caused it, not on the check that met it.
_DTYPE_FIX = (
    "accept both int16 and float32 samples (fastrtc passes both; float32 is in [-1, 1]): "
    "convert by dtype (`x / 32768` for int16, float32 as it is) instead of asserting one "
    "(as VAD205 asks)."
)
_SHORT_FIX = "return `0.0, []` when there is not enough audio."  # VAD209's own
_SHORT = 160  # samples: the longest "very short" input of VAD209
_OTHER_DTYPE = {"int16": "float32", "float32": "int16"}


def crash_key(error: ExcInfo) -> tuple[str, ...]:
    """What makes two raised calls the same crash: the exception and where it was raised."""
    return (error.type, error.line(), error.where or "")


def described_input(rate: int, dtype: str, shape: tuple[int, ...]) -> str:
    """``vad((16000, float32 array of shape (0,)), None)``: a call's input, as fastrtc makes it."""
    return f"vad(({rate}, {dtype} array of shape {shape}), None)"


def crashed(obs: Observations, record: CallRecord) -> Exception:
    """What to raise for a plugin call that raised: the failure once, then skips after it.

    The first check to meet a crash reports it, naming the input that caused
    it (rate, dtype, shape) and the fix for that input; a later check whose
    calls raise the same way (:func:`crash_key`) is skipped ``after`` it.
    """
    error = record.error
    assert error is not None
    if error.is_memory:
        return raised(record.label, error)
    key = crash_key(error)
    if key in obs.crashes:
        root = obs.crashes[key]
        return SkipAfter(
            root, f"not run: {record.label} raised the {error.type} that {root} reported"
        )
    message = f"{record.label} raised {error.line()}"
    given: tuple[int, str, tuple[int, ...]] | None = None
    if record.dtype is not None and record.shape is not None:
        given = (record.rate, record.dtype, record.shape)
        message += f"; the call was {described_input(*given)}"
    elif error.vad_dtype is not None and error.vad_shape is not None:
        given = (error.vad_rate or 0, error.vad_dtype, error.vad_shape)
        message += f" inside its call {described_input(*given)}"
    if error.where:
        message += f" (at {error.where})"
    fix = None
    if given is not None:
        why, fix = _crash_cause(obs, *given)
        message += why
    return Crashed(message, key, fix=fix)


def _crash_cause(
    obs: Observations, rate: int, dtype: str, shape: tuple[int, ...]
) -> tuple[str, str | None]:
    """Why a call on this input raised, from the calls that did not; and its fix."""
    size = shape[0] if shape else 0
    answered = [r for reply in obs.probes.values() for r in reply.calls if r.error is None]
    other = _OTHER_DTYPE.get(dtype)
    if other and any(r.dtype == other and r.samples == size for r in answered):
        return (
            f"; {other} input of the same length was answered, so it is the {dtype} samples "
            "it rejects: fastrtc passes both int16 and float32 (in [-1, 1])",
            _DTYPE_FIX,
        )
    if size <= _SHORT and any(r.dtype == dtype and r.samples > size for r in answered):
        return (
            f"; longer {dtype} input was answered, so it is the {size}-sample length it "
            "rejects: fastrtc passes whatever audio it has",
            _SHORT_FIX,
        )
    return "", None


@check(
    "IMP101",
    "entry point imports",
    needs=("load",),
    doc="*Why:* nothing else can work otherwise. The message carries the plugin's own error.",
    fix="declare every dependency the module imports, and keep heavy optional imports "
    "inside functions.",
)
def check_imports(obs: Observations) -> str:
    """The entry point's module imports and has the attribute."""
    assert obs.load is not None
    error = obs.load.error
    if error is None:
        return f"imported {obs.spec}"
    if error.network:
        raise needs_network(error, "importing it")
    if error.is_memory:
        raise raised(f"importing {obs.spec}", error)
    raise CheckFailed(
        f"importing {obs.spec} raised {error.line()}; the entry point must import with only "
        "the package's declared dependencies installed"
    )


@check(
    "IMP102",
    "object is of the declared kind",
    needs=("load",),
    after=("IMP101",),
    doc="A VAD entry point is callable (a class with `vad()` and `warmup()`, or a factory); "
    "a turn-taking entry point is a subclass of `fastrtc.ReplyOnPause`.",
    fix="point the entry point at the class itself, in the right group.",
)
def check_object_kind(obs: Observations) -> str:
    """A VAD is a factory or a PauseDetectionModel class; a turn-taking plugin a ReplyOnPause."""
    facts = obs.loaded
    label = f"{'VAD' if obs.kind == 'vad' else 'turn-taking'} plugin {obs.name!r}"
    problem = kind_problem(
        obs.kind or "",
        label,
        qualname=facts.qualname,
        type_name=facts.type_name,
        is_class=facts.is_class,
        is_callable=facts.is_callable,
        missing_methods=facts.missing_methods,
        is_reply_on_pause=facts.is_reply_on_pause,
    )
    if problem is not None:
        raise CheckFailed(problem)
    return f"{facts.qualname} fits the {obs.kind} contract"


@check(
    "IMP103",
    "builds with default arguments",
    needs=("build",),
    after=("IMP102",),
    doc="A VAD: `factory()` returns an object with `vad()`. A turn-taking class: "
    "`cls(fn, model=<VAD>)` with every other option defaulted. A download failure is "
    "skipped as needs-network (with the host it tried), a missing optional dependency "
    "is an `error` naming it.",
    fix="give every option a default; make downloads lazy or ship the files.",
)
def check_builds(obs: Observations) -> str:
    """Building with default arguments works and gives a model with ``vad()``."""
    assert obs.build is not None
    error, qualname = obs.build.error, obs.loaded.qualname
    call = f"{qualname}()" if obs.kind == "vad" else f"{qualname}(fn, model=...)"
    if error is not None:
        if error.network:
            raise needs_network(error, "building it")
        if "ImportError" in (error.type, *error.bases) or error.type == "PluginRuntimeError":
            raise CheckError(f"cannot be built here: {error.line()}")
        if error.is_memory:
            raise raised(call, error)
        expected = (
            "it to build with no arguments (every option defaulted)"
            if obs.kind == "vad"
            else "ReplyOnPause's parameters, with every other option defaulted"
        )
        raise CheckFailed(f"{call} raised {error.line()}; the protocol expects {expected}")
    if obs.kind == "vad" and not _signature(obs.build.signatures, "vad").present:
        raise CheckFailed(
            f"{call} returned a {obs.build.built_type}, which has no vad(audio, options); "
            "a fastrtc.vad factory must return a PauseDetectionModel"
        )
    return f"built a {obs.build.built_type}"


def _signature(facts: tuple[SignatureFact, ...], method: str) -> SignatureFact:
    return next((f for f in facts if f.method == method), SignatureFact(method, present=False))


def _bind(fact: SignatureFact, expected: str) -> None:
    if fact.bind_error is not None:
        raise CheckFailed(
            f"{fact.method}{fact.signature} cannot be called as {expected} ({fact.bind_error}); "
            "the protocol calls it with exactly those positional arguments"
        )


@check(
    "IMP104",
    "signatures match the protocol",
    needs=("load", "build"),
    after=("IMP102",),
    doc="`vad(audio, options)`, `warmup()`, `determine_pause(audio, sampling_rate, state)`: "
    "the methods bind the arguments fastrtc passes. A turn-taking class is checked on the "
    "class, without building it; a VAD on the built model. Required keyword-only "
    "parameters are a warning.",
    fix="accept exactly the protocol's positional arguments; give extra parameters defaults.",
)
def check_signatures(obs: Observations) -> str:
    """The protocol's methods bind the arguments fastrtc passes."""
    if obs.kind == "vad":
        if (
            obs.build is None
            or obs.build.error is not None
            or not _signature(obs.build.signatures, "vad").present
        ):
            raise SkipAfter("IMP103")  # it was not built, or not into a model
        facts = obs.build.signatures
        calls: tuple[str, ...] = ("vad(audio, options)", "warmup()")
        names: tuple[str, ...] = ("vad", "warmup")
    else:
        facts = obs.loaded.signatures
        calls, names = ("determine_pause(audio, sampling_rate, state)",), ("determine_pause",)
    for name, expected in zip(names, calls, strict=True):
        fact = _signature(facts, name)
        if not fact.present:
            raise CheckFailed(
                f"{obs.build.built_type if obs.build else obs.spec} has no {name}(); the "
                f"protocol expects {expected}"
                + (" (it may do nothing)" if name == "warmup" else "")
            )
        _bind(fact, expected)
    for name, expected in zip(names, calls, strict=True):
        fact = _signature(facts, name)
        if fact.required_keyword_only:
            raise CheckWarning(
                f"{name}{fact.signature} has required keyword-only parameters, "
                f"which fastrtc never passes; expected {expected}"
            )
    return " and ".join(calls) + (" match" if len(calls) > 1 else " matches") + " the protocol"


@check(
    "IMP105",
    "warmup() runs",
    kind="vad",
    needs=("imp.warmup",),
    after=("IMP103", "IMP104"),
    doc="*Why:* fastrtc calls it once when a stream starts. When it raises inside its own "
    "`vad()` call (fastrtc's Silero warms up on float32 zeros), the message names that "
    "call's input, and the worker makes the same call with the other dtype: when that one "
    "is answered, the defect is the dtype, and so is the fix (VAD205's).",
    fix="load weights in `warmup()` or `__init__`, and let `warmup()` succeed when "
    "there is nothing to do.",
)
def check_warmup(obs: Observations) -> str:
    """``warmup()`` returns without raising (a crash inside its own ``vad()`` call says on what)."""
    record = obs.probe("imp.warmup").calls[0]
    if record.error is not None:
        if record.error.network:
            raise needs_network(record.error, "warming it up")
        raise crashed(obs, record)
    return "warmup() returned"


@check(
    "IMP106",
    "overrides copy()",
    kind="turn-taking",
    needs=("load",),
    after=("IMP102",),
    doc="Checked on the class. *Why:* `Stream` calls `copy()` for every connection, and "
    "`ReplyOnPause.copy()` builds a plain `ReplyOnPause`, so the algorithm is lost.",
    fix="define `copy()` returning `type(self)(...)` with the same settings.",
)
def check_copy_overridden(obs: Observations) -> str:
    """The class defines its own ``copy()``."""
    facts = obs.loaded
    if facts.copy_inherited:
        raise CheckFailed(
            f"{facts.qualname} inherits ReplyOnPause.copy(), which builds a plain "
            "ReplyOnPause: every real connection (Stream calls copy()) loses the "
            "algorithm; override copy() to return the same class with the same settings"
        )
    return f"copy() is defined by {facts.copy_owner or '?'}"


@check(
    "IMP107",
    "copy() returns its own type",
    kind="turn-taking",
    needs=("imp.copy",),
    after=("IMP103", "IMP106"),
    doc="*Why:* `Stream` uses the copy for each connection.",
    fix="return `type(self)(...)` from `copy()`.",
)
def check_copy_type(obs: Observations) -> str:
    """``copy()`` of a built handler is of the handler's class."""
    reply = obs.probe("imp.copy")
    (record,) = reply.calls
    if record.error is not None:
        raise crashed(obs, record)
    qualname = obs.loaded.qualname
    facts = obs.facts("imp.copy", CopyFacts)
    if not facts.same_type:
        raise CheckFailed(
            f"copy() returned a {facts.type}, not a {qualname}; "
            "Stream uses the copy for each connection, so it must be the same class"
        )
    return f"copy() returned a {qualname}"
