"""The bench chart: accuracy by condition and end-of-turn delay per plugin, at a glance.

Top: a heat map, one row per VAD: F1 on clean speech and on speech in each
noise at each SNR (green is good), then the share of frames wrongly called
speech in silence, noise, humming and music (red is bad). Bottom: one bar per
plugin from 0 to the median end-of-turn delay, a whisker to the 95th
percentile, and the false turn ends and missed turns beside it. Last, the
trade-off curve: one line per algorithm + VAD through its sweep points, false
cutoffs on hesitations against p50 end-of-turn latency, with the 5% and 500 ms
marks. SVG is written with the standard library; PNG needs matplotlib.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from .corpus import NOISE_LEVELS_DBFS, SNRS_DB
from .run import FALSE_SPEECH_GROUPS, BenchResult

__all__ = ["FORMATS", "columns", "curve_label", "render_png", "render_svg", "write_plot"]

FORMATS = (".svg", ".png")
_PALETTE = ("#1c7ed6", "#e8590c", "#2b8a3e", "#ae3ec9", "#c92a2a", "#0b7285", "#5f3dc4", "#868e96")
_CURVE_H = 340


def curve_label(result: BenchResult) -> str:
    """The trade-off line's name: the algorithm and the VAD it ran with."""
    if result.kind == "vad":
        return f"pause + {result.name}"
    return f"{result.name} + reference VAD"


def _curve(result: BenchResult) -> list[tuple[float, float]]:
    points = (result.sweep or {}).get("points") or ()
    return sorted(
        (float(p["end_of_turn_p50_ms"]), float(p["false_cutoffs"]))
        for p in points
        if p.get("end_of_turn_p50_ms") is not None and p.get("false_cutoffs") is not None
    )


def _tradeoff_svg(results: Sequence[BenchResult], top: int, width: int) -> list[str]:
    curves = [(r, _curve(r)) for r in results if not r.error and _curve(r)]
    left, plot_w, plot_h = 60, min(560, width - 300), _CURVE_H - 90
    longest = max([ms for _, c in curves for ms, _ in c] + [1000.0]) * 1.05
    out = [
        f'<text x="10" y="{top}" font-weight="bold">Trade-off on hesitations: false cutoffs '
        "against p50 end-of-turn latency, sweeping each algorithm's main setting</text>",
        f'<rect x="{left}" y="{top + 15}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="#868e96"/>',
    ]

    def xy(ms: float, share: float) -> tuple[float, float]:
        return left + ms / longest * plot_w, top + 15 + (1 - share) * plot_h

    for ms in range(0, int(longest) + 1, 500):
        x, y = xy(ms, 0.0)
        out.append(
            f'<text x="{x:.0f}" y="{y + 16:.0f}" text-anchor="middle">{ms / 1000:g} s</text>'
        )
    for share in (0.0, 0.25, 0.5, 0.75, 1.0):
        x, y = xy(0.0, share)
        out.append(f'<text x="{x - 6:.0f}" y="{y + 4:.0f}" text-anchor="end">{share:.0%}</text>')
    x5, y5 = xy(longest, 0.05)
    x500, _ = xy(500.0, 0.0)
    out.append(
        f'<line x1="{left}" y1="{y5:.1f}" x2="{x5:.1f}" y2="{y5:.1f}" stroke="#adb5bd" '
        f'stroke-dasharray="4 3"/><line x1="{x500:.1f}" y1="{top + 15}" x2="{x500:.1f}" '
        f'y2="{top + 15 + plot_h}" stroke="#adb5bd" stroke-dasharray="4 3"/>'
    )
    for index, (result, curve) in enumerate(curves):
        colour = _PALETTE[index % len(_PALETTE)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(*p) for p in curve))
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in (xy(*p) for p in curve):
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        ly = top + 30 + index * 18
        out.append(
            f'<rect x="{left + plot_w + 20}" y="{ly - 9}" width="12" height="4" fill="{colour}"/>'
            f'<text x="{left + plot_w + 38}" y="{ly - 3}">{escape(curve_label(result))}</text>'
        )
    if not curves:
        out.append(f'<text x="{left + 10}" y="{top + 40}">(no sweep measured)</text>')
    return out


def columns() -> list[tuple[str, str, str, str]]:
    """The heat map's columns: (band, header, condition or group key, "f1" or "false_speech")."""
    cols = [("F1", "clean", "clean", "f1")]
    for noise in NOISE_LEVELS_DBFS:
        cols += [
            (f"F1 in {noise}", f"{snr} dB", f"speech+{noise}/{snr} dB", "f1") for snr in SNRS_DB
        ]
    cols += [("false speech", group, group, "false_speech") for group in FALSE_SPEECH_GROUPS]
    return cols


def _cell(result: BenchResult, key: str, metric: str) -> float | None:
    source = result.conditions if key in result.conditions else result.groups
    value = (source.get(key) or {}).get(metric)
    return None if value is None else float(value)


def _colour(value: float | None, metric: str) -> str:
    if value is None:
        return "#f1f3f5"
    good = value if metric == "f1" else 1.0 - value
    if metric == "f1":
        good = max(0.0, min(1.0, (value - 0.5) / 0.5))  # F1 below 0.5 is as bad as it gets
    red, green = (230, 57, 70), (43, 147, 72)
    mix = [round(r + (g - r) * good) for r, g in zip(red, green, strict=False)]
    return "#{:02x}{:02x}{:02x}".format(*mix)


def _delay_label(r: BenchResult) -> str:
    if r.error:
        return "failed"
    if r.end_of_turn_p50_ms is None:
        return "no turn answered"
    return (
        f"p50 {r.end_of_turn_p50_ms:.0f} ms, p95 {r.end_of_turn_p95_ms or 0:.0f} ms; "
        f"{r.false_turn_ends} false turn ends, {r.missed_turns} missed"
    )


def render_svg(results: Sequence[BenchResult], *, title: str = "") -> str:
    """The chart as an SVG document."""
    cols = columns()
    vads = [r for r in results if r.kind == "vad" and not r.error]
    label_w, cell_w, cell_h, top = 170, 58, 26, 100
    width = label_w + cell_w * len(cols) + 20
    heat_h = cell_h * max(1, len(vads))
    bars_top = top + heat_h + 70
    bar_h = 30
    curves_top = bars_top + bar_h * max(1, len(results)) + 60
    height = curves_top + _CURVE_H
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="10" y="20" font-size="15" font-weight="bold">'
        f"{escape(title or 'fastrtc-plugins bench')}</text>",
        '<text x="10" y="40">Accuracy by condition: frame F1 on speech, clean and in noise at '
        "three SNRs (higher is better), then the share of frames</text>"
        '<text x="10" y="56">wrongly called speech in silence, noise, humming and music '
        "(lower is better). Green is good, red is bad.</text>",
    ]
    bands: list[tuple[str, int, int]] = []  # (label, first column, count)
    for index, (band, _, _, _) in enumerate(cols):
        if bands and bands[-1][0] == band:
            bands[-1] = (band, bands[-1][1], bands[-1][2] + 1)
        else:
            bands.append((band, index, 1))
    for band, first, count in bands:
        x = label_w + first * cell_w
        mid = x + count * cell_w / 2 - 1
        out.append(
            f'<line x1="{x + 2}" y1="{top - 30}" x2="{x + count * cell_w - 4}" y2="{top - 30}" '
            f'stroke="#868e96"/><text x="{mid:.0f}" y="{top - 34}" text-anchor="middle" '
            f'font-weight="bold">{escape(band)}</text>'
        )
    for index, (_, header, _, _) in enumerate(cols):
        centre = label_w + index * cell_w + cell_w / 2
        out.append(
            f'<text x="{centre:.0f}" y="{top - 8}" text-anchor="middle">{escape(header)}</text>'
        )
    for row, result in enumerate(vads):
        y = top + row * cell_h
        out.append(f'<text x="10" y="{y + 17}">{escape(result.name)}</text>')
        for index, (_, _, key, metric) in enumerate(cols):
            value = _cell(result, key, metric)
            x = label_w + index * cell_w
            text = "-" if value is None else (f"{value:.2f}" if metric == "f1" else f"{value:.0%}")
            out.append(
                f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" '
                f'fill="{_colour(value, metric)}"><title>{escape(result.name)} {escape(key)} '
                f"{metric}: {text}</title></rect>"
                f'<text x="{x + cell_w / 2 - 1:.0f}" y="{y + 17}" text-anchor="middle" '
                f'fill="white" font-weight="bold">{text}</text>'
            )
    if not vads:
        out.append(f'<text x="10" y="{top + 17}">(no VAD measured)</text>')
    delays = [r.end_of_turn_p95_ms or r.end_of_turn_p50_ms or 0.0 for r in results]
    longest = max([*delays, 1000.0]) * 1.1
    scale_w = width - label_w - 380
    out.append(
        f'<text x="10" y="{bars_top - 30}" font-weight="bold">End-of-turn delay in ReplyOnPause '
        "(end of speech to reply; bar p50, whisker p95)</text>"
    )
    for row, result in enumerate(results):
        y = bars_top + row * bar_h
        name = result.name + (" (turn-taking)" if result.kind != "vad" else "")
        out.append(f'<text x="10" y="{y + 18}">{escape(name)}</text>')
        p50, p95 = result.end_of_turn_p50_ms, result.end_of_turn_p95_ms
        if p50 is not None and not result.error:
            w50 = p50 / longest * scale_w
            out.append(
                f'<rect x="{label_w}" y="{y + 5}" width="{w50:.1f}" height="{bar_h - 10}" '
                'fill="#1c7ed6"/>'
            )
            if p95 is not None:
                x95 = label_w + p95 / longest * scale_w
                mid = y + bar_h / 2
                out.append(
                    f'<line x1="{label_w + w50:.1f}" y1="{mid}" x2="{x95:.1f}" y2="{mid}" '
                    f'stroke="#333"/><line x1="{x95:.1f}" y1="{y + 8}" x2="{x95:.1f}" '
                    f'y2="{y + bar_h - 8}" stroke="#333"/>'
                )
        out.append(
            f'<text x="{label_w + scale_w + 12}" y="{y + 18}">{escape(_delay_label(result))}</text>'
        )
    axis_y = bars_top + bar_h * max(1, len(results)) + 16
    for ms in range(0, int(longest) + 1, 500):
        tick = label_w + ms / longest * scale_w
        out.append(f'<text x="{tick:.0f}" y="{axis_y}" text-anchor="middle">{ms / 1000:g} s</text>')
    out.extend(_tradeoff_svg(results, curves_top, width))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def render_png(results: Sequence[BenchResult], path: Path, *, title: str = "") -> None:
    """The same chart as a PNG, drawn with matplotlib (which must be installed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    cols = columns()
    vads = [r for r in results if r.kind == "vad" and not r.error]
    fig, (heat, bars, trade) = plt.subplots(
        3,
        1,
        figsize=(13, 6.5 + 0.45 * (len(vads) + len(results))),
        gridspec_kw={"height_ratios": [max(1, len(vads)) + 1.5, max(1, len(results)) + 1, 8]},
    )
    goodness = np.full((max(1, len(vads)), len(cols)), np.nan)
    for row, result in enumerate(vads):
        for index, (_, _, key, metric) in enumerate(cols):
            value = _cell(result, key, metric)
            if value is None:
                continue
            goodness[row, index] = max(0.0, (value - 0.5) / 0.5) if metric == "f1" else 1.0 - value
            text = f"{value:.2f}" if metric == "f1" else f"{value:.0%}"
            heat.text(index, row, text, ha="center", va="center", color="black", fontsize=8)
    heat.imshow(goodness, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
    labels = [f"{c[0]}: {c[1]}" for c in cols]
    heat.set_xticks(range(len(cols)), labels, rotation=45, ha="right", fontsize=8)
    heat.set_yticks(range(len(vads)), [r.name for r in vads])
    heat.set_title("Frame F1 on speech (by SNR, dB) | share of frames wrongly called speech")
    names = [r.name + (" (turn-taking)" if r.kind != "vad" else "") for r in results]
    p50 = [r.end_of_turn_p50_ms or 0.0 for r in results]
    p95 = [max((r.end_of_turn_p95_ms or 0.0) - (r.end_of_turn_p50_ms or 0.0), 0.0) for r in results]
    ys = range(len(results))
    bars.barh(ys, p50, xerr=[[0] * len(results), p95], color="#1c7ed6", capsize=4)
    bars.set_yticks(ys, names)
    bars.invert_yaxis()
    bars.set_xlabel("end-of-turn delay, ms (bar p50, whisker p95)")
    for y, result in zip(ys, results, strict=False):
        bars.text(max(p50) * 0.02, y, _delay_label(result), va="center", color="white", fontsize=8)
    for index, result in enumerate(r for r in results if not r.error and _curve(r)):
        ms, share = zip(*_curve(result), strict=True)
        colour = _PALETTE[index % len(_PALETTE)]
        trade.plot(ms, share, marker="o", color=colour, label=curve_label(result))
    trade.axhline(0.05, color="#adb5bd", linestyle="--", linewidth=1)
    trade.axvline(500, color="#adb5bd", linestyle="--", linewidth=1)
    trade.set_ylim(0, 1)
    trade.set_xlabel("p50 end-of-turn latency, ms")
    trade.set_ylabel("false cutoffs")
    trade.set_title("Trade-off on hesitations (sweeping each algorithm's main setting)")
    if trade.get_legend_handles_labels()[0]:
        trade.legend(loc="upper right", fontsize=8)
    fig.suptitle(title or "fastrtc-plugins bench")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_plot(results: Sequence[BenchResult], path: Path, *, title: str = "") -> None:
    """Write the chart to ``path``: SVG or PNG by its suffix."""
    if path.suffix.lower() == ".png":
        render_png(results, path, title=title)
    else:
        path.write_text(render_svg(results, title=title), "utf-8")
