"""Start a cold search's index read before the command line is parsed.

Typer's parsing, and the imports behind it, take about a tenth of a second,
all of it spent before the first byte of the index is asked for. When the
arguments are plain (``search``, a query, and the options below spelled
out), :func:`start` reads them itself and runs the library's ``search`` on
a thread at once; the command then parses as usual and :func:`take` hands
over that thread's answer, but only when the parsed options are exactly the
ones it started with. Anything else (another spelling, ``--help``, an
option it does not know, offline) starts nothing, and the command searches
as it always did. The library is unchanged: this is the command line's
scheduling, never a second parser of record.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import typer

from ._app import check_index_url, check_kind, kind_of

if TYPE_CHECKING:
    from ..index.scan import ScanProgress
    from ..search import SearchReport

__all__ = ["EarlySearch", "plain_options", "start", "take"]

# Long enough for a request to be on its way; a slow first byte must not hold
# back the parsing longer than this.
REQUEST_WAIT = 0.5

_FLAGS = {"--all": "include_all", "--refresh": "refresh", "--json": "json"}
_VALUED = {"--index-url": "index_url", "--deadline": "deadline", "--kind": "kind", "-k": "kind"}


def plain_options(args: Sequence[str]) -> dict[str, Any] | None:
    """The ``search`` keyword arguments ``args`` mean, or None unless they are plain.

    Plain: the first word is ``search``; then at most one query, the flags
    ``--all``, ``--refresh`` and ``--json``, and ``--index-url``,
    ``--deadline`` and ``--kind`` (``-k``) as ``--opt VALUE`` or
    ``--opt=VALUE``, each once, with values the command would accept.
    """
    if not args or args[0] != "search":
        return None
    options: dict[str, Any] = {
        "query": None,
        "kind": None,
        "include_all": False,
        "offline": None,
        "refresh": False,
        "index_url": None,
        "deadline": None,
    }
    seen: set[str] = set()  # options given, by what they set: -k and --kind are one
    words = list(args[1:])
    while words:
        word = words.pop(0)
        name, value = word.split("=", 1) if word.startswith("--") and "=" in word else (word, None)
        if not name.startswith("-"):
            key = "query"
        elif name in _FLAGS and value is None:
            key = _FLAGS[name]
        elif name in _VALUED:
            key = _VALUED[name]
            if value is None:
                if not words or words[0].startswith("-"):
                    return None
                value = words.pop(0)
        else:
            return None
        if key in seen:
            return None
        seen.add(key)
        if key == "query":
            options[key] = word
        elif value is None:
            if key != "json":  # --json shapes the output, not the search
                options[key] = True
        elif not _set(options, key, value):
            return None
    return options


def _set(options: dict[str, Any], key: str, value: str) -> bool:
    """Store ``value`` as the command would (its own checks); False where it would refuse."""
    try:
        if key == "kind":
            options[key] = kind_of(check_kind(value))
        elif key == "index_url":
            options[key] = check_index_url(value)
        else:
            seconds = float(value)
            if not seconds > 0:
                return False
            options[key] = seconds
    except (typer.BadParameter, ValueError):
        return False
    return True


class EarlySearch:
    """``search(**options)`` on a daemon thread, its progress forwarded once asked for."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.report: SearchReport | None = None
        self.error: BaseException | None = None
        self._sink: Callable[[ScanProgress], None] | None = None
        self._requested = threading.Event()
        self._thread = threading.Thread(target=self._run, name="early-search", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from ..search import search

        try:
            self.report = search(**self.options, progress=self._progress)
        except BaseException as exc:  # handed to the main thread by take()
            self.error = exc
        finally:
            self._requested.set()

    def _progress(self, step: ScanProgress) -> None:
        self._requested.set()  # the index has answered: the request is out
        sink = self._sink
        if sink is not None:
            sink(step)

    def wait_for_request(self, timeout: float = REQUEST_WAIT) -> None:
        """Let the thread have the interpreter until its request is out (or ``timeout``)."""
        self._requested.wait(timeout)

    def result(self, progress: Callable[[ScanProgress], None] | None) -> SearchReport:
        """The report (or the search's exception), progress shown from now on."""
        self._sink = progress
        self._thread.join()
        if self.error is not None:
            raise self.error
        assert self.report is not None
        return self.report


_started: list[EarlySearch] = []


def start(args: Sequence[str]) -> EarlySearch | None:
    """Begin the search ``args`` ask for, if they are plain and the index is to be read."""
    _started.clear()
    options = plain_options(args)
    if options is None:
        return None
    from ..index.config import is_offline

    if is_offline():
        return None
    early = EarlySearch(options)
    _started.append(early)
    early.wait_for_request()
    return early


def take(
    options: dict[str, Any], progress: Callable[[ScanProgress], None] | None
) -> SearchReport | None:
    """The early search's report if it was started with exactly ``options``; else None.

    A search started with other options is left to finish on its own (its
    thread is a daemon, its cache writes atomic) and the caller searches again.
    """
    early = _started.pop() if _started else None
    if early is None or early.options != options:
        return None
    return early.result(progress)
