"""Worker side: drive a turn-taking handler through scripted conversations; report what it did.

Frames are what WebRTC delivers (20 ms, int16, shape (1, N)), at 48 kHz
unless a probe says otherwise, fed by :func:`fastrtc_registry.simulate.drive_handlers`.
The handler gets :class:`ReferenceVAD`, a small deterministic energy
detector, and fastrtc's speech-to-text is the scripted model
(:mod:`.scripted_stt`), so what is observed depends on the algorithm alone.
What is said follows the plugin's tags (:mod:`.tags`, :mod:`.conversations`):
``tt.trigger`` finds the trigger that gets a reply, and the later probes
reuse it. Settings and state are reported as fingerprints (strings);
:mod:`fastrtc_registry.checks.turn_taking` judges everything in the parent.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..simulate import drive_handlers, running_loop
from ..stream import WEBRTC_FRAME, WEBRTC_RATE
from . import signals
from .probe_facts import CopiesApartFacts, CopySettingsFacts, ProbeFacts, Settings, SilentFacts
from .probes import Observed, State, observed_call, probe

__all__ = [
    "FRAME",
    "RATE",
    "SCRIPT",
    "ReferenceVAD",
    "drive",
    "fingerprint",
    "overrides",
    "reply_recorder",
]

RATE, FRAME = WEBRTC_RATE, WEBRTC_FRAME  # 48 kHz in 20 ms frames
SCRIPT = {"lead_s": 1.0, "speech_s": 2.4, "trail_s": 6.0}


class ReferenceVAD:
    """Marks 10 ms frames louder than ``threshold_db`` dBFS as speech; no state."""

    def __init__(self, threshold_db: float = -40.0) -> None:
        self.threshold_db = threshold_db

    def warmup(self) -> None:
        """Nothing to load."""

    def vad(
        self, audio: tuple[int, np.ndarray], options: Any
    ) -> tuple[float, list[dict[str, int]]]:
        """Seconds of speech and the speech spans, in samples."""
        rate, samples = audio
        data = np.asarray(samples).reshape(-1)
        data = (
            data.astype(np.float32) / 32768.0 if data.dtype == np.int16 else data.astype(np.float32)
        )
        frame = max(1, rate // 100)
        count = len(data) // frame
        if count == 0:
            return 0.0, []
        frames = data[: count * frame].reshape(count, frame)
        loud = 10 * np.log10(np.mean(frames * frames, axis=1) + 1e-12) > self.threshold_db
        chunks: list[dict[str, int]] = []
        for index in np.flatnonzero(loud):
            start = int(index) * frame
            if chunks and chunks[-1]["end"] == start:
                chunks[-1]["end"] = start + frame
            else:
                chunks.append({"start": start, "end": start + frame})
        return sum(c["end"] - c["start"] for c in chunks) / rate, chunks


def reply_recorder(calls: list[tuple[int, np.ndarray]]) -> Callable[[Any], Any]:
    """A reply function that records the audio it is given and yields one frame."""

    def reply(audio: tuple[int, np.ndarray]) -> Iterator[tuple[int, np.ndarray]]:
        calls.append(audio)
        yield 24000, np.zeros((1, 480), dtype=np.int16)

    return reply


class _Raised(Exception):
    def __init__(self, record: Any) -> None:
        super().__init__(record.label)
        self.record = record


def _call(label: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    record, value = observed_call(label, func, *args, **kwargs)
    if record.error is not None:
        raise _Raised(record)
    return value


def drive(handler: Any, audio: np.ndarray, calls: list[Any], loop: Any) -> list[float]:
    """Feed ``audio`` (48 kHz int16, 1-D) frame by frame; the times (s) replies started."""
    replies = drive_handlers([handler], [audio], rate=RATE, call=_call, loop=loop)
    return [r.at_s for r in replies]


def script(*, speech: bool = True) -> np.ndarray:
    """Silence, a steady voiced sound, then quiet noise (or silence and noise only)."""
    parts = [signals.silence(RATE, SCRIPT["lead_s"])]
    if speech:
        parts.append(signals.voiced(RATE, SCRIPT["speech_s"]))
    trail = SCRIPT["trail_s"] if speech else SCRIPT["speech_s"] + SCRIPT["trail_s"]
    parts.append(signals.noise(RATE, trail, dbfs=-65.0))
    return np.concatenate(parts)


def _build(state: State, calls: list[Any], **kwargs: Any) -> Any:
    cls = state["object"]
    label = f"{cls.__qualname__}(fn, model=..., ...)"
    return _call(label, cls, reply_recorder(calls), model=ReferenceVAD(), **kwargs)


def _guarded(body: Callable[[Any], ProbeFacts]) -> Observed:
    # A call the plugin raised in ends the observation: that call is what is reported.
    try:
        with running_loop() as loop:
            facts = body(loop)
    except _Raised as raised:
        return (raised.record,), None
    return (), facts


@probe("tt.silent")
def _silent(state: State) -> Observed:
    def body(loop: Any) -> SilentFacts:
        calls: list[Any] = []
        audio = script(speech=False)
        fired = drive(_build(state, calls), audio, calls, loop)
        return SilentFacts(tuple(fired), len(audio) / RATE)

    return _guarded(body)


SETTINGS = (
    "algo_options",
    "model_options",
    "can_interrupt",
    "expected_layout",
    "input_sample_rate",
    "output_sample_rate",
    "needs_args",
    "startup_fn",
)
NOT_STATE = {
    "model",
    "fn",
    "startup_fn",
    "_loop",
    "_clear_queue",
    "event",
    "args_set",
    "channel_set",
    "_channel",
    "_resampler",
    "latest_args",
}
# fastrtc's own per-connection state on a handler: never a setting.
PER_CONNECTION = {"state", "generator", "is_async", "_phone_mode", "phone_mode"}
# What the copy_settings probe passes itself (non-default values of its own).
_GIVEN = {"fn", "model", "algo_options", "model_options", "can_interrupt"}


def _simple(value: Any, depth: int = 0) -> bool:
    """A bool, int, float, str or None, or a list, tuple, dict or dataclass of them."""
    if isinstance(value, (bool, int, float, str, type(None))):
        return True
    if depth > 3:
        return False
    if isinstance(value, (list, tuple)):
        return all(_simple(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(_simple(k, depth + 1) and _simple(v, depth + 1) for k, v in value.items())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return all(_simple(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value))
    return False


def _settings(handler: Any) -> Settings:
    found = {name: fingerprint(getattr(handler, name, None)) for name in SETTINGS}
    simple = {
        name: fingerprint(value)
        for name, value in vars(handler).items()
        if name not in SETTINGS
        and name not in NOT_STATE
        and name not in PER_CONNECTION
        and _simple(value)
    }
    return Settings(found, simple, type(getattr(handler, "model", None)).__name__)


def overrides(cls: type) -> tuple[dict[str, Any], list[str]]:
    """A non-default value for every constructor parameter with a bool, int, float or str default.

    The parameters are those of ``cls.__init__`` and, while an ``__init__``
    passes ``**kwargs`` on, of the base classes' (ReplyOnPause's
    ``expected_layout``, ``output_sample_rate``...). Also returned: the
    parameters with other defaults (``None``, lists, objects), which are not
    overridden.
    """
    import inspect

    values: dict[str, Any] = {}
    others: list[str] = []
    for klass in cls.__mro__:
        init = vars(klass).get("__init__")
        if init is None:
            continue
        try:
            parameters = list(inspect.signature(init).parameters.values())[1:]
        except (TypeError, ValueError):
            break
        for p in parameters:
            if (
                p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
                or p.default is p.empty
                or p.name in _GIVEN
                or p.name in values
                or p.name in others
            ):
                continue
            value = _other_value(p.default, _choices(init, p))
            if value is None:
                others.append(p.name)
            else:
                values[p.name] = value
        if not any(p.kind is p.VAR_KEYWORD for p in parameters):
            break
    return values, others


def _choices(init: Any, parameter: Any) -> tuple[Any, ...]:
    """The values of a ``Literal[...]`` annotation (``expected_layout``), else ()."""
    import typing

    annotation = parameter.annotation
    if isinstance(annotation, str):
        try:
            annotation = typing.get_type_hints(init).get(parameter.name)
        except Exception:  # an annotation that does not evaluate here
            return ()
    if typing.get_origin(annotation) is typing.Literal:
        return typing.get_args(annotation)
    return ()


def _other_value(default: Any, choices: tuple[Any, ...]) -> Any:
    """A value unlike ``default`` of its type (None when there is no such simple value)."""
    if isinstance(default, bool):
        return not default
    if isinstance(default, int):
        return default * 2 if default else 1  # doubled: multiples (of 50 Hz...) stay multiples
    if isinstance(default, float):
        return default / 2 if default else 0.5  # halved: thresholds in [0, 1] stay there
    if isinstance(default, str):
        if choices:
            return next((c for c in choices if isinstance(c, str) and c != default), None)
        return f"not-{default}"
    return None


def _build_overridden(
    state: State, given: Callable[[], dict[str, Any]], wanted: dict[str, Any]
) -> tuple[Any, dict[str, Any], dict[str, str]]:
    """The handler built with ``given()`` and as many of ``wanted`` as its constructor takes."""
    try:
        return _build(state, [], **given(), **wanted), dict(wanted), {}
    except _Raised:
        pass
    accepted: dict[str, Any] = {}
    rejected: dict[str, str] = {}
    for name, value in wanted.items():  # one at a time: keep what the constructor takes
        try:
            _build(state, [], **given(), **accepted, **{name: value})
        except _Raised as refused:
            error = refused.record.error
            rejected[name] = error.line() if error is not None else "raised"
        else:
            accepted[name] = value
    return _build(state, [], **given(), **accepted), accepted, rejected


@probe("tt.copy_settings")
def _copy_settings(state: State) -> Observed:
    def body(loop: Any) -> CopySettingsFacts:
        from fastrtc.reply_on_pause import AlgoOptions

        def given() -> dict[str, Any]:  # fresh objects for each build
            return {
                "algo_options": AlgoOptions(
                    audio_chunk_duration=0.6,
                    started_talking_threshold=0.25,
                    speech_threshold=0.15,
                ),
                "model_options": {"threshold_db": -40.0},
                "can_interrupt": False,
            }

        try:
            wanted, not_overridden = overrides(state["object"])
        except Exception:  # a signature that cannot be read: compare what was passed
            wanted, not_overridden = {}, []
        original, accepted, rejected = _build_overridden(state, given, wanted)
        first = _settings(original)
        # A second build with the same arguments: what differs between the two (a
        # timestamp, an id) is not a setting, and a copy need not keep it.
        twin = _settings(_build(state, [], **given(), **accepted))
        copied = _call("copy()", original.copy)
        varying = sorted(
            f"{part}.{name}"
            for part in ("settings", "simple")
            for name in getattr(first, part)
            if getattr(first, part)[name] != getattr(twin, part).get(name)
        )
        return CopySettingsFacts(
            type=type(copied).__qualname__,
            same_type=type(copied) is type(original),
            original=first,
            copy=_settings(copied),
            varying=tuple(varying),
            overridden={name: repr(value) for name, value in accepted.items()},
            rejected=dict(rejected),
            not_overridden=tuple(not_overridden),
        )

    return _guarded(body)


@probe("tt.copies_apart")
def _copies_apart(state: State) -> Observed:
    def body(loop: Any) -> CopiesApartFacts:
        calls: list[Any] = []
        parent = _build(state, calls)
        first, second = _call("copy()", parent.copy), _call("copy()", parent.copy)
        before = _snapshot(second)
        speech_end = SCRIPT["lead_s"] + SCRIPT["speech_s"]
        drive(first, script()[: int(RATE * speech_end)], calls, loop)
        return CopiesApartFacts(
            before=before,
            after=_snapshot(second),
            same_state=getattr(first, "state", None) is getattr(second, "state", object()),
        )

    return _guarded(body)


def _snapshot(handler: Any) -> dict[str, str]:
    return {
        name: fingerprint(value) for name, value in vars(handler).items() if name not in NOT_STATE
    }


def fingerprint(value: Any, depth: int = 0) -> str:
    """A comparable text form of a setting or a piece of state."""
    if isinstance(value, np.ndarray):
        return f"array{value.shape}{value.dtype}:{hash(value.tobytes())}"
    if depth > 3:
        return type(value).__name__
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = (
            f"{f.name}={fingerprint(getattr(value, f.name), depth + 1)}"
            for f in dataclasses.fields(value)
        )
        return f"{type(value).__name__}({', '.join(fields)})"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{k!r}: {fingerprint(v, depth + 1)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(fingerprint(v, depth + 1) for v in value) + "]"
    if isinstance(value, (bool, int, float, str, type(None))):
        return repr(value)
    if isinstance(value, (threading.Event, asyncio.Event)):
        return f"Event({value.is_set()})"
    return f"<{type(value).__name__}>"
