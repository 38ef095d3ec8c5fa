"""The hesitation corpus and the turn-taking figures: pauses inside a turn, turn ends after it,
false cutoffs, latency and the trade-off curve."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fastrtc_registry.bench import corpus, hesitations
from fastrtc_registry.bench.corpus import Turn
from fastrtc_registry.bench.hesitations import Talk, find_word_gaps, hesitation_checksum, talks
from fastrtc_registry.bench.metrics import CutoffCounts, score_hesitations, tradeoff
from fastrtc_registry.bench.sweep import PAUSE_SWEEP, Sweep, measure_hesitations, sweep_for
from fastrtc_registry.stream import RATES
from fastrtc_registry.validation.tags import InvalidTagsError, parse_tags

# sha256 of every talk (names, int16 samples, labels, hesitations, turn ends) at each rate,
# for CORPUS_VERSION "2". A change here changes every turn figure: bump the version.
CHECKSUMS = {
    16000: "39c43576d58c2ef183dc620ebdb9cb7394060b71038ff403ddb7509401ede1ba",
    24000: "84c7cf4ef1c52915fb9a0df130cb29d3051742f933a1bb2728380cd09dc584df",
    48000: "5735102f433a836f97fee437737d3d25299480e2d379428faa664870e20dc6e1",
}


@pytest.mark.parametrize("rate", RATES)
def test_hesitations_are_the_same_every_time(rate: int) -> None:
    assert corpus.CORPUS_VERSION == "2"
    assert hesitation_checksum(rate) == CHECKSUMS[rate]


def test_counts_voices_and_labels() -> None:
    rate = 16000
    built = talks(rate)
    assert sum(len(t.hesitations) for t in built) >= 40
    assert sum(len(t.turns) for t in built) >= 40
    stored = json.loads(hesitations.VOICES_LABELS.read_text("utf-8"))
    assert len(set(stored["voices"])) >= 4  # besides fastrtc's own voice
    low, high = hesitations.HESITATION_S
    for talk in built:
        assert len(talk.labels) * rate // 100 == len(talk.audio)
        for start, end in talk.hesitations:
            # Silence inside speech: speech just before and just after, none inside.
            first, last = round(start * 100), round(end * 100)
            assert talk.labels[first - 1] and talk.labels[last]
            assert not talk.labels[first:last].any()
            assert low <= end - start <= high + 0.5  # the inserted pause plus the word gap
            inside = talk.audio[first * 160 : last * 160].astype(np.float64) / 32768
            assert 10 * np.log10(np.mean(inside**2) + 1e-12) < -45
        for turn in talk.turns:
            assert talk.labels[round(turn.end_s * 100) - 1]
            assert not talk.labels[round(turn.end_s * 100) : round(turn.until_s * 100)].any()
            assert turn.until_s - turn.end_s == pytest.approx(hesitations.TURN_END_S)
        # Every hesitation lies inside an utterance, before its turn end.
        ends = [t.end_s for t in talk.turns]
        starts = [0.0, *(t.until_s for t in talk.turns)]
        for start, end in talk.hesitations:
            assert any(a < start and end < b for a, b in zip(starts, ends, strict=False))


def test_word_gaps_are_quiet_stretches_inside() -> None:
    rate = 16000
    tone = (np.sin(np.arange(rate) / rate * 2 * np.pi * 200) * 8000).astype(np.int16)
    samples = np.concatenate([tone[:3200], np.zeros(1600, np.int16), tone[:3200]])
    samples[3200 + 1600 + 3200 - 800 :] = 0  # a quiet tail is not a gap inside
    assert find_word_gaps(samples, rate) == [(20, 30)]
    assert find_word_gaps(samples, rate, min_frames=11) == []


def _talk() -> Talk:
    return Talk(
        "t",
        48000,
        np.zeros(0, np.int16),
        np.zeros(0, bool),
        hesitations=((1.0, 1.8), (2.5, 3.0), (6.0, 7.0)),
        turns=(Turn(4.0, 5.0), Turn(8.0, 9.0)),
    )


def test_score_hesitations_on_known_replies() -> None:
    # 0.5: speech before any pause, not a cutoff; 1.2 and 1.9: both cut off the first
    # hesitation (the second reply while speech resumed); 4.3 answers the first turn end
    # 300 ms late, 4.6 repeats it; the second hesitation and the second turn end are quiet.
    counts = score_hesitations([0.5, 1.2, 1.9, 4.3, 4.6, 6.5], _talk())
    assert (counts.hesitations, counts.cutoffs, counts.turns, counts.missed) == (3, 2, 2, 1)
    assert counts.delays_s == pytest.approx((0.3,))
    assert counts.false_cutoffs == pytest.approx(2 / 3)
    assert counts.as_dict() == {
        "false_cutoffs": 0.6667,
        "end_of_turn_p50_ms": 300.0,
        "end_of_turn_p95_ms": 300.0,
        "missed_turns": 1,
    }
    late = score_hesitations([5.5], _talk())  # after the turn end's window closed: nothing
    assert late.missed == 2 and late.cutoffs == 0
    total = counts + score_hesitations([4.9, 8.1], _talk())
    assert total.hesitations == 6 and total.cutoffs == 2
    assert total.delays_s == pytest.approx((0.3, 0.9, 0.1))
    assert CutoffCounts().false_cutoffs is None


def _point(value: float, share: float, p50: float | None) -> dict[str, float | int | None]:
    return {
        "value": value,
        "false_cutoffs": share,
        "end_of_turn_p50_ms": p50,
        "end_of_turn_p95_ms": p50,
        "missed_turns": 0,
    }


def test_tradeoff_figures_on_a_synthetic_curve() -> None:
    curve = [
        _point(0.3, 0.60, 300.0),
        _point(0.6, 0.20, 700.0),
        _point(1.0, 0.05, 1100.0),
        _point(1.5, 0.00, 1600.0),
    ]
    # 5% reached exactly at a measured point; 500 ms halfway between 300 and 700 ms.
    assert tradeoff(curve) == (1100.0, 0.4)
    # Between points: 0.20 -> 0.00 over 700 -> 1100 ms crosses 0.05 at 1000 ms.
    crossing = [_point(0.6, 0.20, 700.0), _point(1.0, 0.0, 1100.0), _point(0.3, 0.6, 300.0)]
    assert tradeoff(crossing) == (1000.0, 0.4)
    # Never down to 5%, and never as fast as 500 ms: both None.
    assert tradeoff([_point(1.0, 0.3, 900.0), _point(1.5, 0.1, 1500.0)]) == (None, None)
    # Already under 5% at the fastest point; points without latency are left out.
    assert tradeoff([_point(0.3, 0.01, 200.0), _point(0.1, 0.5, None)]) == (200.0, None)
    assert tradeoff([]) == (None, None)


def test_sweep_tag_is_validated_and_chosen() -> None:
    tags = parse_tags({"bench_sweep": {"setting": "threshold", "values": [0.9, 0.5, 0.7]}})
    assert tags.bench_sweep == {"setting": "threshold", "values": (0.5, 0.7, 0.9)}
    assert sweep_for(tags.as_dict()) == Sweep("threshold", (0.5, 0.7, 0.9))
    assert sweep_for({}) == PAUSE_SWEEP
    assert sweep_for(parse_tags({"keywords": ["over"]}).as_dict()) is None
    for bad in (
        {"setting": "threshold"},
        {"setting": "__class__", "values": [1, 2]},
        {"setting": "threshold", "values": [1]},
        {"setting": "threshold", "values": [1, float("nan")]},
        {"setting": "threshold", "values": [1, True]},
        ["threshold", [1, 2]],
    ):
        with pytest.raises(InvalidTagsError, match="bench_sweep must be"):
            parse_tags({"bench_sweep": bad})


def test_pause_with_the_reference_vad_trades_cutoffs_for_latency() -> None:
    """One real run: ReplyOnPause cuts speakers off at a short pause, far less at a long one."""
    from fastrtc import ReplyOnPause

    from fastrtc_registry.validation.observe_turn_taking import ReferenceVAD

    sweep = Sweep("audio_chunk_duration", (0.4, 1.6))
    figures = measure_hesitations(ReplyOnPause, ReferenceVAD(), sweep, 16000)
    short, long = figures["sweep"]["points"]
    assert figures["sweep"]["setting"] == "audio_chunk_duration"
    assert figures["hesitations"] >= 40 and figures["turn_ends"] >= 40
    assert short["false_cutoffs"] > 0.3
    assert long["false_cutoffs"] < short["false_cutoffs"] / 2
    assert long["end_of_turn_p50_ms"] > short["end_of_turn_p50_ms"]
    # The defaults (a 0.6 s chunk) sit between the two.
    assert long["false_cutoffs"] < figures["false_cutoffs"] < short["false_cutoffs"]
    assert 0 <= figures["missed_turns"] <= figures["turn_ends"]
    latency, share = figures["latency_at_5pct_ms"], figures["false_cutoffs_at_500ms"]
    assert latency is None or latency >= short["end_of_turn_p50_ms"]
    assert share is None or 0.0 <= share <= 1.0
