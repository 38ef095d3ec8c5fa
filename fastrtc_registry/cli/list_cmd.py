"""``fastrtc-plugins list``: the installed plugins."""

from __future__ import annotations

from typing import Annotated

import typer

from ._app import JsonOption, KindOption, app, console, emit_json, kind_of, warn


@app.command("list")
def list_command(
    kind: KindOption = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Import each plugin in a subprocess; report ok or broken."),
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1.0, help="Seconds each --check import may take.")
    ] = 60.0,
    as_json: JsonOption = False,
) -> None:
    """List installed plugins (without importing them, unless --check)."""
    from ..discovery import installed_plugins

    records = installed_plugins(kind_of(kind))
    if check and records:
        from ..health import check_plugins

        with console(stderr=True).status(f"Importing {len(records)} plugin(s)..."):
            records = check_plugins(records, timeout=timeout)
    if as_json:
        emit_json([r.as_dict() for r in records])
    else:
        _render(records)
    for record in records:
        if record.conflicts:
            warn(
                f"{record.kind} plugin {record.name!r} is declared by {record.package} and "
                f"{', '.join(record.conflicts)}; load it as '{record.qualified_name}'."
            )
    if any(r.status == "broken" for r in records):
        raise typer.Exit(1)


def _render(records: list) -> None:  # type: ignore[type-arg]
    from rich.markup import escape
    from rich.table import Table

    out = console()
    if not records:
        out.print("No plugins installed. Find some with 'fastrtc-plugins search'.")
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("name", "kind", "package", "version", "source", "status"):
        table.add_column(column)
    styles = {"ok": "green", "broken": "red", "unchecked": "dim"}
    for r in records:
        status = f"[{styles[r.status]}]{r.status}[/]"
        if r.error:
            status += f" [red]{escape(r.error)}[/]"
        table.add_row(r.name, r.kind, r.package, r.version, r.source, status)
    out.print(table)
