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
    from ._table import Cell


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
    from ._early_search import take

    options: dict[str, Any] = {
        "query": query,
        "kind": kind_of(kind),
        "include_all": show_all,
        "offline": True if offline else None,
        "refresh": refresh,
        "index_url": index_url,
        "deadline": deadline,
    }
    with _progress() as progress:
        report = take(options, progress) or search(**options, progress=progress)
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
        if status is False:
            return
        if status is None:
            if not _stderr_may_be_terminal():
                status = False  # rich would draw nothing: spare its import mid-download
                return
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
        if status is not None and status is not False:
            status.stop()


def _stderr_may_be_terminal() -> bool:
    """False only when rich's console would not count stderr as a terminal (a pipe, a file).

    rich treats TTY_COMPATIBLE and FORCE_COLOR as overrides; when either is set
    the console decides, as it always did.
    """
    import os
    import sys

    if os.environ.get("TTY_COMPATIBLE", "") in ("0", "1") or "FORCE_COLOR" in os.environ:
        return True
    isatty = getattr(sys.stderr, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


# On a narrow screen version, validated and package give way, in this order, so
# that the summary keeps room; cells are cut with an ellipsis, never wrapped.
_COLUMNS = (
    ("name", 12, None),
    ("kind", 11, None),
    ("package", 12, 3),
    ("version", 7, 1),
    ("status", 12, None),
    ("validated", 9, 2),
    ("summary", 30, None),
)


def _status(row: SearchResult) -> Cell:
    from ._table import Cell

    if row.error is not None:
        return Cell("unchecked", "yellow")
    if row.installed:
        return Cell("installed", "green")
    return {
        True: Cell("compatible"),
        False: Cell("incompatible", "red"),
        None: Cell("unknown", "dim"),
    }[row.compatible]


def _render(rows: list[SearchResult]) -> None:
    import sys

    from rich.markup import escape

    from ._table import Cell, Column, color_enabled, render_table

    validated = any(r.validation for r in rows)
    specs = [c for c in _COLUMNS if validated or c[0] != "validated"]
    columns = [Column(h, min_width=w, drop=d) for h, w, d in specs]
    # The same layout as ``list`` (cli/_table.py): fitted to a terminal, whole in a pipe.
    table = []
    for r in rows:
        summary = r.error or r.summary
        name = Cell(r.name)
        if r.confusable:
            name = Cell(f"{r.name} ?!", "red")
            summary = f"confusable: its name mixes scripts; {summary}"
        values = {
            "name": name,
            "kind": Cell(r.kind or "-"),
            "package": Cell(r.package),
            "version": Cell(r.version or r.installed_version or "-"),
            "status": _status(r),
            "validated": Cell(r.validation.status if r.validation else "-"),
            "summary": Cell(summary),
        }
        table.append([values[h] for h, _, _ in specs])
    sys.stdout.write(render_table(columns, table, color=color_enabled()) + "\n")
    installable = [r for r in rows if r.suggestable]
    if installable:
        # One line, even on a narrow terminal: it is meant to be copied and pasted.
        console().print(
            f"\nInstall with: [bold]{escape(installable[0].install)}[/]", soft_wrap=True
        )


def _render_info(info: InfoReport) -> None:
    from rich.markup import escape

    from ._table import fold, screen_width

    out = console()
    # Prose is wrapped here, at spaces only, never by rich: a URL or an install
    # command stays whole on one line (the terminal may fold it, copy and paste
    # still gives one line); in a pipe nothing is wrapped.
    width = screen_width()

    def say(text: str) -> None:
        out.print(text, soft_wrap=True)

    data: dict[str, Any] = info.as_dict()
    say(f"[bold]{escape(data['package'])}[/] {escape(data['version'] or '')}")
    if data["summary"]:
        say(escape(fold(data["summary"], width)))
    if data["description"] and data["description"] != data["summary"]:
        say(escape(fold(data["description"], width)))
    if data["error"]:
        say(f"[yellow]could not be checked:[/] {escape(fold(data['error'], width, indent=21))}")
    say("")
    for plugin in info.plugins:
        how = {True: "entry point", False: "catalog object", None: "unchecked"}[plugin.declared]
        say(
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
    say("")
    for label, value in lines:
        value = fold(str(value), width, indent=19)
        say(f"  [dim]{escape(label) + ':':<17}[/]{escape(value)}")
    first = info.plugins[0]
    if first.install and not first.installed and first.compatible is not False and not first.error:
        say(f"\nInstall with: [bold]{escape(data['install'])}[/]")
