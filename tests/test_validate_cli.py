"""``fastrtc-plugins validate`` end to end: installed names, project directories, wheels."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import PLUGINS, PluginEnv, hiding_pythonpath


def _json(env: PluginEnv, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    proc = env.run("validate", *args, "--json")
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _statuses(data: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {c["id"]: c["status"] for p in data["plugins"] for c in p["checks"]}


def test_installed_good_plugin_passes_with_the_design_json(good_env: PluginEnv) -> None:
    code, data = _json(good_env, "energy")
    assert code == 0
    assert data["target"] == "energy"
    (plugin,) = data["plugins"]
    assert (plugin["name"], plugin["kind"], plugin["object"]) == (
        "energy",
        "vad",
        "fastrtc_energy_vad:EnergyVAD",
    )
    assert {"passed", "failed", "warnings", "skipped", "errors"} <= set(data["summary"])
    assert data["summary"]["needs_network"] == 0
    assert all("reason" in c for c in plugin["checks"])
    assert data["summary"]["failed"] == data["summary"]["errors"] == 0
    assert len(plugin["checks"]) == 28


def test_default_report_of_a_passing_plugin_is_one_summary_line(good_env: PluginEnv) -> None:
    proc = good_env.run("validate", "webrtc", env={"COLUMNS": "200"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (line,) = proc.stdout.strip().splitlines()
    assert line.startswith("webrtc: 28 passed in ")


def test_verbose_report_lists_every_check(good_env: PluginEnv) -> None:
    proc = good_env.run("validate", "webrtc", "-v", env={"COLUMNS": "200"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "VAD213" in proc.stdout and "p95" in proc.stdout
    assert sum(" PASSED " in f" {line} " for line in proc.stdout.splitlines()) == 28
    assert proc.stdout.strip().splitlines()[-1].startswith("webrtc: 28 passed")


def test_default_report_shows_what_to_fix_with_hint_and_anchor(good_env: PluginEnv) -> None:
    proc = good_env.run("validate", "forgetful", env={"COLUMNS": "200"})
    assert proc.returncode == 1
    lines = proc.stdout.strip().splitlines()
    assert "PASSED" not in proc.stdout
    assert any(line.strip().startswith("FAILED IMP106") for line in lines)
    assert "see docs/checks.md#imp106" in proc.stdout
    assert "fix: define `copy()`" in proc.stdout
    assert lines[-1].startswith("forgetful: ") and "1 failed" in lines[-1]


def test_junit_path_is_checked_before_the_run(good_env: PluginEnv, tmp_path: Path) -> None:
    out = tmp_path / "no" / "dir" / "x.xml"
    proc = good_env.run("validate", "energy", "--junit", str(out), env={"COLUMNS": "300"})
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr
    assert "Validating" not in proc.stderr


def test_forgetful_fails_the_copy_checks_and_ignore_waives_them(good_env: PluginEnv) -> None:
    code, data = _json(good_env, "forgetful")
    assert code == 1
    failed = {i for i, s in _statuses(data).items() if s == "failed"}
    assert failed == {"IMP106"}  # one defect, reported once
    (plugin,) = data["plugins"]
    after = {c["id"] for c in plugin["checks"] if c["reason"] == "after IMP106"}
    assert after == {"IMP107", "TT203", "TT204", "TT207"}
    code, data = _json(good_env, "forgetful", "--ignore", "IMP106")
    assert code == 0
    assert _statuses(data)["TT203"] == "skipped"


def test_strict_fails_on_warnings(good_env: PluginEnv) -> None:
    assert good_env.run("validate", "pause", "--json").returncode == 0
    proc = good_env.run("validate", "pause", "--json", "--strict")
    assert proc.returncode == 1
    assert _statuses(json.loads(proc.stdout))["PKG007"] == "warning"


def test_junit_file_has_one_testcase_per_check(good_env: PluginEnv, tmp_path: Path) -> None:
    out = tmp_path / "report.xml"
    proc = good_env.run("validate", "patient", "--junit", str(out), "--json")
    assert proc.returncode == 0
    cases = ET.parse(out).getroot().findall("./testsuite/testcase")
    ids = [c.get("name", "").split()[0] for c in cases]
    assert ids == [c["id"] for c in json.loads(proc.stdout)["plugins"][0]["checks"]]


def test_validate_dot_on_a_project_directory(good_env: PluginEnv) -> None:
    proc = subprocess.run(
        [str(good_env.python), "-m", "fastrtc_registry", "validate", ".", "--json"],
        cwd=PLUGINS / "energy_vad",
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["plugins"][0]["package"] == "fastrtc-energy-vad"
    assert "throwaway environment" in data["notes"][0]


def test_a_broken_project_directory_fails_with_its_message(good_env: PluginEnv) -> None:
    code, data = _json(good_env, str(PLUGINS / "bad_float32"))
    assert code == 1
    (check,) = [c for c in data["plugins"][0]["checks"] if c["status"] == "failed"]
    assert check["id"] == "VAD205"
    assert "float32 input" in check["message"]


def test_a_crash_shows_the_fix_for_its_input_not_the_checks_own(good_env: PluginEnv) -> None:
    proc = good_env.run(
        "validate", str(PLUGINS / "bad_int16_only"), env={"COLUMNS": "300"}, timeout=600
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    warm, _, cold = proc.stdout.partition("bad-int16-only-cold (")
    assert "FAILED IMP105" in warm
    assert "vad((24000, float32 array of shape (102400,)), None)" in warm
    assert "fix: accept both int16 and float32 samples" in warm
    assert "load weights in `warmup()`" not in warm
    assert "FAILED VAD2" not in warm  # VAD205, VAD209, VAD210 skip after IMP105
    assert "FAILED VAD205" in cold and "FAILED IMP105" not in cold
    code, data = _json(good_env, str(PLUGINS / "bad_int16_only"))
    assert code == 1
    (cold,) = [p for p in data["plugins"] if p["name"] == "bad-int16-only-cold"]
    (failed,) = [c for c in cold["checks"] if c["status"] == "failed"]
    assert failed["id"] == "VAD205" and "convert by dtype" in failed["fix"]


def test_a_wheel_file(good_env: PluginEnv, plugin_wheels: dict[str, Path]) -> None:
    code, data = _json(good_env, str(plugin_wheels["bad_no_requires_python"]))
    assert code == 1
    assert _statuses(data)["PKG004"] == "failed"
    assert _statuses(data)["VAD213"] == "passed"


def test_a_project_without_plugins_is_one_failed_row(good_env: PluginEnv) -> None:
    code, data = _json(good_env, str(PLUGINS / "bad_no_entry_points"))
    assert code == 1
    (plugin,) = data["plugins"]
    assert plugin["kind"] is None
    assert _statuses(data)["PKG001"] == "failed"


def test_silero_is_reported_clearly(good_env: PluginEnv, tmp_path: Path) -> None:
    hidden = hiding_pythonpath(tmp_path, "onnxruntime")
    proc = good_env.run("validate", "silero", "--json", env={"PYTHONPATH": hidden})
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    build = next(c for c in data["plugins"][0]["checks"] if c["id"] == "IMP103")
    assert build["status"] == "error"
    assert "onnxruntime" in build["message"]


def test_unknown_target_is_one_line(good_env: PluginEnv) -> None:
    proc = good_env.run("validate", "no-such-plugin")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: no installed plugin or package named 'no-such-plugin'")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_unknown_ignore_id_is_a_usage_error(good_env: PluginEnv) -> None:
    proc = good_env.run("validate", "energy", "--ignore", "XYZ999")
    assert proc.returncode == 2
    assert "XYZ999" in proc.stderr


@pytest.mark.parametrize("spelling", ["energy_vad", "./energy_vad", "energy_vad/"])
def test_a_relative_project_directory_is_a_path_without_build(
    tmp_path: Path, spelling: str
) -> None:
    """Without the ``build`` package the wheel comes from ``pip wheel``, which reads a bare
    relative path as a project name to download: a directory that exists is a path."""
    shutil.copytree(PLUGINS / "energy_vad", tmp_path / "energy_vad")
    root = Path(__file__).resolve().parents[1]  # this checkout's fastrtc_registry
    hidden = hiding_pythonpath(tmp_path / "env", "build") + os.pathsep + str(root)
    env = {**os.environ, "PYTHONPATH": hidden, "FASTRTC_PLUGINS_OFFLINE": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", "import importlib.util as u; print(u.find_spec('build'))"],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    assert proc.stdout.strip() == "None"  # really without build
    proc = subprocess.run(
        [sys.executable, "-m", "fastrtc_registry", "validate", spelling, "--json"],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=600, check=False,
    )  # fmt: skip
    assert "No matching distribution" not in proc.stderr
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)["summary"]
    assert summary["failed"] == 0 and summary["errors"] == 0
