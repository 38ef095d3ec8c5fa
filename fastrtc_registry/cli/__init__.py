"""The ``fastrtc-plugins`` command line: a thin layer over the library.

Each command module parses options, calls one library function and renders
the result. :func:`main` turns library errors into one-line messages and the
exit codes of docs/cli.md: 0 success, 1 checks failed or plugin/lookup
error, 2 usage error, 3 index unreachable with nothing cached.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

# Importing a command module registers its command on the app.
from . import (  # noqa: F401
    bench_cmd,
    gallery_cmd,
    install_cmd,
    list_cmd,
    new_cmd,
    registry_cmd,
    replay_cmd,
    search_cmd,
    try_cmd,
    validate_cmd,
)
from ._app import app

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_UNREACHABLE", "EXIT_USAGE", "app", "main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3


# Modules that httpx and httpcore import only in case someone wants them: httpx's
# own command line (which loads pygments) and trio support (httpcore imports trio
# whenever it is installed). This process runs asyncio only, so it skips them:
# about 0.1 s of a cold search's start-up on the reference machine
# (docs/benchmarks.md). Both imports are guarded by ``except ImportError``
# upstream. The library never does this; only the command line process.
_UNUSED_OPTIONAL_IMPORTS = ("httpx._main", "trio")


def _skip_unused_optional_imports() -> None:
    for name in _UNUSED_OPTIONAL_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    _skip_unused_optional_imports()
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or bool(os.environ.get("FASTRTC_PLUGINS_DEBUG"))
    try:
        # Standalone mode: typer reports usage errors (exit 2) and honours typer.Exit.
        app(args=args, prog_name="fastrtc-plugins")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except Exception as exc:
        if debug:
            raise
        return _report(exc)
    return EXIT_OK


def _report(exc: Exception) -> int:
    from ..errors import IndexUnreachableError, RegistryError

    if isinstance(exc, RegistryError):
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_UNREACHABLE if isinstance(exc, IndexUnreachableError) else EXIT_FAILED
    sys.stderr.write(
        f"internal error: {type(exc).__name__}: {exc}\n"
        "This is a bug in fastrtc-plugins; rerun with --debug and report the traceback.\n"
    )
    return EXIT_FAILED
