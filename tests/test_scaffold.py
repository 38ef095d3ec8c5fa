"""``fastrtc-plugins new`` writes projects that build, install, import and work."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PluginEnv, build_wheel, make_env

from fastrtc_registry.scaffold import ScaffoldError, create_project, project_names


def test_project_names() -> None:
    assert project_names("Quiet_Room") == (
        "quiet-room",
        "fastrtc-quiet-room",
        "fastrtc_quiet_room",
        "QuietRoom",
    )
    assert project_names("fastrtc-echo")[1] == "fastrtc-echo"


@pytest.mark.parametrize("bad", ["9lives", "a/b", "../up", "", "white space"])
def test_bad_names_are_refused(bad: str, tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match="is not a usable plugin name"):
        create_project(bad, "vad", tmp_path / "p")


def test_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(ScaffoldError, match="exists and is not empty"):
        create_project("x", "vad", tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("inside", [False, True], ids=["file", "under-a-file"])
def test_a_file_as_directory_is_refused_before_writing(tmp_path: Path, inside: bool) -> None:
    afile = tmp_path / "afile.txt"
    afile.write_text("mine")
    with pytest.raises(ScaffoldError, match=r"afile\.txt is a file, not a directory"):
        create_project("x", "vad", afile / "sub" if inside else afile)
    assert afile.read_text() == "mine" and sorted(tmp_path.iterdir()) == [afile]


def test_cli_new_with_a_file_as_dir_is_a_usage_error(tmp_path: Path) -> None:
    afile = tmp_path / "afile.txt"
    afile.write_text("mine")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "fastrtc_registry",
            "new",
            "x",
            "--kind",
            "vad",
            "--dir",
            str(afile),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Invalid value for '--dir'" in proc.stderr and "Traceback" not in proc.stderr
    assert afile.read_text() == "mine" and sorted(tmp_path.iterdir()) == [afile]


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("scaffold")
    return {
        name: create_project(name, kind, root / name).root
        for name, kind in (("quiet-room", "vad"), ("slow-turns", "turn-taking"))
    }


@pytest.fixture(scope="module")
def scaffold_env(tmp_path_factory: pytest.TempPathFactory, projects: dict[str, Path]) -> PluginEnv:
    dist = tmp_path_factory.mktemp("scaffold_dist")
    wheels = [build_wheel(root, dist) for root in projects.values()]
    return make_env(tmp_path_factory.mktemp("scaffold_env") / "venv", wheels)


@pytest.mark.parametrize("name", ["quiet-room", "slow-turns"])
def test_scaffolded_projects_pass_validate(good_env: PluginEnv, projects, name: str) -> None:
    result = good_env.run("validate", str(projects[name]), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["failed"] == 0
    assert report["summary"]["errors"] == 0
    assert report["summary"]["passed"] > 10


def test_a_scaffolded_copy_that_forgets_a_setting_fails_tt203(
    good_env: PluginEnv, tmp_path: Path
) -> None:
    root = create_project("drops-turns", "turn-taking", tmp_path / "drops-turns").root
    module = root / "fastrtc_drops_turns" / "__init__.py"
    source = module.read_text()
    forgetting = source.replace("quiet_chunks=self.quiet_chunks, ", "")
    assert forgetting != source
    module.write_text(forgetting)
    result = good_env.run("validate", str(root), "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    (plugin,) = json.loads(result.stdout)["plugins"]
    failed = {c["id"]: c["message"] for c in plugin["checks"] if c["status"] == "failed"}
    assert list(failed) == ["TT203"]
    assert "quiet_chunks 4 became 2" in failed["TT203"]


def test_scaffolded_tests_pass(scaffold_env: PluginEnv, projects) -> None:
    tests = projects["quiet-room"] / "tests"
    result = scaffold_env.python_run("-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests))
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout


def test_scaffolded_plugins_are_listed_and_import(scaffold_env: PluginEnv) -> None:
    result = scaffold_env.run("list", "--check", "--json")
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["quiet-room"]["status"] == "ok", rows["quiet-room"]
    assert rows["quiet-room"]["package"] == "fastrtc-quiet-room"
    assert rows["slow-turns"]["kind"] == "turn-taking"
    assert rows["slow-turns"]["status"] == "ok", rows["slow-turns"]


def test_scaffolded_plugins_work_end_to_end(scaffold_env: PluginEnv) -> None:
    script = """
import warnings
import numpy as np
from fastrtc_registry import reply_on_pause, simulate
rate, speech = simulate.fastrtc_speech()
audio = np.concatenate([np.zeros(48000, np.int16), simulate.resample(speech, rate, 48000),
                        np.zeros(4 * 48000, np.int16)])
reply, lengths = simulate.recording_reply()
warnings.simplefilter("error")
handler = reply_on_pause(reply, vad="quiet-room", turn_taking="slow-turns")
copy = handler.copy()
replies = simulate.drive_handler(copy, audio)
print(type(copy).__name__, len(replies), replies[-1].at_s if replies else None)
"""
    result = scaffold_env.python_run("-c", script)
    assert result.returncode == 0, result.stderr
    klass, count, last = result.stdout.split()
    assert klass == "SlowTurnsPause"
    assert int(count) >= 1
    assert float(last) >= 21.75


def test_cli_new(tmp_path: Path, good_env: PluginEnv) -> None:
    result = good_env.run("new", "echo-vad", "--kind", "vad", "--dir", str(tmp_path / "e"))
    assert result.returncode == 0, result.stderr
    assert "Created fastrtc-echo-vad" in result.stdout
    assert "fastrtc-plugins validate ." in result.stdout
    pyproject = (tmp_path / "e" / "pyproject.toml").read_text()
    assert 'echo-vad = "fastrtc_echo_vad:EchoVadVAD"' in pyproject
    again = good_env.run("new", "echo-vad", "--kind", "vad", "--dir", str(tmp_path / "e"))
    assert again.returncode == 1
    assert again.stderr.startswith("error: ") and "not empty" in again.stderr
