"""``fastrtc-plugins install`` against a real index server on 127.0.0.1, into a real venv."""

from __future__ import annotations

import json
import os
from importlib import metadata
from pathlib import Path

import pytest
from _index_fixtures import index_files, pypi_url  # noqa: F401  (fixtures)
from conftest import PluginEnv, make_env

FASTRTC = metadata.version("fastrtc")


@pytest.fixture
def empty_env(tmp_path: Path) -> PluginEnv:
    return make_env(tmp_path / "venv", [])


def _env(url: str) -> dict[str, str]:
    return {"FASTRTC_PLUGINS_OFFLINE": "", "FASTRTC_PLUGINS_INDEX_URL": url}


def test_dry_run_shows_the_pinned_command(empty_env: PluginEnv, pypi_url: str) -> None:  # noqa: F811
    result = empty_env.run("install", "energy", "--dry-run", env=_env(pypi_url))
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "fastrtc-energy-vad 1.0.0 provides vad:energy" in out
    assert f"fastrtc stays at {FASTRTC}." in out
    assert (
        f"-m pip install fastrtc-energy-vad==1.0.0 fastrtc=={FASTRTC} --index-url {pypi_url}" in out
    )
    listed = json.loads(empty_env.run("list", "--json").stdout)
    assert "energy" not in {row["name"] for row in listed}


def test_install_then_load_by_name(empty_env: PluginEnv, pypi_url: str) -> None:  # noqa: F811
    # pip's own configuration must not send it anywhere else (a dead extra index here).
    hostile = {"PIP_EXTRA_INDEX_URL": "http://127.0.0.1:9/simple/", "PIP_NO_INDEX": ""}
    result = empty_env.run("install", "energy", "--yes", env={**_env(pypi_url), **hostile})
    assert result.returncode == 0, result.stderr
    assert "Installed fastrtc-energy-vad: vad:energy now load by name." in " ".join(
        result.stdout.split()
    )
    loaded = empty_env.python_run(
        "-c", "from fastrtc_registry import load_vad; print(type(load_vad('energy')).__name__)"
    )
    assert loaded.stdout.strip() == "EnergyVAD", loaded.stderr
    # fastrtc was pinned, not touched.
    version = empty_env.python_run(
        "-c", "import importlib.metadata as m; print(m.version('fastrtc'))"
    )
    assert version.stdout.strip() == FASTRTC
    again = empty_env.run("install", "energy", "--yes", env=_env(pypi_url))
    assert again.returncode == 0
    assert "fastrtc-energy-vad 1.0.0 is already installed." in again.stdout


def test_incompatible_plugin_is_refused(empty_env: PluginEnv, pypi_url: str) -> None:  # noqa: F811
    result = empty_env.run("install", "fastrtc-future-vad", "--yes", env=_env(pypi_url))
    assert result.returncode == 1
    assert result.stderr.startswith("error: fastrtc-future-vad cannot be installed here:")
    assert "needs Python >=3.99" in result.stderr
    assert "Traceback" not in result.stderr


def test_asks_before_installing(empty_env: PluginEnv, pypi_url: str) -> None:  # noqa: F811
    result = empty_env.run("install", "energy", env=_env(pypi_url), input="")
    assert result.returncode == 2
    assert "pass --yes" in result.stderr


def test_unknown_plugin(empty_env: PluginEnv) -> None:
    result = empty_env.run("install", "no-such-plugin", "--offline")
    assert result.returncode == 1
    assert "no plugin or package named 'no-such-plugin'" in result.stderr


def test_pip_runs_with_its_own_configuration_switched_off() -> None:
    from fastrtc_registry.index.config import isolated_pip_environment

    env = isolated_pip_environment(
        {
            "PIP_EXTRA_INDEX_URL": "http://x/",
            "PIP_FIND_LINKS": "/w",
            "UV_EXTRA_INDEX_URL": "http://y/",
            "PIP_REQUIREMENT": "r.txt",
            "PATH": "/bin",
        }
    )
    assert env == {"PATH": "/bin", "PIP_CONFIG_FILE": os.devnull, "UV_NO_CONFIG": "1"}
