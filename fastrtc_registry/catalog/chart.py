"""The trade-off chart of the gallery: false cutoffs against end-of-turn latency.

One line per plugin from its bench record's ``sweep``, its default point
ringed, the 5% false-cutoff and 500 ms lines drawn, and the lowest-latency
plugin at or under 5% labelled. Plain SVG attributes only (no inline style or
script), so the gallery page's Content-Security-Policy holds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from html import escape

from .model import Catalog, CatalogEntry

__all__ = ["KIND_ORDER", "bench_figure", "gallery_order", "render_chart"]

KIND_ORDER = {"vad": 0, "turn-taking": 1}
_FALSE_CUTOFF_LIMIT = 0.05
_LATENCY_LIMIT_MS = 500.0


def gallery_order(entries: Iterable[CatalogEntry]) -> list[CatalogEntry]:
    """Community plugins first (the point of a gallery), then the built-ins; by kind, name."""
    return sorted(entries, key=lambda e: (e.builtin, KIND_ORDER[e.kind], e.name))


def bench_figure(entry: CatalogEntry, field: str) -> float | None:
    """One measured figure of ``entry`` (None when not measured)."""
    value = getattr(entry.bench, field, None) if entry.bench is not None else None
    return float(value) if isinstance(value, (int, float)) else None


_COLOURS = ("#1971c2", "#e8590c", "#2f9e44", "#862e9c", "#c92a2a", "#0c8599", "#5c940d", "#d6336c")


def _curves(
    catalog: Catalog,
) -> list[tuple[str, list[tuple[float, float]], tuple[float, float] | None]]:
    """(label, sweep points as (false cutoffs, latency p50), default point) per plugin."""
    curves = []
    for entry in gallery_order(catalog.entries):
        sweep = entry.bench.sweep if entry.bench is not None else None
        points = sweep.get("points") if isinstance(sweep, dict) else None
        if not isinstance(points, list) or not points:
            continue
        xy = sorted(
            (float(p["false_cutoffs"]), float(p["end_of_turn_p50_ms"]))
            for p in points
            if isinstance(p, dict)
        )
        x, y = bench_figure(entry, "false_cutoffs"), bench_figure(entry, "end_of_turn_p50_ms")
        label = entry.name if entry.kind == "turn-taking" else f"pause + {entry.name}"
        curves.append((label, xy, (x, y) if x is not None and y is not None else None))
    return curves


def render_chart(catalog: Catalog) -> str:
    """The trade-off chart as a standalone SVG: false cutoffs (x) vs latency p50 (y)."""
    width, height, left, right, top, bottom = 720, 420, 64, 190, 40, 52
    curves = _curves(catalog)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="tradeoff-chart" '
        'aria-labelledby="tradeoff-title" font-family="system-ui, sans-serif" font-size="12">',
        '<title id="tradeoff-title">Trade-off: false cutoffs against end-of-turn latency p50; '
        "lower left is better</title>",
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
    ]
    if not curves:
        out.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#5b6270">'
            "No trade-off curves recorded yet: run fastrtc-plugins registry update --bench</text>"
        )
        return "\n".join(out) + "\n</svg>\n"
    xs = [x for _l, pts, _d in curves for x, _y in pts]
    ys = [y for _l, pts, _d in curves for _x, y in pts]
    x_step = 0.05 if max(xs) <= 0.4 else 0.1
    y_step = 250.0 if max(ys) <= 2500 else 1000.0
    x_max = max(0.1, math.ceil(max(xs) * 1.05 / x_step) * x_step)
    y_max = max(1000.0, math.ceil(max(ys) * 1.05 / y_step) * y_step)
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(x: float) -> float:
        return round(left + x / x_max * plot_w, 1)

    def py(y: float) -> float:
        return round(top + plot_h - y / y_max * plot_h, 1)

    axis = 'stroke="#5b6270" stroke-width="1"'
    out.append(f'<line x1="{left}" y1="{py(0)}" x2="{px(x_max)}" y2="{py(0)}" {axis}/>')
    out.append(f'<line x1="{left}" y1="{py(0)}" x2="{left}" y2="{py(y_max)}" {axis}/>')
    for i in range(round(x_max / x_step) + 1):
        x = i * x_step
        out.append(f'<text x="{px(x)}" y="{py(0) + 16}" text-anchor="middle">{x:.0%}</text>')
    for i in range(round(y_max / y_step) + 1):
        y = i * y_step
        out.append(f'<text x="{left - 6}" y="{py(y) + 4}" text-anchor="end">{y:.0f}</text>')
    out.append(
        f'<text x="{left + plot_w / 2}" y="{height - 12}" text-anchor="middle">'
        "false cutoffs (share of hesitations answered)</text>"
    )
    out.append(
        f'<text x="16" y="{top + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 16 {top + plot_h / 2})">end-of-turn latency p50 (ms)</text>'
    )
    guide = 'stroke="#868e96" stroke-width="1" stroke-dasharray="4 3"'
    gx, gy = px(_FALSE_CUTOFF_LIMIT), py(_LATENCY_LIMIT_MS)
    out.append(f'<line class="limit-cutoffs" x1="{gx}" y1="{py(0)}" x2="{gx}" y2="{top}" {guide}/>')
    out.append(f'<text x="{gx + 4}" y="{top + 12}" fill="#5b6270">5% false cutoffs</text>')
    out.append(
        f'<line class="limit-latency" x1="{left}" y1="{gy}" x2="{px(x_max)}" y2="{gy}" {guide}/>'
    )
    out.append(
        f'<text x="{px(x_max) - 4}" y="{gy - 5}" text-anchor="end" fill="#5b6270">500 ms</text>'
    )
    best: tuple[float, str, float, float] | None = None
    for index, (label, pts, default) in enumerate(curves):
        colour = _COLOURS[index % len(_COLOURS)]
        line = " ".join(f"{px(x)},{py(y)}" for x, y in pts)
        out.append(
            f'<polyline class="curve" data-plugin="{escape(label)}" points="{line}" fill="none" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
        for x, y in pts:
            out.append(f'<circle cx="{px(x)}" cy="{py(y)}" r="2.5" fill="{colour}"/>')
            if x <= _FALSE_CUTOFF_LIMIT and (best is None or y < best[0]):
                best = (y, label, x, y)
        if default is not None:
            out.append(
                f'<circle class="default-point" cx="{px(default[0])}" cy="{py(default[1])}" r="6" '
                f'fill="#fff" stroke="{colour}" stroke-width="2.5"><title>{escape(label)} '
                "default</title></circle>"
            )
        ly = top + 14 + index * 18
        out.append(
            f'<line x1="{width - right + 16}" y1="{ly - 4}" x2="{width - right + 36}" '
            f'y2="{ly - 4}" stroke="{colour}" stroke-width="2"/>'
        )
        out.append(f'<text x="{width - right + 42}" y="{ly}">{escape(label)}</text>')
    ly = top + 14 + len(curves) * 18 + 8
    out.append(
        f'<circle cx="{width - right + 26}" cy="{ly - 4}" r="5" fill="#fff" stroke="#333" '
        'stroke-width="2"/>'
    )
    out.append(f'<text x="{width - right + 42}" y="{ly}">default setting</text>')
    if best is not None:
        _, label, x, y = best
        out.append(
            f'<circle class="best-point" cx="{px(x)}" cy="{py(y)}" r="10" fill="none" '
            'stroke="#2b8a3e" stroke-width="2"/>'
        )
        out.append(
            f'<text class="best-label" x="{px(x) + 14}" y="{py(y) - 10}" fill="#2b8a3e" '
            f'font-weight="700">best at ≤ 5%: {escape(label)} ({y:.0f} ms)</text>'
        )
    return "\n".join(out) + "\n</svg>\n"
