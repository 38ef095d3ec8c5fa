"""The bench corpus and the scoring: deterministic audio, exact labels, figures that add up."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fastrtc_registry.bench import corpus
from fastrtc_registry.bench._speech import SEGMENTS_FILE, utterances
from fastrtc_registry.bench.metrics import (
    FrameCounts,
    frames_from_spans,
    percentile,
    score_frames,
    score_turns,
)
from fastrtc_registry.simulate import fastrtc_speech
from fastrtc_registry.stream import CHUNK_S, RATES

# sha256 of every clip and conversation (names, int16 samples, labels, turns) at each
# rate, for CORPUS_VERSION "2". A change here changes every bench figure: bump the
# corpus version and say why.
CHECKSUMS = {
    16000: "30cd64c85e30489d24e108673e09e81bd47914167bf365343ecbea1099bee14c",
    24000: "23a58bdee01b569c010a054f80f63cf995fe8896df8c30e035738cebc8c39036",
    48000: "f989c6137d211bfbad5f40e12c4cf479f7fc43d0d64c5a71f8a5242a54a9de1c",
}


@pytest.mark.parametrize("rate", RATES)
def test_corpus_is_the_same_every_time(rate: int) -> None:
    assert corpus.CORPUS_VERSION == "2"
    assert corpus.corpus_checksum(rate) == CHECKSUMS[rate]


def _dbfs(samples: np.ndarray) -> float:
    """The mean power of int16 ``samples`` in dB below full scale."""
    x = samples.astype(np.float64) / 32768.0
    return float(10 * np.log10(np.mean(x * x) + 1e-12))


def test_stored_utterances_sit_between_silences_in_the_recording() -> None:
    """Each stored cut is where the signal's energy changes, read here with numpy alone.

    The 100 ms outside each cut is below -50 dBFS and the 100 ms inside above
    -45 dBFS (a cut 100 ms late or early breaks one of them); every 50 ms of
    every gap is below -50 dBFS, so no utterance is missing; and the
    utterances hold all but 0.1% of the recording's energy.
    """
    rate, samples = fastrtc_speech()
    stored = json.loads(SEGMENTS_FILE.read_text("utf-8"))
    assert stored["rate"] == rate and stored["frame_ms"] == 10
    cuts = [(a * rate // 100, b * rate // 100) for a, b in stored["utterances"]]
    assert cuts == [(a * rate // 100, b * rate // 100) for a, b in utterances()]
    edge, window = rate // 10, rate // 20
    for start, end in cuts:
        assert start >= edge and _dbfs(samples[start - edge : start]) < -50.0, start / rate
        assert _dbfs(samples[start : start + edge]) > -45.0, start / rate
        assert _dbfs(samples[end - edge : end]) > -45.0, end / rate
        assert _dbfs(samples[end : end + edge]) < -50.0, end / rate
    bounds = [0, *(t for cut in cuts for t in cut), len(samples)]
    for gap_start, gap_end in zip(bounds[::2], bounds[1::2], strict=True):
        for at in range(gap_start, gap_end - window + 1, window // 2):
            assert _dbfs(samples[at : at + window]) < -50.0, (gap_start / rate, at / rate)
    x = samples.astype(np.float64)
    inside = sum(float(np.sum(x[a:b] ** 2)) for a, b in cuts)
    assert inside / float(np.sum(x**2)) > 0.999
    assert len(cuts) == 7


def test_corpus_refuses_another_recording(monkeypatch: pytest.MonkeyPatch) -> None:
    from fastrtc_registry.bench import _speech

    _speech.utterances.cache_clear()
    monkeypatch.setattr(_speech, "recording_sha256", lambda: "0" * 64)
    try:
        with pytest.raises(RuntimeError, match="not the one the bench corpus was labelled on"):
            _speech.utterances()
    finally:
        _speech.utterances.cache_clear()


def _level(audio: np.ndarray) -> float:
    samples = audio.astype(np.float64) / 32768.0
    return float(10 * np.log10(np.mean(samples * samples)))


@pytest.mark.parametrize("rate", RATES)
def test_clips_have_exact_labels_and_the_stated_levels(rate: int) -> None:
    speech_frames = np.zeros(2100, dtype=bool)
    for first, end in utterances():
        speech_frames[first:end] = True
    clean = None
    seen = set()
    for clip in corpus.clips(rate):
        assert clip.name not in seen
        seen.add(clip.name)
        assert clip.audio.dtype == np.int16
        assert len(clip.labels) * rate // 100 == len(clip.audio)
        # Whole 0.6 s chunks, as ReplyOnPause hands them to a VAD.
        assert len(clip.audio) % int(rate * CHUNK_S) == 0
        if clip.group == "clean":
            clean = clip.audio.astype(np.float64)
            assert np.array_equal(clip.labels, speech_frames)
        elif clip.group.startswith("speech+"):
            assert np.array_equal(clip.labels, speech_frames)
            assert clean is not None
            snr = float(clip.name.rsplit("/", 1)[1].split()[0])
            noise = clip.audio.astype(np.float64) - clean
            active = np.repeat(speech_frames, rate // 100)
            measured = 10 * np.log10(np.mean(clean[active] ** 2) / np.mean(noise**2))
            assert measured == pytest.approx(snr, abs=0.3), clip.name
        else:
            assert not clip.labels.any(), clip.name
        if clip.group == "silence":
            assert not clip.audio.any()
        elif clip.group == "noise":
            stated = float(clip.name.split()[-2])
            assert _level(clip.audio) == pytest.approx(stated, abs=0.2), clip.name
        elif clip.group in ("humming", "music"):
            assert _level(clip.audio) == pytest.approx(-24.0, abs=0.2), clip.name
    assert {"clean", "silence", "music", "humming/110 Hz", "speech+babble/0 dB"} <= seen


def test_humming_is_harmonic_with_vibrato() -> None:
    rate = 16000
    hum = next(c for c in corpus.clips(rate) if c.name == "humming/110 Hz").audio
    window = hum[rate : rate + 4096].astype(np.float64) * np.hanning(4096)
    spectrum = np.abs(np.fft.rfft(window))
    freqs = np.fft.rfftfreq(4096, 1 / rate)
    peak = freqs[np.argmax(spectrum[freqs < 1000])]
    # The strongest partial is a harmonic of a note of the melody near the 250 Hz formant.
    assert 90 < peak < 400
    energy_low = spectrum[freqs < 1500].sum()
    assert energy_low > 0.8 * spectrum.sum()


@pytest.mark.parametrize("rate", [16000, 48000])
def test_conversation_labels_and_turns_line_up(rate: int) -> None:
    lengths = {first: end - first for first, end in utterances()}
    for conv in corpus.conversations(rate):
        assert len(conv.labels) * rate // 100 == len(conv.audio)
        edges = np.flatnonzero(np.diff(np.concatenate([[0], conv.labels.astype(int), [0]])))
        runs = list(zip(edges[::2] / 100, edges[1::2] / 100, strict=False))
        assert all(round((b - a) * 100) in lengths.values() for a, b in runs)
        ends = {b for _, b in runs}
        starts = {a for a, _ in runs}
        for turn in conv.turns:
            assert turn.end_s in ends
            assert turn.until_s > turn.end_s + 1.0
        for start, end in conv.short_pauses:
            assert start in ends and end in starts
            assert end - start < 0.5  # shorter than fastrtc's turn-taking threshold
        for start, end in conv.humming:
            assert not conv.labels[round(start * 100) : round(end * 100)].any()
    names = [c.name for c in corpus.conversations(rate)]
    assert names == ["turns", "humming"]


def test_frames_from_spans_needs_half_a_frame() -> None:
    rate = 16000  # 160 samples per frame
    spans = [
        {"start": 0, "end": 80},  # exactly half of frame 0
        {"start": 160, "end": 239},  # one sample short of half of frame 1
        {"start": 320, "end": 400},
        {"start": 700, "end": 10_000},  # runs past the end
    ]
    assert frames_from_spans(spans, 800, rate).tolist() == [True, False, True, False, True]
    # Out of bounds, reversed and overlapping spans are clipped and counted once.
    hostile = [{"start": -500, "end": 100}, {"start": 50, "end": 90}, {"start": 700, "end": 600}]
    assert frames_from_spans(hostile, 480, rate).tolist() == [True, False, False]


def test_frame_counts() -> None:
    counts = score_frames(np.array([1, 1, 0, 0, 1], bool), np.array([1, 0, 1, 0, 1], bool))
    assert counts == FrameCounts(tp=2, fp=1, fn=1, tn=1)
    assert counts.precision == pytest.approx(2 / 3)
    assert counts.recall == pytest.approx(2 / 3)
    assert counts.f1 == pytest.approx(2 / 3)
    assert counts.false_speech == pytest.approx(0.5)
    quiet = score_frames(np.zeros(4, bool), np.zeros(4, bool))
    assert quiet.f1 is None and quiet.precision is None and quiet.false_speech == 0.0
    assert (counts + quiet).tn == 5
    assert percentile([], 50) is None
    assert percentile([1.0, 3.0], 50) == 2.0


def test_score_turns_names_every_reply() -> None:
    conv = corpus.Conversation(
        "t",
        48000,
        np.zeros(0, np.int16),
        np.zeros(0, bool),
        turns=(corpus.Turn(5.0, 7.0), corpus.Turn(10.0, 12.0), corpus.Turn(15.0, 17.0)),
        short_pauses=((2.0, 2.3),),
        humming=((12.0, 14.0),),
    )
    counts = score_turns([2.2, 5.6, 6.8, 9.0, 13.0, 15.4], conv).as_dict()
    assert counts["turns"] == 3
    assert counts["delays_ms"] == [600.0, 400.0]
    assert counts["missed_turns"] == 1
    assert counts["false_turn_ends_by"] == {
        "humming": 1,
        "repeat": 1,
        "short pause": 1,
        "speech": 1,
    }
    assert counts["false_turn_ends"] == 4
    assert counts["end_of_turn_p50_ms"] == 500.0
