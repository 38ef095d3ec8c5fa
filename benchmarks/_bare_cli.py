"""The yardstick for start-up: a bare two-command typer + rich application.

``benchmarks/startup.py`` runs its ``--help`` beside ``fastrtc-plugins``: whatever
``fastrtc-plugins`` costs beyond this is our own start-up.
"""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(add_completion=False)


@app.command()
def hello(name: str = "world") -> None:
    """Greet someone."""
    Console().print(f"hello {name}")


@app.command()
def bye() -> None:
    """Say goodbye."""
    Console().print("bye")


if __name__ == "__main__":
    app()
