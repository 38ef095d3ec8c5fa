"""``fastrtc-plugins try``: talk to a VAD and turn-taking plugin in the browser."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from ._app import app


@app.command("try")
def try_command(
    vad: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional on 3.10
        typer.Option("--vad", help="VAD plugin (default: silero, fastrtc's own)."),
    ] = None,
    turn_taking: Annotated[
        str, typer.Option("--turn-taking", help="Turn-taking plugin.")
    ] = "pause",
    port: Annotated[
        int,
        typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free port)."),
    ] = 7860,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the URL but do not open a browser.")
    ] = False,
) -> None:
    """Serve FastRTC's UI on 127.0.0.1: each turn is played back as the handler heard it."""
    from ..trying import check_plugins, reserve_port, serve, try_stream

    # Before anything heavy: a missing plugin or a taken port fails fast, no server started.
    check_plugins(vad, turn_taking)
    sock = reserve_port(port)
    try:
        stream = try_stream(vad=vad, turn_taking=turn_taking)
    except BaseException:
        sock.close()
        raise

    def ready(url: str) -> None:
        sys.stdout.write(f"Listening on {url} (Ctrl-C stops)\n")
        sys.stdout.flush()
        if not no_browser:
            import webbrowser

            webbrowser.open(url)

    serve(stream, sock, on_ready=ready)
    sys.stderr.write("stopped\n")
