"""A scripted speech-to-text model for the conversation checks, in place of fastrtc's.

Turn-taking plugins such as a walkie-talkie ("... over.") or a stop-word
handler decide on the words they hear, through fastrtc's ``get_stt_model``.
The real model downloads weights and needs ``fastrtc[stt]``; validation
must not. :func:`install` replaces ``get_stt_model`` (and ``MoonshineSTT``)
before plugin code is imported, everywhere plugins reach them
(``fastrtc.get_stt_model``, ``fastrtc.speech_to_text``, ``fastrtc.speech_to_text.stt_``,
``fastrtc.reply_on_stopwords``), with :class:`ScriptedSTT`.

How the model knows what was "said": :func:`render` turns a
:class:`Conversation` into audio in which every word is a tone of its own
frequency (:data:`WORD_S` long, :data:`GAP_S` apart). ``stt(audio)``
finds the tones in whatever slice, rate and dtype it is given and returns
the words whose tone fills at least half of the word, in order. So the
transcript follows the audio exactly as a real model's would: a window
that cuts a word in half hears the half that is there, and a resampled,
re-chunked or concatenated buffer still transcribes right.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

__all__ = [
    "GAP_S",
    "WORD_S",
    "Conversation",
    "ScriptedSTT",
    "Utterance",
    "install",
    "render",
    "scripted_model",
]

WORD_S = 0.32
GAP_S = 0.08
_BASE_HZ, _STEP_HZ, _TONES = 300.0, 90.0, 40  # 300 Hz ... 3810 Hz: below 8 kHz at 16 kHz
_LEVEL = 0.3  # about -13 dBFS: loud speech
_FLOOR_DB = -45.0  # frames quieter than this are not speech
_FRAME_S = 0.02
_STT_MODULE = "fastrtc.speech_to_text.stt_"


@dataclass(frozen=True, slots=True)
class Utterance:
    """Words spoken from ``start_s`` on, one every ``WORD_S + GAP_S`` seconds."""

    start_s: float
    text: str

    @property
    def words(self) -> list[str]:
        """The words, as a speech-to-text model would write them."""
        return self.text.split()

    @property
    def end_s(self) -> float:
        """When the last word ends."""
        count = len(self.words)
        return self.start_s + count * WORD_S + max(0, count - 1) * GAP_S


@dataclass(frozen=True, slots=True)
class Conversation:
    """What one simulated speaker says, at ``rate`` Hz, over ``total_s`` seconds."""

    rate: int
    total_s: float
    utterances: tuple[Utterance, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "rate": self.rate,
            "total_s": self.total_s,
            "utterances": [
                {"start_s": u.start_s, "text": u.text, "end_s": round(u.end_s, 3)}
                for u in self.utterances
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conversation:
        """Inverse of :meth:`as_dict`."""
        return cls(
            int(data["rate"]),
            float(data["total_s"]),
            tuple(Utterance(float(u["start_s"]), str(u["text"])) for u in data["utterances"]),
        )


class ScriptedSTT:
    """fastrtc's ``STTModel`` protocol, answering from the tones :func:`render` wrote.

    One instance is shared by every handler, as fastrtc shares its model; it is
    a plain class (no dataclass fields) so that comparing handlers' state does
    not see its transcript log as state they share.
    """

    def __init__(self) -> None:
        self.words: dict[int, str] = {}
        self.requested: list[str] = []
        """Every model name a plugin asked ``get_stt_model``/``MoonshineSTT`` for."""
        self.transcripts: list[str] = []
        self._next = 0
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget the words and transcripts (not the requests)."""
        with self._lock:
            self.words.clear()
            self.transcripts.clear()
            self._next = 0

    def assign(self, word: str) -> float:
        """A tone frequency (Hz) of its own for one spoken ``word``."""
        with self._lock:
            index = self._next % _TONES
            self._next += 1
            self.words[index] = word
        return _BASE_HZ + _STEP_HZ * index

    def stt(self, audio: tuple[int, np.ndarray]) -> str:
        """The words in ``audio`` (``(rate, samples)``, int16 or float, any shape)."""
        rate, samples = audio
        text = " ".join(self._heard(int(rate), np.asarray(samples)))
        with self._lock:
            self.transcripts.append(text)
        return text

    def _heard(self, rate: int, samples: np.ndarray) -> list[str]:
        data = samples.reshape(-1).astype(np.float64)
        if samples.dtype == np.int16:
            data /= 32768.0
        size = max(1, int(rate * _FRAME_S))
        count = len(data) // size
        if count == 0 or rate <= 0:
            return []
        frames = data[: count * size].reshape(count, size)
        loud = 10 * np.log10(np.mean(frames * frames, axis=1) + 1e-12) > _FLOOR_DB
        if not loud.any():
            return []
        n_fft = 1 << max(12, int(np.ceil(np.log2(size))))
        spectrum = np.abs(np.fft.rfft(frames[loud] * np.hanning(size), n=n_fft, axis=1))
        peaks = np.argmax(spectrum, axis=1) * rate / n_fft
        indices = np.round((peaks - _BASE_HZ) / _STEP_HZ).astype(int)
        near = np.abs(peaks - (_BASE_HZ + _STEP_HZ * indices)) < 0.3 * _STEP_HZ
        needed = 0.5 * WORD_S / _FRAME_S
        frames_of: dict[int, int] = {}  # tone index -> loud frames, in order of first frame
        for index, ok in zip(indices.tolist(), near.tolist(), strict=True):
            if ok and index in self.words:
                frames_of[index] = frames_of.get(index, 0) + 1
        heard = [self.words[i] for i, frames in frames_of.items() if frames >= needed]
        return heard


_model = ScriptedSTT()


def scripted_model() -> ScriptedSTT:
    """The one scripted model of this process (fastrtc also shares one STT model)."""
    return _model


def render(conversation: Conversation, *, noise_dbfs: float = -65.0) -> np.ndarray:
    """The conversation as int16 mono audio; each word's tone is assigned in the model."""
    rate = conversation.rate
    rng = np.random.default_rng(0)
    level = 32768.0 * 10 ** (noise_dbfs / 20)
    audio = rng.normal(0.0, level, int(rate * conversation.total_s))
    word = int(rate * WORD_S)
    t = np.arange(word) / rate
    ramp = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)  # 10 ms fades: no clicks
    for utterance in conversation.utterances:
        for position, text in enumerate(utterance.words):
            start = int(rate * (utterance.start_s + position * (WORD_S + GAP_S)))
            tone = _LEVEL * 32767 * ramp * np.sin(2 * np.pi * _model.assign(text) * t)
            end = min(len(audio), start + word)
            if start < end:
                audio[start:end] = tone[: end - start]
    return np.clip(np.round(audio), -32768, 32767).astype(np.int16)


# -- replacing fastrtc's model ------------------------------------------------------


def get_stt_model(model: str = "moonshine/base") -> ScriptedSTT:
    """Stands in for ``fastrtc.get_stt_model``: no download, the scripted model."""
    _model.requested.append(str(model))
    return _model


class MoonshineSTT:
    """Stands in for ``fastrtc.speech_to_text.MoonshineSTT``."""

    def __init__(self, model: str = "moonshine/base") -> None:
        _model.requested.append(str(model))

    def stt(self, audio: tuple[int, np.ndarray]) -> str:
        """Delegates to the scripted model."""
        return _model.stt(audio)


_REPLACEMENTS: dict[str, Any] = {"get_stt_model": get_stt_model, "MoonshineSTT": MoonshineSTT}


def install() -> ScriptedSTT:
    """Replace fastrtc's speech-to-text everywhere it is or will be imported; the model."""
    loaded = sys.modules.get(_STT_MODULE)
    if loaded is not None:
        _patch(loaded, sys.modules.values())
    elif not any(isinstance(f, _PatchOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _PatchOnImport())
    return _model


def _patch(module: ModuleType, others: Iterable[ModuleType | None]) -> None:
    originals = {name: getattr(module, name, None) for name in _REPLACEMENTS}
    for name, replacement in _REPLACEMENTS.items():
        setattr(module, name, replacement)
    # Modules that already did ``from ... import get_stt_model`` hold the original.
    for other in list(others):
        for name, original in originals.items():
            if original is not None and getattr(other, name, None) is original:
                setattr(other, name, _REPLACEMENTS[name])


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Patches fastrtc's speech-to-text module the moment it has been executed."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> Any:
        if fullname != _STT_MODULE:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        loader: Any = spec.loader
        execute = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            execute(module)
            _patch(module, ())

        loader.exec_module = exec_module
        return spec
