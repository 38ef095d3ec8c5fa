"""validation.venv: finding the interpreter for ``validate --python``, and the flag itself."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PLUGINS

from fastrtc_registry.errors import PythonNotFoundError, ValidationTargetError
from fastrtc_registry.validation.venv import find_python


def _fake_python(path: Path, version: str) -> Path:
    """A script that answers the version question as an interpreter of ``version`` would."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho {version}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def no_pythons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH with only the system's tools and an empty pyenv root; return that root."""
    root = tmp_path / "pyenv"
    (root / "versions").mkdir(parents=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    monkeypatch.setenv("PYENV_ROOT", str(root))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return root


def test_finds_python_x_y_on_path(no_pythons: Path) -> None:
    fake = _fake_python(no_pythons.parent / "bin" / "python3.77", "3.77.0")
    assert find_python("3.77") == fake


def test_finds_the_newest_patch_release_under_pyenv(no_pythons: Path) -> None:
    _fake_python(no_pythons / "versions/3.77.2/bin/python", "3.77.2")
    newest = _fake_python(no_pythons / "versions/3.77.10/bin/python", "3.77.10")
    _fake_python(no_pythons / "versions/3.771.0/bin/python", "3.771.0")  # not 3.77
    assert find_python("3.77") == newest


def test_a_candidate_that_answers_another_version_does_not_count(no_pythons: Path) -> None:
    _fake_python(no_pythons / "versions/3.77.1/bin/python", "3.76.0")  # a stale shim
    with pytest.raises(PythonNotFoundError) as caught:
        find_python("3.77")
    message = str(caught.value)
    assert "python3.77 on PATH" in message
    assert f"{no_pythons}/versions/3.77.*/bin/python" in message
    assert "pyenv install 3.77" in message
    assert caught.value.version == "3.77"


@pytest.mark.parametrize("value", ["3", "abc", "3.9.1.2", "3.12 "])
def test_find_python_refuses_what_is_not_x_y(value: str) -> None:
    with pytest.raises(ValidationTargetError, match=r"X\.Y"):
        find_python(value)


def _validate(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fastrtc_registry", "validate", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**(env or os.environ), "FASTRTC_PLUGINS_OFFLINE": "1", "NO_COLOR": "1"},
        check=False,
    )


@pytest.mark.parametrize("value", ["3", "abc", "3.9.1.2"])
def test_a_bad_python_value_is_a_usage_error(value: str) -> None:
    done = _validate(str(PLUGINS / "energy_vad"), "--python", value, "--json")
    assert done.returncode == 2, done.stderr
    error = json.loads(done.stdout)["error"]
    assert error["type"] == "UsageError"
    assert "X.Y" in error["message"]


def test_a_missing_interpreter_is_a_usage_error_that_says_how_to_get_it(
    no_pythons: Path,
) -> None:
    done = _validate(str(PLUGINS / "energy_vad"), "--python", "3.13", env=dict(os.environ))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    text = " ".join(done.stderr.split())
    assert "no Python 3.13 interpreter found" in text
    assert "pyenv install 3.13" in text


def test_an_installed_name_with_another_python_says_what_to_pass(no_pythons: Path) -> None:
    _fake_python(no_pythons / "versions/3.13.0/bin/python", "3.13.0")
    done = _validate("energy", "--python", "3.13", env=dict(os.environ))
    assert done.returncode == 1
    assert "pass its project directory, a wheel file or pypi:NAME" in done.stderr


def test_this_python_keeps_the_overlay_and_is_reported() -> None:
    this = "{}.{}".format(*sys.version_info[:2])
    done = _validate(str(PLUGINS / "energy_vad"), "--python", this, "--json")
    report = json.loads(done.stdout)
    assert done.returncode == 0, done.stderr
    assert report["python"] == platform.python_version()
    assert not any(n.startswith("on Python") for n in report["notes"])


def test_a_python_fastrtc_registry_does_not_run_on_is_refused(no_pythons: Path) -> None:
    _fake_python(no_pythons / "versions/3.9.18/bin/python", "3.9.18")
    done = _validate(str(PLUGINS / "energy_vad"), "--python", "3.9", env=dict(os.environ))
    assert done.returncode == 1
    assert "fastrtc-registry runs on Python" in done.stderr
    assert "cannot check a plugin on 3.9" in done.stderr
