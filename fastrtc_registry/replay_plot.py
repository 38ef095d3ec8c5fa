"""The replay chart: the waveform, each VAD's speech, and one lane of replies per algorithm.

Turns on which the algorithms disagree are shaded across every lane. SVG is
written with the standard library; PNG needs matplotlib.
"""

from __future__ import annotations

import itertools
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from .replay import ReplayResult

if TYPE_CHECKING:
    import numpy as np

__all__ = ["render_png", "render_svg", "write_plot"]

_WIDTH, _LABEL, _WAVE_H, _LANE_H = 1100, 190, 120, 30


def _envelope(audio: np.ndarray, columns: int) -> list[tuple[float, float]]:
    """Min and max of the audio in each of ``columns`` slices."""
    import numpy as np

    if len(audio) == 0:
        return [(0.0, 0.0)] * columns
    edges = np.linspace(0, len(audio), columns + 1).astype(int)
    out = []
    for a, b in itertools.pairwise(edges):
        part = audio[a : max(b, a + 1)]
        out.append((float(part.min()), float(part.max())))
    return out


def render_svg(result: ReplayResult, audio: np.ndarray) -> str:
    """The chart as an SVG document."""
    plot_w = _WIDTH - _LABEL - 20
    span = max(result.duration_s, 0.001)

    def x(t: float) -> float:
        return _LABEL + min(max(t, 0.0), span) / span * plot_w

    lanes = len(result.vads) + len(result.runs)
    top = 50
    height = top + _WAVE_H + 20 + _LANE_H * lanes + 50
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" '
        f'viewBox="0 0 {_WIDTH} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{_WIDTH}" height="{height}" fill="white"/>',
        f'<text x="10" y="20" font-size="15" font-weight="bold">fastrtc-plugins replay: '
        f"{escape(Path(result.path).name)}</text>",
        '<text x="10" y="38">Waveform, speech each VAD heard (grey), each algorithm\'s replies '
        "(blue ticks, delay after the end of speech); orange: the algorithms disagree.</text>",
    ]
    bottom = top + _WAVE_H + 20 + _LANE_H * lanes
    for turn in result.turns:
        if turn.disagreement:
            right = max((d for d in turn.delays_s if d is not None), default=0.0)
            out.append(
                f'<rect x="{x(turn.end_s):.1f}" y="{top}" '
                f'width="{max(x(turn.end_s + right) - x(turn.end_s), 3):.1f}" '
                f'height="{bottom - top}" fill="#ffa94d" opacity="0.35">'
                f"<title>turn {turn.index}: {escape(turn.disagreement)}</title></rect>"
            )
    mid = top + _WAVE_H / 2
    points = []
    for column, (low, high) in enumerate(_envelope(audio, plot_w)):
        cx = _LABEL + column
        points.append(f"M{cx} {mid - high * _WAVE_H / 2:.1f}V{mid - low * _WAVE_H / 2 + 0.5:.1f}")
    out.append(f'<text x="10" y="{mid + 4:.0f}">waveform</text>')
    out.append(f'<path d="{"".join(points)}" stroke="#495057" stroke-width="1"/>')
    y = top + _WAVE_H + 20
    for track in result.vads:
        out.append(f'<text x="10" y="{y + 19}">speech: {escape(track.name)}</text>')
        for start, end in track.spans:
            out.append(
                f'<rect x="{x(start):.1f}" y="{y + 6}" width="{max(x(end) - x(start), 1):.1f}" '
                f'height="{_LANE_H - 12}" fill="#adb5bd"/>'
            )
        if track.error:
            out.append(f'<text x="{_LABEL}" y="{y + 19}" fill="#c92a2a">failed</text>')
        y += _LANE_H
    for run in result.runs:
        out.append(f'<text x="10" y="{y + 19}">{escape(run.label)}</text>')
        out.append(
            f'<line x1="{_LABEL}" y1="{y + _LANE_H / 2}" x2="{_LABEL + plot_w}" '
            f'y2="{y + _LANE_H / 2}" stroke="#dee2e6"/>'
        )
        for event in run.replies:
            delay = "" if event.delay_s is None else f" +{event.delay_s * 1000:.0f} ms"
            out.append(
                f'<line x1="{x(event.at_s):.1f}" y1="{y + 4}" x2="{x(event.at_s):.1f}" '
                f'y2="{y + _LANE_H - 4}" stroke="#1c7ed6" stroke-width="3">'
                f"<title>{escape(run.label)}: reply at {event.at_s:.2f} s{delay}</title></line>"
            )
        if run.error:
            out.append(f'<text x="{_LABEL}" y="{y + 19}" fill="#c92a2a">failed</text>')
        y += _LANE_H
    step = 1 if span <= 15 else (2 if span <= 30 else (5 if span <= 90 else 30))
    for second in range(0, int(span) + 1, step):
        out.append(f'<text x="{x(second):.0f}" y="{y + 18}" text-anchor="middle">{second} s</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def render_png(result: ReplayResult, audio: np.ndarray, path: Path) -> None:
    """The same chart as a PNG, drawn with matplotlib (which must be installed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    lanes = len(result.vads) + len(result.runs)
    fig, (wave_ax, lane_ax) = plt.subplots(
        2,
        1,
        figsize=(13, 2.5 + 0.4 * lanes),
        sharex=True,
        gridspec_kw={"height_ratios": [2, max(1, lanes)]},
    )
    times = np.arange(len(audio)) / result.rate
    stride = max(1, len(audio) // 20000)
    wave_ax.plot(times[::stride], audio[::stride], color="#495057", linewidth=0.5)
    wave_ax.set_yticks([])
    labels = []
    for row, track in enumerate(result.vads):
        lane_ax.broken_barh([(a, b - a) for a, b in track.spans], (row - 0.3, 0.6), color="#adb5bd")
        labels.append(f"speech: {track.name}")
    for offset, run in enumerate(result.runs):
        row = len(result.vads) + offset
        lane_ax.vlines(
            [e.at_s for e in run.replies], row - 0.35, row + 0.35, color="#1c7ed6", linewidth=2
        )
        labels.append(run.label + (" (failed)" if run.error else ""))
    for turn in result.turns:
        if turn.disagreement:
            right = max((d for d in turn.delays_s if d is not None), default=0.0)
            for ax in (wave_ax, lane_ax):
                ax.axvspan(turn.end_s, turn.end_s + max(right, 0.05), color="#ffa94d", alpha=0.35)
    lane_ax.set_yticks(range(lanes), labels)
    lane_ax.invert_yaxis()
    lane_ax.set_xlim(0, result.duration_s)
    lane_ax.set_xlabel("seconds")
    fig.suptitle(f"fastrtc-plugins replay: {Path(result.path).name} (orange: disagreement)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_plot(result: ReplayResult, audio: np.ndarray, path: Path) -> None:
    """Write the chart to ``path``: SVG or PNG by its suffix."""
    if path.suffix.lower() == ".png":
        render_png(result, audio, path)
    else:
        path.write_text(render_svg(result, audio), "utf-8")
