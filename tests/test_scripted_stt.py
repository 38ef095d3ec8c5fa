"""The scripted speech-to-text model: transcribes what the script said, where it is said."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from fastrtc_registry.simulate import resample
from fastrtc_registry.validation.scripted_stt import (
    GAP_S,
    WORD_S,
    Conversation,
    Utterance,
    render,
    scripted_model,
)


@pytest.fixture
def model():
    stt = scripted_model()
    stt.reset()
    yield stt
    stt.reset()


@pytest.mark.parametrize("rate", [16000, 24000, 48000])
def test_transcribes_the_words_at_every_rate(model, rate) -> None:
    said = Conversation(rate, 6.0, (Utterance(1.0, "hello how are you over."),))
    audio = render(said)
    assert model.stt((rate, audio)) == "hello how are you over."
    as_float = (audio.astype(np.float32) / 32768.0).reshape(1, -1)
    assert model.stt((rate, as_float)) == "hello how are you over."
    assert model.stt((16000, resample(audio, rate, 16000))) == "hello how are you over."


def test_a_slice_hears_only_the_words_mostly_inside_it(model) -> None:
    rate = 16000
    utterance = Utterance(1.0, "one two three")
    audio = render(Conversation(rate, 4.0, (utterance,)))
    second = 1.0 + WORD_S + GAP_S  # where "two" starts
    assert model.stt((rate, audio[: int(rate * (second + 0.25 * WORD_S))])) == "one"
    assert model.stt((rate, audio[: int(rate * (second + 0.75 * WORD_S))])) == "one two"
    assert model.stt((rate, audio[int(rate * second) :])) == "two three"
    assert utterance.end_s == pytest.approx(1.0 + 3 * WORD_S + 2 * GAP_S)


def test_silence_noise_and_empty_audio_say_nothing(model) -> None:
    quiet = render(Conversation(16000, 3.0))
    assert model.stt((16000, quiet)) == ""
    assert model.stt((16000, np.zeros(0, np.int16))) == ""
    assert model.stt((16000, np.zeros(16000, np.float32))) == ""


def test_two_conversations_at_once_keep_their_words(model) -> None:
    first = render(Conversation(48000, 3.0, (Utterance(0.5, "alpha over"),)))
    second = render(Conversation(48000, 3.0, (Utterance(0.5, "bravo roger"),)))
    assert model.stt((48000, first)) == "alpha over"
    assert model.stt((48000, second)) == "bravo roger"
    assert model.stt((48000, np.concatenate([second, first]))) == "bravo roger alpha over"


def test_fastrtc_chunked_transcription_uses_it(model) -> None:
    from fastrtc.speech_to_text import stt_for_chunks

    rate = 16000
    audio = render(Conversation(rate, 4.0, (Utterance(0.5, "what time is it"),)))
    step = int(rate * (WORD_S + GAP_S))
    chunks = [
        {
            "start": int(rate * 0.5) + i * step,
            "end": int(rate * 0.5) + i * step + int(rate * WORD_S),
        }
        for i in range(4)
    ]
    assert stt_for_chunks(model, (rate, audio), chunks) == "what time is it"


def test_conversation_round_trips_through_json() -> None:
    said = Conversation(24000, 9.5, (Utterance(1.0, "computer"), Utterance(3.0, "what time is it")))
    assert Conversation.from_dict(json.loads(json.dumps(said.as_dict()))) == said


_CHECK_PATCHED = """
import sys
from fastrtc_registry.validation import scripted_stt
{before}
scripted_stt.install()
import fastrtc, fastrtc.reply_on_stopwords, fastrtc.speech_to_text, fastrtc.speech_to_text.stt_
from fastrtc import get_stt_model
from fastrtc.speech_to_text import MoonshineSTT
names = {{
    "fastrtc": fastrtc.get_stt_model,
    "fastrtc.speech_to_text": fastrtc.speech_to_text.get_stt_model,
    "stt_": fastrtc.speech_to_text.stt_.get_stt_model,
    "reply_on_stopwords": fastrtc.reply_on_stopwords.get_stt_model,
    "from fastrtc import": get_stt_model,
}}
bad = [k for k, v in names.items() if v is not scripted_stt.get_stt_model]
model = get_stt_model("moonshine/base")
MoonshineSTT("moonshine/tiny")
print(bad, model is scripted_stt.scripted_model(), scripted_stt.scripted_model().requested,
      "moonshine_onnx" in sys.modules)
"""


@pytest.mark.parametrize("before", ["", "import fastrtc"], ids=["before-import", "after-import"])
def test_install_replaces_every_name_plugins_reach(before) -> None:
    script = textwrap.dedent(_CHECK_PATCHED.format(before=before))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (
        done.stdout.strip().splitlines()[-1] == "[] True ['moonshine/base', 'moonshine/tiny'] False"
    )
