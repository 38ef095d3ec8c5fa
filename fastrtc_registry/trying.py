"""Hear a plugin: a FastRTC ``Stream`` that echoes each turn back (``fastrtc-plugins try``).

:func:`try_stream` builds the handler by name with :func:`reply_on_pause` and
wraps it in a ``fastrtc.Stream`` with FastRTC's own UI. The reply is the turn
exactly as the handler received it, so a person hears where the turn-taking
algorithm cut them off. FastRTC's additional outputs show a table, one row a
turn, with how long after the end of speech the reply started.

How the delay is measured: the VAD is wrapped so that every call records when
speech was last heard. A call that finds speech sets "end of speech" to the
wall-clock time of the call minus the audio that follows the last speech
span in the chunk. The reply function subtracts that from the time it starts
(before the first reply frame is sent). Network and playback latency of the
browser are not part of the figure.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import PortInUseError
from .loading import find_plugin, reply_on_pause

if TYPE_CHECKING:
    from fastrtc import Stream

__all__ = [
    "HOST",
    "PortInUseError",
    "SpeechClock",
    "TurnRow",
    "check_plugins",
    "reserve_port",
    "serve",
    "try_stream",
]

HOST = "127.0.0.1"
FRAME_S = 0.02  # the echo goes out in 20 ms frames
TURN_COLUMNS = ["turn", "turn length (s)", "reply after end of speech (ms)"]


@dataclass(frozen=True, slots=True)
class TurnRow:
    """One turn as the UI shows it."""

    turn: int
    length_s: float
    delay_ms: float | None

    def as_list(self) -> list[Any]:
        """The row for the UI's table."""
        return [
            self.turn,
            round(self.length_s, 2),
            None if self.delay_ms is None else round(self.delay_ms),
        ]


class SpeechClock:
    """A VAD wrapper that remembers when speech was last heard (monotonic seconds)."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self._lock = threading.Lock()
        self._last_speech_at: float | None = None

    def vad(self, audio: tuple[int, Any], options: Any) -> tuple[float, list[Any]]:
        """The wrapped model's answer; records the end of the last speech span."""
        called_at = time.monotonic()
        duration, chunks = self.model.vad(audio, options)
        if duration > 0 and chunks:
            rate, samples = audio
            total = samples.shape[-1]
            end = int(chunks[-1]["end"])
            with self._lock:
                self._last_speech_at = called_at - max(0, total - end) / rate
        return duration, chunks

    def warmup(self) -> None:
        """Warm up the wrapped model."""
        warm = getattr(self.model, "warmup", None)
        if callable(warm):
            warm()

    def take(self) -> float | None:
        """When speech was last heard, and forget it (one reading per turn)."""
        with self._lock:
            heard, self._last_speech_at = self._last_speech_at, None
        return heard

    def __getattr__(self, name: str) -> Any:
        # Settings a plugin's copy() may read from its model (e.g. ``aggressiveness``).
        return getattr(self.__dict__["model"], name)


def check_plugins(vad: str | None, turn_taking: str) -> None:
    """Raise the loader's error (with the install line) when a plugin is not installed.

    Cheap: reads entry points only, imports neither the plugins nor gradio.
    """
    find_plugin(turn_taking, "turn-taking")
    find_plugin(vad or "silero", "vad")


def reserve_port(port: int) -> socket.socket:
    """A socket bound to ``127.0.0.1:port`` (0 picks a free port), for the server to use."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise PortInUseError(
            f"port {port} on {HOST} is in use ({exc.strerror or exc}); "
            "pick another with --port, or --port 0 for any free port"
        ) from exc
    return sock


def _frames(rate: int, samples: Any) -> Iterator[tuple[int, Any]]:
    step = max(1, int(rate * FRAME_S))
    for start in range(0, samples.shape[-1], step):
        yield rate, samples[..., start : start + step]


def try_stream(
    *,
    vad: str | None = None,
    turn_taking: str = "pause",
    vad_options: Mapping[str, Any] | None = None,
) -> Stream:
    """A ``Stream`` with FastRTC's UI whose reply echoes each turn and reports its delay."""
    import gradio as gr
    import numpy as np
    from fastrtc import AdditionalOutputs, Stream

    rows: list[TurnRow] = []
    clock: SpeechClock | None = None

    def echo(audio: tuple[int, Any]) -> Iterator[Any]:
        started = time.monotonic()
        heard = clock.take() if clock is not None else None
        rate, samples = audio
        samples = np.asarray(samples)
        if samples.ndim == 1:
            samples = samples.reshape(1, -1)
        delay = None if heard is None else (started - heard) * 1000
        rows.append(TurnRow(len(rows) + 1, samples.shape[-1] / rate, delay))
        yield AdditionalOutputs([row.as_list() for row in rows])
        yield from _frames(rate, samples)

    handler = reply_on_pause(echo, vad=vad, turn_taking=turn_taking, vad_options=vad_options)
    clock = SpeechClock(handler.model)
    handler.model = clock
    plain_copy = handler.copy

    def copy() -> Any:
        fresh = plain_copy()
        fresh.model = clock
        return fresh

    # Per-connection copies must keep the clock, whatever the plugin's copy() passes on.
    handler.copy = copy  # type: ignore[method-assign]

    table = gr.Dataframe(
        headers=TURN_COLUMNS,
        label="Turns: the reply is your turn as the handler heard it",
        interactive=False,
    )
    return Stream(
        handler,
        modality="audio",
        mode="send-receive",
        concurrency_limit=1,
        rtc_configuration={"iceServers": []},
        server_rtc_configuration={"iceServers": []},
        additional_outputs=[table],
        additional_outputs_handler=lambda old, new: new,
        ui_args={
            "title": f"fastrtc-plugins try: VAD {vad or 'silero'}, turn-taking {turn_taking}",
        },
    )


def serve(stream: Stream, sock: socket.socket, *, on_ready: Callable[[str], None]) -> None:
    """Serve ``stream``'s UI on the bound ``sock`` until Ctrl-C (or SIGTERM); then return.

    ``on_ready`` gets the page's URL once the server accepts connections.
    """
    import gradio as gr
    import uvicorn
    from fastapi import FastAPI

    app = gr.mount_gradio_app(FastAPI(), stream.ui, path="/")
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    url = f"http://{HOST}:{sock.getsockname()[1]}/"

    def announce() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            on_ready(url)

    threading.Thread(target=announce, name="try-announce", daemon=True).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        # uvicorn re-raises the Ctrl-C it caught once it has shut down: that is the clean stop.
        pass
    finally:
        sock.close()
