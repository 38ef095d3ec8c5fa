"""``fastrtc-plugins new``: scaffold a plugin project."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import app, check_kind, console


def _check_name(name: str) -> str:
    """A name that cannot make a project is bad input (exit 2), refused before any file."""
    from ..errors import ScaffoldError
    from ..scaffold import project_names

    try:
        project_names(name)
    except ScaffoldError as exc:
        raise typer.BadParameter(str(exc)) from None
    return name


@app.command("new")
def new_command(
    name: Annotated[
        str, typer.Argument(help="The plugin's name, e.g. 'quiet-room'.", callback=_check_name)
    ],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            "-k",
            metavar="[vad|turn-taking]",
            help="What the plugin is.",
            callback=check_kind,
        ),
    ],
    directory: Annotated[
        Optional[Path],  # noqa: UP045 - typer needs Optional on 3.10
        typer.Option(
            "--dir",
            help="Where to create it (default: ./fastrtc-NAME).",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Create a plugin project that passes 'validate' and its own tests."""
    from ..names import parse_kind
    from ..scaffold import create_project

    project = create_project(name, parse_kind(kind), directory)
    out = console()
    out.print(f"Created [bold]{project.distribution}[/] in {project.root}:")
    for path in project.files:
        out.print(f"  {path.relative_to(project.root)}")
    out.print(
        "\nNext:\n"
        f"  cd {project.root}\n"
        "  pip install -e '.[test]'\n"
        "  fastrtc-plugins validate .\n"
        "  pytest",
        markup=False,
    )
