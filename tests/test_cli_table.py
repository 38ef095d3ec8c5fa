"""The listing tables: fitted on a terminal, whole in a pipe, styled only on a tty."""

from __future__ import annotations

import io

import pytest

from fastrtc_registry.cli._table import Cell, Column, color_enabled, fold, render_table

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


def test_a_screen_narrower_than_every_least_width_still_gets_one_line_per_row() -> None:
    kept = [Column("name", min_width=12), Column("summary", min_width=30)]
    rows = [["a-long-plugin-name", "a summary much longer than the screen is wide"]]
    text = render_table(kept, rows, width=30, color=False)
    assert len(text.splitlines()) == 2
    assert all(len(line) <= 30 for line in text.splitlines()), text
    assert text.splitlines()[1].startswith("a-long-plug")  # the widest gave way first


def test_figures_are_aligned_right() -> None:
    columns = [Column("plugin"), Column("F1", min_width=4, right=True)]
    text = render_table(columns, [["silero", "0.91"], ["webrtc", "failed"]], color=False)
    header, first, second = text.splitlines()
    assert header.endswith("    F1") and first.endswith("  0.91") and second.endswith("failed")
    assert len({len(header), len(first), len(second)}) == 1


URL = "https://example.org/a/very/long/path/to/a/repository/that/is/wider/than/the/screen"


def test_fold_wraps_prose_at_spaces_and_never_inside_a_url_or_a_command() -> None:
    text = f'Needs pip install "fastrtc-registry[webrtc]" first; see {URL} for more.'
    lines = fold(text, 40).splitlines()
    assert URL in lines  # whole, on a line of its own, though wider than 40
    assert any('pip install "fastrtc-registry[webrtc]"' in line for line in lines)
    assert all(len(line) <= 40 for line in lines if line != URL)
    assert " ".join(lines) == text


def test_fold_indents_continuations_and_keeps_paragraphs() -> None:
    value = fold("passed (version 0.1.0, fastrtc 0.0.34, 2026-12-03: 25 passed)", 40, indent=19)
    first, *rest = value.splitlines()
    assert len(first) <= 40 - 19 and rest and all(r.startswith(" " * 19) for r in rest)
    assert fold("one\ntwo", 40) == "one\ntwo"
    assert fold("x " * 100, None) == "x " * 100  # a pipe: nothing is wrapped
