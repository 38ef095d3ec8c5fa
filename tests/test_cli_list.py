from __future__ import annotations

import json

from conftest import PluginEnv

LIST_KEYS = {"name", "kind", "package", "version", "object", "source", "status", "error"}


def test_list_json_shape(good_env: PluginEnv) -> None:
    result = good_env.run("list", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert all(set(row) >= LIST_KEYS for row in rows)
    by_name = {row["name"]: row for row in rows}
    assert by_name["energy"] == {
        "name": "energy",
        "kind": "vad",
        "package": "fastrtc-energy-vad",
        "version": "1.0.0",
        "object": "fastrtc_energy_vad:EnergyVAD",
        "source": "entry-point",
        "status": "unchecked",
        "error": None,
        "conflicts": [],
    }
    assert by_name["pause"]["source"] == "builtin"


def test_list_table_and_kind_filter(good_env: PluginEnv) -> None:
    result = good_env.run("list", "--kind", "turn-taking")
    assert result.returncode == 0, result.stderr
    assert "patient" in result.stdout
    assert "fastrtc-patient-pause" in result.stdout
    assert "energy" not in result.stdout


def test_list_check_marks_ok(good_env: PluginEnv) -> None:
    result = good_env.run("list", "--check", "--json", "--kind", "vad")
    assert result.returncode == 0, result.stderr
    status = {row["name"]: row["status"] for row in json.loads(result.stdout)}
    assert status["energy"] == "ok"
    assert status["webrtc"] == "ok"


def test_list_check_reports_broken_plugins_and_goes_on(broken_env: PluginEnv) -> None:
    result = broken_env.run("list", "--check", "--json")
    assert result.returncode == 1
    rows = {(row["package"], row["name"]): row for row in json.loads(result.stdout)}
    broken = rows[("fastrtc-broken-import", "broken-import")]
    assert broken["status"] == "broken"
    assert "No module named 'fastrtc_missing_dependency'" in broken["error"]
    assert rows[("fastrtc-wrong-kind", "not-callable")]["status"] == "broken"
    assert rows[("fastrtc-energy-vad", "energy")]["status"] == "ok"
    assert "declared by 2 packages" in result.stderr
    assert "Traceback" not in result.stderr


def test_list_errors_shown_under_the_table(broken_env: PluginEnv) -> None:
    result = broken_env.run("list", "--check", "--kind", "vad")
    assert result.returncode == 1
    assert "fastrtc-broken-import:broken-import: ModuleNotFoundError" in result.stdout


def test_usage_errors_exit_2(good_env: PluginEnv) -> None:
    result = good_env.run("list", "--kind", "asr")
    assert result.returncode == 2
    assert "Invalid value for '--kind'" in result.stderr
    assert good_env.run("no-such-command").returncode == 2


def test_version(good_env: PluginEnv) -> None:
    from fastrtc_registry import __version__

    result = good_env.run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"fastrtc-plugins {__version__}"


def test_bad_catalog_is_one_line_error(good_env: PluginEnv, tmp_path) -> None:
    bad = tmp_path / "registry.json"
    bad.write_text("{not json")
    result = good_env.run("list", env={"FASTRTC_PLUGINS_REGISTRY_URL": str(bad)})
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert "not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr
