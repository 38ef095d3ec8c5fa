"""``fastrtc-plugins replay AUDIO``: where each handler would have replied on a recording."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ..deadlines import BENCH_TIMEOUT
from ._app import JsonOption, app, check_plot_path, console, emit_json, memory_option, write_output

if TYPE_CHECKING:
    from ..replay import ReplayResult


@app.command("replay")
def replay_command(
    audio: Annotated[
        Path,
        typer.Argument(
            help="A recording: WAV (int or float, any rate, mono or stereo), "
            "or FLAC/OGG with soundfile."
        ),
    ],
    vads: Annotated[
        Optional[list[str]],  # noqa: UP045 - typer needs Optional on 3.10
        typer.Option("--vad", help="A VAD by name; repeat to compare (default: silero)."),
    ] = None,
    turn_takings: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--turn-taking", help="A turn-taking algorithm by name; repeat (default: pause)."
        ),
    ] = None,
    as_json: JsonOption = False,
    plot: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--plot",
            help="Write the waveform with one lane of replies per algorithm "
            "(.svg, or .png with matplotlib).",
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1.0, help="Seconds the whole replay may take.")
    ] = BENCH_TIMEOUT,
    memory_limit: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--memory-limit",
            help="Address space the worker may use, e.g. 3G (default: "
            "FASTRTC_PLUGINS_MEMORY_LIMIT or 3G; 0: no limit).",
        ),
    ] = None,
) -> None:
    """Run each turn-taking algorithm with the first VAD (and pause with every other VAD)."""
    from ..audio_file import read_audio

    memory = memory_option(memory_limit)
    if plot is not None:
        check_plot_path(plot)
    recording = read_audio(audio)  # AudioFileError: one line, exit 2 (a bad argument)
    from ..replay import replay

    with console(stderr=True).status(f"Replaying {audio.name} ({recording.duration_s:.1f} s)..."):
        result = replay(
            audio,
            vads=vads or (),
            turn_takings=turn_takings or (),
            timeout=timeout,
            memory=memory,
            recording=recording,
        )
    # The results first: a chart that cannot be written at the end loses nothing.
    if as_json:
        emit_json(result.as_dict())
    else:
        _render(result)
    if plot is not None:
        from ..replay_plot import write_plot

        write_output(lambda: write_plot(result, recording.audio, plot), plot)
        if not as_json:
            console().print(f"Chart written to {plot}")
    if any(r.error for r in result.runs):
        raise typer.Exit(1)


def _spans(spans: tuple[tuple[float, float], ...]) -> str:
    return ", ".join(f"{a:.2f}-{b:.2f}" for a, b in spans) or "none"


def _render(result: ReplayResult) -> None:
    from rich.markup import escape

    out = console()
    channels = "mono" if result.channels == 1 else f"{result.channels} channels, downmixed"
    out.print(
        f"{escape(Path(result.path).name)}: {result.duration_s:.2f} s, {result.rate} Hz, "
        f"{channels}, {escape(result.encoding)}",
        soft_wrap=True,
    )
    for track in result.vads:
        heard = f"error: {track.error}" if track.error else _spans(track.spans)
        out.print(f"speech ({escape(track.name)}): {escape(heard)}", soft_wrap=True)
    working = [r for r in result.runs if not r.error]
    width = max((len(r.label) for r in working), default=0)
    for turn in result.turns:
        mark = f"  [yellow]! {escape(turn.disagreement)}[/]" if turn.disagreement else ""
        out.print(
            f"turn {turn.index}: speech {turn.start_s:.2f}-{turn.end_s:.2f} s{mark}",
            soft_wrap=True,
        )
        for run, delay in zip(result.runs, turn.delays_s, strict=True):
            if run.error:
                continue
            first = next((e for e in run.replies if e.turn == turn.index), None)
            cell = (
                "no reply"
                if first is None or delay is None
                else f"reply at {first.at_s:.2f} s, +{delay * 1000:.0f} ms"
            )
            out.print(f"  {escape(run.label.ljust(width))}  {cell}", soft_wrap=True)
    for run in working:
        early = [f"{e.at_s:.2f}" for e in run.replies if e.turn is None]
        if early:
            out.print(
                f"{escape(run.label)}: replied before any speech at {', '.join(early)} s",
                soft_wrap=True,
            )
    for run in result.runs:
        if run.error:
            out.print(f"[red]{escape(run.label)}[/]: {escape(run.error)}", soft_wrap=True)
    disagree = sum(1 for t in result.turns if t.disagreement)
    out.print(
        f"[dim]{len(result.turns)} turns answered, {disagree} with disagreement (!: a reply "
        f"missing, or delays more than {result.tolerance_s * 1000:.0f} ms apart); delays "
        "from the end of speech as the first VAD heard it. See docs/replay.md.[/]",
        soft_wrap=True,
    )
