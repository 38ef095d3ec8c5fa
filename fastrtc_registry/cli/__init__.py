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
from ._app import app, begin_command, emit_json_error
from ._early_search import start as _start_early_search
from ._lean_rich import defer as _defer_unused_rich

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
    _defer_unused_rich()
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or bool(os.environ.get("FASTRTC_PLUGINS_DEBUG"))
    begin_command()
    code, kind, message = _run(args, debug)
    if code == 130:
        sys.stderr.write("interrupted\n")
    emit_json_error(args, code, kind, message)
    return code


def _run(args: list[str], debug: bool) -> tuple[int, str, str]:
    """Run the app: its exit code, and the error's type and message for ``--json``."""
    import typer

    try:
        _start_early_search(args)  # a cold search's index read overlaps the parsing below
        # Not standalone: usage errors come back here, to be shown as typer
        # shows them and also, under --json, as the JSON error object.
        result = app(args=args, prog_name="fastrtc-plugins", standalone_mode=False)
    except SystemExit as exc:  # typer.Exit comes back as the result; this is sys.exit or a signal
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return _ended(code)
    except KeyboardInterrupt:
        return 130, "Interrupted", "interrupted"
    except typer.Abort:  # a question answered no
        sys.stderr.write("Aborted!\n")
        return EXIT_FAILED, "Aborted", "aborted"
    except typer.TyperException as exc:  # usage errors: bad option values, unknown commands
        _show_usage_error(exc)
        return exc.exit_code, "UsageError", exc.format_message()
    except Exception as exc:
        if debug:
            raise
        code, kind = _report(exc)
        return code, kind, str(exc)
    return _ended(result if isinstance(result, int) else EXIT_OK)


def _ended(code: int) -> tuple[int, str, str]:
    """A command that ended with ``code`` and said why on stderr (or was interrupted)."""
    if code == 130:
        return code, "Interrupted", "interrupted"
    return code, "Failed", f"the command failed with exit code {code}; see its messages on stderr"


def _show_usage_error(exc: Exception) -> None:
    """As typer shows it in standalone mode: usage, hint and the message in a panel."""
    import typer.core

    if typer.core.HAS_RICH:
        from typer import rich_utils

        rich_utils.rich_format_error(exc)  # type: ignore[arg-type]
    else:
        sys.stderr.write(f"Error: {exc}\n")


def _report(exc: Exception) -> tuple[int, str]:
    """Show ``exc`` in one or two lines on stderr; its exit code and type name."""
    from ..errors import AudioFileError, IndexUnreachableError, RegistryError

    if isinstance(exc, RegistryError):
        sys.stderr.write(f"error: {exc}\n")
        if isinstance(exc, IndexUnreachableError):
            return EXIT_UNREACHABLE, type(exc).__name__
        # A recording that cannot be read is a bad argument, found before any work.
        return (EXIT_USAGE if isinstance(exc, AudioFileError) else EXIT_FAILED), type(exc).__name__
    sys.stderr.write(
        f"internal error: {type(exc).__name__}: {exc}\n"
        "This is a bug in fastrtc-plugins; rerun with --debug and report the traceback.\n"
    )
    return EXIT_FAILED, "InternalError"
