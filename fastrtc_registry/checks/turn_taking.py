"""Tier 2 for turn-taking handlers: drive scripted WebRTC frames, no browser.

Runs inside the worker only. Frames are what WebRTC delivers: 48 kHz int16
arrays of shape (1, 960). The handler gets :class:`ReferenceVAD`, a small
deterministic energy detector, so the results depend on the algorithm alone
(fastrtc's Silero needs a hub download). A handler runs without a browser
once ``_clear_queue`` is a no-op and ``_loop`` is a running event loop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..simulate import running_loop
from . import signals
from ._base import CheckFailed, Recorder, call

__all__ = ["ReferenceVAD", "drive", "reply_recorder", "run_turn_taking_checks"]

RATE = 48000
FRAME = 960  # 20 ms
_LEAD_S, _SPEECH_S, _TRAIL_S = 1.0, 2.4, 6.0


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


def drive(handler: Any, audio: np.ndarray, calls: list[Any], loop: Any) -> list[float]:
    """Feed ``audio`` (48 kHz int16, 1-D) frame by frame; the times (s) replies started."""
    handler._clear_queue = lambda: None
    handler._loop = loop
    fired = []
    for index in range(len(audio) // FRAME):
        frame = audio[index * FRAME : (index + 1) * FRAME].reshape(1, FRAME)
        call("receive()", handler.receive, (RATE, frame))
        before = len(calls)
        for _ in range(50):  # our reply yields once; the next emit() ends it
            if call("emit()", handler.emit) is None:
                break
        if len(calls) > before:
            fired.append((index + 1) * FRAME / RATE)
    return fired


def _script(*, speech: bool = True) -> np.ndarray:
    parts = [signals.silence(RATE, _LEAD_S)]
    if speech:
        parts.append(signals.voiced(RATE, _SPEECH_S))
    parts.append(signals.noise(RATE, _TRAIL_S if speech else _SPEECH_S + _TRAIL_S, dbfs=-65.0))
    return np.concatenate(parts)


def run_turn_taking_checks(rec: Recorder, cls: type) -> None:
    """Run TT201-TT204 on the handler class ``cls``."""
    with running_loop() as loop:
        for check_id, check in _checks(cls, loop):
            rec.run(check_id, check)


def _build(cls: type, calls: list[Any], **kwargs: Any) -> Any:
    return call(
        f"{cls.__qualname__}(fn, model=..., ...)",
        cls,
        reply_recorder(calls),
        model=ReferenceVAD(),
        **kwargs,
    )


def _checks(cls: type, loop: Any) -> list[tuple[str, Callable[[], str]]]:
    speech_end = _LEAD_S + _SPEECH_S

    def replies_once() -> str:
        calls: list[Any] = []
        fired = drive(_build(cls, calls), _script(), calls, loop)
        total = _LEAD_S + _SPEECH_S + _TRAIL_S
        if not fired:
            raise CheckFailed(
                f"never replied: {_SPEECH_S} s of speech then {_TRAIL_S} s of silence "
                f"({total:.1f} s of 48 kHz frames) gave no call to the reply function; "
                "determine_pause must return True once the speaker has paused"
            )
        if len(fired) > 1:
            times = ", ".join(f"{t:.2f} s" for t in fired)
            raise CheckFailed(
                f"replied {len(fired)} times ({times}) to one utterance; "
                "expected exactly one reply after the pause"
            )
        if fired[0] < speech_end:
            raise CheckFailed(
                f"replied at {fired[0]:.2f} s, before the speech ended at "
                f"{speech_end:.2f} s; expected the reply after the pause"
            )
        heard = calls[0][1].size / calls[0][0]
        return (
            f"replied once at {fired[0]:.2f} s ({fired[0] - speech_end:.2f} s after the "
            f"speech ended) with {heard:.2f} s of audio"
        )

    def silent() -> str:
        calls: list[Any] = []
        audio = _script(speech=False)
        fired = drive(_build(cls, calls), audio, calls, loop)
        if fired:
            raise CheckFailed(
                f"replied at {fired[0]:.2f} s to {len(audio) / RATE:.1f} s of "
                "silence; a reply must follow speech (state.started_talking)"
            )
        return f"no reply to {len(audio) / RATE:.1f} s of silence"

    def copy_keeps() -> str:
        from fastrtc.reply_on_pause import AlgoOptions

        settings = {
            "algo_options": AlgoOptions(
                audio_chunk_duration=0.6, started_talking_threshold=0.25, speech_threshold=0.15
            ),
            "model_options": {"threshold_db": -40.0},
            "can_interrupt": False,
        }
        original = _build(cls, [], **settings)
        copied = call("copy()", original.copy)
        if type(copied) is not type(original):
            raise CheckFailed(
                f"copy() returned a {type(copied).__qualname__}, not a {cls.__qualname__}: "
                "Stream copies the handler for every connection, so the algorithm is lost"
            )
        lost = _lost_settings(original, copied)
        if lost:
            raise CheckFailed(
                f"copy() lost settings: {'; '.join(lost)}; pass every "
                "constructor argument on to the copy"
            )
        return f"copy() kept {cls.__qualname__} and its settings"

    def no_shared_state() -> str:
        calls: list[Any] = []
        parent = _build(cls, calls)
        first, second = call("copy()", parent.copy), call("copy()", parent.copy)
        before = _snapshot(second)
        drive(first, _script()[: int(RATE * speech_end)], calls, loop)
        after = _snapshot(second)
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        if changed:
            raise CheckFailed(
                f"feeding audio to one copy changed {', '.join(changed)} of another copy; "
                "each connection gets its own copy, so copies must not share mutable state"
            )
        if getattr(first, "state", None) is getattr(second, "state", object()):
            raise CheckFailed("two copies share one state object; build a fresh AppState per copy")
        return "two copies kept separate state while one was fed speech"

    return [
        ("TT201", replies_once),
        ("TT202", silent),
        ("TT203", copy_keeps),
        ("TT204", no_shared_state),
    ]


_SETTINGS = (
    "algo_options",
    "model_options",
    "can_interrupt",
    "expected_layout",
    "input_sample_rate",
    "output_sample_rate",
    "needs_args",
    "startup_fn",
)
_NOT_STATE = {
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


def _lost_settings(original: Any, copied: Any) -> list[str]:
    lost = []
    for name in _SETTINGS:
        want, got = getattr(original, name, None), getattr(copied, name, None)
        if _fingerprint(want) != _fingerprint(got):
            lost.append(f"{name} {_fingerprint(want)} became {_fingerprint(got)}")
    if type(getattr(copied, "model", None)) is not type(getattr(original, "model", None)):
        lost.append(
            f"the model {type(original.model).__name__} became "
            f"{type(getattr(copied, 'model', None)).__name__}"
        )
    for name, value in vars(original).items():
        if name.startswith("_") or name in _SETTINGS or name in _NOT_STATE:
            continue
        if isinstance(value, (bool, int, float, str)) and getattr(copied, name, None) != value:
            lost.append(f"{name} {value!r} became {getattr(copied, name, None)!r}")
    return lost


def _snapshot(handler: Any) -> dict[str, str]:
    return {
        name: _fingerprint(value) for name, value in vars(handler).items() if name not in _NOT_STATE
    }


def _fingerprint(value: Any, depth: int = 0) -> str:
    if isinstance(value, np.ndarray):
        return f"array{value.shape}{value.dtype}:{hash(value.tobytes())}"
    if depth > 3:
        return type(value).__name__
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = (
            f"{f.name}={_fingerprint(getattr(value, f.name), depth + 1)}"
            for f in dataclasses.fields(value)
        )
        return f"{type(value).__name__}({', '.join(fields)})"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{k!r}: {_fingerprint(v, depth + 1)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fingerprint(v, depth + 1) for v in value) + "]"
    if isinstance(value, (bool, int, float, str, type(None))):
        return repr(value)
    if isinstance(value, (threading.Event, asyncio.Event)):
        return f"Event({value.is_set()})"
    return f"<{type(value).__name__}>"
