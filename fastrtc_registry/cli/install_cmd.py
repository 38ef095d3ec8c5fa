"""``fastrtc-plugins install``: install a plugin with fastrtc pinned."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from ._app import app, check_index_url, console, warn


@app.command("install")
def install_command(
    name: Annotated[str, typer.Argument(help="Plugin or package name (package:name picks one).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be installed; change nothing.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    offline: Annotated[
        bool, typer.Option("--offline", help="Resolve from the catalog and cache only.")
    ] = False,
    index_url: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional on 3.10
        typer.Option(
            "--index-url",
            help="Package index to resolve and install from.",
            callback=check_index_url,
        ),
    ] = None,
) -> None:
    """Resolve a plugin, check it fits this Python and fastrtc, and pip-install it."""
    from rich.markup import escape

    from ..installer import install, plan_install

    plan = plan_install(name, offline=offline or None, index_url=index_url)
    for message in plan.warnings:
        warn(message)
    out = console()
    what = f"{plan.package} {plan.version or '(latest)'}"
    provides = ", ".join(plan.plugins) or "no declared plugin"
    out.print(f"[bold]{escape(what)}[/] provides {escape(provides)}")
    if plan.up_to_date:
        out.print(f"{escape(plan.package)} {plan.installed_version} is already installed.")
        return
    if plan.fastrtc:
        out.print(f"fastrtc stays at {plan.fastrtc}.")
    if plan.host:
        out.print(f"{escape(plan.host)} provides fastrtc here and stays; fastrtc is not installed.")
    # One line, even on a narrow terminal: it is meant to be copied and pasted.
    out.print("Command: " + escape(plan.shown_command), soft_wrap=True)
    if plan.unreachable:  # pip could not reach it either: stop before asking (exit 3)
        from ..errors import IndexUnreachableError

        raise IndexUnreachableError(
            "the package index could not be read and nothing of it is cached; "
            "nothing was installed. Try again later or use --index-url."
        )
    if dry_run:
        return
    if not yes:
        if not sys.stdin.isatty():
            raise typer.BadParameter("not a terminal: pass --yes to install without asking")
        typer.confirm("Install?", abort=True)
    with console(stderr=True).status(f"Installing {plan.package}..."):
        records = install(plan)
    names = ", ".join(f"{r.kind}:{r.name}" for r in records) or "no plugins"
    out.print(f"[green]Installed[/] {escape(plan.package)}: {escape(names)} now load by name.")
