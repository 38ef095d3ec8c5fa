"""``search`` and ``info`` against real indexes on 127.0.0.1: pypiserver (HTML) and devpi (JSON)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import _index_fixtures
import pytest
from _index_fixtures import MARKER_ENV
from conftest import make_env

# The real index servers, shared through their own module.
index_files = _index_fixtures.index_files
pypi_url = _index_fixtures.pypi_url
devpi_url = _index_fixtures.devpi_url

pytestmark = pytest.mark.slow

SEARCH_KEYS = {
    "name",
    "kind",
    "package",
    "version",
    "summary",
    "sources",
    "declared",
    "installed",
    "compatible",
    "requires_python",
    "validation",
    "install",
}
DECLARED = {
    ("energy", "vad", "fastrtc-energy-vad"),
    ("patient", "turn-taking", "fastrtc-patient-pause"),
    ("marker", "vad", "fastrtc-marker-vad"),
    ("big", "vad", "fastrtc-big-vad"),
    ("big-turns", "turn-taking", "fastrtc-big-vad"),
    ("future", "vad", "fastrtc-future-vad"),
}
NAME_ONLY = {"fastrtc-nonplugin-tts", "fastrtc-legacy-vad", "fastrtc-sdist-only"}


@pytest.fixture(params=["pypiserver", "devpi"])
def index_url(request: pytest.FixtureRequest) -> str:
    """Each real index in turn."""
    return str(
        request.getfixturevalue("pypi_url" if request.param == "pypiserver" else "devpi_url")
    )


@pytest.fixture
def online(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Allow network access (to 127.0.0.1 only); a fresh cache; an import marker path."""
    monkeypatch.delenv("FASTRTC_PLUGINS_OFFLINE", raising=False)
    monkeypatch.setenv("FASTRTC_PLUGINS_CACHE_DIR", str(tmp_path / "cache"))
    marker = tmp_path / "imported"
    monkeypatch.setenv(MARKER_ENV, str(marker))
    return marker


def cli(*args: str, python: str = sys.executable) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a fresh interpreter."""
    return subprocess.run(
        [python, "-m", "fastrtc_registry", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=dict(os.environ),
        check=False,
    )


def search_json(index_url: str, *args: str) -> list[dict[str, object]]:
    """``search --json`` rows; the command must succeed."""
    result = cli("search", "--index-url", index_url, "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_search_finds_exactly_the_projects_declaring_plugins(index_url: str, online: Path):
    rows = search_json(index_url, "--all")
    index_rows = [r for r in rows if "index" in r["sources"]]
    declared = {
        (r["name"], r["kind"], r["package"].lower().replace("_", "-").replace(".", "-"))
        for r in index_rows
        if r["declared"]
    }
    assert declared == DECLARED
    name_only = {r["package"].lower().replace("_", "-") for r in index_rows if r["kind"] is None}
    assert name_only == NAME_ONLY
    for row in rows:
        assert set(row) >= SEARCH_KEYS
        if row["kind"] is None:
            assert row["name"] == row["package"].lower().replace("_", "-")
            # Only an sdist: search never builds, so its entry points are unknown.
            unchecked = row["name"] == "fastrtc-sdist-only"
            assert row["declared"] is (None if unchecked else False)
            assert bool(row["error"]) is unchecked
    assert not any("unrelated" in str(r["package"]) for r in rows)
    assert not online.exists(), "search imported or built a project"


def test_rows_carry_release_facts(index_url: str, online: Path):
    rows = {(r["name"], r["kind"]): r for r in search_json(index_url, "--all")}
    big = rows[("big", "vad")]
    assert big["version"] == "1.0.0"  # not the older 0.9.0, not the 2.0.0rc1 pre-release
    assert big["object"] == "fastrtc_big_vad:BigVAD"
    assert big["compatible"] is True and big["installed"] is False
    assert big["install"] == f"pip install fastrtc-big-vad --index-url {index_url}"
    future = rows[("future", "vad")]
    assert future["compatible"] is False
    assert any(">=3.99" in reason for reason in future["reasons"])
    humaware = rows[("humaware", "vad")]
    assert humaware["sources"] == ["catalog", "index"]
    assert humaware["declared"] is False and humaware["version"] == "0.1.0"
    assert humaware["compatible"] is (sys.version_info >= (3, 12))
    walkie = rows[("walkie-talkie", "turn-taking")]
    assert walkie["sources"] == ["catalog"] and walkie["version"] is None


def test_plain_search_hides_name_only_matches_and_ranks_exact_first(index_url: str, online: Path):
    rows = search_json(index_url, "big")
    assert [r["name"] for r in rows][:2] == ["big", "big-turns"]
    plain = search_json(index_url)
    assert all(r["kind"] is not None or r["error"] for r in plain)
    assert {r["package"] for r in plain if r["kind"] is None} == {"fastrtc-sdist-only"}
    vads = search_json(index_url, "--kind", "vad")
    assert vads and all(r["kind"] == "vad" for r in vads)


def test_wheels_are_read_by_byte_range_when_the_server_allows(pypi_url: str, online: Path):
    import asyncio

    from fastrtc_registry.index.client import IndexClient
    from fastrtc_registry.index.wheel import read_wheel_files

    async def read() -> object:
        async with IndexClient() as client:
            return await read_wheel_files(
                client,
                pypi_url.replace("/simple/", "/packages/fastrtc_big_vad-1.0.0-py3-none-any.whl"),
                {"entry_points.txt", "METADATA"},
            )

    got = asyncio.run(read())
    assert got.ranged and got.size > 1_000_000
    assert got.requests == 1  # a suffix range: the size and the tail at once, no HEAD
    assert got.bytes_fetched < 64 * 1024
    assert b"big-turns = fastrtc_big_vad:BigTurns" in got.files["entry_points.txt"]
    assert b"Name: fastrtc-big-vad" in got.files["METADATA"]


def test_search_and_info_never_import_installed_plugins(
    pypi_url: str, online: Path, tmp_path: Path, plugin_wheels: dict[str, Path]
):
    env = make_env(tmp_path / "venv", [plugin_wheels["marker_vad"]])
    result = cli("search", "marker", "--index-url", pypi_url, "--json", python=str(env.python))
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["installed"] is True and row["installed_version"] == "2.1.0"
    info = cli("info", "marker", "--index-url", pypi_url, python=str(env.python))
    assert info.returncode == 0, info.stderr
    assert "fastrtc_marker_vad:MarkerVAD" in info.stdout
    assert not online.exists(), "search or info imported the plugin"


def test_info_reports_everything_about_one_plugin(devpi_url: str, online: Path):
    result = cli("info", "marker", "--index-url", devpi_url, "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["version"] == "2.1.0" and info["versions"] == ["2.1.0"]
    assert info["entry_points"] == [
        {"group": "fastrtc.vad", "name": "marker", "value": "fastrtc_marker_vad:MarkerVAD"}
    ]
    assert info["requires"] == ["fastrtc>=0.0.20", "numpy"]
    assert info["project_urls"] == {"Repository": "https://example.invalid/marker-vad"}
    assert info["compatible"] is True and info["installed"] is False
    assert info["install"].startswith("pip install fastrtc")
    assert [p["name"] for p in info["plugins"]] == ["marker"]


def test_info_of_a_package_lists_its_plugins_and_versions(pypi_url: str, online: Path):
    result = cli("info", "fastrtc-big-vad", "--index-url", pypi_url, "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["versions"] == ["2.0.0rc1", "1.0.0", "0.9.0"]
    assert {(p["name"], p["kind"]) for p in info["plugins"]} == {
        ("big", "vad"),
        ("big-turns", "turn-taking"),
    }
    text = cli("info", "fastrtc-big-vad", "--index-url", pypi_url)
    assert "big-turns" in text.stdout and "pip install fastrtc-big-vad" in text.stdout


def test_info_of_an_unknown_name_suggests_and_fails(pypi_url: str, online: Path):
    result = cli("info", "humawar", "--index-url", pypi_url)
    assert result.returncode == 1
    assert "humaware" in result.stderr and "Traceback" not in result.stderr
