"""The hesitation corpus: real speech with pauses inside the turn, and turn ends after it.

A listener must not reply while a speaker hesitates mid-sentence, and should
reply soon after the sentence is complete. Each talk here is a row of whole
utterances; inside each utterance, silence of 0.3-1.5 s is inserted at one or
two word gaps (never within 0.3 s of its start or end); after each utterance
comes a turn-end pause of :data:`TURN_END_S`. Labels: every hesitation span
(the word gap plus the inserted silence, in seconds) and every turn end
(:class:`~.corpus.Turn`: from the end of the utterance to the next speech),
and speech per 10 ms frame.

Two sources of speech, both offline and committed:

- fastrtc's recording (one male voice, seven utterances, boundaries in
  ``speech_segments.json``); its word gaps are found by energy: 10 ms frames
  under -40 dBFS for at least 50 ms inside an utterance;
- four espeak-ng voices (en-us, en-gb, en-gb-scotland, en-us+f3 at four
  speeds) saying three sentences each, stored as 16 kHz FLAC with their word
  gaps in ``hesitation_voices.json`` (made by ``benchmarks/hesitation_voices.py``).

Pause lengths and which gaps get a hesitation come from a fixed seed; the
recording is used in three rounds and the voices in two, each round drawing
anew. The whole set is checksummed by :func:`hesitation_checksum`.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._speech import utterances
from .corpus import CORPUS_VERSION, FLOOR_DBFS, RATES, Turn, _at_level, _clip, _pink, _rng, _speech

__all__ = [
    "HESITATION_S",
    "TURN_END_S",
    "VOICES_AUDIO",
    "VOICES_LABELS",
    "Talk",
    "find_word_gaps",
    "hesitation_checksum",
    "talks",
]

VOICES_AUDIO = Path(__file__).with_name("hesitation_voices.flac")
VOICES_LABELS = Path(__file__).with_name("hesitation_voices.json")
HESITATION_S = (0.3, 1.5)
TURN_END_S = 3.0
LEAD_S = 1.0
EDGE_FRAMES = 30  # no hesitation within 0.3 s of an utterance's start or end
MAX_PER_UTTERANCE = 2
RECORDING_ROUNDS = 3
VOICE_ROUNDS = 2


@dataclass(frozen=True, slots=True)
class Talk:
    """Utterances with hesitations inside and turn-end pauses after, labelled."""

    name: str
    rate: int
    audio: np.ndarray
    labels: np.ndarray
    """Bool per 10 ms frame: speech."""
    hesitations: tuple[tuple[float, float], ...]
    """Silent spans inside an utterance (s): no reply belongs there."""
    turns: tuple[Turn, ...]
    """After each complete utterance: a reply belongs from ``end_s`` to ``until_s``."""


def find_word_gaps(
    samples: np.ndarray, rate: int, *, threshold_dbfs: float = -45.0, min_frames: int = 10
) -> list[tuple[int, int]]:
    """Quiet stretches strictly inside mono int16 ``samples``, as 10 ms frame indices."""
    size = rate // 100
    count = len(samples) // size
    frames = samples[: count * size].astype(np.float64).reshape(count, size) / 32768.0
    quiet = 10 * np.log10(np.mean(frames * frames, axis=1) + 1e-12) < threshold_dbfs
    gaps, start = [], None
    for index, low in enumerate(quiet):
        if low and start is None:
            start = index
        elif not low and start is not None:
            if index - start >= min_frames and start > 0:
                gaps.append((start, index))
            start = None
    return gaps


@functools.lru_cache(maxsize=1)
def _voices() -> tuple[np.ndarray, dict[str, object]]:
    import soundfile  # a dependency of librosa, so of fastrtc

    audio, rate = soundfile.read(VOICES_AUDIO, dtype="int16")
    labels = json.loads(VOICES_LABELS.read_text("utf-8"))
    if rate != labels["rate"] or hashlib.sha256(audio.tobytes()).hexdigest() != labels["sha256"]:
        raise RuntimeError(
            f"{VOICES_AUDIO.name} does not match {VOICES_LABELS.name}; regenerate both with "
            "`python benchmarks/hesitation_voices.py`"
        )
    return audio, labels


def _sources(
    rate: int,
) -> list[tuple[str, np.ndarray, list[tuple[int, int, list[tuple[int, int]]]]]]:
    """(name, float audio at ``rate``, [(first, end, word gaps)] in 10 ms frames) per source."""
    from ..simulate import fastrtc_speech, resample

    source_rate, data = fastrtc_speech()
    size = source_rate // 100
    recording = []
    for first, end in utterances():
        gaps = find_word_gaps(
            data[first * size : end * size], source_rate, threshold_dbfs=-40.0, min_frames=5
        )
        recording.append((first, end, [(first + a, first + b) for a, b in gaps]))
    voices, labels = _voices()
    spoken = [
        (int(a), int(b), [(int(x), int(y)) for x, y in gaps])
        for (a, b), gaps in zip(labels["utterances"], labels["word_gaps"], strict=True)  # type: ignore[call-overload]
    ]
    voice_audio = resample(voices, int(labels["rate"]), rate).astype(np.float64) / 32768.0  # type: ignore[call-overload]
    return [("recording", _speech(rate), recording), ("voices", voice_audio, spoken)]


def talks(rate: int = 48000) -> list[Talk]:
    """Every talk of the hesitation corpus at ``rate``, always the same."""
    if rate not in RATES:
        raise ValueError(f"the corpus is built at {RATES} Hz, not {rate}")
    frames = rate // 100
    out = []
    for source_key, (source, audio, spans) in enumerate(_sources(rate)):
        rounds = RECORDING_ROUNDS if source == "recording" else VOICE_ROUNDS
        for round_ in range(rounds):
            rng = _rng(1000 + source_key, round_)
            pieces = [np.zeros(round(LEAD_S * 100) * frames)]
            labels = [np.zeros(round(LEAD_S * 100), dtype=bool)]
            hesitations: list[tuple[float, float]] = []
            turns: list[Turn] = []
            at = round(LEAD_S * 100)
            for first, end, gaps in spans:
                inner = [
                    g for g in gaps if g[0] - first >= EDGE_FRAMES and end - g[1] >= EDGE_FRAMES
                ]
                chosen = sorted(
                    inner[int(i)]
                    for i in rng.permutation(len(inner))[: min(MAX_PER_UTTERANCE, len(inner))]
                )
                cursor = first
                for gap_first, gap_end in chosen:
                    middle = (gap_first + gap_end) // 2
                    pause = round(float(rng.uniform(*HESITATION_S)) * 100)
                    pieces += [audio[cursor * frames : middle * frames], np.zeros(pause * frames)]
                    said = np.ones(gap_first - cursor, dtype=bool)
                    labels += [said, np.zeros(middle - gap_first + pause, dtype=bool)]
                    start = at + gap_first - cursor
                    at += middle - cursor + pause
                    cursor = middle
                    labels.append(np.zeros(gap_end - middle, dtype=bool))
                    hesitations.append(
                        (round(start / 100, 2), round((at + gap_end - middle) / 100, 2))
                    )
                    at += gap_end - middle
                    pieces.append(audio[middle * frames : gap_end * frames])
                    cursor = gap_end
                pieces.append(audio[cursor * frames : end * frames])
                labels.append(np.ones(end - cursor, dtype=bool))
                at += end - cursor
                pause = round(TURN_END_S * 100)
                pieces.append(np.zeros(pause * frames))
                labels.append(np.zeros(pause, dtype=bool))
                turns.append(Turn(round(at / 100, 2), round((at + pause) / 100, 2)))
                at += pause
            signal = np.concatenate(pieces)
            floor = _at_level(
                _pink(rate, len(signal) / rate, 1100 + 10 * source_key + round_), FLOOR_DBFS
            )
            name = f"hesitations/{source} {round_ + 1}"
            clip = _clip(name, "hesitations", rate, signal + floor, np.concatenate(labels))
            out.append(Talk(name, rate, clip.audio, clip.labels, tuple(hesitations), tuple(turns)))
    return out


def hesitation_checksum(rate: int = 48000) -> str:
    """sha256 of every talk's name, samples, labels, hesitations and turn ends at ``rate``."""
    digest = hashlib.sha256(CORPUS_VERSION.encode())
    for talk in talks(rate):
        digest.update(talk.name.encode())
        digest.update(talk.audio.tobytes())
        digest.update(talk.labels.tobytes())
        digest.update(repr((talk.hesitations, talk.turns)).encode())
    return digest.hexdigest()
