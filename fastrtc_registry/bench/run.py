"""Run the bench: worker side (measure one plugin) and parent side (one worker per plugin).

Worker side, :func:`bench_action` builds and warms up one plugin, then:

- a VAD gets every clip of the corpus at 48 kHz in 0.6 s chunks, as
  ``ReplyOnPause`` calls it; each call is timed and its spans become 10 ms
  frame decisions scored against the labels; then it is injected into a
  plain ``ReplyOnPause`` driven over the conversations frame by frame;
- a turn-taking plugin is driven over the conversations with the reference
  VAD injected (a fixed energy detector, so the figures are the algorithm's).

Parent side, :func:`bench_plugins` runs each plugin in its own worker process,
one after another so that they do not compete for the CPU.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..deadlines import BENCH_TIMEOUT
from ..stream import CHUNK_S, WEBRTC_RATE
from .corpus import CORPUS_VERSION

if TYPE_CHECKING:
    from ..validation.observe_turn_taking import ReferenceVAD

__all__ = ["BenchResult", "bench_action", "bench_plugins", "catalog_record", "rank"]

RATE = WEBRTC_RATE
FALSE_SPEECH_GROUPS = ("silence", "noise", "humming", "music")


@dataclass(frozen=True, slots=True)
class BenchResult:
    """One plugin's figures; ``error`` is set (and the figures are empty) when it failed."""

    name: str
    kind: str = "vad"
    package: str = ""
    version: str = ""
    error: str | None = None
    corpus: str = CORPUS_VERSION
    date: str = ""
    fastrtc: str = ""
    python: str = ""
    build_s: float = 0.0
    warmup_s: float = 0.0
    p50_ms: float | None = None
    """vad() latency per 0.6 s chunk at 48 kHz, over every chunk of the corpus."""
    p95_ms: float | None = None
    realtime_factor: float | None = None
    """Processing time over audio time: below 1 is faster than real time."""
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    """Frame-level F1 over every clip of the corpus (10 ms frames)."""
    clean_f1_by_rate: Mapping[str, float | None] = field(default_factory=dict)
    """F1 on the clean recording at 16, 24 and 48 kHz (fastrtc passes the input rate)."""
    silence_false_speech: float | None = None
    noise_false_speech: float | None = None
    humming_false_speech: float | None = None
    music_false_speech: float | None = None
    end_of_turn_p50_ms: float | None = None
    """From the end of an utterance to the reply, on the hesitation talks' true turn ends,
    with the algorithm's default settings (a VAD: in plain ReplyOnPause)."""
    end_of_turn_p95_ms: float | None = None
    false_turn_ends: int | None = None
    """Replies in a short pause, humming or speech of the conversations."""
    missed_turns: int | None = None
    """True turn ends of the hesitation talks never answered."""
    false_cutoffs: float | None = None
    """Share of hesitations (pauses inside an utterance) during which the handler replied."""
    hesitations: int | None = None
    turn_ends: int | None = None
    latency_at_5pct_ms: float | None = None
    """p50 end-of-turn latency where the sweep's curve reaches 5% false cutoffs."""
    false_cutoffs_at_500ms: float | None = None
    """False cutoffs read off the sweep's curve at 500 ms p50 latency."""
    sweep: Mapping[str, Any] | None = None
    """``{"setting", "points": [{"value", "false_cutoffs", "end_of_turn_p50_ms",
    "end_of_turn_p95_ms", "missed_turns"}]}``: the trade-off curve."""
    reference_vad: str | None = None
    """For a turn-taking plugin: the VAD it was driven with."""
    conditions: Mapping[str, Any] = field(default_factory=dict)
    """Per clip: frames, speech_frames, precision, recall, f1, false_speech."""
    groups: Mapping[str, Any] = field(default_factory=dict)
    """The same per group of clips (clean, noise, humming, speech+pink, ...)."""
    turns: Mapping[str, Any] = field(default_factory=dict)
    """Turns, answered, delays_ms, false_turn_ends_by, per conversation too."""
    speech_s: float | None = None
    """Speech heard in fastrtc's recording (17.49 s labelled)."""
    silence_s: float | None = None
    """Speech heard in 6 s of digital silence (should be 0)."""
    noise_s: float | None = None
    """Speech heard in the 48 s of noise-only clips (should be about 0)."""
    timeline: tuple[tuple[float, float], ...] = ()
    """Speech spans found in the recording, in seconds."""

    def as_dict(self) -> dict[str, Any]:
        """The ``bench --json`` form."""
        data = asdict(self)
        data["timeline"] = [list(span) for span in self.timeline]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BenchResult:
        """Back from :meth:`as_dict` (unknown keys are ignored)."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["timeline"] = tuple(tuple(span) for span in known.get("timeline") or ())
        return cls(**known)


def catalog_record(result: BenchResult) -> dict[str, Any]:
    """The figures a catalog entry keeps for one plugin version (``registry update --bench``).

    The keys are :class:`~fastrtc_registry.catalog.BenchRecord`'s fields, so the
    record and what ``bench`` measures cannot drift apart.
    """
    from ..catalog.model import BenchRecord

    return {key: getattr(result, key) for key in BenchRecord.__slots__}


def rank(results: Sequence[BenchResult]) -> list[BenchResult]:
    """Best first: VADs by F1, then humming false speech, then end-of-turn delay; then
    turn-taking plugins by mistakes and delay; failures last."""

    def key(r: BenchResult) -> tuple[Any, ...]:
        mistakes = (r.false_turn_ends or 0) + (r.missed_turns or 0)
        delay = r.end_of_turn_p50_ms if r.end_of_turn_p50_ms is not None else float("inf")
        if r.error:
            return (2, r.name)
        if r.kind == "vad":
            return (0, -(r.f1 or 0.0), r.humming_false_speech or 0.0, mistakes, delay, r.name)
        return (1, mistakes, delay, r.name)

    return sorted(results, key=key)


def bench_plugins(
    names: Sequence[str],
    *,
    timeout: float = BENCH_TIMEOUT,
    python: str | None = None,
    memory: int | str | None = None,
    on_start: Callable[[str], None] | None = None,
    on_done: Callable[[BenchResult, float], None] | None = None,
) -> list[BenchResult]:
    """Benchmark the named plugins, each in its own worker, one after another; ranked.

    Each worker runs under the validator's process control: its own process
    group, killed with its children at ``timeout``, and a memory limit
    (``memory`` bytes or a size like ``"3G"``; default the environment's or 3 GiB).
    ``on_done`` hears each result and the seconds its worker took.
    """
    from .isolated import run_bench

    results = []
    for name in names:
        if on_start is not None:
            on_start(name)
        began = time.perf_counter()
        answer, error = run_bench(name, timeout=timeout, python=python, memory=memory)
        results.append(_result(name, answer, error))
        if on_done is not None:
            on_done(results[-1], time.perf_counter() - began)
    return rank(results)


def _result(name: str, answer: Mapping[str, Any] | None, error: str | None) -> BenchResult:
    if answer is None:
        return BenchResult(name=name, error=error or "the worker gave no answer")
    if not answer.get("ok"):
        return BenchResult(name=name, error=str(answer.get("error")))
    figures = answer.get("result")
    problem = _malformed(figures)
    if problem:
        return BenchResult(name=name, error=f"the worker's answer was malformed: {problem}")
    return BenchResult.from_dict(figures)  # type: ignore[arg-type]


_TEXT = ("name", "kind", "package", "version", "corpus", "date", "fastrtc", "python")
_MAPPINGS = ("conditions", "groups", "turns", "clean_f1_by_rate", "sweep")


def _malformed(figures: object) -> str | None:
    """What is wrong with a result dict from a worker, so nothing odd reaches the table."""
    if not isinstance(figures, Mapping):
        return f"a {type(figures).__name__} instead of an object"
    for key in BenchResult.__dataclass_fields__:
        value = figures.get(key)
        if key == "name" and not isinstance(value, str):
            return "no plugin name"
        if value is None or key in ("error", "reference_vad", "timeline"):
            continue
        if key in _TEXT:
            ok = isinstance(value, str)
        elif key in _MAPPINGS:
            ok = isinstance(value, Mapping)
        else:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok:
            return f"{key} is a {type(value).__name__}"
    problem = _sweep_problem(figures.get("sweep"))
    if problem:
        return problem
    timeline = figures.get("timeline") or ()
    if not isinstance(timeline, (list, tuple)) or not all(
        isinstance(span, (list, tuple)) and len(span) == 2 for span in timeline
    ):
        return "timeline is not a list of [start, end] pairs"
    return None


def _sweep_problem(sweep: object) -> str | None:
    """What is wrong with a worker's ``sweep`` (None when it is absent or well formed)."""
    if sweep is None:
        return None
    points = sweep.get("points") if isinstance(sweep, Mapping) else None
    if not isinstance(sweep, Mapping) or not isinstance(sweep.get("setting"), str):
        return "sweep has no setting"
    if not isinstance(points, (list, tuple)) or not all(isinstance(p, Mapping) for p in points):
        return "sweep points are not a list of objects"
    for point in points:
        for key, value in point.items():
            if value is not None and (
                not isinstance(value, (int, float)) or isinstance(value, bool)
            ):
                return f"sweep point {key} is a {type(value).__name__}"
    return None


# --- worker side -------------------------------------------------------------


def bench_action(request: Mapping[str, Any]) -> dict[str, Any]:
    """Worker side: build, warm up and measure one plugin (a VAD, else a turn-taking one)."""
    import datetime
    import platform

    from ..errors import PluginNotFoundError
    from ..loading import find_plugin

    name = str(request["name"])
    kind = request.get("kind")
    try:
        if kind is None:
            try:
                record = find_plugin(name, "vad")
            except PluginNotFoundError as not_vad:
                try:
                    record = find_plugin(name, "turn-taking")
                except PluginNotFoundError:
                    raise not_vad from None
        else:
            record = find_plugin(name, kind)
    except Exception as exc:
        return {"ok": False, "error": _one_line(exc)}
    from ..packages import fastrtc_host, host_label

    fastrtc = host_label(fastrtc_host()) or ""  # a fork by name: fastrtc-compact 0.0.1
    base: dict[str, Any] = {
        "name": record.name,
        "kind": record.kind,
        "package": record.package,
        "version": record.version,
        "date": datetime.datetime.now(datetime.timezone.utc).date().isoformat(),
        "fastrtc": fastrtc,
        "python": platform.python_version(),
    }
    try:
        figures = _measure_vad(name) if record.kind == "vad" else _measure_turn_taking(name)
    except _Stage as exc:
        return {"ok": False, "error": str(exc)}
    except Exception as exc:
        return {"ok": False, "error": _one_line(exc)}
    return {"ok": True, "result": BenchResult(**base, **figures).as_dict()}


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


class _Stage(Exception):
    """A plugin call failed; the message says which stage."""


def _measure_vad(name: str) -> dict[str, Any]:
    from ..loading import load_vad
    from . import corpus
    from .metrics import FrameCounts, percentile

    started = time.perf_counter()
    model: Any = load_vad(name, warmup=False)
    built = time.perf_counter()
    model.warmup()
    warmed = time.perf_counter()

    latencies: list[float] = []
    conditions: dict[str, Any] = {}
    groups: dict[str, FrameCounts] = {}
    heard: dict[str, float] = {"clean": 0.0, "silence": 0.0, "noise": 0.0}
    timeline: list[tuple[float, float]] = []
    for clip in corpus.clips(RATE):
        counts, seconds, spans = _score_clip(model, clip, latencies)
        conditions[clip.name] = counts.as_dict()
        groups[clip.group] = groups.get(clip.group, FrameCounts()) + counts
        if clip.group in heard:
            heard[clip.group] += seconds
        if clip.group == "clean":
            timeline = spans
    overall = sum(groups.values(), FrameCounts())
    # fastrtc hands a VAD the input rate: clean speech at the other rates too.
    by_rate = {str(RATE): conditions["clean"]["f1"]}
    for rate in (16000, 24000):
        clean = next(c for c in corpus.clips(rate) if c.group == "clean")
        by_rate[str(rate)] = _r(_score_clip(model, clean, None)[0].f1)

    from fastrtc import ReplyOnPause

    turns = _conversations(lambda reply: ReplyOnPause(reply, model=model))
    turns.update(_hesitations(ReplyOnPause, model, {}))
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    return {
        "build_s": round(built - started, 4),
        "warmup_s": round(warmed - built, 4),
        "p50_ms": round((p50 or 0.0) * 1000, 3),
        "p95_ms": round((p95 or 0.0) * 1000, 3),
        "realtime_factor": round(sum(latencies) / (len(latencies) * CHUNK_S), 5),
        "precision": _r(overall.precision),
        "recall": _r(overall.recall),
        "f1": _r(overall.f1),
        "clean_f1_by_rate": dict(sorted(by_rate.items(), key=lambda item: int(item[0]))),
        **{
            f"{group}_false_speech": _r(groups[group].false_speech) for group in FALSE_SPEECH_GROUPS
        },
        **turns,
        "conditions": conditions,
        "groups": {group: counts.as_dict() for group, counts in groups.items()},
        "speech_s": round(heard["clean"], 3),
        "silence_s": round(heard["silence"], 3),
        "noise_s": round(heard["noise"], 3),
        "timeline": tuple(timeline),
    }


def _score_clip(
    model: Any, clip: Any, latencies: list[float] | None
) -> tuple[Any, float, list[tuple[float, float]]]:
    """Feed one clip in 0.6 s chunks: frame counts, seconds heard, spans (s) heard."""
    import numpy as np

    from .metrics import frames_from_spans, score_frames

    step = int(clip.rate * CHUNK_S)
    decided = []
    heard = 0.0
    found_spans: list[tuple[float, float]] = []
    for start in range(0, len(clip.audio) - step + 1, step):
        chunk = np.array(clip.audio[start : start + step])
        began = time.perf_counter()
        try:
            duration, found = model.vad((clip.rate, chunk), None)
        except Exception as exc:
            raise _Stage(
                f"vad() failed on {clip.name} at {clip.rate} Hz: {_one_line(exc)}"
            ) from exc
        if latencies is not None:
            latencies.append(time.perf_counter() - began)
        spans: list[dict[str, int]] = [dict(span) for span in found]
        decided.append(frames_from_spans(spans, step, clip.rate))
        heard += float(duration)
        found_spans.extend(
            (round((start + s["start"]) / clip.rate, 3), round((start + s["end"]) / clip.rate, 3))
            for s in spans
        )
    return score_frames(np.concatenate(decided), clip.labels), heard, found_spans


def _measure_turn_taking(name: str) -> dict[str, Any]:
    from ..loading import load_turn_taking

    started = time.perf_counter()
    cls: Any = load_turn_taking(name)
    built = time.perf_counter()
    reference = _reference_vad()
    figures = _conversations(lambda reply: cls(reply, model=reference))
    figures.update(_hesitations(cls, reference, _tags(cls)))
    return {
        "build_s": round(built - started, 4),
        "reference_vad": f"{type(reference).__name__}(threshold_db={reference.threshold_db:g})",
        **figures,
    }


def _tags(cls: Any) -> dict[str, Any]:
    """The plugin's tags as a dict; a broken declaration is validate's business, not ours."""
    from ..validation.tags import InvalidTagsError, class_tags, environment_tags, parse_tags

    try:
        return parse_tags({**environment_tags(), **class_tags(cls)}).as_dict()
    except InvalidTagsError:
        return {}


def _hesitations(cls: Any, vad: Any, tags: Mapping[str, Any]) -> dict[str, Any]:
    """False cutoffs, turn-end latency and the trade-off curve on the hesitation talks."""
    from .sweep import measure_hesitations, sweep_for

    try:
        return measure_hesitations(cls, vad, sweep_for(tags), RATE)
    except Exception as exc:
        raise _Stage(f"the handler failed on the hesitation talks: {_one_line(exc)}") from exc


def _reference_vad() -> ReferenceVAD:
    """The conformance suite's reference VAD: a fixed energy threshold, no state."""
    from ..validation.observe_turn_taking import ReferenceVAD

    return ReferenceVAD()


def _conversations(make_handler: Callable[[Any], Any]) -> dict[str, Any]:
    """Drive a fresh handler over each conversation; turn figures overall and per conversation."""
    from ..simulate import drive_handler, recording_reply
    from . import corpus
    from .metrics import TurnCounts, score_turns

    total = TurnCounts()
    per: dict[str, Any] = {}
    for conversation in corpus.conversations(RATE):
        reply, _ = recording_reply()
        try:
            handler = make_handler(reply)
            replies = drive_handler(handler, conversation.audio)
        except Exception as exc:
            raise _Stage(
                f"the handler failed on conversation {conversation.name}: {_one_line(exc)}"
            ) from exc
        counts = score_turns([r.at_s for r in replies], conversation)
        per[conversation.name] = {**counts.as_dict(), "replies_s": [r.at_s for r in replies]}
        total = total + counts
    summary = total.as_dict()
    return {
        "end_of_turn_p50_ms": summary["end_of_turn_p50_ms"],
        "end_of_turn_p95_ms": summary["end_of_turn_p95_ms"],
        "false_turn_ends": summary["false_turn_ends"],
        "missed_turns": summary["missed_turns"],
        "turns": {**summary, "conversations": per},
    }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
