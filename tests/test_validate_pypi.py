"""``validate pypi:NAME==VERSION`` against a real index server on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from conftest import PluginEnv


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def local_index(
    tmp_path_factory: pytest.TempPathFactory, plugin_wheels: dict[str, Path]
) -> Iterator[str]:
    """pypiserver in-process (no fallback to any public index) serving two fixture wheels."""
    import pypiserver

    root = tmp_path_factory.mktemp("index")
    for name in ("energy_vad", "bad_deaf"):
        shutil.copy(plugin_wheels[name], root)
    app = pypiserver.app(
        roots=[str(root)], disable_fallback=True, authenticate=[], password_file="."
    )
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/simple/"
    server.shutdown()


def _validate(env: PluginEnv, target: str, index: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("FASTRTC_PLUGINS_OFFLINE")
    return env.run("validate", target, "--json", env={"FASTRTC_PLUGINS_INDEX_URL": index})


def test_pypi_target_installs_into_a_throwaway_env(
    good_env: PluginEnv, local_index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    proc = _validate(good_env, "pypi:fastrtc-energy-vad==1.0.0", local_index, monkeypatch)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["plugins"][0]["package"] == "fastrtc-energy-vad"
    assert data["summary"]["failed"] == 0
    # never the user's environment: the bad_deaf check below must not find it installed
    listed = json.loads(good_env.run("list", "--json").stdout)
    assert "bad-deaf" not in {p["name"] for p in listed}


def test_pypi_target_reports_failures(
    good_env: PluginEnv, local_index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    proc = _validate(good_env, "pypi:fastrtc-bad-deaf", local_index, monkeypatch)
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    failed = [c["id"] for c in data["plugins"][0]["checks"] if c["status"] == "failed"]
    assert failed == ["VAD207"]
    listed = json.loads(good_env.run("list", "--json").stdout)
    assert "bad-deaf" not in {p["name"] for p in listed}


def test_pypi_target_offline_is_a_clear_error(good_env: PluginEnv) -> None:
    proc = good_env.run("validate", "pypi:fastrtc-energy-vad")
    assert proc.returncode == 1
    assert "FASTRTC_PLUGINS_OFFLINE is set" in proc.stderr


def test_unknown_project_on_the_index(
    good_env: PluginEnv, local_index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    proc = _validate(good_env, "pypi:fastrtc-not-there", local_index, monkeypatch)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: downloading fastrtc-not-there failed")
