"""Drive a ``ReplyOnPause`` handler without a browser, as WebRTC would.

WebRTC delivers ``(48000, int16 array of shape (1, 960))`` frames; this module
feeds recorded audio to ``handler.receive()`` frame by frame and pulls
``handler.emit()`` after each, recording when the reply function fired, in
which handler, and what audio it was given. Several handlers (copies, as
concurrent connections get) can be driven in lock step. It also loads
fastrtc's own speech recording and resamples audio, for tests and for the
conformance suite. This is the one handler driver: the conversation checks
and the benchmark use it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib.util
import threading
import time
import wave
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .stream import WEBRTC_FRAME, WEBRTC_RATE

if TYPE_CHECKING:
    from fastrtc import ReplyOnPause

__all__ = [
    "WEBRTC_FRAME",
    "WEBRTC_RATE",
    "Reply",
    "drive_handler",
    "drive_handlers",
    "fastrtc_speech",
    "frame_size",
    "recording_reply",
    "resample",
    "running_loop",
    "speech_wav_path",
    "time_determine_pause",
]

Caller = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class Reply:
    """One call of the reply function while driving handlers."""

    at_s: float
    """Input time (seconds of audio fed so far) when the reply started."""
    sampling_rate: int
    samples: int
    """Length of the audio the reply function was given."""
    handler: int = 0
    """Which of the handlers driven together replied (its index)."""


def speech_wav_path() -> Path:
    """Where fastrtc keeps its speech recording, found without importing fastrtc."""
    spec = importlib.util.find_spec("fastrtc")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("fastrtc is not installed, so its speech recording is missing")
    path = Path(next(iter(spec.submodule_search_locations))) / "speech_to_text" / "test_file.wav"
    if not path.is_file():
        raise FileNotFoundError(f"fastrtc's speech recording is missing: {path}")
    return path


@functools.lru_cache(maxsize=1)
def _read_speech() -> tuple[int, np.ndarray]:
    with wave.open(str(speech_wav_path())) as wav:
        rate = wav.getframerate()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    data.setflags(write=False)
    return rate, data


def fastrtc_speech() -> tuple[int, np.ndarray]:
    """fastrtc's speech recording ``(24000, int16 mono)``, 20.75 s; a fresh copy each call."""
    rate, data = _read_speech()
    return rate, data.copy()


def resample(audio: np.ndarray, rate: int, new_rate: int) -> np.ndarray:
    """Linear-interpolation resampling of mono audio, keeping the dtype."""
    if rate == new_rate or len(audio) == 0:
        return audio.copy()
    count = round(len(audio) * new_rate / rate)
    positions = np.arange(count) * (rate / new_rate)
    out = np.interp(positions, np.arange(len(audio)), audio.astype(np.float64))
    if audio.dtype == np.int16:
        return np.clip(np.round(out), -32768, 32767).astype(np.int16)
    return out.astype(audio.dtype)


def recording_reply() -> tuple[Callable[[tuple[int, np.ndarray]], Iterator[Any]], list[int]]:
    """A reply function that records the length of each audio it gets and yields nothing."""
    lengths: list[int] = []

    def reply(audio: tuple[int, np.ndarray]) -> Iterator[Any]:
        lengths.append(int(np.asarray(audio[1]).size))
        yield from ()

    return reply, lengths


@contextmanager
def running_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop running in a daemon thread, as a connection gives a handler."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fastrtc-handler-loop", daemon=True)
    thread.start()
    try:
        yield loop
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.close()


def frame_size(rate: int) -> int:
    """Samples in one 20 ms frame at ``rate``, the size WebRTC delivers (960 at 48 kHz)."""
    return max(1, rate // 50)


def _direct(label: str, func: Callable[..., Any], *args: Any) -> Any:
    return func(*args)


def drive_handler(
    handler: ReplyOnPause,
    audio: np.ndarray,
    *,
    rate: int = WEBRTC_RATE,
    frame: int | None = None,
) -> list[Reply]:
    """Feed mono int16 ``audio`` to ``handler`` in WebRTC-shaped frames; return the replies.

    The handler is wired as a connection would wire it (a running event loop
    and a queue-clearing callback), so ``receive()``/``emit()`` behave as in a
    real stream. The reply function's audio length is read from the handler's
    state when each reply starts.
    """
    return drive_handlers([handler], [audio], rate=rate, frame=frame)


def drive_handlers(
    handlers: Sequence[ReplyOnPause],
    audios: Sequence[np.ndarray],
    *,
    rate: int = WEBRTC_RATE,
    frame: int | None = None,
    call: Caller = _direct,
    loop: asyncio.AbstractEventLoop | None = None,
) -> list[Reply]:
    """Feed each handler its own audio at once, frame by frame, as concurrent connections do.

    Frame ``n`` goes to every handler before frame ``n + 1`` goes to any, so
    state the handlers wrongly share shows up as a reply in the wrong one.
    Each reply is run to completion, as the stream's emit loop would, and is
    recorded with the index of the handler that gave it. Plugin calls go
    through ``call(label, func, *args)`` (default: a plain call), so an
    observer can record an exception as the plugin's answer.
    """
    if len(handlers) != len(audios):
        raise ValueError("one audio per handler")
    size = frame or frame_size(rate)
    with contextlib.ExitStack() as stack:
        running = loop if loop is not None else stack.enter_context(running_loop())
        for handler in handlers:
            handler._clear_queue = lambda: None
            handler._loop = running
        replies: list[Reply] = []
        longest = max((len(a) for a in audios), default=0)
        for start in range(0, longest - size + 1, size):
            for index, (handler, audio) in enumerate(zip(handlers, audios, strict=True)):
                if start + size > len(audio):
                    continue
                reply = _feed(handler, audio[start : start + size], rate, call)
                if reply is not None:
                    replies.append(Reply((start + size) / rate, rate, reply, index))
    return replies


def _feed(handler: ReplyOnPause, chunk: np.ndarray, rate: int, call: Caller) -> int | None:
    """One frame in; the length of the audio the reply got when one started, else None."""
    call("receive()", handler.receive, (rate, chunk.reshape(1, -1)))
    if not (handler.event.is_set() and handler.generator is None):
        return None
    pending = handler.state.stream
    samples = 0 if pending is None else int(np.asarray(pending).size)
    for _ in range(10_000):
        if call("emit()", handler.emit) is None and not handler.event.is_set():
            break
    return samples


def time_determine_pause(handler: ReplyOnPause) -> list[float]:
    """Time every later ``determine_pause`` call of ``handler``; the list fills as it runs."""
    timings: list[float] = []
    method = handler.determine_pause

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            timings.append(time.perf_counter() - started)

    # An instance attribute shadows the class's method for this handler only.
    handler.determine_pause = timed  # type: ignore[method-assign]
    return timings
