"""``fastrtc-plugins list``: the installed plugins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from ..discovery import PluginRecord

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
    from ..catalog import default_catalog
    from ..discovery import installed_plugins

    catalog = default_catalog()
    for message in catalog.warnings:
        warn(message)
    records = installed_plugins(kind_of(kind), catalog=catalog)
    if check and records:
        from ..health import check_plugins
        from ..validation.process import terminate_on_signals

        with (
            terminate_on_signals(),
            console(stderr=True).status(f"Importing {len(records)} plugin(s)..."),
        ):
            records = check_plugins(records, timeout=timeout)
    if as_json:
        emit_json([r.as_dict() for r in records])
    else:
        _render(records)
    warned: set[tuple[str, str]] = set()
    for record in records:
        if record.conflicts and (record.kind, record.name) not in warned:
            warned.add((record.kind, record.name))
            claimants = [
                r.qualified_name for r in records if (r.kind, r.name) == (record.kind, record.name)
            ]
            warn(
                f"{record.kind} plugin {record.name!r} is declared by "
                f"{len(claimants)} packages; load it as "
                + " or ".join(f"'{c}'" for c in claimants)
                + "."
            )
    if any(r.status == "broken" for r in records):
        raise typer.Exit(1)


def _render(records: list[PluginRecord]) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console()
    if not records:
        out.print("No plugins installed. Find some with 'fastrtc-plugins search'.")
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("name", "kind", "package", "version", "source", "status"):
        table.add_column(column, no_wrap=column != "package", overflow="fold")
    styles = {"ok": "green", "broken": "red", "unchecked": "dim"}
    for r in records:
        name = f"{r.name} [yellow](!)[/]" if r.conflicts else r.name
        table.add_row(
            name, r.kind, r.package, r.version, r.source, f"[{styles[r.status]}]{r.status}[/]"
        )
    out.print(table)
    for r in records:
        if r.error:
            out.print(f"[red]{escape(r.qualified_name)}[/]: {escape(r.error)}")
