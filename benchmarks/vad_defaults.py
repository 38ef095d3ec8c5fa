"""Pick each VAD back-end's default setting by measurement on the bench corpus.

For every back-end and candidate value of its main setting (aggressiveness
for webrtc, threshold for the others), feed the corpus clips in 0.6 s chunks,
as ``fastrtc-plugins bench`` does, and print F1 over all clips and false
speech on noise and humming, then the pick: the value with the highest F1,
where a value within 0.005 of that F1 and with less false speech (noise plus
humming) wins. Run: ``python benchmarks/vad_defaults.py [NAME ...]``.
"""

from __future__ import annotations

import sys
import time

from fastrtc_registry.bench import corpus
from fastrtc_registry.bench.metrics import FrameCounts
from fastrtc_registry.bench.run import RATE, _score_clip
from fastrtc_registry.loading import load_vad

CANDIDATES: dict[str, tuple[str, tuple[float, ...]]] = {
    "webrtc": ("aggressiveness", (0, 1, 2, 3)),
    "pysilero": ("threshold", (0.3, 0.4, 0.5, 0.6, 0.7)),
    "silero-lite": ("threshold", (0.3, 0.4, 0.5, 0.6, 0.7)),
    "earshot": ("threshold", (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)),
    "ten": ("threshold", (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)),
}


def measure(name: str, setting: str, value: float) -> dict[str, float]:
    model = load_vad(name, **{setting: value})
    groups: dict[str, FrameCounts] = {}
    for clip in corpus.clips(RATE):
        counts = _score_clip(model, clip, None)[0]
        groups[clip.group] = groups.get(clip.group, FrameCounts()) + counts
    overall = sum(groups.values(), FrameCounts())
    return {
        "f1": overall.f1 or 0.0,
        "noise": groups["noise"].false_speech or 0.0,
        "humming": groups["humming"].false_speech or 0.0,
    }


TIE = 0.005


def pick(rows: dict[float, dict[str, float]]) -> float:
    """The value with the best F1; near-ties go to the one with less false speech."""
    best = max(row["f1"] for row in rows.values())
    near = [value for value, row in rows.items() if row["f1"] >= best - TIE]
    return min(near, key=lambda value: rows[value]["noise"] + rows[value]["humming"])


def main(names: list[str]) -> None:
    print(f"{'vad':12} {'setting':>16} {'F1':>6} {'noise':>6} {'humming':>8}")
    for name in names or list(CANDIDATES):
        setting, values = CANDIDATES[name]
        rows: dict[float, dict[str, float]] = {}
        for value in values:
            began = time.perf_counter()
            figures = rows[value] = measure(name, setting, value)
            took = time.perf_counter() - began
            print(
                f"{name:12} {setting + '=' + format(value, 'g'):>16} {figures['f1']:6.3f} "
                f"{figures['noise']:6.3f} {figures['humming']:8.3f}  ({took:.0f} s)",
                flush=True,
            )
        print(f"{name:12} pick: {setting}={pick(rows):g}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
