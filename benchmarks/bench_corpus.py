"""Describe the bench corpus (clips, lengths, levels, checksums) or re-find the utterances.

    python benchmarks/bench_corpus.py              # table of clips and the checksums
    python benchmarks/bench_corpus.py --segments   # rewrite bench/speech_segments.json

The utterance boundaries are found once on fastrtc's recording and stored;
rerun ``--segments`` only if fastrtc ships a different recording (the corpus
refuses to build on one whose checksum differs), then bump CORPUS_VERSION.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from fastrtc_registry.bench import corpus
from fastrtc_registry.bench._speech import SEGMENTS_FILE, find_utterances, recording_sha256
from fastrtc_registry.simulate import fastrtc_speech
from fastrtc_registry.stream import RATES


def write_segments() -> None:
    rate, samples = fastrtc_speech()
    spans = find_utterances(samples, rate)
    lines = ",\n".join(f"  [{a}, {b}]" for a, b in spans)
    header = {
        "source": "fastrtc/speech_to_text/test_file.wav",
        "rate": rate,
        "sha256": recording_sha256(),
        "frame_ms": 10,
        "method": (
            "10 ms frames above -50 dBFS, gaps up to 250 ms joined, spans under 150 ms dropped"
        ),
    }
    body = json.dumps(header, indent=1)[:-2]
    SEGMENTS_FILE.write_text(f'{body},\n "utterances": [\n{lines}\n ]\n}}\n', "utf-8")
    print(f"{len(spans)} utterances written to {SEGMENTS_FILE}")


def describe(rate: int) -> None:
    started = time.perf_counter()
    total = 0.0
    for clip in corpus.clips(rate):
        audio = clip.audio.astype(np.float64) / 32768.0
        level = 10 * np.log10(np.mean(audio * audio) + 1e-12)
        seconds = len(audio) / rate
        total += seconds
        print(
            f"{clip.name:28} {seconds:6.2f} s  {level:7.1f} dBFS  speech {clip.labels.mean():4.0%}"
        )
    for conv in corpus.conversations(rate):
        total += len(conv.audio) / rate
        print(
            f"conversation {conv.name:15} {len(conv.audio) / rate:6.2f} s  turns {len(conv.turns)}"
        )
    built = time.perf_counter() - started
    print(f"{total:.1f} s of audio at {rate} Hz built in {built:.2f} s")
    print(f"checksum {corpus.corpus_checksum(rate)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", action="store_true", help="re-find the utterances")
    parser.add_argument("--rate", type=int, default=48000, choices=RATES)
    args = parser.parse_args()
    if args.segments:
        write_segments()
    else:
        describe(args.rate)


if __name__ == "__main__":
    main()
