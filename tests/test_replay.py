"""``fastrtc-plugins replay``: the decoder on files written here, errors before any worker,
and real runs over fastrtc's speech with the fixture energy VAD and two turn-taking plugins."""

from __future__ import annotations

import importlib.util
import json
import struct
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import PluginEnv

from fastrtc_registry.audio_file import read_audio
from fastrtc_registry.errors import AudioFileError
from fastrtc_registry.replay import _result, choose_pairs
from fastrtc_registry.simulate import resample, speech_wav_path


def _wav(path: Path, data: bytes, *, tag: int, channels: int, rate: int, bits: int) -> Path:
    """A RIFF WAVE file by hand: plain or WAVE_FORMAT_EXTENSIBLE (tag 0xFFFE wraps ``tag``)."""
    align = channels * bits // 8
    if tag >= 0x10000:
        sub = tag - 0x10000
        fmt = struct.pack("<HHIIHH", 0xFFFE, channels, rate, rate * align, align, bits)
        guid = struct.pack("<H", sub) + bytes.fromhex("000000001000800000aa00389b71")
        fmt += struct.pack("<HHI", 22, bits, 0) + guid
    else:
        fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)
    body = b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"LIST" + struct.pack("<I", 4) + b"INFO"  # a chunk to skip
    body += b"data" + struct.pack("<I", len(data)) + data
    path.write_bytes(b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body)
    return path


def _tone(rate: int, seconds: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def test_int16_mono(tmp_path: Path) -> None:
    tone = _tone(16000)
    pcm = np.round(tone * 32767).astype("<i2").tobytes()
    got = read_audio(_wav(tmp_path / "a.wav", pcm, tag=1, channels=1, rate=16000, bits=16))
    assert (got.rate, got.channels, got.encoding) == (16000, 1, "wav int16")
    assert got.duration_s == pytest.approx(0.5)
    assert np.allclose(got.audio, tone, atol=1e-4)


def test_float32_stereo_44k_is_downmixed(tmp_path: Path) -> None:
    left, right = _tone(44100), np.zeros(22050, np.float32)
    data = np.stack([left, right], axis=1).astype("<f4").tobytes()
    got = read_audio(_wav(tmp_path / "s.wav", data, tag=3, channels=2, rate=44100, bits=32))
    assert (got.rate, got.channels, got.encoding) == (44100, 2, "wav float32")
    assert np.allclose(got.audio, left / 2, atol=1e-6)


def test_24_bit_and_extensible(tmp_path: Path) -> None:
    tone = _tone(48000)
    ints = np.round(tone * (2**23 - 1)).astype(np.int32)
    data = b"".join(int(v).to_bytes(3, "little", signed=True) for v in ints)
    got = read_audio(_wav(tmp_path / "24.wav", data, tag=1, channels=1, rate=48000, bits=24))
    assert got.encoding == "wav int24"
    assert np.allclose(got.audio, tone, atol=1e-6)
    ext = _wav(tmp_path / "x.wav", data, tag=0x10001, channels=1, rate=48000, bits=24)
    assert np.allclose(read_audio(ext).audio, tone, atol=1e-6)
    floats = tone.astype("<f4").tobytes()
    ext_float = _wav(tmp_path / "xf.wav", floats, tag=0x10003, channels=1, rate=48000, bits=32)
    assert read_audio(ext_float).encoding == "wav float32"


def test_flac_through_soundfile(tmp_path: Path) -> None:
    soundfile = pytest.importorskip("soundfile")
    tone = _tone(22050)
    soundfile.write(str(tmp_path / "t.flac"), np.stack([tone, tone], 1), 22050, format="FLAC")
    got = read_audio(tmp_path / "t.flac")
    assert (got.rate, got.channels, got.encoding) == (22050, 2, "flac")
    assert np.allclose(got.audio, tone, atol=1e-3)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.wav", None, "no such file"),
        ("garbage.wav", b"\x00\x13garbage bytes, not audio" * 40, "not a readable audio file"),
        ("empty.wav", b"", "the file is empty"),
        ("zero.wav", "zero", "zero frames"),
    ],
    ids=["missing", "garbage", "empty", "zero-frames"],
)
def test_bad_files_exit_2_with_one_line_and_no_worker(
    tmp_path: Path, in_env: PluginEnv, name: str, content: Any, message: str
) -> None:
    path = tmp_path / name
    if content == "zero":
        _wav(path, b"", tag=1, channels=1, rate=16000, bits=16)
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(AudioFileError, match=message):
        read_audio(path)
    result = in_env.run("replay", str(path), "--vad", "energy", "--json", timeout=60)
    assert result.returncode == 2, result.stderr
    error = json.loads(result.stdout)["error"]  # --json: the error object (docs/cli.md)
    assert error["type"] == "AudioFileError" and error["exit_code"] == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert "Replaying" not in result.stderr  # stopped before the worker


def test_pairs_rule() -> None:
    assert choose_pairs([], []) == [("silero", "pause")]
    assert choose_pairs(["energy", "webrtc"], ["pause", "patient"]) == [
        ("energy", "pause"),
        ("energy", "patient"),
        ("webrtc", "pause"),
    ]


def test_turns_are_marked_where_algorithms_disagree() -> None:
    recording = read_audio(speech_wav_path())
    pairs = [("v", "a"), ("v", "b"), ("v", "c")]
    answer = {
        "speech": {"v": [[0.5, 1.0], [1.1, 2.0], [4.0, 5.0], [8.0, 9.0]]},
        "runs": [
            {"replies_s": [2.6, 5.6, 9.6]},
            {"replies_s": [2.7, 6.8]},
            {"error": "RuntimeError: boom", "replies_s": []},
        ],
    }
    result = _result(recording, pairs, answer)
    assert [t.index for t in result.turns] == [1, 2, 3]  # 0.5-2.0 is one utterance
    first, second, third = result.turns
    assert first.delays_s == (pytest.approx(0.6), pytest.approx(0.7), None)
    assert first.disagreement is None  # within the tolerance; the failed run does not count
    assert second.disagreement == "delays differ by 1200 ms"
    assert third.disagreement == "no reply from b (v)"
    assert result.runs[2].error == "RuntimeError: boom"


@pytest.fixture(scope="module")
def speech_run(good_env: PluginEnv, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """pause and patient with the energy VAD over fastrtc's speech, as JSON, with a chart."""
    plot = tmp_path_factory.mktemp("replay") / "replay.svg"
    result = good_env.run(
        "replay", str(speech_wav_path()), "--vad", "energy",
        "--turn-taking", "pause", "--turn-taking", "patient", "--json", "--plot", str(plot),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return {"data": json.loads(result.stdout), "plot": plot}


def test_replies_follow_speech_and_the_patient_one_is_later(speech_run: dict[str, Any]) -> None:
    data = speech_run["data"]
    assert set(data) >= {"path", "rate", "channels", "duration_s", "vads", "runs", "turns"}
    assert (data["rate"], data["channels"]) == (24000, 1)
    (track,) = data["vads"]
    assert track["name"] == "energy" and track["error"] is None and len(track["speech"]) >= 4
    pause, patient = data["runs"]
    assert (pause["label"], patient["label"]) == ("pause (energy)", "patient (energy)")
    for run in (pause, patient):
        assert run["error"] is None and run["replies"]
        for reply in run["replies"]:
            assert set(reply) == {"at_s", "turn", "delay_s"}
            assert reply["delay_s"] > 0  # a reply comes after the end of speech
    assert len(patient["replies"]) < len(pause["replies"])
    last = data["turns"][-1]
    assert last["delays_s"]["patient (energy)"] > last["delays_s"]["pause (energy)"]
    assert last["disagreement"].startswith("delays differ")
    marked = [t for t in data["turns"] if t["disagreement"]]
    assert any(t["delays_s"]["patient (energy)"] is None for t in marked)
    for turn in data["turns"]:
        assert set(turn) == {"turn", "start_s", "end_s", "delays_s", "disagreement"}


def test_svg_chart_is_well_formed(speech_run: dict[str, Any]) -> None:
    root = ET.parse(speech_run["plot"]).getroot()
    assert root.tag.endswith("svg")
    text = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert "pause (energy)" in text and "patient (energy)" in text
    titles = [t.text or "" for t in root.iter() if t.tag.endswith("title")]
    assert any("disagree" in t or "differ" in t or "no reply" in t for t in titles)


def test_stereo_44k_timeline_and_png(good_env: PluginEnv, tmp_path: Path) -> None:
    rate, speech = 24000, read_audio(speech_wav_path()).audio
    mono = resample(speech[: rate * 8], rate, 44100)
    data = np.stack([mono, mono * 0.5], axis=1).astype("<f4").tobytes()
    path = _wav(tmp_path / "stereo.wav", data, tag=3, channels=2, rate=44100, bits=32)
    args = ["replay", str(path), "--vad", "energy", "--turn-taking", "patient"]
    text = good_env.run(*args, "--plot", str(tmp_path / "r.svg"))
    assert text.returncode == 0, text.stderr
    assert "44100 Hz, 2 channels, downmixed, wav float32" in text.stdout
    assert "reply at" in text.stdout
    ET.parse(tmp_path / "r.svg")
    if importlib.util.find_spec("matplotlib") is None:
        return
    png = good_env.run(*args, "--plot", str(tmp_path / "r.png"), "--json")
    assert png.returncode == 0, png.stderr
    assert (tmp_path / "r.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_default_vad_offline_says_which_vad_to_pass(good_env: PluginEnv) -> None:
    result = good_env.run("replay", str(speech_wav_path()), "--json", env={"HF_HUB_OFFLINE": "1"})
    data = json.loads(result.stdout)
    assert result.returncode == 1
    (track,) = data["vads"]
    assert track["name"] == "silero" and "--vad NAME" in track["error"]
    assert data["runs"][0]["error"] == "the VAD silero could not run (see its speech)"
