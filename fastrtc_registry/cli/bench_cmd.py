"""``fastrtc-plugins bench``: VAD plugins side by side."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ._app import JsonOption, app, console, emit_json

if TYPE_CHECKING:
    from ..bench import BenchResult


@app.command("bench")
def bench_command(
    names: Annotated[
        Optional[list[str]],  # noqa: UP045 - typer needs Optional on 3.10
        typer.Argument(help="VAD plugins to measure (default: every installed one)."),
    ] = None,
    as_json: JsonOption = False,
    plot: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--plot", help="Write an SVG timeline of the speech each plugin heard."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1.0, help="Seconds each plugin may take.")
    ] = 300.0,
) -> None:
    """Measure VAD plugins on fastrtc's speech recording: latency, speech heard, false alarms."""
    from ..bench import bench_plugins, render_svg
    from ..discovery import installed_plugins

    if plot is not None and plot.suffix.lower() != ".svg":
        raise typer.BadParameter("the plot is written as SVG: give a file name ending in .svg")
    chosen = list(
        names or [r.qualified_name if r.conflicts else r.name for r in installed_plugins("vad")]
    )
    status = console(stderr=True).status("Starting...")
    with status:
        results = bench_plugins(
            chosen, timeout=timeout, on_start=lambda n: status.update(f"Measuring {n}...")
        )
    if plot is not None:
        from ..checks.signals import speech

        plot.write_text(render_svg(results, length_s=len(speech(48000)) / 48000), "utf-8")
    if as_json:
        emit_json([r.as_dict() for r in results])
    else:
        _render(results)
    if any(r.error for r in results):
        raise typer.Exit(1)


def _render(results: list[BenchResult]) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    columns = (
        "plugin",
        "p50 ms",
        "p95 ms",
        "x real time",
        "speech s",
        "in silence s",
        "in noise s",
        "build s",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "plugin" else "right")
    for r in results:
        if r.error:
            table.add_row(r.name, "[red]failed[/]", *[""] * 6)
            continue
        table.add_row(
            r.name,
            f"{r.p50_ms:.2f}",
            f"{r.p95_ms:.2f}",
            f"{r.realtime_factor:.4f}",
            f"{r.speech_s:.2f}",
            f"{r.silence_s:.2f}",
            f"{r.noise_s:.2f}",
            f"{r.build_s + r.warmup_s:.2f}",
        )
    out = console()
    out.print(table)
    for r in results:
        if r.error:
            out.print(f"[red]{escape(r.name)}[/]: {escape(r.error)}")
    out.print(
        "[dim]fastrtc's 20.75 s speech recording at 48 kHz in 0.6 s chunks; "
        "silence and -50 dBFS noise, 5 s each, should give 0 s of speech.[/]"
    )
