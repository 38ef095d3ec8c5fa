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
        GalleryFormat,
        typer.Option("--format", "-f", help="md: the docs page; html: a standalone page."),
    ] = GalleryFormat.md,
) -> None:
    """Render the gallery of catalogued plugins as markdown or standalone HTML."""
    from ..catalog import default_catalog
    from ..gallery import render_gallery

    catalog = default_catalog()
    for message in catalog.warnings:
        warn(message)
    text = render_gallery(catalog, fmt.value)
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        from ..errors import RegistryError

        raise RegistryError(f"cannot write {out}: {exc.strerror or exc}") from exc
    sys.stderr.write(f"wrote {out}\n")
