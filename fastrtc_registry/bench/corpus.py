"""The bench corpus: labelled audio built by code, the same bytes on every run.

Every clip carries a ground-truth label per 10 ms frame (True = speech). All
parts are placed on 10 ms boundaries, so the labels hold exactly at 16, 24 and
48 kHz. Clip lengths are whole multiples of 0.6 s, the chunk ``ReplyOnPause``
hands a VAD. Nothing is downloaded: the speech is fastrtc's own recording,
the rest is synthesised from a fixed seed. Clips are built one at a time so a
run holds only one in memory. How each part is made:

- **speech**: fastrtc's recording (24 kHz, 20.75 s), resampled linearly; its
  seven utterances were found once (see :mod:`._speech`) and label the frames.
- **silence**: digital zeros.
- **noise**: white (Gaussian), pink (white shaped by 1/sqrt(f) in the
  frequency domain) and babble (six time-shifted copies of the recording
  summed, so no single talker stands out), each at fixed RMS levels in dBFS.
  Babble is labelled non-speech: it is background chatter, not a talker.
- **humming**: a hummed melody: a harmonic source (amplitudes falling as
  1/k) whose pitch glides between notes with 5.5 Hz vibrato, each harmonic
  weighted by a nasal vocal-tract response (resonances near 250, 1200 and
  2300 Hz, as in a hummed /m/), with 40 ms attacks and releases. Three
  voices (110, 165, 220 Hz).
- **music**: plucked notes (harmonics decaying faster the higher they are)
  and held three-note organ chords with tremolo.
- **speech in noise**: the speech plus white, pink or babble noise at 20, 10
  and 0 dB SNR (speech power measured over its labelled frames).
- **conversations**: utterances joined by pauses of known length over a
  -65 dBFS pink noise floor: short pauses (0.2-0.4 s, shorter than fastrtc's
  turn-taking threshold of a 0.6 s chunk with under 0.1 s of speech) inside
  a turn, long ones (1.5-2.5 s) between turns, and humming on its own
  between turns.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..simulate import fastrtc_speech, resample
from ..stream import RATES
from ._speech import utterances

__all__ = [
    "CORPUS_VERSION",
    "FRAME_S",
    "SEED",
    "Clip",
    "Conversation",
    "Turn",
    "clips",
    "conversations",
    "corpus_checksum",
]

CORPUS_VERSION = "2"
SEED = 20260601
FRAME_S = 0.01
FRAMES_PER_CHUNK = 60
NOISE_LEVELS_DBFS = {"white": (-60, -45, -30), "pink": (-60, -45, -30), "babble": (-45, -30)}
SNRS_DB = (20, 10, 0)
CLIP_S = 6.0
SPEECH_S = 21.0
HUM_DBFS = -24.0
MUSIC_DBFS = -24.0
FLOOR_DBFS = -65.0


@dataclass(frozen=True, slots=True)
class Clip:
    """One labelled piece of audio: mono int16 and one label per 10 ms frame."""

    name: str
    """Unique, e.g. ``noise/pink -45 dBFS`` or ``speech+babble/10 dB``."""
    group: str
    """``clean``, ``silence``, ``noise``, ``humming``, ``music`` or ``speech+<noise>``."""
    rate: int
    audio: np.ndarray
    labels: np.ndarray
    """Bool per 10 ms frame; ``len(labels) * rate // 100 == len(audio)``."""


@dataclass(frozen=True, slots=True)
class Turn:
    """A place where the speaker has finished and waits: a reply belongs in this window."""

    end_s: float
    """When the last utterance of the turn ends."""
    until_s: float
    """When the next sound (speech or humming) starts, or the end of the audio."""


@dataclass(frozen=True, slots=True)
class Conversation:
    """Utterances with pauses of known length, and where replies do and do not belong."""

    name: str
    rate: int
    audio: np.ndarray
    labels: np.ndarray
    turns: tuple[Turn, ...]
    short_pauses: tuple[tuple[float, float], ...]
    """Pauses inside a turn, shorter than the turn-taking threshold: no reply belongs there."""
    humming: tuple[tuple[float, float], ...]
    """Humming on its own plus the silence after it, up to the next speech: no reply belongs."""


def _frames(rate: int) -> int:
    return rate // 100


def _to_int16(signal: np.ndarray) -> np.ndarray:
    return np.clip(np.round(signal * 32768.0), -32768, 32767).astype(np.int16)


def _at_level(signal: np.ndarray, dbfs: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(signal * signal))) or 1.0
    return signal * (10 ** (dbfs / 20) / rms)


def _rng(*key: int) -> np.random.Generator:
    return np.random.default_rng([SEED, *key])


@functools.lru_cache(maxsize=3)
def _speech(rate: int) -> np.ndarray:
    """The recording at ``rate`` as float64 in [-1, 1], padded to 21.0 s, and its labels."""
    source_rate, data = fastrtc_speech()
    audio = resample(data, source_rate, rate).astype(np.float64) / 32768.0
    out = np.zeros(round(SPEECH_S * rate))
    out[: len(audio)] = audio[: len(out)]
    out.setflags(write=False)
    return out


def _speech_labels() -> np.ndarray:
    labels = np.zeros(round(SPEECH_S * 100), dtype=bool)
    for first, end in utterances():
        labels[first:end] = True
    return labels


def _white(rate: int, seconds: float, key: int) -> np.ndarray:
    return _rng(rate, key).standard_normal(round(seconds * rate))


def _pink(rate: int, seconds: float, key: int) -> np.ndarray:
    white = _white(rate, seconds, key)
    spectrum = np.fft.rfft(white)
    freqs = np.fft.rfftfreq(len(white), 1 / rate)
    spectrum[1:] /= np.sqrt(freqs[1:])
    spectrum[0] = 0.0
    return np.fft.irfft(spectrum, n=len(white))


_BABBLE_SHIFTS_S = (1.7, 3.9, 6.1, 8.3, 11.2, 14.6)


def _babble(rate: int, seconds: float, key: int) -> np.ndarray:
    source_rate, data = fastrtc_speech()
    speech = resample(data, source_rate, rate).astype(np.float64)
    count = round(seconds * rate)
    loops = np.resize(speech, count + len(speech))
    offset = int(_rng(rate, key).integers(0, len(speech)))
    out = np.zeros(count)
    for shift in _BABBLE_SHIFTS_S:
        start = (offset + int(shift * rate)) % len(speech)
        out += loops[start : start + count]
    return out


_NOISES = {"white": _white, "pink": _pink, "babble": _babble}


def _nasal_response(freq: np.ndarray) -> np.ndarray:
    """Magnitude of a hummed /m/ vocal tract: three resonances, given as (centre, bandwidth)."""
    response = np.zeros_like(freq)
    for centre, bandwidth, gain in (
        (250.0, 80.0, 1.0),
        (1200.0, 200.0, 0.25),
        (2300.0, 250.0, 0.12),
    ):
        response += gain / np.sqrt(
            (1 - (freq / centre) ** 2) ** 2 + (freq * bandwidth / centre**2) ** 2
        )
    return response


_MELODY = (0, 2, 4, 2, 0, -3, 0, 5, 4)  # semitones


def _hum(rate: int, seconds: float, f0: float, key: int) -> np.ndarray:
    """A hummed melody at base pitch ``f0``: notes with glides, vibrato and nasal formants."""
    count = round(seconds * rate)
    rng = _rng(rate, key)
    lengths = rng.uniform(0.45, 0.9, size=len(_MELODY) * 2)
    semitone = np.zeros(count)
    gate = np.zeros(count)
    position, note = int(0.1 * rate), 0
    while position < count - int(0.3 * rate):
        length = min(int(lengths[note % len(lengths)] * rate), count - position - int(0.1 * rate))
        semitone[position : position + length] = _MELODY[note % len(_MELODY)]
        gate[position : position + length] = 1.0
        position += length + (int(0.12 * rate) if note % 3 == 2 else 0)  # a breath now and then
        note += 1
    glide = np.ones(int(0.04 * rate)) / int(0.04 * rate)
    semitone = np.convolve(semitone, glide, mode="same")
    envelope = np.convolve(gate, glide, mode="same")
    t = np.arange(count) / rate
    pitch = f0 * 2 ** ((semitone + 0.3 * np.sin(2 * np.pi * 5.5 * t)) / 12)
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    out = np.zeros(count)
    top = min(5000.0, 0.45 * rate)
    for k in range(1, int(top // f0) + 1):
        harmonic = k * pitch
        out += (harmonic < top) * _nasal_response(harmonic) / k * np.sin(k * phase)
    return out * envelope


def _tone(rate: int, count: int, freq: float, decay: float | None) -> np.ndarray:
    t = np.arange(count) / rate
    out = np.zeros(count)
    for k in range(1, 9):
        if k * freq >= 0.45 * rate:
            break
        fade = np.exp(-t * decay * (1 + 0.5 * k)) if decay else 1.0
        out += fade * np.sin(2 * np.pi * k * freq * t) / k
    return out


def _music(rate: int, seconds: float, key: int) -> np.ndarray:
    """Plucked notes for the first half, then held organ chords with tremolo."""
    count = round(seconds * rate)
    out = np.zeros(count)
    rng = _rng(rate, key)
    note_len = int(0.3 * rate)
    half = count // 2
    for start in range(0, half - note_len + 1, note_len):
        freq = 220.0 * 2 ** (int(rng.integers(0, 13)) / 12)
        out[start : start + note_len] += _tone(rate, note_len, freq, decay=4.0)
    chord_len = (count - half) // 2
    for index, root in enumerate((196.0, 261.6)):
        start = half + index * chord_len
        t = np.arange(chord_len) / rate
        chord = sum(_tone(rate, chord_len, root * r, None) for r in (1.0, 1.26, 1.5))
        out[start : start + chord_len] += chord * (0.8 + 0.2 * np.sin(2 * np.pi * 6 * t))
    return out


def _clip(name: str, group: str, rate: int, signal: np.ndarray, labels: np.ndarray) -> Clip:
    audio = _to_int16(signal)
    audio.setflags(write=False)
    labels = labels.copy()
    labels.setflags(write=False)
    return Clip(name, group, rate, audio, labels)


def clips(rate: int = 48000) -> Iterator[Clip]:
    """Every labelled clip at ``rate``, built one at a time, always in the same order."""
    if rate not in RATES:
        raise ValueError(f"the corpus is built at {RATES} Hz, not {rate}")
    speech = _speech(rate)
    labels = _speech_labels()
    off = np.zeros(round(CLIP_S * 100), dtype=bool)
    yield _clip("clean", "clean", rate, speech, labels)
    yield _clip("silence", "silence", rate, np.zeros(round(CLIP_S * rate)), off)
    for key, (kind, levels) in enumerate(NOISE_LEVELS_DBFS.items()):
        for level in levels:
            noise = _NOISES[kind](rate, CLIP_S, key * 100 - level)
            yield _clip(f"noise/{kind} {level} dBFS", "noise", rate, _at_level(noise, level), off)
    for key, f0 in enumerate((110.0, 165.0, 220.0)):
        hum = _at_level(_hum(rate, CLIP_S, f0, 500 + key), HUM_DBFS)
        yield _clip(f"humming/{f0:.0f} Hz", "humming", rate, hum, off)
    music = np.concatenate([_music(rate, CLIP_S, 600), _music(rate, CLIP_S, 601)])
    yield _clip("music", "music", rate, _at_level(music, MUSIC_DBFS), np.tile(off, 2))
    frames = _frames(rate)
    active = np.repeat(labels, frames)
    speech_power = float(np.mean(speech[active] ** 2))
    for key, kind in enumerate(_NOISES):
        noise = _NOISES[kind](rate, SPEECH_S, 700 + key)
        noise = noise / np.sqrt(np.mean(noise * noise))
        for snr in SNRS_DB:
            mixed = speech + noise * np.sqrt(speech_power / 10 ** (snr / 10))
            yield _clip(f"speech+{kind}/{snr} dB", f"speech+{kind}", rate, mixed, labels)


class _Step(NamedTuple):
    """One step of a conversation script: ``u`` plays utterance ``value`` (its index);
    ``short``, ``long``, ``quiet`` and ``hum`` last ``value`` seconds (humming at
    ``pitch`` Hz). A long pause closes a turn; a short one stays inside it."""

    kind: str
    value: float
    pitch: float = 0.0


_SCRIPTS: dict[str, tuple[_Step, ...]] = {
    "turns": (
        _Step("quiet", 1.0),
        _Step("u", 0), _Step("short", 0.25), _Step("u", 1), _Step("long", 2.0),
        _Step("u", 2), _Step("long", 1.5),
        _Step("u", 3), _Step("short", 0.4), _Step("u", 4), _Step("long", 2.0),
        _Step("u", 5), _Step("short", 0.3), _Step("u", 6), _Step("long", 2.5),
    ),
    "humming": (
        _Step("quiet", 1.0),
        _Step("hum", 2.4, 150.0), _Step("quiet", 2.0),
        _Step("u", 2), _Step("long", 2.0),
        _Step("hum", 1.8, 200.0), _Step("quiet", 2.0),
        _Step("u", 4), _Step("long", 2.0),
    ),
}  # fmt: skip


def conversations(rate: int = 48000) -> list[Conversation]:
    """The multi-turn conversations at ``rate``, with their turns and no-reply zones."""
    if rate not in RATES:
        raise ValueError(f"the corpus is built at {RATES} Hz, not {rate}")
    frames = _frames(rate)
    speech = _speech(rate)
    spans = utterances()
    out = []
    for index, (name, script) in enumerate(_SCRIPTS.items()):
        pieces: list[np.ndarray] = []
        labels: list[np.ndarray] = []
        turns: list[Turn] = []
        short: list[tuple[float, float]] = []
        humming: list[tuple[float, float]] = []
        at = 0  # frames so far
        for step in script:
            kind = step.kind
            if kind == "u":
                first, end = spans[int(step.value)]
                pieces.append(speech[first * frames : end * frames])
                labels.append(np.ones(end - first, dtype=bool))
                length = end - first
            else:
                length = round(step.value * 100)
                piece = np.zeros(length * frames)
                if kind == "hum":
                    hum = _hum(rate, length / 100, step.pitch, 800 + at)
                    piece = _at_level(hum, HUM_DBFS)
                    humming.append((at / 100, 0.0))
                elif kind == "short":
                    short.append((at / 100, (at + length) / 100))
                elif kind == "long":
                    turns.append(Turn(at / 100, (at + length) / 100))
                pieces.append(piece)
                labels.append(np.zeros(length, dtype=bool))
            if kind == "u" and humming and humming[-1][1] == 0.0:
                humming[-1] = (humming[-1][0], at / 100)
            at += length
        humming = [(start, end or at / 100) for start, end in humming]
        audio = np.concatenate(pieces)
        audio = audio + _at_level(_pink(rate, len(audio) / rate, 900 + index), FLOOR_DBFS)
        label_array = np.concatenate(labels)
        clip = _clip(name, "conversation", rate, audio, label_array)
        out.append(
            Conversation(
                name, rate, clip.audio, clip.labels, tuple(turns), tuple(short), tuple(humming)
            )
        )
    return out


def corpus_checksum(rate: int = 48000, *, parts: Sequence[str] = ("clips", "conversations")) -> str:
    """sha256 of every clip's name, samples and labels, and the conversations', at ``rate``."""
    digest = hashlib.sha256(CORPUS_VERSION.encode())
    if "clips" in parts:
        for clip in clips(rate):
            digest.update(clip.name.encode())
            digest.update(clip.audio.tobytes())
            digest.update(clip.labels.tobytes())
    if "conversations" in parts:
        for conv in conversations(rate):
            digest.update(conv.name.encode())
            digest.update(conv.audio.tobytes())
            digest.update(conv.labels.tobytes())
            digest.update(repr((conv.turns, conv.short_pauses, conv.humming)).encode())
    return digest.hexdigest()
