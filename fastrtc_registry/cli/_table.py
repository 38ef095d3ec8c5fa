"""Plain-text tables for the listing commands: fast, never wrapped, narrow-screen aware.

rich lays out a 50-row table in about 0.1 s, more than the rest of ``list``
takes; these tables are simple enough to lay out by hand. On a terminal the
table fits its width: columns are dropped by priority, then the widest are
cut with an ellipsis. In a pipe nothing is cut or wrapped: one row, one line.
Every table of the command line goes through :func:`render_table`; prose goes
through :func:`fold`, which wraps only on a terminal and never inside a URL or
a command.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from .._text import truncate

__all__ = ["Cell", "Column", "color_enabled", "fold", "render_table", "screen_width"]

_STYLES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33"}


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its header, the least width it may be cut to, and when it gives way.

    ``drop`` orders the columns that may be dropped on a narrow screen (1 first);
    ``None`` keeps the column whatever the width. ``right`` aligns figures.
    """

    header: str
    min_width: int = 8
    drop: int | None = None
    right: bool = False


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell's text and an optional style (bold, dim, red, green, yellow)."""

    text: str
    style: str | None = None


def color_enabled(stream: object = None) -> bool:
    """Whether to style output: a terminal, and no ``NO_COLOR`` (https://no-color.org)."""
    stream = sys.stdout if stream is None else stream
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def screen_width() -> int | None:
    """The terminal's width (``COLUMNS`` first), or None when stdout is not a terminal."""
    isatty = getattr(sys.stdout, "isatty", None)
    if not (isatty and isatty()):
        return None
    return shutil.get_terminal_size((100, 24)).columns


# A command inside prose (``pip install "pkg[extra]"``) is kept on one line, as a URL is.
_COMMAND = re.compile(r"(?:uv )?pip install (?:\"[^\"]*\"|'[^']*'|\S+)")
_GLUE = "\x00"  # stands for a space that must not be broken while wrapping


def fold(text: str, width: int | None = None, *, indent: int = 0) -> str:
    """``text`` wrapped to ``width`` at spaces only; unchanged when ``width`` is None.

    Words are never cut, so a URL or a file name longer than the line stays
    whole on a line of its own, and a ``pip install`` command is one unit.
    Lines after the first are indented by ``indent`` spaces (the first line's
    prefix is the caller's and counts in ``indent``). Paragraphs (newlines)
    are kept.
    """
    if width is None:
        return text
    import textwrap

    lines = []
    for n, paragraph in enumerate(text.split("\n")):
        glued = _COMMAND.sub(lambda m: m.group(0).replace(" ", _GLUE), paragraph)
        wrapped = textwrap.wrap(
            glued,
            width=max(width, indent + 10),
            initial_indent=" " * indent if n == 0 else "",
            subsequent_indent=" " * indent,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [""]
        if n == 0:
            wrapped[0] = wrapped[0][indent:]
        lines += [line.replace(_GLUE, " ") for line in wrapped]
    return "\n".join(lines)


def render_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell | str]],
    *,
    width: int | None = None,
    color: bool | None = None,
) -> str:
    """The table as text, one line per row (no trailing newline).

    ``width`` is the screen's (default: the terminal's, or unlimited when
    stdout is not a terminal); ``color`` adds ANSI styles (default:
    :func:`color_enabled`).
    """
    if width is None:
        width = screen_width()
    color = color_enabled() if color is None else color
    cells = [[c if isinstance(c, Cell) else Cell(c) for c in row] for row in rows]
    keep = list(range(len(columns)))
    widths = [max([len(columns[i].header)] + [len(row[i].text) for row in cells]) for i in keep]
    if width is not None:
        droppable = sorted(
            (i for i, c in enumerate(columns) if c.drop is not None),
            key=lambda i: columns[i].drop or 0,
        )

        def least(kept: list[int]) -> int:
            return sum(min(widths[i], columns[i].min_width) for i in kept) + 2 * (len(kept) - 1)

        while droppable and least(keep) > width:
            keep.remove(droppable.pop(0))
        _fit(widths, keep, columns, width)
    right = [columns[i].right for i in keep]
    lines = [_line([Cell(columns[i].header, "bold") for i in keep], keep, widths, right, color)]
    lines += [_line([row[i] for i in keep], keep, widths, right, color) for row in cells]
    return "\n".join(lines)


def _fit(widths: list[int], keep: list[int], columns: Sequence[Column], width: int) -> None:
    """Cut the widest kept columns until the row fits: to their ``min_width`` first.

    Only on a screen too narrow for every kept column's ``min_width`` are they
    cut further (down to 3 characters): a line longer than the screen would
    wrap, and a wrapped table cannot be read.
    """
    for floor in (lambda i: columns[i].min_width, lambda i: 3):
        while sum(widths[i] for i in keep) + 2 * (len(keep) - 1) > width:
            cuttable = [i for i in keep if widths[i] > floor(i)]
            if not cuttable:
                break
            widest = max(cuttable, key=lambda i: widths[i])
            widths[widest] -= 1


def _line(
    row: list[Cell], keep: list[int], widths: list[int], right: list[bool], color: bool
) -> str:
    parts = []
    for n, (cell, i) in enumerate(zip(row, keep, strict=True)):
        text = truncate(cell.text, widths[i])
        pad = " " * (widths[i] - len(text))
        styled = (
            f"\x1b[{_STYLES[cell.style]}m{text}\x1b[0m" if color and cell.style in _STYLES else text
        )
        if right[n]:
            parts.append(pad + styled)
        else:
            parts.append(styled + ("" if n == len(keep) - 1 else pad))
    return "  ".join(parts).rstrip()
