"""``fastrtc-plugins search`` and ``info``: plugins in the catalog and on the package index."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from ._app import (
    JsonOption,
    KindOption,
    app,
    check_index_url,
    console,
    emit_json,
    kind_of,
    warn,
)

if TYPE_CHECKING:
    from ..index.scan import ScanProgress
    from ..info import InfoReport
    from ..search import SearchReport, SearchResult


def _positive(value: float | None) -> float | None:
    if value is not None and value <= 0:
        raise typer.BadParameter("must be a positive number of seconds")
    return value


OfflineOption = Annotated[
    bool,
    typer.Option(
        "--offline", help="Use only the catalog and the cache (also FASTRTC_PLUGINS_OFFLINE=1)."
    ),
]
RefreshOption = Annotated[
    bool, typer.Option("--refresh", help="Ignore the cache and read the index again.")
]
IndexUrlOption = Annotated[
    Optional[str],  # noqa: UP045 - typer needs Optional on 3.10
    typer.Option(
        "--index-url",
        metavar="URL",
        help="Simple index to search (default: FASTRTC_PLUGINS_INDEX_URL, then pip's).",
        callback=check_index_url,
    ),
]
DeadlineOption = Annotated[
    Optional[float],  # noqa: UP045 - typer needs Optional on 3.10
    typer.Option(
        "--deadline",
        metavar="SECONDS",
        help="Give up on the index after this long (default: FASTRTC_PLUGINS_DEADLINE or 120).",
        callback=_positive,
    ),
]


@app.command("search")
def search_command(
    query: Annotated[Optional[str], typer.Argument(help="Words to match.")] = None,  # noqa: UP045
    kind: KindOption = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also show fastrtc-* projects that declare no plugin.")
    ] = False,
    offline: OfflineOption = False,
    refresh: RefreshOption = False,
    index_url: IndexUrlOption = None,
    deadline: DeadlineOption = None,
    as_json: JsonOption = False,
) -> None:
    """Find plugins in the catalog and on the package index."""
    from ..search import search

    with _progress() as progress:
        report = search(
            query,
            kind=kind_of(kind),
            include_all=show_all,
            offline=True if offline else None,
            refresh=refresh,
            index_url=index_url,
            progress=progress,
            deadline=deadline,
        )
    if not report.results:  # nothing found is a lookup error (exit 1), in every mode
        from ..errors import PluginNotFoundError

        for message in report.warnings:  # the notes are in the error line
            warn(message)
        raise PluginNotFoundError(report.no_match(query), name=query or "")
    if as_json:
        emit_json([r.as_dict() for r in report.results])
    else:
        _render(list(report.results))
    _say(report)
    if report.unchecked_line:
        warn(report.unchecked_line)
    if report.unreachable:  # the catalog answered, but the index could not, and no cache
        raise typer.Exit(3)


def _say(report: SearchReport) -> None:
    for message in report.notes:
        console(stderr=True).print(_escape(message), soft_wrap=True)
    for message in report.warnings:
        warn(message)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@app.command("info")
def info_command(
    name: Annotated[str, typer.Argument(help="Plugin or package name (package:name picks one).")],
    offline: OfflineOption = False,
    refresh: RefreshOption = False,
    index_url: IndexUrlOption = None,
    deadline: DeadlineOption = None,
    as_json: JsonOption = False,
) -> None:
    """Everything known about one plugin: versions, entry points, compatibility, install."""
    from ..info import package_info

    with _progress() as progress:
        info = package_info(
            name,
            offline=True if offline else None,
            refresh=refresh,
            index_url=index_url,
            progress=progress,
            deadline=deadline,
        )
    _say(info.report)
    if as_json:
        emit_json(info.as_dict())
    else:
        _render_info(info)
    if info.report.unreachable:  # shown from the catalog; the index could not, and no cache
        raise typer.Exit(3)


@contextmanager
def _progress() -> Iterator[Callable[[ScanProgress], None]]:
    """A spinner on stderr, started only once the network is really used."""
    status: Any = None

    def update(step: ScanProgress) -> None:
        nonlocal status
        if status is None:
            status = console(stderr=True).status("Reading the package index...")
            status.start()
        if step.stage == "root":
            status.update(
                f"Scanning the index: {step.bytes / 1e6:.1f} MB read, {step.found} candidate(s)"
            )
        else:
            status.update(f"Reading candidates: {step.done}/{step.total}")

    try:
        yield update
    finally:
        if status is not None:
            status.stop()


_WIDTHS = {"name": 14, "kind": 11, "package": 16, "version": 8, "status": 12, "validated": 13}
_OPTIONAL = ("version", "validated", "package")  # dropped in this order on narrow screens
_MIN_SUMMARY = 24


def _used(columns: list[str]) -> int:
    """Screen columns taken by ``columns`` and the gaps after them."""
    return sum(_WIDTHS[c] for c in columns) + len(columns)


def _status(row: SearchResult) -> str:
    if row.error is not None:
        return "[yellow]unchecked[/]"
    if row.installed:
        return "[green]installed[/]"
    return {True: "compatible", False: "[red]incompatible[/]", None: "[dim]unknown[/]"}[
        row.compatible
    ]


def _render(rows: list[SearchResult]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from .._text import truncate

    out = console()
    validated = any(r.validation for r in rows)
    columns = ["name", "kind", "package", "version", "status"] + ["validated"] * validated
    # Every cell is cut to its column, so hostile or just long names never
    # push the others off the screen; the summary gets the rest, and on a
    # narrow screen the least useful columns give way to it (--json has all).
    for optional in _OPTIONAL:
        if out.width - _used(columns) >= _MIN_SUMMARY:
            break
        if optional in columns:
            columns.remove(optional)
    used = _used(columns)
    table = Table(box=None, header_style="bold", pad_edge=False, collapse_padding=True)
    for column in columns:
        table.add_column(column, no_wrap=True, width=_WIDTHS[column])
    table.add_column("summary", no_wrap=True, overflow="ellipsis", width=max(10, out.width - used))

    def cut(text: str, column: str) -> str:
        return escape(truncate(text, _WIDTHS[column]))

    for r in rows:
        name = cut(r.name, "name")
        if r.confusable:
            name = cut(r.name, "name")[: _WIDTHS["name"] - 3] + "[red] ?![/]"
        values = {
            "name": name,
            "kind": cut(r.kind or "-", "kind"),
            "package": cut(r.package, "package"),
            "version": cut(r.version or r.installed_version or "-", "version"),
            "status": _status(r),
            "validated": cut(r.validation.status if r.validation else "-", "validated"),
        }
        cells = [values[c] for c in columns]
        summary = r.error or r.summary
        if r.confusable:
            summary = f"confusable: its name mixes scripts; {summary}"
        cells.append(escape(truncate(summary, max(10, out.width - used))))
        table.add_row(*cells)
    out.print(table)
    installable = [r for r in rows if r.suggestable]
    if installable:
        out.print(f"\nInstall with: [bold]{escape(installable[0].install)}[/]")


def _render_info(info: InfoReport) -> None:
    from rich.markup import escape

    out = console()
    data: dict[str, Any] = info.as_dict()
    out.print(f"[bold]{escape(data['package'])}[/] {escape(data['version'] or '')}")
    if data["summary"]:
        out.print(escape(data["summary"]))
    if data["description"] and data["description"] != data["summary"]:
        out.print(escape(data["description"]))
    if data["error"]:
        out.print(f"[yellow]could not be checked:[/] {escape(data['error'])}")
    out.print()
    for plugin in info.plugins:
        how = {True: "entry point", False: "catalog object", None: "unchecked"}[plugin.declared]
        out.print(
            f"  {plugin.kind or 'not a plugin'} [bold]{escape(plugin.name)}[/]"
            f"  {escape(plugin.object or '')}  [dim]({how})[/]"
        )
    lines = [
        ("versions", ", ".join(data["versions"][:10]) or "-"),
        ("requires python", data["requires_python"] or "-"),
        ("requires", ", ".join(data["requires"]) or "-"),
        ("installed", data["installed_version"] or ("yes" if data["installed"] else "no")),
        (
            "compatible",
            {True: "yes", False: "no", None: "unknown"}[data["compatible"]]
            + (f" ({'; '.join(data['reasons'])})" if data["reasons"] else ""),
        ),
    ]
    record = info.plugins[0].validation
    validated = "no record"
    if record:
        # A record for no release (the suite could not run here) has no version.
        facts = [f"version {record.version}" if record.version else None]
        facts += [f"fastrtc {record.fastrtc}" if record.fastrtc else None, record.date]
        counts = f"{record.passed} passed, {record.failed} failed"
        validated = f"{record.status} ({', '.join(f for f in facts if f)}: {counts})"
    lines.append(("validated", validated))
    lines += [(label, url) for label, url in data["project_urls"].items()]
    lines.append(("sources", ", ".join(data["sources"])))
    out.print()
    for label, value in lines:
        out.print(f"  [dim]{escape(label) + ':':<17}[/]{escape(str(value))}")
    first = info.plugins[0]
    if first.install and not first.installed and first.compatible is not False and not first.error:
        out.print(f"\nInstall with: [bold]{escape(data['install'])}[/]")
