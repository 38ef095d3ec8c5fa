"""The shipped ``smart-turn`` algorithm: Smart Turn v3 asked at a short pause."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _ci import require_module

from fastrtc_registry.simulate import drive_handler, fastrtc_speech, recording_reply, resample

ROOT = Path(__file__).resolve().parents[1]
SEGMENTS = ROOT / "fastrtc_registry" / "bench" / "speech_segments.json"


@pytest.fixture(scope="module")
def model_file() -> Path:
    require_module("onnxruntime")
    from fastrtc_registry.errors import PluginLoadError
    from fastrtc_registry.plugins.smart_turn import find_model

    try:
        return find_model()
    except PluginLoadError:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI=true but pipecat-ai's model file is missing; .ci/run installs it")
        pytest.skip("pipecat-ai (which ships the model) is not installed")


def _utterance(index: int) -> tuple[int, np.ndarray]:
    rate, speech = fastrtc_speech()
    start, end = json.loads(SEGMENTS.read_text())["utterances"][index]
    return rate, speech[start * rate // 100 : end * rate // 100]


def test_features_follow_the_whisper_recipe_exactly(model_file: Path) -> None:
    # pipecat ships its own numpy version next to the model: ours must give the same numbers.
    reference = model_file.parents[1] / "_whisper_features.py"
    spec = importlib.util.spec_from_file_location("reference_features", reference)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from fastrtc_registry.plugins._whisper_mel import log_mel

    rate, speech = fastrtc_speech()
    x = resample(speech, rate, 16000)[: 16000 * 8].astype(np.float32) / 32768.0
    ours = log_mel(x)
    theirs = module.compute_whisper_log_mel_features(x, do_normalize=True)
    assert ours.shape == theirs.shape == (80, 800)
    assert np.abs(ours - theirs).max() < 1e-5
    with pytest.raises(ValueError, match="128000"):
        log_mel(x[:100])


def test_the_model_hears_a_complete_sentence_and_one_cut_midway(model_file: Path) -> None:
    from fastrtc_registry.plugins.smart_turn import SmartTurnModel

    model = SmartTurnModel(model_file)
    rate, sentence = _utterance(1)  # 5.26-7.03 s of fastrtc's recording
    pause = np.zeros(rate // 5, dtype=np.int16)
    complete = model.probability(np.concatenate([sentence, pause]), rate)
    cut = model.probability(np.concatenate([sentence[: len(sentence) // 2], pause]), rate)
    assert complete > 0.9 and cut < 0.3, (complete, cut)


def _handler(**settings: Any) -> tuple[Any, list[int]]:
    from fastrtc_registry.plugins.smart_turn import SmartTurn
    from fastrtc_registry.validation.observe_turn_taking import ReferenceVAD

    reply, lengths = recording_reply()
    return SmartTurn(reply, model=ReferenceVAD(), **settings), lengths


def _talk(index: int, silence_s: float) -> np.ndarray:
    rate, speech = _utterance(index)
    audio = np.concatenate([np.zeros(rate // 2, np.int16), speech])
    audio = np.concatenate([audio, np.zeros(int(silence_s * rate), np.int16)])
    return resample(audio, rate, 48000)


@pytest.mark.parametrize(
    ("settings", "early"),
    [({"threshold": 0.0}, True), ({"threshold": 1.0}, False)],
    ids=["threshold-0-replies-at-the-short-pause", "threshold-1-waits-for-max-silence"],
)
def test_threshold_and_max_silence_decide_when(
    model_file: Path, settings: dict[str, Any], early: bool
) -> None:
    handler, _ = _handler(max_silence_s=1.8, **settings)
    replies = drive_handler(handler, _talk(1, silence_s=4.0))
    assert len(replies) == 1, replies
    speech_end = 0.5 + (703 - 526) / 100
    delay = replies[0].at_s - speech_end
    assert len(handler.decisions) == 1 and handler.decisions[0].elapsed_s > 0
    if early:
        assert delay < 1.3, delay
    else:
        assert 1.8 <= delay < 2.6, delay


def test_a_complete_sentence_ends_the_turn_before_max_silence(model_file: Path) -> None:
    handler, lengths = _handler(max_silence_s=3.0)
    replies = drive_handler(handler, _talk(1, silence_s=4.0))
    assert len(replies) == 1 and replies[0].at_s - (0.5 + 1.77) < 1.3
    assert handler.decisions[0].probability >= handler.threshold
    assert lengths and lengths[0] > 0


def test_copy_keeps_the_settings_and_the_session_not_the_state(model_file: Path) -> None:
    handler, _ = _handler(threshold=0.7, short_pause_s=0.3, max_silence_s=2.5)
    drive_handler(handler, _talk(1, silence_s=4.0))
    copy = handler.copy()
    assert type(copy) is type(handler)
    assert (copy.threshold, copy.short_pause_s, copy.max_silence_s) == (0.7, 0.3, 2.5)
    assert copy.model is handler.model and copy.smart_model is handler.smart_model
    assert not copy.decisions and handler.decisions


@pytest.mark.parametrize(
    "settings", [{"threshold": 1.5}, {"short_pause_s": 3.0, "max_silence_s": 2.0}]
)
def test_bad_settings_are_refused(model_file: Path, settings: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        _handler(**settings)


def test_a_missing_model_names_the_install_line(tmp_path: Path) -> None:
    # A pipecat package without the model file, found first on the path.
    fake = tmp_path / "pipecat"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    code = (
        "from fastrtc_registry.errors import PluginLoadError\n"
        "from fastrtc_registry.plugins.smart_turn import find_model\n"
        "try:\n    find_model()\nexcept PluginLoadError as exc:\n    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        check=True,
    )
    assert 'pip install "fastrtc-registry[smart-turn]"' in out.stdout
    from fastrtc_registry.errors import PluginLoadError
    from fastrtc_registry.plugins.smart_turn import find_model

    with pytest.raises(PluginLoadError, match="no model file"):
        find_model(tmp_path / "nope.onnx")


def test_loads_by_name_with_any_vad(model_file: Path, in_env: Any) -> None:
    from fastrtc_registry import load_turn_taking, reply_on_pause
    from fastrtc_registry.plugins.smart_turn import SmartTurn

    assert load_turn_taking("smart-turn") is SmartTurn
    reply, _ = recording_reply()
    handler = reply_on_pause(reply, vad="energy", turn_taking="smart-turn", threshold=0.6)
    assert isinstance(handler, SmartTurn) and handler.threshold == 0.6
    assert type(handler.copy()) is SmartTurn
