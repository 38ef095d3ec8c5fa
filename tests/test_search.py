"""search offline and from the cache: catalog rows, ranking, compatibility, exit 3, bad caches."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from _cached_facts import INDEX, cache_facts
from conftest import terminal_lines

from fastrtc_registry.index.cache import IndexCache
from fastrtc_registry.index.scan import ProjectFacts
from fastrtc_registry.names import canonicalize
from fastrtc_registry.search import search


def cli(*args: str, env_columns: int | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if env_columns:
        env["COLUMNS"] = str(env_columns)
    return subprocess.run(
        [sys.executable, "-m", "fastrtc_registry", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def in_a_terminal(*args: str, columns: int) -> list[str]:
    """The lines ``fastrtc-plugins ARGS`` writes on its stdout, a terminal ``columns`` wide."""
    argv = [sys.executable, "-m", "fastrtc_registry", *args]
    return terminal_lines(argv, {"NO_COLOR": "1"}, columns=columns)


def test_offline_search_answers_from_the_embedded_catalog():
    result = cli("search", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {r["package"] for r in rows} >= {"humaware-vad", "fastrtc-walkie-talkie"}
    assert all(r["sources"] == ["catalog"] for r in rows)
    assert "offline" in result.stderr


def test_offline_search_with_no_match_exits_1_in_one_line():
    result = cli("search", "no-such-plugin-anywhere", "--offline")
    assert result.returncode == 1  # a lookup that found nothing; the index was not asked
    assert result.stderr.startswith("error: nothing in the catalog or the cache (offline)")
    assert result.stderr.count("\n") == 1


def test_offline_search_includes_cached_index_facts(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FASTRTC_PLUGINS_INDEX_URL", INDEX)
    cache_facts("fastrtc-cached-vad", ("fastrtc.vad", "cached", "m:V"))
    cache_facts("fastrtc-app")
    rows = search(None, include_all=True).results
    by_name = {r.name: r for r in rows}
    assert by_name["cached"].declared and by_name["cached"].sources == ("index",)
    assert by_name["fastrtc-app"].kind is None
    assert "fastrtc-app" not in {r.name for r in search(None).results}


def test_ranking_puts_exact_then_prefix_matches_first(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FASTRTC_PLUGINS_INDEX_URL", INDEX)
    cache_facts("fastrtc-silence-vad", ("fastrtc.vad", "silence", "m:V"))
    cache_facts("fastrtc-silero-plus", ("fastrtc.vad", "silero-plus", "m:V"))
    cache_facts("fastrtc-mega", ("fastrtc.vad", "mega", "m:V"))
    report = search("silero")
    names = [r.name for r in report.results]
    # The exact match first, then the prefix matches (the catalog's silero-lite too).
    assert names[0] == "silero"
    assert set(names[1:3]) == {"silero-lite", "silero-plus"}
    assert "mega" not in names and report.stale


def test_corrupt_cache_entries_are_discarded(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FASTRTC_PLUGINS_INDEX_URL", INDEX)
    cache_facts("fastrtc-good", ("fastrtc.vad", "good", "m:V"))
    cache = IndexCache(INDEX)
    bad = cache.path / "projects" / "fastrtc-bad.json"
    bad.write_bytes(b"\x00{not json")
    (cache.path / "root.json").write_text('{"format": 1, "index_url": "elsewhere"}')
    names = {r.name for r in search(None).results}
    assert "good" in names
    assert not bad.exists() and not (cache.path / "root.json").exists()


def test_info_offline_from_the_catalog():
    result = cli("info", "walkie-talkie", "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["package"] == "fastrtc-walkie-talkie"
    assert info["plugins"][0]["object"] == "fastrtc_walkie_talkie:WalkieTalkie"
    assert info["install"] == "pip install fastrtc-walkie-talkie"


def test_offline_cached_project_without_plugin_entry_points_is_declared_false(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("FASTRTC_PLUGINS_INDEX_URL", INDEX)
    cache_facts("fastrtc-plain-app", ("console_scripts", "app", "m:main"))
    cache_facts("fastrtc-cached-vad", ("fastrtc.vad", "cached", "m:V"))
    rows = {r.package: r for r in search(None, include_all=True, offline=True).results}
    plain = rows["fastrtc-plain-app"]
    assert plain.declared is False and plain.kind is None and plain.error is None
    assert rows["fastrtc-cached-vad"].declared is True


def test_a_cached_unchecked_project_keeps_its_row_and_is_counted(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FASTRTC_PLUGINS_INDEX_URL", INDEX)
    broken = ProjectFacts(
        name="fastrtc-broken", canonical=canonicalize("fastrtc-broken"), error="wheel too big"
    )
    IndexCache(INDEX).save_project(
        broken.canonical, {"facts_format": 1, "facts": broken.as_dict()}, "sha256:y"
    )
    report = search(None, offline=True)  # shown without --all: it may be a plugin
    row = next(r for r in report.results if r.package == "fastrtc-broken")
    assert row.declared is None and row.error == "wheel too big" and row.install
    assert not row.suggestable
    assert report.unchecked == () or "fastrtc-broken" in report.unchecked[0]


def test_built_ins_are_installed_and_compatible_and_nothing_incompatible_is_suggested():
    result = cli("search", "--json")
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["silero"]["installed"] is True and rows["silero"]["compatible"] is True
    human = cli("search", "--all")
    assert human.returncode == 0, human.stderr
    assert "summary" in human.stdout.splitlines()[0]
    assert not any(line.startswith("warning") for line in human.stderr.splitlines())
    assert "offline" in human.stderr
    incompatible = [r["package"] for r in rows.values() if r["compatible"] is False]
    for package in incompatible:
        assert f"Install with: pip install {package}" not in human.stdout


def test_index_url_must_be_http_but_offline_ignores_a_bad_one(monkeypatch: pytest.MonkeyPatch):
    assert cli("search", "--index-url", "notaurl").returncode == 2
    monkeypatch.setenv("FASTRTC_PLUGINS_INDEX_URL", "ftp://x")
    result = cli("search", "--offline", "--json")
    assert result.returncode == 0, result.stderr and json.loads(result.stdout)


def test_pip_commands_use_normalised_names():
    result = cli("info", "walkie-talkie", "--json")
    assert json.loads(result.stdout)["install"] == "pip install fastrtc-walkie-talkie"


def test_long_and_confusable_names_are_cut_and_flagged(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FASTRTC_PLUGINS_INDEX_URL", INDEX)
    cache_facts("fastrtc-long-vad", ("fastrtc.vad", "l" * 700, "m:V"))
    cache_facts("fastrtc-fake-vad", ("fastrtc.vad", "\u0455ilero", "m:V"))
    table = in_a_terminal("search", columns=80)
    assert all(len(line) <= 80 for line in table), table
    assert any("?!" in line and "confusable" in line for line in table)
    assert not any("l" * 30 in line for line in table)
    # Narrow screens give the summary room by dropping columns; wide ones show them all.
    assert table[0].split() == ["name", "kind", "status", "summary"]
    wide = in_a_terminal("search", columns=140)[0].split()
    assert wide == ["name", "kind", "package", "version", "status", "validated", "summary"]
    # In a pipe nothing is cut: the whole name (as --json has it), on its row's one line.
    long = next(
        r["name"] for r in json.loads(cli("search", "--json").stdout) if r["name"][0] == "l"
    )
    piped = cli("search", env_columns=80)
    assert piped.returncode == 0, piped.stderr
    assert len(long) > 80 and any(line.startswith(long + " ") for line in piped.stdout.splitlines())


def test_info_offline_finds_an_installed_plugin_the_catalog_does_not_know(good_env) -> None:
    result = good_env.run("info", "energy", "--offline", "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["package"] == "fastrtc-energy-vad" and info["installed"] is True
    assert info["plugins"][0]["sources"] == ["installed"]
