"""``fastrtc-plugins bench``: measure VAD plugins side by side, as fastrtc calls them.

Each plugin runs in its own worker process, one after another (so that they
do not compete for the CPU). The worker builds the model, warms it up, then
feeds fastrtc's speech recording at 48 kHz in 0.6 s chunks, the way
``ReplyOnPause`` does, and times every call; it also counts the speech each
plugin hears in silence and in quiet noise, where there is none.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ._worker import format_exception, run_worker

__all__ = ["BenchResult", "bench_action", "bench_plugins", "render_svg"]

RATE = 48000
CHUNK_S = 0.6


@dataclass(frozen=True, slots=True)
class BenchResult:
    """One plugin's figures; ``error`` is set (and the figures are 0) when it failed."""

    name: str
    package: str = ""
    version: str = ""
    error: str | None = None
    build_s: float = 0.0
    warmup_s: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    realtime_factor: float = 0.0
    """Processing time over audio time: below 1 is faster than real time."""
    speech_s: float = 0.0
    """Speech heard in fastrtc's 20.75 s recording."""
    silence_s: float = 0.0
    """Speech heard in 5 s of digital silence (should be 0)."""
    noise_s: float = 0.0
    """Speech heard in 5 s of -50 dBFS white noise (should be about 0)."""
    timeline: tuple[tuple[float, float], ...] = field(default=())
    """Speech spans found in the recording, in seconds."""

    def as_dict(self) -> dict[str, Any]:
        """The ``bench --json`` form."""
        data = asdict(self)
        data["timeline"] = [list(span) for span in self.timeline]
        return data


def bench_plugins(
    names: Sequence[str],
    *,
    timeout: float = 300.0,
    python: str | None = None,
    on_start: Callable[[str], None] | None = None,
) -> list[BenchResult]:
    """Benchmark the named VAD plugins, each in its own worker, one after another."""
    results = []
    for name in names:
        if on_start is not None:
            on_start(name)
        outcome = run_worker({"action": "bench", "name": name}, timeout=timeout, python=python)
        if outcome.answer is None:
            results.append(BenchResult(name=name, error=outcome.error))
        elif outcome.answer.get("ok"):
            figures = dict(outcome.answer["result"])
            figures["timeline"] = tuple(tuple(span) for span in figures.get("timeline", ()))
            results.append(BenchResult(**figures))
        else:
            results.append(BenchResult(name=name, error=str(outcome.answer.get("error"))))
    return results


def bench_action(request: Mapping[str, Any]) -> dict[str, Any]:
    """Worker side: build, warm up and time one VAD plugin."""
    import numpy as np

    from .checks import signals
    from .loading import find_plugin, load_vad

    name = str(request["name"])
    try:
        record = find_plugin(name, "vad")
        started = time.perf_counter()
        model = load_vad(name, warmup=False)
        built = time.perf_counter()
        model.warmup()
        warmed = time.perf_counter()
    except Exception as exc:
        return {"ok": False, "error": format_exception(exc)}
    step = int(RATE * CHUNK_S)
    speech = signals.speech(RATE)
    latencies: list[float] = []
    timeline: list[tuple[float, float]] = []
    heard = 0.0
    try:
        for start in range(0, len(speech) - step + 1, step):
            chunk = np.array(speech[start : start + step])
            began = time.perf_counter()
            duration, spans = model.vad((RATE, chunk), None)
            latencies.append(time.perf_counter() - began)
            heard += float(duration)
            timeline.extend(((start + s["start"]) / RATE, (start + s["end"]) / RATE) for s in spans)
        silence = _heard(model, signals.silence(RATE, 5.0), step)
        noise = _heard(model, signals.noise(RATE, 5.0, dbfs=-50.0), step)
    except Exception as exc:
        return {"ok": False, "error": f"vad() failed: {format_exception(exc)}"}
    p50, p95 = np.percentile(np.array(latencies), [50, 95])
    result = BenchResult(
        name=record.name,
        package=record.package,
        version=record.version,
        build_s=round(built - started, 4),
        warmup_s=round(warmed - built, 4),
        p50_ms=round(float(p50) * 1000, 3),
        p95_ms=round(float(p95) * 1000, 3),
        realtime_factor=round(sum(latencies) / (len(latencies) * CHUNK_S), 5),
        speech_s=round(heard, 3),
        silence_s=round(silence, 3),
        noise_s=round(noise, 3),
        timeline=tuple((round(a, 3), round(b, 3)) for a, b in timeline),
    )
    return {"ok": True, "result": result.as_dict()}


def _heard(model: Any, audio: Any, step: int) -> float:
    return sum(
        float(model.vad((RATE, audio[start : start + step].copy()), None)[0])
        for start in range(0, len(audio) - step + 1, step)
    )


def render_svg(results: Sequence[BenchResult], *, length_s: float) -> str:
    """A timeline of the speech each plugin heard in the recording, one row per plugin."""
    from html import escape

    label_w, width, row_h, top = 220, 900, 34, 40
    scale = (width - label_w - 20) / length_s
    height = top + row_h * len(results) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="13">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="10" y="22" font-weight="bold">Speech heard in fastrtc\'s recording '
        f"({length_s:.2f} s at 48 kHz, 0.6 s chunks)</text>",
    ]
    for row, result in enumerate(results):
        y = top + row * row_h
        label = (
            f"{result.name}  p50 {result.p50_ms:.2f} ms"
            if not result.error
            else (f"{result.name}  (failed)")
        )
        parts.append(f'<text x="10" y="{y + 20}">{escape(label)}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y + 6}" width="{length_s * scale:.1f}" height="20" '
            'fill="#eee"/>'
        )
        for start, end in result.timeline:
            parts.append(
                f'<rect x="{label_w + start * scale:.1f}" y="{y + 6}" '
                f'width="{max(0.5, (end - start) * scale):.1f}" height="20" fill="#e8590c"/>'
            )
    axis_y = top + row_h * len(results) + 15
    for second in range(0, int(length_s) + 1, 5):
        x = label_w + second * scale
        parts.append(f'<text x="{x:.1f}" y="{axis_y}" text-anchor="middle">{second} s</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
