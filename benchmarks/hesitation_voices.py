"""Regenerate the synthetic voices of the hesitation corpus with espeak-ng.

    python benchmarks/hesitation_voices.py    # rewrites bench/hesitation_voices.flac and .json

Each sentence is spoken by espeak-ng (Debian package ``espeak-ng``) with a
word gap (``-g``) so that the gaps between words are real silence, then
resampled to 16 kHz int16 and joined into one FLAC file. The word gaps are
found by energy (10 ms frames under -45 dBFS for at least 60 ms) and stored
beside it. espeak-ng gives the same bytes on every run of one build; the
committed files are what the corpus uses, so the corpus does not need
espeak-ng at all. Bump CORPUS_VERSION after regenerating.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import wave

import numpy as np
import soundfile

from fastrtc_registry.bench.hesitations import VOICES_AUDIO, VOICES_LABELS, find_word_gaps
from fastrtc_registry.simulate import resample

RATE = 16000
VOICES = (("en-us", 165), ("en-gb", 175), ("en-gb-scotland", 170), ("en-us+f3", 180))
SENTENCES = (
    "I think we could go to the market tomorrow",
    "The report is done but I need to check it",
    "Tell me how long the train takes to town",
)
WORD_GAP = 8  # espeak-ng -g: units of 10 ms at the default speed


def speak(text: str, voice: str, speed: int) -> np.ndarray:
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-g", str(WORD_GAP), "--stdout", text],
        check=True,
        capture_output=True,
    ).stdout
    with wave.open(io.BytesIO(wav)) as reader:
        rate = reader.getframerate()
        samples = np.frombuffer(reader.readframes(reader.getnframes()), dtype=np.int16)
    out = resample(samples, rate, RATE)
    # Trim to whole 10 ms frames, leading and trailing silence off.
    level = np.abs(out.astype(np.int32))
    voiced = np.flatnonzero(level > 100)
    first, last = int(voiced[0]) // 160 * 160, (int(voiced[-1]) // 160 + 1) * 160
    return out[first:last]


def main() -> None:
    pieces, spans, gaps = [], [], []
    at = 0
    version = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True).stdout
    for voice, speed in VOICES:
        for text in SENTENCES:
            audio = speak(text, voice, speed)
            frames = len(audio) // 160
            spans.append([at, at + frames])
            gaps.append([[at + a, at + b] for a, b in find_word_gaps(audio, RATE, min_frames=6)])
            pieces.append(audio)
            at += frames
    audio = np.concatenate(pieces)
    soundfile.write(VOICES_AUDIO, audio, RATE, subtype="PCM_16", format="FLAC")
    labels = {
        "method": (
            f"espeak-ng -g {WORD_GAP} (word gaps of silence), resampled to {RATE} Hz; "
            "word gaps: 10 ms frames under -45 dBFS for at least 60 ms"
        ),
        "espeak_ng": version.strip(),
        "rate": RATE,
        "sha256": hashlib.sha256(audio.tobytes()).hexdigest(),
        "voices": [f"{voice} -s {speed}" for voice, speed in VOICES for _ in SENTENCES],
        "sentences": [text for _ in VOICES for text in SENTENCES],
        "utterances": spans,
        "word_gaps": gaps,
    }
    VOICES_LABELS.write_text(json.dumps(labels, indent=1) + "\n", "utf-8")
    print(f"{len(spans)} sentences, {len(audio) / RATE:.1f} s written to {VOICES_AUDIO}")


if __name__ == "__main__":
    main()
