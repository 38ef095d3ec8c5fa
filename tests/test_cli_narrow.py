"""Narrow terminals and pipes: tables fit the screen, pipes get whole lines, URLs stay whole.

Each command runs in a real process, its stdout either a pseudo-terminal of
60 columns (``COLUMNS``, which rich and the tables both honour) or a pipe.
Everything is offline: no index is read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import terminal_lines

ROOT = Path(__file__).resolve().parents[1]
INDEX = "http://127.0.0.1:9/simple/"  # never contacted: every run is offline
ENV = {
    "PYTHONPATH": str(ROOT),
    "FASTRTC_PLUGINS_OFFLINE": "1",
    "FASTRTC_PLUGINS_INDEX_URL": INDEX,
    "NO_COLOR": "1",
}


def in_a_terminal(*args: str, columns: int = 60) -> list[str]:
    """The lines ``fastrtc-plugins ARGS`` writes to a terminal ``columns`` wide."""
    return _terminal_lines([sys.executable, "-m", "fastrtc_registry", *args], columns)


def _terminal_lines(argv: list[str], columns: int) -> list[str]:
    return terminal_lines(argv, ENV, columns=columns)


def in_a_pipe(*args: str, columns: int = 80) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fastrtc_registry", *args],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, **ENV, "COLUMNS": str(columns)},
    )  # fmt: skip


def json_of(*args: str) -> object:
    result = in_a_pipe(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_list_on_60_columns_keeps_each_row_on_one_line() -> None:
    lines = in_a_terminal("list")
    rows = json_of("list")
    assert isinstance(rows, list)
    assert len(lines) == len(rows) + 1, lines  # the header and one line per plugin
    assert all(len(line) <= 60 for line in lines), lines
    header = lines[0].split()
    assert header[:3] == ["name", "kind", "package"] and header[-1] == "status"
    package = lines[1][lines[0].index("package") :].split()[0]
    assert len(package) >= 12, lines  # cut with an ellipsis, not squeezed to 3 characters


def test_search_in_a_pipe_prints_whole_rows() -> None:
    result = in_a_pipe("search", "--offline", columns=80)
    assert result.returncode == 0, result.stderr
    rows = json_of("search", "--offline")
    assert isinstance(rows, list)
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "name",
        "kind",
        "package",
        "version",
        "status",
        "validated",
        "summary",
    ]
    assert "…" not in result.stdout
    for row in rows:  # each row whole on its own line, even past 80 columns
        line = next(line for line in lines if line.startswith(row["name"] + " "))
        assert row["package"] in line and line.endswith(row["summary"]), line
    assert max(len(line) for line in lines) > 80


def test_search_on_60_columns_fits_and_drops_columns_by_priority() -> None:
    lines = in_a_terminal("search", "--offline")
    assert lines[0].split() == ["name", "kind", "status", "summary"]
    table = lines[: lines.index("")]
    assert len(table) == len(json_of("search", "--offline")) + 1  # type: ignore[arg-type]
    assert all(len(line) <= 60 for line in table), table
    assert any("…" in line for line in table)


def test_info_never_breaks_a_url() -> None:
    info = json_of("info", "webrtc", "--offline")
    assert isinstance(info, dict)
    urls = list(info["project_urls"].values())
    assert urls
    terminal = in_a_terminal("info", "webrtc", "--offline")
    for url in urls:  # on the line of its label, whole, however narrow the screen
        assert any(line.strip().endswith(url) and ":" in line.split(url)[0] for line in terminal)
    pipe = in_a_pipe("info", "webrtc", "--offline", columns=60)
    lines = pipe.stdout.splitlines()
    assert info["description"] in lines  # in a pipe prose is not wrapped either
    assert any(line.startswith("  validated:") and "failed)" in line for line in lines)
    # On the terminal prose is wrapped at spaces, to the screen, with its label's indent.
    assert all(len(line) <= 60 for line in terminal if not any(u in line for u in urls))
    validated = terminal.index(next(line for line in terminal if "validated:" in line))
    assert terminal[validated + 1].startswith(" " * 19)


def test_install_dry_run_prints_the_command_on_one_line() -> None:
    pipe = in_a_pipe("install", "walkie-talkie", "--dry-run", "--offline", columns=60)
    assert pipe.returncode == 0, pipe.stderr
    command = next(line for line in pipe.stdout.splitlines() if line.startswith("Command: "))
    assert (
        command.endswith(f"--index-url {INDEX}") and "pip install fastrtc-walkie-talkie" in command
    )
    terminal = in_a_terminal("install", "walkie-talkie", "--dry-run", "--offline")
    assert command in terminal  # the same single line, ready to copy and paste


BENCH = """
from fastrtc_registry.bench import BenchResult
from fastrtc_registry.cli.bench_cmd import _render

conditions = {"clean": {"speech_frames": 10, "f1": 0.9}, "humming": {"false_speech": 0.1}}
_render([
    BenchResult(
        name="a-rather-long-plugin-name", f1=0.91, humming_false_speech=0.12,
        noise_false_speech=0.05, end_of_turn_p50_ms=640, end_of_turn_p95_ms=900,
        false_turn_ends=2, missed_turns=0, false_cutoffs=0.1, latency_at_5pct_ms=820,
        p50_ms=1.23, realtime_factor=0.0021, conditions=conditions,
    ),
    BenchResult(name="broken", error="ImportError: no module named x"),
])
"""


def _bench_table(lines: list[str]) -> list[str]:
    start = next(n for n, line in enumerate(lines) if line.startswith("#"))
    return lines[start : lines.index("", start)]


def test_bench_table_fits_a_terminal_and_is_whole_in_a_pipe() -> None:
    """The bench figures (measured for minutes) through the same table as list and search."""
    pipe = subprocess.run(
        [sys.executable, "-c", BENCH], capture_output=True, text=True, timeout=120, check=True,
        env={**os.environ, **ENV, "COLUMNS": "60"},
    )  # fmt: skip
    table = _bench_table(pipe.stdout.splitlines())
    assert len(table) == 3, pipe.stdout
    assert table[0].split() == [
        "#", "plugin", "F1", "hum", "FS", "noise", "FS", "turn", "ms", "false/miss",
        "cutoffs", "ms", "@5%", "chunk", "ms", "x", "RT",
    ]  # fmt: skip
    assert "a-rather-long-plugin-name" in table[1] and table[1].endswith("0.0021")
    lines = _terminal_lines([sys.executable, "-c", BENCH], 60)
    table = _bench_table(lines)
    assert len(table) == 3, lines  # header and two rows: one line each
    assert all(len(line) <= 60 for line in table), table
    assert table[0].split()[:3] == ["#", "plugin", "F1"] and "x RT" not in table[0]


def test_help_in_a_pipe_never_cuts_an_environment_variable_name() -> None:
    for command in ("bench", "validate", "replay"):
        result = in_a_pipe(command, "--help", columns=80)
        assert result.returncode == 0, result.stderr
        assert "FASTRTC_PLUGINS_MEMORY_LIMIT " in result.stdout, result.stdout
