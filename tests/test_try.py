"""``fastrtc-plugins try``: the real command, served to headless chromium with a fake microphone.

Chromium's fake capture device plays a WAV made from fastrtc's speech
recording: silence, one utterance, then a long silence. The page's peer
connections are watched through ``getStats``: the microphone's level
(``media-source``) says when the speech went out, the inbound track's level
when reply audio came back. The reply is the turn echoed, so its energy must
come after the utterance ends, and none may come during the leading silence.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _ci import require_executable, require_module
from conftest import PluginEnv

RATE = 48000
LEAD_S = 3.0
SPEECH_S = 4.7  # the first utterance of fastrtc's recording ends at 4.64 s
TRAIL_S = 20.0
LEVEL = 0.02  # audioLevel (0..1) above which a stats sample counts as sound

WATCH_JS = """
window.__levels = [];
const Native = window.RTCPeerConnection;
window.RTCPeerConnection = function (...args) {
  const pc = new Native(...args);
  const poll = setInterval(async () => {
    if (pc.connectionState === "closed") { clearInterval(poll); return; }
    const stats = await pc.getStats();
    let mic = null, reply = null;
    stats.forEach((s) => {
      if (s.kind !== "audio") return;
      if (s.type === "media-source") mic = s.audioLevel ?? null;
      if (s.type === "inbound-rtp") reply = s.audioLevel ?? null;
    });
    window.__levels.push([performance.now() / 1000, mic, reply]);
  }, 50);
  return pc;
};
window.RTCPeerConnection.prototype = Native.prototype;
"""


def _command(env: PluginEnv, *args: str) -> list[str]:
    return [str(env.python), "-m", "fastrtc_registry", "try", *args]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(env: PluginEnv, port: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        _command(
            env,
            "--vad",
            "webrtc",
            "--turn-taking",
            "pause",
            "--no-browser",
            "--port",
            str(port),
            *extra,
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "FASTRTC_PLUGINS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"},
    )


def _wait_for_url(proc: subprocess.Popen[str], timeout: float = 120) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if "http://127.0.0.1:" in line:
            return line.split("Listening on ", 1)[1].split()[0]
    proc.kill()
    _, err = proc.communicate(timeout=10)
    raise AssertionError(f"try did not print its URL; stderr:\n{err}")


@pytest.fixture
def served(good_env: PluginEnv) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = _start(good_env, _free_port())
    try:
        yield proc, _wait_for_url(proc)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()


def _fake_microphone(path: Path) -> Path:
    """fastrtc's speech as chromium's fake capture reads it: 16-bit PCM, 48 kHz, mono."""
    from fastrtc_registry.simulate import fastrtc_speech, resample

    rate, speech = fastrtc_speech()
    voice = resample(speech, rate, RATE)[: int(SPEECH_S * RATE)]
    audio = np.concatenate(
        [
            np.zeros(int(LEAD_S * RATE), np.int16),
            voice.astype(np.int16),
            np.zeros(int(TRAIL_S * RATE), np.int16),
        ]
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(audio.tobytes())
    return path


def _spans(levels: list[list[Any]], column: int) -> list[float]:
    return [row[0] for row in levels if row[column] is not None and row[column] > LEVEL]


@pytest.mark.slow
def test_browser_hears_the_turn_echoed(
    served: tuple[subprocess.Popen[str], str], tmp_path: Path
) -> None:
    chromium = require_executable("chromium", "chromium-browser")
    require_module("playwright")
    from playwright.sync_api import sync_playwright

    _, url = served
    wav = _fake_microphone(tmp_path / "mic.wav")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={wav}",
                "--allow-loopback-in-peer-connection",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        try:
            page = browser.new_page()
            page.add_init_script(WATCH_JS)
            page.goto(url)
            page.locator('button[aria-label="start stream"]').click(timeout=60_000)
            page.wait_for_timeout(int((LEAD_S + SPEECH_S + 8) * 1000))
            levels = page.evaluate("window.__levels")
            table = page.locator("table tbody").first.inner_text()
            page.screenshot(path=str(tmp_path / "try.png"))
            if os.environ.get("FASTRTC_TRY_SCREENSHOT"):
                page.screenshot(path=os.environ["FASTRTC_TRY_SCREENSHOT"])
        finally:
            browser.close()

    mic = _spans(levels, 1)
    reply = _spans(levels, 2)
    assert levels, "the page opened no peer connection"
    assert mic, "the fake microphone sent no speech"
    assert reply, f"no reply audio arrived; levels: {levels[-20:]}"
    speech_start = mic[0]
    speech_end = max(t for t in mic if t < reply[0])
    # The reply comes after the utterance ends, and none during the leading silence.
    assert reply[0] > speech_end, (speech_end, reply[0])
    assert not [t for t in reply if t < speech_start]
    # The reply is the turn: it is about as long as what was said.
    assert reply[-1] - reply[0] < SPEECH_S + 3
    # The UI's table has the turn, its length and the delay in milliseconds.
    cells = [cell.strip() for cell in table.split()]
    assert cells[0] == "1" and float(cells[1]) > 1 and 0 < float(cells[2]) < 5000, table


def test_missing_plugin_gives_the_install_line_and_no_server(good_env: PluginEnv) -> None:
    port = _free_port()
    result = subprocess.run(
        _command(good_env, "--vad", "humaware", "--no-browser", "--port", str(port)),
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "FASTRTC_PLUGINS_OFFLINE": "1"},
    )
    assert result.returncode == 1, result.stderr
    assert "pip install humaware-vad" in result.stderr, result.stderr
    assert "Listening" not in result.stdout
    with socket.socket() as sock:  # nothing was left listening
        assert sock.connect_ex(("127.0.0.1", port)) != 0


def test_port_in_use_is_a_clear_error(good_env: PluginEnv) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            _command(good_env, "--vad", "webrtc", "--no-browser", "--port", str(port)),
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "FASTRTC_PLUGINS_OFFLINE": "1"},
        )
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [lines[0]] and f"port {port}" in lines[0] and "--port" in lines[0], lines


@pytest.mark.slow
def test_ctrl_c_stops_cleanly(served: tuple[subprocess.Popen[str], str]) -> None:
    import httpx

    proc, url = served
    assert httpx.get(url, timeout=30, trust_env=False).status_code == 200
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == "stopped"
