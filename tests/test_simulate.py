"""The handler driver: replies, which handler gave them, rates, timing, the call hook."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pytest

from fastrtc_registry import simulate


class LoudVAD:
    """Seconds louder than -40 dBFS, in 10 ms frames."""

    def warmup(self) -> None:
        """Nothing to load."""

    def vad(self, audio: tuple[int, np.ndarray], options: Any) -> tuple[float, list[Any]]:
        rate, samples = audio
        data = np.asarray(samples, dtype=np.float64).reshape(-1)
        if np.asarray(samples).dtype == np.int16:
            data = data / 32768.0
        size = rate // 100
        frames = data[: len(data) // size * size].reshape(-1, size)
        loud = 10 * np.log10(np.mean(frames * frames, axis=1) + 1e-12) > -40
        return float(loud.sum()) * size / rate, []


def _speech(rate: int, start_s: float, speech_s: float, total_s: float) -> np.ndarray:
    audio = np.zeros(int(rate * total_s), dtype=np.int16)
    t = np.arange(int(rate * speech_s)) / rate
    begin = int(rate * start_s)
    audio[begin : begin + len(t)] = (8000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16)
    return audio


def _handler() -> Any:
    from fastrtc import ReplyOnPause

    reply, _ = simulate.recording_reply()
    return ReplyOnPause(reply, model=LoudVAD())


@pytest.mark.parametrize("rate", [16000, 24000, 48000])
def test_one_reply_after_the_pause_at_each_rate(rate) -> None:
    replies = simulate.drive_handler(_handler(), _speech(rate, 1.0, 1.5, 5.0), rate=rate)
    assert len(replies) == 1
    assert 2.5 <= replies[0].at_s <= 3.7
    assert replies[0].sampling_rate == rate
    assert replies[0].samples >= int(rate * 1.2)
    assert replies[0].handler == 0


def test_handlers_driven_together_reply_each_on_their_own() -> None:
    rate = simulate.WEBRTC_RATE
    first, second, silent = _handler(), _handler(), _handler()
    audios = [
        _speech(rate, 0.5, 1.0, 6.0),
        _speech(rate, 3.0, 1.0, 6.0),
        np.zeros(6 * rate, np.int16),
    ]
    replies = simulate.drive_handlers([first, second, silent], audios, rate=rate)
    assert [r.handler for r in replies] == [0, 1]
    assert replies[0].at_s < 3.0 < replies[1].at_s


def test_a_shared_buffer_shows_up_in_the_wrong_handler() -> None:
    from fastrtc import ReplyOnPause

    class SharedBuffer(ReplyOnPause):
        """Keeps the speech seen in a class-level list, shared by every copy."""

        seen: ClassVar[list[float]] = []

        def determine_pause(self, audio: np.ndarray, sampling_rate: int, state: Any) -> bool:
            if len(audio) / sampling_rate < 0.6:
                return False
            speech, _ = self.model.vad((sampling_rate, audio), None)
            state.buffer = None
            self.seen.append(speech)
            spoke = any(s > 0.2 for s in self.seen)
            if spoke and speech < 0.1:
                self.seen.clear()
                return True
            return False

    reply, _ = simulate.recording_reply()
    talker, listener = SharedBuffer(reply, model=LoudVAD()), SharedBuffer(reply, model=LoudVAD())
    rate = simulate.WEBRTC_RATE
    audios = [_speech(rate, 0.5, 1.0, 4.0), np.zeros(4 * rate, np.int16)]
    replies = simulate.drive_handlers([talker, listener], audios, rate=rate)
    assert 1 in {r.handler for r in replies}, (
        "the silent handler should reply through the shared list"
    )


def test_determine_pause_is_timed_per_call() -> None:
    handler = _handler()
    timings = simulate.time_determine_pause(handler)
    audio = _speech(16000, 0.5, 0.5, 2.0)
    simulate.drive_handler(handler, audio, rate=16000)
    assert len(timings) == len(audio) // simulate.frame_size(16000)
    assert all(t >= 0 for t in timings)


def test_plugin_calls_go_through_the_hook() -> None:
    seen: list[str] = []

    def call(label: str, func: Any, *args: Any) -> Any:
        seen.append(label)
        return func(*args)

    rate = 16000
    simulate.drive_handlers([_handler()], [_speech(rate, 0.5, 1.0, 3.0)], rate=rate, call=call)
    assert seen.count("receive()") == 3 * rate // simulate.frame_size(rate)
    assert "emit()" in seen
    with pytest.raises(ValueError, match="one audio per handler"):
        simulate.drive_handlers([_handler()], [], rate=rate)
