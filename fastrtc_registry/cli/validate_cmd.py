"""``fastrtc-plugins validate``: run the conformance suite on a plugin."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._app import JsonOption, app, console, emit_json

if TYPE_CHECKING:
    from ..checks import ValidationReport

_STYLES = {
    "passed": "green",
    "failed": "red",
    "error": "red bold",
    "warning": "yellow",
    "skipped": "dim",
}


@app.command("validate")
def validate_command(
    target: Annotated[
        str,
        typer.Argument(
            help="An installed plugin or package name, a project directory (e.g. '.'), "
            "a wheel file, or pypi:NAME[==VERSION]."
        ),
    ],
    as_json: JsonOption = False,
    junit: Annotated[
        Path | None,
        typer.Option(
            "--junit",
            help="Also write JUnit XML (one testcase per check) to this file.",
            dir_okay=False,
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", help="A check id to ignore (repeatable), e.g. --ignore PKG006."),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1.0, help="Seconds the checks of one plugin may take.")
    ] = 120.0,
    index_url: Annotated[
        str | None,
        typer.Option(
            "--index-url", help="Package index for pypi: targets and missing dependencies."
        ),
    ] = None,
) -> None:
    """Check that a plugin follows fastrtc's protocols; exit 1 when a check fails."""
    from ..checks import CHECKS, validate

    unknown = [i for i in ignore or () if i.upper() not in CHECKS]
    if unknown:
        raise typer.BadParameter(
            f"unknown check id(s) {', '.join(unknown)}; see 'docs/checks.md' for the list",
            param_hint="--ignore",
        )
    err = console(stderr=True)
    with err.status(f"Validating {target}...") as status:

        def progress(name: str, what: str) -> None:
            status.update(f"Validating {name}: {what}")

        report = validate(
            target, timeout=timeout, ignore=ignore or (), index_url=index_url, on_progress=progress
        )
    if junit is not None:
        junit.write_text(report.to_junit(), encoding="utf-8")
    if as_json:
        emit_json(report.as_dict())
    else:
        _render(report)
    code = report.exit_code(strict=strict)
    if code:
        raise typer.Exit(code)


def _render(report: ValidationReport) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console()
    for plugin in report.plugins:
        kind = plugin.kind or "package"
        source = f" from {plugin.package} {plugin.version}" if plugin.package else ""
        table = Table(
            title=f"{kind} plugin [bold]{escape(plugin.name)}[/]{escape(source)}",
            title_justify="left",
            header_style="bold",
            pad_edge=False,
            expand=False,
        )
        for column, justify in (
            ("check", "left"),
            ("status", "left"),
            ("message", "left"),
            ("time", "right"),
        ):
            table.add_column(
                column,
                justify=justify,  # type: ignore[arg-type]
                overflow="fold",
                ratio=3 if column == "message" else None,
            )
        for result in plugin.checks:
            style = _STYLES[result.status]
            table.add_row(
                f"{result.id} {escape(result.title)}",
                f"[{style}]{result.status}[/]",
                escape(result.message),
                f"{result.duration_s:.2f}s",
            )
        out.print(table)
    for note in report.notes:
        out.print(f"[dim]{escape(note)}[/]")
    summary = report.summary
    colour = (
        "red" if summary.failed or summary.errors else ("yellow" if summary.warnings else "green")
    )
    out.print(f"[{colour} bold]{escape(report.target)}: {summary.line()}[/]")
