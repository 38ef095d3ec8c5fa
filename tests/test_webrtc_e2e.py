"""End to end over real WebRTC: plugins loaded by name serve a live peer connection.

A ``fastrtc.Stream`` built with ``reply_on_pause(fn, vad=..., turn_taking=...)``
is mounted on FastAPI and served by uvicorn on 127.0.0.1. Two aiortc peers
connect at the same time: one sends fastrtc's speech recording as a live
48 kHz track followed by silence, the other only silence. Everything stays on
the loopback interface: the server and the client get no ICE servers, and
aioice, which leaves loopback addresses out of its host candidates, is told
to offer 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import fractions
import socket
import threading
import time
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from conftest import PluginEnv

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:The 'css' parameter:DeprecationWarning"),
]

RATE = 48000
FRAME = 960  # 20 ms, what browsers send
SPEECH_END_S = 4.64  # the first utterance of fastrtc's recording ends here
SPEECH_S = 4.7
SILENCE_S = 4.5
REPLY_S = 0.5
QUIET_BELOW = 0.15  # a non-default setting the copies must keep


@dataclass
class Peer:
    """One client connection: what it sent, and when reply audio came back."""

    name: str
    audio: np.ndarray
    speech_end_s: float | None
    webrtc_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started: float = 0.0
    speech_ended_at: float | None = None
    reply_frames: int = 0
    first_reply_at: float | None = None


def _script(with_speech: bool) -> np.ndarray:
    from fastrtc_registry.simulate import fastrtc_speech, resample

    silence = np.zeros(int(SILENCE_S * RATE), dtype=np.int16)
    if not with_speech:
        return np.concatenate([silence, np.zeros(int(SPEECH_S * RATE), dtype=np.int16)])
    rate, speech = fastrtc_speech()
    return np.concatenate([resample(speech, rate, RATE)[: int(SPEECH_S * RATE)], silence])


def _track(peer: Peer) -> Any:
    """A live microphone: the script in 20 ms frames, paced in real time, then silence."""
    import av
    from aiortc import MediaStreamTrack

    class ScriptTrack(MediaStreamTrack):
        kind = "audio"

        def __init__(self) -> None:
            super().__init__()
            self.position = 0

        async def recv(self) -> Any:
            if not peer.started:
                peer.started = time.monotonic()
            due = peer.started + self.position / RATE
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            chunk = peer.audio[self.position : self.position + FRAME]
            if len(chunk) < FRAME:
                chunk = np.zeros(FRAME, dtype=np.int16)
            if (
                peer.speech_end_s is not None
                and peer.speech_ended_at is None
                and self.position >= peer.speech_end_s * RATE
            ):
                peer.speech_ended_at = time.monotonic()
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = RATE
            frame.pts = self.position
            frame.time_base = fractions.Fraction(1, RATE)
            self.position += FRAME
            return frame

    return ScriptTrack()


async def _connect_and_talk(peer: Peer, url: str, seconds: float) -> None:
    import httpx
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    # fastrtc's output track waits for the client's data channel before it sends.
    pc.createDataChannel("text")
    pc.addTrack(_track(peer))
    listening: list[asyncio.Task[None]] = []

    async def listen(track: Any) -> None:
        while True:
            try:
                frame = await track.recv()
            except Exception:
                return
            if np.abs(frame.to_ndarray()).max() > 1000:
                peer.reply_frames += 1
                if peer.first_reply_at is None:
                    peer.first_reply_at = time.monotonic()

    @pc.on("track")
    def on_track(track: Any) -> None:
        listening.append(asyncio.ensure_future(listen(track)))

    await pc.setLocalDescription(await pc.createOffer())
    body = {"sdp": pc.localDescription.sdp, "type": "offer", "webrtc_id": peer.webrtc_id}
    async with httpx.AsyncClient(trust_env=False) as client:
        answer = (await client.post(f"{url}/webrtc/offer", json=body, timeout=30)).json()
    assert "sdp" in answer, answer
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type=answer["type"]))
    try:
        await asyncio.sleep(seconds)
    finally:
        await pc.close()
        for task in listening:
            task.cancel()


@pytest.fixture
def loopback_ice(monkeypatch: pytest.MonkeyPatch) -> None:
    """aioice leaves 127.0.0.1 out of its host candidates; offer only that."""
    import aioice.ice

    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4, use_ipv6: ["127.0.0.1"])


# The handlers served: a plugin from the test environment that forgets copy(),
# and the shipped semantic detector (Smart Turn v3) over the same VAD.
HANDLERS = {
    "forgetful": ("ForgetfulPause", {"quiet_below": QUIET_BELOW}),
    "smart-turn": ("SmartTurn", {"threshold": 0.4}),
}


@pytest.fixture(params=list(HANDLERS))
def served(
    request: pytest.FixtureRequest, in_env: PluginEnv, loopback_ice: None
) -> Iterator[dict[str, Any]]:
    """The stream served by uvicorn on 127.0.0.1, and what its reply function saw."""
    import uvicorn
    from fastapi import FastAPI
    from fastrtc import Stream, get_current_context

    from fastrtc_registry import reply_on_pause
    from fastrtc_registry.loading import PluginCopyWarning

    replies: list[tuple[str | None, float]] = []

    def reply(audio: tuple[int, np.ndarray]) -> Iterator[tuple[int, np.ndarray]]:
        try:
            webrtc_id = get_current_context().webrtc_id
        except Exception:
            webrtc_id = None
        replies.append((webrtc_id, time.monotonic()))
        t = np.arange(int(24000 * REPLY_S)) / 24000
        tone = (0.3 * 32767 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
        for start in range(0, len(tone), 2400):
            yield 24000, tone[start : start + 2400].reshape(1, -1)

    with warnings.catch_warnings():
        # ForgetfulPause does not override copy(); the registry keeps its class (tested below).
        warnings.simplefilter("ignore", PluginCopyWarning)
        handler = reply_on_pause(
            reply,
            vad="webrtc",
            vad_options={"aggressiveness": 3},
            turn_taking=request.param,
            **HANDLERS[request.param][1],
        )
    stream = Stream(
        handler,
        modality="audio",
        mode="send-receive",
        concurrency_limit=2,
        rtc_configuration={"iceServers": []},
        server_rtc_configuration={"iceServers": []},
    )
    app = FastAPI()
    stream.mount(app)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    try:
        yield {
            "url": f"http://127.0.0.1:{port}",
            "stream": stream,
            "replies": replies,
            "plugin": request.param,
        }
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_two_live_peers_over_webrtc(
    served: dict[str, Any], capsys: pytest.CaptureFixture[str], record_property: Any
) -> None:
    from fastrtc_registry.plugins.webrtc import WebRTCVAD

    stream = served["stream"]
    talker = Peer("talker", _script(with_speech=True), SPEECH_END_S)
    quiet = Peer("quiet", _script(with_speech=False), None)
    seen: dict[str, Any] = {}

    async def main() -> None:
        async def watch_handlers() -> None:
            # Capture the per-connection copies while both peers are connected.
            while True:
                for peer in (talker, quiet):
                    if peer.webrtc_id in stream.handlers:
                        seen[peer.name] = stream.handlers[peer.webrtc_id]
                await asyncio.sleep(0.1)

        watcher = asyncio.ensure_future(watch_handlers())
        length = SPEECH_S + SILENCE_S + 1.0
        await asyncio.gather(
            _connect_and_talk(talker, served["url"], length),
            _connect_and_talk(quiet, served["url"], length),
        )
        watcher.cancel()

    asyncio.run(main())

    # Each peer got its own copy of the handler, with the plugin's class and settings.
    assert set(seen) == {"talker", "quiet"}
    first, second = seen["talker"], seen["quiet"]
    assert first is not second
    assert first is not stream.event_handler and second is not stream.event_handler
    class_name, settings = HANDLERS[served["plugin"]]
    for copy in (first, second):
        assert type(copy).__name__ == class_name
        assert all(getattr(copy, key) == value for key, value in settings.items())
        assert isinstance(copy.model, WebRTCVAD)
        assert copy.model.options.aggressiveness == 3
    assert first.state is not second.state

    # One reply, to the peer that spoke, after its speech; none to silence alone.
    replies = served["replies"]
    assert len(replies) == 1, replies
    webrtc_id, replied_at = replies[0]
    assert webrtc_id == talker.webrtc_id
    assert talker.speech_ended_at is not None and replied_at > talker.speech_ended_at
    assert talker.reply_frames > 0 and talker.first_reply_at is not None
    assert quiet.reply_frames == 0

    delay = talker.first_reply_at - talker.speech_ended_at
    record_property("end_of_turn_delay_s", round(delay, 3))
    with capsys.disabled():
        print(f"\nend-of-turn delay seen by the WebRTC client: {delay:.3f} s")
