"""search offline and from the cache: catalog rows, ranking, compatibility, exit 3, bad caches."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from fastrtc_registry.index.cache import IndexCache
from fastrtc_registry.packages import EntryPointSpec
from fastrtc_registry.index.scan import ProjectFacts
from fastrtc_registry.names import canonicalize
from fastrtc_registry.search import check_compatibility, search

INDEX = "http://127.0.0.1:9/simple/"  # never contacted: these tests run offline


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fastrtc_registry", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        check=False,
    )


def cache_facts(name: str, *eps: tuple[str, str, str], requires: tuple[str, ...] = ()) -> None:
    """Put facts for project ``name`` in the cache for INDEX."""
    facts = ProjectFacts(
        name=name,
        canonical=canonicalize(name),
        version="1.0",
        versions=("1.0",),
        summary=f"{name} summary",
        requires_python=">=3.8",
        requires_dist=requires,
        entry_points=tuple(EntryPointSpec(*e) for e in eps),
    )
    IndexCache(INDEX).save_project(
        facts.canonical, {"facts_format": 1, "facts": facts.as_dict()}, "sha256:x"
    )


def test_offline_search_answers_from_the_embedded_catalog():
    result = cli("search", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {r["package"] for r in rows} >= {"humaware-vad", "fastrtc-walkie-talkie"}
    assert all(r["sources"] == ["catalog"] for r in rows)
    assert "offline" in result.stderr


def test_offline_search_with_no_match_exits_3_in_one_line():
    result = cli("search", "no-such-plugin-anywhere", "--offline")
    assert result.returncode == 3
    assert result.stderr.startswith("error: offline") and result.stderr.count("\n") == 1


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
    assert names[:2] == ["silero", "silero-plus"]
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


@pytest.mark.parametrize(
    ("requires_python", "requires", "fastrtc", "expected"),
    [
        (">=3.8", ("fastrtc>=0.0.20",), "0.0.34", True),
        (">=3.99", ("fastrtc",), "0.0.34", False),
        (None, ("fastrtc<0.0.30",), "0.0.34", False),
        (None, ("fastrtc[vad]>=0.0.30; python_version >= '3.8'",), "0.0.34", True),
        (None, ("fastrtc>=9; extra == 'gpu'",), "0.0.34", None),
        (None, ("fastrtc>=0.0.30",), None, None),
        (None, (), "0.0.34", None),
    ],
    ids=["ok", "python", "old-fastrtc", "marker", "extra-only", "no-fastrtc", "unknown"],
)
def test_compatibility(
    requires_python: str | None,
    requires: tuple[str, ...],
    fastrtc: str | None,
    expected: bool | None,
):
    verdict, reasons = check_compatibility(
        requires_python, requires, python="3.11.7", fastrtc=fastrtc
    )
    assert verdict is expected
    assert bool(reasons) == (expected is False or (fastrtc is None and bool(requires)))


def test_info_offline_from_the_catalog():
    result = cli("info", "walkie-talkie", "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["package"] == "fastrtc-walkie-talkie"
    assert info["plugins"][0]["object"] == "fastrtc_walkie_talkie:WalkieTalkie"
    assert info["install"] == "pip install fastrtc-walkie-talkie"
