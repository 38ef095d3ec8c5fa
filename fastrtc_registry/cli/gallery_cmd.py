"""``fastrtc-plugins gallery``: render the plugin gallery page from the catalog."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import app, warn


class GalleryFormat(str, enum.Enum):
    """The gallery's output formats."""

    md = "md"
    html = "html"


@app.command("gallery")
def gallery_command(
    out: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional on 3.10
        typer.Option("--out", "-o", help="Write here instead of standard output.", dir_okay=False),
    ] = None,
    fmt: Annotated[
        Optional[GalleryFormat],  # noqa: UP045
        typer.Option(
            "--format",
            "-f",
            help="md: the docs page; html: a standalone page "
            "(default: from the --out extension, .html/.htm for html, else md).",
        ),
    ] = None,
    chart: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--chart",
            help="Also write the trade-off chart as an SVG file here "
            "(docs/img/tradeoff.svg beside docs/gallery.md).",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Render the gallery of catalogued plugins as markdown or standalone HTML."""
    from .._text import clean_text
    from ..catalog import load_catalog
    from ..catalog.gallery import format_for_path, render_chart, render_gallery

    for path, hint in ((out, "'--out'"), (chart, "'--chart'")):
        if path is not None and not path.parent.is_dir():
            raise typer.BadParameter(f"{path.parent} is not a directory", param_hint=hint)
    chosen = fmt.value if fmt is not None else format_for_path(out.name if out else "")
    catalog = load_catalog(network=True)
    for message in catalog.warnings:
        warn(clean_text(message))
    text = render_gallery(catalog, "html" if chosen == "html" else "md")
    if chart is not None:
        _write(chart, render_chart(catalog))
    if out is None:
        sys.stdout.write(text)
        return
    _write(out, text)


def _write(path: Path, text: str) -> None:
    from ..errors import RegistryError

    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise RegistryError(f"cannot write {path}: {exc.strerror or exc}") from exc
    sys.stderr.write(f"wrote {path}\n")
