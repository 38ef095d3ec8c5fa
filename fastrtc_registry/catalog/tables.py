"""The gallery's comparison tables: one sortable table per plugin kind, from bench figures.

The figures each table and card shows, their formats and which is better live
here, with the reason a plugin has none; :mod:`.gallery` renders the cards and
the page around the tables.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from .chart import KIND_ORDER
from .chart import bench_figure as _figure
from .chart import gallery_order as _ordered
from .model import Catalog, CatalogEntry

__all__ = ["CARD_FIGURES", "CHART_CAPTION", "comparison", "unmeasured_reason"]


def _pct(value: float) -> str:
    return f"{value:.0%}" if value >= 0.1 or value == 0 else f"{value:.1%}"


def _ms(value: float) -> str:
    return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


# A figure: bench field, column title, hover text, formatter, higher is better.
_Figure = tuple[str, str, str, Callable[[float], str], bool]
_VAD_FIGURES: tuple[_Figure, ...] = (
    ("f1", "F1", "Speech detection F1 on the bench corpus (1 is perfect)", "{:.2f}".format, True),
    (
        "humming_false_speech",
        "humming as speech",
        "Share of humming the VAD took for speech (lower is better)",
        _pct,
        False,
    ),
    (
        "noise_false_speech",
        "noise as speech",
        "Share of background noise the VAD took for speech (lower is better)",
        _pct,
        False,
    ),
    (
        "p50_ms",
        "ms per chunk",
        "Median time to judge one 0.6 s chunk of audio on this machine",
        _ms,
        False,
    ),
)
_TURN_FIGURES: tuple[_Figure, ...] = (
    (
        "false_cutoffs",
        "false cutoffs",
        "Share of hesitations inside a turn in which the handler replied (lower is better)",
        _pct,
        False,
    ),
    (
        "end_of_turn_p50_ms",
        "latency p50",
        "Median time from the end of the user's turn to the reply",
        _ms,
        False,
    ),
    (
        "end_of_turn_p95_ms",
        "latency p95",
        "95th percentile of the time from the end of the user's turn to the reply",
        _ms,
        False,
    ),
)
_TABLE_EXTRA: tuple[_Figure, ...] = (
    (
        "latency_at_5pct_ms",
        "latency at ≤ 5% cutoffs",
        "Lowest latency p50 on the trade-off curve with at most 5% false cutoffs",
        _ms,
        False,
    ),
    (
        "false_cutoffs_at_500ms",
        "false cutoffs at 500 ms",
        "False cutoffs on the trade-off curve at a latency p50 near 500 ms",
        _pct,
        False,
    ),
)
CARD_FIGURES = {"vad": _VAD_FIGURES, "turn-taking": _TURN_FIGURES}
_TABLE_FIGURES = {
    "vad": _VAD_FIGURES + _TURN_FIGURES[:2],
    "turn-taking": _TURN_FIGURES + _TABLE_EXTRA,
}
_KIND_TITLES = {"vad": "VAD models", "turn-taking": "Turn-taking algorithms"}


def _measured(entry: CatalogEntry) -> bool:
    return any(_figure(entry, f[0]) is not None for f in CARD_FIGURES[entry.kind])


def _python_text(specifier: str) -> str:
    # ">=3.12" reads "Python >= 3.12"
    head = specifier.rstrip("0123456789.*, ")
    op = specifier[: len(specifier) - len(specifier.lstrip("<>=!~"))]
    return f"Python {op} {specifier[len(op) :].strip()}" if op and head == op else specifier


def unmeasured_reason(entry: CatalogEntry) -> str | None:
    """Why a card has no bench figures, from its catalog record (None when it has them)."""
    if _measured(entry):
        return None
    record = entry.validation
    if record is not None and record.status == "unsupported-python":
        spec = entry.requires_python
        return f"needs {_python_text(spec)}" if spec else "cannot run on the bench's Python"
    if "speech-to-text" in entry.tags:
        return "needs real speech-to-text"
    if entry.offline is False or (record is not None and record.status == "needs-network"):
        return "needs the network (hub download)"
    return "not measured yet"


def _sorted_rows(entries: list[CatalogEntry], figure: _Figure) -> list[CatalogEntry]:
    """Rows by one figure, best first, unmeasured last, then by name."""
    field, higher = figure[0], figure[4]

    def key(entry: CatalogEntry) -> tuple[bool, float, str]:
        value = _figure(entry, field)
        if value is None:
            return (True, 0.0, entry.name)
        return (False, -value if higher else value, entry.name)

    return sorted(entries, key=key)


def _table(kind: str, entries: list[CatalogEntry]) -> str:
    figures = _TABLE_FIGURES[kind]
    default = figures[0]
    head = [
        '<th scope="col" aria-sort="none"><button type="button" class="sort">plugin</button></th>'
    ]
    for figure in figures:
        field, title, hint, _fmt, higher = figure
        sort = "descending" if higher else "ascending"
        head.append(
            f'<th scope="col" data-field="{field}" data-better="{"higher" if higher else "lower"}" '
            f'aria-sort="{sort if figure is default else "none"}" title="{escape(hint)}">'
            f'<button type="button" class="sort">{escape(title)}</button></th>'
        )
    rows = []
    for entry in _sorted_rows(entries, default):
        reason = unmeasured_reason(entry)
        note = f' title="no bench figures: {escape(reason)}"' if reason else ""
        cells = [f'<td data-value="{escape(entry.name)}"{note}>{escape(entry.name)}</td>']
        for field, _title, _hint, fmt, _higher in figures:
            value = _figure(entry, field)
            if value is None:
                cells.append('<td data-value="">–</td>')
            else:
                cells.append(f'<td data-value="{value!r}">{escape(fmt(value))}</td>')
        rows.append(f'<tr data-name="{escape(entry.name)}">' + "".join(cells) + "</tr>")
    caption = _KIND_TITLES[kind]
    if kind == "vad":
        caption += " (turn figures: pause driven by the VAD)"
    return (
        f'<table class="compare" data-kind="{kind}">\n<caption>{escape(caption)}</caption>\n'
        f"<thead><tr>{''.join(head)}</tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>"
    )


def _tables(catalog: Catalog) -> str:
    entries = _ordered(catalog.entries)
    return "\n".join(
        _table(kind, [e for e in entries if e.kind == kind])
        for kind in KIND_ORDER
        if any(e.kind == kind for e in entries)
    )


CHART_CAPTION = (
    "The trade-off: each line is one plugin's sweep of its setting; the ringed point is its "
    "default. Lower left is better; the best plugin at ≤ 5% false cutoffs is labelled."
)


def comparison(catalog: Catalog, chart: str | None) -> str:
    """The tables, then the chart inline (HTML) or nothing (markdown adds the image)."""
    figure = (
        f'<figure class="tradeoff">\n{chart}\n<figcaption>{escape(CHART_CAPTION)}'
        "</figcaption>\n</figure>\n"
        if chart is not None
        else ""
    )
    return (
        '<div class="plugin-comparison">\n'
        "<p>Click a column header to sort by it (again to reverse); plugins without the figure "
        "stay last.</p>\n"
        f"{_tables(catalog)}\n{figure}</div>"
    )
