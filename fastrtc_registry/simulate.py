"""Drive a ``ReplyOnPause`` handler without a browser, as WebRTC would.

WebRTC delivers ``(48000, int16 array of shape (1, 960))`` frames; this module
feeds recorded audio to ``handler.receive()`` frame by frame and pulls
``handler.emit()`` after each, recording when the reply function fired and
what audio it was given. It also loads fastrtc's own speech recording and
resamples audio, for tests and for the conformance suite.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import threading
import wave
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from fastrtc import ReplyOnPause

__all__ = [
    "WEBRTC_FRAME",
    "WEBRTC_RATE",
    "Reply",
    "drive_handler",
    "fastrtc_speech",
    "recording_reply",
    "resample",
    "running_loop",
    "speech_wav_path",
]

WEBRTC_RATE = 48000
WEBRTC_FRAME = 960


@dataclass(frozen=True, slots=True)
class Reply:
    """One call of the reply function while driving a handler."""

    at_s: float
    """Input time (seconds of audio fed so far) when the reply started."""
    sampling_rate: int
    samples: int
    """Length of the audio the reply function was given."""


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


def drive_handler(
    handler: ReplyOnPause,
    audio: np.ndarray,
    *,
    rate: int = WEBRTC_RATE,
    frame: int = WEBRTC_FRAME,
) -> list[Reply]:
    """Feed mono int16 ``audio`` to ``handler`` in WebRTC-shaped frames; return the replies.

    The handler is wired as a connection would wire it (a running event loop
    and a queue-clearing callback), so ``receive()``/``emit()`` behave as in a
    real stream. The reply function's audio length is read from the handler's
    state when each reply starts.
    """
    replies: list[Reply] = []
    handler._clear_queue = lambda: None
    with running_loop() as loop:
        handler._loop = loop
        for start in range(0, len(audio) - frame + 1, frame):
            chunk = audio[start : start + frame].reshape(1, -1)
            handler.receive((rate, chunk))
            pending = handler.state.stream
            fired = handler.event.is_set() and handler.generator is None
            if not fired:
                continue
            samples = 0 if pending is None else int(np.asarray(pending).size)
            # Run the reply to completion, as the stream's emit loop would.
            for _ in range(10_000):
                if handler.emit() is None and not handler.event.is_set():
                    break
            replies.append(Reply((start + frame) / rate, rate, samples))
    return replies
