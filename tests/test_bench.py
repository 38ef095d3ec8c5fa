from __future__ import annotations

import json
from pathlib import Path

from conftest import PluginEnv


def test_bench_measures_vads_side_by_side(good_env: PluginEnv, tmp_path: Path) -> None:
    plot = tmp_path / "bench.svg"
    result = good_env.run("bench", "energy", "webrtc", "--json", "--plot", str(plot))
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert set(rows) == {"energy", "webrtc"}
    for row in rows.values():
        assert row["error"] is None
        # fastrtc's recording holds about 18 s of speech in 20.75 s.
        assert 12.0 < row["speech_s"] < 20.75
        assert row["silence_s"] == 0.0
        assert 0 < row["p50_ms"] <= row["p95_ms"]
        assert 0 < row["realtime_factor"] < 1
        assert row["timeline"]
    svg = plot.read_text()
    assert svg.startswith("<svg") and "energy" in svg and "webrtc" in svg
    assert svg.count('fill="#e8590c"') >= len(rows["energy"]["timeline"])


def test_bench_reports_failures_and_goes_on(good_env: PluginEnv) -> None:
    result = good_env.run("bench", "nope", "energy")
    assert result.returncode == 1
    assert "nope: PluginNotFoundError: no VAD plugin named 'nope'" in " ".join(
        result.stdout.split()
    )
    assert "energy" in result.stdout
    assert "Traceback" not in result.stderr


def test_bench_plot_must_be_svg(good_env: PluginEnv, tmp_path: Path) -> None:
    result = good_env.run("bench", "energy", "--plot", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert "ending in .svg" in result.stderr
