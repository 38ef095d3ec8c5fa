"""The bench chart from known results: every condition and every plugin's delay is shown."""

from __future__ import annotations

from pathlib import Path

from _ci import require_module

from fastrtc_registry.bench import BenchResult
from fastrtc_registry.bench.plot import columns, render_svg, write_plot


def _vad(name: str, f1: float, humming: float, p50: float) -> BenchResult:
    conditions = {key: {"f1": f1, "false_speech": None} for _, _, key, m in columns() if m == "f1"}
    groups = {
        key: {"f1": None, "false_speech": humming if key == "humming" else 0.0}
        for _, _, key, m in columns()
        if m == "false_speech"
    }
    return BenchResult(
        name=name,
        f1=f1,
        humming_false_speech=humming,
        end_of_turn_p50_ms=p50,
        end_of_turn_p95_ms=p50 + 300,
        false_turn_ends=0,
        missed_turns=0,
        conditions=conditions,
        groups=groups,
    )


RESULTS = [
    _vad("good<vad>", 0.93, 0.05, 700.0),
    _vad("hums", 0.85, 0.97, 640.0),
    BenchResult(name="waits", kind="turn-taking", end_of_turn_p50_ms=1350.0,
                end_of_turn_p95_ms=1630.0, false_turn_ends=2, missed_turns=0),
    BenchResult(name="broken", error="vad() failed on clean at 48000 Hz: TypeError: nope"),
]  # fmt: skip


def test_svg_shows_each_condition_and_delay() -> None:
    svg = render_svg(RESULTS, title="run & title")
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "run &amp; title" in svg and "good&lt;vad&gt;" in svg  # text is escaped
    for band in ("F1 in white", "F1 in pink", "F1 in babble", "false speech"):
        assert band in svg
    assert svg.count("<rect") >= 1 + 2 * len(columns())  # background and one cell per value
    assert "97%" in svg and "0.93" in svg
    assert "p50 1350 ms, p95 1630 ms; 2 false turn ends, 0 missed" in svg
    assert "waits (turn-taking)" in svg
    assert "broken" in svg and "failed" in svg


def test_write_plot_svg(tmp_path: Path) -> None:
    target = tmp_path / "chart.svg"
    write_plot(RESULTS, target)
    assert target.read_text("utf-8") == render_svg(RESULTS)


def test_write_plot_png(tmp_path: Path) -> None:
    require_module("matplotlib")  # optional for users; CI installs it (the test extra)
    target = tmp_path / "chart.png"
    write_plot(RESULTS, target)
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
