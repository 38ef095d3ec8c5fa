"""The listing tables: fitted on a terminal, whole in a pipe, styled only on a tty."""

from __future__ import annotations

import io

import pytest

from fastrtc_registry.cli._table import Cell, Column, color_enabled, render_table

COLUMNS = [
    Column("name", min_width=6),
    Column("package", min_width=10, drop=2),
    Column("version", min_width=7, drop=1),
    Column("status", min_width=8),
]
ROWS = [
    ["energy", "fastrtc-energy-vad-with-a-long-name", "1.0.0", Cell("ok", "green")],
    ["patient", "fastrtc-patient-pause", "0.3", Cell("broken", "red")],
]


def test_without_a_width_nothing_is_cut() -> None:
    text = render_table(COLUMNS, ROWS, width=None, color=False)
    assert "fastrtc-energy-vad-with-a-long-name" in text
    assert len(text.splitlines()) == 3
    header, first, _ = text.splitlines()
    assert header.split() == ["name", "package", "version", "status"]
    assert first.index("1.0.0") == header.index("version")


@pytest.mark.parametrize("width", [80, 60, 40, 30])
def test_every_line_fits_the_screen(width: int) -> None:
    text = render_table(COLUMNS, ROWS, width=width, color=False)
    assert all(len(line) <= width for line in text.splitlines()), text
    assert len(text.splitlines()) == 3  # one row, one line: never wrapped


def test_columns_give_way_by_priority_and_cells_are_cut_with_an_ellipsis() -> None:
    assert render_table(COLUMNS, ROWS, width=40, color=False).splitlines()[0].split() == [
        "name",
        "package",
        "version",
        "status",
    ]
    text = render_table(COLUMNS, ROWS, width=32, color=False)
    header = text.splitlines()[0].split()
    assert header == ["name", "package", "status"]  # version (drop=1) went first
    assert "…" in text and "broken" in text
    narrow = render_table(COLUMNS, ROWS, width=24, color=False).splitlines()[0].split()
    assert narrow == ["name", "status"]


def test_styles_only_when_asked() -> None:
    plain = render_table(COLUMNS, ROWS, width=None, color=False)
    styled = render_table(COLUMNS, ROWS, width=None, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[1mname\x1b[0m" in styled and "\x1b[31mbroken\x1b[0m" in styled


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_color_needs_a_terminal_and_no_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert color_enabled(_Tty()) is True
    assert color_enabled(io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert color_enabled(_Tty()) is False
