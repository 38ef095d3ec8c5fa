"""The typer application and what every command shares: options, output, errors.

Only typer (and click) are imported here; rich and everything heavy are
imported inside the functions that need them, so ``--help`` starts fast.
"""

from __future__ import annotations

import enum
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from .._version import __version__
from ..names import parse_kind

if TYPE_CHECKING:
    from rich.console import Console

    from ..names import Kind

__all__ = [
    "JsonOption",
    "KindChoice",
    "KindOption",
    "app",
    "begin_command",
    "check_index_url",
    "check_kind",
    "check_plot_path",
    "console",
    "emit_json",
    "emit_json_error",
    "json_requested",
    "kind_of",
    "warn",
]

app = typer.Typer(
    name="fastrtc-plugins",
    help="Find, validate, install and load FastRTC VAD models and turn-taking algorithms.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class KindChoice(str, enum.Enum):
    """The plugin kinds, as the CLI spells them."""

    vad = "vad"
    turn_taking = "turn-taking"


def check_kind(value: str | None) -> str | None:
    """``--kind`` canonicalised as names are (``turn_taking`` is ``turn-taking``); else exit 2."""
    if value is None:
        return None
    try:
        return parse_kind(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


KindOption = Annotated[
    Optional[str],  # noqa: UP045 - typer needs Optional on 3.10
    typer.Option(
        "--kind",
        "-k",
        metavar="[vad|turn-taking]",
        help="Only plugins of this kind.",
        callback=check_kind,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON (stable keys, see docs) instead of a table.")
]


def kind_of(choice: KindChoice | str | None) -> Kind | None:
    """The library's kind for a CLI choice."""
    if choice is None:
        return None
    return parse_kind(choice.value if isinstance(choice, KindChoice) else choice)


def check_index_url(value: str | None) -> str | None:
    """Reject an --index-url that is not http(s) as a usage error (exit 2): one rule for all."""
    if value is not None and not value.strip().lower().startswith(("http://", "https://")):
        raise typer.BadParameter("must be an http:// or https:// simple index URL")
    return value


_json_written = [False]  # whether this process has written its JSON answer on stdout


def emit_json(data: Any) -> None:
    """Write ``data`` as indented JSON on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
    sys.stdout.flush()
    _json_written[0] = True


def begin_command() -> None:
    """Forget the output of an earlier run in this process (main() may run many times)."""
    _json_written[0] = False


def json_requested(args: Sequence[str]) -> bool:
    """Whether the command line asks for JSON on stdout: ``--json`` or ``--format json``."""
    from itertools import pairwise

    args = list(args[: args.index("--")] if "--" in args else args)
    return "--json" in args or any(
        a == "--format=json" or (a == "--format" and b == "json") for a, b in pairwise(args)
    )


def emit_json_error(args: Sequence[str], code: int, kind: str, message: str) -> None:
    """On a failure under ``--json``, the error object on stdout (docs/cli.md, "Exit codes").

    Nothing happens on success, without ``--json``, or when the command has
    already written its JSON answer (a validate report whose checks failed).
    """
    if code == 0 or _json_written[0] or not json_requested(args):
        return
    from .._text import clean_text

    error = {"type": kind, "message": clean_text(message, 2000), "exit_code": code}
    emit_json({"error": error})


_consoles: dict[bool, Console] = {}


def console(*, stderr: bool = False) -> Console:
    """A rich console on stdout (or stderr); NO_COLOR makes it plain: no colour, bold or dim.

    When the stream is not a terminal the console never wraps a line.
    """
    if stderr not in _consoles:
        import os

        from rich.console import Console

        # rich drops only colours for NO_COLOR; no colour system drops every escape.
        plain = bool(os.environ.get("NO_COLOR"))
        _consoles[stderr] = Console(
            stderr=stderr, highlight=False, soft_wrap=False, color_system=None if plain else "auto"
        )
    out = _consoles[stderr]
    # In a pipe nothing is wrapped: whole lines, as the tables (cli/_table.py).
    out.soft_wrap = not out.is_terminal
    return out


def warn(message: str) -> None:
    """One warning line on stderr."""
    console(stderr=True).print(f"[yellow]warning:[/] {_escape(message)}", soft_wrap=True)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _version_callback(value: bool) -> None:
    if value:
        sys.stdout.write(f"fastrtc-plugins {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
) -> None:
    """Find, validate, install and load FastRTC VAD models and turn-taking algorithms."""


def check_plot_path(plot: Path) -> None:
    """Refuse a chart path that cannot be written, before minutes of measuring."""
    suffix = plot.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise typer.BadParameter(
            "the chart is SVG or PNG: give a file name ending in .svg or .png", param_hint="--plot"
        )
    if suffix == ".png":
        # Imported now, not only looked for: a matplotlib that fails to import
        # would otherwise lose the whole run's figures at the end.
        try:
            import matplotlib  # noqa: F401
        except ImportError as exc:
            raise typer.BadParameter(
                f"a PNG chart needs matplotlib (pip install matplotlib; {exc}); "
                "or end the name in .svg",
                param_hint="--plot",
            ) from None
    check_output_path(plot, "--plot")


def check_output_path(path: Path | None, option: str) -> None:
    """Refuse (usage error, exit 2) an output file that cannot be written, before any work.

    The file is opened for appending, not only looked at: as root, ``os.access``
    says yes to places such as /sys and /proc where nothing can be created. A
    file created by the trial is removed again.
    """
    if path is None:
        return
    parent = path.parent if str(path.parent) else Path(".")
    problem = None
    if path.is_dir():
        problem = f"{path} is a directory"
    elif not parent.is_dir():
        problem = f"the directory {parent} does not exist"
    else:
        existed = path.exists()
        try:
            with open(path, "ab"):
                pass
        except OSError as exc:
            problem = f"{path} cannot be written ({exc.strerror or exc})"
        else:
            if not existed:
                path.unlink(missing_ok=True)
    if problem:
        raise typer.BadParameter(f"{problem}; pass a file path you can write", param_hint=option)


def write_output(write: Callable[[], object], path: Path) -> None:
    """Write an output file after the results are shown; a failure is one line and exit 1."""
    try:
        write()
    except OSError as exc:
        reason = _escape(exc.strerror or str(exc))
        console(stderr=True).print(f"[red]error:[/] could not write {_escape(str(path))}: {reason}")
        raise typer.Exit(1) from None


def memory_option(value: str | None) -> int | None:
    """The bytes of ``--memory-limit`` (None: the environment's or the default)."""
    if value is None:
        return None
    from ..validation.process import parse_size

    try:
        return parse_size(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--memory-limit") from None
