"""``fastrtc-plugins bench``: plugins ranked on accuracy, humming, turn latency and speed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ..deadlines import BENCH_TIMEOUT
from ._app import JsonOption, app, check_plot_path, console, emit_json, memory_option, write_output

if TYPE_CHECKING:
    from ..bench import BenchResult


@app.command("bench")
def bench_command(
    names: Annotated[
        Optional[list[str]],  # noqa: UP045 - typer needs Optional on 3.10
        typer.Argument(
            help="VAD or turn-taking plugins to measure (default: every installed one)."
        ),
    ] = None,
    as_json: JsonOption = False,
    plot: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--plot",
            help="Write a chart of accuracy by condition and end-of-turn delay "
            "(.svg, or .png with matplotlib).",
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1.0, help="Seconds each plugin may take.")
    ] = BENCH_TIMEOUT,
    memory_limit: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--memory-limit",
            help="Address space each plugin's worker may use, e.g. 3G (default: "
            "FASTRTC_PLUGINS_MEMORY_LIMIT or 3G; 0: no limit).",
        ),
    ] = None,
) -> None:
    """Rank plugins on a labelled corpus: F1, false speech (noise, humming), turn delay, speed."""
    memory = memory_option(memory_limit)
    if plot is not None:
        check_plot_path(plot)
    from ..bench import bench_plugins
    from ..discovery import installed_plugins

    installed = [*installed_plugins("vad"), *installed_plugins("turn-taking")]
    chosen = list(names or [r.qualified_name if r.conflicts else r.name for r in installed])
    err = console(stderr=True)
    status = err.status("Building the corpus...")
    count = len(chosen)
    progress = iter(range(1, count + 1))

    def started(name: str) -> None:
        status.update(
            f"Measuring {name} ({next(progress)}/{count}): corpus, conversations, "
            "then the hesitation sweep..."
        )

    def done(result: BenchResult, seconds: float) -> None:
        from rich.markup import escape

        outcome = "[red]failed[/]" if result.error else "done"
        err.print(f"[dim]{escape(result.name)}: {outcome} in {seconds:.1f} s[/]")

    with status:
        results = bench_plugins(
            chosen, timeout=timeout, memory=memory, on_start=started, on_done=done
        )
    # The results first: a chart that cannot be written at the end loses nothing.
    if as_json:
        emit_json([r.as_dict() for r in results])
    else:
        _render(results)
    if plot is not None:
        from ..bench.plot import write_plot

        write_output(lambda: write_plot(results, plot), plot)
        if not as_json:
            console().print(f"Chart written to {plot}")
    if any(r.error for r in results):
        raise typer.Exit(1)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


# The figures' columns, and the order they give way in on a narrow screen (1 first).
_COLUMNS = (
    ("#", 1, None),
    ("plugin", 10, None),
    ("F1", 4, None),
    ("hum FS", 6, 5),
    ("noise FS", 8, 4),
    ("turn ms", 7, None),
    ("false/miss", 10, 6),
    ("cutoffs", 7, 7),
    ("ms @5%", 6, 3),
    ("chunk ms", 8, 2),
    ("x RT", 6, 1),
)


def _render(results: list[BenchResult]) -> None:
    import sys

    from ._table import Cell, Column, color_enabled, render_table

    out = console()
    color = color_enabled()
    # The shared table of cli/_table.py: fitted to a terminal, whole in a pipe.
    columns = [Column(h, min_width=w, drop=d, right=h != "plugin") for h, w, d in _COLUMNS]
    rows: list[list[Cell | str]] = []
    for place, r in enumerate(results, 1):
        if r.error:
            rows.append([str(place), r.name, Cell("failed", "red"), *[""] * 8])
            continue
        delay = "-"
        if r.end_of_turn_p50_ms is not None:
            delay = f"{r.end_of_turn_p50_ms:.0f}/{_num(r.end_of_turn_p95_ms, 0)}"
        rows.append(
            [
                str(place),
                r.name + ("" if r.kind == "vad" else "*"),
                _num(r.f1),
                _pct(r.humming_false_speech),
                _pct(r.noise_false_speech),
                delay,
                f"{r.false_turn_ends}/{r.missed_turns}",
                _pct(r.false_cutoffs),
                _num(r.latency_at_5pct_ms, 0),
                _num(r.p50_ms),
                _num(r.realtime_factor, 4),
            ]
        )
    sys.stdout.write(render_table(columns, rows, color=color) + "\n")
    vads = [r for r in results if r.kind == "vad" and not r.error]
    if vads:
        detail = [Column("condition", min_width=12)]
        detail += [Column(r.name, min_width=5, right=True) for r in vads]
        cells: list[list[Cell | str]] = []
        for condition in vads[0].conditions:
            values = [dict(r.conditions.get(condition) or {}) for r in vads]
            speech = bool(values[0].get("speech_frames"))
            figures = [_num(v.get("f1")) if speech else _pct(v.get("false_speech")) for v in values]
            cells.append([f"{condition} ({'F1' if speech else 'false speech'})", *figures])
        sys.stdout.write("\n" + render_table(detail, cells, color=color) + "\n")
    for r in results:
        if r.error:
            out.print(f"[red]{_escape(r.name)}[/]: {_escape(r.error)}")
    if any(r.kind != "vad" and not r.error for r in results):
        out.print("[dim]* a turn-taking plugin, driven with the reference VAD.[/]")
    out.print(
        "[dim]F1: 10 ms frames against the labels, over the whole corpus at 48 kHz in 0.6 s "
        "chunks. FS: share of humming or noise frames called speech. turn ms: p50/p95 from "
        "the end of an utterance to the reply on the hesitation talks (a VAD: in "
        "ReplyOnPause); false: replies in a conversation's short pause, humming or speech; "
        "miss: true turn ends never answered. cutoffs: hesitations replied to; ms @5%: "
        "latency where the sweep reaches 5% cutoffs. chunk ms: vad() p50 per 0.6 s; "
        "x RT: processing time over audio time. See docs/bench.md.[/]"
    )


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
