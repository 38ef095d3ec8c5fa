"""``fastrtc-plugins list``: the installed plugins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from ..discovery import PluginRecord

from ..deadlines import IMPORT_CHECK_TIMEOUT
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
    ] = IMPORT_CHECK_TIMEOUT,
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
        from ..import_check import check_plugins
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


# On a narrow screen version and source give way first; the package is cut, never wrapped.
_COLUMNS = (
    ("name", 12, None),
    ("kind", 11, None),
    ("package", 12, 3),
    ("version", 7, 1),
    ("source", 8, 2),
    ("status", 9, None),
)
_STATUS_STYLES = {"ok": "green", "broken": "red", "unchecked": "dim"}


def _render(records: list[PluginRecord]) -> None:
    import sys

    from ._table import Cell, Column, color_enabled, render_table

    if not records:
        sys.stdout.write("No plugins installed. Find some with 'fastrtc-plugins search'.\n")
        return
    columns = [Column(h, min_width=w, drop=d) for h, w, d in _COLUMNS]
    rows = [
        [
            Cell(f"{r.name} (!)" if r.conflicts else r.name, "yellow" if r.conflicts else None),
            Cell(r.kind),
            Cell(r.package),
            Cell(r.version),
            Cell(r.source),
            Cell(r.status, _STATUS_STYLES[r.status]),
        ]
        for r in records
    ]
    color = color_enabled()
    lines = [render_table(columns, rows, color=color)]
    for r in records:
        if r.error:
            name = f"\x1b[31m{r.qualified_name}\x1b[0m" if color else r.qualified_name
            lines.append(f"{name}: {r.error}")
    sys.stdout.write("\n".join(lines) + "\n")
